package remote

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/unifiedgen/unifiedgen/runtime/mapping"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "key-0123456789abcdef"

// provider is an httptest server counting requests.
type provider struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	handler  func(n int, w http.ResponseWriter, r *http.Request)
	conns    atomic.Int32
}

func newProvider(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *provider {
	t.Helper()
	p := &provider{handler: h}
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.requests = append(p.requests, r)
		p.bodies = append(p.bodies, string(b))
		n := len(p.requests)
		p.mu.Unlock()
		p.handler(n, w, r)
	}))
	p.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.conns.Add(1)
		}
	}
	p.Start()
	t.Cleanup(p.Close)
	return p
}

func (p *provider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.requests)
}

func (p *provider) last() (*http.Request, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[len(p.requests)-1], p.bodies[len(p.bodies)-1]
}

func newClient(t *testing.T, opt Options) *Client {
	t.Helper()
	if opt.BackoffBase == 0 {
		opt.BackoffBase = 10 * time.Millisecond
	}
	c := NewClient(opt)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// field compiles nothing: a hand-written stand-in for a compiled path.
func field(name string) Func {
	return func(in any) (any, error) {
		if m, ok := in.(map[string]any); ok {
			if v, ok := m[name]; ok {
				return v, nil
			}
		}
		return mapping.Undefined, nil
	}
}

var testIntegration = &Integration{
	ID: "acme", Name: "Acme", BaseURL: "https://{subdomain}.acme.test/api/v1",
	Credentials: []string{"api_key", "subdomain"},
	Auth:        Auth{Kind: AuthHeader, Name: "X-Api-Token", Value: "Token {api_key}"},
	Headers:     []Header{{Name: "X-Fixed", Value: "yes"}},
	RateLimit:   RateLimit{Status: []int{429}, RetryAfter: "Retry-After", Forward: []string{"X-RateLimit-Remaining"}},
	ErrorMessage: func(in any) (any, error) {
		if m, ok := in.(map[string]any); ok {
			if e, ok := m["error"].(map[string]any); ok {
				return e["msg"], nil
			}
		}
		return mapping.Undefined, nil
	},
	ErrorFields: func(in any) (any, error) {
		if m, ok := in.(map[string]any); ok {
			if e, ok := m["error"].(map[string]any); ok && e["data"] != nil {
				return e["data"], nil
			}
		}
		return mapping.Undefined, nil
	},
}

func testMapping(kind matrix.Kind, method, path string) *Mapping {
	return &Mapping{
		OperationID: "op", Kind: kind, Integration: testIntegration, Method: method, Path: path,
		Body: func(in any) (any, error) {
			m := in.(map[string]any)
			out := map[string]any{}
			if v, ok := m["name"]; ok {
				out["full_name"] = v
			}
			return map[string]any{"user": out}, nil
		},
		Record: field("user"),
		Unified: func(in any) (any, error) {
			m := in.(map[string]any)
			out := map[string]any{}
			if v, ok := m["id"]; ok {
				out["id"] = v
			}
			if v, ok := m["full_name"]; ok {
				out["name"] = v
			}
			return out, nil
		},
		Fields: map[string]string{"full_name": "name"},
	}
}

func account(p *provider) Account {
	return Account{ID: "a1", Integration: "acme", BaseURL: p.URL, Credentials: Credentials{"api_key": testKey, "subdomain": "tenant1"}}
}

func TestCreate(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(201)
		io.WriteString(w, `{"user": {"id": 18446744073709551617, "full_name": "Jane", "extra": 1e400}}`)
	})
	c := newClient(t, Options{})
	res, err := c.Call(context.Background(), &Request{
		Mapping: testMapping(matrix.Create, "POST", "/users"),
		Account: account(p),
		Body: map[string]any{"name": "Jane", "remote_data": map[string]any{
			"user": map[string]any{"phone": "+1", "full_name": "Override"}, "top": true}},
		RemoteQuery: map[string]any{"include": "roles", "filter": map[string]any{"a": "b"}, "tags": []any{"x", "y"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, body := p.last()
	if r.Method != "POST" || r.URL.Path != "/api/v1/users" {
		t.Errorf("sent %s %s", r.Method, r.URL.Path)
	}
	if got := r.URL.Query(); got.Get("include") != "roles" || got.Get("filter[a]") != "b" || len(got["tags"]) != 2 {
		t.Errorf("query %v", got)
	}
	if r.Header.Get("X-Api-Token") != "Token "+testKey || r.Header.Get("X-Fixed") != "yes" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", r.Header)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(body), &sent); err != nil {
		t.Fatal(err)
	}
	want := `{"top":true,"user":{"full_name":"Override","phone":"+1"}}`
	if b, _ := json.Marshal(sent); string(b) != want {
		t.Errorf("body %s, want %s (remote_data deep-merged after the mapping)", b, want)
	}
	if res.Record.Unified["id"] != "18446744073709551617" || res.Record.Unified["name"] != "Jane" {
		t.Errorf("unified %v", res.Record.Unified)
	}
	if n, ok := res.Record.Remote["extra"].(json.Number); !ok || n.String() != "1e400" {
		t.Errorf("remote record %v: numbers must pass through", res.Record.Remote)
	}
	if !strings.Contains(string(res.Raw), "18446744073709551617") || res.RawType != "application/json; charset=utf-8" || res.Attempts != 1 {
		t.Errorf("raw %q %q attempts %d", res.Raw, res.RawType, res.Attempts)
	}
}

// The query mapping reads the operation's query parameters, not the body:
// a list passes its filters and page size on in the provider's terms.
func TestQueryMappingReadsTheQuery(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"user": {"id": "1"}}`)
	})
	c := newClient(t, Options{})
	var seen []any
	m := testMapping(matrix.Create, "POST", "/users")
	m.Query = func(in any) (any, error) {
		seen = append(seen, in)
		q := in.(map[string]any)
		out := map[string]any{}
		if v, ok := q["status"]; ok {
			out["state"] = v
		}
		if v, ok := q["limit"]; ok {
			out["per_page"] = v
		}
		return out, nil
	}
	req := &Request{Mapping: m, Account: account(p), Body: map[string]any{"name": "Jane", "status": "from the body"},
		Query: map[string]any{"status": "active", "limit": json.Number("5")}}
	if _, err := c.Call(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	r, _ := p.last()
	if got := r.URL.Query(); got.Get("state") != "active" || got.Get("per_page") != "5" {
		t.Errorf("query %v", got)
	}
	req.Query = nil
	if _, err := c.Call(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if r, _ := p.last(); r.URL.RawQuery != "" && r.URL.Query().Has("state") {
		t.Errorf("without query parameters: query %q", r.URL.RawQuery)
	}
	if len(seen) != 2 || len(seen[1].(map[string]any)) != 0 {
		t.Errorf("the mapping saw %v, then want an empty object", seen)
	}
}

func TestAuthSchemes(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"user": {"id": "1"}}`)
	})
	c := newClient(t, Options{})
	for _, tc := range []struct {
		auth  Auth
		check func(r *http.Request) bool
	}{
		{Auth{Kind: AuthBearer, Value: "{api_key}"}, func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+testKey }},
		{Auth{Kind: AuthBasic, Username: "{email}", Password: "{api_key}"}, func(r *http.Request) bool {
			return r.Header.Get("Authorization") == "Basic "+base64.StdEncoding.EncodeToString([]byte("me@x.test:"+testKey))
		}},
		{Auth{Kind: AuthQuery, Name: "access_token", Value: "{api_key}"}, func(r *http.Request) bool {
			return r.URL.Query()["access_token"][0] == testKey && len(r.URL.Query()["access_token"]) == 1
		}},
	} {
		in := *testIntegration
		in.Auth = tc.auth
		m := testMapping(matrix.Get, "GET", "/users/{id}")
		m.Integration = &in
		a := account(p)
		a.Credentials["email"] = "me@x.test"
		_, err := c.Call(context.Background(), &Request{Mapping: m, Account: a, ID: "a/b",
			RemoteQuery: map[string]any{"access_token": "stolen"}})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := p.last()
		if !tc.check(r) {
			t.Errorf("auth %v: headers %v query %v", tc.auth.Kind, r.Header, r.URL.RawQuery)
		}
		if r.URL.EscapedPath() != "/api/v1/users/a%2Fb" {
			t.Errorf("path %s: the id must be one escaped segment", r.URL.EscapedPath())
		}
	}
}

