package conformance

// Fuzz targets for the generated decoders and validators. A short pass of
// each:
//
//	go test -run='^$' -fuzz='^FuzzDecodeAndValidateCreate$' -fuzztime=30s -fuzzminimizetime=50x ./conformance
//	go test -run='^$' -fuzz='^FuzzDecodeAndValidateUpdate$' -fuzztime=30s -fuzzminimizetime=50x ./conformance
//
// -fuzzminimizetime=50x bounds how long a worker minimizes each new
// interesting input: coverage here is not quite deterministic (map order,
// sync.Pool), and with the default 60s a short pass spends most of its
// time minimizing instead of executing.
//
// The seed corpus is testdata/fuzz/<Name>/; plain `go test` runs it.

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

var (
	validLocations = map[validation.Location]bool{
		validation.Body: true, validation.Query: true, validation.Path: true, validation.Header: true,
	}
	validRules = map[validation.Rule]bool{
		validation.RuleSyntax: true, validation.RuleType: true, validation.RuleFormat: true,
		validation.RuleEnum: true, validation.RuleRequired: true, validation.RuleUnknown: true,
		validation.RuleDuplicate: true, validation.RuleTooDeep: true,
		validation.RuleIntegrationRequired: true, validation.RuleIntegrationEnum: true,
		validation.RuleUnsupported: true,
	}
)

// pick chooses the integration from the fuzzed selector: the low seven bits
// index the operation's integrations, the high bit says whether the request
// carries a collections query parameter (which some validators require and
// others drop).
func pick(integrations []string, sel uint8) (string, unified.Collections) {
	id := integrations[int(sel&0x7f)%len(integrations)]
	if sel&0x80 == 0 {
		return id, nil
	}
	return id, unified.Collections{{Id: "123"}}
}

// decodable mirrors the service: integration rules run only on a body that
// was JSON at all.
func decodable(r *validation.Report) bool {
	for _, f := range r.Failures {
		if f.Rule == validation.RuleSyntax || f.Rule == validation.RuleTooDeep {
			return false
		}
	}
	return true
}

// checkReport holds a report to what every client of the decoders relies on.
func checkReport(t *testing.T, data []byte, r *validation.Report) {
	t.Helper()
	// At most MaxFailures, plus the one fatal failure (syntax, too deep)
	// that Report.Add keeps past the cap because it explains the others.
	kept := len(r.Failures)
	if kept > validation.MaxFailures {
		last := r.Failures[kept-1].Rule
		if kept > validation.MaxFailures+1 || (last != validation.RuleSyntax && last != validation.RuleTooDeep) {
			t.Fatalf("%d failures, more than MaxFailures (%d) and not one fatal failure past it", kept, validation.MaxFailures)
		}
		kept--
	}
	if r.Dropped > 0 && kept != validation.MaxFailures {
		t.Fatalf("dropped %d failures with only %d kept", r.Dropped, kept)
	}
	for i, f := range r.Failures {
		if f.Message == "" {
			t.Fatalf("failure %d has no message: %+v", i, f)
		}
		if !validLocations[f.Location] {
			t.Fatalf("failure %d has location %q: %+v", i, f.Location, f)
		}
		if !validRules[f.Rule] {
			t.Fatalf("failure %d has rule %q: %+v", i, f.Rule, f)
		}
		if !utf8.ValidString(f.Message) || !utf8.ValidString(f.Field) {
			t.Fatalf("failure %d is not UTF-8: %+v", i, f)
		}
	}
	valid := json.Valid(data)
	if r.OK() && !valid {
		t.Fatalf("report is OK for a body encoding/json rejects: %q", data)
	}
	if !valid && decodable(r) {
		// Not OK, as required; but a body that is not JSON must be
		// reported as such (syntax), not only with schema failures
		// that suggest the rest of it was read: jx and encoding/json
		// must agree on what JSON is. (The syntax failure is kept even
		// past MaxFailures.)
		t.Fatalf("body encoding/json rejects has no syntax failure: %q: %+v", data, r.Failures)
	}
}

// fuzzSeeds are the in-code seeds; testdata/fuzz holds more.
var fuzzSeeds = []string{
	dixaCreate,
	`{}`,
	`{"name": "x", "name": "y"}`,
	`{"emails": [{"email": "a@b.c", "type": "bogus"}], "roles": "owner"}`,
	`{"remote_data": {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}`,
	`{"name": "x",}`,
	`[1, 2, 3]`,
	``,
}

func FuzzDecodeAndValidateCreate(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(i))
	}
	op := &unified.CreateUserSupport
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		integration, collections := pick(op.Integrations, sel)
		var v unified.CreateUserRequest
		var r validation.Report
		unified.DecodeCreateUserRequest(data, &v, &r)
		checkReport(t, data, &r)

		// Decoders run on pooled state: decoding again gives the same.
		var v2 unified.CreateUserRequest
		var r2 validation.Report
		unified.DecodeCreateUserRequest(data, &v2, &r2)
		if !reflect.DeepEqual(r, r2) || !reflect.DeepEqual(v, v2) {
			t.Fatalf("decoding twice differs:\n%+v\n%+v", r, r2)
		}
		if !decodable(&r) {
			return
		}
		p := unified.CreateUserParams{Collections: collections}
		if !unified.ValidateCreateUser(integration, &p, &v, &r) {
			t.Fatalf("ValidateCreateUser does not know %s, which implements create", integration)
		}
		checkReport(t, data, &r)
		if r.OK() {
			// The service marshals an accepted body for the backend.
			if _, err := json.Marshal(&v); err != nil {
				t.Fatalf("accepted body does not marshal: %v", err)
			}
		}
	})
}

func FuzzDecodeAndValidateUpdate(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(i))
	}
	op := &unified.UpdateUserSupport
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		integration, collections := pick(op.Integrations, sel)
		var v unified.UpdateUserRequest
		var r validation.Report
		unified.DecodeUpdateUserRequest(data, &v, &r)
		checkReport(t, data, &r)

		var v2 unified.UpdateUserRequest
		var r2 validation.Report
		unified.DecodeUpdateUserRequest(data, &v2, &r2)
		if !reflect.DeepEqual(r, r2) || !reflect.DeepEqual(v, v2) {
			t.Fatalf("decoding twice differs:\n%+v\n%+v", r, r2)
		}
		if !decodable(&r) {
			return
		}
		p := unified.UpdateUserParams{Collections: collections}
		if !unified.ValidateUpdateUser(integration, &p, &v, &r) {
			t.Fatalf("ValidateUpdateUser does not know %s, which implements update", integration)
		}
		checkReport(t, data, &r)
		if r.OK() {
			if _, err := json.Marshal(&v); err != nil {
				t.Fatalf("accepted body does not marshal: %v", err)
			}
		}
	})
}
