package build

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/unifiedgen/unifiedgen/generator/model"
)

// schema converts the part of a kin-openapi schema the generated code acts
// on. Recursive schemas are cut at the second visit; the request bodies a
// unified API takes are trees.
func (b *builder) schema(ref *openapi3.SchemaRef) *model.Schema {
	return b.schemaDepth(ref, 0)
}

func (b *builder) schemaDepth(ref *openapi3.SchemaRef, depth int) *model.Schema {
	if ref == nil || ref.Value == nil {
		return &model.Schema{Kind: model.KindAny}
	}
	v := ref.Value
	out := &model.Schema{Doc: strings.TrimSpace(v.Description), Format: v.Format, MinLength: int(v.MinLength)}
	if ref.Ref != "" {
		out.Name = ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
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
		if depth < 16 {
			out.Items = b.schemaDepth(v.Items, depth+1)
		}
	case v.Type.Is(openapi3.TypeObject) || len(v.Properties) > 0:
		out.Kind = model.KindObject
		// JSON Schema's default is to accept extra members; only an explicit
		// `additionalProperties: false` closes an object.
		out.Free = v.AdditionalProperties.Has == nil || *v.AdditionalProperties.Has || v.AdditionalProperties.Schema != nil
		if depth < 16 {
			for _, name := range sortedKeys(v.Properties) {
				out.Properties = append(out.Properties, model.Property{
					Name:     name,
					Required: slices.Contains(v.Required, name),
					Schema:   b.schemaDepth(v.Properties[name], depth+1),
				})
			}
		}
	default:
		out.Kind = model.KindAny
	}
	for _, e := range v.Enum {
		out.Enum = append(out.Enum, fmt.Sprint(e))
	}
	return out
}
