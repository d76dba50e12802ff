package remote_test

// Compiled mappings against jsonata-go interpreting the same source, on
// the same decoded input (jsonata-go's expression compiled once, outside
// the loop: only evaluation is measured on both sides):
//
//	go test -run '^$' -bench Mapping -benchmem ./runtime/remote

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	jsonata "github.com/blues/jsonata-go"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
)

type benchCase struct {
	name, op, integration, what string
	input                       string
}

var benchCases = []benchCase{
	{"dixa-create-body", "createUser", "dixa", "body", `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe", "avatar": "https://example.com/j.png"}`},
	{"gorgias-create-body", "createUser", "gorgias", "body", `{"first_name": "Jane", "last_name": "Doe", "emails": [{"email": "jane@example.com", "type": "primary"}], "roles": [{"id": "viewer"}]}`},
	{"dixa-unified", "createUser", "dixa", "unified", `{"id": "a1b2c3d4-0000-4000-8000-000000000001", "createdAt": "2024-01-01T12:00:00Z", "displayName": "Jane Doe", "email": "jane@example.com", "avatarUrl": "https://example.com/avatar.png", "additionalEmails": ["j@example.org"], "firstName": "Jane", "lastName": "Doe", "roles": ["Agent", "Admin"]}`},
	{"gorgias-unified", "createUser", "gorgias", "unified", `{"id": 3924, "active": true, "created_datetime": "2019-04-13T03:27:56.973873", "email": "steve@example.com", "firstname": "Steve", "lastname": "Frazeli", "name": "Steve Frazelli", "role": {"name": "admin"}, "updated_datetime": "2019-09-25T06:18:22.839271"}`},
}

func benchInputs(b *testing.B, c benchCase) (remote.Func, string, any, any) {
	b.Helper()
	r := specRemote(b)
	var src string
	for _, m := range r.Mappings {
		if m.Operation == c.op && m.Integration == c.integration {
			switch c.what {
			case "body":
				src = m.Body.Source
			case "unified":
				src = m.Unified.Source
			}
		}
	}
	gen := unified.Remotes[c.op][c.integration]
	f := gen.Body
	if c.what == "unified" {
		f = gen.Unified
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(c.input)))
	dec.UseNumber()
	var withNumbers, withFloats any
	if err := dec.Decode(&withNumbers); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal([]byte(c.input), &withFloats); err != nil {
		b.Fatal(err)
	}
	return f, src, withNumbers, withFloats
}

func BenchmarkMappingCompiled(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			f, _, in, _ := benchInputs(b, c)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMappingJSONataGo(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			_, src, _, in := benchInputs(b, c)
			e, err := jsonata.Compile(src)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Eval(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCallOverhead is what Client.Call adds to a provider round trip:
// the same PUT to a local emulator-free handler, through Call (mapping,
// URL, auth, retry bookkeeping, decoding and mapping the answer) and
// through a bare http.Client.
func BenchmarkCallOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"_id": "5f1b2c3d4e5f6a7b8c9d0e1f", "email": "jane@example.com", "nickName": "jd", "firstName": "Jane", "lastName": "Doe", "inactive": false}`)
	}))
	defer srv.Close()
	body := map[string]any{"last_name": "Smith", "emails": []any{map[string]any{"email": "jane@example.com", "type": "primary"}}}
	b.Run("remote.Call", func(b *testing.B) {
		c := remote.NewClient(remote.Options{})
		defer c.CloseIdleConnections()
		req := &remote.Request{Mapping: unified.Remotes["updateUser"]["planhat"], ID: "5f1b2c3d4e5f6a7b8c9d0e1f", Body: body,
			Account: remote.Account{BaseURL: srv.URL, Credentials: remote.Credentials{"api_key": e2eKey}}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Call(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("http.Client", func(b *testing.B) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
		defer c.CloseIdleConnections()
		payload := []byte(`{"email":"jane@example.com","lastName":"Smith"}`)
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/users/5f1b2c3d4e5f6a7b8c9d0e1f", bytes.NewReader(payload))
			req.Header.Set("Authorization", "Bearer "+e2eKey)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
