// Package build turns a loaded spec into the model: it decodes the
// x-unified-* extensions, checks them against the registry and the schemas,
// and reports every problem at once, each with file, line, JSON path and,
// where one is likely, the fix.
package build

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/unifiedgen/unifiedgen/generator/gonames"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator/load"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// The extension keys this package reads (reference: spec/EXTENSIONS.md).
const (
	ExtIntegrations = "x-unified-integrations"
	ExtSupport      = "x-unified-support"
	wildcard        = "*"
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Model builds the model of s, or returns a diag.List with every problem.
func Model(s *load.Spec) (*model.API, error) {
	b := &builder{spec: s, components: map[string]*model.Schema{}, converting: map[string]bool{}}
	api := &model.API{}
	api.Integrations = b.registry()
	b.checkSecurity([]string{"security"}, s.Doc.Security)
	for _, path := range s.Doc.Paths.InMatchingOrder() {
		item := s.Doc.Paths.Value(path)
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace} {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			if o, ok := b.operation(path, method, op, item.Parameters); ok {
				api.Operations = append(api.Operations, o)
			}
		}
	}
	slices.SortFunc(api.Operations, func(a, b model.Operation) int { return strings.Compare(a.ID, b.ID) })
	if len(api.Operations) == 0 && len(b.diags) == 0 {
		b.errorf([]string{"paths"}, "the spec has no operations; add at least one with %s", ExtSupport)
	}
	b.checkMethodsUnique(api.Operations)
	api.Resources = resources(api.Operations)
	api.Types = b.types()
	api.Patterns = patterns(api)
	if len(b.diags) == 0 {
		api.Remote = b.remotes(api)
	}
	if len(b.diags) == 0 {
		b.checkNames(api)
	}
	if err := b.diags.Err(); err != nil {
		return nil, err
	}
	return api, nil
}

