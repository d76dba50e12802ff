package mapping

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The JSONata functions of the subset. Each takes and returns dynamic
// values; an undefined first argument gives undefined unless the function
// is about existence ($exists, $count, $append).

// decimal is the string syntax $number accepts (JSON's, with leading
// zeros allowed as JSONata does).
var decimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$`)

// Number is $number: numbers unchanged (json.Number keeps its digits),
// decimal strings parsed, booleans as 1 and 0; anything else is an error.
func Number(v any) any {
	switch x := v.(type) {
	case undefinedValue:
		return Undefined
	case bool:
		if x {
			return 1.0
		}
		return 0.0
	case string:
		if decimal.MatchString(x) {
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f
			}
		}
		fail("$number: cannot convert %q to a number", x)
	case json.Number, float64, int, int64:
		return v
	}
	fail("$number: cannot convert %s to a number", typeName(v))
	return nil
}

// Boolean is $boolean.
func Boolean(v any) any {
	if IsUndefined(v) {
		return Undefined
	}
	return Truthy(v)
}

// Not is $not.
func Not(v any) any {
	if IsUndefined(v) {
		return Undefined
	}
	return !Truthy(v)
}

// Exists is $exists: true for any value, null included.
func Exists(v any) bool { return !IsUndefined(v) }

// Count is $count: the length of an array, 1 for any other value, 0 for
// undefined.
func Count(v any) float64 {
	switch x := v.(type) {
	case undefinedValue:
		return 0
	case []any:
		return float64(len(x))
	}
	return 1
}

// str checks the string argument of the function fn.
func str(fn string, arg int, v any) string {
	s, ok := v.(string)
	if !ok {
		fail("%s: argument %d must be a string, got %s", fn, arg, typeName(v))
	}
	return s
}

// Lowercase is $lowercase.
func Lowercase(v any) any {
	if IsUndefined(v) {
		return Undefined
	}
	return strings.ToLower(str("$lowercase", 1, v))
}

// Uppercase is $uppercase.
func Uppercase(v any) any {
	if IsUndefined(v) {
		return Undefined
	}
	return strings.ToUpper(str("$uppercase", 1, v))
}

// Trim is $trim: runs of spaces, tabs and line breaks become one space,
// and none is left at either end.
func Trim(v any) any {
	if IsUndefined(v) {
		return Undefined
	}
	s := str("$trim", 1, v)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
}

// Join is $join: an array of strings (or one string) joined with sep,
// which is Undefined when not given.
func Join(v, sep any) any {
	if IsUndefined(v) {
		return Undefined
	}
	separator := ""
	if !IsUndefined(sep) {
		separator = str("$join", 2, sep)
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		n := len(separator) * max(len(x)-1, 0)
		for i, it := range x {
			s, ok := it.(string)
			if !ok {
				fail("$join: argument 1 must be an array of strings, item %d is %s", i, typeName(it))
			}
			n += len(s)
		}
		var b strings.Builder
		b.Grow(n)
		for i, it := range x {
			if i > 0 {
				b.WriteString(separator)
			}
			b.WriteString(it.(string))
		}
		return b.String()
	}
	fail("$join: argument 1 must be an array of strings, got %s", typeName(v))
	return nil
}

// Split is $split with a string separator.
func Split(v, sep any) any {
	if IsUndefined(v) {
		return Undefined
	}
	parts := strings.Split(str("$split", 1, v), str("$split", 2, sep))
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

// integer checks a numeric argument and truncates it, as JavaScript's
// string functions do.
func integer(fn string, arg int, v any) int {
	n, ok := number(v)
	if !ok {
		fail("%s: argument %d must be a number, got %s", fn, arg, typeName(v))
	}
	n = math.Trunc(n)
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	if n < math.MinInt32 {
		return math.MinInt32
	}
	return int(n)
}

// Substring is $substring: start counts characters (code points) from 0,
// or from the end when negative; length, Undefined when not given, caps
// the result.
func Substring(v, start, length any) any {
	if IsUndefined(v) {
		return Undefined
	}
	runes := []rune(str("$substring", 1, v))
	n := len(runes)
	from := integer("$substring", 2, start)
	if n+from < 0 {
		from = 0
	}
	to := n
	if !IsUndefined(length) {
		l := integer("$substring", 3, length)
		if l <= 0 {
			return ""
		}
		if from >= 0 {
			to = from + l
		} else {
			to = n + from + l
		}
	}
	if from < 0 {
		from += n
	}
	from, to = min(max(from, 0), n), min(max(to, 0), n)
	if from >= to {
		return ""
	}
	return string(runes[from:to])
}

// SubstringBefore is $substringBefore: the part before the first chars,
// or the whole string when chars does not occur.
func SubstringBefore(v, chars any) any {
	if IsUndefined(v) {
		return Undefined
	}
	s, sep := str("$substringBefore", 1, v), str("$substringBefore", 2, chars)
	before, _, _ := strings.Cut(s, sep)
	return before
}

// SubstringAfter is $substringAfter: the part after the first chars, or
// the whole string when chars does not occur.
func SubstringAfter(v, chars any) any {
	if IsUndefined(v) {
		return Undefined
	}
	s, sep := str("$substringAfter", 1, v), str("$substringAfter", 2, chars)
	if _, after, found := strings.Cut(s, sep); found {
		return after
	}
	return s
}

// Contains is $contains with a string pattern.
func Contains(v, pattern any) any {
	if IsUndefined(v) {
		return Undefined
	}
	return strings.Contains(str("$contains", 1, v), str("$contains", 2, pattern))
}

// Append is $append: both arguments as arrays, concatenated into a new
// array; an undefined argument gives the other one unchanged.
func Append(a, b any) any {
	if IsUndefined(b) {
		return a
	}
	if IsUndefined(a) {
		return b
	}
	x, y := items(a), items(b)
	out := make([]any, 0, len(x)+len(y))
	return append(append(out, x...), y...)
}

// items is v as a list: an array's items, or v alone.
func items(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

// Merge is $merge: the members of every object of an array (or of one
// object) in a new object, later ones winning.
func Merge(v any) any {
	if IsUndefined(v) {
		return Undefined
	}
	objs := items(v)
	out := make(map[string]any)
	for i, o := range objs {
		m, ok := o.(map[string]any)
		if !ok {
			fail("$merge: argument must be an object or an array of objects, item %d is %s", i, typeName(o))
		}
		for k, val := range m {
			out[k] = val
		}
	}
	return out
}

// Map is $map with a one-parameter function; its result follows the
// singleton rule (no results: undefined; one: that value).
func Map(v any, f func(item any) any) any {
	if IsUndefined(v) {
		return Undefined
	}
	in := items(v)
	out := make([]any, 0, len(in))
	for _, it := range in {
		if r := f(it); !IsUndefined(r) {
			out = append(out, r)
		}
	}
	return collapse(out)
}

// MapIndexed is $map with a function that also takes the item's index.
func MapIndexed(v any, f func(item, index any) any) any {
	if IsUndefined(v) {
		return Undefined
	}
	in := items(v)
	out := make([]any, 0, len(in))
	for i, it := range in {
		if r := f(it, float64(i)); !IsUndefined(r) {
			out = append(out, r)
		}
	}
	return collapse(out)
}

// collapse applies the singleton rule to $map's results.
func collapse(out []any) any {
	switch len(out) {
	case 0:
		return Undefined
	case 1:
		return out[0]
	}
	return out
}
