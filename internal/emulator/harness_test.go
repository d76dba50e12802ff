package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/internal/emulator"
)

// The helpers here speak to an emulator the way a client following the
// contract would: they build requests from the contract's own paths, auth,
// headers, wrappers and fields, and read answers at the contract's own
// paths. They share no code with the engine, so that the two cannot agree
// by construction.

// contracts loads every contract file of the repository.
func contracts(t *testing.T) []*emulator.Contract {
	t.Helper()
	files, err := filepath.Glob("../../spec/integrations/*/contract.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no contract files found (%v)", err)
	}
	var out []*emulator.Contract
	for _, f := range files {
		c, err := emulator.Load(f)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		out = append(out, c)
	}
	return out
}

// harness is an emulator on a test server, and the credentials it wants.
type harness struct {
	t     *testing.T
	c     *emulator.Contract
	em    *emulator.Emulator
	url   string // the server's URL followed by the contract's base path
	creds map[string]string
}

func start(t *testing.T, c *emulator.Contract, opts emulator.Options) *harness {
	t.Helper()
	creds := map[string]string{}
	for _, name := range c.Credentials {
		creds[name] = "test-" + strings.ReplaceAll(name, "_", "-") + "-7f3a9c"
	}
	if slices.Contains(c.Credentials, "email") {
		creds["email"] = "agent@example.com"
	}
	opts.Credentials = creds
	em := emulator.New(c, opts)
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	return &harness{t: t, c: c, em: em, url: srv.URL + c.BasePath(), creds: creds}
}

var placeholder = regexp.MustCompile(`\{([^{}]+)\}`)

// request builds a documented request to ep: the path with id and the
// credentials filled in, the auth, the required headers and, for an
// endpoint with a body, fields as JSON in the documented wrapper.
func (h *harness) request(ep *emulator.Endpoint, id string, fields map[string]any) *http.Request {
	h.t.Helper()
	return h.rawRequest(ep.Method, h.path(ep, id, h.creds), ep.Request.ContentType, h.body(ep, fields))
}

// path is ep's path template with id and creds filled in, and the query
// parameters the endpoint requires: a credential's value for one named
// like a credential (Hive's user_id), a sample otherwise.
func (h *harness) path(ep *emulator.Endpoint, id string, creds map[string]string) string {
	p := placeholder.ReplaceAllStringFunc(ep.Path, func(m string) string {
		if name := m[1 : len(m)-1]; name != "id" {
			return creds[name]
		}
		return id
	})
	q := url.Values{}
	for name, f := range ep.Request.Query {
		if !f.Required {
			continue
		}
		if v, ok := creds[name]; ok {
			q.Set(name, v)
		} else {
			q.Set(name, fmt.Sprint(sample(name, f, false, 1)))
		}
	}
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// body is fields in ep's wrapper, as JSON, or nil when ep takes no body.
func (h *harness) body(ep *emulator.Endpoint, fields map[string]any) io.Reader {
	if ep.Request.ContentType == "" {
		return nil
	}
	if fields == nil {
		fields = map[string]any{}
	}
	var v any = fields
	if w := ep.Request.Wrapper; w != "" {
		v = map[string]any{w: fields}
	}
	return bytes.NewReader(mustJSON(h.t, v))
}

// rawRequest is a request to path (under the base path) with the auth and
// required headers, and body as it is.
func (h *harness) rawRequest(method, path, contentType string, body io.Reader) *http.Request {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for _, hr := range h.c.RequiredHeaders {
		req.Header.Set(hr.Name, hr.Value)
	}
	h.authorize(req, h.creds)
	return req
}

// withID adds id to fields when ep names its record in the body.
func withID(ep *emulator.Endpoint, id string, fields map[string]any) map[string]any {
	fields = maps.Clone(fields)
	if f := ep.Request.IDField; f != "" {
		if fields == nil {
			fields = map[string]any{}
		}
		fields[f] = id
	}
	return fields
}

// authorize applies the contract's auth scheme with creds.
func (h *harness) authorize(req *http.Request, creds map[string]string) {
	a := h.c.Auth
	fill := func(t string) string {
		return placeholder.ReplaceAllStringFunc(t, func(m string) string { return creds[m[1:len(m)-1]] })
	}
	switch a.Scheme {
	case "bearer", "header":
		req.Header.Set(a.Header, a.Prefix+creds["api_key"])
	case "basic":
		req.SetBasicAuth(fill(a.BasicUser), fill(a.BasicPassword))
	case "query":
		q := req.URL.Query()
		q.Set(a.QueryParam, creds["api_key"])
		req.URL.RawQuery = q.Encode()
	default:
		h.t.Fatalf("auth scheme %q", a.Scheme)
	}
}

// answer is a response, its body decoded as JSON (numbers as json.Number).
type answer struct {
	status int
	header http.Header
	body   any
	raw    []byte
}

func (h *harness) do(req *http.Request) answer {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&a.body); err != nil {
			h.t.Fatalf("%s %s: answer is not JSON: %v\n%s", req.Method, req.URL.Path, err, raw)
		}
	}
	return a
}

