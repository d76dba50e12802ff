package load

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/unifiedgen/unifiedgen/diag"
)

// kinDiagnostics turns an error of kin-openapi's loader or validator into
// one diagnostic per problem, each at the node it concerns. kin-openapi
// says where in two ways, used in this order:
//
//   - most of its errors carry an *openapi3.Origin (the loader records
//     them because IncludeOrigin is set): the position of the offending
//     object and of each of its scalar fields, so the diagnostic can point
//     at the field itself (`type: strng`, `in: body`);
//   - context wrappers (SectionValidationError, PathValidationError,
//     OperationValidationError, ComponentValidationError) name the
//     section, path, method or component the problem is in, which gives
//     a JSON path, and Spec.At its position.
//
// Only an error with neither is reported at 1:1. The wrappers' text
// ("invalid components: schema "X": ...") is dropped where the position
// and path say the same more precisely: it even names the wrong schema
// when the problem is in one that schema refers to.
func (s *Spec) kinDiagnostics(prefix string, err error) diag.List {
	var out diag.List
	for _, e := range problems(err) {
		out = append(out, s.kinDiagnostic(prefix, e))
	}
	return out
}

// problems splits err into its independent problems: with EnableMultiError
// the validator returns a MultiError of them, each fully wrapped. A
// MultiError deeper in a chain (a oneOf's alternatives) is one problem.
func problems(err error) []error {
	me, ok := err.(openapi3.MultiError)
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range me {
		out = append(out, problems(e)...)
	}
	return out
}

func (s *Spec) kinDiagnostic(prefix string, err error) diag.Diagnostic {
	var (
		path     []string         // from the context wrappers
		pathSeen bool             // a wrapper said where, even if only "the document"
		msgErr   error            // the outermost error that is not a context wrapper
		origin   *openapi3.Origin // the innermost Origin
		field    string           // the field of origin's object the error is about
	)
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch w := e.(type) {
		case *openapi3.SectionValidationError:
			path, pathSeen = []string{w.Section}, true
			continue
		case *openapi3.PathValidationError:
			path = []string{"paths", w.Path}
			continue
		case *openapi3.OperationValidationError:
			if len(path) == 2 && path[0] == "paths" {
				path = append(path, strings.ToLower(w.Method))
			}
			continue
		case *openapi3.ComponentValidationError:
			path = []string{"components", componentSection(w.Section), w.Name}
			continue
		}
		if msgErr == nil {
			msgErr = e
		}
		if p, ok := pointerOf(e); ok {
			path, origin = p, nil
			break
		}
		// Errors about a key of the paths object carry the Origin of the
		// whole object, which has no position for its keys.
		if p := pathKey(e); p != nil {
			path, origin = p, nil
			break
		}
		if o, f := originOf(e); o != nil && o.Key != nil {
			origin, field = o, f
		}
	}
	msg := prefix + ": " + err.Error()
	if msgErr != nil && (origin != nil || len(path) > 0) {
		msg = msgErr.Error()
	}
	// Schema errors append the schema and the value as JSON on further
	// lines; the position already says which schema.
	msg, _, _ = strings.Cut(msg, "\n")
	var te *openapi3.SchemaTypeError
	if errors.As(err, &te) {
		msg += diag.Suggest(te.Type, []string{"array", "boolean", "integer", "number", "object", "string"})
	}
	switch {
	case origin != nil:
		loc := *origin.Key
		if f, ok := origin.Fields.Lookup(field); ok && field != "" {
			loc = f
		}
		d := s.AtPos(msg, loc.Line, loc.Column)
		if d.Path == "" {
			d.Path = diag.FormatPath(path...)
		}
		return d
	case len(path) > 0 || pathSeen:
		return s.At(msg, path...)
	}
	return diag.Diagnostic{File: s.File, Line: 1, Col: 1, Msg: msg}
}

