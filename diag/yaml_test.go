package diag

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func parseYAML(b []byte) error {
	var n yaml.Node
	return yaml.Unmarshal(b, &n)
}

// The column counts characters, not bytes, and a line too long to scan
// cut by cut (a JSON document on one line) is still searched to the
// character. The other positions are in internal/config's
// TestSyntaxErrorLines and the generator's bad golden specs.
func TestYAMLErrorColumn(t *testing.T) {
	items := strings.Repeat(`"x", `, 200)
	early := `{"a": [1]], "b": [` + items + `"y"]}`
	late := `{"b": [` + items + `"y"]]}`
	for _, tc := range []struct {
		name, in  string
		line, col int
	}{
		{"after multi-byte characters", "a: b\nnäme: ünïcödé: x\n", 2, 14},
		{"stray ] early in a long JSON line", early, 1, strings.Index(early, "]]") + 2},
		{"stray ] late in a long JSON line", late, 1, strings.Index(late, "]]") + 2},
		{"unclosed quote", "a:\n  - 'abc\n", 2, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := parseYAML([]byte(tc.in))
			if err == nil {
				t.Fatalf("parsed: %s", tc.in)
			}
			line, col, msg := YAMLError([]byte(tc.in), err, parseYAML)
			if line != tc.line || col != tc.col {
				t.Errorf("%q: at %d:%d (%s), want %d:%d", tc.in, line, col, msg, tc.line, tc.col)
			}
		})
	}
}
