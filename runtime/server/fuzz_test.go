package server_test

// FuzzRequest sends arbitrary query strings and bodies through the whole
// in-process handler (no sockets). A short pass:
//
//	go test -run='^$' -fuzz='^FuzzRequest$' -fuzztime=30s -fuzzminimizetime=50x ./runtime/server
//
// -fuzzminimizetime=50x bounds how long a worker minimizes each new
// interesting input: coverage here is not quite deterministic (map order,
// sync.Pool), and with the default 60s a short pass spends most of its
// time minimizing instead of executing.
//
// The seed corpus is testdata/fuzz/FuzzRequest/.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/runtime/server"
)

// fuzzContentTypes is indexed by the low three bits of the choice byte.
var fuzzContentTypes = []string{
	"application/json",
	"application/json; charset=utf-8",
	"application/merge-patch+json",
	"", // no Content-Type header
	"text/plain",
	"multipart/form-data; boundary=x",
	"application/json; charset", // malformed parameter
	"APPLICATION/JSON",
}

// The other bits of the choice byte.
const (
	choicePatch    = 1 << 3 // PATCH an existing user instead of POST
	choicePivotal  = 1 << 4 // the Pivotal Tracker account instead of Dixa
	choiceStrict   = 1 << 5 // Prefer: handling=strict
	choiceChunked  = 1 << 6 // no Content-Length
	choiceIdemKey  = 1 << 7 // a fixed Idempotency-Key
	fuzzMaxBody    = 8 << 10
	fuzzMaxLatency = 5 * time.Second
)

// errorBody is the part of every error response FuzzRequest checks.
type errorBody struct {
	StatusCode *int   `json:"statusCode"`
	Error      string `json:"error"`
	Message    string `json:"message"`
	RequestID  string `json:"request_id"`
}

func FuzzRequest(f *testing.F) {
	h, st := handlerAndStore(f, server.Options{MaxBody: fuzzMaxBody})
	users := map[string]string{"dixa": storeUser(f, st, "dixa"), "pivotal_tracker": storeUser(f, st, "pivotal_tracker")}
	f.Add("", []byte(`{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}]}`), uint8(0))
	f.Add("collections[0][id]=123&truto_exclude_fields[]=remote_data", []byte(`{"name": "x", "emails": [{"email": "a@b.c", "type": "primary"}], "roles": [{"id": "owner"}]}`), uint8(choicePivotal))
	f.Add("truto_response_format=stream", []byte(`{"name": "x"}`), uint8(choicePatch|2))
	f.Add("truto_response_format=xml&integrated_account_id=x", []byte(`{}`), uint8(0))
	f.Fuzz(func(t *testing.T, query string, body []byte, choice uint8) {
		integration := "dixa"
		if choice&choicePivotal != 0 {
			integration = "pivotal_tracker"
		}
		method, path, success := http.MethodPost, "/unified/ticketing/users", http.StatusCreated
		if choice&choicePatch != 0 {
			method, path, success = http.MethodPatch, "/unified/ticketing/users/"+users[integration], http.StatusOK
		}
		target := path + "?integrated_account_id=" + accountOf(integration)
		if query != "" {
			target += "&" + query
		}
		// What an HTTP/1.1 request line can carry: no whitespace or
		// control characters, and no fragment (clients strip it).
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			t.Skip("not sendable in a request line")
		}
		req, err := http.NewRequest(method, "http://unified.test"+target, bytes.NewReader(body))
		if err != nil {
			t.Skip("not a request URI")
		}
		req.RequestURI = target
		req.Header.Set("Authorization", "Bearer "+token)
		if ct := fuzzContentTypes[choice&7]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if choice&choiceStrict != 0 {
			req.Header.Set("Prefer", "handling=strict")
		}
		if choice&choiceChunked != 0 {
			req.ContentLength = -1
		}
		if choice&choiceIdemKey != 0 {
			req.Header.Set("Idempotency-Key", "fuzz-key")
		}

		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		if d := time.Since(start); d > fuzzMaxLatency {
			t.Fatalf("%s %s took %v", method, target, d)
		}
		res := rec.Result()
		raw := rec.Body.Bytes()
		for name, values := range res.Header {
			for _, v := range values {
				if strings.ContainsAny(v, "\r\n") {
					t.Fatalf("header %s carries a line break: %q", name, v)
				}
			}
		}
		switch {
		case res.StatusCode >= 500:
			t.Fatalf("%s %s: %d %s", method, target, res.StatusCode, raw)
		case res.StatusCode >= 400:
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("%d with Content-Type %q: %s", res.StatusCode, ct, raw)
			}
			if !json.Valid(raw) {
				t.Fatalf("%d with a body that is not JSON: %q", res.StatusCode, raw)
			}
			var e errorBody
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("%d: %v: %s", res.StatusCode, err, raw)
			}
			if e.StatusCode == nil || *e.StatusCode != res.StatusCode {
				t.Fatalf("status %d, statusCode in the body: %s", res.StatusCode, raw)
			}
			if e.Message == "" || e.Error != http.StatusText(res.StatusCode) {
				t.Fatalf("%d without message or with the wrong error: %s", res.StatusCode, raw)
			}
			if e.RequestID == "" || e.RequestID != res.Header.Get("X-Request-Id") {
				t.Fatalf("request_id %q, X-Request-Id %q", e.RequestID, res.Header.Get("X-Request-Id"))
			}
		case res.StatusCode == success:
			switch ct := res.Header.Get("Content-Type"); ct {
			case "application/json":
				if !json.Valid(raw) {
					t.Fatalf("%d with a body that is not JSON: %q", res.StatusCode, raw)
				}
			case "application/x-ndjson":
				for _, line := range bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n")) {
					if !json.Valid(line) {
						t.Fatalf("NDJSON line is not JSON: %q", line)
					}
				}
			default:
				t.Fatalf("%d with Content-Type %q", res.StatusCode, ct)
			}
		default:
			t.Fatalf("%s %s: unexpected status %d %s", method, target, res.StatusCode, raw)
		}
	})
}
