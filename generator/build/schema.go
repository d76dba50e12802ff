package build

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// maxDepth is how deeply schemas may nest. The model is a tree and every
// emitter walks it recursively; 16 levels is far beyond any request body a
// unified API takes, and the runtime rejects JSON nested deeper than 32.
const maxDepth = 16

// schema converts the part of a kin-openapi schema the generated code acts
// on. The generated decoders and validators handle trees only, so a schema
// that contains itself (through a $ref, at any depth) is reported at the
// $ref that closes the loop, and so is nesting deeper than maxDepth;
// neither is cut silently.
func (b *builder) schema(ref *openapi3.SchemaRef) *model.Schema {
	return b.convert(ref, nil, 0)
}

// convert converts ref; refs are the $refs followed to get here.
func (b *builder) convert(ref *openapi3.SchemaRef, refs []string, depth int) *model.Schema {
	if ref == nil || ref.Value == nil {
		return &model.Schema{Kind: model.KindAny}
	}
	v := ref.Value
	out := &model.Schema{Doc: strings.TrimSpace(v.Description), Format: v.Format, MinLength: int(v.MinLength)}
	if ref.Ref != "" {
		out.Name = refName(ref.Ref)
		if i := slices.Index(refs, ref.Ref); i >= 0 {
			var loop []string
			for _, r := range append(refs[i:], ref.Ref) {
				loop = append(loop, refName(r))
			}
			b.once(b.refDiag(ref, fmt.Sprintf("recursive schema %s: the generated decoders and validators handle trees only; "+
				"end the recursion (give the nested level its own schema without this field, or make it a free-form object)", strings.Join(loop, " -> "))))
			out.Kind = model.KindAny
			return out
		}
		refs = append(refs[:len(refs):len(refs)], ref.Ref)
	}
	if depth > maxDepth {
		b.once(b.refDiag(ref, fmt.Sprintf("schema nested deeper than %d levels, the most the generator supports; flatten it", maxDepth)))
		out.Kind = model.KindAny
		return out
	}
	switch {
	case v.Type.Is(openapi3.TypeString):
		out.Kind = model.KindString
	case v.Type.Is(openapi3.TypeInteger):
		out.Kind = model.KindInteger
	case v.Type.Is(openapi3.TypeNumber):
		out.Kind = model.KindNumber
	case v.Type.Is(openapi3.TypeBoolean):
		out.Kind = model.KindBoolean
	case v.Type.Is(openapi3.TypeArray):
		out.Kind = model.KindArray
		out.Items = b.convert(v.Items, refs, depth+1)
	case v.Type.Is(openapi3.TypeObject) || len(v.Properties) > 0:
		out.Kind = model.KindObject
		// JSON Schema's default is to accept extra members; only an explicit
		// `additionalProperties: false` closes an object.
		out.Free = v.AdditionalProperties.Has == nil || *v.AdditionalProperties.Has || v.AdditionalProperties.Schema != nil
		for _, name := range sortedKeys(v.Properties) {
			out.Properties = append(out.Properties, model.Property{
				Name:     name,
				Required: slices.Contains(v.Required, name),
				Schema:   b.convert(v.Properties[name], refs, depth+1),
			})
		}
	default:
		out.Kind = model.KindAny
	}
	for _, e := range v.Enum {
		out.Enum = append(out.Enum, fmt.Sprint(e))
	}
	return out
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// refDiag places msg at ref's $ref (or, for an inline schema, at the
// schema), as kin-openapi recorded it while loading.
func (b *builder) refDiag(ref *openapi3.SchemaRef, msg string) diag.Diagnostic {
	if o := ref.Origin; o != nil && o.Key != nil {
		loc := *o.Key
		if f, ok := o.Fields.Lookup("$ref"); ok && ref.Ref != "" {
			loc = f
		}
		return b.spec.AtPos(msg, loc.Line, loc.Column)
	}
	if o := ref.Value.Origin; o != nil && o.Key != nil {
		return b.spec.AtPos(msg, o.Key.Line, o.Key.Column)
	}
	return b.spec.At(msg, "components", "schemas", refName(ref.Ref))
}

// once adds d unless it was reported already: a schema shared by several
// operations is converted once for each.
func (b *builder) once(d diag.Diagnostic) {
	if !slices.Contains(b.diags, d) {
		b.diags = append(b.diags, d)
	}
}
