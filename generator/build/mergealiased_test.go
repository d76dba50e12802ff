package build

import (
	"testing"

	"github.com/unifiedgen/unifiedgen/diag"
)

// One anchored mistake used by three keys, one of them twice, is one
// diagnostic naming each key once; a mistake elsewhere, or without a
// position, stays apart.
func TestMergeAliased(t *testing.T) {
	bad := diag.Diagnostic{File: "i.yaml", Line: 6, Col: 19, Msg: "unsupported"}
	with := func(d diag.Diagnostic, path string) diag.Diagnostic { d.Path = path; return d }
	other := diag.Diagnostic{File: "i.yaml", Line: 9, Col: 3, Path: "c", Msg: "unsupported"}
	noPos := diag.Diagnostic{File: "i.yaml", Msg: "unsupported"}
	got := mergeAliased(diag.List{
		with(bad, "a"), other, with(bad, "b"), with(bad, "a"), with(bad, "c (x)"), with(bad, "b"), with(noPos, "p"), with(noPos, "q"),
	})
	want := []string{
		"i.yaml:6:19: a (also b, c (x)): unsupported",
		"i.yaml:9:3: c: unsupported",
		"i.yaml: p: unsupported",
		"i.yaml: q: unsupported",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics:\n%v", len(got), got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("diagnostic %d: got %q, want %q", i, got[i].String(), want[i])
		}
	}
}
