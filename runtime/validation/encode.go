package validation

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"slices"

	"github.com/go-faster/jx"
)

// AppendObject writes a free-form object (as decoded by State.Any) as
// JSON, with its members in sorted order so that equal objects encode
// equally.
func AppendObject(e *jx.Encoder, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.ObjStart()
	for _, k := range keys {
		e.FieldStart(k)
		AppendAny(e, m[k])
	}
	e.ObjEnd()
}

// AppendAny writes a free-form value: what State.Any decodes (maps,
// slices, strings, json.Numbers written digit for digit, booleans, nil),
// and the float64s and ints of values built in Go.
func AppendAny(e *jx.Encoder, v any) {
	switch v := v.(type) {
	case nil:
		e.Null()
	case string:
		e.Str(v)
	case bool:
		e.Bool(v)
	case json.Number:
		e.Raw([]byte(v))
	case float64:
		e.Float64(v)
	case int:
		e.Int(v)
	case int64:
		e.Int64(v)
	case map[string]any:
		AppendObject(e, v)
	case []any:
		e.ArrStart()
		for _, x := range v {
			AppendAny(e, x)
		}
		e.ArrEnd()
	default:
		// Not what a decoder produces (a value built in Go): let
		// encoding/json say how it looks.
		if b, err := json.Marshal(v); err == nil {
			e.Raw(b)
		} else {
			e.Null()
		}
	}
}

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
