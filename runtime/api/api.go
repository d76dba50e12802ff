// Package api declares what a generated package gives the service: a
// Service describing the unified API (its integrations and every operation
// with its support matrix), and, per operation, an Input that binds,
// decodes and validates one request with generated code.
//
// The service (runtime/server) is written once against these types and
// serves any generated package; nothing in it names an operation, a
// resource or a field of a particular spec.
package api

import (
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/qs"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// Service is a generated unified API.
type Service struct {
	Integrations []matrix.Integration // sorted by ID
	// Operations are sorted by operation id.
	Operations []*Operation
	// OpenAPI is the spec the package was generated from, served as is.
	OpenAPI string
}

// Operation describes one operation: its matrix, and how to make the
// Input that reads a request of it.
type Operation struct {
	matrix.Operation
	// HasBody reports a JSON request body.
	HasBody bool
	// WriteOnly lists the top-level request fields the spec marks
	// writeOnly: they reach the integration, but are never stored by the
	// service nor shown in any response.
	WriteOnly []string
	// Filters are the query parameters of a list that name a field of its
	// records (of the same kind): a backend that keeps the records itself
	// answers only those whose field equals the parameter's value, or one
	// of its values.
	Filters []string
	// DefaultLimit is a list's page size when the request gives none: the
	// spec's default for limit (which the binder sets), or 0 for the
	// service's own (DefaultLimit).
	DefaultLimit int
	// Meta is the operation's metadata document (the method, its request
	// body and query schemas, the integrations implementing it), rendered
	// at generation time.
	Meta string
	// New returns an empty Input for one request; Release it when done.
	New func() Input
}

// Input is one request of an operation, in the operation's generated Go
// types. The service calls Bind, then (once it knows the account's
// integration) DecodeBody when the operation has a body, then Validate.
type Input interface {
	// Bind reads the query parameters, checking each against its schema.
	Bind(q qs.Values, r *validation.Report)
	// Params returns the parameters every operation shares, as bound.
	Params() Params
	// DecodeBody decodes the JSON body and checks it against its schema.
	DecodeBody(data []byte, r *validation.Report)
	// Validate applies integration's rules to the query and the body:
	// it reports what the integration requires and lacks and values
	// outside its enums, and removes (reporting them as ignored) the
	// fields and parameters the integration does not use. It returns
	// false when the integration does not implement the operation.
	Validate(integration string, r *validation.Report) bool
	// AppendBody appends the body as validated (without the fields the
	// integration does not use) as a JSON object. Write-only fields are
	// left out unless writeOnly is set.
	AppendBody(dst []byte, writeOnly bool) []byte
	// AppendQuery appends, as a JSON object, the query parameters as
	// validated that a remote mapping sees: all the operation declares but
	// integrated_account_id, the truto_* ones and remote_query.
	AppendQuery(dst []byte) []byte
	// Release returns the Input for reuse by a later request. Nothing may
	// use it, or what it returned, afterwards.
	Release()
}

// Params are the query parameters Truto's unified API gives every
// operation, by their Truto names. An operation that does not declare one
// leaves it zero.
type Params struct {
	IntegratedAccountID string         // integrated_account_id (canonical UUID)
	ResponseFormat      string         // truto_response_format; "" means unified
	IgnoreRemoteData    bool           // truto_ignore_remote_data
	ExcludeFields       []string       // truto_exclude_fields
	RemoteQuery         map[string]any // remote_query
	Limit               *int           // limit (list); nil when the request has none
	NextCursor          string         // next_cursor (list)
}

// A list page's size: DefaultLimit when the request gives no limit, and
// at most MaxLimit.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// The names of the query parameters Params holds. The generator maps an
// operation's parameters of these names onto Params, and checks their
// schemas; the service never reads other parameters.
const (
	ParamIntegratedAccountID = "integrated_account_id"
	ParamResponseFormat      = "truto_response_format"
	ParamIgnoreRemoteData    = "truto_ignore_remote_data"
	ParamExcludeFields       = "truto_exclude_fields"
	ParamRemoteQuery         = "remote_query"
	ParamLimit               = "limit"
	ParamNextCursor          = "next_cursor"
)

// The names of body fields with a meaning of their own in Truto's unified
// API.
const (
	// FieldRemoteData is, in a request, data passed to the provider as is;
	// in a response, the record as the provider returned it.
	FieldRemoteData = "remote_data"
	// FieldETag is a response field holding the record's version.
	FieldETag = "etag"
	// FieldID is the record's id.
	FieldID = "id"
	// FieldCreatedAt and FieldUpdatedAt are the record's timestamps
	// (RFC 3339).
	FieldCreatedAt = "created_at"
	FieldUpdatedAt = "updated_at"
)

// Lookup returns the operation of a resource with the given method.
func (s *Service) Lookup(model, resource, method string) (*Operation, bool) {
	for _, op := range s.Operations {
		if op.Model == model && op.Resource == resource && op.Method == method {
			return op, true
		}
	}
	return nil, false
}

// Integration returns the registry entry for id.
func (s *Service) Integration(id string) (matrix.Integration, bool) {
	for _, in := range s.Integrations {
		if in.ID == id {
			return in, true
		}
	}
	return matrix.Integration{}, false
}

// IntegrationName returns the display name of id, or id itself when it is
// not in the registry.
func (s *Service) IntegrationName(id string) string {
	if in, ok := s.Integration(id); ok {
		return in.Name
	}
	return id
}
