package validation

import (
	"bytes"
	"encoding/json"
	"net/mail"
)

// IsEmail reports whether s is a single e-mail address (RFC 5322 addr-spec,
// as net/mail parses it, without a display name).
func IsEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// AppendCompact appends the JSON value raw to dst without insignificant
// white space, as json.Compact does. raw must be valid JSON, such as a
// member of a body this package validated or of a document the service
// stored: it is copied as it is when it has no white space outside its
// strings, which is the usual case, and only otherwise rewritten by
// json.Compact (which also reports an invalid value). Not validating again
// what was validated on the way in is the point: it was most of the cost
// of writing a record.
func AppendCompact(dst, raw []byte) ([]byte, error) {
	if len(raw) > 0 && isCompact(raw) {
		return append(dst, raw...), nil
	}
	n := len(dst)
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, raw); err != nil {
		return dst[:n], err
	}
	return buf.Bytes(), nil
}

// isCompact reports whether valid JSON b has no white space outside its
// strings.
func isCompact(b []byte) bool {
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			return false
		}
	}
	return true
}
