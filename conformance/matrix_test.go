package conformance

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/api"
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

// accountID is a valid integrated_account_id: the schema requires one on
// every operation.
const accountID = "00000000-0000-4000-8000-000000000001"

// query renders the raw query of a request, with a collections parameter
// (which some integrations require and the others drop) when asked.
func query(collections bool) string {
	q := "integrated_account_id=" + accountID
	if collections {
		q += "&collections[0][id]=123"
	}
	return q
}

// request runs one request of op through the operation's public descriptor,
// as the service does: New, Bind the parsed query, DecodeBody, then
// Validate for integration. The query and the body must be valid for the
// unified schema (the examples are); it returns the Input as validated, the
// report, and whether integration implements op.
func request(t testing.TB, op *api.Operation, integration, rawQuery string, raw []byte) (api.Input, validation.Report, bool) {
	t.Helper()
	var r validation.Report
	in := op.New()
	q, ok := validation.ParseQuery(rawQuery, &r)
	if !ok {
		t.Fatalf("query %q does not parse: %+v", rawQuery, r.Failures)
	}
	in.Bind(q, &r)
	if !r.OK() {
		t.Fatalf("query %q does not bind: %+v", rawQuery, r.Failures)
	}
	if !op.HasBody {
		t.Fatalf("%s has no body", op.OperationID)
	}
	in.DecodeBody(raw, &r)
	if !r.OK() {
		t.Fatalf("example body does not decode: %s: %+v", raw, r.Failures)
	}
	implemented := in.Validate(integration, &r)
	return in, r, implemented
}

// validate is request with the query of query(withCollections).
func validate(t testing.TB, op *api.Operation, integration string, withCollections bool, raw []byte) (api.Input, validation.Report, bool) {
	t.Helper()
	return request(t, op, integration, query(withCollections), raw)
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

// jsonObject parses a JSON object with numbers kept as written, so that
// values compare digit for digit.
func jsonObject(t testing.TB, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, data)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value: %s", data)
	}
	if m == nil {
		t.Fatalf("null, not a JSON object: %s", data)
	}
	return m
}

// sentFor is what of the sent body must reach the backend: its members in
// keep, write-only ones only when writeOnly is set.
func sentFor(t testing.TB, op *api.Operation, sent []byte, keep []string, writeOnly bool) map[string]any {
	t.Helper()
	m := jsonObject(t, sent)
	maps.DeleteFunc(m, func(k string, _ any) bool {
		return !slices.Contains(keep, k) || (!writeOnly && slices.Contains(op.WriteOnly, k))
	})
	return m
}

// checkAppended holds AppendBody to what was sent: with writeOnly false and
// true, the appended object has exactly the members of sent that are in
// keep (write-only ones only with writeOnly), with the same values.
func checkAppended(t testing.TB, op *api.Operation, in api.Input, sent []byte, keep []string) {
	t.Helper()
	for _, writeOnly := range []bool{false, true} {
		out := in.AppendBody(nil, writeOnly)
		got, want := jsonObject(t, out), sentFor(t, op, sent, keep, writeOnly)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AppendBody(writeOnly=%v) = %s\nwant the members %v of %s", writeOnly, out, slices.Sorted(maps.Keys(want)), sent)
		}
	}
}

// TestEveryIntegrationEveryRequiredField: for both operations and every
// integration, a request with every field the integration uses passes and
// reaches the backend whole, and leaving out any one required field or
// query parameter fails with exactly that field and integration named.
func TestEveryIntegrationEveryRequiredField(t *testing.T) {
	for _, op := range unified.Service.Operations {
		for _, id := range op.Integrations {
			t.Run(op.Method+"/"+id, func(t *testing.T) {
				required, usable := levels(op.Request, id)
				requiredQuery, _ := levels(op.Query, id)
				needsCollections := slices.Contains(requiredQuery, "collections")

				complete := body(usable)
				in, r, ok := validate(t, op, id, needsCollections, complete)
				if !ok || !r.OK() || len(r.Ignored) != 0 {
					t.Fatalf("complete request: ok=%v failures=%+v ignored=%+v", ok, r.Failures, r.Ignored)
				}
				checkAppended(t, op, in, complete, usable)
				for _, missing := range required {
					rest := slices.DeleteFunc(slices.Clone(usable), func(f string) bool { return f == missing })
					_, r, _ := validate(t, op, id, needsCollections, body(rest))
					if len(r.Failures) != 1 {
						t.Fatalf("without %s: %+v", missing, r.Failures)
					}
					f := r.Failures[0]
					if f.Field != missing || f.Rule != validation.RuleIntegrationRequired || f.Integration != id || f.Location != validation.Body {
						t.Errorf("without %s: %+v", missing, f)
					}
				}
				for _, missing := range requiredQuery {
					_, r, _ := validate(t, op, id, false, body(usable))
					got := r.MissingFields(validation.Query)
					if !slices.Equal(got, []string{missing}) {
						t.Errorf("without query %s: missing %v, failures %+v", missing, got, r.Failures)
					}
				}
			})
		}
	}
}

