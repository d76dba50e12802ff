package service

import (
	"encoding/json"

	"github.com/unifiedgen/unifiedgen/generator/model"
)

// methodMeta is the part of /unified/{model}/{resource}/meta/{method} that
// depends only on the spec. It is rendered here, at generation time, so
// the service never reads the spec.
type methodMeta struct {
	Model             string        `json:"model"`
	Resource          string        `json:"resource"`
	Method            string        `json:"method"`
	OperationID       string        `json:"operation_id"`
	HTTPMethod        string        `json:"http_method"`
	Path              string        `json:"path"`
	RequestBodySchema any           `json:"request_body_schema"`
	QuerySchema       any           `json:"query_schema"`
	ResponseSchema    any           `json:"response_schema"`
	Integrations      []integration `json:"integrations"`
}

type integration struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func metadata(a *model.API, op *model.Operation) (string, error) {
	m := methodMeta{Model: op.Model, Resource: op.Resource, Method: op.Method, OperationID: op.ID, HTTPMethod: op.HTTPMethod, Path: op.Path,
		Integrations: []integration{}}
	if op.Body != nil {
		m.RequestBodySchema = jsonSchema(op.Body)
	}
	props := map[string]any{}
	required := []string{}
	for _, p := range op.Query {
		s := jsonSchema(p.Schema)
		if p.Description != "" {
			s["description"] = p.Description
		}
		props[p.Name] = s
		if p.Required {
			required = append(required, p.Name)
		}
	}
	m.QuerySchema = map[string]any{"type": "object", "properties": props, "required": required}
	if op.ResponseSchema != nil {
		m.ResponseSchema = jsonSchema(op.ResponseSchema)
	}
	for _, id := range op.Integrations {
		in, _ := a.Integration(id)
		m.Integrations = append(m.Integrations, integration{ID: in.ID, Name: in.Name})
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// jsonSchema renders s as a JSON schema with every component inlined, so a
// client needs nothing else to read it. Write-only members are marked and,
// like every member, carry no example: an example password would be a
// secret shown to anyone.
func jsonSchema(s *model.Schema) map[string]any {
	out := map[string]any{}
	if s.Kind != model.KindAny {
		out["type"] = s.Kind.String()
	}
	if s.Doc != "" {
		out["description"] = s.Doc
	}
	if s.Format != "" {
		out["format"] = s.Format
	}
	if len(s.Enum) > 0 {
		out["enum"] = s.Enum
	}
	if s.MinLength > 0 {
		out["minLength"] = s.MinLength
	}
	if s.MaxLength != nil {
		out["maxLength"] = *s.MaxLength
	}
	if s.Pattern != "" {
		out["pattern"] = s.Pattern
	}
	// As JSON Schema writes them (and OpenAPI 3.1): an exclusive bound is
	// a number of its own.
	if b := s.Minimum; b != nil && b.Exclusive {
		out["exclusiveMinimum"] = b.Value
	} else if b != nil {
		out["minimum"] = b.Value
	}
	if b := s.Maximum; b != nil && b.Exclusive {
		out["exclusiveMaximum"] = b.Value
	} else if b != nil {
		out["maximum"] = b.Value
	}
	if s.MinItems > 0 {
		out["minItems"] = s.MinItems
	}
	if s.Default != nil {
		out["default"] = s.Default
	}
	if s.MaxItems != nil {
		out["maxItems"] = *s.MaxItems
	}
	if s.Items != nil {
		out["items"] = jsonSchema(s.Items)
	}
	if s.Kind == model.KindObject {
		out["additionalProperties"] = s.Free
		if len(s.Properties) > 0 {
			props := map[string]any{}
			var required []string
			for _, p := range s.Properties {
				ps := jsonSchema(p.Schema)
				if p.WriteOnly {
					ps["writeOnly"] = true
				}
				props[p.Name] = ps
				if p.Required {
					required = append(required, p.Name)
				}
			}
			out["properties"] = props
			if len(required) > 0 {
				out["required"] = required
			}
		}
	}
	return out
}
