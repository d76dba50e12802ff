package backend

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/unifiedgen/unifiedgen/runtime/api"
)

// The document a create keeps is what encoding/json made of the body
// before split and encode replaced it: the same JSON, compact, members
// sorted, write-only names dropped from remote_data.
func TestStoredDocumentIsEncodingJSONs(t *testing.T) {
	op := &api.Operation{WriteOnly: []string{"password"}}
	bodies := []string{
		`{}`,
		`{"name":"Jane Doe","emails":[{"email":"j@example.com","type":"primary"}]}`,
		`{"b":1,"a":"<&>","remote_data":{ "z" : [1, 2] ,"password":"secret","a":{"x":"y z"}}}`,
		`{"name":"x","remote_data":null}`,
		`{"name":"x","remote_data":{}}`,
		`{"k\"ey":"v\\"}`,
	}
	for _, body := range bodies {
		c := &Call{Op: op, Body: []byte(body)}
		s, err := split(c)
		if err != nil {
			t.Fatalf("%s: split: %v", body, err)
		}
		got, err := s.encode(len(body))
		if err != nil {
			t.Fatalf("%s: encode: %v", body, err)
		}
		// What the local backend kept before: the body decoded into
		// raw members, remote_data's write-only names deleted.
		var want stored
		if err := json.Unmarshal([]byte(body), &want.Fields); err != nil {
			t.Fatal(err)
		}
		if rd, ok := want.Fields[api.FieldRemoteData]; ok {
			if err := json.Unmarshal(rd, &want.RemoteData); err != nil {
				t.Fatal(err)
			}
			delete(want.Fields, api.FieldRemoteData)
			delete(want.RemoteData, "password")
		}
		wantDoc, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := decode(t, got), decode(t, wantDoc); !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n kept %s\n want %s", body, got, wantDoc)
		}
		// Compact and sorted: what encoding/json writes for the same
		// value without HTML escaping, byte for byte.
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(decode(t, got)); err != nil {
			t.Fatal(err)
		}
		if string(got)+"\n" != b.String() {
			t.Errorf("%s:\n kept %s\n want %s", body, got, b.String())
		}
	}
}

// decode reads JSON into maps, numbers kept as written.
func decode(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}
