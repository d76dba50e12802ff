package server_test

// Contract tests: one per problem the outside attack found, each checking
// the answer spec/DECISIONS.md and the README ("What the service does with
// a request") promise. The server before the pipeline was rewritten
// (e8a0208, internal/httpapi) answered each of them otherwise: it returned
// and stored the password, let every concurrent If-Match win, answered 409,
// 422 and 404 where these expect 422, 405 and 405, sent Retry-After: 1 and
// limited neither accounts nor bad tokens, ignored the comma form and
// undeclared parameters, read gzip bytes as JSON and took a br body as
// plain JSON, accepted duplicate members in remote_data, logged a read
// timeout as 400, blamed a full disk on the integration with a 502, and
// refused collections[0][type]. TestSmallBodyMemory failed on the
// rewritten server until readBody stopped reserving a MaxBody buffer for
// every body of unknown length.

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/runtime/server"
)

// syncBuffer is a bytes.Buffer for a logger written from several
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// try is env.do for other goroutines: it reports a failed round trip
// instead of stopping the test.
func (e *env) try(method, path, tok, body string, headers ...string) (response, error) {
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r, err
}

// serveInProcess sends one request through h without a socket.
func serveInProcess(h http.Handler, method, target string, body io.Reader, contentLength int64, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	req.ContentLength = contentLength
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// firstFailure is the first entry of an error body's failures.
func firstFailure(r response) map[string]any {
	f, _ := r.body["failures"].([]any)
	if len(f) == 0 {
		return nil
	}
	m, _ := f[0].(map[string]any)
	return m
}

// pinned is a clock that does not move: token buckets never refill, so
// what a limiter answers does not depend on how fast the test runs.
func pinned() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }

const qualtricsCreate = `{"emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe",
 "languages": ["en"], "password": "hunter2", "user_type": "standard", "username": "jane.doe",
 "remote_data": {"password": "hunter2", "marker": "kept-in-remote-data"}}`