// TestUnsupportedFieldsAreDropped: every field and query parameter an
// integration does not use is removed from the request and reported, and
// is absent from what reaches the backend.
func TestUnsupportedFieldsAreDropped(t *testing.T) {
	for _, op := range unified.Service.Operations {
		var fields []string
		for _, row := range op.Request {
			fields = append(fields, row.Name)
		}
		all := body(fields)
		for _, id := range op.Integrations {
			_, usable := levels(op.Request, id)
			_, usableQuery := levels(op.Query, id)
			in, r, _ := validate(t, op, id, true, all)
			var ignored, ignoredQuery []string
			for _, ig := range r.Ignored {
				switch ig.Location {
				case validation.Body:
					ignored = append(ignored, ig.Field)
				case validation.Query:
					ignoredQuery = append(ignoredQuery, ig.Field)
				}
			}
			want := slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return slices.Contains(usable, f) })
			if !slices.Equal(ignored, want) || !r.OK() {
				t.Errorf("%s/%s: ignored %v, want %v (failures %+v)", op.Method, id, ignored, want, r.Failures)
			}
			var wantQuery []string
			if !slices.Contains(usableQuery, "collections") {
				wantQuery = []string{"collections"}
			}
			if !slices.Equal(ignoredQuery, wantQuery) {
				t.Errorf("%s/%s: ignored query %v, want %v", op.Method, id, ignoredQuery, wantQuery)
			}
			checkAppended(t, op, in, all, usable)
		}
	}
}

// TestPagesHandChecked holds cases read off the source pages by hand, so the
// matrix tests above are not only checked against the matrix itself.
func TestPagesHandChecked(t *testing.T) {
	missing := func(op *api.Operation, id string, raw string, collections bool) ([]string, []string) {
		_, r, ok := validate(t, op, id, collections, []byte(raw))
		if !ok {
			t.Fatalf("%s does not implement %s", id, op.Method)
		}
		return r.MissingFields(validation.Body), r.MissingFields(validation.Query)
	}
	create, update := &unified.CreateUserOperation, &unified.UpdateUserOperation

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
		if update.New().Validate(id, &r) {
			t.Errorf("%s does not implement update on the pages, but the validator accepted it", id)
		}
	}
	if create.New().Validate("surveysparrow_ticket_management", &validation.Report{}) {
		t.Errorf("SurveySparrow does not implement create on the pages")
	}
}

// TestValidateKnowsExactlyTheImplementations: an Input's Validate accepts
// the integrations the operation's matrix lists, and no other registered or
// unknown one.
func TestValidateKnowsExactlyTheImplementations(t *testing.T) {
	ids := []string{"zendesk", "", "DIXA"}
	for _, in := range unified.Service.Integrations {
		ids = append(ids, in.ID)
	}
	for _, op := range unified.Service.Operations {
		for _, id := range ids {
			var r validation.Report
			if got, want := op.New().Validate(id, &r), op.Implements(id); got != want {
				t.Errorf("%s: Validate(%q) = %v, the matrix says %v", op.OperationID, id, got, want)
			}
		}
	}
}

