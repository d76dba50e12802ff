package conformance

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// freeForm is a free-form object whose numbers no float64 or int64 holds
// (1e400 overflows float64, 18446744073709551617 is 2^64+1), and whose
// other numbers a float64 round trip would respell.
const freeForm = `{
	"huge": 1e400,
	"uint64+2": 18446744073709551617,
	"negative zero": -0,
	"exponent": 1E+2,
	"small": 0.1e-5,
	"long": 123456789012345678901234567890.123456789012345678901234567890,
	"int": 42,
	"nested": {"list": [1e400, 18446744073709551617, {"n": -1.50}], "empty": {}, "none": []},
	"types": [true, false, null, "s", "\u00e9\ud83d\ude00\u0000\"\\\/"],
	"password": "remote_data is passed as is, whatever its members are called"
}`

// numbers are the spellings of freeForm that must reach the backend
// byte for byte.
var numbers = []string{"1e400", "18446744073709551617", "-0", "1E+2", "0.1e-5",
	"123456789012345678901234567890.123456789012345678901234567890", "-1.50"}

// TestAppendBodyRoundTrip: for every operation and integration, what
// AppendBody gives the backend is, member for member and digit for digit,
// what the client sent for the fields the integration supports; the
// others, and write-only fields unless asked for, are absent.
func TestAppendBodyRoundTrip(t *testing.T) {
	// Every field of the operation, with free-form objects full of
	// numbers, strings needing escapes, and empty values that must stay
	// empty rather than absent.
	values := map[string]string{
		"name":          `"Jane \"JD\" Doe \\ \/ \u00e9\ud83d\ude00 \u2028 <&>"`,
		"avatar":        `""`,
		"custom_fields": freeForm,
		"emails":        `[]`,
		"first_name":    `"\u0000\t\n"`,
		"languages":     `[]`,
		"last_name":     `"Doe"`,
		"nick_name":     `""`,
		"password":      `"p\u00e4ss \"word\""`,
		"remote_data":   freeForm,
		"roles":         `[{}, {"id": "viewer"}, {"name": ""}]`,
		"status":        `"inactive"`,
		"team_ids":      `["", "1001", "1001"]`,
		"user_type":     `"standard"`,
		"username":      `"jane.doe"`,
	}
	for _, op := range unified.Service.Operations {
		parts := make([]string, 0, len(op.Request))
		for _, row := range op.Request {
			parts = append(parts, `"`+row.Name+`": `+values[row.Name])
		}
		sent := []byte("{" + strings.Join(parts, ", ") + "}")
		for _, id := range op.Integrations {
			t.Run(op.Method+"/"+id, func(t *testing.T) {
				_, usable := levels(op.Request, id)
				// Integrations requiring non-empty emails (or names)
				// report them missing here: what is appended must not
				// depend on that.
				in, r, ok := validate(t, op, id, true, sent)
				if !ok {
					t.Fatalf("%s implements %s", id, op.Method)
				}
				for _, f := range r.Failures {
					if f.Rule != validation.RuleIntegrationRequired {
						t.Errorf("unexpected failure %+v", f)
					}
				}
				checkAppended(t, op, in, sent, usable)

				out := in.AppendBody(nil, false)
				for _, f := range []string{"remote_data", "custom_fields"} {
					if !slices.Contains(usable, f) {
						if bytes.Contains(out, []byte(`"`+f+`"`)) {
							t.Errorf("%s, which %s does not support, reached the backend: %s", f, id, out)
						}
						continue
					}
					// Digit for digit: not only equal as json.Numbers,
					// but spelled as sent.
					for _, n := range numbers {
						if !bytes.Contains(out, []byte(n)) {
							t.Errorf("%s lost the number %s: %s", f, n, out)
						}
					}
				}
				if slices.Contains(usable, "emails") && !bytes.Contains(out, []byte(`"emails":[]`)) {
					t.Errorf(`"emails": [] did not stay []: %s`, out)
				}
				if _, ok := jsonObject(t, out)["password"]; ok {
					t.Errorf("password reached the backend without writeOnly: %s", out)
				}
			})
		}
	}
}