// checkNoReadOnly reports the readOnly properties of a request body's
// schema, nested ones included: a readOnly member is one the service sets
// (OpenAPI: "SHOULD NOT be sent as part of the request", and its required
// applies to responses only), which the generated decoder would take from
// clients and require of them.
func (b *builder) checkNoReadOnly(s *model.Schema, opID string, seen map[*model.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for _, p := range s.Properties {
		if p.ReadOnly && s.Name != "" {
			b.errorf([]string{"components", "schemas", s.Name, "properties", p.Name, "readOnly"},
				"%s's request body takes %s.%s from clients, but it is readOnly: give the request its own component, without the members the service sets", opID, s.Name, p.Name)
		}
		b.checkNoReadOnly(p.Schema, opID, seen)
		b.checkNoReadOnly(p.Schema.Items, opID, seen)
	}
}

// patterns lists the distinct patterns of the schemas the operations
// reach (bodies through their components, query parameters directly),
// sorted.
func patterns(api *model.API) []string {
	seen := map[string]bool{}
	var walk func(s *model.Schema)
	walk = func(s *model.Schema) {
		if s == nil {
			return
		}
		if s.Pattern != "" {
			seen[s.Pattern] = true
		}
		walk(s.Items)
		for _, p := range s.Properties {
			if p.Schema.Name == "" { // a component is walked as one of api.Types
				walk(p.Schema)
			}
		}
	}
	for _, s := range api.Types {
		walk(s)
	}
	for _, o := range api.Operations {
		for _, p := range o.Query {
			walk(p.Schema)
		}
	}
	return sortedKeys(seen)
}

// resources groups the operations by model and resource.
func resources(ops []model.Operation) []model.Resource {
	var out []model.Resource
	for i, o := range ops {
		j := slices.IndexFunc(out, func(r model.Resource) bool { return r.Model == o.Model && r.Resource == o.Resource })
		if j < 0 {
			out = append(out, model.Resource{Model: o.Model, Resource: o.Resource})
			j = len(out) - 1
		}
		out[j].Operations = append(out[j].Operations, i)
	}
	for _, r := range out {
		slices.SortFunc(r.Operations, func(a, b int) int {
			if c := int(ops[a].Kind) - int(ops[b].Kind); c != 0 {
				return c
			}
			return strings.Compare(ops[a].Method, ops[b].Method)
		})
	}
	slices.SortFunc(out, func(a, b model.Resource) int {
		if c := strings.Compare(a.Model, b.Model); c != 0 {
			return c
		}
		return strings.Compare(a.Resource, b.Resource)
	})
	return out
}

type builder struct {
	spec  *load.Spec
	diags diag.List
	ids   map[string]string // registry id -> name
	// components are the component schemas converted so far, by name;
	// each is converted once, so every reference shares one *model.Schema.
	components map[string]*model.Schema
	// converting marks the components being converted, to report a
	// schema that refers to itself.
	converting map[string]bool
	// rejected holds ids whose registry entry was itself wrong, and
	// noRegistry is set when there is no usable registry: either way the
	// cause is reported once, not again at every cell naming the id.
	rejected   map[string]bool
	noRegistry bool
	// remoteRefs are the registry's integration definition files.
	remoteRefs []remoteRef
}

// knownID reports whether id may be used in cells; it reports unknown ids
// (with the nearest known one) unless the registry's own error covers them.
func (b *builder) knownID(at []string, id string) bool {
	if b.ids[id] != "" {
		return true
	}
	if b.noRegistry {
		return false
	}
	for r := range b.rejected {
		if strings.EqualFold(r, id) {
			return false // the registry entry's own error says it
		}
	}
	b.errorf(at, "unknown integration %q%s", id, suggest(id, sortedKeys(b.ids)))
	return false
}

func (b *builder) errorf(path []string, format string, args ...any) {
	b.diags = append(b.diags, b.spec.At(fmt.Sprintf(format, args...), path...))
}

func (b *builder) registry() []model.Integration {
	b.ids, b.rejected = map[string]string{}, map[string]bool{}
	raw, ok := b.spec.Doc.Extensions[ExtIntegrations]
	if !ok {
		b.noRegistry = true
		b.errorf(nil, "no %s registry at the document root; add a list of {id, name} (see spec/EXTENSIONS.md)", ExtIntegrations)
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		b.noRegistry = true
		b.errorf([]string{ExtIntegrations}, "must be a list of {id, name} objects")
		return nil
	}
	var out []model.Integration
	names := map[string]int{}
	index := map[string]int{}
	for i, e := range list {
		at := []string{ExtIntegrations, strconv.Itoa(i)}
		obj, ok := e.(map[string]any)
		if !ok {
			b.errorf(at, "must be an object with id and name")
			continue
		}
		b.unknownKeys(at, obj, "id", "name", "remote")
		id, _ := obj["id"].(string)
		name, _ := obj["name"].(string)
		switch {
		case id == "":
			b.errorf(at, "id is missing or not a string")
			continue
		case !idPattern.MatchString(id):
			b.rejected[id] = true
			b.errorf(append(at, "id"), "id %q must be lower snake case (%s)", id, idPattern)
			continue
		case b.ids[id] != "":
			b.errorf(append(at, "id"), "duplicate integration id %q (first at %s[%d])", id, ExtIntegrations, index[id])
			continue
		case strings.TrimSpace(name) == "":
			b.rejected[id] = true
			b.errorf(at, "integration %q has no name", id)
			continue
		}
		if first, dup := names[name]; dup {
			b.errorf(append(at, "name"), "duplicate integration name %q (first at %s[%d])", name, ExtIntegrations, first)
			continue
		}
		if r, ok := obj["remote"]; ok {
			if rel, ok := r.(string); !ok || rel == "" {
				b.errorf(append(at, "remote"), "remote must be the path of the integration's definition file, relative to the spec, such as integrations/%s/integration.yaml", id)
			} else {
				b.remoteRefs = append(b.remoteRefs, remoteRef{id: id, rel: rel, at: append(slices.Clone(at), "remote")})
			}
		}
		b.ids[id], names[name], index[id] = name, i, i
		out = append(out, model.Integration{ID: id, Name: name, GoName: gonames.Camel(id)})
	}
	slices.SortFunc(out, func(a, b model.Integration) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (b *builder) unknownKeys(at []string, obj map[string]any, known ...string) {
	for _, k := range sortedKeys(obj) {
		if !slices.Contains(known, k) {
			b.errorf(append(at, k), "unknown key %q (expected one of %s)%s", k, strings.Join(known, ", "), suggest(k, known))
		}
	}
}

var (
	// segment is a model or resource name: a URL path segment.
	segment = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

func (b *builder) operation(path, method string, op *openapi3.Operation, shared openapi3.Parameters) (model.Operation, bool) {
	opAt := []string{"paths", path, strings.ToLower(method)}
	at := append(opAt[:3:3], ExtSupport)
	o := model.Operation{ID: op.OperationID, HTTPMethod: method, Path: path, Summary: op.Summary}
	if op.Security != nil {
		b.checkSecurity(append(opAt[:3:3], "security"), *op.Security)
	}
	switch {
	case o.ID == "":
		b.errorf(opAt, "the operation needs an operationId: the generated Go names derive from it")
	default:
		o.GoName = gonames.Camel(o.ID)
	}
	raw, ok := op.Extensions[ExtSupport]
	if !ok {
		b.errorf(opAt, "the operation has no %s: every operation of a unified API names its model, resource and method and says which integrations implement it (see spec/EXTENSIONS.md)", ExtSupport)
		return model.Operation{}, false
	}
	ext, ok := raw.(map[string]any)
	if !ok {
		b.errorf(at, "must be an object (see spec/EXTENSIONS.md)")
		return model.Operation{}, false
	}
	b.unknownKeys(at, ext, "model", "resource", "method", "integrations", "query", "request", "response", "enums")
	o.Model = b.segment(at, ext, "model", "the unified model, e.g. ticketing")
	o.Resource = b.segment(at, ext, "resource", "the resource, e.g. users")
	switch m, ok := ext["method"].(string); {
	case ext["method"] == nil:
		b.errorf(at, "method is missing; add `method: create` (list, get, create, update, delete, or a custom method name)")
	case !ok || !idPattern.MatchString(m):
		b.errorf(append(at, "method"), "method must be a lower snake case name such as create or update, got %v", ext["method"])
	case m == "meta":
		b.errorf(append(at, "method"), "method \"meta\" is taken: /unified/{model}/{resource}/meta/{method} serves every resource's metadata")
	default:
		o.Method = m
		o.Kind = model.KindOf(m)
	}
	o.Integrations = b.operationIntegrations(append(at, "integrations"), ext["integrations"])
	for _, id := range o.Integrations {
		in, _ := b.integration(id)
		o.Validators = append(o.Validators, model.Validator{Integration: id, Func: "validate" + o.GoName + in.GoName})
	}

	var params []*openapi3.Parameter
	for _, p := range append(slices.Clone(shared), op.Parameters...) {
		if p.Value != nil {
			params = append(params, p.Value)
		}
	}
	queryCells := b.cells(append(at, "query"), ext["query"], o.Integrations, false)
	queryMissing := ext["query"] == nil
	seen := map[string]bool{}
	for i, p := range params {
		pat := b.paramAt(opAt, shared, op, i, len(shared))
		switch p.In {
		case openapi3.ParameterInPath:
			if p.Name != "id" {
				b.errorf(pat, "path parameter %q: the only path parameter of a unified operation is the record's id", p.Name)
				continue
			}
			if s := b.schema(pat, p.Schema, false); s.Kind != model.KindString {
				b.errorf(pat, "path parameter id must be a string")
			}
			o.HasID = true
		case openapi3.ParameterInQuery:
			seen[p.Name] = true
			cells, ok := queryCells[p.Name]
			if !ok && queryMissing {
				if len(seen) == 1 {
					b.errorf(at, "no query matrix; add `query:` with an entry for each query parameter of the operation")
				}
			} else if !ok {
				b.errorf(append(at, "query"), "query parameter %q has no matrix entry; add `%s: {'*': supported}` or per-integration cells", p.Name, p.Name)
			}
			s := b.schema(pat, p.Schema, true)
			b.checkReserved(pat, p.Name, s)
			b.checkQueryRead(pat, p.Name, s)
			o.Query = append(o.Query, model.Param{Name: p.Name, GoName: gonames.Type(p.Name), Required: p.Required,
				Schema: s, Description: p.Description, Cells: cells})
			b.checkQueryDefault(pat, o.Query[len(o.Query)-1])
		default:
			b.errorf(pat, "%s parameters are not supported; use query parameters", p.In)
		}
	}
	for _, name := range sortedKeys(queryCells) {
		if !seen[name] {
			b.errorf(append(at, "query", name), "matrix entry for query parameter %q, which the operation does not have%s", name, suggest(name, sortedKeys(seen)))
		}
	}
	slices.SortFunc(o.Query, func(a, b model.Param) int { return strings.Compare(a.Name, b.Name) })

	if op.RequestBody != nil && op.RequestBody.Value != nil {
		bat := append(opAt[:3:3], "requestBody", "content", "application/json", "schema")
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			o.Body = b.component(bat, mt.Schema, "request body")
			if o.Body != nil {
				b.checkNoReadOnly(o.Body, o.ID, map[*model.Schema]bool{})
				o.Request = b.fields(append(at, "request"), ext["request"], o.Body, o.Integrations, false)
			}
		} else {
			b.errorf(append(opAt[:3:3], "requestBody"), "the request body must be application/json")
		}
	}
	if o.Body == nil && ext["request"] != nil {
		b.errorf(append(at, "request"), "request matrix on an operation without an application/json request body")
	}
	status, resp := successResponse(op)
	o.SuccessStatus = status
	rat := append(opAt[:3:3], "responses", strconv.Itoa(status), "content", "application/json", "schema")
	if resp != nil {
		if mt := resp.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			switch o.Kind {
			case model.List:
				o.ResponseSchema = b.listItem(rat, mt.Schema)
			case model.Custom:
				o.ResponseSchema = b.resultItem(rat, mt.Schema)
			default:
				o.ResponseSchema = b.component(rat, mt.Schema, "success response")
			}
			if o.ResponseSchema != nil {
				o.Response = b.fields(append(at, "response"), ext["response"], o.ResponseSchema, o.Integrations, true)
			}
		}
	}
	if o.ResponseSchema == nil && ext["response"] != nil && (resp == nil || resp.Content.Get("application/json") == nil) {
		b.errorf(append(at, "response"), "response matrix on an operation without an application/json success response")
	}
	if status == 0 || (resp != nil && resp.Content.Get("application/json") == nil) {
		b.errorf(append(opAt[:3:3], "responses"), "the operation needs a 2xx response with an application/json body")
	}
	o.Enums = b.enums(append(at, "enums"), ext["enums"], &o)
	for i := range o.Enums {
		o.Enums[i].Var = o.Validators[slices.IndexFunc(o.Validators, func(v model.Validator) bool { return v.Integration == o.Enums[i].Integration })].Func +
			"Allowed" + enumPathName(o.Enums[i].Path)
	}
	b.checkShape(opAt, &o)
	return o, true
}

// enumPathName turns an enum path into an identifier part:
// "roles[].id" -> "RolesId".
func enumPathName(path string) string {
	return gonames.Camel(strings.NewReplacer("[]", "", ".", "_").Replace(path))
}

// segment reads a required model or resource name.
func (b *builder) segment(at []string, ext map[string]any, key, what string) string {
	v, ok := ext[key].(string)
	switch {
	case ext[key] == nil:
		b.errorf(at, "%s is missing; add `%s:` with %s", key, key, what)
	case !ok || !segment.MatchString(v):
		b.errorf(append(at, key), "%s must be a lower-case URL segment (%s), got %v", key, segment, ext[key])
	default:
		return v
	}
	return ""
}

// paramAt is the spec path of the i-th parameter of an operation, whose
// first nshared parameters are the path item's.
func (b *builder) paramAt(opAt []string, shared openapi3.Parameters, op *openapi3.Operation, i, nshared int) []string {
	if i < nshared {
		return []string{opAt[0], opAt[1], "parameters", strconv.Itoa(i)}
	}
	return append(opAt[:3:3], "parameters", strconv.Itoa(i-nshared))
}

func (b *builder) integration(id string) (model.Integration, bool) {
	if name, ok := b.ids[id]; ok {
		return model.Integration{ID: id, Name: name, GoName: gonames.Camel(id)}, true
	}
	return model.Integration{}, false
}

func successResponse(op *openapi3.Operation) (int, *openapi3.Response) {
	for code := 200; code < 300; code++ {
		if r := op.Responses.Status(code); r != nil && r.Value != nil {
			return code, r.Value
		}
	}
	return 0, nil
}

func (b *builder) operationIntegrations(at []string, raw any) []string {
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		b.errorf(at, "integrations must be a non-empty list of registry ids")
		return nil
	}
	var out []string
	for i, e := range list {
		id, _ := e.(string)
		switch {
		case !b.knownID(append(at, strconv.Itoa(i)), id):
		case slices.Contains(out, id):
			b.errorf(append(at, strconv.Itoa(i)), "integration %q is listed twice", id)
		default:
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// cells decodes a query/request/response matrix: name -> integration -> level.
func (b *builder) cells(at []string, raw any, implementing []string, response bool) map[string][]model.Cell {
	out := map[string][]model.Cell{}
	if raw == nil {
		return out
	}
	m, ok := raw.(map[string]any)
	if !ok {
		b.errorf(at, "must map each name to {integration: level}")
		return out
	}
	for _, name := range sortedKeys(m) {
		fat := append(at[:len(at):len(at)], name)
		row, ok := m[name].(map[string]any)
		if !ok {
			out[name] = nil // reported here, not again as a missing entry
			b.errorf(fat, "must map integration ids to required or supported")
			continue
		}
		if len(row) == 0 {
			out[name] = nil
			b.errorf(fat, "no integration supports %q; remove the field from the schema, or add cells", name)
			continue
		}
		levels := map[string]model.Level{}
		if lv, ok := row[wildcard]; ok {
			l := b.level(append(fat, wildcard), lv, response)
			for _, id := range implementing {
				levels[id] = l
			}
		}
		for _, id := range sortedKeys(row) {
			if id == wildcard {
				continue
			}
			cat := append(fat[:len(fat):len(fat)], id)
			switch {
			case !b.knownID(cat, id):
				continue
			case !slices.Contains(implementing, id):
				b.errorf(cat, "integration %q does not implement this operation; add it to integrations or remove the cell", id)
				continue
			}
			levels[id] = b.level(cat, row[id], response)
		}
		var cells []model.Cell
		for _, id := range sortedKeys(levels) {
			if levels[id] != model.Unsupported {
				cells = append(cells, model.Cell{Integration: id, Level: levels[id]})
			}
		}
		out[name] = cells
	}
	return out
}

func (b *builder) level(at []string, raw any, response bool) model.Level {
	s, _ := raw.(string)
	switch {
	case s == "supported":
		return model.Supported
	case s == "required" && !response:
		return model.Required
	case s == "required":
		b.errorf(at, "a response field cannot be required; use supported")
	default:
		b.errorf(at, "level %q is not required or supported%s", fmt.Sprint(raw), suggest(s, []string{"required", "supported"}))
	}
	return model.Unsupported
}

func (b *builder) fields(at []string, raw any, s *model.Schema, implementing []string, response bool) []model.Field {
	cells := b.cells(at, raw, implementing, response)
	if s.Kind != model.KindObject {
		b.errorf(at, "the body schema is not an object, so it has no fields to give cells to")
		return nil
	}
	if raw == nil {
		// One error for the missing section, not one per field.
		b.errorf(at[:len(at)-1], "no %s matrix; add `%s:` with an entry for each of %s", at[len(at)-1], at[len(at)-1], propertyNames(s))
		cells = nil
	}
	var out []model.Field
	names := make([]string, 0, len(s.Properties))
	for _, p := range s.Properties {
		names = append(names, p.Name)
		c, ok := cells[p.Name]
		if !ok && raw != nil {
			b.errorf(at, "field %q has no matrix entry; add `%s: {integration: supported}` (or '*')", p.Name, p.Name)
		}
		out = append(out, model.Field{Name: p.Name, Schema: p.Schema, Description: p.Schema.Doc, WriteOnly: p.WriteOnly, Cells: c})
	}
	for _, name := range sortedKeys(cells) {
		if !slices.Contains(names, name) {
			b.errorf(append(at, name), "matrix entry for field %q, which the schema does not have%s", name, suggest(name, names))
		}
	}
	return out
}

func (b *builder) enums(at []string, raw any, o *model.Operation) []model.EnumSubset {
	if raw == nil {
		return nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		b.errorf(at, "must map field paths to {integration: [values]}")
		return nil
	}
	var out []model.EnumSubset
	for _, path := range sortedKeys(m) {
		pat := append(at[:len(at):len(at)], path)
		target, top, err := resolve(o.Body, path)
		if err != "" {
			b.errorf(pat, "%s", err)
			continue
		}
		row, ok := m[path].(map[string]any)
		if !ok {
			b.errorf(pat, "must map integration ids to lists of values")
			continue
		}
		var field *model.Field
		for i := range o.Request {
			if o.Request[i].Name == top {
				field = &o.Request[i]
			}
		}
		for _, id := range sortedKeys(row) {
			cat := append(pat[:len(pat):len(pat)], id)
			if !b.knownID(cat, id) {
				continue
			}
			if field == nil || model.CellLevel(field.Cells, id) == model.Unsupported {
				b.errorf(cat, "integration %q does not support field %q, so it cannot have values for %q", id, top, path)
				continue
			}
			list, _ := row[id].([]any)
			if len(list) == 0 {
				b.errorf(cat, "must be a non-empty list of values from the schema enum (%s)", quoted(target.Enum))
				continue
			}
			var values []string
			for i, v := range list {
				s, _ := v.(string)
				switch {
				case !slices.Contains(target.Enum, s):
					b.errorf(append(cat, strconv.Itoa(i)), "value %q is not in the schema enum of %q (%s)%s", fmt.Sprint(v), path, quoted(target.Enum), suggest(s, target.Enum))
				case slices.Contains(values, s):
					b.errorf(append(cat, strconv.Itoa(i)), "value %q is listed twice", s)
				default:
					values = append(values, s)
				}
			}
			// Keep the schema's order, so docs and messages list values the
			// same way everywhere.
			slices.SortFunc(values, func(x, y string) int { return slices.Index(target.Enum, x) - slices.Index(target.Enum, y) })
			out = append(out, model.EnumSubset{Path: path, Field: top, Integration: id, Values: values})
		}
	}
	return out
}

// resolve follows a field path such as "roles[].id" through s to a string
// schema with an enum.
func resolve(s *model.Schema, path string) (*model.Schema, string, string) {
	if s == nil {
		return nil, "", "enums on an operation without a request body"
	}
	top := ""
	for i, part := range strings.Split(path, ".") {
		name, isArray := strings.CutSuffix(part, "[]")
		if i == 0 {
			top = name
		}
		var next *model.Schema
		var names []string
		for _, p := range s.Properties {
			names = append(names, p.Name)
			if p.Name == name {
				next = p.Schema
			}
		}
		if next == nil {
			return nil, "", fmt.Sprintf("field %q in path %q does not exist%s", name, path, suggest(name, names))
		}
		if isArray {
			if next.Kind != model.KindArray {
				return nil, "", fmt.Sprintf("%q is not an array, so %q cannot step into its items", name, path)
			}
			next = next.Items
		}
		s = next
	}
	if s.Kind != model.KindString || len(s.Enum) == 0 {
		return nil, "", fmt.Sprintf("%q is not a string with an enum in the schema", path)
	}
	return s, top, ""
}

func (b *builder) checkMethodsUnique(ops []model.Operation) {
	seen := map[string]string{}
	for _, o := range ops {
		if o.Method == "" || o.Model == "" || o.Resource == "" {
			continue
		}
		key := o.Model + "/" + o.Resource + " " + o.Method
		if prev, ok := seen[key]; ok {
			b.errorf([]string{"paths", o.Path, strings.ToLower(o.HTTPMethod), ExtSupport, "method"}, "%s/%s already has a method %q (operation %s)", o.Model, o.Resource, o.Method, prev)
		}
		seen[key] = o.ID
	}
}

func propertyNames(s *model.Schema) string {
	names := make([]string, len(s.Properties))
	for i, p := range s.Properties {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func quoted(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
