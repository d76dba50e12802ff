package ogen

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/go-faster/jx"

	"github.com/unifiedgen/unifiedgen/bench/ogen/api"
	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// The reference bodies of conformance's BenchmarkValidate: Dixa's valid
// create, and the same with emails[0].type = "bogus" (outside the enum, so
// ogen's schema check rejects it too).
var (
	valid   = []byte(`{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"},{"email":"jane.doe@example.org","type":"other"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001","1002"]}`)
	invalid = bytes.Replace(valid, []byte(`"primary"`), []byte(`"bogus"`), 1)
)

// generated decodes and validates body as the service does, for Dixa.
func generated(body []byte, r *validation.Report) bool {
	in := unified.CreateUserOperation.New()
	r.Reset()
	in.DecodeBody(body, r)
	in.Validate("dixa", r)
	in.Release()
	return r.OK()
}

// ogen decodes and validates body as ogen's server does.
func ogen(body []byte) bool {
	var req api.CreateUserRequest
	if err := req.Decode(jx.DecodeBytes(body)); err != nil {
		return false
	}
	return req.Validate() == nil
}

// encodingJSON is encoding/json into the generated struct and a check by
// hand of what Dixa needs: the floor a hand-written handler would pay.
func encodingJSON(body []byte) bool {
	var v unified.CreateUserRequest
	if err := json.Unmarshal(body, &v); err != nil {
		return false
	}
	if v.Name == nil || *v.Name == "" || len(v.Emails) == 0 {
		return false
	}
	for _, e := range v.Emails {
		if e.Email == "" || !e.Type.Valid() {
			return false
		}
	}
	for _, r := range v.Roles {
		if r.Id != nil && !r.Id.Valid() {
			return false
		}
	}
	return true
}

// TestBaselinesAgree: the three sides accept the valid body and reject the
// invalid one, so the benchmark compares like with like.
func TestBaselinesAgree(t *testing.T) {
	var r validation.Report
	for _, c := range []struct {
		name string
		body []byte
		want bool
	}{{"valid", valid, true}, {"invalid", invalid, false}} {
		if got := generated(c.body, &r); got != c.want {
			t.Errorf("generated, %s: ok = %v (%+v)", c.name, got, r.Failures)
		}
		if got := ogen(c.body); got != c.want {
			t.Errorf("ogen, %s: ok = %v", c.name, got)
		}
		if got := encodingJSON(c.body); got != c.want {
			t.Errorf("encoding/json, %s: ok = %v", c.name, got)
		}
	}
}

// BenchmarkValidate runs the three sides on the same bodies in one run:
//
//	cd bench/ogen && go test -run '^$' -bench . -benchmem -count 6
func BenchmarkValidate(b *testing.B) {
	for _, c := range []struct {
		name string
		body []byte
		ok   bool
	}{{"valid", valid, true}, {"invalid", invalid, false}} {
		b.Run("generated/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			var r validation.Report
			for b.Loop() {
				if generated(c.body, &r) != c.ok {
					b.Fatal("wrong answer")
				}
			}
		})
		b.Run("ogen/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if ogen(c.body) != c.ok {
					b.Fatal("wrong answer")
				}
			}
		})
		b.Run("encoding-json/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if encodingJSON(c.body) != c.ok {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}