// pathKey returns the path of the key of the paths object an error is
// about: such errors carry the Origin of the whole paths object, which has
// no positions for its keys.
func pathKey(err error) []string {
	switch e := err.(type) {
	case *openapi3.PathMustStartWithSlashError:
		return []string{"paths", e.Path}
	case *openapi3.ConflictingPathsError:
		return []string{"paths", e.Path2}
	}
	return nil
}

// componentSection maps ComponentValidationError.Section ("request body")
// to the key under components ("requestBodies").
func componentSection(s string) string {
	switch s {
	case "request body":
		return "requestBodies"
	case "security scheme":
		return "securitySchemes"
	}
	return s + "s"
}

var originType = reflect.TypeFor[*openapi3.Origin]()

// originOf returns the Origin an error carries, if any, and the name of the
// field of the offending object it is about. kin-openapi has over a
// hundred error types; those with a position share the field name Origin,
// and those about one field name it as Field, ValueKind or Fields.
func originOf(err error) (*openapi3.Origin, string) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, ""
	}
	st := v.Elem()
	f := st.FieldByName("Origin")
	if !f.IsValid() || f.Type() != originType || f.IsNil() {
		return nil, ""
	}
	origin := f.Interface().(*openapi3.Origin)
	field := ""
	switch e := err.(type) {
	case *openapi3.SchemaTypeError:
		field = "type"
	case *openapi3.SchemaPatternRegexError:
		field = "pattern"
	case *openapi3.InvalidParameterInError:
		field = "in"
	case *openapi3.UnresolvedRefError:
		field = "$ref"
	case *openapi3.DuplicateOperationIDError:
		field = "operationId"
	case *openapi3.PathParametersError:
		field = strings.ToLower(e.Method)
	case *openapi3.InvalidSecuritySchemeTypeError:
		field = "type"
	case *openapi3.InvalidHTTPSchemeError:
		field = "scheme"
	case *openapi3.InvalidEncodingContentTypeError:
		field = "contentType"
	case *openapi3.ExtraSiblingFieldsError:
		if len(e.Fields) > 0 {
			field = e.Fields[0]
		}
	default:
		for _, name := range []string{"Field", "ValueKind"} {
			if g := st.FieldByName(name); g.IsValid() && g.Kind() == reflect.String {
				field = g.String()
				break
			}
		}
	}
	// Field names such as "info.version" are paths; the Origin knows the
	// fields of the object itself.
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	return origin, field
}

// pointerOf returns the JSON pointer an error carries (as a path), if any.
func pointerOf(err error) ([]string, bool) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	f := v.Elem().FieldByName("JSONPointer")
	if !f.IsValid() || f.Kind() != reflect.String || !strings.HasPrefix(f.String(), "/") {
		return nil, false
	}
	var path []string
	for _, tok := range strings.Split(f.String()[1:], "/") {
		path = append(path, strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~"))
	}
	return path, true
}

// AtPos builds a diagnostic for the node at line:col, with the JSON path
// of the key (or sequence item) found there, if any.
func (s *Spec) AtPos(msg string, line, col int) diag.Diagnostic {
	path, _ := pathAt(s.root, nil, line, col)
	return diag.Diagnostic{File: s.File, Line: line, Col: col, Path: diag.FormatPath(path...), Msg: msg}
}

// pathAt finds the key or sequence item that starts at line:col under n.
func pathAt(n *yaml.Node, path []string, line, col int) ([]string, bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := append(path[:len(path):len(path)], k.Value)
			if k.Line == line && k.Column == col {
				return p, true
			}
			if k.Line > line {
				break // keys are in document order
			}
			if found, ok := pathAt(v, p, line, col); ok {
				return found, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := append(path[:len(path):len(path)], strconv.Itoa(i))
			if c.Line == line && c.Column == col && c.Kind != yaml.MappingNode {
				return p, true
			}
			if found, ok := pathAt(c, p, line, col); ok {
				return found, true
			}
		}
	}
	return nil, false
}
