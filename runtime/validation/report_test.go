package validation

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

func TestReportZeroValueIsOK(t *testing.T) {
	var r Report
	if !r.OK() {
		t.Fatal("zero Report is not OK")
	}
	r.Ignore(Body, "nick_name")
	if !r.OK() {
		t.Error("a Report with only ignored fields is not OK")
	}
	r = Report{Dropped: 1}
	if r.OK() {
		t.Error("a Report that dropped failures is OK")
	}
	r = Report{}
	r.Add(Failure{Location: Body, Field: "name", Rule: RuleType, Message: "must be a string, got number"})
	if r.OK() {
		t.Error("a Report with one failure is OK")
	}
}

func TestReportAddKeepsOrder(t *testing.T) {
	var r Report
	want := []Failure{
		{Location: Body, Field: "name", Rule: RuleType, Message: "a"},
		{Location: Query, Field: "limit", Rule: RuleFormat, Message: "b"},
		{Location: Path, Field: "id", Rule: RuleRequired, Message: "c"},
	}
	for _, f := range want {
		r.Add(f)
	}
	if !reflect.DeepEqual(r.Failures, want) || r.Dropped != 0 {
		t.Errorf("Failures = %+v, Dropped = %d; want %+v, 0", r.Failures, r.Dropped, want)
	}
}

func TestReportCapAndDropped(t *testing.T) {
	var r Report
	for i := range MaxFailures + 50 {
		r.Add(Failure{Location: Body, Field: "team_ids[" + strconv.Itoa(i) + "]", Rule: RuleType, Message: "must be a string, got number"})
	}
	if len(r.Failures) != MaxFailures || r.Dropped != 50 {
		t.Fatalf("after %d failures: kept %d, dropped %d; want %d, 50", MaxFailures+50, len(r.Failures), r.Dropped, MaxFailures)
	}
	if got := r.Failures[MaxFailures-1].Field; got != "team_ids[99]" {
		t.Errorf("last kept failure is %q, want the first %d in order (team_ids[99])", got, MaxFailures)
	}

	// Every rule but syntax and too_deep is dropped past the cap.
	for _, rule := range []Rule{RuleType, RuleFormat, RuleEnum, RuleRequired, RuleUnknown, RuleDuplicate,
		RuleIntegrationRequired, RuleIntegrationEnum, RuleUnsupported} {
		before := r.Dropped
		r.Add(Failure{Location: Body, Field: "x", Rule: rule, Message: "m"})
		if len(r.Failures) != MaxFailures || r.Dropped != before+1 {
			t.Errorf("rule %s past the cap: kept %d, dropped %d (was %d)", rule, len(r.Failures), r.Dropped, before)
		}
	}
	dropped := r.Dropped

	// A syntax or depth failure explains the others: it is always kept.
	syntax := Failure{Location: Body, Rule: RuleSyntax, Message: "malformed JSON at byte offset 3: x"}
	deep := Failure{Location: Body, Field: "remote_data", Rule: RuleTooDeep, Message: "nested deeper than 32 levels"}
	r.Add(syntax)
	r.Add(deep)
	if len(r.Failures) != MaxFailures+2 || r.Dropped != dropped {
		t.Fatalf("syntax and too_deep past the cap: kept %d, dropped %d; want %d, %d", len(r.Failures), r.Dropped, MaxFailures+2, dropped)
	}
	if !reflect.DeepEqual(r.Failures[MaxFailures], syntax) || !reflect.DeepEqual(r.Failures[MaxFailures+1], deep) {
		t.Errorf("kept %+v, %+v; want %+v, %+v", r.Failures[MaxFailures], r.Failures[MaxFailures+1], syntax, deep)
	}
	// And the report is still over the cap for everything else.
	r.Add(Failure{Location: Body, Rule: RuleType, Message: "m"})
	if len(r.Failures) != MaxFailures+2 || r.Dropped != dropped+1 {
		t.Errorf("type failure after the kept syntax failure: kept %d, dropped %d", len(r.Failures), r.Dropped)
	}
	if r.OK() {
		t.Error("full report is OK")
	}
}

