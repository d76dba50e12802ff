package build

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator/model"
	"github.com/unifiedgen/unifiedgen/runtime/api"
)

// checkShape checks an operation against its kind: the HTTP method and the
// path Truto's clients call for it (the TypeScript SDK builds
// /unified/{model}/{resource}[/{id}|/{method}] itself), and whether it has
// a body.
func (b *builder) checkShape(at []string, o *model.Operation) {
	if o.Kind == 0 || o.Model == "" || o.Resource == "" {
		return // already reported
	}
	collection := "/unified/" + o.Model + "/" + o.Resource
	var method, path string
	body := false
	switch o.Kind {
	case model.List:
		method, path = http.MethodGet, collection
	case model.Get:
		method, path = http.MethodGet, collection+"/{id}"
	case model.Create:
		method, path, body = http.MethodPost, collection, true
	case model.Update:
		method, path, body = http.MethodPatch, collection+"/{id}", true
	case model.Delete:
		method, path = http.MethodDelete, collection+"/{id}"
	case model.Custom:
		method, path, body = http.MethodPost, collection+"/"+o.Method, true
	}
	if o.HTTPMethod != method || o.Path != path {
		b.errorf(at[:2], "a %s of %s/%s is %s %s (the route Truto's clients call), not %s %s", kindName(o), o.Model, o.Resource, method, path, o.HTTPMethod, o.Path)
	}
	needsID := o.Kind == model.Get || o.Kind == model.Update || o.Kind == model.Delete
	if needsID && !o.HasID && o.Path == path {
		b.errorf(at, "the path parameter id must be declared (in: path, required: true)")
	}
	switch {
	case body && o.Body == nil:
		b.errorf(at, "a %s takes a JSON request body; add requestBody with an application/json $ref to a component", kindName(o))
	case !body && o.Body != nil:
		b.errorf(append(at[:len(at):len(at)], "requestBody"), "a %s has no request body", kindName(o))
	}
	has := func(name string) bool {
		return slices.ContainsFunc(o.Query, func(p model.Param) bool { return p.Name == name })
	}
	if !has(api.ParamIntegratedAccountID) {
		b.errorf(at, "every unified operation takes the query parameter %s (required, a uuid): it selects the integrated account", api.ParamIntegratedAccountID)
	}
	if o.Kind == model.List && (!has(api.ParamLimit) || !has(api.ParamNextCursor)) {
		b.errorf(at, "a list takes the query parameters %s (integer) and %s (string): clients page with them", api.ParamLimit, api.ParamNextCursor)
	}
}

func kindName(o *model.Operation) string {
	if o.Kind == model.Custom {
		return "custom method"
	}
	return o.Kind.String()
}

// checkQueryRead reports a query parameter whose schema, or a member of
// whose object, cannot be read from a query string (model.QueryReadOf),
// at the parameter: the binder emitter could not write its reader.
func (b *builder) checkQueryRead(at []string, name string, s *model.Schema) {
	var walk func(member string, s *model.Schema, seen map[*model.Schema]bool)
	walk = func(member string, s *model.Schema, seen map[*model.Schema]bool) {
		obj := s
		switch model.QueryReadOf(s) {
		case model.QueryUnreadable:
			what := fmt.Sprintf("query parameter %q", name)
			if member != "" {
				what += fmt.Sprintf(" (its member %s%s)", name, member)
			}
			b.errorf(at, "%s cannot be read from a query string: it is %s; a query parameter is %s", what, diag.WithArticle(describeSchema(s)), model.QueryReadable)
			return
		case model.QueryObjects:
			obj = s.Items
		case model.QueryObject:
		default:
			return
		}
		if seen[obj] {
			return
		}
		seen[obj] = true
		for _, p := range obj.Properties {
			walk(member+"["+p.Name+"]", p.Schema, seen)
		}
	}
	walk("", s, map[*model.Schema]bool{})
}

// describeSchema names a schema's shape for messages: "array of integer",
// "string of format byte".
func describeSchema(s *model.Schema) string {
	if s.Kind == model.KindAny {
		return "schema with no type"
	}
	if s.Kind == model.KindString && len(s.Enum) > 0 {
		return "string enum"
	}
	if s.Kind == model.KindString && s.Format != "" {
		return "string of format " + s.Format
	}
	return describeKind(s)
}

