package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/unifiedgen/unifiedgen/diag"
)

// Contract is a parsed and validated contract file. Build it with [Load]:
// the engine relies on what Load checks and derives.
type Contract struct {
	Provider        string        `yaml:"provider"`
	Name            string        `yaml:"name"`
	Docs            string        `yaml:"docs"`
	BaseURL         BaseURL       `yaml:"base_url"`
	Credentials     []string      `yaml:"credentials"`
	Auth            Auth          `yaml:"auth"`
	RequiredHeaders []HeaderRule  `yaml:"required_headers"`
	RateLimit       RateLimitSpec `yaml:"rate_limit"`
	Errors          ErrorSpec     `yaml:"errors"`
	Endpoints       []*Endpoint   `yaml:"endpoints"`
	Unconfirmed     []string      `yaml:"unconfirmed"`

	basePath string // the path of BaseURL.Template, without a trailing slash
	loaded   bool
}

// BaseURL is where the provider's API lives; only its path matters here.
type BaseURL struct {
	Template string `yaml:"template"`
	Source   string `yaml:"source"`
	Notes    string `yaml:"notes"`
}

// Auth is how a request authenticates; see CONTRACT-FORMAT.md.
type Auth struct {
	Scheme        string `yaml:"scheme"` // bearer, header, basic or query
	Header        string `yaml:"header"`
	Prefix        string `yaml:"prefix"`
	QueryParam    string `yaml:"query_param"`
	BasicUser     string `yaml:"basic_user"`     // a template such as "{email}"
	BasicPassword string `yaml:"basic_password"` // a template such as "{api_key}" or "X"
	Source        string `yaml:"source"`
	Notes         string `yaml:"notes"`
}

// HeaderRule is a header every request must carry.
type HeaderRule struct {
	Name   string `yaml:"name"`
	Value  string `yaml:"value"`
	Source string `yaml:"source"`
	Notes  string `yaml:"notes"`
}

// RateLimitSpec is the provider's documented rate-limit answer.
type RateLimitSpec struct {
	Status           int               `yaml:"status"`
	RetryAfterHeader string            `yaml:"retry_after_header"`
	ResetHeaders     []string          `yaml:"reset_headers"`
	HeaderValues     map[string]string `yaml:"header_values"` // reset header -> what it holds
	Notes            string            `yaml:"notes"`
	Source           string            `yaml:"source"`
	SourceAlt        string            `yaml:"source_alt"`
}

// ErrorSpec is the provider's documented error body.
type ErrorSpec struct {
	ContentType       string         `yaml:"content_type"`
	MessagePath       string         `yaml:"message_path"`
	FieldErrorsPath   string         `yaml:"field_errors_path"`
	FieldErrorField   string         `yaml:"field_error_field"`
	FieldErrorMessage string         `yaml:"field_error_message"`
	ValidationStatus  int            `yaml:"validation_status"`
	NotFoundStatus    int            `yaml:"not_found_status"`
	Notes             string         `yaml:"notes"`
	Examples          []ErrorExample `yaml:"examples"`
}

// ErrorExample is a documented error body.
type ErrorExample struct {
	Status int    `yaml:"status"`
	Body   any    `yaml:"body"` // JSON values: map[string]any, []any, json.Number, ...
	Source string `yaml:"source"`
	Notes  string `yaml:"notes"`
}

// Endpoint is one documented operation.
type Endpoint struct {
	Name     string       `yaml:"name"`
	Method   string       `yaml:"method"`
	Path     string       `yaml:"path"`
	Source   string       `yaml:"source"`
	Request  RequestSpec  `yaml:"request"`
	Response ResponseSpec `yaml:"response"`

	verb, resource string         // "create", "user"
	pattern        *regexp.Regexp // matches the base path + Path
	params         []string       // placeholder names, in pattern group order
}

// Verb is what the endpoint does: create, get, update, list or delete.
func (e *Endpoint) Verb() string { return e.verb }

// Resource names the collection the endpoint acts on: "user" for
// create_user and list_users.
func (e *Endpoint) Resource() string { return e.resource }

// RequestSpec is what the endpoint accepts.
type RequestSpec struct {
	ContentType    string            `yaml:"content_type"`
	Wrapper        string            `yaml:"wrapper"`
	Fields         map[string]*Field `yaml:"fields"`
	Query          map[string]*Field `yaml:"query"`
	IDField        string            `yaml:"id_field"`
	RejectedFields []string          `yaml:"rejected_fields"`
	Notes          string            `yaml:"notes"`
}

