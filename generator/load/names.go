package load

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/unifiedgen/unifiedgen/diag"
)

// The names checked here become Go identifiers (oapi-codegen's types,
// fields and methods, the generated decoders and binders) or file names
// (docs/<operationId>.md). OpenAPI allows almost any string in them; the
// generator allows only what it can turn into a Go name and a file name
// without mangling, so that nothing fails late inside an emitter and no
// spec value can steer a path. Enum values are never turned into names by
// this generator (oapi-codegen sanitises its constant names), so any
// string is fine there.
type nameRule struct {
	re      *regexp.Regexp
	allowed string // what re allows, in words
	why     string // what the name becomes
}

var (
	operationIDRule = nameRule{
		re:      regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`),
		allowed: "ASCII letters, digits and '_', starting with a letter",
		why:     "it names the generated Go functions and the file docs/<operationId>.md",
	}
	componentRule = nameRule{
		re:      regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`),
		allowed: "ASCII letters, digits and '_', starting with a letter",
		why:     "it names a generated Go type",
	}
	fieldRule = nameRule{
		re:      regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`),
		allowed: "ASCII letters, digits and '_', not starting with a digit",
		why:     "it becomes a Go struct field name",
	}
	// Header names are dash-separated by convention (X-Request-Id).
	headerRule = nameRule{
		re:      regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`),
		allowed: "ASCII letters, digits, '_' and '-', starting with a letter",
		why:     "it becomes a Go struct field name",
	}
)

// problem says what is wrong with name, or returns "".
func (r nameRule) problem(name string) string {
	if r.re.MatchString(name) {
		return ""
	}
	bad := ""
	for i, c := range name {
		if !r.re.MatchString(name[:i] + string(c)) {
			switch {
			case c == utf8.RuneError:
				bad = "it is not valid UTF-8"
			case c >= utf8.RuneSelf:
				bad = fmt.Sprintf("%q (%U) is not ASCII", c, c)
			case i == 0 && r.re.MatchString("a"+string(c)):
				bad = fmt.Sprintf("it starts with %q", c)
			default:
				bad = fmt.Sprintf("%q is not allowed", c)
			}
			break
		}
	}
	if name == "" {
		bad = "it is empty"
	}
	return fmt.Sprintf("%s; %s, so use only %s", bad, r.why, r.allowed)
}

// foldName is what two names must not share: generated Go names drop
// underscores and change the case of letters (user_id and userId both
// become UserId), and docs file names that differ only in case are one
// file on case-insensitive file systems.
func foldName(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, "_", ""))
}

// names collects the problems of one kind of name within one scope (the
// operationIds of the document, the properties of one schema, ...).
type names struct {
	s     *Spec
	out   *diag.List
	rule  nameRule            // the zero rule checks clashes only
	what  string              // "operationId", "property", ...
	first map[string][]string // foldName -> path of its first use
	seen  map[string]string   // foldName -> the name first used
}

func (s *Spec) names(out *diag.List, rule nameRule, what string) *names {
	return &names{s: s, out: out, rule: rule, what: what, first: map[string][]string{}, seen: map[string]string{}}
}

// check reports name (at path) if it breaks the rule or clashes with a
// name seen before in the same scope; a clash is reported at whichever of
// the two comes later in the document.
func (n *names) check(name string, at []string) {
	if n.rule.re == nil {
		// the name was checked against its rule where it is declared
	} else if p := n.rule.problem(name); p != "" {
		*n.out = append(*n.out, n.s.At(fmt.Sprintf("%s %q: %s", n.what, name, p), at...))
		return
	}
	key := foldName(name)
	prev, dup := n.seen[key]
	if !dup {
		n.seen[key], n.first[key] = name, at
		return
	}
	if prev == name {
		return // an exact duplicate is kin-openapi's to report, or not an error (one parameter in path and query)
	}
	prevAt := n.first[key]
	l1, c1 := n.s.Pos(prevAt...)
	l2, c2 := n.s.Pos(at...)
	if l2 < l1 || l2 == l1 && c2 < c1 {
		name, prev, at, l1 = prev, name, prevAt, l2
	}
	*n.out = append(*n.out, n.s.At(fmt.Sprintf("%s %q differs from %q (line %d) only in case or underscores; the Go names generated from the two would clash, so rename one", n.what, name, prev, l1), at...))
}

