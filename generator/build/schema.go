package build

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/unifiedgen/unifiedgen/generator/gonames"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// The packages of the Go types oapi-codegen uses for string formats.
const (
	timePkg  = "time"
	typesPkg = "github.com/oapi-codegen/runtime/types"
)

const componentPrefix = "#/components/schemas/"

// component converts a schema that must be a component (a request or
// response body, the items of a list): the generated code names it.
func (b *builder) component(at []string, ref *openapi3.SchemaRef, what string) *model.Schema {
	if ref == nil || !strings.HasPrefix(ref.Ref, componentPrefix) {
		b.errorf(at, "the %s must be a $ref to an object under components/schemas: the generated code names it after the component", what)
		return nil
	}
	s := b.convert(at, ref, "")
	if s != nil && (s.Kind != model.KindObject || s.Free && len(s.Properties) == 0) {
		b.errorf(at, "the %s %s must be an object schema with properties", what, s.Name)
		return nil
	}
	return s
}

// listItem reads the success response of a list, {result: [Item],
// next_cursor}, and returns Item: the schema the response matrix describes.
func (b *builder) listItem(at []string, ref *openapi3.SchemaRef) *model.Schema {
	env := b.convert(at, ref, "")
	if env == nil {
		return nil
	}
	var result, cursor *model.Schema
	for _, p := range env.Properties {
		switch p.Name {
		case "result":
			result = p.Schema
		case "next_cursor":
			cursor = p.Schema
		}
	}
	if env.Kind != model.KindObject || result == nil || result.Kind != model.KindArray || result.Items == nil || result.Items.Name == "" ||
		cursor == nil || cursor.Kind != model.KindString {
		b.errorf(at, "a list answers {result: [...], next_cursor}: its response schema must be an object with `result`, an array of a component ($ref), and `next_cursor`, a string")
		return nil
	}
	if result.Items.Kind != model.KindObject || len(result.Items.Properties) == 0 {
		b.errorf(at, "the items of result must be an object schema with properties")
		return nil
	}
	return result.Items
}

// resultItem reads the success response of a custom method, {result:
// Item}, as Truto answers custom methods, and returns Item.
func (b *builder) resultItem(at []string, ref *openapi3.SchemaRef) *model.Schema {
	env := b.convert(at, ref, "")
	if env == nil {
		return nil
	}
	for _, p := range env.Properties {
		if p.Name == "result" && p.Schema.Name != "" && p.Schema.Kind == model.KindObject && len(p.Schema.Properties) > 0 {
			return p.Schema
		}
	}
	b.errorf(at, "a custom method answers {result: ...}: its response schema must be an object whose `result` is a $ref to an object component")
	return nil
}

// convert turns a kin-openapi schema into the model's. owner names the Go
// type an inline enum gets (oapi-codegen names it after its parent type and
// property, "EmailInputType"); "" where an inline enum stays a string (the
// service's own parameter structs). Problems are reported at at, and nil is
// returned.
func (b *builder) convert(at []string, ref *openapi3.SchemaRef, owner string) *model.Schema {
	if ref == nil || ref.Value == nil {
		b.errorf(at, "the schema is missing")
		return nil
	}
	if ref.Ref != "" {
		name, ok := strings.CutPrefix(ref.Ref, componentPrefix)
		if !ok {
			b.errorf(at, "$ref %q: only references to components/schemas are supported", ref.Ref)
			return nil
		}
		if s, ok := b.components[name]; ok {
			return s
		}
		if b.converting[name] {
			b.errorf(at, "schema %s refers to itself (through %s): the generated decoders and encoders read trees, so a recursive schema is not supported", name, ref.Ref)
			return nil
		}
		b.converting[name] = true
		s := b.inline([]string{"components", "schemas", name}, ref.Value, gonames.Type(name), true)
		delete(b.converting, name)
		if s == nil {
			b.components[name] = nil
			return nil
		}
		s.Name, s.GoName = name, gonames.Type(name)
		s.Go = model.GoType{Name: s.GoName, Under: s.Go.Under}
		b.components[name] = s
		return s
	}
	return b.inline(at, ref.Value, owner, false)
}