// ResponseSpec is the endpoint's documented success answer.
type ResponseSpec struct {
	Status  int    `yaml:"status"`
	Wrapper string `yaml:"wrapper"` // path of the record (or list) in Example
	Example any    `yaml:"example"` // the whole body, as JSON values
	Source  string `yaml:"source"`
	Notes   string `yaml:"notes"`
}

// Field is a documented body field or query parameter.
type Field struct {
	Type        string            `yaml:"type"`
	Required    bool              `yaml:"required"`
	Nullable    bool              `yaml:"nullable"`
	Enum        []any             `yaml:"enum"`
	Items       *Field            `yaml:"items"`
	Fields      map[string]*Field `yaml:"fields"`
	Description string            `yaml:"description"`
}

// UnmarshalYAML accepts a bare type name ("items: string") as well as a
// mapping. A custom unmarshaler loses the decoder's strictness, so it checks
// the keys itself, reporting them as the decoder does.
func (f *Field) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		*f = Field{Type: n.Value}
		return nil
	}
	if n.Kind == yaml.MappingNode {
		known := yamlKeys(reflect.TypeFor[Field]())
		var unknown []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; !slices.Contains(known, k.Value) {
				unknown = append(unknown, fmt.Sprintf("line %d: field %s not found in type emulator.Field", k.Line, k.Value))
			}
		}
		if unknown != nil {
			return &yaml.TypeError{Errors: unknown}
		}
	}
	type plain Field // without this method
	return n.Decode((*plain)(f))
}

var (
	verbs = []string{"create", "get", "update", "list", "delete"}
	// credentialNames are the credentials an account may give, the
	// service's own list: a contract names which of them its provider needs.
	credentialNames = remote.CredentialKeys
	httpMethods     = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	fieldTypes      = []string{"string", "integer", "number", "boolean", "array", "object"}
	valueKinds      = []string{"limit", "remaining", "used/limit", "reset_seconds", "reset_epoch"}
	placeholderRe   = regexp.MustCompile(`\{([^{}]*)\}`)
	typeErrorRe     = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownKeyRe    = regexp.MustCompile(`^field (.+) not found in type (\S+)$`)
)

// Load reads, parses and validates the contract file at path. Every
// problem is reported, one per line, as "path:line: key: message".
func Load(path string) (*Contract, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is [Load] for a contract already read; name is used in errors.
func Parse(name string, data []byte) (*Contract, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %w", name, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s:1: empty contract", name)
	}
	k := &checker{file: name, root: root.Content[0]}
	var c Contract
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, e := range te.Errors {
			k.typeError(e)
		}
		return nil, k.diags.Err()
	}
	k.contract(&c)
	if err := k.diags.Err(); err != nil {
		return nil, err
	}
	c.loaded = true
	return &c, nil
}

// BasePath is the path prefix of the provider's base URL ("/v2" for
// https://{subdomain}.freshchat.com/v2): a client pointed at an emulator
// uses the test server's URL followed by it.
func (c *Contract) BasePath() string { return c.basePath }

