package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/runtime/server"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// hostile is one request built to hurt, sent through the real handler in
// process, and what the service must answer.
type hostile struct {
	name   string
	big    bool   // use the service with a raised MaxBody
	method string // POST by default
	target string // createPath("dixa") by default
	body   []byte
	// header holds name, value pairs; a value of "" deletes the header
	// (Content-Type defaults to application/json, Authorization to the
	// test token).
	header []string
	// chunked sends the body without a Content-Length.
	chunked bool
	status  int
	// contains is a substring of the response body.
	contains string
	check    func(t *testing.T, res *http.Response, raw []byte)
}

// hostileEnv is a service and its handler, called without sockets.
type hostileEnv struct {
	*env
	h http.Handler
}

func newHostileEnv(t *testing.T, maxBody int64) hostileEnv {
	e := newEnv(t, server.Options{MaxBody: maxBody})
	return hostileEnv{env: e, h: e.srv.Config.Handler}
}

func (he hostileEnv) serve(method, target string, body []byte, chunked bool, header ...string) (*http.Response, []byte) {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	if chunked {
		req.ContentLength = -1
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := httptest.NewRecorder()
	he.h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.Bytes()
}

const validEmails = `"emails": [{"email": "jane@example.com", "type": "primary"}]`

// dixaBody is a valid Dixa create body with name set to the JSON value name.
func dixaBody(name string) []byte {
	return []byte(`{"name": ` + name + `, ` + validEmails + `}`)
}

// padded is a valid Dixa create body of exactly n bytes.
func padded(n int) []byte {
	b := dixaBody(`""`)
	return dixaBody(`"` + strings.Repeat("x", n-len(b)) + `"`)
}

func nested(open, close string, levels int, inner string) string {
	return strings.Repeat(open, levels) + inner + strings.Repeat(close, levels)
}

// jsonString returns s as a JSON string literal, escaping only what JSON
// requires (no \u escapes for <, >, &).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func decodeBody(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %.200s", err, raw)
	}
	return m
}

// nameIs checks that the response carries name verbatim.
func nameIs(name string) func(t *testing.T, res *http.Response, raw []byte) {
	return func(t *testing.T, res *http.Response, raw []byte) {
		if got := decodeBody(t, raw)["name"]; got != name {
			t.Errorf("name %.80q, want %.80q", got, name)
		}
	}
}

func failureCount(t *testing.T, raw []byte) int {
	f, _ := decodeBody(t, raw)["failures"].([]any)
	return len(f)
}