func TestBaseURL(t *testing.T) {
	in := testIntegration
	for _, tc := range []struct {
		acct Account
		want string
		err  string
	}{
		{Account{Credentials: Credentials{"api_key": "k", "subdomain": "acme"}}, "https://acme.acme.test/api/v1/users", ""},
		{Account{Credentials: Credentials{"api_key": "k", "subdomain": "evil.test/x?"}}, "", `credential "subdomain" is not a valid host name label`},
		{Account{Credentials: Credentials{"api_key": "k"}}, "", `credential "subdomain" is missing`},
		{Account{BaseURL: "https://eu.acme.test:8443", Credentials: Credentials{"api_key": "k", "subdomain": "acme"}}, "https://eu.acme.test:8443/api/v1/users", ""},
		{Account{BaseURL: "http://127.0.0.1:9", Credentials: Credentials{"api_key": "k", "subdomain": "acme"}}, "http://127.0.0.1:9/api/v1/users", ""},
		{Account{BaseURL: "http://[::1]:9", Credentials: Credentials{"api_key": "k", "subdomain": "acme"}}, "http://[::1]:9/api/v1/users", ""},
		{Account{BaseURL: "http://eu.acme.test", Credentials: Credentials{"api_key": "k", "subdomain": "acme"}}, "", "plain http"},
		{Account{BaseURL: "https://eu.acme.test/v2", Credentials: Credentials{"api_key": "k", "subdomain": "acme"}}, "", "leave out the path"},
		{Account{BaseURL: "https://u:p@eu.acme.test", Credentials: Credentials{"api_key": "k", "subdomain": "acme"}}, "", "user info"},
	} {
		u, err := requestURL(&Mapping{Integration: in, Path: "/users"}, &tc.acct, "", nil, nil)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%+v: error %v, want %q", tc.acct.BaseURL, err, tc.err)
		case tc.err == "" && (err != nil || u.String() != tc.want):
			t.Errorf("%+v: %v, %v, want %s", tc.acct.BaseURL, u, err, tc.want)
		}
	}
}