// checkSecurity reports security requirements that say something else
// than what the service does: it authenticates every request with the
// tenant's API token as Authorization: Bearer. Leaving security out says
// nothing and is fine; an operation declared public (security: [] or an
// empty requirement) or a scheme that is not http bearer contradicts it.
func (b *builder) checkSecurity(at []string, reqs openapi3.SecurityRequirements) {
	const service = "the service requires the tenant's API token, as Authorization: Bearer, on every operation"
	if len(reqs) == 0 && len(at) > 1 {
		b.errorf(at, "security: [] declares the operation public, but %s", service)
		return
	}
	var schemes openapi3.SecuritySchemes
	if b.spec.Doc.Components != nil {
		schemes = b.spec.Doc.Components.SecuritySchemes
	}
	for i, req := range reqs {
		rat := append(at[:len(at):len(at)], strconv.Itoa(i))
		if len(req) == 0 {
			b.errorf(rat, "an empty requirement makes the token optional, but %s", service)
		}
		for _, name := range sortedKeys(req) {
			ref := schemes[name]
			if ref == nil || ref.Value == nil {
				continue // kin-openapi reports an unknown scheme
			}
			if v := ref.Value; v.Type != "http" || !strings.EqualFold(v.Scheme, "bearer") {
				b.errorf(append(rat, name), "security scheme %q is %s, but %s: describe it as {type: http, scheme: bearer}", name, describeScheme(v), service)
			}
		}
	}
}

func describeScheme(v *openapi3.SecurityScheme) string {
	switch v.Type {
	case "apiKey":
		return "an API key in the " + v.In + " " + strconv.Quote(v.Name)
	case "http":
		return "HTTP " + v.Scheme + " authentication"
	}
	return "of type " + v.Type
}

// checkQueryDefault reports a query parameter's default the binder would
// not apply: on a required parameter (never absent), or of a kind it
// does not write as a Go literal. limit's must be a page size the service
// takes.
func (b *builder) checkQueryDefault(at []string, p model.Param) {
	if p.Schema.Default == nil {
		return
	}
	at = append(at[:len(at):len(at)], "schema", "default")
	switch model.QueryReadOf(p.Schema) {
	case model.QueryString, model.QueryEnum, model.QueryBool, model.QueryInt, model.QueryFloat:
	default:
		b.errorf(at, "query parameter %q: a default is applied to strings (plain or with an enum), integers, numbers and booleans; leave it out here", p.Name)
		return
	}
	if p.Required {
		b.errorf(at, "query parameter %q is required, so its default is never used; make it optional or drop the default", p.Name)
	}
	switch d := p.Schema.Default; p.Name {
	case api.ParamLimit:
		if n, ok := d.(float64); ok && (n < 1 || n > api.MaxLimit || n != float64(int(n))) {
			b.errorf(at, "limit's default must be a whole number from 1 to %d, the page sizes the service takes", api.MaxLimit)
		}
	case api.ParamResponseFormat, api.ParamIgnoreRemoteData:
		// The service reads these itself, with its own defaults.
		if d != "unified" && d != false {
			b.errorf(at, "query parameter %q is read by the service, whose default is %v; the spec cannot change it", p.Name, map[string]any{api.ParamResponseFormat: "unified", api.ParamIgnoreRemoteData: false}[p.Name])
		}
	case api.ParamIntegratedAccountID, api.ParamExcludeFields, api.ParamRemoteQuery, api.ParamNextCursor:
		b.errorf(at, "query parameter %q is read by the service, which has no default for it", p.Name)
	}
}

// checkReserved checks a query parameter with one of the names the service
// reads itself (api.Params) against the schema the service expects.
func (b *builder) checkReserved(at []string, name string, s *model.Schema) {
	var want string
	ok := true
	switch name {
	case api.ParamIntegratedAccountID:
		want, ok = "a string of format uuid", s.Kind == model.KindString && s.Format == "uuid"
	case api.ParamResponseFormat:
		want = "a string enum of unified, raw, normalized, stream (or a subset)"
		ok = s.Kind == model.KindString && len(s.Enum) > 0
		for _, v := range s.Enum {
			ok = ok && slices.Contains([]string{"unified", "raw", "normalized", "stream"}, v)
		}
	case api.ParamIgnoreRemoteData:
		want, ok = "a boolean", s.Kind == model.KindBoolean
	case api.ParamExcludeFields:
		want, ok = "an array of strings", s.Kind == model.KindArray && s.Items != nil && s.Items.Kind == model.KindString
	case api.ParamRemoteQuery:
		want, ok = "a free-form object", s.Kind == model.KindObject && len(s.Properties) == 0
	case api.ParamLimit:
		want, ok = "an integer", s.Kind == model.KindInteger
	case api.ParamNextCursor:
		want, ok = "a string", s.Kind == model.KindString && len(s.Enum) == 0
	}
	if !ok {
		b.errorf(at, "query parameter %s is one the service reads itself: it must be %s, not %s", name, want, describeKind(s))
	}
}
