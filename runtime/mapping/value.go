package mapping

import (
	"encoding/json"
	"errors"
	"fmt"
)

// undefinedValue is the type of Undefined.
type undefinedValue struct{}

// Undefined is JSONata's "no value": a missing field, an empty path, a
// conditional without an else branch that was not taken. Object
// constructors drop keys whose value is Undefined and array constructors
// drop such items; it is never JSON null.
var Undefined any = undefinedValue{}

var errUndefinedJSON = errors.New("mapping: undefined has no JSON form; check with IsUndefined before encoding")

// MarshalJSON fails: an undefined result must be handled by the caller,
// not encoded.
func (undefinedValue) MarshalJSON() ([]byte, error) { return nil, errUndefinedJSON }

// IsUndefined reports whether v is Undefined.
func IsUndefined(v any) bool {
	_, ok := v.(undefinedValue)
	return ok
}

// Error is a dynamic type error found while evaluating a mapping on one
// input, like JSONata's runtime errors ("a" + 1, $uppercase(3)).
type Error struct {
	Msg string
}

func (e *Error) Error() string { return "mapping: " + e.Msg }

// fail aborts the evaluation; Recover turns the panic into the compiled
// function's error.
func fail(format string, args ...any) {
	panic(&Error{Msg: fmt.Sprintf(format, args...)})
}

// Recover is deferred by every compiled function: it turns a failure
// raised by a helper into the function's error and lets any other panic
// (a bug) through.
func Recover(err *error) {
	if r := recover(); r != nil {
		e, ok := r.(*Error)
		if !ok {
			panic(r)
		}
		*err = e
	}
}

// typeName names v's JSON type in error messages.
func typeName(v any) string {
	switch v.(type) {
	case undefinedValue:
		return "undefined"
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	if _, ok := number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// number returns v as a float64 when it is a JSON number. json.Number is
// parsed here, at the last moment, so values that are only passed through
// keep their digits.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		if err != nil && f == 0 { // not a number at all; out of range gives ±Inf with an error
			return 0, false
		}
		return f, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// Truthy is JSONata's boolean conversion ($boolean, conditions, and, or):
// false for undefined, null, false, "", 0, empty objects and arrays whose
// items are all falsy; true otherwise.
func Truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	case map[string]any:
		return len(x) > 0
	case []any:
		return anyTruthy(x)
	case nil, undefinedValue:
		return false
	}
	if n, ok := number(v); ok {
		return n != 0
	}
	return false
}

func anyTruthy(items []any) bool {
	for _, it := range items {
		if Truthy(it) {
			return true
		}
	}
	return false
}