// TestAppendBodyEmptyStaysEmpty: an empty array, object or string the
// client sent is sent on as such, not dropped nor turned into null, and a
// field the client left out stays out.
func TestAppendBodyEmptyStaysEmpty(t *testing.T) {
	cases := []struct {
		op          *api.Operation
		integration string
		sent        string
		want        string // exactly, members in name order
	}{
		{&unified.CreateUserOperation, "freshchat", `{"emails": []}`, `{"emails":[]}`},
		{&unified.CreateUserOperation, "freshchat", `{"emails": [], "team_ids": [], "name": "", "avatar": "", "remote_data": {}}`,
			`{"avatar":"","emails":[],"name":"","remote_data":{},"team_ids":[]}`},
		{&unified.CreateUserOperation, "planhat", `{"custom_fields": {}, "roles": [{}], "remote_data": {"a": [], "b": {}, "c": ""}}`,
			`{"custom_fields":{},"remote_data":{"a":[],"b":{},"c":""},"roles":[{}]}`},
		{&unified.CreateUserOperation, "qualtrics_corexm", `{"languages": [], "password": "", "username": ""}`,
			`{"languages":[],"username":""}`},
		{&unified.CreateUserOperation, "teamwork_project_management", `{}`, `{}`},
		{&unified.UpdateUserOperation, "dixa", `{"emails": [], "name": ""}`, `{"emails":[],"name":""}`},
		{&unified.UpdateUserOperation, "planhat", `{"emails": [], "custom_fields": {}}`, `{"custom_fields":{},"emails":[]}`},
		{&unified.UpdateUserOperation, "surveysparrow_ticket_management", `{}`, `{}`},
	}
	for _, c := range cases {
		in, _, ok := validate(t, c.op, c.integration, false, []byte(c.sent))
		if !ok {
			t.Fatalf("%s implements %s", c.integration, c.op.Method)
		}
		// Free-form members are passed as the client wrote them, white
		// space included; compare the JSON.
		if got := compact(t, in.AppendBody(nil, false)); got != c.want {
			t.Errorf("%s/%s %s: AppendBody = %s, want %s", c.op.Method, c.integration, c.sent, got, c.want)
		}
	}
}

// TestAppendBodyWriteOnly: password, write-only, reaches the backend only
// when AppendBody is asked for write-only fields, and never for an
// integration that does not support it.
func TestAppendBodyWriteOnly(t *testing.T) {
	op := &unified.CreateUserOperation
	sent := []byte(`{"password": "s3cret-pass", "username": "jane.doe"}`)

	in, r, _ := validate(t, op, "qualtrics_corexm", false, sent)
	if slices.Contains(r.MissingFields(validation.Body), "password") || len(r.Ignored) != 0 {
		t.Fatalf("Qualtrics CoreXM requires password: %+v %+v", r.Failures, r.Ignored)
	}
	if got := string(in.AppendBody(nil, false)); got != `{"username":"jane.doe"}` {
		t.Errorf("without writeOnly: %s", got)
	}
	if got := string(in.AppendBody(nil, true)); got != `{"password":"s3cret-pass","username":"jane.doe"}` {
		t.Errorf("with writeOnly: %s", got)
	}

	// Dixa supports neither: both are dropped and reported.
	in, r, _ = validate(t, op, "dixa", false, sent)
	var ignored []string
	for _, ig := range r.Ignored {
		ignored = append(ignored, ig.Field)
	}
	if !slices.Equal(ignored, []string{"password", "username"}) {
		t.Errorf("Dixa ignored %v", ignored)
	}
	for _, writeOnly := range []bool{false, true} {
		if got := string(in.AppendBody(nil, writeOnly)); got != `{}` {
			t.Errorf("Dixa, writeOnly=%v: %s", writeOnly, got)
		}
	}

	// Update has no write-only field: the flag changes nothing.
	in, _, _ = validate(t, &unified.UpdateUserOperation, "planhat", false, body([]string{"name", "custom_fields", "emails", "remote_data"}))
	if a, b := in.AppendBody(nil, false), in.AppendBody(nil, true); !bytes.Equal(a, b) {
		t.Errorf("update: %s and %s", a, b)
	}
}

