package conformance

// Fuzz targets for the generated decoders and validators, driven through the
// operations' public descriptors as the service drives them. A short pass
// of each:
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
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/api"
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
// others drop). It returns the integration and the raw query.
func pick(integrations []string, sel uint8) (string, string) {
	return integrations[int(sel&0x7f)%len(integrations)], query(sel&0x80 != 0)
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
	if !valid && r.BodyReadable() {
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
	`{"emails": [], "remote_data": {"a": 1e400, "b": 18446744073709551617, "c": {"d": [-0, 1E+2]}}, "custom_fields": {"x": 0.1e-5}}`,
	`{"password": "p", "username": "u", "languages": [], "name": "", "remote_data": {"password": "x"}}`,
	`{"remote_data": {"a": 1, "a": 2}, "custom_fields": {"l": [{"k": 1, "k": 2}]}}`,
}

// exported are the exported body decoders, by operation id: the fuzz
// targets check that they and the descriptors' Inputs agree.
var exported = map[string]func(data []byte, r *validation.Report) any{
	"createUser": func(data []byte, r *validation.Report) any {
		var v unified.CreateUserRequest
		unified.DecodeCreateUserRequest(data, &v, r)
		return &v
	},
	"updateUser": func(data []byte, r *validation.Report) any {
		var v unified.UpdateUserRequest
		unified.DecodeUpdateUserRequest(data, &v, r)
		return &v
	},
}

func FuzzDecodeAndValidateCreate(f *testing.F) {
	fuzzOperation(f, &unified.CreateUserOperation)
}

func FuzzDecodeAndValidateUpdate(f *testing.F) {
	fuzzOperation(f, &unified.UpdateUserOperation)
}

// fuzzOperation runs fuzzed bodies of op through its descriptor as the
// service does (New, Bind, DecodeBody, Validate, AppendBody) and holds
// every step to what the service relies on.
func fuzzOperation(f *testing.F, op *api.Operation) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(i))
	}
	decode := exported[op.OperationID]
	if decode == nil {
		f.Fatalf("no exported decoder for %s", op.OperationID)
	}
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		integration, rawQuery := pick(op.Integrations, sel)
		in, r := bind(op, rawQuery)
		if !r.OK() {
			t.Fatalf("query %q: %+v", rawQuery, r.Failures)
		}
		in.DecodeBody(data, &r)
		checkReport(t, data, &r)

		// Decoders run on pooled state: decoding again gives the same.
		in2, r2 := bind(op, rawQuery)
		in2.DecodeBody(data, &r2)
		if !reflect.DeepEqual(r, r2) || !reflect.DeepEqual(in, in2) {
			t.Fatalf("decoding twice differs:\n%+v\n%+v", r, r2)
		}
		// The exported decoder is the one the Input runs.
		var r3 validation.Report
		v := decode(data, &r3)
		if !reflect.DeepEqual(r.Failures, r3.Failures) || r.Dropped != r3.Dropped {
			t.Fatalf("exported decoder and DecodeBody differ:\n%+v\n%+v", r.Failures, r3.Failures)
		}
		if !r.BodyReadable() {
			return
		}
		if !in.Validate(integration, &r) {
			t.Fatalf("Validate does not know %s, which implements %s", integration, op.Method)
		}
		checkReport(t, data, &r)
		if !r.OK() {
			return
		}
		// An accepted body still marshals with encoding/json.
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("accepted body does not marshal: %v", err)
		}
		checkAccepted(t, op, integration, rawQuery, data, in, &r)
	})
}

// checkAccepted holds what an accepted body sends to the backend to what
// was sent: every member of data is either appended with the same value
// (numbers digit for digit) or reported as ignored, write-only members
// only with writeOnly; and the appended body is itself accepted, ignoring
// nothing, and appended again unchanged.
func checkAccepted(t *testing.T, op *api.Operation, integration, rawQuery string, data []byte, in api.Input, r *validation.Report) {
	t.Helper()
	var ignored []string
	for _, ig := range r.Ignored {
		if ig.Location == validation.Body {
			ignored = append(ignored, ig.Field)
		}
	}
	sent := jsonObject(t, data)
	var keep []string
	for k := range sent {
		if !slices.Contains(ignored, k) {
			keep = append(keep, k)
		}
	}
	for _, f := range ignored {
		if _, ok := sent[f]; !ok {
			t.Fatalf("ignored %s, which was not sent", f)
		}
	}
	for _, writeOnly := range []bool{false, true} {
		out := in.AppendBody(nil, writeOnly)
		if !utf8.Valid(out) {
			t.Fatalf("AppendBody is not UTF-8: %q", out)
		}
		if got, want := jsonObject(t, out), sentFor(t, op, data, keep, writeOnly); !reflect.DeepEqual(got, want) {
			t.Fatalf("AppendBody(writeOnly=%v) = %s\nsent %s, ignored %v", writeOnly, out, data, ignored)
		}
		again, r2 := bind(op, rawQuery)
		again.DecodeBody(out, &r2)
		if !again.Validate(integration, &r2) {
			t.Fatalf("Validate forgot %s", integration)
		}
		for _, ig := range r2.Ignored {
			if ig.Location == validation.Body {
				t.Fatalf("appended body %s has unsupported %s", out, ig.Field)
			}
		}
		if !r2.OK() && (writeOnly || !onlyMissing(&r2)) {
			t.Fatalf("appended body %s (writeOnly=%v) is not accepted: %+v", out, writeOnly, r2.Failures)
		}
		if got := again.AppendBody(nil, writeOnly); !bytes.Equal(got, out) {
			t.Fatalf("appending %s again gave %s", out, got)
		}
	}
}