// TestWriteOnlyPassword: a Qualtrics CoreXM create's password (a
// write-only field), and a remote_data member of the same name, are in no
// response of any format, no replay, no metadata document, no log line,
// and nowhere in the database: not in any row of any table, not in the
// bytes of the database file or its WAL. The database file is private.
func TestWriteOnlyPassword(t *testing.T) {
	const secret = "hunter2"
	sum := sha256.Sum256([]byte(secret))
	forms := []string{secret, hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString([]byte(secret))}
	db := filepath.Join(t.TempDir(), "private.db")
	logs := &syncBuffer{}
	h, st := handlerWith(t, server.Options{}, setup{dbPath: db, log: slog.New(slog.NewJSONHandler(logs, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, st: st}

	leaks := func(what string, r response) {
		t.Helper()
		if strings.Contains(r.raw, secret) || strings.Contains(r.raw, `"password"`) {
			t.Errorf("%s shows the password: %s", what, r.raw)
		}
		for name, values := range r.header {
			if strings.Contains(strings.Join(values, ","), secret) {
				t.Errorf("%s: header %s shows the password", what, name)
			}
		}
	}
	for _, format := range []string{"", "unified", "raw", "normalized", "stream"} {
		q := ""
		if format != "" {
			q = "&truto_response_format=" + format
		}
		r := e.do("POST", createPath("qualtrics_corexm", q), token, qualtricsCreate)
		if r.status != http.StatusCreated {
			t.Fatalf("create, format %q: %d %s", format, r.status, r.raw)
		}
		leaks("create, format "+strconv.Quote(format), r)
		// The rest of remote_data is kept: the password is dropped, not
		// the whole object.
		if (format == "" || format == "raw" || format == "stream") && !strings.Contains(r.raw, "kept-in-remote-data") {
			t.Errorf("format %q lost the rest of remote_data: %s", format, r.raw)
		}
	}
	first := e.do("POST", createPath("qualtrics_corexm"), token, qualtricsCreate, "Idempotency-Key", "write-only-1")
	again := e.do("POST", createPath("qualtrics_corexm"), token, qualtricsCreate, "Idempotency-Key", "write-only-1")
	if first.status != 201 || again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d, then %d %v", first.status, again.status, again.header)
	}
	leaks("first response with a key", first)
	leaks("replay", again)
	for _, path := range []string{
		"/unified/ticketing/users/meta/create",
		"/unified/ticketing/users/meta/create?integrated_account_id=" + accountOf("qualtrics_corexm"),
		"/unified/ticketing/users/meta/update",
		"/unified/ticketing/users/meta/update?integrated_account_id=" + accountOf("dixa"),
	} {
		r := e.do("GET", path, token, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
		if strings.Contains(r.raw, secret) {
			t.Errorf("%s shows a password value: %s", path, r.raw)
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the log shows the password: %s", logs.String())
	}

	// The database, every row of every table, while the server runs.
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tables, err := conn.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	markers := 0
	for _, table := range names {
		rows, err := conn.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				cell := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					cell = string(b)
				}
				for _, f := range forms {
					if strings.Contains(cell, f) {
						t.Errorf("table %s, column %s holds %q: %.300s", table, cols[i], f, cell)
					}
				}
				if strings.Contains(cell, "kept-in-remote-data") {
					markers++
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	// The scan sees what is stored: the users (6 creates, one of them
	// replayed) and the saved response of the key.
	if markers < 6 {
		t.Errorf("the scan of %v found the rest of remote_data %d times; want it in every stored user", names, markers)
	}
	// And the bytes of the files, free pages and the WAL included.
	for _, f := range []string{db, db + "-wal"} {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && f != db {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range forms {
			if bytes.Contains(data, []byte(form)) {
				t.Errorf("%s holds %q", filepath.Base(f), form)
			}
		}
	}
	// A backend that returns the password (a provider echoing it back):
	// the pipeline still shows it nowhere.
	h2, st2 := handlerWith(t, server.Options{}, setup{wrap: func(b backend.Backend) backend.Backend { return echoPassword{b} }})
	srv2 := httptest.NewServer(h2)
	t.Cleanup(srv2.Close)
	e2 := &env{t: t, srv: srv2, st: st2}
	for _, format := range []string{"unified", "raw", "normalized", "stream"} {
		r := e2.do("POST", createPath("qualtrics_corexm", "&truto_response_format="+format), token, qualtricsCreate, "Idempotency-Key", "echo-"+format)
		if r.status != http.StatusCreated {
			t.Fatalf("create, echoing backend, format %s: %d %s", format, r.status, r.raw)
		}
		leaks("create with an echoing backend, format "+format, r)
		replay := e2.do("POST", createPath("qualtrics_corexm", "&truto_response_format="+format), token, qualtricsCreate, "Idempotency-Key", "echo-"+format)
		leaks("replay with an echoing backend, format "+format, replay)
	}

	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	if fi, err := os.Stat(db + "-wal"); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("WAL file mode %v; want 0600", fi.Mode().Perm())
	}
}

// echoPassword is a backend whose records carry the password it was
// given, in the provider's record and in the unified one.
type echoPassword struct{ backend.Backend }

func (e echoPassword) Do(ctx context.Context, c *backend.Call) (backend.Result, error) {
	res, err := e.Backend.Do(ctx, c)
	if err == nil {
		res.Record.Remote["password"] = "hunter2"
		res.Record.Unified["password"] = "hunter2"
	}
	return res, err
}

// TestIfMatch: ten concurrent PATCHes sharing one If-Match cannot all
// win; a list of tags and * are understood, a malformed tag is a 400
// naming the header. (There is no get in the seed spec: If-None-Match and
// its 304 are tested by examples/crm, cmd/crmapi/main_test.go.)
func TestIfMatch(t *testing.T) {
	e := newEnv(t, server.Options{})
	created := e.do("POST", createPath("dixa"), token, string(dixaBody(`"Jane"`)))
	tag := created.header.Get("ETag")
	if created.status != 201 || tag != `W/"1"` {
		t.Fatalf("create: %d %q %s", created.status, tag, created.raw)
	}
	id := created.body["id"].(string)

	const writers = 10
	results := make([]response, writers)
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			results[i], errs[i] = e.try("PATCH", updatePath("dixa", id), token, fmt.Sprintf(`{"name": "writer %d"}`, i), "If-Match", tag)
		})
	}
	close(start)
	wg.Wait()
	won, lost := 0, 0
	for i, r := range results {
		switch {
		case errs[i] != nil:
			t.Fatalf("writer %d: %v", i, errs[i])
		case r.status == 200:
			won++
			if r.header.Get("ETag") != `W/"2"` || r.body["name"] != fmt.Sprintf("writer %d", i) {
				t.Errorf("the winner: ETag %q, %s", r.header.Get("ETag"), r.raw)
			}
		case r.status == 412:
			lost++
			if !strings.Contains(r.raw, "has changed since the version If-Match names") {
				t.Errorf("412 message: %s", r.raw)
			}
		default:
			t.Errorf("writer %d: %d %s", i, r.status, r.raw)
		}
	}
	if won != 1 || lost != writers-1 {
		t.Fatalf("%d PATCHes with If-Match %s: %d succeeded, %d got 412; want 1 and %d", writers, tag, won, lost, writers-1)
	}

	patch := func(ifMatch string) response {
		t.Helper()
		return e.do("PATCH", updatePath("dixa", id), token, `{"name": "x"}`, "If-Match", ifMatch)
	}
	for _, c := range []struct {
		ifMatch string
		status  int
		etag    string
	}{
		{`W/"1"`, 412, ""},                 // stale
		{`W/"7", W/"2"`, 200, `W/"3"`},     // a list naming the current version
		{`W/"1", W/"2"`, 412, ""},          // a list of stale versions
		{`"3"`, 200, `W/"4"`},              // the strong form of the same tag
		{`*`, 200, `W/"5"`},                // any version
		{` W/"9" ,  W/"5" `, 200, `W/"6"`}, // white space around list members
	} {
		r := patch(c.ifMatch)
		if r.status != c.status || r.header.Get("ETag") != c.etag {
			t.Errorf("If-Match %s: %d ETag %q %s; want %d ETag %q", c.ifMatch, r.status, r.header.Get("ETag"), r.raw, c.status, c.etag)
		}
	}
	for _, bad := range []string{`6`, `W/6`, `W/"six"`, `"6`, `W/"6", 7`, `W/"0"`} {
		r := patch(bad)
		f := firstFailure(r)
		if r.status != 400 || f["location"] != "header" || f["field"] != "If-Match" || !strings.Contains(r.body["message"].(string), "If-Match") {
			t.Errorf("If-Match %s: %d %s; want 400 naming the header", bad, r.status, r.raw)
		}
	}
	// None of the malformed ones wrote: the record is still at version 6.
	if r := patch(`W/"6"`); r.status != 200 || r.header.Get("ETag") != `W/"7"` {
		t.Errorf("after the malformed If-Match: %d %q %s", r.status, r.header.Get("ETag"), r.raw)
	}
}

// TestStatuses: the statuses spec/DECISIONS.md ("Status codes",
// "Idempotency-Key reuse") settles.
func TestStatuses(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()

	// An Idempotency-Key reused with another body: 422 (409 is Truto's
	// provider conflict, which its SDK retries at once).
	if r := e.do("POST", createPath("hive"), token, `{"emails": [{"email": "a@b.c", "type": "primary"}]}`, "Idempotency-Key", "reused"); r.status != 201 {
		t.Fatalf("first use of the key: %d %s", r.status, r.raw)
	}
	r := e.do("POST", createPath("hive"), token, `{"emails": [{"email": "other@b.c", "type": "primary"}]}`, "Idempotency-Key", "reused")
	if r.status != 422 || r.body["statusCode"] != float64(422) || !strings.Contains(r.raw, `Idempotency-Key \"reused\" was already used with a different request`) {
		t.Errorf("key reused with another body: %d %s; want 422", r.status, r.raw)
	}
	if n, _ := e.st.Count(ctx, accountOf("hive"), "ticketing/users"); n != 1 {
		t.Errorf("the reused key created %d users; want 1", n)
	}

	// An operation the account's integration does not implement: 405,
	// with Allow (what the integration has at that URL: nothing here).
	for _, c := range []struct{ method, path, integration, msg string }{
		{"PATCH", updatePath("gorgias", "123"), "gorgias", "Gorgias does not implement ticketing/users update (PATCH /unified/ticketing/users/{id})"},
		{"POST", createPath("surveysparrow_ticket_management"), "surveysparrow_ticket_management", "SurveySparrow Ticket Management does not implement ticketing/users create (POST /unified/ticketing/users)"},
	} {
		r := e.do(c.method, c.path, token, `{"name": "x"}`)
		allow, present := r.header["Allow"]
		if r.status != 405 || !present || len(allow) != 1 || allow[0] != "" || r.body["integration"] != c.integration || !strings.Contains(r.raw, c.msg) {
			t.Errorf("%s %s: %d Allow %q (present %v) %s", c.method, c.integration, r.status, allow, present, r.raw)
		}
	}

	// A method the resource does not have: 405 naming its methods.
	const has = "it has create (POST /unified/ticketing/users), update (PATCH /unified/ticketing/users/{id})"
	for _, c := range []struct{ method, path, allow string }{
		{"GET", "/unified/ticketing/users", "POST"},
		{"GET", createPath("dixa"), "POST"},
		{"DELETE", "/unified/ticketing/users", "POST"},
		{"DELETE", "/unified/ticketing/users/123", "PATCH"},
		{"GET", updatePath("dixa", "123"), "PATCH"},
		{"PUT", "/unified/ticketing/users/123", "PATCH"},
	} {
		r := e.do(c.method, c.path, token, "")
		if r.status != 405 || r.header.Get("Allow") != c.allow || !strings.Contains(r.raw, "is not a method of ticketing/users; "+has) {
			t.Errorf("%s %s: %d Allow %q %s; want 405 Allow %q", c.method, c.path, r.status, r.header.Get("Allow"), r.raw, c.allow)
		}
	}

	// An unknown resource: 404 naming the resources.
	for _, path := range []string{"/unified/ticketing/tickets", "/unified/ticketing/tickets/123?integrated_account_id=" + accountOf("dixa"), "/unified/crm/users"} {
		r := e.do("GET", path, token, "")
		if r.status != 404 || !strings.Contains(r.raw, "the resources are /unified/ticketing/users") {
			t.Errorf("GET %s: %d %s; want 404 naming /unified/ticketing/users", path, r.status, r.raw)
		}
	}
}

// TestRateLimits: Retry-After is what the limiter says, not a constant;
// each integrated account has a bucket of its own besides its tenant's;
// bad tokens are limited per client address without locking out the
// address's good tokens.
func TestRateLimits(t *testing.T) {
	meta := "/unified/ticketing/users/meta/create"
	t.Run("retry after", func(t *testing.T) {
		e := newEnv(t, server.Options{Rate: 0.2, Burst: 1, Now: pinned})
		if r := e.do("GET", meta, token, ""); r.status != 200 {
			t.Fatalf("first request: %d %s", r.status, r.raw)
		}
		r := e.do("GET", meta, token, "")
		in, _ := r.body["truto_error_insight"].(map[string]any)
		note, _ := in["rate_limit_error"].(map[string]any)
		if r.status != 429 || r.header.Get("Retry-After") != "5" || note == nil || !strings.Contains(fmt.Sprint(note["description"]), "tenant one") {
			t.Errorf("second request at 0.2/s: %d Retry-After %q %s; want 429, Retry-After 5, rate_limit_error naming the tenant", r.status, r.header.Get("Retry-After"), r.raw)
		}
	})

	t.Run("per account", func(t *testing.T) {
		// The tenant may send 8 at once, each account 2.
		e := newEnv(t, server.Options{Rate: 1, Burst: 8, AccountRate: 0.5, AccountBurst: 2, Now: pinned})
		create := func(integration string) response {
			t.Helper()
			return e.do("POST", createPath(integration), token, `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}]}`)
		}
		for _, integration := range []string{"dixa", "hive"} {
			for i := range 2 {
				if r := create(integration); r.status != 201 {
					t.Fatalf("%s create %d of its burst: %d %s", integration, i+1, r.status, r.raw)
				}
			}
			r := create(integration)
			if r.status != 429 || r.header.Get("Retry-After") != "2" || r.body["integration"] != integration ||
				!strings.Contains(r.raw, "integrated account "+accountOf(integration)+" is limited to 0.5 requests per second") {
				t.Errorf("%s past its burst: %d Retry-After %q %s; want the account's 429", integration, r.status, r.header.Get("Retry-After"), r.raw)
			}
		}
		// Six of the tenant's eight are spent (the refused ones count:
		// they reached the service); two remain, then the tenant's 429.
		for i := range 2 {
			if r := e.do("GET", meta, token, ""); r.status != 200 {
				t.Fatalf("tenant request %d: %d %s", 7+i, r.status, r.raw)
			}
		}
		if r := e.do("GET", meta, token, ""); r.status != 429 || !strings.Contains(r.raw, "tenant one is limited to 1 requests per second") {
			t.Errorf("tenant past its burst: %d %s", r.status, r.raw)
		}
	})

	t.Run("failed authentications", func(t *testing.T) {
		// 1 failure per second, a burst of 10, per address; tenant and
		// account limits off.
		e := newEnv(t, server.Options{AuthFailures: 1, Now: pinned})
		for i := range 10 {
			tok := "wrong-token-" + strconv.Itoa(i)
			if i%2 == 1 {
				tok = "" // no token counts as a failure too
			}
			if r := e.do("GET", meta, tok, ""); r.status != 401 {
				t.Fatalf("bad token %d: %d %s", i+1, r.status, r.raw)
			}
		}
		for _, tok := range []string{"wrong-token-x", ""} {
			r := e.do("GET", meta, tok, "")
			if r.status != 429 || r.header.Get("Retry-After") != "1" || !strings.Contains(r.raw, "missing or invalid API token from this address") {
				t.Errorf("bad token %q past the burst: %d %q %s", tok, r.status, r.header.Get("Retry-After"), r.raw)
			}
		}
		// A valid token from the same address still works, and does not
		// reset the address's failures.
		if r := e.do("POST", createPath("dixa"), token, `{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}]}`); r.status != 201 {
			t.Errorf("valid token from a limited address: %d %s", r.status, r.raw)
		}
		if r := e.do("GET", meta, "wrong-token-y", ""); r.status != 429 {
			t.Errorf("bad token after a good one: %d", r.status)
		}
	})
}

// TestQueryParameters: the comma form of truto_exclude_fields, and
// parameters the operation does not declare named like those the
// integration does not use.
func TestQueryParameters(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := bodyOf([]string{"name", "emails", "first_name", "last_name"})
	for _, q := range []string{
		"&truto_exclude_fields=first_name,last_name",
		"&truto_exclude_fields=first_name%2Clast_name",
		"&truto_exclude_fields=first_name,%20last_name",
		"&truto_exclude_fields[]=first_name,last_name&truto_exclude_fields[]=remote_data",
	} {
		r := e.do("POST", createPath("dixa", q), token, body)
		_, first := r.body["first_name"]
		_, last := r.body["last_name"]
		if r.status != 201 || first || last || r.body["name"] != "Jane Doe" || r.header.Get("X-Ignored-Query-Parameters") != "" {
			t.Errorf("%s: %d %v %s", q, r.status, r.header, r.raw)
		}
	}

	r := e.do("POST", createPath("dixa", "&limit=5&next_cursor=abc&truto_key_by=id&_=1732262400&collections[0][id]=1"), token, body)
	ignored := strings.Split(r.header.Get("X-Ignored-Query-Parameters"), ", ")
	slices.Sort(ignored)
	if want := []string{"_", "collections", "limit", "next_cursor", "truto_key_by"}; r.status != 201 || !slices.Equal(ignored, want) {
		t.Errorf("undeclared parameters: %d X-Ignored-Query-Parameters %q; want %v", r.status, r.header.Get("X-Ignored-Query-Parameters"), want)
	}
	if r.header.Get("X-Ignored-Fields") != "" {
		t.Errorf("X-Ignored-Fields %q", r.header.Get("X-Ignored-Fields"))
	}
}

// countingReader counts what the server read of a request body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func compress(t *testing.T, coding string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
	case "zlib": // HTTP's "deflate" (RFC 9110 8.4.1.2)
		w, _ = zlib.NewWriterLevel(&b, zlib.BestCompression)
	case "raw deflate": // what some clients send as "deflate"
		w, _ = flate.NewWriter(&b, flate.BestCompression)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCompressedBodies: gzip and deflate bodies are decoded, their size
// limit applies after decompression without inflating a bomb, other
// encodings are refused without reading the body as JSON, and duplicate
// members of free-form objects are refused.
func TestCompressedBodies(t *testing.T) {
	const maxBody = 64 << 10
	h, st := handlerAndStore(t, server.Options{MaxBody: maxBody})
	body := dixaBody(`"Compressed Jane"`)

	for _, c := range []struct{ coding, header string }{
		{"gzip", "gzip"}, {"gzip", "x-gzip"}, {"gzip", "GZIP"}, {"zlib", "deflate"}, {"raw deflate", "deflate"},
	} {
		z := compress(t, c.coding, body)
		for _, length := range []int64{int64(len(z)), -1} {
			rec := serveInProcess(h, "POST", createPath("dixa"), bytes.NewReader(z), length, "Content-Encoding", c.header)
			if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"name":"Compressed Jane"`) {
				t.Errorf("%s as Content-Encoding %s, length %d: %d %s", c.coding, c.header, length, rec.Code, rec.Body)
			}
		}
	}
	// Content-Encoding as a list, or in two header lines, the one coding
	// besides identity applies; it is never read past.
	z := compress(t, "gzip", body)
	for _, header := range [][]string{
		{"Content-Encoding", "identity, gzip"},
		{"Content-Encoding", "identity", "Content-Encoding", "gzip"},
	} {
		if rec := serveInProcess(h, "POST", createPath("dixa"), bytes.NewReader(z), int64(len(z)), header...); rec.Code != 201 {
			t.Errorf("%q: %d %s", header, rec.Code, rec.Body)
		}
	}

	// A bomb: 32 MiB of zeros, 32 KiB compressed (less than MaxBody, so
	// only the decompressed size can refuse it). It is refused after at
	// most MaxBody decompressed bytes: little of the compressed stream is
	// read, and far less than 32 MiB is allocated.
	bomb := compress(t, "gzip", make([]byte, 32<<20))
	if len(bomb) >= maxBody {
		t.Fatalf("the bomb is %d bytes compressed", len(bomb))
	}
	for _, length := range []int64{int64(len(bomb)), -1} {
		src := &countingReader{r: bytes.NewReader(bomb)}
		var before, after runtimeMem
		before.read()
		rec := serveInProcess(h, "POST", createPath("dixa"), src, length, "Content-Encoding", "gzip")
		after.read()
		if rec.Code != 413 || !strings.Contains(rec.Body.String(), "larger than 65536 bytes") {
			t.Errorf("gzip bomb, length %d: %d %s", length, rec.Code, rec.Body)
		}
		if n := src.n.Load(); n > int64(len(bomb))/4 {
			t.Errorf("gzip bomb, length %d: the server read %d of its %d compressed bytes; MaxBody decompressed is about %d", length, n, len(bomb), maxBody/1024)
		}
		if grew := after.total - before.total; grew > 8<<20 {
			t.Errorf("gzip bomb, length %d: %d bytes allocated to refuse it", length, grew)
		}
	}

	// Other codings: 415 naming the accepted ones, whatever the body is;
	// a valid JSON body sent with an unknown coding is not taken as JSON.
	for _, header := range [][]string{
		{"Content-Encoding", "br"},
		{"Content-Encoding", "compress"},
		{"Content-Encoding", "gzip, br"},
		{"Content-Encoding", "gzip, gzip"},
		{"Content-Encoding", "gzip", "Content-Encoding", "deflate"},
	} {
		for _, b := range [][]byte{body, z} {
			rec := serveInProcess(h, "POST", createPath("dixa"), bytes.NewReader(b), int64(len(b)), header...)
			msg := rec.Body.String()
			if rec.Code != 415 || !strings.Contains(msg, "gzip") || !strings.Contains(msg, "deflate") || rec.Header().Get("Accept-Encoding") != "gzip, deflate" {
				t.Errorf("%q: %d %v %s; want 415 naming gzip and deflate", header, rec.Code, rec.Header(), msg)
			}
		}
	}
	if n, _ := st.Count(context.Background(), accountOf("dixa"), "ticketing/users"); n != 12 {
		t.Errorf("%d users stored; want the 12 decoded creates", n)
	}

	// Duplicate members inside remote_data (and custom_fields) are a
	// failure like anywhere else in the body, not resolved silently.
	for _, c := range []struct{ integration, body, field string }{
		{"dixa", `{"name": "x", ` + validEmails + `, "remote_data": {"role": "user", "role": "admin"}}`, "remote_data.role"},
		{"dixa", `{"name": "x", ` + validEmails + `, "remote_data": {"a": {"b": 1, "c": [{"d": 1, "d": 2}]}}}`, "remote_data.a.c[0].d"},
		{"planhat", `{` + validEmails + `, "first_name": "a", "last_name": "b", "nick_name": "n", "custom_fields": {"tier": 1, "tier": 2}}`, "custom_fields.tier"},
	} {
		rec := serveInProcess(h, "POST", createPath(c.integration), strings.NewReader(c.body), int64(len(c.body)))
		var r response
		r.status, r.raw = rec.Code, rec.Body.String()
		_ = json.Unmarshal(rec.Body.Bytes(), &r.body)
		f := firstFailure(r)
		if r.status != 400 || f["rule"] != "duplicate" || f["field"] != c.field {
			t.Errorf("%s: %d %s; want 400 rule duplicate at %s", c.body, r.status, r.raw, c.field)
		}
	}
}

// TestBodyBudget: bodies in flight share a budget; a body that does not
// fit while another holds it is answered 503 with Retry-After, unread.
func TestBodyBudget(t *testing.T) {
	const size = 40 << 10
	h, _ := handlerAndStore(t, server.Options{MaxBody: 64 << 10, BodyBudget: 64 << 10})
	body := padded(size)

	// The first request's body arrives slowly: it holds its reservation
	// (its Content-Length) while the handler waits for the rest.
	pr, pw := io.Pipe()
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- serveInProcess(h, "POST", createPath("dixa"), pr, size) }()
	if _, err := pw.Write(body[:100]); err != nil { // returns once the handler read it
		t.Fatal(err)
	}
	for _, length := range []int64{size, -1} {
		src := &countingReader{r: bytes.NewReader(body)}
		rec := serveInProcess(h, "POST", createPath("dixa"), src, length)
		if rec.Code != 503 || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "too many large bodies") {
			t.Errorf("second body, length %d, while the first is read: %d %v %s", length, rec.Code, rec.Header(), rec.Body)
		}
		if n := src.n.Load(); n != 0 {
			t.Errorf("second body, length %d: %d bytes read before refusing it", length, n)
		}
	}
	// Small bodies still fit beside the first.
	if rec := serveInProcess(h, "POST", createPath("dixa"), bytes.NewReader(dixaBody(`"small"`)), int64(len(dixaBody(`"small"`)))); rec.Code != 201 {
		t.Errorf("a small body beside the first: %d %s", rec.Code, rec.Body)
	}
	if _, err := pw.Write(body[100:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if rec := <-done; rec.Code != 201 {
		t.Fatalf("the slow body: %d %s", rec.Code, rec.Body)
	}
	// Its reservation is back.
	if rec := serveInProcess(h, "POST", createPath("dixa"), bytes.NewReader(body), size); rec.Code != 201 {
		t.Errorf("after the first body was read: %d %s", rec.Code, rec.Body)
	}
}

// TestSmallBodyMemory: a small body costs about its size, not MaxBody,
// whether its length is declared or not, compressed or not (a chunked or
// compressed body used to get a buffer of MaxBody).
func TestSmallBodyMemory(t *testing.T) {
	const maxBody = 32 << 20
	h, _ := handlerAndStore(t, server.Options{MaxBody: maxBody})
	body := dixaBody(`"small"`)
	z := compress(t, "gzip", body)
	for _, c := range []struct {
		name   string
		body   []byte
		length int64
		header []string
	}{
		{"declared length", body, int64(len(body)), nil},
		{"chunked", body, -1, nil},
		{"gzip", z, int64(len(z)), []string{"Content-Encoding", "gzip"}},
		{"gzip, chunked", z, -1, []string{"Content-Encoding", "gzip"}},
	} {
		var before, after runtimeMem
		before.read()
		rec := serveInProcess(h, "POST", createPath("dixa"), bytes.NewReader(c.body), c.length, c.header...)
		after.read()
		if rec.Code != 201 {
			t.Fatalf("%s: %d %s", c.name, rec.Code, rec.Body)
		}
		if grew := after.total - before.total; grew > 2<<20 {
			t.Errorf("%s: a %d-byte body allocated %d bytes (MaxBody %d)", c.name, len(c.body), grew, maxBody)
		}
	}
}

// TestBodyReadTimeout: a body trickled past the server's read timeout is
// logged as 408 with its outcome, not as a client's bad request.
func TestBodyReadTimeout(t *testing.T) {
	logs := &syncBuffer{}
	h, _ := handlerWith(t, server.Options{}, setup{log: slog.New(slog.NewJSONHandler(logs, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const readTimeout = 200 * time.Millisecond
	srv := &http.Server{Handler: h, ReadTimeout: readTimeout}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := dixaBody(`"` + strings.Repeat("s", 200) + `"`)
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", createPath("dixa"), token, len(body))
	// One byte at a time, four per read timeout: the whole body would take
	// over 60 of them. Stops when the server gives up on the connection.
	stop := make(chan struct{})
	trickled := make(chan struct{})
	go func() {
		defer close(trickled)
		tick := time.NewTicker(readTimeout / 4)
		defer tick.Stop()
		for _, b := range body {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // liveness only
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	close(stop)
	<-trickled
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Errorf("response %d; want 408", res.StatusCode)
	}
	// The access-log line is written when the handler returns.
	var line map[string]any
	for deadline := time.Now().Add(30 * time.Second); line == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for l := range strings.Lines(logs.String()) {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
				line = m
			}
		}
	}
	if line == nil {
		t.Fatalf("no access-log line: %s", logs.String())
	}
	if line["status"] != float64(408) || line["outcome"] != "body read timed out" {
		t.Errorf("access log %v; want status 408, outcome \"body read timed out\"", line)
	}
}

// failing is a backend whose storage fails (a full disk) while fail is
// set.
type failing struct {
	backend.Backend
	fail atomic.Bool
}

func (f *failing) Do(ctx context.Context, c *backend.Call) (backend.Result, error) {
	if f.fail.Load() {
		return backend.Result{}, errors.New("database or disk is full")
	}
	return f.Backend.Do(ctx, c)
}

// TestStorageFailure: a failure of the service's own storage is a 503
// with Retry-After, never blamed on the integration, and /healthz says so
// until a write succeeds again.
func TestStorageFailure(t *testing.T) {
	var be *failing
	h, st := handlerWith(t, server.Options{}, setup{wrap: func(b backend.Backend) backend.Backend {
		be = &failing{Backend: b}
		return be
	}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, st: st}
	// The same key throughout: a failed write keeps no response for it.
	create := func() response {
		return e.do("POST", createPath("dixa"), token, string(dixaBody(`"x"`)), "Idempotency-Key", "disk-full-1")
	}
	if r := e.do("GET", "/healthz", "", ""); r.status != 200 {
		t.Fatalf("healthz before: %d", r.status)
	}
	be.fail.Store(true)
	r := create()
	if r.status != 503 || r.header.Get("Retry-After") == "" || r.body["integration"] != nil ||
		strings.Contains(r.raw, "could not store") || strings.Contains(r.raw, "Dixa") || !strings.Contains(r.raw, "storage failed") {
		t.Errorf("create on a full disk: %d %v %s; want 503 with Retry-After, not blaming Dixa", r.status, r.header, r.raw)
	}
	// /healthz is liveness (the process answers); readiness, which
	// load balancers route by, reflects the storage.
	if r := e.do("GET", "/readyz", "", ""); r.status != 503 {
		t.Errorf("readyz after the failure: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/healthz", "", ""); r.status != 200 {
		t.Errorf("healthz (liveness) after the failure: %d %s", r.status, r.raw)
	}
	be.fail.Store(false)
	if r := create(); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("create after the disk was freed: %d %v %s", r.status, r.header, r.raw)
	}
	if r := e.do("GET", "/readyz", "", ""); r.status != 200 {
		t.Errorf("readyz after a write succeeded: %d %s", r.status, r.raw)
	}
	if n, _ := st.Count(context.Background(), accountOf("dixa"), "ticketing/users"); n != 1 {
		t.Errorf("%d users stored; want 1", n)
	}
}

// TestCollectionsTypeProject: the pages say "Collection with type project
// is required"; clients send the type, and the service accepts it.
func TestCollectionsTypeProject(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := bodyOf([]string{"name", "emails"})
	for _, q := range []string{"&collections[0][id]=1&collections[0][type]=project", "&collections[][id]=1&collections[][type]=project"} {
		if r := e.do("POST", createPath("pivotal_tracker", q), token, body); r.status != 201 || r.header.Get("X-Ignored-Query-Parameters") != "" {
			t.Errorf("%s: %d %v %s; want 201", q, r.status, r.header, r.raw)
		}
	}
	// project is the only type there is (spec/DECISIONS.md, collections).
	r := e.do("POST", createPath("pivotal_tracker", "&collections[0][id]=1&collections[0][type]=task"), token, body)
	if f := firstFailure(r); r.status != 400 || f["field"] != "collections[0].type" || !strings.Contains(r.raw, "project") {
		t.Errorf("type=task: %d %s; want 400 naming project", r.status, r.raw)
	}
}

// runtimeMem is the process's allocation counter.
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}

// TestClientGoneIsNotAStorageFailure: a request whose client has gone
// away fails whatever the store was doing for it (the token lookup, or the
// lookup of an account not cached yet); that is answered 499 and leaves
// readiness alone, since the storage is fine.
func TestClientGoneIsNotAStorageFailure(t *testing.T) {
	h, _ := handlerAndStore(t, server.Options{})
	send := func(ctx context.Context, integration string) int {
		req := httptest.NewRequestWithContext(ctx, "POST", createPath(integration), strings.NewReader(string(dixaBody(`"x"`))))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if code := send(gone, "dixa"); code != 499 {
		t.Errorf("token lookup for a client that went away: %d; want 499", code)
	}
	// The token is cached now; Gorgias's account is not.
	if code := send(context.Background(), "dixa"); code != 201 {
		t.Fatalf("create: %d", code)
	}
	if code := send(gone, "gorgias"); code != 499 {
		t.Errorf("account lookup for a client that went away: %d; want 499", code)
	}
	ready := httptest.NewRecorder()
	h.ServeHTTP(ready, httptest.NewRequest("GET", "/readyz", nil))
	if ready.Code != 200 {
		t.Errorf("readyz after clients went away: %d %s", ready.Code, ready.Body)
	}
}

// TestAnswersDeclareTheirLength: every answer that is not streamed
// declares its length, whether the service writes the header (bodies over
// 2 KiB) or leaves it to net/http (smaller ones), so that a client never
// gets a chunked error and HTTP/1.0 clients keep their connection.
func TestAnswersDeclareTheirLength(t *testing.T) {
	e := newEnv(t, server.Options{})
	var unknown strings.Builder
	for i := range 80 {
		fmt.Fprintf(&unknown, `,"unknown_member_%02d":1`, i)
	}
	for _, c := range []struct {
		name, body string
		status     int
		larger     bool
	}{
		{"small 400", `{"name":"Jane","emails":[{"email":"j@example.com","type":"bogus"}]}`, 400, false},
		{"large 400", `{"name":"Jane","emails":[{"email":"j@example.com","type":"primary"}]` + unknown.String() + `}`, 400, true},
		{"201", `{"name":"Jane","emails":[{"email":"j@example.com","type":"primary"}]}`, 201, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				createPath("dixa"), token, len(c.body), c.body)
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != c.status || res.TransferEncoding != nil || res.ContentLength != int64(len(body)) {
				t.Errorf("status %d (want %d), Transfer-Encoding %v, Content-Length %d for a body of %d bytes",
					res.StatusCode, c.status, res.TransferEncoding, res.ContentLength, len(body))
			}
			if c.larger != (len(body) > 2048) {
				t.Errorf("the case wants a body of more than 2 KiB: %v; got %d bytes", c.larger, len(body))
			}
		})
	}
}
