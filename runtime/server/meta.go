package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

// methodMeta is the part of GET /unified/ticketing/users/meta/{method} that
// depends only on the spec, rendered once at start-up.
type methodMeta struct {
	Method            string               `json:"method"`
	OperationID       string               `json:"operation_id"`
	HTTPMethod        string               `json:"http_method"`
	Path              string               `json:"path"`
	RequestBodySchema json.RawMessage      `json:"request_body_schema"`
	QuerySchema       json.RawMessage      `json:"query_schema"`
	Integrations      []matrix.Integration `json:"integrations"`
}

type integrationMeta struct {
	ID                       string              `json:"id"`
	Name                     string              `json:"name"`
	RequiredBodyFields       []string            `json:"required_body_fields"`
	SupportedBodyFields      []string            `json:"supported_body_fields"`
	RequiredQueryParameters  []string            `json:"required_query_parameters"`
	SupportedQueryParameters []string            `json:"supported_query_parameters"`
	ResponseFields           []string            `json:"response_fields"`
	Enums                    map[string][]string `json:"enums"`
}

// methodSchemas renders, for every operation with a support matrix, its
// request body schema and a schema of its query parameters, with
// component references inlined so a client needs nothing else.
func methodSchemas(spec []byte) (map[string][]byte, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromDataWithPath(spec, &url.URL{Path: "openapi.yaml"})
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, op := range unified.Operations {
		item := doc.Paths.Value(op.Path)
		if item == nil || item.GetOperation(op.HTTPMethod) == nil {
			return nil, fmt.Errorf("the spec has no %s %s", op.HTTPMethod, op.Path)
		}
		o := item.GetOperation(op.HTTPMethod)
		m := methodMeta{Method: op.Method, OperationID: op.OperationID, HTTPMethod: op.HTTPMethod, Path: op.Path}
		if o.RequestBody != nil && o.RequestBody.Value != nil {
			if mt := o.RequestBody.Value.Content.Get("application/json"); mt != nil {
				if m.RequestBodySchema, err = inline(mt.Schema, 0); err != nil {
					return nil, err
				}
			}
		}
		props := map[string]json.RawMessage{}
		var required []string
		for _, p := range append(item.Parameters, o.Parameters...) {
			if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
				continue
			}
			s, err := inline(p.Value.Schema, 0)
			if err != nil {
				return nil, err
			}
			props[p.Value.Name] = s
			if p.Value.Required {
				required = append(required, p.Value.Name)
			}
		}
		if m.QuerySchema, err = json.Marshal(map[string]any{"type": "object", "properties": props, "required": required}); err != nil {
			return nil, err
		}
		for _, id := range op.Integrations {
			in, _ := unified.LookupIntegration(id)
			m.Integrations = append(m.Integrations, in)
		}
		if out[op.Method], err = json.Marshal(m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// inline renders a schema with every $ref replaced by what it points to.
func inline(ref *openapi3.SchemaRef, depth int) (json.RawMessage, error) {
	if ref == nil || ref.Value == nil {
		return json.RawMessage(`{}`), nil
	}
	if depth > 16 {
		return nil, fmt.Errorf("schema nests deeper than 16 levels")
	}
	// Marshal the value, not the reference, then inline the children.
	raw, err := json.Marshal(ref.Value)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	v := ref.Value
	if len(v.Properties) > 0 {
		props := map[string]json.RawMessage{}
		for name, p := range v.Properties {
			if props[name], err = inline(p, depth+1); err != nil {
				return nil, err
			}
		}
		if m["properties"], err = json.Marshal(props); err != nil {
			return nil, err
		}
	}
	if v.Items != nil {
		if m["items"], err = inline(v.Items, depth+1); err != nil {
			return nil, err
		}
	}
	return json.Marshal(m)
}

// GetUserMeta implements unified.ServerInterface.
func (s *Server) GetUserMeta(w http.ResponseWriter, r *http.Request, method unified.GetUserMetaParamsMethod, params unified.GetUserMetaParams) {
	static, ok := s.meta[string(method)]
	op, found := unified.LookupOperation(string(method))
	if !ok || !found {
		var methods []string
		for _, o := range unified.Operations {
			methods = append(methods, o.Method)
		}
		writeError(w, r, http.StatusNotFound, "no method "+strconv.Quote(string(method))+"; the methods are "+strings.Join(methods, ", "))
		return
	}
	if params.IntegratedAccountId == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Write(static)
		return
	}
	acct, ok := s.account(w, r, *params.IntegratedAccountId, op)
	if !ok {
		return
	}
	im := integrationMeta{ID: acct.Integration, Name: integrationName(acct.Integration), Enums: map[string][]string{}}
	im.RequiredQueryParameters, im.SupportedQueryParameters = matrix.Split(op.Query, acct.Integration)
	im.RequiredBodyFields, im.SupportedBodyFields = matrix.Split(op.Request, acct.Integration)
	_, im.ResponseFields = matrix.Split(op.Response, acct.Integration)
	for _, e := range op.Enums {
		if e.Integration == acct.Integration {
			im.Enums[e.Path] = e.Values
		}
	}
	var m map[string]any
	if err := json.Unmarshal(static, &m); err != nil {
		s.fail(w, r, err)
		return
	}
	m["integration"] = im
	writeJSON(w, http.StatusOK, m)
}

// GetOpenAPI implements unified.ServerInterface.
func (s *Server) GetOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(s.spec)
}

// GetHealth implements unified.ServerInterface.
func (s *Server) GetHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