// expect fails unless a has status.
func (h *harness) expect(a answer, status int, what string) {
	h.t.Helper()
	if a.status != status {
		h.t.Fatalf("%s: status %d, want %d; body %s", what, a.status, status, a.raw)
	}
}

// expectError checks an error answer against the contract's error format:
// the status, the content type, a message at the message path and, when
// field is set, the field named in the per-field errors where the provider
// has them, else in the message.
func (h *harness) expectError(a answer, status int, field, what string) {
	h.t.Helper()
	h.expect(a, status, what)
	e := h.c.Errors
	if mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type")); mt != e.ContentType {
		h.t.Errorf("%s: Content-Type %q, want %s", what, a.header.Get("Content-Type"), e.ContentType)
	}
	msg, _ := lookup(a.body, e.MessagePath)
	text, _ := msg.(string)
	if text == "" {
		h.t.Errorf("%s: no message at %s in %s", what, e.MessagePath, a.raw)
	}
	if field == "" {
		return
	}
	if e.FieldErrorsPath == "" {
		if !strings.Contains(text, field) {
			h.t.Errorf("%s: message %q does not name %s", what, text, field)
		}
		return
	}
	list, _ := lookup(a.body, e.FieldErrorsPath)
	named := false
	switch l := list.(type) {
	case map[string]any: // keyed by field
		_, named = l[field]
	case []any:
		for _, fe := range l {
			if m, ok := fe.(map[string]any); ok && m[e.FieldErrorField] == field {
				named = true
			}
		}
	}
	if !named {
		h.t.Errorf("%s: %s does not name %s: %s", what, e.FieldErrorsPath, field, a.raw)
	}
}

// lookup reads the value at a contract path such as "error.msg",
// "errors[0].message" or "result.elements"; "" is the whole body.
func lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for part := range strings.SplitSeq(path, ".") {
		name, index, _ := strings.Cut(part, "[")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[name]; !ok {
			return nil, false
		}
		for index != "" {
			n, rest, _ := strings.Cut(index, "]")
			i, _ := strconv.Atoi(n)
			a, ok := v.([]any)
			if !ok || i >= len(a) {
				return nil, false
			}
			v, index = a[i], strings.TrimPrefix(rest, "[")
		}
	}
	return v, true
}

// record is the object at ep's response wrapper in body (a documented
// answer, or ep's own example).
func record(ep *emulator.Endpoint, body any) map[string]any {
	v, _ := lookup(body, ep.Response.Wrapper)
	m, _ := v.(map[string]any)
	return m
}

func list(ep *emulator.Endpoint, body any) []any {
	v, _ := lookup(body, ep.Response.Wrapper)
	l, _ := v.([]any)
	return l
}

// exampleRecord is the record ep's documented example shows.
func exampleRecord(ep *emulator.Endpoint) map[string]any {
	if ep.Verb() == "list" {
		if l := list(ep, normal(ep.Response.Example)); len(l) > 0 {
			m, _ := l[0].(map[string]any)
			return m
		}
		return nil
	}
	return record(ep, normal(ep.Response.Example))
}

