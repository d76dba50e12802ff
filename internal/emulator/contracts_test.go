package emulator_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/emulator"
)

// TestContracts drives the emulator of every contract file with requests
// built from that contract alone, checking that it answers what the
// contract documents.
func TestContracts(t *testing.T) {
	for _, c := range contracts(t) {
		t.Run(c.Provider, func(t *testing.T) {
			t.Run("routing", func(t *testing.T) { testRouting(t, c) })
			t.Run("auth", func(t *testing.T) { testAuth(t, c) })
			if len(c.RequiredHeaders) > 0 {
				t.Run("required headers", func(t *testing.T) { testRequiredHeaders(t, c) })
			}
			t.Run("rate limit", func(t *testing.T) { testRateLimit(t, c) })
			for _, res := range resources(c) {
				if create := find(c, res, "create"); create != nil {
					t.Run("create "+res, func(t *testing.T) { testCreate(t, c, create) })
				}
				t.Run("invalid "+res+" requests", func(t *testing.T) { testInvalid(t, c, res) })
				t.Run(res+" lifecycle", func(t *testing.T) { testLifecycle(t, c, res) })
			}
		})
	}
}

// newRecord makes a record the way the contract allows: a documented
// create with every field or, for a contract without one, a seed of the
// record its examples show. It returns the record's id ("" when the
// answer shows none) and the fields given.
func (h *harness) newRecord(res string, variant int) (string, map[string]any) {
	h.t.Helper()
	create := find(h.c, res, "create")
	if create == nil {
		var shown map[string]any
		for _, verb := range []string{"get", "list", "update"} {
			if ep := find(h.c, res, verb); ep != nil && shown == nil {
				shown = exampleRecord(ep)
			}
		}
		fields := maps.Clone(shown)
		delete(fields, "id")
		delete(fields, "_id")
		return h.em.Seed(res, fields), fields
	}
	sent := sampleBody(create.Request.Fields, false, variant)
	a := h.do(h.request(create, "", sent))
	h.expect(a, create.Response.Status, "create "+res)
	rec := record(create, a.body)
	if key := idKey(exampleRecord(create)); key != "" && rec[key] != nil {
		return fmt.Sprint(rec[key]), sent
	}
	return "", sent
}

func testCreate(t *testing.T, c *emulator.Contract, create *emulator.Endpoint) {
	h := start(t, c, emulator.Options{})
	example := exampleRecord(create)
	for _, requiredOnly := range []bool{true, false} {
		what := fmt.Sprintf("%s with required fields only=%v", create.Name, requiredOnly)
		sent := sampleBody(create.Request.Fields, requiredOnly, 1)
		a := h.do(h.request(create, "", sent))
		h.expect(a, create.Response.Status, what)
		if example == nil {
			continue
		}
		rec := record(create, a.body)
		for k := range example {
			if _, ok := rec[k]; !ok {
				t.Errorf("%s: the answer lacks the documented key %s: %s", what, k, a.raw)
			}
		}
		sameValues(t, what, rec, sent)
		if key := idKey(example); key != "" {
			if reflect.TypeOf(rec[key]) != reflect.TypeOf(example[key]) || reflect.DeepEqual(rec[key], example[key]) {
				t.Errorf("%s: id %#v: want a new id of the type of the documented %#v", what, rec[key], example[key])
			}
		}
	}

	// Undocumented fields are accepted and ignored, unless documented as
	// rejected.
	sent := sampleBody(create.Request.Fields, true, 2)
	sent["surely_undocumented"] = "x"
	h.expect(h.do(h.request(create, "", sent)), create.Response.Status, "create with an undocumented field")
	recs := h.em.Records(create.Resource())
	if _, kept := recs[len(recs)-1]["surely_undocumented"]; kept {
		t.Errorf("an undocumented field was stored")
	}
	for _, f := range create.Request.RejectedFields {
		body := sampleBody(create.Request.Fields, true, 2)
		body[f] = "x"
		h.expectError(h.do(h.request(create, "", body)), c.Errors.ValidationStatus, f, "create with rejected "+f)
	}
}

