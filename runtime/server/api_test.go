package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/server"
)

const (
	token      = "tenant-one-token"
	otherToken = "tenant-two-token"
	// otherAccount belongs to the second tenant.
	otherAccount = "00000000-0000-4000-8000-0000000000ff"
)

// accountOf gives every integration a fixed account of the first tenant.
func accountOf(integration string) string {
	for i, in := range unified.Service.Integrations {
		if in.ID == integration {
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1)
		}
	}
	panic("no integration " + integration)
}

type env struct {
	t   *testing.T
	srv *httptest.Server
	st  store.Store
}

func newEnv(t *testing.T, opt server.Options) *env {
	t.Helper()
	h, st := handlerAndStore(t, opt)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, st: st}
}

// handlerAndStore builds the service in process over a fresh database with
// two tenants: "one" (token, an account per integration) and "two"
// (otherToken, otherAccount).
func handlerAndStore(tb testing.TB, opt server.Options) (http.Handler, store.Store) {
	tb.Helper()
	return handlerWith(tb, opt, setup{})
}

// handlerOn builds the service in process over the database dsn names,
// with the tenants and accounts of handlerAndStore when seed is set (a
// second replica on the same database needs no seed).
func handlerOn(tb testing.TB, dsn string, opt server.Options, seed bool) (http.Handler, store.Store) {
	tb.Helper()
	return handlerWith(tb, opt, setup{dbPath: dsn, noSeed: !seed})
}

// setup changes what handlerWith builds; its zero value is what
// handlerAndStore builds.
type setup struct {
	// dbPath is the database (a file, or a PostgreSQL URL); "" is a new
	// file in a temporary directory.
	dbPath string
	// noSeed leaves the database as it is (a second replica's).
	noSeed bool
	// wrap, if set, wraps the local backend.
	wrap func(backend.Backend) backend.Backend
	// log is the service's logger; nil discards.
	log *slog.Logger
}

