package validation

import (
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
