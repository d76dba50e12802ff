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

func TestYAMLPathBefore(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		want     string
	}{
		{"the line's own key under nested keys", "paths:\n  /users:\n    post:\n      summary: \"open\n", 4, `paths["/users"].post.summary`},
		{"a sibling of the last key", "a:\n  b: 1\n  c: [\n", 3, "a.c"},
		{"back at the root", "a:\n  b:\n    c: 1\nd: [\n", 4, "d"},
		{"inside an item of a sequence", "tenants:\n  - id: a\n    tokens: [x\n", 3, "tenants[0].tokens"},
		{"a new item of a sequence", "tenants:\n  - id: a\n  - [x\n", 3, "tenants"},
		{"a key misplaced in a sequence is not named", "tenants:\n  - id: a\n   name: A\n", 3, "tenants"},
		{"a sequence at its key's indentation", "a:\n- x\n- [y\n", 3, "a"},
		{"the first line", "a: [\n", 1, ""},
		{"a line that continues an open flow list", "a: [1,\n  2,\n  ]]\n", 3, ""},
		{"a line with no key of its own", "a:\n  b:\n    - 1\n    ]\n", 4, "a.b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatPath(YAMLPathBefore([]byte(tc.in), tc.line)...); got != tc.want {
				t.Errorf("%q line %d: %q, want %q", tc.in, tc.line, got, tc.want)
			}
		})
	}
}