// handlerWith is handlerAndStore with the database file, the backend and
// the logger as su says.
func handlerWith(tb testing.TB, opt server.Options, su setup) (http.Handler, store.Store) {
	tb.Helper()
	ctx := context.Background()
	if su.dbPath == "" {
		su.dbPath = tb.TempDir() + "/test.db"
	}
	st, err := store.Open(ctx, su.dbPath, store.Options{Synchronous: "NORMAL"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if su.noSeed {
		h, err := server.New(unified.Service, st, backend.Local{Store: st}, slog.New(slog.NewTextHandler(io.Discard, nil)), opt)
		if err != nil {
			tb.Fatal(err)
		}
		return h, st
	}
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(st.PutTenant(ctx, store.Tenant{ID: "one", Name: "One"}))
	must(st.PutTenant(ctx, store.Tenant{ID: "two", Name: "Two"}))
	must(st.AddToken(ctx, "one", token))
	must(st.AddToken(ctx, "two", otherToken))
	for _, in := range unified.Service.Integrations {
		must(st.PutAccount(ctx, store.Account{ID: accountOf(in.ID), TenantID: "one", Integration: in.ID, Name: in.Name}))
	}
	must(st.PutAccount(ctx, store.Account{ID: otherAccount, TenantID: "two", Integration: "dixa", Name: "Dixa of two"}))
	if opt.MaxBody == 0 {
		opt.MaxBody = 64 << 10
	}
	var be backend.Backend = backend.Local{Store: st}
	if su.wrap != nil {
		be = su.wrap(be)
	}
	if su.log == nil {
		su.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h, err := server.New(unified.Service, st, be, su.log, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return h, st
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(method, path, tok, body string, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func createPath(integration string, extra ...string) string {
	return "/unified/ticketing/users?integrated_account_id=" + accountOf(integration) + strings.Join(extra, "")
}

func updatePath(integration, id string, extra ...string) string {
	return "/unified/ticketing/users/" + id + "?integrated_account_id=" + accountOf(integration) + strings.Join(extra, "")
}

// examples holds a valid value for every request field.
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

func bodyOf(fields []string) string {
	parts := []string{}
	for _, f := range fields {
		parts = append(parts, fmt.Sprintf("%q: %s", f, examples[f]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func uses(rows []matrix.Field, integration string) (required, all []string) {
	for _, row := range rows {
		switch row.Level(integration) {
		case matrix.Required:
			required = append(required, row.Name)
			all = append(all, row.Name)
		case matrix.Supported:
			all = append(all, row.Name)
		}
	}
	return required, all
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func insight(r response, kind string) []string {
	in, _ := r.body["truto_error_insight"].(map[string]any)
	list, _ := in[kind].(map[string]any)
	var out []string
	for _, v := range list["value"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

// TestEveryIntegration: for both operations and every integration, a
// complete request succeeds and returns exactly the fields the
// integration's response matrix lists; each required field or query
// parameter left out gives a 400 naming it in truto_error_insight.
func TestEveryIntegration(t *testing.T) {
	e := newEnv(t, server.Options{})
	for _, op := range unified.Service.Operations {
		for _, id := range op.Integrations {
			t.Run(op.Method+"/"+id, func(t *testing.T) {
				required, all := uses(op.Request, id)
				requiredQuery, _ := uses(op.Query, id)
				query := ""
				if slices.Contains(requiredQuery, "collections") {
					query = "&collections[0][id]=123"
				}
				path := createPath(id, query)
				if op.Method == "update" {
					// Any integration implementing update also creates in
					// the local backend; make the user directly.
					user := storeUser(t, e.st, id)
					path = updatePath(id, user, query)
				}
				r := e.do(op.HTTPMethod, path, token, bodyOf(all))
				if r.status != op.SuccessStatus {
					t.Fatalf("complete request: %d %s", r.status, r.raw)
				}
				var want []string
				for _, f := range op.Response {
					if f.Level(id) != matrix.Unsupported {
						want = append(want, f.Name)
					}
				}
				// A field the integration returns but has no value for is
				// absent in the unified format.
				for _, k := range keys(r.body) {
					if !slices.Contains(want, k) {
						t.Errorf("response has %s, which %s does not return", k, id)
					}
				}
				for _, must := range []string{"id", "etag", "remote_data"} {
					if _, ok := r.body[must]; !ok {
						t.Errorf("response lacks %s: %s", must, r.raw)
					}
				}
				if h := r.header.Get("X-Ignored-Fields"); h != "" {
					t.Errorf("complete request ignored %s", h)
				}
				for _, missing := range required {
					rest := slices.DeleteFunc(slices.Clone(all), func(f string) bool { return f == missing })
					r := e.do(op.HTTPMethod, path, token, bodyOf(rest))
					if r.status != http.StatusBadRequest || !slices.Equal(insight(r, "missing_required_body_fields"), []string{missing}) || r.body["integration"] != id {
						t.Errorf("without %s: %d %s", missing, r.status, r.raw)
					}
				}
				for _, missing := range requiredQuery {
					p := createPath(id)
					if op.Method == "update" {
						p = updatePath(id, storeUser(t, e.st, id))
					}
					r := e.do(op.HTTPMethod, p, token, bodyOf(all))
					if r.status != http.StatusBadRequest || !slices.Equal(insight(r, "missing_required_query_parameters"), []string{missing}) {
						t.Errorf("without query %s: %d %s", missing, r.status, r.raw)
					}
				}
			})
		}
	}
}

// storeUser creates a user of integration's account directly in st.
func storeUser(tb testing.TB, st store.Store, integration string) string {
	tb.Helper()
	var id string
	_, _, err := st.Write(context.Background(), nil, func(tx store.Tx) (store.Saved, error) {
		u, err := tx.CreateRecord(accountOf(integration), "ticketing/users", []byte(`{"fields":{"name":"Seed"}}`), time.Now())
		id = u.ID
		return store.Saved{}, err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// TestTeamworkAnswersWithoutName: what the pages say a Teamwork create
// returns (id, avatar, first_name, last_name, not name) is what the client
// gets over HTTP, and the name it sent is named as ignored. (What each
// integration requires is checked against the pages in conformance.)
func TestTeamworkAnswersWithoutName(t *testing.T) {
	e := newEnv(t, server.Options{})
	r := e.do("POST", createPath("teamwork_project_management"), token, `{"name": "Jane Doe", "first_name": "Jane", "last_name": "Doe", "avatar": "https://x/a.png"}`)
	if r.status != 201 || r.body["name"] != nil || r.body["first_name"] != "Jane" || r.body["avatar"] != "https://x/a.png" || r.header.Get("X-Ignored-Fields") != "name" {
		t.Errorf("Teamwork: %d %v %s", r.status, r.header, r.raw)
	}
}

func TestAuthAndTenancy(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}]}`
	for _, c := range []struct {
		name, tok string
		header    []string
	}{{"no header", "", nil}, {"unknown token", "nope", nil}, {"basic auth", "", []string{"Authorization", "Basic dXNlcjpwYXNz"}}} {
		r := e.do("POST", createPath("dixa"), c.tok, body, c.header...)
		if r.status != 401 || r.header.Get("WWW-Authenticate") == "" || r.body["statusCode"] != float64(401) {
			t.Errorf("%s: %d %s", c.name, r.status, r.raw)
		}
	}
	// Another tenant's account looks exactly like a missing one.
	mine := e.do("POST", "/unified/ticketing/users?integrated_account_id="+otherAccount, token, body)
	missing := e.do("POST", "/unified/ticketing/users?integrated_account_id=00000000-0000-4000-8000-0000000000aa", token, body)
	if mine.status != 404 || missing.status != 404 ||
		strings.ReplaceAll(mine.body["message"].(string), otherAccount, "X") != strings.ReplaceAll(missing.body["message"].(string), "00000000-0000-4000-8000-0000000000aa", "X") {
		t.Errorf("isolation: %s vs %s", mine.raw, missing.raw)
	}
	if r := e.do("POST", "/unified/ticketing/users?integrated_account_id="+otherAccount, otherToken, body); r.status != 201 {
		t.Errorf("own account: %d %s", r.status, r.raw)
	}
	// Another tenant cannot update the first tenant's user either.
	created := e.do("POST", createPath("dixa"), token, body)
	r := e.do("PATCH", "/unified/ticketing/users/"+created.body["id"].(string)+"?integrated_account_id="+accountOf("dixa"), otherToken, `{"name": "y"}`)
	if r.status != 404 {
		t.Errorf("cross-tenant update: %d %s", r.status, r.raw)
	}
}

func TestQueryEncodings(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := bodyOf([]string{"name", "emails", "first_name", "last_name"})
	for _, q := range []string{
		"&truto_exclude_fields[]=first_name&truto_exclude_fields[]=last_name",
		"&truto_exclude_fields[0]=first_name&truto_exclude_fields[1]=last_name",
		"&truto_exclude_fields=first_name&truto_exclude_fields=last_name",
		"&truto_exclude_fields%5B%5D=first_name&truto_exclude_fields%5B%5D=last_name&remote_query[foo]=bar&remote_query[page][size]=10",
	} {
		r := e.do("POST", createPath("dixa", q), token, body)
		if r.status != 201 || r.body["first_name"] != nil || r.body["last_name"] != nil || r.body["name"] != "Jane Doe" {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
	pivotal := bodyOf([]string{"name", "emails"})
	for _, q := range []string{"&collections[0][id]=123", "&collections[][id]=123", "&collections%5B0%5D%5Bid%5D=123"} {
		if r := e.do("POST", createPath("pivotal_tracker", q), token, pivotal); r.status != 201 {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
	for _, c := range []struct{ path, param, msg string }{
		{"/unified/ticketing/users?integrated_account_id=not-a-uuid", "integrated_account_id", "must be a UUID"},
		{"/unified/ticketing/users", "integrated_account_id", "is required"},
		{createPath("dixa", "&truto_response_format=xml"), "truto_response_format", `\"xml\" is not one of`},
		{createPath("dixa", "&truto_ignore_remote_data=maybe"), "truto_ignore_remote_data", "must be true or false"},
		{createPath("dixa", "&truto_exclude_fields[0]=a&truto_exclude_fields[x]=b"), "truto_exclude_fields", "cannot also be"},
		{createPath("pivotal_tracker", "&collections[0][name]=x"), "collections[0].name", "is not a member"},
		{createPath("pivotal_tracker", "&collections[0][id]="), "collections[0].id", "at least 1 character long"},
		{createPath("pivotal_tracker", "&collections=5"), "collections", "must be a list of objects such as collections[0][key]=value"},
		{createPath("dixa", "&integrated_account_id="+accountOf("hive")), "integrated_account_id", "must be a single value, got a list"},
		{createPath("dixa", "&truto_exclude_fields[a]=b"), "truto_exclude_fields", "must be a list of values, got an object"},
	} {
		r := e.do("POST", c.path, token, pivotal)
		failures, _ := r.body["failures"].([]any)
		if r.status != 400 || len(failures) == 0 || failures[0].(map[string]any)["field"] != c.param {
			t.Errorf("%s: %d %s", c.path, r.status, r.raw)
		}
		if c.msg != "" && !strings.Contains(r.raw, c.msg) {
			t.Errorf("%s: message %s, want %q", c.path, r.raw, c.msg)
		}
	}
}

func TestBodyErrors(t *testing.T) {
	e := newEnv(t, server.Options{MaxBody: 1024})
	cases := []struct {
		name, body string
		header     []string
		status     int
		contains   string
	}{
		{"malformed", `{"name": "x",}`, nil, 400, "byte offset 13"},
		{"roles as a string", `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}], "roles": "owner"}`, nil, 400, `body field \"roles\": must be an array of objects such as [{\"id\": \"owner\"}], got string`},
		{"bad enum and missing at once", `{"emails": [{"email": "a@b.c", "type": "bogus"}]}`, nil, 400, `\"bogus\" is not one of`},
		{"too large", `{"name": "` + strings.Repeat("x", 2000) + `"}`, nil, 413, "larger than 1024 bytes"},
		{"form content type", `name=x`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "application/json"},
		{"unknown field", `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}], "nmae": 1}`, nil, 400, "not a field of the unified model"},
	}
	for _, c := range cases {
		r := e.do("POST", createPath("dixa"), token, c.body, c.header...)
		if r.status != c.status || !strings.Contains(r.raw, c.contains) {
			t.Errorf("%s: %d %s", c.name, r.status, r.raw)
		}
	}
	// A schema failure of a field is not repeated as "required by Dixa".
	r := e.do("POST", createPath("dixa"), token, `{"name": 5, "emails": [{"email": "a@b.c", "type": "primary"}]}`)
	if failures := r.body["failures"].([]any); len(failures) != 1 {
		t.Errorf("name: 5 gives %s", r.raw)
	}
	// An integration without the method: 405, and Allow says what the
	// integration has at that URL (nothing: Gorgias only creates).
	if r := e.do("PATCH", updatePath("gorgias", "x"), token, `{}`); r.status != 405 || r.header.Get("Allow") != "" ||
		!strings.Contains(r.raw, "Gorgias does not implement ticketing/users update") || r.body["integration"] != "gorgias" {
		t.Errorf("update on Gorgias: %d %v %s", r.status, r.header, r.raw)
	}
}

func TestUnsupportedFieldsAndStrict(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}], "status": "active", "nick_name": "n"}`
	r := e.do("POST", createPath("dixa", "&collections[0][id]=1"), token, body)
	if r.status != 201 || r.header.Get("X-Ignored-Fields") != "nick_name, status" || r.header.Get("X-Ignored-Query-Parameters") != "collections" {
		t.Errorf("lenient: %d %v %s", r.status, r.header, r.raw)
	}
	if rd := r.body["remote_data"].(map[string]any); rd["nick_name"] != nil || rd["status"] != nil {
		t.Errorf("ignored fields reached the backend: %s", r.raw)
	}
	r = e.do("POST", createPath("dixa"), token, body, "Prefer", "handling=strict")
	if r.status != 400 || !strings.Contains(r.raw, `"rule":"unsupported"`) || !strings.Contains(r.raw, "nick_name") {
		t.Errorf("strict: %d %s", r.status, r.raw)
	}
}

func TestUpdateMergesAndFormats(t *testing.T) {
	e := newEnv(t, server.Options{})
	created := e.do("POST", createPath("dixa"), token, `{"name": "Jane", "emails": [{"email": "a@b.c", "type": "primary"}], "first_name": "J", "remote_data": {"vendor_flag": true}}`)
	if created.status != 201 || created.body["etag"] != `W/"1"` {
		t.Fatalf("create: %d %s", created.status, created.raw)
	}
	id := created.body["id"].(string)
	r := e.do("PATCH", updatePath("dixa", id), token, `{"name": "Jane Doe", "remote_data": {"extra": 1}}`)
	if r.status != 200 || r.body["name"] != "Jane Doe" || r.body["first_name"] != "J" || r.body["etag"] != `W/"2"` || r.body["created_at"] != created.body["created_at"] {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	rd := r.body["remote_data"].(map[string]any)
	if rd["vendor_flag"] != true || rd["extra"] != float64(1) || rd["id"] != id {
		t.Errorf("remote_data merge: %s", r.raw)
	}
	if r := e.do("PATCH", updatePath("dixa", "no-such-user"), token, `{"name": "x"}`); r.status != 404 {
		t.Errorf("unknown user: %d %s", r.status, r.raw)
	}
	raw := e.do("PATCH", updatePath("dixa", id, "&truto_response_format=raw"), token, `{"name": "Jane Doe"}`)
	if raw.body["vendor_flag"] != true || raw.body["etag"] != nil {
		t.Errorf("raw: %s", raw.raw)
	}
	norm := e.do("PATCH", updatePath("dixa", id, "&truto_response_format=normalized"), token, `{"name": "Jane Doe"}`)
	if _, ok := norm.body["avatar"]; !ok || norm.body["avatar"] != nil || norm.body["remote_data"] != nil {
		t.Errorf("normalized: %s", norm.raw)
	}
	stream := e.do("PATCH", updatePath("dixa", id, "&truto_response_format=stream&truto_ignore_remote_data=true"), token, `{"name": "Jane Doe"}`)
	if stream.header.Get("Content-Type") != "application/x-ndjson" || stream.body["remote_data"] != nil || stream.body["name"] != "Jane Doe" {
		t.Errorf("stream: %v %s", stream.header, stream.raw)
	}
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}]}`
	first := e.do("POST", createPath("dixa"), token, body, "Idempotency-Key", "k1")
	again := e.do("POST", createPath("dixa"), token, body, "Idempotency-Key", "k1")
	if first.status != 201 || again.status != 201 || first.raw != again.raw || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %s / %s", first.raw, again.raw)
	}
	if n, _ := e.st.Count(context.Background(), accountOf("dixa"), "ticketing/users"); n != 1 {
		t.Errorf("replay created %d users", n)
	}
	if first.header.Get("ETag") != `W/"1"` || again.header.Get("ETag") != `W/"1"` {
		t.Errorf("ETag %q, replayed %q", first.header.Get("ETag"), again.header.Get("ETag"))
	}
	// A key reused with another request is the IETF draft's 422, not a
	// 409 (which Truto's clients read as a provider conflict and retry).
	other := e.do("POST", createPath("dixa"), token, `{"name": "y", "emails": [{"email": "a@b.c", "type": "primary"}]}`, "Idempotency-Key", "k1")
	if other.status != 422 || !strings.Contains(other.raw, "already used with a different request") {
		t.Errorf("same key, other body: %d %s", other.status, other.raw)
	}
	// Keys are per tenant.
	if r := e.do("POST", "/unified/ticketing/users?integrated_account_id="+otherAccount, otherToken, body, "Idempotency-Key", "k1"); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("other tenant's key: %d %s", r.status, r.raw)
	}
}

func TestMetaOpenAPIHealth(t *testing.T) {
	e := newEnv(t, server.Options{})
	r := e.do("GET", "/unified/ticketing/users/meta/create?integrated_account_id="+accountOf("qualtrics_corexm"), token, "")
	in, _ := r.body["integration"].(map[string]any)
	if r.status != 200 || in == nil || fmt.Sprint(in["required_body_fields"]) != "[emails first_name languages last_name password user_type username]" {
		t.Fatalf("meta: %d %s", r.status, r.raw)
	}
	schema := r.body["request_body_schema"].(map[string]any)
	emails := schema["properties"].(map[string]any)["emails"].(map[string]any)
	if emails["items"].(map[string]any)["required"] == nil {
		t.Errorf("components are not inlined: %v", emails)
	}
	if r := e.do("GET", "/unified/ticketing/users/meta/delete", token, ""); r.status != 404 ||
		!strings.Contains(r.raw, `ticketing/users has no method \"delete\"; it has create (POST /unified/ticketing/users), update (PATCH /unified/ticketing/users/{id})`) {
		t.Errorf("unknown method: %d %s", r.status, r.raw)
	}
	r = e.do("GET", "/openapi.yaml", "", "")
	if r.status != 200 || !strings.HasPrefix(r.raw, "openapi: 3.0.3") {
		t.Errorf("openapi: %d", r.status)
	}
	if r := e.do("GET", "/healthz", "", ""); r.status != 200 || r.body["status"] != "ok" {
		t.Errorf("health: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/nope", token, ""); r.status != 404 || r.body["statusCode"] != float64(404) {
		t.Errorf("unknown route: %d %s", r.status, r.raw)
	}
}

// TestRateLimit: a tenant's burst, then 429 with the time until the next
// request as Retry-After. On PostgreSQL the requests alternate between two
// replicas on one database, which share the limit.
func TestRateLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, eng storetest.Engine) {
		dsn := eng.DSN(t)
		opt := server.Options{Rate: 0.5, Burst: 2}
		h, _ := handlerOn(t, dsn, opt, true)
		replicas := []*env{{t: t, srv: httptest.NewServer(h)}}
		if eng.Name == "postgres" {
			h2, _ := handlerOn(t, dsn, opt, false)
			replicas = append(replicas, &env{t: t, srv: httptest.NewServer(h2)})
		}
		var statuses []int
		for i := range 6 {
			e := replicas[i%len(replicas)]
			r := e.do("GET", "/unified/ticketing/users/meta/create", token, "")
			statuses = append(statuses, r.status)
			if r.status == 429 {
				// 0.5 per second: the next request in about 2 s.
				if ra := r.header.Get("Retry-After"); ra != "2" && ra != "1" {
					t.Errorf("Retry-After %q, want 2 (or 1)", ra)
				}
			}
		}
		for _, e := range replicas {
			e.srv.Close()
		}
		if !slices.Equal(statuses, []int{200, 200, 429, 429, 429, 429}) {
			t.Errorf("statuses %v", statuses)
		}
	})
}