// testInvalid sends each endpoint with a body every documented way of
// getting it wrong.
func testInvalid(t *testing.T, c *emulator.Contract, res string) {
	h := start(t, c, emulator.Options{})
	invalid := c.Errors.ValidationStatus
	for _, ep := range c.Endpoints {
		if ep.Resource() != res || ep.Request.ContentType == "" {
			continue
		}
		id := ""
		if ep.Verb() != "create" && ep.Verb() != "list" {
			if id, _ = h.newRecord(res, 3); id == "" {
				t.Fatalf("%s: no record to act on", ep.Name)
			}
		}
		valid := withID(ep, id, sampleBody(ep.Request.Fields, false, 1))
		required := func(name string, f *emulator.Field) bool { return f.Required || name == ep.Request.IDField }
		for _, m := range mutations(ep.Request.Fields, required, "", func(b map[string]any) map[string]any { return b }) {
			body := normal(valid).(map[string]any)
			m.apply(body)
			h.expectError(h.do(h.request(ep, id, body)), invalid, m.field, fmt.Sprintf("%s with %s broken (%s)", ep.Name, m.field, mustJSON(t, body)))
		}

		path := strings.ReplaceAll(ep.Path, "{id}", id)
		for k, v := range h.creds {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		req := h.request(ep, id, valid)
		req.Header.Set("Content-Type", "text/plain")
		h.expectError(h.do(req), invalid, "", ep.Name+" as text/plain")
		req = h.rawRequest(ep.Method, path, ep.Request.ContentType, strings.NewReader(`{"not json`))
		h.expectError(h.do(req), invalid, "", ep.Name+" with malformed JSON")
		if ep.Request.Wrapper != "" {
			req = h.rawRequest(ep.Method, path, ep.Request.ContentType, bytes.NewReader(mustJSON(t, valid)))
			h.expectError(h.do(req), invalid, "", ep.Name+" without its wrapper")
		}
	}
}

func testLifecycle(t *testing.T, c *emulator.Contract, res string) {
	h := start(t, c, emulator.Options{})
	get, lst, update, del := find(c, res, "get"), find(c, res, "list"), find(c, res, "update"), find(c, res, "delete")
	id, sent := h.newRecord(res, 1)
	if id == "" && (get != nil || update != nil || del != nil) {
		t.Fatalf("the create answer shows no id, so the record cannot be read, updated or deleted")
	}
	if get != nil {
		a := h.do(h.request(get, id, nil))
		h.expect(a, get.Response.Status, "get after create")
		rec := record(get, a.body)
		if key := idKey(exampleRecord(get)); key != "" {
			documented := exampleRecord(get)[key]
			if fmt.Sprint(rec[key]) != id || reflect.TypeOf(rec[key]) != reflect.TypeOf(documented) {
				t.Errorf("get %s answered id %#v, want it written as the documented %#v", id, rec[key], documented)
			}
		}
		sameValues(t, "get after create", rec, sent)
	}
	if lst != nil {
		h.expectListed(lst, id, sent, true)
	}
	if update != nil {
		h.testUpdate(update, get, id, sent)
	}
	if del != nil {
		h.expect(h.do(h.request(del, id, withID(del, id, nil))), del.Response.Status, "delete")
		if get != nil {
			h.expectError(h.do(h.request(get, id, nil)), c.Errors.NotFoundStatus, "", "get after delete")
		}
		if lst != nil {
			h.expectListed(lst, id, sent, false)
		}
		h.expectError(h.do(h.request(del, id, withID(del, id, nil))), c.Errors.NotFoundStatus, "", "delete again")
	}
}

// testUpdate changes one documented field, preferring one the get answer
// shows, and checks that the change is merged into the record.
func (h *harness) testUpdate(update, get *emulator.Endpoint, id string, sent map[string]any) {
	t := h.t
	var shown map[string]any
	if get != nil {
		shown = exampleRecord(get)
	}
	names := slices.Sorted(maps.Keys(update.Request.Fields))
	name := ""
	for _, n := range names {
		if _, ok := shown[n]; ok && name == "" {
			name = n
		}
	}
	if name == "" && len(names) > 0 {
		name = names[0]
	}
	change := map[string]any{}
	if name != "" {
		f := update.Request.Fields[name]
		value := sample(name, f, false, 2)
		for v := 3; v < 6 && (reflect.DeepEqual(normal(value), shown[name]) || reflect.DeepEqual(normal(value), normal(sent[name]))); v++ {
			value = sample(name, f, false, v)
		}
		change[name] = value
	}
	a := h.do(h.request(update, id, withID(update, id, change)))
	h.expect(a, update.Response.Status, "update")
	sameValues(t, "update answer", record(update, a.body), change)

	// The stored record: changed where asked, as created elsewhere.
	var stored map[string]any
	for _, r := range h.em.Records(update.Resource()) {
		if fmt.Sprint(r[idKey(r)]) == id {
			stored = r
		}
	}
	if stored == nil {
		t.Fatalf("record %s is gone after update", id)
	}
	sameValues(t, "record after update", stored, change)
	rest := maps.Clone(sent)
	maps.DeleteFunc(rest, func(k string, _ any) bool { _, changed := change[k]; return changed })
	sameValues(t, "record after update (fields not changed)", stored, rest)
	for k := range change {
		if _, ok := stored[k]; !ok {
			t.Errorf("update did not store %s", k)
		}
	}
	if get != nil {
		a := h.do(h.request(get, id, nil))
		h.expect(a, get.Response.Status, "get after update")
		sameValues(t, "get after update", record(get, a.body), change)
		sameValues(t, "get after update (fields not changed)", record(get, a.body), rest)
	}
}

// expectListed lists the records and checks that the one made is there
// (want) or not, found by its id or, where the list shows none, by the
// fields sent.
func (h *harness) expectListed(lst *emulator.Endpoint, id string, sent map[string]any, want bool) {
	h.t.Helper()
	a := h.do(h.request(lst, "", nil))
	h.expect(a, lst.Response.Status, "list")
	key := idKey(exampleRecord(lst))
	found := 0
	for _, item := range list(lst, a.body) {
		rec, _ := item.(map[string]any)
		if key != "" && id != "" {
			if fmt.Sprint(rec[key]) == id {
				found++
			}
			continue
		}
		same, shared := true, 0
		for k, v := range rec {
			if s, ok := sent[k]; ok {
				shared++
				same = same && reflect.DeepEqual(v, normal(s))
			}
		}
		if same && shared > 0 {
			found++
		}
	}
	if found != map[bool]int{true: 1, false: 0}[want] {
		h.t.Errorf("list shows the record %d times, want listed=%v: %s", found, want, a.raw)
	}
}

func testRouting(t *testing.T, c *emulator.Contract) {
	h := start(t, c, emulator.Options{})
	h.expectError(h.do(h.rawRequest(http.MethodGet, "/surely/not/documented", "", nil)), http.StatusNotFound, "", "an undocumented path")

	methods := map[string][]string{} // documented methods by path template
	for _, ep := range c.Endpoints {
		methods[ep.Path] = append(methods[ep.Path], ep.Method)
	}
	for path, documented := range methods {
		slices.Sort(documented)
		p := strings.ReplaceAll(path, "{id}", "1")
		for k, v := range h.creds {
			p = strings.ReplaceAll(p, "{"+k+"}", v)
		}
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if slices.Contains(documented, m) {
				continue
			}
			a := h.do(h.rawRequest(m, p, "", nil))
			h.expectError(a, http.StatusMethodNotAllowed, "", m+" "+path)
			if allow := a.header.Get("Allow"); allow != strings.Join(documented, ", ") {
				t.Errorf("%s %s: Allow %q, want %q", m, path, allow, strings.Join(documented, ", "))
			}
		}
	}

	// A credential in the path (Hive's {workspace_id}) must be ours.
	other := map[string]string{}
	for k := range h.creds {
		other[k] = "someone-else"
	}
	for _, ep := range c.Endpoints {
		if path := h.path(ep, "1", other); path != h.path(ep, "1", h.creds) {
			body := h.body(ep, withID(ep, "1", sampleBody(ep.Request.Fields, false, 1)))
			h.expectError(h.do(h.rawRequest(ep.Method, path, ep.Request.ContentType, body)), c.Errors.NotFoundStatus, "", ep.Name+" at "+path)
		}
	}
}