// inline converts a schema value. A component's own value is converted
// with component set: it may be an object with properties, which inline
// schemas may not.
func (b *builder) inline(at []string, v *openapi3.Schema, owner string, component bool) *model.Schema {
	if v.Nullable {
		b.errorf(at, "nullable schemas are not supported: null is never a value here (spec/DECISIONS.md); leave the member out instead")
		return nil
	}
	if len(v.AllOf)+len(v.AnyOf)+len(v.OneOf) > 0 || v.Not != nil {
		b.errorf(at, "allOf, anyOf, oneOf and not are not supported: write the object's properties out")
		return nil
	}
	out := &model.Schema{Doc: strings.TrimSpace(v.Description), Format: v.Format, MinLength: int(v.MinLength), Default: v.Default}
	for _, e := range v.Enum {
		s, ok := e.(string)
		if !ok {
			b.errorf(append(at, "enum"), "enum values must be strings, got %v", e)
			return nil
		}
		out.Enum = append(out.Enum, s)
	}
	switch {
	case v.Type.Is(openapi3.TypeString):
		out.Kind = model.KindString
		out.Go = stringType(v.Format)
		if len(out.Enum) > 0 {
			if out.Go.Name != "string" {
				b.errorf(at, "an enum of %s strings is not supported; drop the format", v.Format)
				return nil
			}
			if owner != "" {
				out.Go = model.GoType{Name: owner, Under: "string"}
			}
		}
	case len(out.Enum) > 0:
		b.errorf(at, "enums must be strings (type: string)")
		return nil
	case v.Type.Is(openapi3.TypeInteger):
		out.Kind = model.KindInteger
		out.Go = builtin(map[string]string{"int32": "int32", "int64": "int64"}[v.Format], "int")
	case v.Type.Is(openapi3.TypeNumber):
		out.Kind = model.KindNumber
		// oapi-codegen's default for an unformatted number is float32.
		out.Go = builtin(map[string]string{"double": "float64", "float": "float32"}[v.Format], "float32")
	case v.Type.Is(openapi3.TypeBoolean):
		out.Kind = model.KindBoolean
		out.Go = builtin("bool", "")
	case v.Type.Is(openapi3.TypeArray):
		out.Kind = model.KindArray
		if v.Items == nil {
			b.errorf(at, "an array needs items")
			return nil
		}
		iat := append(at[:len(at):len(at)], "items")
		if v.Items.Ref == "" && v.Items.Value != nil && (len(v.Items.Value.Enum) > 0 || len(v.Items.Value.Properties) > 0) {
			b.errorf(iat, "array items with an enum or properties must be a $ref to components/schemas, so that their Go type has a name")
			return nil
		}
		if out.Items = b.convert(iat, v.Items, ""); out.Items == nil {
			return nil
		}
		if out.Items.Kind == model.KindAny {
			// As for a property with no type: a value of any shape would
			// be built into Go maps and written back by a second encoder.
			b.errorf(iat, "array items have no type; give them one (an object with additionalProperties: true takes any object)")
			return nil
		}
		elem := out.Items.Go
		out.Go = model.GoType{Slice: true, Name: elem.Name, Elem: &elem, Under: "slice"}
	case v.Type.Is(openapi3.TypeObject) || len(v.Properties) > 0:
		out.Kind = model.KindObject
		// JSON Schema's default is to accept extra members; only an
		// explicit `additionalProperties: false` closes an object.
		out.Free = v.AdditionalProperties.Has == nil || *v.AdditionalProperties.Has || v.AdditionalProperties.Schema != nil
		if len(v.Properties) == 0 {
			// Free-form data is passed through as the bytes the client
			// sent (checked, never built into maps): see emit/oapi.
			out.Free = true
			out.Go = model.GoType{Name: "json.RawMessage", Pkg: "encoding/json", Under: "raw"}
			break
		}
		if !component {
			b.errorf(at, "an object with properties must be a $ref to components/schemas, so that its Go type has a name")
			return nil
		}
		if v.AdditionalProperties.Has != nil && *v.AdditionalProperties.Has || v.AdditionalProperties.Schema != nil {
			// oapi-codegen would add a map of extra members with its own
			// JSON methods, which the generated decoders do not fill.
			b.errorf(at, "an object with properties cannot also declare additionalProperties; use `additionalProperties: false` to reject other members, or leave it out to skip them")
			return nil
		}
		out.Go = model.GoType{Under: "struct"}
		for _, name := range sortedKeys(v.Properties) {
			pat := append(at[:len(at):len(at)], "properties", name)
			ps := b.convert(pat, v.Properties[name], owner+gonames.Type(name))
			if ps == nil {
				// Reported; keep the member so that the matrix entries
				// naming it are not reported again as unknown.
				out.Properties = append(out.Properties, model.Property{Name: name, GoName: gonames.Type(name), Schema: &model.Schema{Go: model.GoType{Name: "interface{}", Under: "interface{}"}}})
				continue
			}
			if ps.Kind == model.KindAny {
				b.errorf(pat, "property %q has no type; give it one (an object with additionalProperties: true takes any object)", name)
				continue
			}
			p := model.Property{Name: name, GoName: gonames.Type(name), Required: slices.Contains(v.Required, name),
				WriteOnly: v.Properties[name].Value.WriteOnly, ReadOnly: v.Properties[name].Value.ReadOnly, Schema: ps, Go: ps.Go}
			// oapi-codegen points to optional members, except to inline
			// slices and maps and to raw free-form data, whose nil
			// already says "absent".
			if !p.Required && !ps.Go.Slice && !ps.Go.Map && ps.Go.Under != "raw" {
				p.Go.Ptr = true
			}
			out.Properties = append(out.Properties, p)
		}
		for _, r := range v.Required {
			if _, ok := v.Properties[r]; !ok {
				b.errorf(append(at[:len(at):len(at)], "required"), "required member %q is not among the properties%s", r, suggest(r, sortedKeys(v.Properties)))
			}
		}
	default:
		out.Kind = model.KindAny
		out.Go = model.GoType{Name: "interface{}", Under: "interface{}"}
	}
	// A bound reported here leaves the schema whole: the matrix entries
	// naming it are checked as usual, and nothing is written.
	b.bounds(at, v, out)
	return out
}