func TestMissingCredentialNeedsReauth(t *testing.T) {
	c := newClient(t, Options{})
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1",
		Account: Account{Credentials: Credentials{"subdomain": "acme"}}})
	var e *Error
	if !errors.As(err, &e) || e.Status != 401 || !errors.Is(err, ErrNeedsReauth) || e.Remote {
		t.Fatalf("%#v", err)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(429)
			return
		}
		io.WriteString(w, `{"user": {"id": "1"}}`)
	})
	c := newClient(t, Options{})
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	res, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1", Account: account(p)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 2 || p.count() != 2 || len(waits) != 1 || waits[0] != 2*time.Second {
		t.Fatalf("attempts %d, requests %d, waits %v", res.Attempts, p.count(), waits)
	}
}

func TestRetryAfterPastBudgetAnsweredAtOnce(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.WriteHeader(429)
		io.WriteString(w, `{"error": {"msg": "slow down"}}`)
	})
	c := newClient(t, Options{Budget: 2 * time.Second})
	start := time.Now()
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1", Account: account(p)})
	var e *Error
	if !errors.As(err, &e) || e.Status != 429 || !e.RateLimited || e.Header.Get("Retry-After") != "30" || e.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("%#v", err)
	}
	if time.Since(start) > time.Second || p.count() != 1 || e.Message != "slow down" {
		t.Fatalf("took %v, %d requests, message %q", time.Since(start), p.count(), e.Message)
	}
	body := e.Body()
	if body["truto_is_remote_error"] != true || body["truto_error_insight"].(map[string]any)["rate_limit_error"] == nil {
		t.Fatalf("body %v", body)
	}
}

func TestPostNotRetriedOn429Or5xx(t *testing.T) {
	for _, st := range []int{429, 500, 502, 503} {
		p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(st)
		})
		c := newClient(t, Options{})
		_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Create, "POST", "/u"), Account: account(p), Body: map[string]any{"name": "x"}})
		var e *Error
		want := 502
		if st == 429 {
			want = 429
		}
		if !errors.As(err, &e) || e.Status != want || p.count() != 1 || e.Attempts != 1 {
			t.Errorf("%d: %v, %d requests", st, err, p.count())
		}
	}
}

func TestIdempotentRetriedOn5xx(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		io.WriteString(w, "<html>down</html>")
	})
	c := newClient(t, Options{MaxAttempts: 3})
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Update, "PUT", "/u/{id}"), ID: "1", Account: account(p), Body: map[string]any{}})
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || p.count() != 3 || e.Attempts != 3 || e.ProviderStatus != 503 {
		t.Fatalf("%v, %d requests", err, p.count())
	}
	if e.Body()["raw_response"] != "<html>down</html>" {
		t.Fatalf("raw_response %v", e.Body()["raw_response"])
	}
}

func TestSlowProvider(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := newClient(t, Options{AttemptTimeout: 100 * time.Millisecond, Budget: 350 * time.Millisecond})
	start := time.Now()
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1", Account: account(p)})
	var e *Error
	if !errors.As(err, &e) || e.Status != 504 || time.Since(start) > time.Second {
		t.Fatalf("GET: %v after %v", err, time.Since(start))
	}
	if p.count() < 2 {
		t.Errorf("a GET that timed out was not retried: %d requests", p.count())
	}
	before := p.count()
	_, err = c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Create, "POST", "/u"), Account: account(p), Body: map[string]any{"name": "x"}})
	if !errors.As(err, &e) || e.Status != 504 || p.count()-before != 1 {
		t.Fatalf("POST: %v, %d requests: a create that may have reached the provider must not be sent twice", err, p.count()-before)
	}
}