func testAuth(t *testing.T, c *emulator.Contract) {
	h := start(t, c, emulator.Options{})
	a := c.Auth
	strip := func(req *http.Request) {
		req.Header.Del("Authorization")
		req.Header.Del(a.Header)
		q := req.URL.Query()
		q.Del(a.QueryParam)
		req.URL.RawQuery = q.Encode()
	}
	for _, ep := range c.Endpoints {
		fields := withID(ep, "1", sampleBody(ep.Request.Fields, false, 1))
		fresh := func() *http.Request {
			req := h.request(ep, "1", fields)
			strip(req)
			return req
		}
		h.expectError(h.do(fresh()), http.StatusUnauthorized, "", ep.Name+" without credentials")

		// Each credential the scheme sends, wrong.
		for _, name := range authCredentials(c) {
			wrong := maps.Clone(h.creds)
			wrong[name] += "-wrong"
			req := fresh()
			h.authorize(req, wrong)
			h.expectError(h.do(req), http.StatusUnauthorized, "", ep.Name+" with a wrong "+name)
		}
		switch a.Scheme {
		case "basic": // literal parts, such as Teamwork's password "X", count too
			req := h.request(ep, "1", fields)
			user, pass, _ := req.BasicAuth()
			req.SetBasicAuth(user, pass+"-wrong")
			h.expectError(h.do(req), http.StatusUnauthorized, "", ep.Name+" with a wrong password")
			req = h.request(ep, "1", fields)
			req.SetBasicAuth(user+"-wrong", pass)
			h.expectError(h.do(req), http.StatusUnauthorized, "", ep.Name+" with a wrong user")
		case "bearer", "header":
			req := fresh()
			if a.Prefix != "" { // the key without its prefix
				req.Header.Set(a.Header, h.creds["api_key"])
			} else {
				req.Header.Set(a.Header, "Bearer "+h.creds["api_key"])
			}
			h.expectError(h.do(req), http.StatusUnauthorized, "", ep.Name+" with the wrong prefix")
		}
	}
}