// bounds copies v's length, pattern, range and size bounds into out,
// reporting a bound the generated code would not check: one that does not
// apply to the schema's type, a pattern Go cannot compile, bounds that no
// value meets, and keywords it does not check at all.
func (b *builder) bounds(at []string, v *openapi3.Schema, out *model.Schema) {
	fail := func(key, format string, args ...any) {
		b.errorf(append(at[:len(at):len(at)], key), format, args...)
	}
	for key, set := range map[string]bool{"multipleOf": v.MultipleOf != nil, "uniqueItems": v.UniqueItems, "minProperties": v.MinProps > 0, "maxProperties": v.MaxProps != nil} {
		if set {
			fail(key, "%s is not checked by the generated code; leave it out (or check it in the integration's mapping)", key)
		}
	}
	plain := out.Kind == model.KindString && len(out.Enum) == 0 && out.Go.Under == "string"
	what := describeSchema(out)
	if v.MinLength > 0 || v.MaxLength != nil || v.Pattern != "" {
		if !plain {
			for key, set := range map[string]bool{"minLength": v.MinLength > 0, "maxLength": v.MaxLength != nil, "pattern": v.Pattern != ""} {
				if set {
					fail(key, "%s applies to plain strings (no enum, no format but email); this schema is %s", key, diag.WithArticle(what))
				}
			}
		}
		if v.MaxLength != nil {
			n := int(*v.MaxLength)
			out.MaxLength = &n
			if n < out.MinLength {
				fail("maxLength", "maxLength %d is less than minLength %d: no string has both", n, out.MinLength)
			}
		}
		if v.Pattern != "" {
			if _, err := regexp.Compile(v.Pattern); err != nil {
				fail("pattern", "pattern %q is not a regular expression Go's regexp (RE2 syntax) accepts: %v", v.Pattern, err)
			}
			out.Pattern = v.Pattern
		}
	}
	if v.Min != nil || v.Max != nil || v.ExclusiveMin.IsSet() || v.ExclusiveMax.IsSet() {
		if out.Kind != model.KindInteger && out.Kind != model.KindNumber {
			for key, set := range map[string]bool{"minimum": v.Min != nil, "maximum": v.Max != nil, "exclusiveMinimum": v.ExclusiveMin.IsSet(), "exclusiveMaximum": v.ExclusiveMax.IsSet()} {
				if set {
					fail(key, "%s applies to numbers; this schema is %s", key, diag.WithArticle(what))
				}
			}
		}
		out.Minimum = bound(v.Min, v.ExclusiveMin)
		out.Maximum = bound(v.Max, v.ExclusiveMax)
		if v.ExclusiveMin.IsTrue() && v.Min == nil {
			fail("exclusiveMinimum", "exclusiveMinimum: true needs the minimum it modifies")
		}
		if v.ExclusiveMax.IsTrue() && v.Max == nil {
			fail("exclusiveMaximum", "exclusiveMaximum: true needs the maximum it modifies")
		}
		if lo, hi := out.Minimum, out.Maximum; lo != nil && hi != nil && (lo.Value > hi.Value || lo.Value == hi.Value && (lo.Exclusive || hi.Exclusive)) {
			fail("maximum", "no number is within minimum %v and maximum %v", lo.Value, hi.Value)
		}
	}
	if v.MinItems > 0 || v.MaxItems != nil {
		if out.Kind != model.KindArray {
			for key, set := range map[string]bool{"minItems": v.MinItems > 0, "maxItems": v.MaxItems != nil} {
				if set {
					fail(key, "%s applies to arrays; this schema is %s", key, diag.WithArticle(what))
				}
			}
		}
		out.MinItems = int(v.MinItems)
		if v.MaxItems != nil {
			n := int(*v.MaxItems)
			out.MaxItems = &n
			if n < out.MinItems {
				fail("maxItems", "maxItems %d is less than minItems %d: no array has both", n, out.MinItems)
			}
		}
	}
}