// checkNames reports every name in doc that cannot become a Go identifier
// or a file name, or that clashes with another once it has.
func (s *Spec) checkNames(doc *openapi3.T) diag.List {
	var out diag.List
	ops := s.names(&out, operationIDRule, "operationId")
	paths := doc.Paths.Map()
	for _, p := range sortedKeys(paths) {
		item := paths[p]
		at := []string{"paths", p}
		for i, prm := range item.Parameters {
			s.parameter(&out, prm, append(at, "parameters", strconv.Itoa(i)))
		}
		methods := item.Operations()
		for _, m := range sortedKeys(methods) {
			op := methods[m]
			oat := append(at[:len(at):len(at)], strings.ToLower(m))
			if op.OperationID != "" { // a missing one is the model builder's to report
				ops.check(op.OperationID, append(oat, "operationId"))
			}
			s.operationParameters(&out, item.Parameters, op.Parameters, oat)
			if rb := op.RequestBody; rb != nil && rb.Ref == "" && rb.Value != nil {
				s.content(&out, rb.Value.Content, append(oat, "requestBody", "content"))
			}
			if op.Responses != nil {
				resp := op.Responses.Map()
				for _, code := range sortedKeys(resp) {
					s.response(&out, resp[code], append(oat, "responses", code))
				}
			}
		}
	}
	c := doc.Components
	if c == nil {
		return out
	}
	at := func(section, name string) []string { return []string{"components", section, name} }
	schemas := s.names(&out, componentRule, "schema name")
	for _, name := range sortedKeys(c.Schemas) {
		schemas.check(name, at("schemas", name))
		s.schema(&out, c.Schemas[name], at("schemas", name))
	}
	params := s.names(&out, componentRule, "parameter component name")
	for _, name := range sortedKeys(c.Parameters) {
		params.check(name, at("parameters", name))
		s.parameter(&out, c.Parameters[name], at("parameters", name))
	}
	bodies := s.names(&out, componentRule, "request body component name")
	for _, name := range sortedKeys(c.RequestBodies) {
		bodies.check(name, at("requestBodies", name))
		if rb := c.RequestBodies[name]; rb != nil && rb.Ref == "" && rb.Value != nil {
			s.content(&out, rb.Value.Content, append(at("requestBodies", name), "content"))
		}
	}
	responses := s.names(&out, componentRule, "response component name")
	for _, name := range sortedKeys(c.Responses) {
		responses.check(name, at("responses", name))
		s.response(&out, c.Responses[name], at("responses", name))
	}
	schemes := s.names(&out, componentRule, "security scheme name")
	for _, name := range sortedKeys(c.SecuritySchemes) {
		schemes.check(name, at("securitySchemes", name))
	}
	for _, name := range sortedKeys(c.Headers) {
		if h := c.Headers[name]; h != nil && h.Ref == "" && h.Value != nil {
			s.schema(&out, h.Value.Schema, append(at("headers", name), "schema"))
		}
	}
	return out
}

// operationParameters checks the names of an operation's parameters
// (including those of its path item) against each other: oapi-codegen puts
// the query, header and cookie parameters into one Params struct, and
// passes the path parameters as arguments.
func (s *Spec) operationParameters(out *diag.List, shared, own openapi3.Parameters, at []string) {
	// Each name was checked against its rule where it is declared; here
	// only clashes are left to find.
	inPath := s.names(out, nameRule{}, "path parameter")
	other := s.names(out, nameRule{}, "parameter")
	add := func(list openapi3.Parameters, at []string) {
		for i, p := range list {
			if p == nil || p.Value == nil {
				continue
			}
			pat := append(at[:len(at):len(at)], "parameters", strconv.Itoa(i))
			if p.Ref == "" {
				pat = append(pat, "name")
			}
			if p.Value.In == openapi3.ParameterInPath {
				inPath.check(p.Value.Name, pat)
			} else {
				other.check(p.Value.Name, pat)
			}
		}
	}
	add(shared, at[:2])
	for i, p := range own {
		s.parameter(out, p, append(at[:len(at):len(at)], "parameters", strconv.Itoa(i)))
	}
	add(own, at)
}

// parameter checks a parameter declared at at (a $ref is checked where it
// points to).
func (s *Spec) parameter(out *diag.List, p *openapi3.ParameterRef, at []string) {
	if p == nil || p.Ref != "" || p.Value == nil {
		return
	}
	rule, what := fieldRule, "parameter name"
	if p.Value.In == openapi3.ParameterInHeader {
		rule, what = headerRule, "header parameter name"
	}
	if msg := rule.problem(p.Value.Name); msg != "" {
		*out = append(*out, s.At(fmt.Sprintf("%s %q: %s", what, p.Value.Name, msg), append(at, "name")...))
	}
	s.schema(out, p.Value.Schema, append(at, "schema"))
	s.content(out, p.Value.Content, append(at, "content"))
}

func (s *Spec) response(out *diag.List, r *openapi3.ResponseRef, at []string) {
	if r == nil || r.Ref != "" || r.Value == nil {
		return
	}
	s.content(out, r.Value.Content, append(at, "content"))
	for _, name := range sortedKeys(r.Value.Headers) {
		if h := r.Value.Headers[name]; h != nil && h.Ref == "" && h.Value != nil {
			s.schema(out, h.Value.Schema, append(at[:len(at):len(at)], "headers", name, "schema"))
		}
	}
}

func (s *Spec) content(out *diag.List, c openapi3.Content, at []string) {
	for _, mt := range sortedKeys(c) {
		if c[mt] != nil {
			s.schema(out, c[mt].Schema, append(at[:len(at):len(at)], mt, "schema"))
		}
	}
}

// schema checks the property names of the schema declared at at and of
// every schema declared inside it. A $ref is checked where it points to,
// which also keeps recursive schemas from looping here.
func (s *Spec) schema(out *diag.List, ref *openapi3.SchemaRef, at []string) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	v := ref.Value
	at = at[:len(at):len(at)]
	props := s.names(out, fieldRule, "property name")
	for _, name := range sortedKeys(v.Properties) {
		props.check(name, append(at, "properties", name))
		s.schema(out, v.Properties[name], append(at, "properties", name))
	}
	s.schema(out, v.Items, append(at, "items"))
	s.schema(out, v.AdditionalProperties.Schema, append(at, "additionalProperties"))
	s.schema(out, v.Not, append(at, "not"))
	for key, list := range map[string]openapi3.SchemaRefs{"allOf": v.AllOf, "anyOf": v.AnyOf, "oneOf": v.OneOf} {
		for i, r := range list {
			s.schema(out, r, append(at, key, strconv.Itoa(i)))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
