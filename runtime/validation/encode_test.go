package validation

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/go-faster/jx"
)

func encodeAny(v any) string {
	var e jx.Encoder
	AppendAny(&e, v)
	return e.String()
}

func TestAppendObjectSortsKeys(t *testing.T) {
	tests := []struct {
		m    map[string]any
		want string
	}{
		{map[string]any{}, `{}`},
		{nil, `{}`},
		{map[string]any{"b": "2", "a": "1", "c": "3"}, `{"a":"1","b":"2","c":"3"}`},
		// Byte order: upper case before lower case, multibyte last.
		{map[string]any{"é": true, "b": nil, "B": false, "a": json.Number("1"), "": "e", "a.b": "d"},
			`{"":"e","B":false,"a":1,"a.b":"d","b":null,"é":true}`},
		{map[string]any{"z": map[string]any{"y": "1", "x": []any{map[string]any{"q": "1", "p": "2"}}}, "a": []any{}},
			`{"a":[],"z":{"x":[{"p":"2","q":"1"}],"y":"1"}}`},
	}
	for _, tt := range tests {
		for range 5 { // map order varies between runs; the output does not
			var e jx.Encoder
			AppendObject(&e, tt.m)
			if got := e.String(); got != tt.want {
				t.Errorf("AppendObject(%v) = %s, want %s", tt.m, got, tt.want)
				break
			}
		}
	}
}

