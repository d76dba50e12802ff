package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure an [Emulator].
type Options struct {
	// Credentials are the values requests must authenticate with, by the
	// contract's credential names (api_key, email, workspace_id, ...).
	Credentials map[string]string
	// RateLimit, when set, makes the emulator answer the contract's
	// rate-limit response once more requests than allowed arrive.
	RateLimit *RateLimit
	// Faults answer the first requests, one each, in order, before
	// anything else is checked. See also [Emulator.FailNext].
	Faults []Fault
}

// maxBody bounds the request bodies read, so a runaway client fails a
// test instead of exhausting its memory.
const maxBody = 10 << 20

// Emulator is a fake provider API enforcing a [Contract]. It is safe for
// concurrent use.
type Emulator struct {
	c     *Contract
	creds map[string]string
	rate  *RateLimit

	mu       sync.Mutex
	cols     map[string]*collection // by resource
	requests []Request
	faults   []Fault
	delay    time.Duration
	window   time.Time // start of the rate-limit window
	inWindow int       // requests in it
}

// New returns an emulator of c, which must come from [Load]. It panics when
// opts lacks a credential that c's auth or paths use: that is a mistake in
// the test, not something to emulate.
func New(c *Contract, opts Options) *Emulator {
	if !c.loaded {
		panic("emulator: the contract was not built by Load")
	}
	var needed []string
	if c.Auth.Scheme != "basic" {
		needed = append(needed, "api_key")
	}
	for _, t := range []string{c.Auth.BasicUser, c.Auth.BasicPassword} {
		for _, m := range placeholderRe.FindAllStringSubmatch(t, -1) {
			needed = append(needed, m[1])
		}
	}
	for _, ep := range c.Endpoints {
		needed = append(needed, slices.DeleteFunc(slices.Clone(ep.params), func(p string) bool { return p == "id" })...)
	}
	for _, name := range needed {
		if opts.Credentials[name] == "" {
			panic(fmt.Sprintf("emulator: %s: Options.Credentials has no %s", c.Provider, name))
		}
	}
	e := &Emulator{c: c, creds: maps.Clone(opts.Credentials), rate: opts.RateLimit, faults: slices.Clone(opts.Faults), cols: map[string]*collection{}}
	for _, ep := range c.Endpoints {
		if e.cols[ep.resource] == nil {
			e.cols[ep.resource] = newCollection(c, ep.resource)
		}
	}
	return e
}

// ServeHTTP answers r as the provider would, by the contract.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	e.log(r, raw)
	if !e.wait(r) {
		return
	}
	if f, ok := e.nextFault(); ok {
		e.inject(w, f)
		return
	}
	if e.rateLimited(w) {
		return
	}
	switch {
	case err != nil:
		e.fail(w, http.StatusBadRequest, "could not read the request body", nil)
	case len(raw) > maxBody:
		e.fail(w, http.StatusRequestEntityTooLarge, "request body too large", nil)
	default:
		e.handle(w, r, raw)
	}
}

// handle checks r against the contract in the order a typical API does
// (route, auth, headers, input) and then acts on the records.
func (e *Emulator) handle(w http.ResponseWriter, r *http.Request, raw []byte) {
	ep, params, allowed := e.route(r.Method, r.URL.Path)
	if ep == nil {
		if allowed != nil {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			e.fail(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path), nil)
			return
		}
		e.fail(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path, nil)
		return
	}
	if !e.authorized(r) {
		e.fail(w, http.StatusUnauthorized, "missing or invalid credentials", nil)
		return
	}
	invalidStatus, notFound := e.c.Errors.ValidationStatus, e.c.Errors.NotFoundStatus
	for _, h := range e.c.RequiredHeaders {
		if !hasHeader(r.Header, h) {
			e.fail(w, invalidStatus, fmt.Sprintf("header %s must be %s", h.Name, h.Value), nil)
			return
		}
	}
	var id string
	for i, name := range ep.params {
		switch {
		case name == "id":
			id = params[i]
		case params[i] != e.creds[name]:
			e.fail(w, notFound, fmt.Sprintf("unknown %s %q", name, params[i]), nil)
			return
		}
	}
	if errs := checkQuery(r.URL.Query(), ep.Request.Query); errs != nil {
		e.fail(w, invalidStatus, invalid(errs), errs)
		return
	}
	var body map[string]any
	if ep.Request.ContentType != "" {
		var msg string
		var errs []fieldError
		if body, msg, errs = readBody(r, raw, ep); msg != "" || errs != nil {
			if msg == "" {
				msg = invalid(errs)
			}
			e.fail(w, invalidStatus, msg, errs)
			return
		}
		if f := ep.Request.IDField; f != "" {
			id = idString(body[f])
		}
	}
	resp, found := e.apply(ep, id, body)
	if !found {
		e.fail(w, notFound, fmt.Sprintf("%s %q not found", ep.resource, id), nil)
		return
	}
	send(w, ep.Response.Status, "application/json", resp)
}

// route finds the endpoint documented for method and path. When there is
// none, allowed lists the methods documented for path, if any.
func (e *Emulator) route(method, path string) (ep *Endpoint, params, allowed []string) {
	for _, x := range e.c.Endpoints {
		m := x.pattern.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		if x.Method == method {
			return x, m[1:], nil
		}
		allowed = append(allowed, x.Method)
	}
	slices.Sort(allowed)
	return nil, nil, slices.Compact(allowed)
}

func (e *Emulator) authorized(r *http.Request) bool {
	a := &e.c.Auth
	switch a.Scheme {
	case "bearer", "header":
		return r.Header.Get(a.Header) == a.Prefix+e.creds["api_key"]
	case "basic":
		user, pass, ok := r.BasicAuth()
		return ok && user == e.fill(a.BasicUser) && pass == e.fill(a.BasicPassword)
	case "query":
		return r.URL.Query().Get(a.QueryParam) == e.creds["api_key"]
	}
	return false
}

