package load

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/unifiedgen/unifiedgen/diag"
)

// checkUTF8 reports the first byte of data that is not part of a UTF-8
// character, at its line and column (columns count characters, as the
// YAML parser's do). The YAML parser would only say "invalid leading
// UTF-8 octet", without a position.
func checkUTF8(file string, data []byte) *diag.Diagnostic {
	if utf8.Valid(data) {
		return nil
	}
	off := 0
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		off += size
	}
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	line := bytes.Count(data[:off], []byte{'\n'}) + 1
	col := utf8.RuneCount(data[lineStart:off]) + 1
	hint := "save the spec as UTF-8"
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		hint = "the file looks like UTF-16; save it as UTF-8"
	}
	return &diag.Diagnostic{File: file, Line: line, Col: col,
		Msg: fmt.Sprintf("invalid UTF-8: byte 0x%02x is not part of a UTF-8 character; %s", data[off], hint)}
}