func TestAppendAnyValues(t *testing.T) {
	type point struct {
		X int `json:"x"`
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, `null`},
		{"string", "a\"b\\c\n", `"a\"b\\c\n"`},
		{"empty string", "", `""`},
		{"bools", []any{true, false}, `[true,false]`},
		{"json.Number as written", []any{json.Number("1e400"), json.Number("18446744073709551617"), json.Number("-0"), json.Number("1.50"), json.Number("0.1E-5")},
			`[1e400,18446744073709551617,-0,1.50,0.1E-5]`},
		{"json.Number in an object", map[string]any{"n": json.Number("-0.0")}, `{"n":-0.0}`},
		{"float64", []any{1.5, -2.0, 0.0}, `[1.5,-2,0]`},
		{"int", []any{7, -3, int64(9007199254740993)}, `[7,-3,9007199254740993]`},
		{"empty containers", []any{[]any{}, map[string]any{}}, `[[],{}]`},
		{"nested", []any{nil, []any{"a", []any{json.Number("1")}}}, `[null,["a",[1]]]`},
		// Values built in Go go through encoding/json.
		{"struct", point{X: 2}, `{"x":2}`},
		{"typed slice", []string{"a", "b"}, `["a","b"]`},
		{"typed map", map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`},
		{"unencodable", make(chan int), `null`},
		{"unencodable in a list", []any{1, make(chan int), 2}, `[1,null,2]`},
	}
	for _, tt := range tests {
		if got := encodeAny(tt.v); got != tt.want {
			t.Errorf("%s: AppendAny = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// decodeAny decodes body with State.Any, failing on any failure.
func decodeAny(t *testing.T, body string) any {
	t.Helper()
	s, r := begin(t, body)
	v, err := s.Any()
	s.End(err)
	if err != nil || !r.OK() {
		t.Fatalf("Any(%s): %v%s", body, err, dumpFailures(r.Failures))
	}
	return v
}

func TestAppendAnyRoundTrip(t *testing.T) {
	bodies := []string{
		`null`, `true`, `false`, `""`, `"x"`, `0`, `-0`, `[]`, `{}`,
		`1e400`, `-1e400`, `18446744073709551617`, `1.50`, `0.1E-5`, `1E+2`, `-0.0`,
		`"\u0000\u001f\"\\\/\b\f\n\r\t"`,
		`"\u2028\u2029<>&'"`,
		`"é日😀\ud83d\ude00"`,
		`"lone \ud800 surrogate"`,
		`[1, "a", null, true, false, [], {}, [[[]]], {"a": {"b": {}}}]`,
		`{"remote_data": {"n": 1e400, "big": 18446744073709551617, "neg": -0, "list": [1.0, 2e-5, {"k": "v"}]}, "": "", "a.b": [null]}`,
		`{"Z": 1, "a": 2, "A": 3, "é": 4, "\u0000": 5, "a\"b": 6}`,
		nestArrays(MaxDepth-1, `{}`),
		nestObjects(MaxDepth-1, `[1e400]`),
	}
	for _, body := range bodies {
		v := decodeAny(t, body)
		enc := encodeAny(v)
		if !json.Valid([]byte(enc)) {
			t.Errorf("%s encodes as invalid JSON %s", body, enc)
			continue
		}
		if back := decodeAny(t, enc); !reflect.DeepEqual(back, v) {
			t.Errorf("%s -> %s decodes as %#v, want %#v", body, enc, back, v)
		}
		// Encoding is canonical: the encoded form encodes to itself.
		if again := encodeAny(decodeAny(t, enc)); again != enc {
			t.Errorf("%s: encoded %s, then %s", body, enc, again)
		}
	}
}

func TestAppendAnyNumbersDigitForDigit(t *testing.T) {
	// Sorted keys, no white space, plain strings: the encoding is the body.
	for _, body := range []string{
		`{"a":[1e400,-0,18446744073709551617,-18446744073709551617,1.50,0.1E-5,1E+2],"b":{"c":null,"d":true}}`,
		`[123456789012345678901234567890.000000000000000000001,4.9e-324,5e-325]`,
	} {
		if got := encodeAny(decodeAny(t, body)); got != body {
			t.Errorf("round trip\n got %s\nwant %s", got, body)
		}
	}
}

func TestIsEmail(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"jane@example.com", true},
		{"jane.doe+tag@sub.example.co.uk", true},
		{"j_d-1@example-mail.org", true},
		{"JANE@EXAMPLE.COM", true},
		// Display names, angle brackets and comments are not a plain address.
		{"Jane Doe <jane@example.com>", false},
		{`"Jane" <jane@example.com>`, false},
		{"<jane@example.com>", false},
		{"jane@example.com (Jane)", false},
		// Garbage.
		{"", false},
		{"jane", false},
		{"jane@", false},
		{"@example.com", false},
		{"jane@@example.com", false},
		{"jane@example@com", false},
		{"jane doe@example.com", false},
		{"jane..doe@example.com", false},
		{"jane@example.com.", false},
		{" jane@example.com", false},
		{"jane@example.com ", false},
		{"jane@example.com\n", false},
		{"jane@example.com, joe@example.com", false},
		{"jane@example.com,joe@example.com", false},
		{"=?utf-8?q?J=C3=A4ne?= <jane@example.com>", false},
	}
	for _, tt := range tests {
		if got := IsEmail(tt.s); got != tt.want {
			t.Errorf("IsEmail(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// compactSeeds are valid and invalid JSON values, with and without white
// space outside and inside their strings, and escapes that look like the
// end of a string.
var compactSeeds = []string{
	`{"a":1}`, `{ "a" : [1, 2.5e3, "<\u2028>"] , "b":null }`, `"a b"`, `"a\" b"`, `"a\\"`, `"a\\" `,
	"[1,\n2]", "\t\"x\"\r\n", `{"k":"v \"q\" w","n":[ ]}`, `""`, `"\\\\\" "`, `{"a":}`, `{"a": }`, `nul l`,
}

func TestAppendCompactIsJSONCompact(t *testing.T) {
	for _, s := range compactSeeds {
		checkCompact(t, s)
	}
}

func FuzzAppendCompact(f *testing.F) {
	for _, s := range compactSeeds {
		f.Add(s)
	}
	f.Fuzz(checkCompact)
}

// checkCompact: for valid JSON, AppendCompact writes what json.Compact
// does, after what dst held; for invalid JSON that needs compacting it
// reports an error and leaves dst as it was.
func checkCompact(t *testing.T, s string) {
	var want bytes.Buffer
	want.WriteString("pre")
	wantErr := json.Compact(&want, []byte(s))
	got, err := AppendCompact([]byte("pre"), []byte(s))
	switch {
	case json.Valid([]byte(s)):
		if err != nil || string(got) != want.String() {
			t.Fatalf("%q: got %q (%v), want %q", s, got, err, want.String())
		}
	case err != nil:
		if string(got) != "pre" {
			t.Fatalf("%q: error %v, but dst became %q", s, err, got)
		}
	case wantErr == nil:
		t.Fatalf("%q: json.Compact accepts it, json.Valid does not", s)
	case !isCompact([]byte(s)):
		t.Fatalf("%q: invalid, not compact, and no error", s)
	}
}
