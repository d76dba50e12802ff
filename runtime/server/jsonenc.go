package server

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// appendJSON appends v as JSON, byte for byte what an encoding/json
// Encoder with SetEscapeHTML(false) writes (without its newline), for the
// values records are made of: map[string]any (keys sorted), []any,
// string, json.Number, json.RawMessage, bool, int, int64 and nil. Other
// values go through encoding/json. It exists because a record's
// remote_data can be a megabyte of small values, and encoding/json
// reflects on each of them and sorts every map's keys into a slice of its
// own; this costs the output buffer and one slice of keys per record.
func appendJSON(dst []byte, v any) ([]byte, error) {
	var e jsonEncoder
	return e.append(dst, v)
}

// jsonEncoder holds the keys of the objects being written, one segment
// per level of nesting, so that sorting them allocates once per record and
// not once per object.
type jsonEncoder struct{ keys []string }

func (e *jsonEncoder) append(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case json.Number:
		if v == "" {
			return append(dst, '0'), nil
		}
		if !isNumber(string(v)) {
			return dst, &json.UnsupportedValueError{Str: "invalid number literal " + strconv.Quote(string(v))}
		}
		return append(dst, v...), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		base := len(e.keys)
		for k := range v {
			e.keys = append(e.keys, k)
		}
		slices.Sort(e.keys[base:])
		dst = append(dst, '{')
		var err error
		for i := base; i < len(e.keys); i++ {
			if i > base {
				dst = append(dst, ',')
			}
			dst = appendString(dst, e.keys[i])
			dst = append(dst, ':')
			if dst, err = e.append(dst, v[e.keys[i]]); err != nil {
				return dst, err
			}
		}
		clear(e.keys[base:])
		e.keys = e.keys[:base]
		return append(dst, '}'), nil
	case json.RawMessage:
		// A backend's own JSON (a record kept as raw members: a
		// validated body's, or a stored document's), compacted as
		// encoding/json does, into dst.
		if v == nil {
			return append(dst, "null"...), nil
		}
		return validation.AppendCompact(dst, v)
	case []any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		var err error
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = e.append(dst, x); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	b, err := marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b[:len(b)-1]...), nil // without the newline
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it without HTML escaping: '"', '\\' and control characters,
// invalid UTF-8 as \ufffd, U+2028 and U+2029.
func appendString(dst []byte, s string) []byte { return appendEscaped(dst, s, true) }

// appendLogString appends s as a JSON string escaped as slog's JSON
// handler escapes it: as appendString does, except that \b and \f are
// written \u0008 and \u000c.
func appendLogString(dst []byte, s string) []byte { return appendEscaped(dst, s, false) }

// appendEscaped appends s as a JSON string: '"', '\\', \n, \r and \t
// escaped by name, and \b and \f too when namedBF; other control
// characters as \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped, and no HTML escaping.
func appendEscaped(dst []byte, s string, namedBF bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch {
			case b == '\\' || b == '"':
				dst = append(dst, '\\', b)
			case b == '\b' && namedBF:
				dst = append(dst, '\\', 'b')
			case b == '\f' && namedBF:
				dst = append(dst, '\\', 'f')
			case b == '\n':
				dst = append(dst, '\\', 'n')
			case b == '\r':
				dst = append(dst, '\\', 'r')
			case b == '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendStrings appends a JSON array of strings; nil is null, as
// encoding/json writes a nil slice.
func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// isNumber reports whether s is a JSON number (RFC 8259 6), as
// encoding/json requires of a json.Number.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}
