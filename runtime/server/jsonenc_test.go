package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// encodingJSON is what appendJSON must write: encoding/json's Encoder
// without HTML escaping, without its newline.
func encodingJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func TestAppendJSONIsEncodingJSON(t *testing.T) {
	var every strings.Builder
	for b := range 256 {
		every.WriteByte(byte(b))
	}
	values := []any{
		nil, true, false, "", "plain", every.String(), "a\u2028b\u2029c", "é日本🙂", "\xff\xfe", "bad \xe2\x82 utf8", "<&>",
		json.Number("0"), json.Number("-12.5e+30"), json.Number("18446744073709551617"), json.Number("1e400"), json.Number(""),
		0, -42, int64(1) << 62, 1.5, 1e21, float32(0.1), uint8(7),
		map[string]any(nil), map[string]any{}, []any(nil), []any{},
		map[string]any{"b": 1, "a": []any{"x", nil, map[string]any{"z": true, "\u2028": "\x00"}}, "": json.Number("3")},
		json.RawMessage(nil), json.RawMessage(`{ "a" : [1, 2.5e3, "<\u2028>"] , "b":null }`),
		map[string]any{"raw": json.RawMessage(` "x" `)},
		map[string]string{"k": "v"}, []string{"a"}, struct {
			A string `json:"a"`
		}{"<b>"},
	}
	for _, v := range values {
		want, err := encodingJSON(v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		got, err := appendJSON([]byte("prefix"), v)
		if err != nil || string(got) != "prefix"+string(want) {
			t.Errorf("%#v:\n got %s (%v)\nwant %s", v, got, err, want)
		}
	}
	// A backend's raw members are valid JSON (validated bodies, stored
	// documents) and are not validated again unless they need compacting:
	// an invalid one is caught then, and when empty.
	for _, bad := range []any{json.RawMessage(`{"a": }`), json.RawMessage(``), json.Number("1e"), json.Number("01"), json.Number("abc"), map[string]any{"n": json.Number("-")}} {
		if _, err := encodingJSON(bad); err == nil {
			t.Fatalf("encoding/json accepts %#v", bad)
		}
		if _, err := appendJSON(nil, bad); err == nil {
			t.Errorf("appendJSON accepts %#v", bad)
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\x1f\x7f", "\u2028", "\xff", "🙂", "1.5e3", "-0", "01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []any{s, map[string]any{s: s}} {
			want, _ := encodingJSON(v)
			got, _ := appendJSON(nil, v)
			if !bytes.Equal(got, want) {
				t.Fatalf("%q: got %s, want %s", s, got, want)
			}
		}
		want, werr := encodingJSON(json.Number(s))
		got, gerr := appendJSON(nil, json.Number(s))
		if (werr == nil) != (gerr == nil) || werr == nil && !bytes.Equal(got, want) {
			t.Fatalf("json.Number(%q): got %s (%v), want %s (%v)", s, got, gerr, want, werr)
		}
	})
}
