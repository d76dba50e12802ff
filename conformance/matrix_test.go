package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// examples holds a valid, non-empty value for every request field of both
// operations.
var examples = map[string]string{
	"name":          `"Jane Doe"`,
	"avatar":        `"https://example.com/a.png"`,
	"custom_fields": `{"department": "Support"}`,
	"emails":        `[{"email": "jane@example.com", "type": "primary"}]`,
	"first_name":    `"Jane"`,
	"languages":     `["en"]`,
	"last_name":     `"Doe"`,
	"nick_name":     `"jd"`,
	"password":      `"s3cret-pass"`,
	"remote_data":   `{"source": "test"}`,
	"roles":         `[{"id": "owner", "name": "Owner"}]`,
	"status":        `"active"`,
	"team_ids":      `["1001"]`,
	"user_type":     `"standard"`,
	"username":      `"jane.doe"`,
}

// body renders a JSON object with the example value of each field.
func body(fields []string) []byte {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		parts = append(parts, `"`+f+`": `+examples[f])
	}
	return []byte("{" + strings.Join(parts, ", ") + "}")
}

// validate decodes raw as op's body and runs integration's validator.
func validate(t *testing.T, op *matrix.Operation, integration string, withCollections bool, raw []byte) (validation.Report, bool) {
	t.Helper()
	var r validation.Report
	var cols []unified.Collection
	if withCollections {
		cols = []unified.Collection{{Id: "123"}}
	}
	switch op.Method {
	case "create":
		var b unified.CreateUserRequest
		unified.DecodeCreateUserRequest(raw, &b, &r)
		if !r.OK() {
			t.Fatalf("example body does not decode: %+v", r.Failures)
		}
		p := unified.CreateUserParams{Collections: cols}
		ok := unified.ValidateCreateUser(integration, &p, &b, &r)
		return r, ok
	case "update":
		var b unified.UpdateUserRequest
		unified.DecodeUpdateUserRequest(raw, &b, &r)
		if !r.OK() {
			t.Fatalf("example body does not decode: %+v", r.Failures)
		}
		p := unified.UpdateUserParams{Collections: cols}
		ok := unified.ValidateUpdateUser(integration, &p, &b, &r)
		return r, ok
	}
	t.Fatalf("no validator for %s", op.Method)
	return r, false
}

func levels(rows []matrix.Field, integration string) (required, usable []string) {
	for _, row := range rows {
		switch row.Level(integration) {
		case matrix.Required:
			required = append(required, row.Name)
			usable = append(usable, row.Name)
		case matrix.Supported:
			usable = append(usable, row.Name)
		}
	}
	return required, usable
}

// TestEveryIntegrationEveryRequiredField: for both operations and every
// integration, a request with every field the integration uses passes, and
// leaving out any one required field or query parameter fails with exactly
// that field and integration named.
func TestEveryIntegrationEveryRequiredField(t *testing.T) {
	for _, op := range unified.Operations {
		for _, id := range op.Integrations {
			t.Run(op.Method+"/"+id, func(t *testing.T) {
				required, usable := levels(op.Request, id)
				requiredQuery, _ := levels(op.Query, id)
				needsCollections := slices.Contains(requiredQuery, "collections")

				r, ok := validate(t, op, id, needsCollections, body(usable))
				if !ok || !r.OK() || len(r.Ignored) != 0 {
					t.Fatalf("complete request: ok=%v failures=%+v ignored=%+v", ok, r.Failures, r.Ignored)
				}
				for _, missing := range required {
					rest := slices.DeleteFunc(slices.Clone(usable), func(f string) bool { return f == missing })
					r, _ := validate(t, op, id, needsCollections, body(rest))
					if len(r.Failures) != 1 {
						t.Fatalf("without %s: %+v", missing, r.Failures)
					}
					f := r.Failures[0]
					if f.Field != missing || f.Rule != validation.RuleIntegrationRequired || f.Integration != id || f.Location != validation.Body {
						t.Errorf("without %s: %+v", missing, f)
					}
				}
				for _, missing := range requiredQuery {
					r, _ := validate(t, op, id, false, body(usable))
					got := r.MissingFields(validation.Query)
					if !slices.Equal(got, []string{missing}) {
						t.Errorf("without query %s: missing %v, failures %+v", missing, got, r.Failures)
					}
				}
			})
		}
	}
}

