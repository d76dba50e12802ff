// Package model is the generator's intermediate representation: the
// operations of the spec and their per-integration support matrix, as
// plain, sorted data. Emitters read only this (and the Go names oapi-codegen
// chose), never the OpenAPI document, so each can be tested from a literal.
//
// Values are built once by package build and never changed afterwards.
package model

import "github.com/unifiedgen/unifiedgen/runtime/matrix"

// Level is how an integration treats a field or parameter: the same type
// the generated matrix data is declared with.
type Level = matrix.Level

// The levels a matrix cell can hold. The zero Level means "not supported".
const (
	Unsupported = matrix.Unsupported
	Supported   = matrix.Supported
	Required    = matrix.Required
)

// API is the whole spec.
type API struct {
	Title        string
	Integrations []Integration // sorted by ID
	Operations   []Operation   // sorted by ID
}

// Integration is one entry of the registry.
type Integration struct {
	ID   string // stable machine id, e.g. "reamaze"
	Name string // display name, e.g. "Re:amaze"
}

// Operation is one HTTP operation, with its matrix when it has one.
type Operation struct {
	ID string // operationId, e.g. "createUser"
	// Matrix reports an operation with x-unified-support; the fields below
	// marked "matrix" are empty without it.
	Matrix     bool
	Method     string // unified method, e.g. "create" (matrix)
	HTTPMethod string // e.g. "POST"
	Path       string // e.g. "/unified/ticketing/users/{id}"
	Summary    string
	// Integrations implementing the operation, sorted (matrix).
	Integrations []string
	PathParams   []Param // in spec order
	Query        []Param // sorted by name
	// Body is the request body's JSON schema, nil when there is none.
	Body *Schema
	// Request and Response are the top-level body fields with their cells,
	// sorted by name (matrix).
	Request  []Field
	Response []Field
	// ResponseSchema is the success response's schema name.
	ResponseSchema string
	SuccessStatus  int
	// Enums are the per-integration enum subsets, sorted by path then
	// integration (matrix).
	Enums []EnumSubset
}

// Param is a path or query parameter.
type Param struct {
	Name        string
	Required    bool // by the schema, for every integration
	Schema      *Schema
	Description string
	Cells       []Cell // sorted by integration; "*" already expanded
}

// Field is a top-level member of a request or response body.
type Field struct {
	Name        string
	Schema      *Schema
	Description string
	Cells       []Cell // sorted by integration; "*" already expanded
}

// Cell is one integration's level for a field or parameter.
type Cell struct {
	Integration string
	Level       Level // Supported or Required
}

// EnumSubset narrows the schema enum at Path for one integration.
type EnumSubset struct {
	Path        string // e.g. "roles[].id"
	Field       string // the top-level field the path starts with, e.g. "roles"
	Integration string
	Values      []string // in schema enum order
}

// Kind is the JSON type of a schema.
type Kind uint8

// The JSON types the generated decoders handle.
const (
	KindAny Kind = iota // free-form: any JSON value
	KindString
	KindInteger
	KindNumber
	KindBoolean
	KindArray
	KindObject
)

func (k Kind) String() string {
	return [...]string{"any", "string", "integer", "number", "boolean", "array", "object"}[k]
}

// Schema is the part of a JSON schema the generated code acts on.
type Schema struct {
	Name   string // component name when the schema is a $ref, e.g. "EmailInput"
	Kind   Kind
	Format string   // for strings: "date-time", "uuid", ...
	Enum   []string // for strings, in spec order
	Items  *Schema  // for arrays
	// Properties of an object, sorted by name. Empty with Free set means a
	// free-form object.
	Properties []Property
	// Free reports an object that accepts members beyond Properties.
	Free      bool
	MinLength int
	Doc       string // the schema's description
}

// Property is a named member of an object schema.
type Property struct {
	Name     string
	Required bool
	Schema   *Schema
}

// Cell returns the level of integration in cells.
func CellLevel(cells []Cell, integration string) Level {
	for _, c := range cells {
		if c.Integration == integration {
			return c.Level
		}
	}
	return Unsupported
}

// MatrixOperations are the operations with a support matrix.
func (a *API) MatrixOperations() []Operation {
	var out []Operation
	for _, o := range a.Operations {
		if o.Matrix {
			out = append(out, o)
		}
	}
	return out
}

// Integration returns the registry entry for id.
func (a *API) Integration(id string) (Integration, bool) {
	for _, in := range a.Integrations {
		if in.ID == id {
			return in, true
		}
	}
	return Integration{}, false
}