// fill replaces the {credential} placeholders of t.
func (e *Emulator) fill(t string) string {
	return placeholderRe.ReplaceAllStringFunc(t, func(m string) string { return e.creds[m[1:len(m)-1]] })
}

// hasHeader reports whether h carries the required header. Accept lists
// media types, with parameters, any one of which may be the required one.
func hasHeader(h http.Header, rule HeaderRule) bool {
	for _, v := range h.Values(rule.Name) {
		if !strings.EqualFold(rule.Name, "Accept") {
			if v == rule.Value {
				return true
			}
			continue
		}
		for part := range strings.SplitSeq(v, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && strings.EqualFold(mt, rule.Value) {
				return true
			}
		}
	}
	return false
}

// apply acts on ep's collection and returns the success body; found is
// false when the record named by id does not exist.
func (e *Emulator) apply(ep *Endpoint, id string, body map[string]any) (resp any, found bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	col := e.cols[ep.resource]
	switch ep.verb {
	case "create":
		rec := documented(body, ep.Request.Fields)
		col.put(rec, true)
		return col.respond(ep, rec), true
	case "list":
		return col.respond(ep, col.all()...), true
	}
	rec, ok := col.records[id]
	if !ok {
		return nil, false
	}
	switch ep.verb {
	case "update":
		// A shallow merge: the documented keys sent replace the stored ones.
		maps.Copy(rec, documented(body, ep.Request.Fields))
	case "delete":
		col.remove(id)
	}
	return col.respond(ep, rec), true
}

// documented keeps the documented fields of a request body: the others are
// accepted and ignored, as most providers do.
func documented(body map[string]any, fields map[string]*Field) map[string]any {
	rec := map[string]any{}
	for name := range fields {
		if v, ok := body[name]; ok {
			rec[name] = deepCopy(v)
		}
	}
	return rec
}

// Seed stores a record in resource's collection as if the provider had it
// already (for contracts without a create, or records created elsewhere),
// and returns its id. fields are JSON-like values; an id under the
// collection's id key is kept, otherwise one is assigned.
func (e *Emulator) Seed(resource string, fields map[string]any) string {
	rec, err := normalize(fields)
	if err != nil {
		panic(fmt.Sprintf("emulator: Seed: %v", err))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	col := e.cols[resource]
	if col == nil {
		panic(fmt.Sprintf("emulator: Seed: %s has no resource %q", e.c.Provider, resource))
	}
	return col.put(rec.(map[string]any), false)
}

// Records returns copies of resource's records, in creation order, with
// every field stored: what a test needs when the documented answers do not
// show a field.
func (e *Emulator) Records(resource string) []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	col := e.cols[resource]
	if col == nil {
		return nil
	}
	var out []map[string]any
	for _, r := range col.all() {
		out = append(out, deepCopy(r).(map[string]any))
	}
	return out
}

// fail answers an error in the provider's documented format.
func (e *Emulator) fail(w http.ResponseWriter, status int, msg string, errs []fieldError) {
	send(w, status, e.c.Errors.ContentType, e.c.Errors.body(status, msg, errs))
}

func send(w http.ResponseWriter, status int, contentType string, body any) {
	if body == nil || status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	data, err := json.Marshal(body)
	if err != nil {
		panic(err) // bodies are decoded JSON: always encodable
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

// body builds an error body: the example documented for status (else the
// first one), restated for status, with msg at the message path and the
// field errors, if any, where the provider lists them.
func (s *ErrorSpec) body(status int, msg string, errs []fieldError) any {
	var body any = map[string]any{}
	if len(s.Examples) > 0 {
		x := s.Examples[0]
		for _, y := range s.Examples {
			if y.Status == status {
				x = y
			}
		}
		body = restatus(deepCopy(x.Body), x.Status, status)
	}
	if s.FieldErrorsPath != "" {
		deletePath(body, s.FieldErrorsPath) // an example's own field errors
		if errs != nil {
			body = setPath(body, s.FieldErrorsPath, s.fieldErrors(errs))
		}
	}
	return setPath(body, s.MessagePath, msg)
}

func (s *ErrorSpec) fieldErrors(errs []fieldError) any {
	if s.FieldErrorField == "" {
		// An object keyed by field, each holding a list of messages
		// (Gorgias: {"email": ["Missing data for required field."]}).
		m := map[string]any{}
		for _, fe := range errs {
			list, _ := m[fe.Field].([]any)
			m[fe.Field] = append(list, fe.Message)
		}
		return m
	}
	list := make([]any, len(errs))
	for i, fe := range errs {
		list[i] = map[string]any{s.FieldErrorField: fe.Field, s.FieldErrorMessage: fe.Message}
	}
	return list
}

// restatus rewrites, in an error example documented for status from, the
// values that repeat that status (Freshchat's "code": 404, Qualtrics'
// "httpStatus": "400 - Bad Request"), so that it can answer status to.
func restatus(v any, from, to int) any {
	if from == to {
		return v
	}
	f, t := strconv.Itoa(from), strconv.Itoa(to)
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			x[k] = restatus(y, from, to)
		}
	case []any:
		for i, y := range x {
			x[i] = restatus(y, from, to)
		}
	case json.Number:
		if string(x) == f {
			return json.Number(t)
		}
	case string:
		if rest, ok := strings.CutPrefix(x, f); ok && (rest == "" || rest[0] < '0' || rest[0] > '9') {
			return t + strings.Replace(rest, http.StatusText(from), http.StatusText(to), 1)
		}
	}
	return v
}