// TestAppendBodyAppends: AppendBody appends to dst (the service passes a
// buffer sized to the body) and leaves what dst held.
func TestAppendBodyAppends(t *testing.T) {
	in, _, _ := validate(t, &unified.CreateUserOperation, "dixa", false, []byte(dixaCreate))
	want := in.AppendBody(nil, false)
	dst := make([]byte, 0, 4)
	dst = append(dst, "xyz"...)
	got := in.AppendBody(dst, false)
	if string(got[:3]) != "xyz" || !bytes.Equal(got[3:], want) {
		t.Fatalf("AppendBody(%q) = %q, want xyz + %q", "xyz", got, want)
	}
	// Appending is repeatable: it does not consume the Input.
	if again := in.AppendBody(nil, false); !bytes.Equal(again, want) {
		t.Fatalf("second AppendBody %s, first %s", again, want)
	}
	// Dixa's reference body uses only fields Dixa supports: it reaches the
	// backend whole.
	if got, sent := jsonObject(t, want), jsonObject(t, []byte(dixaCreate)); !reflect.DeepEqual(got, sent) {
		t.Errorf("AppendBody = %s, want %s", want, dixaCreate)
	}
}

// TestAppendBodyIsAFixedPoint: what AppendBody gives the backend decodes
// and validates cleanly for the same integration, nothing is ignored, and
// appending it again gives the same bytes.
func TestAppendBodyIsAFixedPoint(t *testing.T) {
	for _, op := range unified.Service.Operations {
		var fields []string
		for _, row := range op.Request {
			fields = append(fields, row.Name)
		}
		for _, id := range op.Integrations {
			in, _, _ := validate(t, op, id, true, body(fields))
			for _, writeOnly := range []bool{false, true} {
				out := in.AppendBody(nil, writeOnly)
				again, r, ok := validate(t, op, id, true, out)
				if !ok || (!r.OK() && !onlyMissing(&r)) {
					t.Errorf("%s/%s: appended body %s: %+v %+v", op.Method, id, out, r.Failures, r.Ignored)
				}
				for _, ig := range r.Ignored {
					if ig.Location != validation.Query {
						t.Errorf("%s/%s: appended body has unsupported %s", op.Method, id, ig.Field)
					}
				}
				if got := again.AppendBody(nil, writeOnly); !bytes.Equal(got, out) {
					t.Errorf("%s/%s: %s became %s", op.Method, id, out, got)
				}
			}
		}
	}
}

// onlyMissing reports whether every failure is a required field the
// integration lacks (write-only fields left out make those).
func onlyMissing(r *validation.Report) bool {
	for _, f := range r.Failures {
		if f.Rule != validation.RuleIntegrationRequired {
			return false
		}
	}
	return true
}

// TestAppendBodyNumbersAreJSON: the free-form numbers reach the backend
// as valid JSON that encoding/json reads back as the same json.Numbers.
func TestAppendBodyNumbersAreJSON(t *testing.T) {
	in, r, _ := validate(t, &unified.CreateUserOperation, "planhat", false,
		[]byte(`{"remote_data": {"n": 1e400, "u": 18446744073709551617}, "custom_fields": {"n": [18446744073709551617, 1e400]}}`))
	if !r.OK() && !onlyMissing(&r) {
		t.Fatalf("%+v", r.Failures)
	}
	out := in.AppendBody(nil, false)
	want := `{"custom_fields":{"n":[18446744073709551617,1e400]},"remote_data":{"n":1e400,"u":18446744073709551617}}`
	if compact(t, out) != want {
		t.Fatalf("AppendBody = %s, want %s", out, want)
	}
	m := jsonObject(t, out)
	rd := m["remote_data"].(map[string]any)
	if rd["n"] != json.Number("1e400") || rd["u"] != json.Number("18446744073709551617") {
		t.Errorf("remote_data read back as %#v", rd)
	}
}

// compact is data as compact JSON: numbers and strings as written, white
// space between tokens gone.
func compact(t *testing.T, data []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatalf("not JSON: %s: %v", data, err)
	}
	return b.String()
}