// TestUnsupportedFieldsAreDropped: every field an integration does not use is
// removed from the request and reported.
func TestUnsupportedFieldsAreDropped(t *testing.T) {
	for _, op := range unified.Operations {
		for _, id := range op.Integrations {
			_, usable := levels(op.Request, id)
			var fields []string
			for _, row := range op.Request {
				fields = append(fields, row.Name)
			}
			r, _ := validate(t, op, id, true, body(fields))
			var ignored []string
			for _, ig := range r.Ignored {
				if ig.Location == validation.Body {
					ignored = append(ignored, ig.Field)
				}
			}
			want := slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return slices.Contains(usable, f) })
			if !slices.Equal(ignored, want) || !r.OK() {
				t.Errorf("%s/%s: ignored %v, want %v (failures %+v)", op.Method, id, ignored, want, r.Failures)
			}
		}
	}
}

// TestPagesHandChecked holds cases read off the source pages by hand, so the
// matrix tests above are not only checked against the matrix itself.
func TestPagesHandChecked(t *testing.T) {
	missing := func(op *matrix.Operation, id string, raw string, collections bool) ([]string, []string) {
		r, ok := validate(t, op, id, collections, []byte(raw))
		if !ok {
			t.Fatalf("%s does not implement %s", id, op.Method)
		}
		return r.MissingFields(validation.Body), r.MissingFields(validation.Query)
	}
	create, update := &unified.CreateUserSupport, &unified.UpdateUserSupport

	body, query := missing(create, "qualtrics_corexm", `{}`, false)
	if want := []string{"emails", "first_name", "languages", "last_name", "password", "user_type", "username"}; !slices.Equal(body, want) || len(query) != 0 {
		t.Errorf("Qualtrics CoreXM create: missing %v %v, want %v", body, query, want)
	}
	body, query = missing(create, "pivotal_tracker", `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}]}`, false)
	if len(body) != 0 || !slices.Equal(query, []string{"collections"}) {
		t.Errorf("Pivotal Tracker create: missing %v %v, want query collections", body, query)
	}
	body, _ = missing(create, "planhat", `{"emails": [{"email": "a@b.c", "type": "primary"}], "first_name": "a", "last_name": "b"}`, false)
	if !slices.Equal(body, []string{"nick_name"}) {
		t.Errorf("Planhat create: missing %v, want nick_name", body)
	}
	body, _ = missing(create, "dixa", `{"emails": []}`, false)
	if !slices.Equal(body, []string{"emails", "name"}) {
		t.Errorf(`Dixa create with "emails": []: missing %v, want emails (empty counts as missing) and name`, body)
	}
	body, _ = missing(create, "teamwork_project_management", `{}`, false)
	if len(body) != 0 {
		t.Errorf("Teamwork create requires nothing, got %v", body)
	}
	body, _ = missing(update, "dixa", `{}`, false)
	if !slices.Equal(body, []string{"name"}) {
		t.Errorf("Dixa update: missing %v, want name", body)
	}
	body, _ = missing(update, "pivotal_tracker", `{}`, true)
	if len(body) != 0 {
		t.Errorf("Pivotal Tracker update with collections: missing %v", body)
	}
	for _, id := range []string{"gorgias", "qualtrics_corexm", "reamaze", "teamwork_project_management"} {
		var r validation.Report
		if unified.ValidateUpdateUser(id, &unified.UpdateUserParams{}, &unified.UpdateUserRequest{}, &r) {
			t.Errorf("%s does not implement update on the pages, but the validator accepted it", id)
		}
	}
	if unified.ValidateCreateUser("surveysparrow_ticket_management", &unified.CreateUserParams{}, &unified.CreateUserRequest{}, &validation.Report{}) {
		t.Errorf("SurveySparrow does not implement create on the pages")
	}
}

func TestRegistry(t *testing.T) {
	in, ok := unified.LookupIntegration("reamaze")
	if !ok || in.Name != "Re:amaze" {
		t.Fatalf("reamaze: %+v %v", in, ok)
	}
	if _, ok := unified.LookupIntegration("zendesk"); ok {
		t.Fatal("zendesk is not in the registry")
	}
	if len(unified.Integrations) != 11 || len(unified.CreateUserSupport.Integrations) != 10 || len(unified.UpdateUserSupport.Integrations) != 7 {
		t.Fatalf("registry %d, create %d, update %d", len(unified.Integrations), len(unified.CreateUserSupport.Integrations), len(unified.UpdateUserSupport.Integrations))
	}
	if op, ok := unified.LookupOperation("update"); !ok || op.HTTPMethod != "PATCH" || op.SuccessStatus != 200 {
		t.Fatalf("update: %+v", op)
	}
}
