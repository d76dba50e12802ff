package conformance

import (
	"reflect"
	"slices"
	"testing"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// bind parses and binds rawQuery with a fresh Input of op.
func bind(op *api.Operation, rawQuery string) (api.Input, validation.Report) {
	var r validation.Report
	in := op.New()
	if q, ok := validation.ParseQuery(rawQuery, &r); ok {
		in.Bind(q, &r)
	}
	return in, r
}

// TestBindQuery: the query of both operations, bound through the Input,
// is checked against the spec's parameter schemas, and Params gives back
// what was bound.
func TestBindQuery(t *testing.T) {
	type failure struct {
		field string
		rule  validation.Rule
	}
	cases := []struct {
		name  string
		query string
		want  []failure
	}{
		{"integrated_account_id is required by the schema", "",
			[]failure{{"integrated_account_id", validation.RuleRequired}}},
		{"a query with only the account", query(false), nil},
		{"collections with indices", query(true), nil},
		{"collections without indices", "integrated_account_id=" + accountID + "&collections[][id]=123", nil},
		{"parameters the operation does not declare are left to the caller", query(false) + "&cache_buster=1", nil},
		{"every schema failure at once",
			"integrated_account_id=x&collections[][id]=&truto_response_format=bad&truto_ignore_remote_data=yes",
			[]failure{
				{"collections[0].id", validation.RuleFormat},
				{"integrated_account_id", validation.RuleFormat},
				{"truto_ignore_remote_data", validation.RuleType},
				{"truto_response_format", validation.RuleEnum},
			}},
		{"collection member unknown and id missing", query(false) + "&collections[0][name]=x",
			[]failure{{"collections[0].name", validation.RuleUnknown}, {"collections[0].id", validation.RuleRequired}}},
		{"collections must be a list of objects", query(false) + "&collections=123",
			[]failure{{"collections", validation.RuleType}}},
		{"remote_query must be an object", query(false) + "&remote_query=x",
			[]failure{{"remote_query", validation.RuleType}}},
	}
	for _, op := range unified.Service.Operations {
		for _, c := range cases {
			t.Run(op.Method+"/"+c.name, func(t *testing.T) {
				_, r := bind(op, c.query)
				var got []failure
				for _, f := range r.Failures {
					if f.Location != validation.Query || f.Message == "" {
						t.Errorf("failure %+v", f)
					}
					got = append(got, failure{f.Field, f.Rule})
				}
				if !slices.Equal(got, c.want) || len(r.Ignored) != 0 {
					t.Errorf("got %+v (ignored %+v), want %+v", r.Failures, r.Ignored, c.want)
				}
			})
		}
	}
}

// TestParams: the parameters every operation shares come back from Params
// as bound.
func TestParams(t *testing.T) {
	raw := query(true) + "&truto_exclude_fields[]=id&truto_exclude_fields[]=name&remote_query[foo]=bar&remote_query[n][]=1" +
		"&truto_ignore_remote_data=true&truto_response_format=raw"
	want := api.Params{
		IntegratedAccountID: accountID,
		ResponseFormat:      "raw",
		IgnoreRemoteData:    true,
		ExcludeFields:       []string{"id", "name"},
		RemoteQuery:         map[string]any{"foo": "bar", "n": []any{"1"}},
	}
	for _, op := range unified.Service.Operations {
		in, r := bind(op, raw)
		if !r.OK() {
			t.Fatalf("%s: %+v", op.OperationID, r.Failures)
		}
		if got := in.Params(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Params() = %+v, want %+v", op.OperationID, got, want)
		}
		in, _ = bind(op, query(false))
		if got := in.Params(); got.IntegratedAccountID != accountID || got.ResponseFormat != "" || got.IgnoreRemoteData ||
			len(got.ExcludeFields) != 0 || len(got.RemoteQuery) != 0 {
			t.Errorf("%s: defaults: Params() = %+v", op.OperationID, got)
		}
	}
}

// TestCollectionsReachTheValidator: Pivotal Tracker requires the
// collections query parameter; bound in either of the forms the spec
// documents, it satisfies the validator, and an empty list does not.
func TestCollectionsReachTheValidator(t *testing.T) {
	for _, op := range unified.Service.Operations {
		for raw, wantMissing := range map[string]bool{
			query(true): false,
			"integrated_account_id=" + accountID + "&collections[][id]=123":                     false,
			"integrated_account_id=" + accountID + "&collections[0][id]=1&collections[1][id]=2": false,
			query(false): true,
		} {
			_, r, ok := request(t, op, "pivotal_tracker", raw, []byte(`{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}]}`))
			if !ok {
				t.Fatalf("Pivotal Tracker implements %s", op.Method)
			}
			missing := r.MissingFields(validation.Query)
			if got := slices.Equal(missing, []string{"collections"}); got != wantMissing || (!wantMissing && !r.OK()) {
				t.Errorf("%s %q: missing %v, failures %+v", op.Method, raw, missing, r.Failures)
			}
		}
	}
}
