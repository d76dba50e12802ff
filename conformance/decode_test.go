// Package conformance tests the committed generated code against what the
// spec and the source pages say: the decoders' schema checks and the
// per-integration validators. It holds tests only.
package conformance

import (
	"reflect"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// dixaCreate is the reference body: valid for Dixa, about 400 bytes.
const dixaCreate = `{
  "name": "Jane Doe",
  "emails": [
    {"email": "jane@example.com", "type": "primary"},
    {"email": "jane.doe@example.org", "type": "other"}
  ],
  "first_name": "Jane",
  "last_name": "Doe",
  "roles": [{"id": "member", "name": "Member"}],
  "team_ids": ["1001", "1002"]
}`

type want struct {
	field string
	rule  validation.Rule
	msg   string // substring of the message
}

// decodeCreate decodes body with the exported decoder, and checks that the
// create descriptor's Input (what the service runs) reports the same.
func decodeCreate(t *testing.T, body string) (unified.CreateUserRequest, validation.Report) {
	t.Helper()
	var v unified.CreateUserRequest
	var r validation.Report
	unified.DecodeCreateUserRequest([]byte(body), &v, &r)
	var r2 validation.Report
	unified.CreateUserOperation.New().DecodeBody([]byte(body), &r2)
	if !reflect.DeepEqual(r, r2) {
		t.Errorf("DecodeCreateUserRequest and CreateUserOperation's DecodeBody disagree:\n%+v\n%+v", r.Failures, r2.Failures)
	}
	return v, r
}

// decodeUpdate is decodeCreate for update.
func decodeUpdate(t *testing.T, body string) (unified.UpdateUserRequest, validation.Report) {
	t.Helper()
	var v unified.UpdateUserRequest
	var r validation.Report
	unified.DecodeUpdateUserRequest([]byte(body), &v, &r)
	var r2 validation.Report
	unified.UpdateUserOperation.New().DecodeBody([]byte(body), &r2)
	if !reflect.DeepEqual(r, r2) {
		t.Errorf("DecodeUpdateUserRequest and UpdateUserOperation's DecodeBody disagree:\n%+v\n%+v", r.Failures, r2.Failures)
	}
	return v, r
}

func TestDecodeValid(t *testing.T) {
	v, r := decodeCreate(t, dixaCreate)
	if !r.OK() {
		t.Fatalf("valid body rejected: %+v", r.Failures)
	}
	if v.Name == nil || *v.Name != "Jane Doe" || len(v.Emails) != 2 ||
		v.Emails[1].Type != unified.EmailInputTypeOther || *v.Roles[0].Id != unified.RoleInputIdMember ||
		v.TeamIds[1] != "1002" || v.Avatar != nil {
		t.Fatalf("decoded wrongly: %+v", v)
	}
}

func TestDecodeEmptyIsNotAbsent(t *testing.T) {
	v, r := decodeCreate(t, `{"emails": [], "name": "", "remote_data": {}}`)
	if !r.OK() {
		t.Fatalf("rejected: %+v", r.Failures)
	}
	if v.Emails == nil || len(v.Emails) != 0 || v.Name == nil || *v.Name != "" || v.RemoteData == nil || v.FirstName != nil {
		t.Fatalf("absent and empty must stay distinguishable: %+v", v)
	}
}

func TestDecodeFailures(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	cases := []struct {
		name string
		body string
		want []want
	}{
		{"roles as the pages' example string", `{"roles": "owner"}`,
			[]want{{"roles", validation.RuleType, `must be an array of objects such as [{"id": "owner"}], got string`}}},
		{"bad email type", `{"emails": [{"email": "a@b.c", "type": "bogus"}]}`,
			[]want{{"emails[0].type", validation.RuleEnum, `"bogus" is not one of "primary", "other"`}}},
		{"email item missing type", `{"emails": [{"email": "a@b.c"}]}`,
			[]want{{"emails[0].type", validation.RuleRequired, "is required"}}},
		{"null is a type error", `{"name": null}`,
			[]want{{"name", validation.RuleType, "must be a string, got null"}}},
		{"unknown member", `{"nmae": "x"}`,
			[]want{{"nmae", validation.RuleUnknown, "not a field"}}},
		{"unknown nested member", `{"roles": [{"id": "owner", "level": 3}]}`,
			[]want{{"roles[0].level", validation.RuleUnknown, "not a field"}}},
		{"duplicate member", `{"name": "a", "name": "b"}`,
			[]want{{"name", validation.RuleDuplicate, "more than once"}}},
		{"bad role enum", `{"roles": [{"id": "admin"}]}`,
			[]want{{"roles[0].id", validation.RuleEnum, `"admin" is not one of "owner", "member", "viewer"`}}},
		{"status enum", `{"status": "gone"}`,
			[]want{{"status", validation.RuleEnum, `"gone" is not one of "active", "inactive"`}}},
		{"array of strings with a number", `{"team_ids": ["a", 2]}`,
			[]want{{"team_ids[1]", validation.RuleType, "must be a string, got number"}}},
		{"free-form must be an object", `{"remote_data": [1]}`,
			[]want{{"remote_data", validation.RuleType, "must be an object, got array"}}},
		{"body must be an object", `[]`,
			[]want{{"", validation.RuleType, "must be an object, got array"}}},
		{"malformed JSON names the offset", `{"name": "x",}`,
			[]want{{"", validation.RuleSyntax, "byte offset 13"}}},
		{"truncated JSON", `{"name": `,
			[]want{{"name", validation.RuleSyntax, "malformed JSON"}}},
		{"trailing data", `{} {}`,
			[]want{{"", validation.RuleSyntax, "malformed JSON"}}},
		{"trailing garbage", `{"name": "x"} garbage`,
			[]want{{"", validation.RuleSyntax, "malformed JSON"}}},
		{"trailing white space is fine", "{}\n\t ", nil},
		{"empty body", ``,
			[]want{{"", validation.RuleSyntax, "body is empty"}}},
		{"invalid UTF-8", "{\"name\": \"\xff\"}",
			[]want{{"", validation.RuleSyntax, "not valid UTF-8 (byte offset 10)"}}},
		{"too deep", `{"remote_data": ` + deep + `}`,
			[]want{{"", validation.RuleTooDeep, "nested deeper than 32"}}},
		{"every failure at once", `{"name": 1, "emails": [{"type": "x"}], "roles": "owner", "bogus": true}`,
			[]want{
				{"name", validation.RuleType, "must be a string, got number"},
				{"emails[0].type", validation.RuleEnum, `"x" is not one of`},
				{"emails[0].email", validation.RuleRequired, "is required"},
				{"roles", validation.RuleType, "array of objects"},
				{"bogus", validation.RuleUnknown, "not a field"},
			}},
	}
	// Every field of the table is in both request schemas: both decoders
	// must report the same.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, create := decodeCreate(t, c.body)
			_, update := decodeUpdate(t, c.body)
			checkFailures(t, "create", create, c.want)
			checkFailures(t, "update", update, c.want)
		})
	}
}