func TestIncomingContextBoundsTheCall(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := newClient(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Call(ctx, &Request{Mapping: testMapping(matrix.Create, "POST", "/u"), Account: account(p), Body: map[string]any{}})
	var e *Error
	if !errors.As(err, &e) || e.Status != 504 || time.Since(start) > time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.Call(ctx, &Request{Mapping: testMapping(matrix.Create, "POST", "/u"), Account: account(p), Body: map[string]any{}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("client gone: %v", err)
	}
}

// resetter answers by closing the connection without a response.
func resetter(n int, w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST, not FIN
	}
	conn.Close()
}

func TestConnectionReset(t *testing.T) {
	p := newProvider(t, resetter)
	c := newClient(t, Options{MaxAttempts: 3})
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1", Account: account(p)})
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || p.count() != 3 {
		t.Fatalf("GET: %v, %d requests", err, p.count())
	}
	before := p.count()
	_, err = c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Create, "POST", "/u"), Account: account(p), Body: map[string]any{}})
	if !errors.As(err, &e) || e.Status != 502 || p.count()-before != 1 {
		t.Fatalf("POST: %v, %d requests", err, p.count()-before)
	}
	if strings.Contains(e.Message, "127.0.0.1") || strings.Contains(e.Message, testKey) {
		t.Fatalf("message names the URL: %q", e.Message)
	}
}

func TestConnectionRefusedRetriesEvenPost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newClient(t, Options{MaxAttempts: 3})
	a := Account{BaseURL: "http://" + addr, Credentials: Credentials{"api_key": testKey, "subdomain": "x"}}
	_, err = c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Create, "POST", "/u"), Account: a, Body: map[string]any{}})
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || e.Attempts != 3 || !strings.Contains(e.Message, "connection refused") {
		t.Fatalf("%#v", err)
	}
}

func TestOversizeAnswer(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"user": {"id": "`+strings.Repeat("x", 2048)+`"}}`)
	})
	c := newClient(t, Options{MaxResponse: 1024})
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1", Account: account(p)})
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || !strings.Contains(e.Message, "more than 1024 bytes") || p.count() != 1 {
		t.Fatalf("%v", err)
	}
}

func TestMalformedAnswer(t *testing.T) {
	for _, body := range []string{`{"user": `, `[1]`, `{"user": "x"}`, ``} {
		p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
		c := newClient(t, Options{})
		_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1", Account: account(p)})
		var e *Error
		if !errors.As(err, &e) || e.Status != 502 {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func TestRedirects(t *testing.T) {
	var stolen atomic.Int32
	other := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Token") != "" {
			stolen.Add(1)
		}
		io.WriteString(w, `{"user": {"id": "1"}}`)
	})
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/u/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/api/v1/u/moved":
			http.Redirect(w, r, "/api/v1/u/here", http.StatusMovedPermanently)
		default:
			if r.Header.Get("X-Api-Token") == "" {
				w.WriteHeader(401)
				return
			}
			io.WriteString(w, `{"user": {"id": "here"}}`)
		}
	})
	c := newClient(t, Options{})
	res, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "moved", Account: account(p)})
	if err != nil || res.Record.Unified["id"] != "here" {
		t.Fatalf("same-host redirect: %v", err)
	}
	_, err = c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "away", Account: account(p)})
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || !strings.Contains(e.Message, "another host") || other.count() != 0 || stolen.Load() != 0 {
		t.Fatalf("cross-host redirect: %v; other host got %d requests", err, other.count())
	}
}

func TestProviderErrors(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v1/u/gone" {
			w.WriteHeader(401)
			io.WriteString(w, `{"error": {"msg": "bad token `+testKey+`"}}`)
			return
		}
		w.WriteHeader(422)
		io.WriteString(w, `{"error": {"msg": "invalid", "data": {"full_name": ["too long", "bad"], "zip": "no"}}}`)
	})
	c := newClient(t, Options{})
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Update, "PUT", "/u/{id}"), ID: "1", Account: account(p), Body: map[string]any{}})
	var e *Error
	if !errors.As(err, &e) || e.Status != 422 || !e.Remote || e.Message != "invalid" || errors.Is(err, ErrNeedsReauth) {
		t.Fatalf("%#v", err)
	}
	if len(e.Failures) != 3 || e.Failures[0].Field != "name" || e.Failures[2].Field != "zip" || e.Failures[0].Rule != RuleRemote {
		t.Fatalf("failures %+v", e.Failures)
	}
	raw := e.Body()["raw_response"].(map[string]any)
	if raw["error"] == nil {
		t.Fatalf("raw_response %v", raw)
	}
	_, err = c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "gone", Account: account(p)})
	if !errors.As(err, &e) || e.Status != 401 || !errors.Is(err, ErrNeedsReauth) {
		t.Fatalf("%#v", err)
	}
	if strings.Contains(e.Message, testKey) || strings.Contains(string(e.Raw), testKey) || strings.Contains(e.Error(), testKey) {
		t.Fatalf("the key is echoed: %q / %q", e.Message, e.Raw)
	}
}

func TestConnectionsArePooled(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"user": {"id": "1"}}`) })
	c := newClient(t, Options{})
	for range 20 {
		if _, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Get, "GET", "/u/{id}"), ID: "1", Account: account(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.conns.Load(); n != 1 {
		t.Fatalf("20 sequential calls opened %d connections", n)
	}
}

