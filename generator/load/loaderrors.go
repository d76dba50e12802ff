package load

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/unifiedgen/unifiedgen/diag"
)

// kin-openapi's loader reports a value of the wrong type (`required: true`
// on a schema, `parameters:` as a map) and a $ref to the wrong kind of
// object only as text, without a position:
//
//	... json: cannot unmarshal bool into field Schema.required of type []string
//	bad data in "#/info" (expecting ref to schema object)
//
// The text does name a key (the field, the $ref), so the node can be found:
// these two functions do that, and say what the field must be.
var (
	unmarshalField = regexp.MustCompile(`cannot unmarshal (\w+) into field (\w+)\.(\S+) of type (\S+)`)
	unmarshalValue = regexp.MustCompile(`cannot unmarshal (\w+) into value of type openapi3\.(\w+)`)
	badRefTarget   = regexp.MustCompile(`bad data in "([^"]*)" \(expecting (?:ref to )?(.+)\)`)
)

// objects are the kin-openapi types a field error can name, by the name
// it uses (the kinds walkObjects knows).
var objects = map[string]reflect.Type{
	"T":              reflect.TypeFor[openapi3.T](),
	"Info":           reflect.TypeFor[openapi3.Info](),
	"Components":     reflect.TypeFor[openapi3.Components](),
	"PathItem":       reflect.TypeFor[openapi3.PathItem](),
	"Operation":      reflect.TypeFor[openapi3.Operation](),
	"Parameter":      reflect.TypeFor[openapi3.Parameter](),
	"RequestBody":    reflect.TypeFor[openapi3.RequestBody](),
	"Response":       reflect.TypeFor[openapi3.Response](),
	"MediaType":      reflect.TypeFor[openapi3.MediaType](),
	"Header":         reflect.TypeFor[openapi3.Header](),
	"Schema":         reflect.TypeFor[openapi3.Schema](),
	"Server":         reflect.TypeFor[openapi3.Server](),
	"Tag":            reflect.TypeFor[openapi3.Tag](),
	"SecurityScheme": reflect.TypeFor[openapi3.SecurityScheme](),
	"Example":        reflect.TypeFor[openapi3.Example](),
	"Encoding":       reflect.TypeFor[openapi3.Encoding](),
}

// loaderDiagnostics places a loader error at the nodes it is about, or
// returns nil when its text names none that can be found.
func (s *Spec) loaderDiagnostics(err error) diag.List {
	msg := err.Error()
	if m := unmarshalField.FindStringSubmatch(msg); m != nil {
		return s.fieldTypeDiagnostics(m[1], m[2], m[3][strings.LastIndexByte(m[3], '.')+1:])
	}
	if m := unmarshalValue.FindStringSubmatch(msg); m != nil {
		var out diag.List
		walkObjects(s.root, "T", nil, func(n *yaml.Node, kind string, path []string) {
			if kind == m[2] && jsonKind(n) == m[1] {
				out = append(out, s.At(fmt.Sprintf("must be an object (%s), not %s %s", words(kind), article(m[1]), m[1]), path...))
			}
		})
		return out
	}
	if m := badRefTarget.FindStringSubmatch(msg); m != nil {
		var refs []*ref
		s.collectRefs(s.root, nil, "", &refs)
		var out diag.List
		for _, r := range refs {
			if r.value == m[1] {
				out = append(out, s.At(fmt.Sprintf("$ref %q must point to a %s", m[1], m[2]), r.at...))
			}
		}
		return out
	}
	return nil
}

// fieldTypeDiagnostics finds the objects of kin-openapi type object whose
// field has a value of JSON kind got. A key such as "required" means
// different things in different objects (a list in a schema, a boolean in
// a request body), so the document is walked knowing what each object is.
func (s *Spec) fieldTypeDiagnostics(got, object, field string) diag.List {
	typ, ok := objects[object]
	if !ok {
		return nil
	}
	want := "a value of another type"
	if f, ok := jsonField(typ, field); ok {
		want = describe(f.Type)
	}
	var out diag.List
	walkObjects(s.root, "T", nil, func(n *yaml.Node, kind string, path []string) {
		if kind != object || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == field && jsonKind(n.Content[i+1]) == got {
				out = append(out, s.At(fmt.Sprintf("%s must be %s, not %s %s", field, want, article(got), got), append(path, field)...))
			}
		}
	})
	return out
}

