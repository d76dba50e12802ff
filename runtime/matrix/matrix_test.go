package matrix

import "testing"

func TestFieldLevel(t *testing.T) {
	f := Field{Name: "emails", Required: []string{"dixa", "gorgias"}, Supported: []string{"freshchat"}}
	for in, want := range map[string]Level{
		"dixa": Required, "gorgias": Required, "freshchat": Supported,
		"hive": Unsupported, "": Unsupported, "dix": Unsupported,
	} {
		if got := f.Level(in); got != want {
			t.Errorf("Level(%q) = %v, want %v", in, got, want)
		}
	}
	if got := (&Field{Name: "x"}).Level("dixa"); got != Unsupported {
		t.Errorf("a field no integration uses: Level = %v", got)
	}
}
