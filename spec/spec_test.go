package spec_test

// Checks openapi.yaml against the hand transcription of the documentation
// pages in pages_test.go: the OpenAPI document must be valid, and every cell
// of every operation's x-unified-support matrix must be what the page says,
// with nothing missing and nothing invented.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const specFile = "openapi.yaml"

var sections = []string{"query", "request", "response"}

// ---------------------------------------------------------------------------
// Loading and decoding

type integration struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Remote string `json:"remote"` // the definition file; spec/EXTENSIONS.md
}

type support struct {
	Model        string                         `json:"model"`
	Resource     string                         `json:"resource"`
	Method       string                         `json:"method"`
	Integrations []string                       `json:"integrations"`
	Query        map[string]map[string]string   `json:"query"`
	Request      map[string]map[string]string   `json:"request"`
	Response     map[string]map[string]string   `json:"response"`
	Enums        map[string]map[string][]string `json:"enums"`
}

func (s *support) section(name string) map[string]map[string]string {
	switch name {
	case "query":
		return s.Query
	case "request":
		return s.Request
	case "response":
		return s.Response
	}
	panic("unknown section " + name)
}

// spec is the loaded document plus its decoded extensions.
type spec struct {
	doc      *openapi3.T
	registry []integration
	nameToID map[string]string
	idToName map[string]string
}

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(specFile)
	if err != nil {
		t.Fatalf("loading %s: %v", specFile, err)
	}
	return doc
}

// decodeExt round-trips an extension value (map[string]any / []any after
// loading) through JSON into a typed value.
func decodeExt(t *testing.T, what string, v any, into any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: marshal: %v", what, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: decode %s: %v", what, raw, err)
	}
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	doc := loadDoc(t)
	ext, ok := doc.Extensions["x-unified-integrations"]
	if !ok {
		t.Fatalf("%s: no x-unified-integrations at the root", specFile)
	}
	s := &spec{doc: doc, nameToID: map[string]string{}, idToName: map[string]string{}}
	decodeExt(t, "x-unified-integrations", ext, &s.registry)
	for _, in := range s.registry {
		s.nameToID[in.Name] = in.ID
		s.idToName[in.ID] = in.Name
	}
	return s
}

// operation finds the page's operation in the document.
func (s *spec) operation(t *testing.T, p pageOp) *openapi3.Operation {
	t.Helper()
	item := s.doc.Paths.Find(p.Path)
	if item == nil {
		t.Fatalf("%s: path %s not in spec", p.Key, p.Path)
	}
	op := item.GetOperation(p.HTTPMethod)
	if op == nil {
		t.Fatalf("%s: no %s %s in spec", p.Key, p.HTTPMethod, p.Path)
	}
	if op.OperationID != p.OperationID {
		t.Errorf("%s: %s %s has operationId %q, want %q", p.Key, p.HTTPMethod, p.Path, op.OperationID, p.OperationID)
	}
	return op
}

func (s *spec) support(t *testing.T, p pageOp, op *openapi3.Operation) *support {
	t.Helper()
	ext, ok := op.Extensions["x-unified-support"]
	if !ok {
		t.Fatalf("%s: operation %s has no x-unified-support", p.Key, p.OperationID)
	}
	var out support
	decodeExt(t, p.Key+": x-unified-support", ext, &out)
	return &out
}

// name renders an integration id with its display name for messages.
func (s *spec) name(id string) string {
	if n, ok := s.idToName[id]; ok {
		return n
	}
	return id + " (not in registry)"
}