// idKey is the key the contract's examples keep a record's id under.
func idKey(rec map[string]any) string {
	for _, k := range []string{"id", "_id"} {
		if _, ok := rec[k]; ok {
			return k
		}
	}
	return ""
}

func find(c *emulator.Contract, resource, verb string) *emulator.Endpoint {
	for _, ep := range c.Endpoints {
		if ep.Resource() == resource && ep.Verb() == verb {
			return ep
		}
	}
	return nil
}

func resources(c *emulator.Contract) []string {
	var out []string
	for _, ep := range c.Endpoints {
		if !slices.Contains(out, ep.Resource()) {
			out = append(out, ep.Resource())
		}
	}
	return out
}

// sample is a valid value for a documented field; variants differ.
func sample(name string, f *emulator.Field, requiredOnly bool, variant int) any {
	if len(f.Enum) > 0 {
		return f.Enum[variant%len(f.Enum)]
	}
	switch f.Type {
	case "string":
		return fmt.Sprintf("%s-%d", name, variant)
	case "integer":
		return json.Number(strconv.Itoa(40 + variant))
	case "number":
		return json.Number(fmt.Sprintf("%d.5", variant))
	case "boolean":
		return variant%2 == 1
	case "array":
		if f.Items == nil {
			return []any{}
		}
		return []any{sample(name, f.Items, requiredOnly, variant)}
	case "object":
		return sampleBody(f.Fields, requiredOnly, variant)
	}
	panic("type " + f.Type)
}

// sampleBody has a sample of every documented field, or of the required
// ones only.
func sampleBody(fields map[string]*emulator.Field, requiredOnly bool, variant int) map[string]any {
	body := map[string]any{}
	for name, f := range fields {
		if f.Required || !requiredOnly {
			body[name] = sample(name, f, requiredOnly, variant)
		}
	}
	return body
}

// wrong is a value of the wrong JSON type for f.
func wrong(f *emulator.Field) any {
	if f.Type == "string" {
		return json.Number("12345")
	}
	return "not " + f.Type
}

// mutation is a change to a valid body that makes it invalid at field.
type mutation struct {
	field string
	apply func(body map[string]any)
}

// mutations lists, for the documented fields (nested ones included), the
// removal of each required one and a wrong type, null and off-enum value
// for each.
func mutations(fields map[string]*emulator.Field, required func(string, *emulator.Field) bool, prefix string, in func(map[string]any) map[string]any) []mutation {
	var out []mutation
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		f, path := fields[name], prefix+name
		set := func(v any) func(map[string]any) { return func(b map[string]any) { in(b)[name] = v } }
		if required(name, f) {
			out = append(out, mutation{path, func(b map[string]any) { delete(in(b), name) }})
		}
		out = append(out, mutation{path, set(wrong(f))})
		if !f.Nullable {
			out = append(out, mutation{path, set(nil)})
		}
		if len(f.Enum) > 0 {
			out = append(out, mutation{path, set("surely-not-in-the-enum")})
		}
		if f.Type == "array" && f.Items != nil {
			out = append(out, mutation{path + "[0]", set([]any{wrong(f.Items)})})
		}
		if f.Type == "object" && f.Fields != nil {
			nested := func(b map[string]any) map[string]any { return in(b)[name].(map[string]any) }
			out = append(out, mutations(f.Fields, func(_ string, f *emulator.Field) bool { return f.Required }, path+".", nested)...)
		}
	}
	return out
}

// normal is v as JSON decodes it (numbers as json.Number), so that values
// sent and values answered compare alike.
func normal(v any) any {
	dec := json.NewDecoder(bytes.NewReader(mustJSON(nil, v)))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	return data
}

// sameValues fails for each key of got that was sent with another value.
func sameValues(t *testing.T, what string, got, sent map[string]any) {
	t.Helper()
	for k, v := range got {
		if s, ok := sent[k]; ok && !reflect.DeepEqual(v, normal(s)) {
			t.Errorf("%s: %s = %v, want the value sent, %v", what, k, v, s)
		}
	}
}
