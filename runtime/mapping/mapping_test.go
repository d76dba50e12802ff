package mapping

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
)

// The expected strings are what jsonata-js 2.2.2 returns for $string of
// the same number.
func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		n    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{100, "100"},
		{-0.5, "-0.5"},
		{12345.678, "12345.678"},
		{0.1 + 0.2, "0.3"},
		{2.0 / 3, "0.666666666666667"},
		{1e21, "1e+21"},
		{123456789012345678901, "123456789012345680000"},
		{1e-7, "1e-7"},
		{-1.5e-9, "-1.5e-9"},
		{0.000001, "0.000001"},
	} {
		if got := FormatNumber(tc.n); got != tc.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestStringKeepsProviderIntegers(t *testing.T) {
	for in, want := range map[json.Number]string{
		"12345":                "12345",
		"-7":                   "-7",
		"-0":                   "0",
		"18446744073709551617": "18446744073709551617", // JSONata would say 18446744073709552000
		"1.50":                 "1.5",
		"1e2":                  "100",
	} {
		if got := String(in); got != want {
			t.Errorf("String(json.Number(%q)) = %v, want %q", in, got, want)
		}
	}
	obj := map[string]any{"b": []any{json.Number("1.0"), nil, true}, "a": "<&>\"\n"}
	if got, want := String(obj), `{"a":"<&>\"\n","b":[1,null,true]}`; got != want {
		t.Errorf("String(%v) = %v, want %s", obj, got, want)
	}
}

func TestNumbersPassThroughUntouched(t *testing.T) {
	n := json.Number("18446744073709551617")
	obj := Object(Pair{Key: "id", Value: Collapse(Step(Item(map[string]any{"id": n}), "id", true))})
	if got := obj["id"]; got != n {
		t.Errorf("id = %#v, want the json.Number unchanged", got)
	}
	if got := Number(n); got != n {
		t.Errorf("$number(%v) = %#v, want it unchanged", n, got)
	}
	if got := Add(n, 1.0); got != 18446744073709551617.0+1 {
		t.Errorf("arithmetic gives %#v, want a float64", got)
	}
	if !Equal(json.Number("2.0"), 2.0) || !Equal([]any{json.Number("1")}, []any{1.0}) {
		t.Error("= must compare numbers by value whatever their representation")
	}
}

func TestUndefinedIsNotJSON(t *testing.T) {
	if _, err := json.Marshal(map[string]any{"a": Undefined}); err == nil {
		t.Error("Undefined marshalled; it must fail rather than become {}")
	}
	if IsUndefined(nil) || !IsUndefined(Undefined) {
		t.Error("Undefined must be distinct from nil (null)")
	}
}

func TestRecover(t *testing.T) {
	run := func(f func()) (err error) {
		defer Recover(&err)
		f()
		return nil
	}
	err := run(func() { Add("a", 1.0) })
	var me *Error
	if !errors.As(err, &me) || me.Msg != "the left side of + must be a number, got a string" {
		t.Errorf("err = %v", err)
	}
	defer func() {
		if r := recover(); r != "a bug" {
			t.Errorf("recovered %v, want the foreign panic to go through", r)
		}
	}()
	_ = run(func() { panic("a bug") })
}

// The expected results are jsonata-js 2.2.2's.
func TestFunctions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"substring code points", Substring("héllo wörld", 1.0, 4.0), "éllo"},
		{"substring before start", Substring("abc", -5.0, 2.0), "ab"},
		{"substring negative length", Substring("abc", 1.0, -1.0), ""},
		{"substring past end", Substring("abc", 5.0, Undefined), ""},
		{"substring negative start", Substring("hello", -3.0, Undefined), "llo"},
		{"trim", Trim("\t a\r\n b  "), "a b"},
		{"join empty", Join([]any{}, ","), ""},
		{"join string", Join("x", ","), "x"},
		{"split empty", Split("", ","), []any{""}},
		{"boolean falsy array", Boolean([]any{0.0, ""}), false},
		{"boolean truthy array", Boolean([]any{0.0, "x"}), true},
		{"boolean empty object", Boolean(map[string]any{}), false},
		{"number exponent", Number("-1.5e2"), -150.0},
		{"append nested", Append([]any{1.0}, []any{[]any{2.0}}), []any{1.0, []any{2.0}}},
		{"append undefined", Append(Undefined, "x"), "x"},
		{"merge later wins", Merge([]any{map[string]any{"a": 1.0}, map[string]any{"a": 2.0}}), map[string]any{"a": 2.0}},
		{"count scalar", Count("x"), 1.0},
		{"not undefined", Not(Undefined), Undefined},
		{"exists null", Exists(nil), true},
		{"deep equal", Equal(map[string]any{"a": []any{1.0}}, map[string]any{"a": []any{1.0}}), true},
		{"null equals null", Equal(nil, nil), true},
		{"less undefined", Less(Undefined, 1.0), Undefined},
		{"index single value", Index("x", -1), "x"},
		{"index out of range", Index([]any{1.0}, 1), Undefined},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDynamicErrors(t *testing.T) {
	for name, f := range map[string]func(){
		"$number of padded string": func() { Number(" 1") },
		"$number of null":          func() { Number(nil) },
		"$uppercase of a number":   func() { Uppercase(1.0) },
		"$join of numbers":         func() { Join([]any{1.0}, Undefined) },
		"$merge of a string":       func() { Merge("x") },
		"< across types":           func() { Less(1.0, "a") },
		"< on booleans":            func() { Less(true, Undefined) },
		"division by zero":         func() { Divide(1.0, 0.0) },
		"minus a string":           func() { Negate("a") },
	} {
		func() {
			defer func() {
				if _, ok := recover().(*Error); !ok {
					t.Errorf("%s: no *Error raised", name)
				}
			}()
			f()
		}()
	}
}