// expand resolves '*' to every integration of the operation (an explicit id
// next to '*' overrides it, as spec/EXTENSIONS.md says).
func expand(cells map[string]string, opIntegrations []string) map[string]string {
	out := map[string]string{}
	if lvl, ok := cells["*"]; ok {
		for _, id := range opIntegrations {
			out[id] = lvl
		}
	}
	for id, lvl := range cells {
		if id != "*" {
			out[id] = lvl
		}
	}
	return out
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	return slices.Sorted(maps.Keys(m))
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// diffSets returns the members of a not in b, sorted.
func diffSets(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// pageFields is every field of a page section: rows plus no-block fields.
func pageFields(p pageOp, section string) map[string]bool {
	m := map[string]bool{}
	for _, r := range p.Rows[section] {
		m[r.Field] = true
	}
	for _, f := range p.NoBlock[section] {
		m[f] = true
	}
	return m
}

// ---------------------------------------------------------------------------
// Tests

func TestSpecValidates(t *testing.T) {
	doc := loadDoc(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s does not validate: %v", specFile, err)
	}
}

func TestRegistry(t *testing.T) {
	s := loadSpec(t)
	ids, names := map[string]bool{}, map[string]bool{}
	for i, in := range s.registry {
		if in.ID == "" || in.Name == "" {
			t.Errorf("x-unified-integrations[%d]: empty id or name: %+v", i, in)
		}
		if ids[in.ID] {
			t.Errorf("x-unified-integrations: duplicate id %q", in.ID)
		}
		if names[in.Name] {
			t.Errorf("x-unified-integrations: duplicate name %q", in.Name)
		}
		ids[in.ID], names[in.Name] = true, true
	}
	// Every display name on either page is in the registry, and the registry
	// names nobody the pages do not.
	onPages := map[string]bool{}
	for _, p := range pageOps {
		for _, n := range p.Integrations {
			onPages[n] = true
		}
	}
	for _, n := range diffSets(onPages, names) {
		t.Errorf("registry: page integration %q has no entry in x-unified-integrations", n)
	}
	for _, n := range diffSets(names, onPages) {
		t.Errorf("registry: x-unified-integrations names %q, which is on neither page", n)
	}
}

// TestPageTable checks the transcription against itself: the counts stated
// in each block header must match the pairs listed, and the integration set
// of each page must be the union of the names in its blocks.
func TestPageTable(t *testing.T) {
	for _, p := range pageOps {
		t.Run(p.Key, func(t *testing.T) {
			union := map[string]bool{}
			for _, section := range sections {
				seen := map[string]bool{}
				for _, r := range p.Rows[section] {
					where := p.Key + "/" + section + "/" + r.Field
					if seen[r.Field] {
						t.Errorf("%s: field listed twice in the page table", where)
					}
					seen[r.Field] = true
					if r.Supported != len(r.Cells) {
						t.Errorf("%s: page header says %d supported, table lists %d integrations", where, r.Supported, len(r.Cells))
					}
					nreq := 0
					names := map[string]bool{}
					for _, c := range r.Cells {
						switch c.Level {
						case req:
							nreq++
						case sup:
						default:
							t.Errorf("%s: %s has level %q", where, c.Name, c.Level)
						}
						if names[c.Name] {
							t.Errorf("%s: %s listed twice", where, c.Name)
						}
						names[c.Name] = true
						union[c.Name] = true
					}
					if r.Required != nreq {
						t.Errorf("%s: page header says %d required, table lists %d", where, r.Required, nreq)
					}
					if section == "response" && nreq > 0 {
						t.Errorf("%s: a response field cannot be required per integration", where)
					}
				}
				for _, f := range p.NoBlock[section] {
					if seen[f] {
						t.Errorf("%s/%s/%s: both a row and a no-block field", p.Key, section, f)
					}
					seen[f] = true
				}
			}
			declared := setOf(p.Integrations)
			if len(declared) != len(p.Integrations) {
				t.Errorf("%s: duplicate in the page integration list", p.Key)
			}
			for _, n := range diffSets(union, declared) {
				t.Errorf("%s: %q appears in a block but not in the page integration list", p.Key, n)
			}
			for _, n := range diffSets(declared, union) {
				t.Errorf("%s: %q is in the page integration list but in no block", p.Key, n)
			}
			for _, e := range p.Enums {
				found := false
				for _, r := range p.Rows["request"] {
					if r.Field != e.Field {
						continue
					}
					for _, c := range r.Cells {
						found = found || c.Name == e.Integration
					}
				}
				if !found {
					t.Errorf("%s: enum for %s of %s, but the page's request block for %s does not list it", p.Key, e.SpecPath, e.Integration, e.Field)
				}
			}
		})
	}
	if got, want := len(createPage.Integrations), 10; got != want {
		t.Errorf("create page: %d integrations, want %d", got, want)
	}
	if got, want := len(updatePage.Integrations), 7; got != want {
		t.Errorf("update page: %d integrations, want %d", got, want)
	}
}

// TestSupportMatrix compares every cell of x-unified-support with the page.
func TestSupportMatrix(t *testing.T) {
	s := loadSpec(t)
	for _, p := range pageOps {
		t.Run(p.Key, func(t *testing.T) {
			op := s.operation(t, p)
			us := s.support(t, p, op)

			if us.Method != p.Key {
				t.Errorf("%s: x-unified-support.method is %q, want %q", p.Key, us.Method, p.Key)
			}

			t.Run("integrations", func(t *testing.T) {
				want := map[string]bool{}
				for _, n := range p.Integrations {
					id, ok := s.nameToID[n]
					if !ok {
						t.Errorf("%s/integrations: page integration %q is not in the registry", p.Key, n)
						continue
					}
					want[id] = true
				}
				got := setOf(us.Integrations)
				if len(got) != len(us.Integrations) {
					t.Errorf("%s/integrations: spec lists an integration twice: %v", p.Key, us.Integrations)
				}
				for _, id := range diffSets(want, got) {
					t.Errorf("%s/integrations: page has %s, spec does not list %s", p.Key, s.name(id), id)
				}
				for _, id := range diffSets(got, want) {
					t.Errorf("%s/integrations: spec lists %s, which is not on the page", p.Key, s.name(id))
				}
			})

			for _, section := range sections {
				t.Run(section, func(t *testing.T) {
					matrix := us.section(section)
					rowFields := map[string]bool{}

					for _, r := range p.Rows[section] {
						rowFields[r.Field] = true
						t.Run(r.Field, func(t *testing.T) {
							where := p.Key + "/" + section + "/" + r.Field
							cells, ok := matrix[r.Field]
							if !ok {
								t.Errorf("%s: page has a matrix for it, spec has no entry", where)
								return
							}
							want := map[string]string{}
							for _, c := range r.Cells {
								id, ok := s.nameToID[c.Name]
								if !ok {
									t.Errorf("%s: page integration %q is not in the registry", where, c.Name)
									continue
								}
								want[id] = c.Level
							}
							compareCells(t, s, where, want, expand(cells, us.Integrations))
						})
					}

					for _, f := range p.NoBlock[section] {
						rowFields[f] = true
						t.Run(f, func(t *testing.T) {
							where := p.Key + "/" + section + "/" + f
							cells, ok := matrix[f]
							if !ok {
								t.Errorf("%s: page lists it (no matrix), spec has no entry; want '*': supported", where)
								return
							}
							if len(cells) != 1 || cells["*"] != sup {
								t.Errorf("%s: page has no matrix for it, so the spec should say exactly '*': supported; spec says %v", where, cells)
							}
						})
					}

					// Nothing invented: every spec entry is on the page.
					for _, f := range sortedKeys(matrix) {
						if !rowFields[f] {
							t.Errorf("%s/%s/%s: spec has a matrix entry, the page has no such field (cells %v)", p.Key, section, f, matrix[f])
						}
					}
					// Every spec cell names an integration of the operation,
					// with a valid level.
					opIDs := setOf(us.Integrations)
					for _, f := range sortedKeys(matrix) {
						for _, id := range sortedKeys(matrix[f]) {
							lvl := matrix[f][id]
							if id != "*" && !opIDs[id] {
								t.Errorf("%s/%s/%s: spec cell for %s, which does not implement the operation", p.Key, section, f, s.name(id))
							}
							if lvl != req && lvl != sup {
								t.Errorf("%s/%s/%s: spec cell %s=%q is not required|supported", p.Key, section, f, id, lvl)
							}
							if section == "response" && lvl == req {
								t.Errorf("%s/%s/%s: spec cell %s=required in a response", p.Key, section, f, id)
							}
						}
					}
				})
			}
		})
	}
}

// compareCells reports every (integration, level) cell on which the page
// (want) and the spec (got, '*' expanded) disagree.
func compareCells(t *testing.T, s *spec, where string, want, got map[string]string) {
	t.Helper()
	all := map[string]bool{}
	for id := range want {
		all[id] = true
	}
	for id := range got {
		all[id] = true
	}
	for _, id := range sortedKeys(all) {
		w, inPage := want[id]
		g, inSpec := got[id]
		switch {
		case inPage && inSpec && w != g:
			t.Errorf("%s: page says %s=%s, spec says %s", where, s.name(id), w, g)
		case inPage && !inSpec:
			t.Errorf("%s: page says %s=%s, spec does not list %s", where, s.name(id), w, id)
		case !inPage && inSpec:
			t.Errorf("%s: page does not list %s, spec says %s=%s", where, s.name(id), id, g)
		}
	}
}

// TestEnums compares x-unified-support.enums with the per-integration value
// lists on the page, and checks each list is a subset of the schema enum at
// that path.
func TestEnums(t *testing.T) {
	s := loadSpec(t)
	for _, p := range pageOps {
		t.Run(p.Key, func(t *testing.T) {
			op := s.operation(t, p)
			us := s.support(t, p, op)
			body := requestSchema(t, op)

			want := map[string]map[string][]string{}
			for _, e := range p.Enums {
				id, ok := s.nameToID[e.Integration]
				if !ok {
					t.Errorf("%s/enums/%s: page integration %q not in registry", p.Key, e.SpecPath, e.Integration)
					continue
				}
				if want[e.SpecPath] == nil {
					want[e.SpecPath] = map[string][]string{}
				}
				want[e.SpecPath][id] = e.Values
			}

			paths := map[string]bool{}
			for k := range want {
				paths[k] = true
			}
			for k := range us.Enums {
				paths[k] = true
			}
			for _, path := range sortedKeys(paths) {
				t.Run(path, func(t *testing.T) {
					where := p.Key + "/enums/" + path
					w, g := want[path], us.Enums[path]
					ids := map[string]bool{}
					for id := range w {
						ids[id] = true
					}
					for id := range g {
						ids[id] = true
					}
					for _, id := range sortedKeys(ids) {
						wv, inPage := w[id]
						gv, inSpec := g[id]
						switch {
						case inPage && !inSpec:
							t.Errorf("%s: page says %s accepts %v, spec has no list for %s", where, s.name(id), wv, id)
						case !inPage && inSpec:
							t.Errorf("%s: page has no value list for %s, spec says %v", where, s.name(id), gv)
						case !slices.Equal(sortedCopy(wv), sortedCopy(gv)):
							t.Errorf("%s: page says %s accepts %v, spec says %v", where, s.name(id), wv, gv)
						}
					}

					// Subset of the schema enum at that path.
					schemaEnum, err := enumAt(body, path)
					if err != nil {
						t.Errorf("%s: %v", where, err)
						return
					}
					for id, vals := range g {
						if len(vals) == 0 {
							t.Errorf("%s: spec list for %s is empty", where, s.name(id))
						}
						for _, v := range vals {
							if !slices.Contains(schemaEnum, v) {
								t.Errorf("%s: spec value %q for %s is not in the schema enum %v", where, v, s.name(id), schemaEnum)
							}
						}
						// The integration must support the top-level field.
						top := strings.SplitN(strings.SplitN(path, ".", 2)[0], "[", 2)[0]
						if _, ok := expand(us.Request[top], us.Integrations)[id]; !ok {
							t.Errorf("%s: spec has a value list for %s, which does not support request field %s", where, s.name(id), top)
						}
					}
				})
			}
		})
	}
}

func sortedCopy(xs []string) []string {
	c := slices.Clone(xs)
	sort.Strings(c)
	return c
}

func requestSchema(t *testing.T, op *openapi3.Operation) *openapi3.Schema {
	t.Helper()
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		t.Fatalf("%s: no request body", op.OperationID)
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		t.Fatalf("%s: no application/json request schema", op.OperationID)
	}
	return mt.Schema.Value
}

func successSchema(t *testing.T, op *openapi3.Operation) (*openapi3.SchemaRef, string) {
	t.Helper()
	for _, code := range []string{"200", "201"} {
		r := op.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		mt := r.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			t.Fatalf("%s: response %s has no application/json schema", op.OperationID, code)
		}
		return mt.Schema, code
	}
	t.Fatalf("%s: no 200/201 response", op.OperationID)
	return nil, ""
}

