package emulator_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/emulator"
)

func startAcme(t *testing.T, opts emulator.Options) *harness {
	t.Helper()
	c, err := emulator.Parse("acme.yaml", []byte(acme))
	if err != nil {
		t.Fatal(err)
	}
	return start(t, c, opts)
}

// createUser is a valid create_user request of the acme contract.
func (h *harness) createUser() *http.Request {
	return h.request(h.c.Endpoint("create_user"), "", map[string]any{"email": "jane@example.com"})
}

func TestFieldErrorsAsAList(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	a := h.do(h.request(h.c.Endpoint("create_user"), "", map[string]any{"age": "old", "bio": nil, "tags": []any{1}}))
	h.expectError(a, 422, "email", "invalid create")
	fields, _ := lookup(a.body, "error.fields")
	want := []any{
		map[string]any{"name": "age", "problem": "must be an integer"},
		map[string]any{"name": "email", "problem": "is required"},
		map[string]any{"name": "tags[0]", "problem": "must be a string"},
	}
	if !reflect.DeepEqual(fields, want) { // bio is nullable
		t.Errorf("error.fields = %v, want %v", fields, want)
	}
}

// An error body documented for one status is restated for the status
// answered: a 401 does not say "code": 422.
func TestErrorBodyRestatesItsStatus(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	req := h.createUser()
	req.Header.Del("Authorization")
	a := h.do(req)
	h.expectError(a, 401, "", "no credentials")
	if code, _ := lookup(a.body, "error.code"); code != json.Number("401") {
		t.Errorf("error.code = %v, want 401", code)
	}
	if s, _ := lookup(a.body, "error.status"); s != "401 Unauthorized" {
		t.Errorf("error.status = %v", s)
	}
	if fields, ok := lookup(a.body, "error.fields"); ok {
		t.Errorf("a 401 lists field errors: %v", fields)
	}
}

func TestIDsFollowTheExample(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	for _, want := range []string{"101", "102"} {
		a := h.do(h.createUser())
		h.expect(a, 201, "create")
		if id, _ := lookup(a.body, "user.id"); id != json.Number(want) {
			t.Errorf("id %#v, want the number %s", id, want)
		}
	}
}

func TestSeed(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	get := h.c.Endpoint("get_user")
	for id, fields := range map[string]map[string]any{
		"101": {"email": "seeded@example.com"},
		"7":   {"id": 7, "email": "seven@example.com"},
	} {
		if got := h.em.Seed("user", fields); got != id {
			t.Errorf("Seed returned %q, want %q", got, id)
		}
		a := h.do(h.request(get, id, nil))
		h.expect(a, 200, "get "+id)
		if email, _ := lookup(a.body, "user.email"); email != fields["email"] {
			t.Errorf("get %s: email %v", id, email)
		}
	}
}

func TestFailNext(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	h.em.FailNext(2, 503, map[string]string{"Retry-After": "7"}, "")
	h.em.FailNext(1, 500, nil, "upstream exploded")
	for range 2 {
		a := h.do(h.createUser())
		h.expectError(a, 503, "", "injected 503")
		if a.header.Get("Retry-After") != "7" {
			t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
		}
	}
	resp, err := http.DefaultClient.Do(h.createUser())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(body) != "upstream exploded" {
		t.Errorf("injected 500: %d %q", resp.StatusCode, body)
	}
	h.expect(h.do(h.createUser()), 201, "after the faults")

	reqs := h.em.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests logged, want 4", len(reqs))
	}
	for _, r := range reqs {
		if r.Endpoint != "create_user" || r.Method != "POST" || r.Path != "/api/v2/users" {
			t.Errorf("logged %s %s as %q", r.Method, r.Path, r.Endpoint)
		}
	}
	if n := len(h.em.Records("user")); n != 1 {
		t.Errorf("%d records, want 1: failed requests must not act", n)
	}
}

