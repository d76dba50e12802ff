package remote_test

// The differential test of the real spec's mappings: every expression of
// spec/integrations/*/integration.yaml, compiled into generated/unified,
// and github.com/blues/jsonata-go interpreting its source, on the same
// inputs, must give equal results. The inputs are unified requests (for
// body and query), the success bodies each contract documents (for
// record), the records those give (for unified) and the documented error
// bodies (for errors). jsonata-go departs from JSONata in a few known ways
// (generator/mapping/testdata/corpus/divergences.json); a pair where it
// does is listed in remoteDivergences with the reason, and a listed pair
// that agrees fails the test, so the list cannot go stale.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"

	jsonata "github.com/blues/jsonata-go"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/generator/build"
	"github.com/unifiedgen/unifiedgen/generator/load"
	"github.com/unifiedgen/unifiedgen/generator/model"
	"github.com/unifiedgen/unifiedgen/runtime/mapping"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
)

// remoteDivergences lists where jsonata-go departs from JSONata on the
// real mappings, by "operation/integration/expression/input".
var remoteDivergences = map[string]string{
	"createUser/freshchat/body/empties":        "jsonata-go evaluates a field holding [] to undefined; JSONata returns [] (team_ids: [] becomes groups: [])",
	"createUser/freshchat/unified/create_user": "jsonata-go evaluates a field holding [] to undefined; JSONata returns [] (groups: [] becomes team_ids: [])",
}

type diffOutcome struct {
	undefined bool
	err       bool
	value     any
}

func (o diffOutcome) String() string {
	switch {
	case o.undefined:
		return "undefined"
	case o.err:
		return "error"
	}
	b, _ := json.Marshal(o.value)
	return string(b)
}

func (o diffOutcome) equal(p diffOutcome) bool {
	if o.err || p.err {
		return o.err == p.err
	}
	return o.undefined == p.undefined && reflect.DeepEqual(o.value, p.value)
}

func normaliseJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func runCompiled(t *testing.T, f remote.Func, doc []byte) diffOutcome {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var in any
	if err := dec.Decode(&in); err != nil {
		t.Fatal(err)
	}
	v, err := f(in)
	switch {
	case err != nil:
		return diffOutcome{err: true}
	case mapping.IsUndefined(v):
		return diffOutcome{undefined: true}
	}
	return diffOutcome{value: normaliseJSON(t, v)}
}

func runJSONataGo(t *testing.T, expr string, doc []byte) (o diffOutcome) {
	t.Helper()
	var in any
	if err := json.Unmarshal(doc, &in); err != nil {
		t.Fatal(err)
	}
	e, err := jsonata.Compile(expr)
	if err != nil {
		t.Fatalf("jsonata-go cannot compile %q: %v", expr, err)
	}
	defer func() {
		if r := recover(); r != nil {
			o = diffOutcome{err: true}
		}
	}()
	v, err := e.Eval(in)
	switch {
	case errors.Is(err, jsonata.ErrUndefined):
		return diffOutcome{undefined: true}
	case err != nil:
		return diffOutcome{err: true}
	}
	return diffOutcome{value: normaliseJSON(t, v)}
}