// TestHostileInput sends requests no well-behaved client sends and checks
// each gets exactly the documented answer, and that nothing breaks.
func TestHostileInput(t *testing.T) {
	const maxBody = 1 << 20 // the service's default
	e := newHostileEnv(t, maxBody)
	big := newHostileEnv(t, 4<<20)
	dixaUser := storeUser(t, e.st, "dixa")

	var sqlID string
	const sqlName = `'; DROP TABLE users; --`
	const injected = "Jane\r\nX-Evil: 1"

	cases := []hostile{
		{name: "body over MaxBody", body: padded(maxBody + 1), status: 413, contains: "larger than 1048576 bytes"},
		{name: "body over MaxBody, chunked", body: padded(8 << 20), chunked: true, status: 413, contains: "larger than 1048576 bytes"},
		{name: "body exactly MaxBody", body: padded(maxBody), status: 201, contains: `"name":"xxxx`},
		{name: "body exactly MaxBody, chunked", body: padded(maxBody), chunked: true, status: 201, contains: `"name":"xxxx`},
		{name: "remote_data 1000 levels deep",
			body:   []byte(`{"name": "x", ` + validEmails + `, "remote_data": ` + nested(`{"a": `, `}`, 1000, `{}`) + `}`),
			status: 400, contains: `"rule":"too_deep"`},
		{name: "custom_fields 1000 levels of arrays", target: createPath("planhat"),
			body:   []byte(`{"custom_fields": {"a": ` + nested(`[`, `]`, 1000, ``) + `}}`),
			status: 400, contains: `"rule":"too_deep"`},
		{name: "top-level array 1000 levels deep", body: []byte(nested(`[`, `]`, 1000, ``)), status: 400, contains: "must be an object, got array"},
		{name: "top-level array 100000 levels deep", body: []byte(nested(`[`, `]`, 100000, ``)), status: 400, contains: `"rule":"syntax"`},
		{name: "100k emails of the wrong type",
			// 100000 failures: 5 in the message, and 99995 more.
			body:   []byte(`{"name": "x", "emails": [` + strings.Repeat(`1, `, 99999) + `1]}`),
			status: 400, contains: "; and 99995 more\"",
			check: func(t *testing.T, res *http.Response, raw []byte) {
				if n := failureCount(t, raw); n != validation.MaxFailures {
					t.Errorf("%d failures listed, want MaxFailures (%d)", n, validation.MaxFailures)
				}
			}},
		{name: "1 MiB name", big: true, body: dixaBody(`"` + strings.Repeat("n", 1<<20) + `"`), status: 201,
			check: nameIs(strings.Repeat("n", 1<<20))},
		{name: "invalid UTF-8 in a string", body: dixaBody("\"Jane \xff\xfe Doe\""), status: 400, contains: "not valid UTF-8"},
		{name: "duplicate keys", body: []byte(`{"name": "a", "name": "b", ` + validEmails + `}`), status: 400, contains: `"rule":"duplicate"`},
		{name: "unknown field", body: []byte(`{"name": "a", "nmae": "b", ` + validEmails + `}`), status: 400, contains: `"rule":"unknown"`},
		{name: "text/plain", body: dixaBody(`"x"`), header: []string{"Content-Type", "text/plain"}, status: 415, contains: "application/json"},
		{name: "multipart/form-data", body: []byte("--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--x--\r\n"),
			header: []string{"Content-Type", "multipart/form-data; boundary=x"}, status: 415, contains: "application/json"},
		{name: "no Content-Type", body: dixaBody(`"x"`), header: []string{"Content-Type", ""}, status: 415, contains: "application/json"},
		{name: "application/json with charset", body: dixaBody(`"x"`), header: []string{"Content-Type", "application/json; charset=utf-8"}, status: 201, contains: `"name":"x"`},
		{name: "merge-patch+json on PATCH", method: "PATCH", target: updatePath("dixa", dixaUser), body: []byte(`{"name": "patched"}`),
			header: []string{"Content-Type", "application/merge-patch+json"}, status: 200, contains: `"name":"patched"`},
		{name: "SQL in a name", body: dixaBody(jsonString(sqlName)), status: 201,
			check: func(t *testing.T, res *http.Response, raw []byte) {
				nameIs(sqlName)(t, res, raw)
				sqlID, _ = decodeBody(t, raw)["id"].(string)
			}},
		{name: "header injection in a name", body: dixaBody(jsonString(injected)), status: 201,
			check: func(t *testing.T, res *http.Response, raw []byte) {
				nameIs(injected)(t, res, raw)
				for name, values := range res.Header {
					if strings.EqualFold(name, "X-Evil") {
						t.Errorf("injected header %s: %q", name, values)
					}
					for _, v := range values {
						if strings.ContainsAny(v, "\r\n") || strings.Contains(v, "X-Evil") {
							t.Errorf("header %s reflects the name: %q", name, v)
						}
					}
				}
			}},
		{name: "Idempotency-Key of 300 characters", body: dixaBody(`"x"`), header: []string{"Idempotency-Key", strings.Repeat("k", 300)},
			status: 400, contains: "at most 255 characters"},
		{name: "garbage X-Request-Id", body: []byte(`{}`), header: []string{"X-Request-Id", "<script>alert(1)</script> ../../etc/passwd \x7f"},
			status: 400, contains: `"request_id":"`,
			check: func(t *testing.T, res *http.Response, raw []byte) {
				id := res.Header.Get("X-Request-Id")
				if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) {
					t.Errorf("X-Request-Id %q was not replaced by a generated id", id)
				}
				if got := decodeBody(t, raw)["request_id"]; got != id {
					t.Errorf("request_id %v, X-Request-Id %q", got, id)
				}
			}},
		{name: "2000 query parameters", target: createPath("dixa", strings.Repeat("&p=1", 1999)), body: dixaBody(`"x"`),
			status: 400, contains: "more than 1000 parameters"},
		{name: "100 KiB query string", target: createPath("dixa", "&remote_query[q]="+strings.Repeat("a", 100<<10)), body: dixaBody(`"x"`),
			status: 400, contains: "exceeds 65536"},
		{name: "integrated_account_id twice", target: createPath("dixa", "&integrated_account_id="+accountOf("pivotal_tracker")), body: dixaBody(`"x"`),
			status: 400, contains: `"field":"integrated_account_id"`},
		{name: "NUL in a string", body: dixaBody(`"a\u0000b"`), status: 201, check: nameIs("a\x00b")},
		{name: "numbers for strings", body: []byte(`{"name": 42, "emails": [{"email": 7, "type": "primary"}]}`),
			status: 400, contains: `body field \"emails[0].email\": must be a string, got number`},
		{name: "true", body: []byte(`true`), status: 400, contains: "must be an object, got boolean"},
		{name: "false", body: []byte(`false`), status: 400, contains: "must be an object, got boolean"},
		{name: "null", body: []byte(`null`), status: 400, contains: "must be an object, got null"},
		{name: "empty body", body: nil, status: 400, contains: "body is empty"},
		{name: "whitespace body", body: []byte(" \t\r\n "), status: 400, contains: `"rule":"syntax"`},
		// Valid JSON passed through as sent, digit for digit.
		{name: "number beyond float64 in remote_data", body: []byte(`{"name": "x", ` + validEmails + `, "remote_data": {"n": 1e400, "big": 18446744073709551617}}`),
			status: 201, contains: `"big":18446744073709551617,"created_at"`},
		{name: "null body gets one failure", body: []byte(`null`), status: 400, contains: `"failures":[{"location":"body","field":"","rule":"type","message":"must be an object, got null"}]`},
		{name: "white space only is an empty body", body: []byte(" \n\t "), status: 400, contains: "body is empty"},
		{name: "trailing garbage after the body", body: []byte(`{"name": "x", ` + validEmails + `} x`), status: 400, contains: `"rule":"syntax"`},
		{name: "trailing closing brace", body: []byte(`{"name": "x", ` + validEmails + `}}`), status: 400, contains: `"rule":"syntax"`},
		{name: "JSON array body", body: []byte(`[` + string(dixaBody(`"x"`)) + `]`), status: 400, contains: "must be an object, got array"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			he := e
			if c.big {
				he = big
			}
			method, target := c.method, c.target
			if method == "" {
				method = "POST"
			}
			if target == "" {
				target = createPath("dixa")
			}
			res, raw := he.serve(method, target, c.body, c.chunked, c.header...)
			if res.StatusCode != c.status || !bytes.Contains(raw, []byte(c.contains)) {
				t.Fatalf("%d %.600s\nwant %d with %q", res.StatusCode, raw, c.status, c.contains)
			}
			if res.StatusCode >= 400 {
				var eb struct {
					StatusCode int `json:"statusCode"`
				}
				if err := json.Unmarshal(raw, &eb); err != nil || eb.StatusCode != res.StatusCode {
					t.Errorf("error body %.300s does not carry statusCode %d", raw, res.StatusCode)
				}
			}
			if c.check != nil {
				c.check(t, res, raw)
			}
			if res.StatusCode >= 400 {
				t.Logf("%d %.150s", res.StatusCode, decodeBody(t, raw)["message"])
			} else {
				t.Logf("%d", res.StatusCode)
			}
		})
	}

	// The SQL-looking name did nothing to the table: the user is there,
	// can be updated, and creating users still works.
	if sqlID == "" {
		t.Fatal("the SQL-looking create returned no id")
	}
	res, raw := e.serve("PATCH", updatePath("dixa", sqlID), []byte(`{"name": `+jsonString(sqlName+" again")+`}`), false)
	if res.StatusCode != 200 || decodeBody(t, raw)["name"] != sqlName+" again" {
		t.Errorf("update of the SQL-named user: %d %s", res.StatusCode, raw)
	}

	// Nothing broke: a normal create on both services still succeeds.
	for _, he := range []hostileEnv{e, big} {
		res, raw := he.serve("POST", createPath("dixa"), dixaBody(`"Jane Doe"`), false)
		if res.StatusCode != 201 || decodeBody(t, raw)["name"] != "Jane Doe" {
			t.Errorf("normal create after the hostile requests: %d %s", res.StatusCode, raw)
		}
		// And over a real connection too.
		r := he.do("POST", createPath("dixa"), token, string(dixaBody(`"Jane Doe"`)))
		if r.status != 201 {
			t.Errorf("normal create over HTTP after the hostile requests: %d %s", r.status, r.raw)
		}
	}
}