// children says, for each kind of OpenAPI object, which of its keys hold
// which kinds of objects: "Schema" is one object, "[]Schema" a list of
// them, "{}Schema" a map of them.
var children = map[string]map[string]string{
	"T":              {"paths": "{}PathItem", "components": "Components", "info": "Info", "servers": "[]Server", "tags": "[]Tag"},
	"Components":     {"schemas": "{}Schema", "parameters": "{}Parameter", "requestBodies": "{}RequestBody", "responses": "{}Response", "headers": "{}Header", "securitySchemes": "{}SecurityScheme", "examples": "{}Example"},
	"PathItem":       {"get": "Operation", "put": "Operation", "post": "Operation", "delete": "Operation", "options": "Operation", "head": "Operation", "patch": "Operation", "trace": "Operation", "parameters": "[]Parameter", "servers": "[]Server"},
	"Operation":      {"parameters": "[]Parameter", "requestBody": "RequestBody", "responses": "{}Response", "servers": "[]Server"},
	"Parameter":      {"schema": "Schema", "content": "{}MediaType", "examples": "{}Example"},
	"RequestBody":    {"content": "{}MediaType"},
	"Response":       {"content": "{}MediaType", "headers": "{}Header"},
	"Header":         {"schema": "Schema", "content": "{}MediaType", "examples": "{}Example"},
	"MediaType":      {"schema": "Schema", "examples": "{}Example", "encoding": "{}Encoding"},
	"Encoding":       {"headers": "{}Header"},
	"Schema":         {"properties": "{}Schema", "items": "Schema", "not": "Schema", "additionalProperties": "Schema", "allOf": "[]Schema", "anyOf": "[]Schema", "oneOf": "[]Schema"},
	"Info":           {},
	"Server":         {},
	"Tag":            {},
	"SecurityScheme": {},
	"Example":        {},
}

// walkObjects calls visit for n, which should be an OpenAPI object of the
// given kind, and for every node under it that should be one, with its
// kind and path; visit sees a node whatever it is (a number where a path
// item should be, too).
func walkObjects(n *yaml.Node, kind string, path []string, visit func(n *yaml.Node, kind string, path []string)) {
	visit(n, kind, path)
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		child, ok := children[kind][k]
		if !ok {
			continue
		}
		p := append(path[:len(path):len(path)], k)
		switch {
		case strings.HasPrefix(child, "[]") && v.Kind == yaml.SequenceNode:
			for j, c := range v.Content {
				walkObjects(c, child[2:], append(p[:len(p):len(p)], fmt.Sprint(j)), visit)
			}
		case strings.HasPrefix(child, "{}") && v.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				walkObjects(v.Content[j+1], child[2:], append(p[:len(p):len(p)], v.Content[j].Value), visit)
			}
		case !strings.HasPrefix(child, "[]") && !strings.HasPrefix(child, "{}"):
			walkObjects(v, child, p, visit)
		}
	}
}

func jsonField(typ reflect.Type, name string) (reflect.StructField, bool) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// describe says in words what JSON a Go type takes.
func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map:
		return "a map"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		return "a number"
	}
	return "an object"
}

// jsonKind is the JSON kind the YAML node n decodes to, in encoding/json's
// words ("string", "number", "bool", "object", "array").
func jsonKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "array"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "string"
		case "!!int", "!!float":
			return "number"
		case "!!bool":
			return "bool"
		}
	}
	return ""
}

// words turns a kind ("PathItem") into words ("a path item").
func words(kind string) string {
	var b strings.Builder
	for i, r := range kind {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToLower(string(r)))
	}
	return diag.WithArticle(b.String())
}

func article(kind string) string {
	if kind == "object" || kind == "array" {
		return "an"
	}
	return "a"
}