// Endpoint returns the endpoint called name, or nil.
func (c *Contract) Endpoint(name string) *Endpoint {
	for _, e := range c.Endpoints {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// checker validates a decoded contract, reporting problems at the line of
// the offending key in the YAML tree.
type checker struct {
	file  string
	root  *yaml.Node
	diags diag.List
}

func (k *checker) errorf(path []any, format string, args ...any) {
	var p strings.Builder
	for _, s := range path {
		switch s := s.(type) {
		case int:
			fmt.Fprintf(&p, "[%d]", s)
		default:
			if p.Len() > 0 {
				p.WriteByte('.')
			}
			fmt.Fprint(&p, s)
		}
	}
	k.diags = append(k.diags, diag.Diagnostic{File: k.file, Line: k.line(path), Path: p.String(), Msg: fmt.Sprintf(format, args...)})
}

// line is the line of the node at path, or of its deepest existing parent.
func (k *checker) line(path []any) int {
	n := k.root
	for _, s := range path {
		next := (*yaml.Node)(nil)
		switch s := s.(type) {
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
			}
		case string:
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == s {
					next = n.Content[i+1]
				}
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}

// typeError turns one of the YAML library's decoding errors into a
// diagnostic, naming the keys an unknown one may have meant.
func (k *checker) typeError(e string) {
	d := diag.Diagnostic{File: k.file, Msg: e}
	if m := typeErrorRe.FindStringSubmatch(e); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		d.Msg = m[2]
	}
	if m := unknownKeyRe.FindStringSubmatch(d.Msg); m != nil {
		d.Msg = fmt.Sprintf("unknown key %q", m[1])
		if t, ok := contractTypes[m[2]]; ok {
			d.Msg += diag.Suggest(m[1], yamlKeys(t))
		}
	}
	k.diags = append(k.diags, d)
}

var contractTypes = map[string]reflect.Type{}

func init() {
	for _, t := range []reflect.Type{
		reflect.TypeFor[Contract](), reflect.TypeFor[BaseURL](), reflect.TypeFor[Auth](),
		reflect.TypeFor[HeaderRule](), reflect.TypeFor[RateLimitSpec](), reflect.TypeFor[ErrorSpec](),
		reflect.TypeFor[ErrorExample](), reflect.TypeFor[Endpoint](), reflect.TypeFor[RequestSpec](),
		reflect.TypeFor[ResponseSpec](), reflect.TypeFor[Field](),
	} {
		contractTypes[t.String()] = t
	}
}

// yamlKeys lists the keys a struct accepts.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// at returns path extended by more, without sharing its backing array.
func at(path []any, more ...any) []any { return slices.Concat(path, more) }

func (k *checker) contract(c *Contract) {
	if c.Provider == "" {
		k.errorf([]any{"provider"}, "missing provider id")
	}
	k.baseURL(c)
	for i, cred := range c.Credentials {
		if !slices.Contains(credentialNames, cred) {
			k.errorf([]any{"credentials", i}, "unknown credential %q%s (one of %s)", cred, diag.Suggest(cred, credentialNames), strings.Join(credentialNames, ", "))
		}
	}
	k.auth(c)
	for i, h := range c.RequiredHeaders {
		if h.Name == "" || h.Value == "" {
			k.errorf([]any{"required_headers", i}, "a required header needs a name and a value")
		}
	}
	k.rateLimit(&c.RateLimit)
	k.errors(&c.Errors)
	if len(c.Endpoints) == 0 {
		k.errorf([]any{"endpoints"}, "no endpoints")
	}
	seen := map[string]bool{}
	for i, e := range c.Endpoints {
		path := []any{"endpoints", i}
		if e == nil {
			k.errorf(path, "empty endpoint")
			continue
		}
		if seen[e.Name] {
			k.errorf(at(path, "name"), "endpoint %q defined twice", e.Name)
		}
		seen[e.Name] = true
		k.endpoint(c, path, e)
	}
	for i, e := range c.Endpoints {
		for _, other := range c.Endpoints[:i] {
			if e != nil && other != nil && e.Method == other.Method && e.Path == other.Path {
				k.errorf([]any{"endpoints", i, "path"}, "%s %s is also endpoint %q", e.Method, e.Path, other.Name)
			}
		}
	}
}

func (k *checker) baseURL(c *Contract) {
	t := c.BaseURL.Template
	_, rest, ok := strings.Cut(t, "://")
	if !ok {
		k.errorf([]any{"base_url", "template"}, "base URL %q has no scheme", t)
		return
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		c.basePath = strings.TrimSuffix(rest[i:], "/")
	}
	if strings.Contains(c.basePath, "{") {
		k.errorf([]any{"base_url", "template"}, "placeholders in the base URL's path are not supported")
	}
}

func (k *checker) auth(c *Contract) {
	a := &c.Auth
	path := []any{"auth"}
	switch a.Scheme {
	case "bearer":
		if a.Header == "" {
			a.Header = "Authorization"
		}
		if a.Prefix == "" {
			a.Prefix = "Bearer "
		}
	case "header":
		if a.Header == "" {
			k.errorf(at(path, "header"), "scheme header needs the header's name")
		}
	case "basic":
		if a.BasicUser == "" {
			k.errorf(at(path, "basic_user"), "scheme basic needs basic_user")
		}
	case "query":
		if a.QueryParam == "" {
			k.errorf(at(path, "query_param"), "scheme query needs query_param")
		}
	default:
		k.errorf(at(path, "scheme"), "auth scheme %q is not one of bearer, header, basic, query", a.Scheme)
	}
	if a.Scheme != "basic" && !slices.Contains(c.Credentials, "api_key") {
		k.errorf(at(path, "scheme"), "scheme %s sends the api_key credential, which credentials does not list", a.Scheme)
	}
	for key, t := range map[string]string{"basic_user": a.BasicUser, "basic_password": a.BasicPassword} {
		for _, m := range placeholderRe.FindAllStringSubmatch(t, -1) {
			if !slices.Contains(c.Credentials, m[1]) {
				k.errorf(at(path, key), "{%s} is not a credential of this contract", m[1])
			}
		}
	}
}

func (k *checker) rateLimit(r *RateLimitSpec) {
	path := []any{"rate_limit"}
	if r.Status == 0 {
		r.Status = http.StatusTooManyRequests
	}
	if r.Status < 400 || r.Status > 599 {
		k.errorf(at(path, "status"), "status %d is not an error status", r.Status)
	}
	for i, h := range r.ResetHeaders {
		if r.HeaderValues[h] == "" {
			k.errorf(at(path, "reset_headers", i), "header_values does not say what %s holds (one of %s)", h, strings.Join(valueKinds, ", "))
		}
	}
	for h, kind := range r.HeaderValues {
		if !slices.Contains(r.ResetHeaders, h) {
			k.errorf(at(path, "header_values", h), "%s is not in reset_headers", h)
		}
		if !slices.Contains(valueKinds, kind) {
			k.errorf(at(path, "header_values", h), "%q is not one of %s", kind, strings.Join(valueKinds, ", "))
		}
	}
}

func (k *checker) errors(e *ErrorSpec) {
	path := []any{"errors"}
	if e.ContentType == "" {
		e.ContentType = "application/json"
	}
	if e.NotFoundStatus == 0 {
		e.NotFoundStatus = http.StatusNotFound
	}
	if _, err := parsePath(e.MessagePath); err != nil || e.MessagePath == "" {
		k.errorf(at(path, "message_path"), "message_path %q is not a path such as message or error.message", e.MessagePath)
	}
	if _, err := parsePath(e.FieldErrorsPath); err != nil {
		k.errorf(at(path, "field_errors_path"), "%v", err)
	}
	if (e.FieldErrorField == "") != (e.FieldErrorMessage == "") {
		k.errorf(at(path, "field_error_field"), "field_error_field and field_error_message go together")
	}
	if e.FieldErrorField != "" && e.FieldErrorsPath == "" {
		k.errorf(at(path, "field_error_field"), "field_error_field without field_errors_path")
	}
	for key, s := range map[string]int{"validation_status": e.ValidationStatus, "not_found_status": e.NotFoundStatus} {
		if s < 400 || s > 499 {
			k.errorf(at(path, key), "%s %d is not a 4xx status", key, s)
		}
	}
	for i := range e.Examples {
		x := &e.Examples[i]
		p := at(path, "examples", i)
		if x.Status < 400 || x.Status > 599 {
			k.errorf(at(p, "status"), "status %d is not an error status", x.Status)
		}
		x.Body = k.json(at(p, "body"), x.Body)
		if _, ok := x.Body.(map[string]any); !ok {
			k.errorf(at(p, "body"), "an error body must be a JSON object")
		}
	}
}

// json converts a YAML value to the JSON values request bodies decode to
// (json.Number for numbers), so examples and requests compare alike.
func (k *checker) json(path []any, v any) any {
	out, err := normalize(v)
	if err != nil {
		k.errorf(path, "not JSON: %v", err)
	}
	return out
}

func normalize(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	err = dec.Decode(&out)
	return out, err
}

func (k *checker) endpoint(c *Contract, path []any, e *Endpoint) {
	verb, resource, _ := strings.Cut(e.Name, "_")
	if !slices.Contains(verbs, verb) || resource == "" {
		k.errorf(at(path, "name"), "endpoint name %q is not <verb>_<resource> with verb one of %s", e.Name, strings.Join(verbs, ", "))
	}
	if verb == "list" {
		resource = strings.TrimSuffix(resource, "s")
	}
	e.verb, e.resource = verb, resource
	if !slices.Contains(httpMethods, e.Method) {
		k.errorf(at(path, "method"), "method %q is not one of %s", e.Method, strings.Join(httpMethods, ", "))
	}
	if !strings.HasPrefix(e.Source, "https://") && !strings.HasPrefix(e.Source, "http://") {
		k.errorf(at(path, "source"), "endpoint %q has no source URL", e.Name)
	}
	if !strings.HasPrefix(e.Path, "/") {
		k.errorf(at(path, "path"), "path template %q does not start with /", e.Path)
	}
	pattern := "^" + regexp.QuoteMeta(c.basePath)
	last := 0
	for _, m := range placeholderRe.FindAllStringSubmatchIndex(e.Path, -1) {
		name := e.Path[m[2]:m[3]]
		if name != "id" && !slices.Contains(c.Credentials, name) {
			k.errorf(at(path, "path"), "placeholder {%s} is neither {id} nor a credential of this contract", name)
		}
		pattern += regexp.QuoteMeta(e.Path[last:m[0]]) + `([^/]+)`
		e.params = append(e.params, name)
		last = m[1]
	}
	e.pattern = regexp.MustCompile(pattern + regexp.QuoteMeta(e.Path[last:]) + "$")
	needsID := verb == "get" || verb == "update" || verb == "delete"
	if hasID := slices.Contains(e.params, "id"); needsID && !hasID && e.Request.IDField == "" {
		k.errorf(at(path, "path"), "%s needs {id} in its path, or request.id_field", verb)
	}
	k.request(at(path, "request"), e)
	k.response(at(path, "response"), e)
}

func (k *checker) request(path []any, e *Endpoint) {
	r := &e.Request
	switch r.ContentType {
	case "", "application/json":
	default:
		k.errorf(at(path, "content_type"), "content type %q is not supported by the emulator (only application/json)", r.ContentType)
	}
	if r.ContentType == "" && (len(r.Fields) > 0 || r.Wrapper != "" || r.IDField != "") {
		k.errorf(at(path, "content_type"), "body fields but no content_type")
	}
	if r.IDField != "" && r.Fields[r.IDField] == nil {
		k.errorf(at(path, "id_field"), "id_field %q is not a documented field", r.IDField)
	}
	for i, f := range r.RejectedFields {
		if r.Fields[f] != nil {
			k.errorf(at(path, "rejected_fields", i), "%q is both documented and rejected", f)
		}
	}
	for _, key := range []string{"fields", "query"} {
		fields := r.Fields
		if key == "query" {
			fields = r.Query
		}
		for _, name := range sortedKeys(fields) {
			k.field(at(path, key, name), fields[name])
		}
	}
}

func (k *checker) field(path []any, f *Field) {
	if f == nil {
		k.errorf(path, "field has no type")
		return
	}
	if !slices.Contains(fieldTypes, f.Type) {
		k.errorf(at(path, "type"), "type %q is not one of %s", f.Type, strings.Join(fieldTypes, ", "))
	}
	if f.Items != nil && f.Type != "array" {
		k.errorf(at(path, "items"), "items on a %s", f.Type)
	}
	if f.Fields != nil && f.Type != "object" {
		k.errorf(at(path, "fields"), "fields on a %s", f.Type)
	}
	if f.Items != nil {
		k.field(at(path, "items"), f.Items)
	}
	for _, name := range sortedKeys(f.Fields) {
		k.field(at(path, "fields", name), f.Fields[name])
	}
	for i, v := range f.Enum {
		f.Enum[i] = k.json(at(path, "enum", i), v)
	}
}

func (k *checker) response(path []any, e *Endpoint) {
	r := &e.Response
	if r.Status < 200 || r.Status > 299 {
		k.errorf(at(path, "status"), "success status %d is not 2xx", r.Status)
	}
	r.Example = k.json(at(path, "example"), r.Example)
	if _, err := parsePath(r.Wrapper); err != nil {
		k.errorf(at(path, "wrapper"), "%v", err)
		return
	}
	if r.Example == nil {
		if e.verb == "list" {
			k.errorf(at(path, "example"), "a list needs an example, to show where the records go")
		}
		return
	}
	v, ok := getPath(r.Example, r.Wrapper)
	switch {
	case !ok:
		k.errorf(at(path, "wrapper"), "the example has nothing at %q", r.Wrapper)
	case e.verb == "list":
		if _, ok := v.([]any); !ok {
			k.errorf(at(path, "wrapper"), "the list example has no array at %q", r.Wrapper)
		}
	case r.Wrapper != "":
		if _, ok := v.(map[string]any); !ok {
			k.errorf(at(path, "wrapper"), "the example has no object at %q", r.Wrapper)
		}
	}
}
