package mapping

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String is JSONata's $string: strings unchanged, numbers as JSONata
// writes them, booleans and null as their JSON text, arrays and objects as
// compact JSON (keys sorted: a Go map keeps no order). Undefined stays
// undefined.
func String(v any) any {
	if IsUndefined(v) {
		return Undefined
	}
	if s, ok := v.(string); ok {
		return s
	}
	return stringOf(v)
}

// stringOf converts a defined value as $string does.
func stringOf(v any) string {
	var b strings.Builder
	writeJSON(&b, v, true)
	return b.String()
}

// writeJSON writes v as JSON.stringify would after JSONata's number
// rounding; top reports the outermost value, where a string is written
// without quotes.
func writeJSON(b *strings.Builder, v any, top bool) {
	switch x := v.(type) {
	case string:
		if top {
			b.WriteString(x)
		} else {
			writeQuoted(b, x)
		}
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		b.WriteString(formatJSONNumber(x))
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, it, false)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeQuoted(b, k)
			b.WriteByte(':')
			writeJSON(b, x[k], false)
		}
		b.WriteByte('}')
	default:
		if n, ok := number(v); ok {
			b.WriteString(FormatNumber(n))
			return
		}
		fail("cannot convert %s to a string", typeName(v))
	}
}

// FormatNumber writes n as JSONata's $string does: a fraction rounded to
// 15 significant digits (so 0.1 + 0.2 is "0.3"), an integer as it is, both
// in JavaScript's shortest form, with an exponent below 1e-6 and from 1e21
// on.
func FormatNumber(n float64) string {
	if math.IsInf(n, 0) || math.IsNaN(n) {
		fail("cannot convert %v to a string", n)
	}
	if n == 0 {
		return "0" // also for -0, as in JavaScript
	}
	r := n
	if r != math.Trunc(r) {
		r, _ = strconv.ParseFloat(strconv.FormatFloat(n, 'e', 14, 64), 64)
	}
	if abs := math.Abs(r); abs < 1e-6 || abs >= 1e21 {
		s := strconv.FormatFloat(r, 'e', -1, 64)
		// Go writes at least two exponent digits (1e-07), JavaScript as
		// many as needed (1e-7).
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[:1]
		exp = strings.TrimLeft(exp[1:], "0")
		return mant + "e" + sign + exp
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// formatJSONNumber writes a number from the input. An integer keeps the
// digits the provider sent (an id such as 18446744073709551617 must not
// become 18446744073709552000); anything else goes through FormatNumber.
func formatJSONNumber(n json.Number) string {
	s := string(n)
	digits := strings.TrimPrefix(s, "-")
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		if strings.Trim(digits, "0") == "" {
			return "0"
		}
		return s
	}
	f, ok := number(n)
	if !ok {
		fail("cannot convert %q to a string", s)
	}
	return FormatNumber(f)
}

// writeQuoted writes s as a JSON string the way JSON.stringify does: no
// HTML escaping, control characters as \uXXXX or their short escapes.
func writeQuoted(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}
