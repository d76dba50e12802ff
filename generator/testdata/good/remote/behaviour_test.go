package unified

// This test runs against the golden files of this case (TestGoldenCompiles
// copies it beside them): the query parameters a request was bound with
// reach the compiled query mapping of integration.yaml, which reads them
// and not the body.

import (
	"encoding/json"
	"testing"

	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

func TestQueryMappingSeesTheBoundQuery(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want string // the provider's query, as the mapping gives it
	}{
		{"integrated_account_id=6f9619ff-8b86-d011-b42d-00c04fc964ff&send_invite=true", `{"notify":"true"}`},
		{"integrated_account_id=6f9619ff-8b86-d011-b42d-00c04fc964ff&send_invite=false", `{"notify":"false"}`},
		{"integrated_account_id=6f9619ff-8b86-d011-b42d-00c04fc964ff", `{"notify":"false"}`},
	} {
		var r validation.Report
		q, ok := validation.ParseQuery(tt.raw, &r)
		if !ok {
			t.Fatalf("%s: %+v", tt.raw, r.Failures)
		}
		in := CreateUserOperation.New()
		in.Bind(q, &r)
		if !r.OK() {
			t.Fatalf("%s: %+v", tt.raw, r.Failures)
		}
		raw := in.AppendQuery(nil)
		// integrated_account_id is the service's own: the mapping never
		// sees it.
		var query map[string]any
		if err := json.Unmarshal(raw, &query); err != nil {
			t.Fatalf("%s: AppendQuery wrote %s: %v", tt.raw, raw, err)
		}
		if _, ok := query["integrated_account_id"]; ok {
			t.Errorf("%s: the mapping's query %s holds integrated_account_id", tt.raw, raw)
		}
		out, err := Remotes["createUser"]["dixa"].Query(query)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(out); string(b) != tt.want {
			t.Errorf("%s: query mapping gave %s, want %s", tt.raw, b, tt.want)
		}
		in.Release()
	}
}
