package mapping

import (
	"math"
	"strings"
)

// Pair is one key of an object constructor.
type Pair struct {
	Key   string
	Value any
}

// Object builds the object of a constructor, dropping keys whose value is
// Undefined (a missing source field leaves the key out rather than
// writing null).
func Object(pairs ...Pair) map[string]any {
	obj := make(map[string]any, len(pairs))
	for _, p := range pairs {
		if !IsUndefined(p.Value) {
			obj[p.Key] = p.Value
		}
	}
	return obj
}

// Element is one item of an array constructor. Nested marks an item that
// is itself an array constructor ([[1, 2]]), kept as one item; any other
// array value is spliced in ([tags] is tags, not [tags]).
type Element struct {
	Value  any
	Nested bool
}

// Array builds the array of a constructor. It is always an array, even
// with one item or none: the constructor is how a mapping opts out of
// JSONata's singleton rule. An array spliced in alone is returned as it is,
// not copied: compiled code never modifies a value once built, so sharing
// is safe and saves an allocation for the common [$map(...)] and [path].
func Array(items ...Element) any {
	if len(items) == 1 && !items[0].Nested {
		if _, ok := items[0].Value.([]any); ok {
			return items[0].Value
		}
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		switch v := it.Value.(type) {
		case undefinedValue:
		case []any:
			if it.Nested {
				out = append(out, v)
			} else {
				out = append(out, v...)
			}
		default:
			out = append(out, v)
		}
	}
	return out
}

// Equal is JSONata's =: false when either side is undefined, numbers
// compared by value whatever their Go type, arrays and objects deeply.
func Equal(a, b any) bool {
	if IsUndefined(a) || IsUndefined(b) {
		return false
	}
	return deepEqual(a, b)
}

// NotEqual is JSONata's !=, which is also false when either side is
// undefined (so a missing field is neither equal nor unequal to "x").
func NotEqual(a, b any) bool {
	if IsUndefined(a) || IsUndefined(b) {
		return false
	}
	return !deepEqual(a, b)
}

func deepEqual(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !deepEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// Less, LessEqual, Greater and GreaterEqual are JSONata's ordering
// operators: both sides numbers or both strings, an error otherwise, and
// undefined (not false) when either side is undefined.
func Less(a, b any) any         { return ordered(a, b, "<", func(c int) bool { return c < 0 }) }
func LessEqual(a, b any) any    { return ordered(a, b, "<=", func(c int) bool { return c <= 0 }) }
func Greater(a, b any) any      { return ordered(a, b, ">", func(c int) bool { return c > 0 }) }
func GreaterEqual(a, b any) any { return ordered(a, b, ">=", func(c int) bool { return c >= 0 }) }

func ordered(a, b any, op string, holds func(int) bool) any {
	c, ok := order(a, b, op)
	if !ok {
		return Undefined
	}
	return holds(c)
}

// order compares a and b for op, reporting false when either is undefined.
// A defined side that is neither a number nor a string is an error even
// when the other side is undefined, as in JSONata.
func order(a, b any, op string) (int, bool) {
	na, aNum := number(a)
	nb, bNum := number(b)
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	if !IsUndefined(a) && !aNum && !aStr {
		fail("the left side of %s must be a number or a string, got %s", op, typeName(a))
	}
	if !IsUndefined(b) && !bNum && !bStr {
		fail("the right side of %s must be a number or a string, got %s", op, typeName(b))
	}
	if IsUndefined(a) || IsUndefined(b) {
		return 0, false
	}
	if aNum != bNum {
		fail("both sides of %s must be of the same type, got %s and %s", op, typeName(a), typeName(b))
	}
	if aNum {
		switch {
		case na < nb:
			return -1, true
		case na > nb:
			return 1, true
		}
		return 0, true
	}
	return strings.Compare(sa, sb), true
}

// Add, Subtract, Multiply and Divide are JSONata's arithmetic: undefined
// when either side is, an error when a side is not a number or the result
// is not finite. Results are float64.
func Add(a, b any) any      { return arith(a, b, "+") }
func Subtract(a, b any) any { return arith(a, b, "-") }
func Multiply(a, b any) any { return arith(a, b, "*") }
func Divide(a, b any) any   { return arith(a, b, "/") }

func arith(a, b any, op string) any {
	x, aNum := number(a)
	y, bNum := number(b)
	if !IsUndefined(a) && !aNum {
		fail("the left side of %s must be a number, got %s", op, typeName(a))
	}
	if !IsUndefined(b) && !bNum {
		fail("the right side of %s must be a number, got %s", op, typeName(b))
	}
	if !aNum || !bNum {
		return Undefined
	}
	var r float64
	switch op {
	case "+":
		r = x + y
	case "-":
		r = x - y
	case "*":
		r = x * y
	default:
		r = x / y
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		fail("the result of %s is out of range (%v)", op, r)
	}
	return r
}

// Negate is unary minus.
func Negate(a any) any {
	if IsUndefined(a) {
		return Undefined
	}
	x, ok := number(a)
	if !ok {
		fail("the operand of unary - must be a number, got %s", typeName(a))
	}
	return -x
}

// Concat is JSONata's & over a chain of operands: each is converted as by
// $string, undefined counting as "".
func Concat(parts ...any) string {
	n := 0
	for _, p := range parts {
		if s, ok := p.(string); ok {
			n += len(s)
		}
	}
	var b strings.Builder
	b.Grow(n) // one allocation when every part is a string
	for _, p := range parts {
		switch s := p.(type) {
		case undefinedValue:
		case string:
			b.WriteString(s)
		default:
			b.WriteString(stringOf(p))
		}
	}
	return b.String()
}
