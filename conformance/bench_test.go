package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
	"github.com/unifiedgen/unifiedgen/spec"
)

// The reference bodies: Dixa's valid create (about 400 bytes) and the same
// with emails[0].type = "bogus".
var (
	benchValid   = []byte(`{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"},{"email":"jane.doe@example.org","type":"other"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001","1002"]}`)
	benchInvalid = bytes.Replace(benchValid, []byte(`"primary"`), []byte(`"bogus"`), 1)
)

// BenchmarkValidate compares, on the same bodies, the generated decoder +
// per-integration validator (driven through CreateUserOperation's Input)
// against kin-openapi's request validator and against encoding/json with a
// hand-written check.
func BenchmarkValidate(b *testing.B) {
	for _, c := range []struct {
		name string
		body []byte
		ok   bool
	}{{"valid", benchValid, true}, {"invalid", benchInvalid, false}} {
		b.Run("generated/"+c.name, func(b *testing.B) {
			// Through the operation's descriptor, as the service runs it:
			// an Input per request (recycled, as the service does), its
			// body decoded and validated.
			op := &unified.CreateUserOperation
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			var r validation.Report
			for b.Loop() {
				in := op.New()
				r.Reset()
				in.DecodeBody(c.body, &r)
				in.Validate("dixa", &r)
				if r.OK() != c.ok {
					b.Fatalf("ok = %v: %+v", r.OK(), r.Failures)
				}
				in.Release() // as the service does once it has answered
			}
		})
		b.Run("kin-openapi/"+c.name, func(b *testing.B) {
			router, route, pathParams := kinRoute(b)
			_ = router
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			ctx := context.Background()
			for b.Loop() {
				// ValidateRequest replaces the body with a replay hook, so
				// every iteration needs a fresh request.
				req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/unified/ticketing/users?integrated_account_id=00000000-0000-4000-8000-000000000001", bytes.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				err := openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
					Request: req, PathParams: pathParams, Route: route,
					// Query parameters are left out: kin-openapi cannot read
					// the deepObject array collections, and the generated
					// side of this benchmark checks only the body too.
					Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, ExcludeRequestQueryParams: true},
				})
				if (err == nil) != c.ok {
					b.Fatalf("err = %v", err)
				}
			}
		})
		b.Run("encoding-json/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				var v unified.CreateUserRequest
				if err := json.Unmarshal(c.body, &v); err != nil {
					b.Fatal(err)
				}
				if handCheck(&v) != c.ok {
					b.Fatal("hand check disagrees")
				}
			}
		})
	}
}

// handCheck is what a hand-written handler would check for Dixa.
func handCheck(v *unified.CreateUserRequest) bool {
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

func kinRoute(b *testing.B) (routers.Router, *routers.Route, map[string]string) {
	b.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec.OpenAPI)
	if err != nil {
		b.Fatal(err)
	}
	// The spec's server is http://127.0.0.1:8080; route lookups match it.
	router, err := legacy.NewRouter(doc)
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/unified/ticketing/users?integrated_account_id=00000000-0000-4000-8000-000000000001", strings.NewReader("{}"))
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		b.Fatal(err)
	}
	return router, route, pathParams
}