// checkFailures holds a body's report to want, in order: location body,
// the rule, the JSON path (but for syntax and depth failures, which may
// name where the decoder stopped) and a substring of the message.
func checkFailures(t *testing.T, op string, r validation.Report, want []want) {
	t.Helper()
	if len(r.Failures) != len(want) {
		t.Fatalf("%s: got %d failures, want %d: %+v", op, len(r.Failures), len(want), r.Failures)
	}
	for i, w := range want {
		f := r.Failures[i]
		if f.Location != validation.Body || f.Rule != w.rule || !strings.Contains(f.Message, w.msg) ||
			(w.rule != validation.RuleSyntax && w.rule != validation.RuleTooDeep && f.Field != w.field) {
			t.Errorf("%s: failure %d = %+v, want field %q rule %s message containing %q", op, i, f, w.field, w.rule, w.msg)
		}
	}
}

// TestDecodeDuplicateInFreeForm: a member that appears twice is a failure
// (rule duplicate, with its JSON path) inside the free-form objects
// remote_data and custom_fields too, at any depth, as everywhere else in
// the body; it is not fatal, so the rest of the body is still checked.
func TestDecodeDuplicateInFreeForm(t *testing.T) {
	dup := func(field string) want { return want{field, validation.RuleDuplicate, "more than once"} }
	cases := []struct {
		name string
		body string
		want []want
	}{
		{"remote_data", `{"remote_data": {"a": 1, "a": 2}}`, []want{dup("remote_data.a")}},
		{"remote_data, same value", `{"remote_data": {"a": 1, "a": 1}}`, []want{dup("remote_data.a")}},
		{"remote_data, nested object", `{"remote_data": {"x": {"k": "1", "k": {"deeper": true}}}}`, []want{dup("remote_data.x.k")}},
		{"remote_data, object in an array", `{"remote_data": {"l": [{}, {"k": null, "k": null}]}}`, []want{dup("remote_data.l[1].k")}},
		{"remote_data, three times", `{"remote_data": {"a": 1, "a": 2, "a": 3}}`, []want{dup("remote_data.a"), dup("remote_data.a")}},
		{"custom_fields", `{"custom_fields": {"department": "a", "department": "b"}}`, []want{dup("custom_fields.department")}},
		{"the rest of the body is still checked", `{"remote_data": {"a": 1, "a": 2}, "name": 5, "custom_fields": {"b": [], "b": {}}}`,
			[]want{dup("remote_data.a"), {"name", validation.RuleType, "must be a string"}, dup("custom_fields.b")}},
		{"remote_data itself twice", `{"remote_data": {"a": 1}, "remote_data": {"b": 1}}`, []want{dup("remote_data")}},
		{"same key in two objects is no duplicate", `{"remote_data": {"a": {"k": 1}, "b": {"k": 1}, "k": 1}, "custom_fields": {"a": 1}}`, nil},
		{"keys differing only by case are distinct", `{"remote_data": {"a": 1, "A": 2}}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, create := decodeCreate(t, c.body)
			_, update := decodeUpdate(t, c.body)
			checkFailures(t, "create", create, c.want)
			checkFailures(t, "update", update, c.want)
			// A free-form member that breaks a rule is not kept: the
			// body is refused anyway, and nothing of it reaches a backend.
			if c.name == "remote_data" && v.RemoteData != nil {
				t.Errorf("remote_data with a duplicate member decoded as %s, want nothing", v.RemoteData)
			}
		})
	}
	// Through the service's path: such a body fails validation for every
	// integration that uses remote_data, and is never accepted.
	for _, op := range unified.Service.Operations {
		for _, id := range op.Integrations {
			var r validation.Report
			in := op.New()
			in.DecodeBody([]byte(`{"remote_data": {"a": 1, "a": 2}}`), &r)
			in.Validate(id, &r)
			if r.OK() || r.Failures[0].Rule != validation.RuleDuplicate || r.Failures[0].Field != "remote_data.a" {
				t.Errorf("%s/%s: duplicate in remote_data: %+v", op.Method, id, r.Failures)
			}
		}
	}
}

func TestDecodeUpdateHasNoCreateOnlyFields(t *testing.T) {
	for _, field := range []string{"languages", "nick_name", "password", "user_type"} {
		_, r := decodeUpdate(t, `{"`+field+`": "x"}`)
		if len(r.Failures) != 1 || r.Failures[0].Rule != validation.RuleUnknown || r.Failures[0].Field != field {
			t.Errorf("update with %s: %+v, want one unknown-field failure", field, r.Failures)
		}
	}
}

func TestDecodeManyFailuresAreBounded(t *testing.T) {
	body := `{"team_ids": [` + strings.Repeat(`1,`, 500) + `1]}`
	_, r := decodeCreate(t, body)
	if len(r.Failures) != validation.MaxFailures || r.Dropped != 501-validation.MaxFailures {
		t.Fatalf("kept %d, dropped %d", len(r.Failures), r.Dropped)
	}
}

func TestSyntaxFailureSurvivesTheCap(t *testing.T) {
	// 102 wrong items fill the report; the cut-off body must still say it
	// is malformed, since that explains everything else.
	body := `{"name": "x", "emails": [` + strings.Repeat(`1,`, 102) + `1`
	_, r := decodeCreate(t, body)
	last := r.Failures[len(r.Failures)-1]
	if last.Rule != validation.RuleSyntax || r.Dropped == 0 {
		t.Fatalf("last failure %+v, dropped %d", last, r.Dropped)
	}
}