func TestOptionsFaults(t *testing.T) {
	h := startAcme(t, emulator.Options{Faults: []emulator.Fault{{Status: 502}, {Status: 429, Header: map[string]string{"Retry-After": "1"}}}})
	h.expectError(h.do(h.createUser()), 502, "", "first")
	h.expectError(h.do(h.createUser()), 429, "", "second")
	h.expect(h.do(h.createUser()), 201, "third")
}

func TestResetNext(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	h.em.ResetNext(1)
	// A POST, which http.Transport never replays on its own.
	resp, err := http.DefaultClient.Do(h.createUser())
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got %s, want the connection dropped", resp.Status)
	}
	t.Logf("client error: %v", err)
	h.expect(h.do(h.createUser()), 201, "after the reset")
	if n := len(h.em.Requests()); n != 2 {
		t.Errorf("%d requests logged, want 2", n)
	}
	if n := len(h.em.Records("user")); n != 1 {
		t.Errorf("%d records, want 1", n)
	}
}

func TestOversizeNext(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	const size = 3 << 20
	h.em.OversizeNext(1, size)
	resp, err := http.DefaultClient.Do(h.createUser())
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(body) != size || resp.ContentLength != size || !json.Valid(body) {
		t.Errorf("oversized answer: %v, status %d, %d bytes (Content-Length %d), valid JSON %v", err, resp.StatusCode, len(body), resp.ContentLength, json.Valid(body))
	}
	h.expect(h.do(h.createUser()), 201, "after the oversized answer")
}

func TestSlow(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	h.em.Slow(300 * time.Millisecond)
	impatient := &http.Client{Timeout: 50 * time.Millisecond}
	_, err := impatient.Do(h.createUser())
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err %v, want a timeout", err)
	}

	h.em.Slow(100 * time.Millisecond)
	start := time.Now()
	h.expect(h.do(h.createUser()), 201, "slow create")
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("answered in %v, want at least 100ms", d)
	}
	h.em.Slow(0)
	h.expect(h.do(h.createUser()), 201, "fast again")
	if n := len(h.em.Records("user")); n != 2 {
		t.Errorf("%d records, want 2: the abandoned request must not act", n)
	}
}

func TestRateLimitWindow(t *testing.T) {
	h := startAcme(t, emulator.Options{RateLimit: &emulator.RateLimit{Limit: 2, Window: 200 * time.Millisecond}})
	for i, want := range []string{"1", "0"} {
		a := h.do(h.createUser())
		h.expect(a, 201, "within the limit")
		if got := a.header.Get("X-Remaining"); got != want {
			t.Errorf("request %d: X-Remaining %q, want %q", i, got, want)
		}
	}
	a := h.do(h.createUser())
	h.expectError(a, 429, "", "over the limit")
	if a.header.Get("Retry-After") != "1" || a.header.Get("X-Remaining") != "0" {
		t.Errorf("Retry-After %q, X-Remaining %q", a.header.Get("Retry-After"), a.header.Get("X-Remaining"))
	}
	time.Sleep(250 * time.Millisecond)
	h.expect(h.do(h.createUser()), 201, "in the next window")
}

func TestRequestsShowWhatWasSentButPrintNoSecret(t *testing.T) {
	h := startAcme(t, emulator.Options{})
	req := h.createUser()
	req.Header.Set("X-Trace", "abc")
	h.do(req)
	r := h.em.Requests()[0]
	key := h.creds["api_key"]
	if r.Header.Get("Authorization") != "Bearer "+key || r.Header.Get("X-Trace") != "abc" {
		t.Errorf("logged headers %v", r.Header)
	}
	if string(r.Body) != `{"user":{"email":"jane@example.com"}}` {
		t.Errorf("logged body %s", r.Body)
	}
	s := r.String()
	if strings.Contains(s, key) || !strings.Contains(s, "Authorization: [REDACTED]") || !strings.Contains(s, "jane@example.com") {
		t.Errorf("String():\n%s", s)
	}
}