func TestReportMissing(t *testing.T) {
	var r Report
	r.Missing(Body, "emails", "dixa", "Dixa")
	r.Missing(Query, "workspace_id", "asana", "Asana")
	want := []Failure{
		{Location: Body, Field: "emails", Rule: RuleIntegrationRequired, Integration: "dixa", Message: "required by Dixa"},
		{Location: Query, Field: "workspace_id", Rule: RuleIntegrationRequired, Integration: "asana", Message: "required by Asana"},
	}
	if !reflect.DeepEqual(r.Failures, want) {
		t.Errorf("Failures = %+v\nwant %+v", r.Failures, want)
	}
	if got, want := r.Failures[0].String(), `body field "emails": required by Dixa`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := r.Failures[1].String(), `query parameter "workspace_id": required by Asana`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestReportNotAllowed(t *testing.T) {
	var r Report
	allowed := []string{"primary", "other"}
	r.NotAllowed("emails[0].type", "work", "dixa", "Dixa", allowed)
	r.NotAllowed("status", `"quoted"`, "hubspot", "HubSpot", []string{"a"})
	want := []Failure{
		{Location: Body, Field: "emails[0].type", Rule: RuleIntegrationEnum, Integration: "dixa",
			Message: `"work" is not accepted by Dixa; use one of "primary", "other"`, Allowed: allowed},
		{Location: Body, Field: "status", Rule: RuleIntegrationEnum, Integration: "hubspot",
			Message: `"\"quoted\"" is not accepted by HubSpot; use one of "a"`, Allowed: []string{"a"}},
	}
	if !reflect.DeepEqual(r.Failures, want) {
		t.Errorf("Failures = %+v\nwant %+v", r.Failures, want)
	}
}

func TestReportIgnore(t *testing.T) {
	var r Report
	r.Ignore(Body, "nick_name")
	r.Ignore(Query, "truto_ignore_remote_data")
	want := []Ignored{{Location: Body, Field: "nick_name"}, {Location: Query, Field: "truto_ignore_remote_data"}}
	if !reflect.DeepEqual(r.Ignored, want) {
		t.Errorf("Ignored = %+v, want %+v", r.Ignored, want)
	}
	if len(r.Failures) != 0 || !r.OK() {
		t.Errorf("Ignore recorded a failure: %+v", r.Failures)
	}
}

func TestReportMissingFields(t *testing.T) {
	var r Report
	r.Missing(Body, "last_name", "dixa", "Dixa")
	r.Add(Failure{Location: Body, Field: "name", Rule: RuleRequired, Message: "is required"})
	r.Missing(Query, "workspace_id", "dixa", "Dixa")
	r.NotAllowed("status", "x", "dixa", "Dixa", []string{"active"})
	r.Missing(Body, "first_name", "dixa", "Dixa")
	r.Add(Failure{Location: Body, Field: "emails", Rule: RuleType, Message: "m"})

	tests := []struct {
		loc  Location
		want []string
	}{
		{Body, []string{"last_name", "first_name"}},
		{Query, []string{"workspace_id"}},
		{Path, nil},
		{Header, nil},
	}
	for _, tt := range tests {
		if got := r.MissingFields(tt.loc); !slices.Equal(got, tt.want) {
			t.Errorf("MissingFields(%s) = %q, want %q", tt.loc, got, tt.want)
		}
	}
	var empty Report
	if got := empty.MissingFields(Body); got != nil {
		t.Errorf("MissingFields of an empty report = %q, want nil", got)
	}
}

func TestReportReset(t *testing.T) {
	var r Report
	for range MaxFailures + 3 {
		r.Missing(Body, "emails", "dixa", "Dixa")
	}
	r.Ignore(Query, "a")
	r.Ignore(Body, "b")
	capF, capI := cap(r.Failures), cap(r.Ignored)

	r.Reset()
	if len(r.Failures) != 0 || r.Dropped != 0 || len(r.Ignored) != 0 || !r.OK() {
		t.Fatalf("after Reset: %d failures, %d dropped, %d ignored", len(r.Failures), r.Dropped, len(r.Ignored))
	}
	if cap(r.Failures) != capF || cap(r.Ignored) != capI {
		t.Errorf("Reset dropped storage: caps %d, %d; want %d, %d", cap(r.Failures), cap(r.Ignored), capF, capI)
	}
	// The old failures are cleared, so the reused storage pins nothing.
	for i, f := range r.Failures[:capF] {
		if !reflect.DeepEqual(f, Failure{}) {
			t.Fatalf("storage slot %d still holds %+v after Reset", i, f)
		}
	}
	if got := r.MissingFields(Body); got != nil {
		t.Errorf("MissingFields after Reset = %q", got)
	}

	// The report is reusable.
	r.Missing(Body, "name", "dixa", "Dixa")
	if len(r.Failures) != 1 || r.Failures[0].Field != "name" || r.Dropped != 0 {
		t.Errorf("after reuse: %+v, dropped %d", r.Failures, r.Dropped)
	}
}

func TestFailureString(t *testing.T) {
	tests := []struct {
		f    Failure
		want string
	}{
		{Failure{Location: Body, Field: "emails[0].type", Message: `must be one of "primary", "other"`},
			`body field "emails[0].type": must be one of "primary", "other"`},
		{Failure{Location: Body, Field: `we"ird`, Message: "m"}, `body field "we\"ird": m`},
		{Failure{Location: Query, Field: "limit", Message: "must be an integer"}, `query parameter "limit": must be an integer`},
		{Failure{Location: Path, Field: "id", Message: "must be a UUID"}, `path parameter "id": must be a UUID`},
		{Failure{Location: Header, Field: "X-Account", Message: "is required"}, `header parameter "X-Account": is required`},
		{Failure{Location: Body, Message: "body is empty; send a JSON object"}, `body: body is empty; send a JSON object`},
		{Failure{Location: Query, Message: "length 70000 exceeds 65536"}, `query string: length 70000 exceeds 65536`},
		{Failure{Location: Path, Message: "m"}, `path: m`},
		{Failure{Location: Header, Message: "m"}, `header: m`},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestFailureJSON(t *testing.T) {
	tests := []struct {
		f    Failure
		want string
	}{
		// field is required by the spec: present even when empty.
		{Failure{Location: Body, Rule: RuleSyntax, Message: "body is empty; send a JSON object"},
			`{"location":"body","field":"","rule":"syntax","message":"body is empty; send a JSON object"}`},
		{Failure{Location: Body, Field: "status", Rule: RuleEnum, Message: `"x" is not one of "a", "b"`, Allowed: []string{"a", "b"}},
			`{"location":"body","field":"status","rule":"enum","message":"\"x\" is not one of \"a\", \"b\"","allowed":["a","b"]}`},
		{Failure{Location: Query, Field: "workspace_id", Rule: RuleIntegrationRequired, Integration: "asana", Message: "required by Asana"},
			`{"location":"query","field":"workspace_id","rule":"integration_required","integration":"asana","message":"required by Asana"}`},
		{Failure{Location: Body, Field: "roles[0].id", Rule: RuleIntegrationEnum, Integration: "dixa", Message: "m", Allowed: []string{"owner"}},
			`{"location":"body","field":"roles[0].id","rule":"integration_enum","integration":"dixa","message":"m","allowed":["owner"]}`},
		// An empty (non-nil) allowed list is omitted too.
		{Failure{Location: Path, Field: "id", Rule: RuleFormat, Message: "m", Allowed: []string{}},
			`{"location":"path","field":"id","rule":"format","message":"m"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("json of %+v\n got %s\nwant %s", tt.f, b, tt.want)
		}
	}
}

func TestRuleAndLocationValues(t *testing.T) {
	// These strings are part of the error body (spec: Failure.rule and
	// Failure.location); they never change.
	rules := map[Rule]string{
		RuleSyntax: "syntax", RuleType: "type", RuleFormat: "format", RuleEnum: "enum",
		RuleRequired: "required", RuleUnknown: "unknown", RuleDuplicate: "duplicate",
		RuleTooDeep: "too_deep", RuleIntegrationRequired: "integration_required",
		RuleIntegrationEnum: "integration_enum", RuleUnsupported: "unsupported",
	}
	for r, want := range rules {
		if string(r) != want {
			t.Errorf("rule %q, want %q", r, want)
		}
	}
	locs := map[Location]string{Body: "body", Query: "query", Path: "path", Header: "header"}
	for l, want := range locs {
		if string(l) != want {
			t.Errorf("location %q, want %q", l, want)
		}
	}
}

func TestOneOf(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ``},
		{[]string{"a"}, `"a"`},
		{[]string{"primary", "other"}, `"primary", "other"`},
		{[]string{`q"t`, "é", "", "a\nb"}, `"q\"t", "é", "", "a\nb"`},
	}
	for _, tt := range tests {
		if got := OneOf(tt.in); got != tt.want {
			t.Errorf("OneOf(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCharacters(t *testing.T) {
	for n, want := range map[int]string{0: "0 characters", 1: "1 character", 2: "2 characters", 255: "255 characters"} {
		if got := characters(n); got != want {
			t.Errorf("characters(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReportEmpty(t *testing.T) {
	var r Report
	r.Empty(Body, "emails", "dixa", "Dixa", "an empty array")
	r.Empty(Query, "workspace_id", "asana", "Asana", "an empty string")
	want := []Failure{
		{Location: Body, Field: "emails", Rule: RuleIntegrationRequired, Integration: "dixa",
			Message: "required by Dixa, and an empty array counts as missing"},
		{Location: Query, Field: "workspace_id", Rule: RuleIntegrationRequired, Integration: "asana",
			Message: "required by Asana, and an empty string counts as missing"},
	}
	if !reflect.DeepEqual(r.Failures, want) {
		t.Errorf("Failures = %+v\nwant %+v", r.Failures, want)
	}
	// An empty field is a missing one for truto_error_insight too.
	r.Missing(Body, "name", "dixa", "Dixa")
	if got := r.MissingFields(Body); !slices.Equal(got, []string{"emails", "name"}) {
		t.Errorf("MissingFields(body) = %q", got)
	}
	if got := r.MissingFields(Query); !slices.Equal(got, []string{"workspace_id"}) {
		t.Errorf("MissingFields(query) = %q", got)
	}
}

func TestReportBodyReadable(t *testing.T) {
	tests := []struct {
		name     string
		failures []Failure
		want     bool
	}{
		{"no failures", nil, true},
		{"member failures", []Failure{
			{Location: Body, Field: "name", Rule: RuleType, Message: "must be a string, got number"},
			{Location: Body, Field: "emails[0].type", Rule: RuleEnum, Message: "m"},
			{Location: Body, Field: "remote_data.a", Rule: RuleDuplicate, Message: "m"},
			{Location: Body, Field: "bogus", Rule: RuleUnknown, Message: "m"},
			{Location: Body, Field: "emails", Rule: RuleIntegrationRequired, Message: "m"},
		}, true},
		{"query syntax", []Failure{{Location: Query, Field: "a", Rule: RuleSyntax, Message: "m"}}, true},
		{"query failure without a field", []Failure{{Location: Query, Rule: RuleSyntax, Message: "length 70000 exceeds 65536"}}, true},
		{"body syntax", []Failure{{Location: Body, Rule: RuleSyntax, Message: "m"}}, false},
		{"body syntax at a member", []Failure{{Location: Body, Field: "name", Rule: RuleSyntax, Message: "m"}}, false},
		{"too deep", []Failure{{Location: Body, Field: "remote_data", Rule: RuleTooDeep, Message: "m"}}, false},
		{"body not an object", []Failure{{Location: Body, Rule: RuleType, Message: "must be an object, got null"}}, false},
		{"after member failures", []Failure{
			{Location: Body, Field: "name", Rule: RuleType, Message: "m"},
			{Location: Body, Rule: RuleSyntax, Message: "m"},
		}, false},
	}
	for _, tt := range tests {
		r := Report{Failures: tt.failures}
		if got := r.BodyReadable(); got != tt.want {
			t.Errorf("%s: BodyReadable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReportBodyReadableFromDecoding(t *testing.T) {
	known := map[string]string{"name": "string", "remote_data": "object"}
	tests := []struct {
		body string
		want bool
	}{
		{`{"name": "x"}`, true},
		{`{"name": 1, "bogus": 2, "name": "y"}`, true},
		// A member named "" is a member like any other: the body is an
		// object and the integration's rules are still worth checking.
		{`{"": 1}`, true},
		{`{"name": "x", "": {"a": 1}}`, true},
		{`null`, false},
		{`[{"name": "x"}]`, false},
		{`"x"`, false},
		{`{"name": "x",}`, false},
		{`{"name": "x"} {}`, false},
		{`{"name": "x", "remote_data": {"a": 1, "a": 2}}`, true},
		{`{"name": "x", "remote_data": ` + nestArrays(MaxDepth+1, "") + `}`, true}, // not an object: a type failure
		{`{"name": "x", "remote_data": ` + nestObjects(MaxDepth, "1") + `}`, false},
		{"{\"name\": \"\xff\"}", false},
	}
	for _, tt := range tests {
		var r Report
		if s := Begin([]byte(tt.body), &r); s != nil {
			_, err := decodeMembers(s, known, nil)
			s.End(err)
		}
		if got := r.BodyReadable(); got != tt.want {
			t.Errorf("%s: BodyReadable = %v, want %v;%s", tt.body, got, tt.want, dumpFailures(r.Failures))
		}
	}
}