// specRemote builds the model of the real spec: the expressions' sources.
func specRemote(t testing.TB) *model.Remote {
	t.Helper()
	s, err := load.File("../../spec/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api, err := build.Model(s)
	if err != nil {
		t.Fatal(err)
	}
	return &api.Remote
}

// diffRequests are the unified request bodies every body and query
// mapping runs on: each end-to-end request, one with every field, an
// empty one, and some with one item or none in each array.
func diffRequests() map[string][]byte {
	out := map[string][]byte{
		"empty": []byte(`{}`),
		"full": []byte(`{"name": "Jane Doe", "avatar": "https://example.com/j.png", "custom_fields": {"department": "Support", "n": 1.5},
			"emails": [{"email": "jane@example.com", "type": "primary"}, {"email": "j@example.org", "type": "other"}],
			"first_name": "Jane", "languages": ["en", "fr"], "last_name": "Doe", "nick_name": "jd", "password": "pw",
			"remote_data": {"x": 1}, "roles": [{"id": "owner", "name": "Owner"}, {"id": "viewer"}], "status": "active",
			"team_ids": ["1001", "1002"], "user_type": "UT_1", "username": "jane"}`),
		"singletons": []byte(`{"emails": [{"email": "solo@example.com", "type": "other"}], "roles": [{"id": "viewer", "name": "Viewer"}], "team_ids": ["7"], "languages": ["de"]}`),
		"empties":    []byte(`{"name": "", "emails": [], "roles": [], "team_ids": [], "languages": [], "custom_fields": {}}`),
		"roles":      []byte(`{"roles": [{"id": "member"}], "first_name": "Only"}`),
	}
	for i, c := range e2eCases {
		out[fmt.Sprintf("e2e%02d", i)] = []byte(c.body)
	}
	return out
}

// diffAnswers are a provider's documented success bodies, by endpoint
// (a list's items each under name.N), and its error bodies (error.N).
func diffAnswers(t *testing.T, integration string) (success, records, errs map[string][]byte) {
	t.Helper()
	c := loadContract(t, integration)
	success, records, errs = map[string][]byte{}, map[string][]byte{"empty": []byte(`{}`)}, map[string][]byte{"empty": []byte(`{}`)}
	for _, ep := range c.Endpoints {
		if ep.Response.Example == nil {
			continue
		}
		b, err := json.Marshal(ep.Response.Example)
		if err != nil {
			t.Fatal(err)
		}
		success[ep.Name] = b
	}
	for i, ex := range c.Errors.Examples {
		b, err := json.Marshal(ex.Body)
		if err != nil {
			t.Fatal(err)
		}
		errs[fmt.Sprintf("error.%d", i)] = b
	}
	return success, records, errs
}

func TestDifferentialRealMappings(t *testing.T) {
	r := specRemote(t)
	evaluations, diverging := 0, 0
	seen := map[string]bool{}
	check := func(t *testing.T, key, src string, f remote.Func, doc []byte) {
		t.Helper()
		got := runCompiled(t, f, doc)
		ref := runJSONataGo(t, src, doc)
		evaluations++
		why, listed := remoteDivergences[key]
		seen[key] = true
		switch {
		case listed && got.equal(ref):
			t.Errorf("%s: listed as a jsonata-go divergence (%s) but both give %v: remove it", key, why, got)
		case listed:
			diverging++
		case !got.equal(ref):
			t.Errorf("%s\n%s\non %s\ncompiled:   %v\njsonata-go: %v", key, src, doc, got, ref)
		}
	}
	requests := diffRequests()
	names := func(m map[string][]byte) []string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	}
	for _, in := range r.Integrations {
		gen := unified.RemoteIntegrations[in.ID]
		if gen == nil {
			t.Fatalf("%s has a definition but no generated integration: run go generate", in.ID)
		}
		_, _, errs := diffAnswers(t, in.ID)
		for _, x := range []struct {
			e *model.RemoteExpr
			f remote.Func
			w string
		}{{in.ErrorMessage, gen.ErrorMessage, "errors.message"}, {in.ErrorFields, gen.ErrorFields, "errors.fields"}} {
			if x.e == nil {
				continue
			}
			for _, name := range names(errs) {
				check(t, in.ID+"/"+x.w+"/"+name, x.e.Source, x.f, errs[name])
			}
		}
	}
	for _, m := range r.Mappings {
		gen := unified.Remotes[m.Operation][m.Integration]
		if gen == nil {
			t.Fatalf("%s/%s has a mapping but no generated one: run go generate", m.Operation, m.Integration)
		}
		prefix := m.Operation + "/" + m.Integration + "/"
		for _, x := range []struct {
			e *model.RemoteExpr
			f remote.Func
			w string
		}{{m.Body, gen.Body, "body"}, {m.Query, gen.Query, "query"}} {
			if x.e == nil {
				continue
			}
			for _, name := range names(requests) {
				check(t, prefix+x.w+"/"+name, x.e.Source, x.f, requests[name])
			}
		}
		success, records, _ := diffAnswers(t, m.Integration)
		for _, name := range names(success) {
			body := success[name]
			rec := body
			if m.Record != nil {
				check(t, prefix+"record/"+name, m.Record.Source, gen.Record, body)
				o := runCompiled(t, gen.Record, body)
				if o.undefined || o.err {
					continue
				}
				rec, _ = json.Marshal(o.value)
			}
			var v any
			_ = json.Unmarshal(rec, &v)
			if list, ok := v.([]any); ok {
				for i, it := range list {
					b, _ := json.Marshal(it)
					records[fmt.Sprintf("%s.%d", name, i)] = b
				}
			} else if _, ok := v.(map[string]any); ok {
				records[name] = rec
			}
		}
		if m.Unified != nil {
			for _, name := range names(records) {
				check(t, prefix+"unified/"+name, m.Unified.Source, gen.Unified, records[name])
			}
		}
	}
	for key := range remoteDivergences {
		if !seen[key] {
			t.Errorf("remoteDivergences lists %s, which no mapping and input make", key)
		}
	}
	if evaluations == 0 {
		t.Fatal("no evaluation ran")
	}
	t.Logf("%d evaluations of the expressions of %d mappings and %d integrations, %d where jsonata-go departs from JSONata (listed)", evaluations, len(r.Mappings), len(r.Integrations), diverging)
}