// bound is a minimum or maximum as OpenAPI 3.0 writes it (a value, with
// exclusiveMinimum: true) or as 3.1 does (exclusiveMinimum: value).
func bound(v *float64, exclusive openapi3.ExclusiveBound) *model.Bound {
	switch {
	case exclusive.Value != nil:
		return &model.Bound{Value: *exclusive.Value, Exclusive: true}
	case v != nil:
		return &model.Bound{Value: *v, Exclusive: exclusive.IsTrue()}
	}
	return nil
}

func builtin(name, def string) model.GoType {
	if name == "" {
		name = def
	}
	return model.GoType{Name: name, Under: name}
}

// stringType is the Go type oapi-codegen gives a string of format f.
func stringType(f string) model.GoType {
	switch f {
	case "date-time":
		return model.GoType{Name: "time.Time", Pkg: timePkg, Under: "time.Time"}
	case "date":
		return model.GoType{Name: "openapi_types.Date", Pkg: typesPkg, Under: "date"}
	case "uuid":
		return model.GoType{Name: "openapi_types.UUID", Pkg: typesPkg, Under: "uuid"}
	case "email":
		return model.GoType{Name: "openapi_types.Email", Pkg: typesPkg, Under: "string"}
	}
	return builtin("string", "")
}

// types lists the converted components, sorted by name.
func (b *builder) types() []*model.Schema {
	var out []*model.Schema
	for _, name := range sortedKeys(b.components) {
		if s := b.components[name]; s != nil {
			out = append(out, s)
		}
	}
	return out
}

// schema converts a parameter's schema; see convert.
func (b *builder) schema(at []string, ref *openapi3.SchemaRef, query bool) *model.Schema {
	s := b.convert(append(at[:len(at):len(at)], "schema"), ref, "")
	if s == nil {
		return &model.Schema{Kind: model.KindAny, Go: model.GoType{Name: "interface{}", Under: "interface{}"}}
	}
	return s
}

func describeKind(s *model.Schema) string {
	if s.Kind == model.KindArray && s.Items != nil {
		return fmt.Sprintf("array of %s", s.Items.Kind)
	}
	return s.Kind.String()
}