func TestService(t *testing.T) {
	s := unified.Service
	in, ok := s.Integration("reamaze")
	if !ok || in.Name != "Re:amaze" || s.IntegrationName("reamaze") != "Re:amaze" {
		t.Fatalf("reamaze: %+v %v", in, ok)
	}
	if _, ok := s.Integration("zendesk"); ok || s.IntegrationName("zendesk") != "zendesk" {
		t.Fatal("zendesk is not in the registry")
	}
	if !slices.IsSortedFunc(s.Integrations, func(a, b matrix.Integration) int { return strings.Compare(a.ID, b.ID) }) {
		t.Errorf("registry not sorted by id: %+v", s.Integrations)
	}
	create, update := &unified.CreateUserOperation, &unified.UpdateUserOperation
	if len(s.Integrations) != 11 || len(create.Integrations) != 10 || len(update.Integrations) != 7 {
		t.Fatalf("registry %d, create %d, update %d", len(s.Integrations), len(create.Integrations), len(update.Integrations))
	}
	for _, op := range s.Operations {
		for _, id := range op.Integrations {
			if _, ok := s.Integration(id); !ok {
				t.Errorf("%s lists %s, which is not in the registry", op.OperationID, id)
			}
		}
	}
	// The Service lists the exported descriptors themselves, sorted by
	// operation id.
	if len(s.Operations) != 2 || s.Operations[0] != create || s.Operations[1] != update {
		t.Fatalf("operations %v, want [&CreateUserOperation &UpdateUserOperation]", s.Operations)
	}
	if op, ok := s.Lookup("ticketing", "users", "update"); !ok || op != update || op.HTTPMethod != "PATCH" || op.SuccessStatus != 200 ||
		op.Kind != matrix.Update || op.OperationID != "updateUser" || op.Path != "/unified/ticketing/users/{id}" || !op.HasBody {
		t.Fatalf("update: %+v", op)
	}
	if op, ok := s.Lookup("ticketing", "users", "create"); !ok || op != create || op.HTTPMethod != "POST" || op.SuccessStatus != 201 ||
		op.Kind != matrix.Create || op.OperationID != "createUser" || op.Path != "/unified/ticketing/users" || !op.HasBody {
		t.Fatalf("create: %+v", op)
	}
	// The spec marks password (create only) writeOnly: it reaches the
	// integration but is never stored nor returned.
	if !slices.Equal(create.WriteOnly, []string{"password"}) || len(update.WriteOnly) != 0 {
		t.Errorf("write-only fields: create %v, update %v; want [password] and none", create.WriteOnly, update.WriteOnly)
	}
	if _, ok := s.Lookup("ticketing", "users", "delete"); ok {
		t.Fatal("the spec has no delete")
	}
	if !bytes.Contains([]byte(s.OpenAPI), []byte("operationId: createUser")) {
		t.Error("Service.OpenAPI is not the spec")
	}
	// Each operation's metadata document is JSON naming the operation and
	// the integrations implementing it.
	for _, op := range s.Operations {
		var meta struct {
			OperationID  string               `json:"operation_id"`
			HTTPMethod   string               `json:"http_method"`
			Path         string               `json:"path"`
			Integrations []matrix.Integration `json:"integrations"`
		}
		if err := json.Unmarshal([]byte(op.Meta), &meta); err != nil {
			t.Fatalf("%s: Meta is not JSON: %v", op.OperationID, err)
		}
		var ids []string
		for _, in := range meta.Integrations {
			ids = append(ids, in.ID)
			if in.Name != s.IntegrationName(in.ID) {
				t.Errorf("%s: Meta names %s %q", op.OperationID, in.ID, in.Name)
			}
		}
		if meta.OperationID != op.OperationID || meta.HTTPMethod != op.HTTPMethod || meta.Path != op.Path || !slices.Equal(ids, op.Integrations) {
			t.Errorf("%s: Meta %+v", op.OperationID, meta)
		}
	}
	// New gives a fresh Input each time: two requests share nothing.
	a, b := create.New(), create.New()
	var r validation.Report
	a.DecodeBody([]byte(`{"name": "a"}`), &r)
	if got := string(b.AppendBody(nil, true)); got != `{}` || !r.OK() {
		t.Errorf("a second Input sees the first one's body: %s (%+v)", got, r.Failures)
	}
}
