package remote

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want any
		ok   bool
	}{
		{`{"a": 1e400, "b": [18446744073709551617]}`, map[string]any{"a": json.Number("1e400"), "b": []any{json.Number("18446744073709551617")}}, true},
		{` "text" `, "text", true},
		{`null`, nil, true},
		{``, nil, false},
		{`{"a": 1} {"b": 2}`, nil, false},
		{`{"a": 1} x`, nil, false},
		{`<html>`, nil, false},
	} {
		got, err := decodeJSON([]byte(tt.raw))
		if (err == nil) != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("decodeJSON(%q) = %#v, %v", tt.raw, got, err)
		}
	}
}

func TestRawResponseDecodedOnce(t *testing.T) {
	e := &Error{Raw: []byte(`{"error": "x"}`)}
	if got := e.rawResponse(); !reflect.DeepEqual(got, map[string]any{"error": "x"}) {
		t.Errorf("JSON body: %#v", got)
	}
	e = &Error{Raw: []byte(`<html>busy</html>`)}
	if got := e.rawResponse(); got != "<html>busy</html>" {
		t.Errorf("text body: %#v", got)
	}
	e = &Error{Raw: []byte(`{"error": "x"}`), doc: "kept", hasDoc: true}
	if got := e.rawResponse(); got != "kept" {
		t.Errorf("a body decoded when the error was made is not decoded again: %#v", got)
	}
}