// enumAt walks a path like "roles[].id" or "status" through a schema and
// returns the string enum found there.
func enumAt(root *openapi3.Schema, path string) ([]string, error) {
	cur := root
	for _, part := range strings.Split(path, ".") {
		name, arr := strings.CutSuffix(part, "[]")
		ref, ok := cur.Properties[name]
		if !ok || ref.Value == nil {
			return nil, fmt.Errorf("path %s: no property %q in the request schema", path, name)
		}
		cur = ref.Value
		if arr {
			if cur.Items == nil || cur.Items.Value == nil {
				return nil, fmt.Errorf("path %s: %q is not an array", path, name)
			}
			cur = cur.Items.Value
		}
	}
	if len(cur.Enum) == 0 {
		return nil, fmt.Errorf("path %s: schema has no enum there", path)
	}
	var out []string
	for _, v := range cur.Enum {
		sv, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("path %s: enum value %v is not a string", path, v)
		}
		out = append(out, sv)
	}
	return out, nil
}

// TestSchemasCovered checks that the schemas and the parameters of each
// operation have exactly the fields of the page, so every property and
// query parameter has a matrix row.
func TestSchemasCovered(t *testing.T) {
	s := loadSpec(t)
	wantRequestSchema := map[string]string{"create": "CreateUserRequest", "update": "UpdateUserRequest"}
	requestProps := map[string]map[string]bool{}

	for _, p := range pageOps {
		t.Run(p.Key, func(t *testing.T) {
			op := s.operation(t, p)
			us := s.support(t, p, op)

			check := func(section, what string, got map[string]bool) {
				t.Run(section, func(t *testing.T) {
					want := pageFields(p, section)
					for _, f := range diffSets(got, want) {
						t.Errorf("%s/%s/%s: %s has it, the page does not", p.Key, section, f, what)
					}
					for _, f := range diffSets(want, got) {
						t.Errorf("%s/%s/%s: the page has it, %s does not", p.Key, section, f, what)
					}
					for _, f := range sortedKeys(got) {
						if _, ok := us.section(section)[f]; !ok {
							t.Errorf("%s/%s/%s: %s has it, x-unified-support.%s has no row for it", p.Key, section, f, what, section)
						}
					}
				})
			}

			// Query parameters.
			query := map[string]bool{}
			for _, pr := range op.Parameters {
				if pr.Value != nil && pr.Value.In == openapi3.ParameterInQuery {
					query[pr.Value.Name] = true
				}
			}
			check("query", "the operation's query parameters", query)

			// Request body.
			ref := op.RequestBody.Value.Content.Get("application/json").Schema
			if want := "#/components/schemas/" + wantRequestSchema[p.Key]; ref.Ref != want {
				t.Errorf("%s: request schema is %q, want %q", p.Key, ref.Ref, want)
			}
			props := setOf(sortedKeys(requestSchema(t, op).Properties))
			requestProps[p.Key] = props
			check("request", wantRequestSchema[p.Key], props)

			// Response body.
			resp, code := successSchema(t, op)
			if want := "#/components/schemas/User"; resp.Ref != want {
				t.Errorf("%s: response %s schema is %q, want %q", p.Key, code, resp.Ref, want)
			}
			check("response", "User", setOf(sortedKeys(resp.Value.Properties)))
		})
	}

	t.Run("create-vs-update", func(t *testing.T) {
		// What the pages say the update body lacks...
		pageLacks := diffSets(pageFields(createPage, "request"), pageFields(updatePage, "request"))
		pageExtra := diffSets(pageFields(updatePage, "request"), pageFields(createPage, "request"))
		if !slices.Equal(pageLacks, updateLacksOnPage) || len(pageExtra) != 0 {
			t.Errorf("page table: update lacks %v and adds %v compared with create, want lacks %v, adds none", pageLacks, pageExtra, updateLacksOnPage)
		}
		// ...and what the schemas say.
		c, u := requestProps["create"], requestProps["update"]
		if c == nil || u == nil {
			t.Skip("a request schema failed to load")
		}
		lacks, extra := diffSets(c, u), diffSets(u, c)
		if !slices.Equal(lacks, updateLacksOnPage) {
			t.Errorf("UpdateUserRequest lacks %v compared with CreateUserRequest, the pages say %v", lacks, updateLacksOnPage)
		}
		if len(extra) != 0 {
			t.Errorf("UpdateUserRequest has %v that CreateUserRequest has not; the pages have none", extra)
		}
	})
}
