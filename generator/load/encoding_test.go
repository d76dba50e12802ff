package load

import (
	"errors"
	"testing"

	"github.com/unifiedgen/unifiedgen/diag"
)

func TestNonUTF8IsReportedAtItsByte(t *testing.T) {
	cases := []struct {
		name, data string
		line, col  int
		msg        string
	}{
		// Columns count characters, as the YAML parser's do: "é" before
		// the bad byte is one column.
		{"after multi-byte characters", "openapi: 3.0.3\ninfo:\n  title: é\xffx\n", 3, 11, "invalid UTF-8: byte 0xff is not part of a UTF-8 character; save the spec as UTF-8"},
		{"truncated sequence at the end", "a: \xe2\x82", 1, 4, "invalid UTF-8: byte 0xe2 is not part of a UTF-8 character; save the spec as UTF-8"},
		{"UTF-16", "\xff\xfeo\x00p\x00", 1, 1, "invalid UTF-8: byte 0xff is not part of a UTF-8 character; the file looks like UTF-16; save it as UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Bytes("spec.yaml", []byte(c.data))
			var list diag.List
			if !errors.As(err, &list) || len(list) != 1 {
				t.Fatalf("err = %v, want one diagnostic", err)
			}
			if d := list[0]; d.Line != c.line || d.Col != c.col || d.Msg != c.msg {
				t.Errorf("got %d:%d %q, want %d:%d %q", d.Line, d.Col, d.Msg, c.line, c.col, c.msg)
			}
		})
	}
}