func TestCredentialsDoNotFormat(t *testing.T) {
	a := Account{Credentials: Credentials{"api_key": testKey}}
	for _, s := range []string{
		strings.Join([]string{a.Credentials.String()}, ""),
		fmtAll(a), fmtAll(&a), fmtAll(a.Credentials),
	} {
		if strings.Contains(s, testKey) {
			t.Fatalf("credentials formatted: %s", s)
		}
	}
}

func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
}

func TestListAndDelete(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, `{"users": [{"id": 1, "full_name": "A"}, {"id": 2, "full_name": "B"}], "meta": {"next": "c2"}}`)
	})
	c := newClient(t, Options{})
	m := testMapping(matrix.List, "GET", "/u")
	m.Record = field("users")
	m.NextCursor = func(in any) (any, error) {
		return in.(map[string]any)["meta"].(map[string]any)["next"], nil
	}
	res, err := c.Call(context.Background(), &Request{Mapping: m, Account: account(p)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 || res.Items[1].Unified["name"] != "B" || res.Items[0].Unified["id"] != "1" || res.NextCursor != "c2" {
		t.Fatalf("%+v", res)
	}
	d := testMapping(matrix.Delete, "DELETE", "/u/{id}")
	d.Body = nil
	res, err = c.Call(context.Background(), &Request{Mapping: d, ID: "9", Account: account(p)})
	if err != nil || res.Record.Unified["id"] != "9" || res.Status != http.StatusNoContent {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	if r, body := p.last(); r.Method != http.MethodDelete || body != "" || r.Header.Get("Content-Type") != "" {
		t.Fatalf("delete sent a body: %q %v", body, r.Header)
	}
}

func TestCheckAccount(t *testing.T) {
	ok := Account{Credentials: Credentials{"api_key": testKey, "subdomain": "acme"}}
	if errs := testIntegration.CheckAccount(ok); len(errs) != 0 {
		t.Fatalf("%v", errs)
	}
	bad := Account{BaseURL: "http://example.test", Credentials: Credentials{"api_key": testKey, "token": "x"}}
	errs := testIntegration.CheckAccount(bad)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{`credential "subdomain" is missing`, `credential "token" is not one Acme takes`, "plain http"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, testKey) {
		t.Fatal("a value is shown")
	}
	hostile := Account{Credentials: Credentials{"api_key": testKey, "subdomain": "evil.test#"}}
	if errs := testIntegration.CheckAccount(hostile); len(errs) != 1 || !strings.Contains(errs[0].Error(), "host name label") {
		t.Fatalf("%v", errs)
	}
}

// TestUnmappableSuccessRedactsSecrets: a 2xx the service cannot map is an
// error that keeps the provider's body, and an API key the provider echoed
// in it is redacted there as in any other error.
func TestUnmappableSuccessRedactsSecrets(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>your token "+testKey+" is fine</html>")
	})
	c := newClient(t, Options{})
	_, err := c.Call(context.Background(), &Request{Mapping: testMapping(matrix.Create, "POST", "/users"), Account: account(p), Body: map[string]any{"name": "Jane"}})
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway {
		t.Fatalf("err = %v, want a 502 *Error", err)
	}
	if strings.Contains(string(e.Raw), testKey) || !strings.Contains(string(e.Raw), "[REDACTED]") {
		t.Errorf("raw %q: the key must be redacted", e.Raw)
	}
}