// authCredentials are the credentials the contract's auth scheme sends.
func authCredentials(c *emulator.Contract) []string {
	if c.Auth.Scheme != "basic" {
		return []string{"api_key"}
	}
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(c.Auth.BasicUser+c.Auth.BasicPassword, -1) {
		names = append(names, m[1])
	}
	return names
}

func testRequiredHeaders(t *testing.T, c *emulator.Contract) {
	h := start(t, c, emulator.Options{})
	for _, hr := range c.RequiredHeaders {
		for _, ep := range c.Endpoints {
			fields := withID(ep, "1", sampleBody(ep.Request.Fields, false, 1))
			req := h.request(ep, "1", fields)
			req.Header.Del(hr.Name)
			h.expectError(h.do(req), c.Errors.ValidationStatus, "", ep.Name+" without "+hr.Name)
			req = h.request(ep, "1", fields)
			req.Header.Set(hr.Name, "text/html")
			h.expectError(h.do(req), c.Errors.ValidationStatus, "", ep.Name+" with a wrong "+hr.Name)
			if ep.Verb() == "list" { // an Accept listing the required type among others is fine
				req = h.request(ep, "", nil)
				req.Header.Set(hr.Name, "text/html, "+hr.Value+";q=0.9")
				h.expect(h.do(req), ep.Response.Status, ep.Name+" with "+hr.Name+" among others")
			}
		}
	}
}

func testRateLimit(t *testing.T, c *emulator.Contract) {
	h := start(t, c, emulator.Options{RateLimit: &emulator.RateLimit{Limit: 1, Window: time.Hour}})
	ep := c.Endpoints[0]
	fields := withID(ep, "1", sampleBody(ep.Request.Fields, false, 1))
	first := h.do(h.request(ep, "1", fields))
	if first.status == c.RateLimit.Status {
		t.Fatalf("the first request was rate limited")
	}
	second := h.do(h.request(ep, "1", fields))
	h.expectError(second, c.RateLimit.Status, "", "over the limit")
	if name := c.RateLimit.RetryAfterHeader; name != "" {
		if s, err := strconv.Atoi(second.header.Get(name)); err != nil || s < 1 || s > 3600 {
			t.Errorf("%s: %q, want the seconds left in the hour", name, second.header.Get(name))
		}
	}
	now := time.Now().Unix()
	for _, name := range c.RateLimit.ResetHeaders {
		want := map[string]func(string) bool{
			"limit":         func(v string) bool { return v == "1" },
			"remaining":     func(v string) bool { return v == "0" },
			"used/limit":    func(v string) bool { return v == "1/1" },
			"reset_seconds": func(v string) bool { n, err := strconv.Atoi(v); return err == nil && n >= 1 && n <= 3600 },
			"reset_epoch": func(v string) bool {
				n, err := strconv.ParseInt(v, 10, 64)
				return err == nil && n > now && n <= now+3601
			},
		}[c.RateLimit.HeaderValues[name]]
		if v := second.header.Get(name); !want(v) {
			t.Errorf("%s = %q on the rate-limited answer (%s)", name, v, c.RateLimit.HeaderValues[name])
		}
		if first.header.Get(name) == "" {
			t.Errorf("%s missing from an answer within the limit", name)
		}
	}
}
