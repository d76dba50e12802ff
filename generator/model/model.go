// Package model is the generator's intermediate representation: the
// resources and operations of the spec, their per-integration support
// matrix, the schemas of their bodies, and the Go name of everything the
// emitters print, as plain, sorted data. Emitters read only this, never
// the OpenAPI document, so each can be tested from a literal.
//
// Values are built once by package build and never changed afterwards.
package model

import (
	"slices"
	"strconv"
	"strings"

	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

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
	Integrations []Integration // sorted by ID
	Operations   []Operation   // sorted by ID
	// Resources group the operations by model and resource, sorted by
	// model then resource.
	Resources []Resource
	// Types are the component schemas the generated models declare (those
	// the operations reach), sorted by name.
	Types []*Schema
	// Remote holds the integration definitions and their mappings.
	Remote Remote
	// Patterns are the distinct string patterns of every schema the
	// operations reach, body and query alike, sorted: the decoders
	// declare one compiled regexp each (PatternVar), which the query
	// binders use too.
	Patterns []string
}

// PatternVar is the package-level variable holding the compiled pattern p,
// one of a.Patterns.
func (a *API) PatternVar(p string) string {
	i, _ := slices.BinarySearch(a.Patterns, p)
	return "pattern" + strconv.Itoa(i)
}

// Integration is one entry of the registry.
type Integration struct {
	ID     string // stable machine id, e.g. "reamaze"
	Name   string // display name, e.g. "Re:amaze"
	GoName string // e.g. "Reamaze", part of generated identifiers
}

// ValidateFile is the generated file holding the integration's validators,
// e.g. "validate.reamaze.gen.go". Integration ids are lowercase letters,
// digits and underscores, and unique (build's idPattern), so these names
// are safe paths and distinct. The id sits between dots, not after an
// underscore: the go command reads a name's last _-separated element
// before its first dot as a build constraint, so validate_windows.gen.go
// would be compiled on Windows only.
func (in Integration) ValidateFile() string { return "validate." + in.ID + ".gen.go" }

// Resource is one resource of a unified model, e.g. ticketing/users.
type Resource struct {
	Model, Resource string
	// Operations are the indexes in API.Operations of the resource's
	// operations, in the order of Kind, then method name.
	Operations []int
}

// Kind is what an operation does to its resource, which decides its URL,
// its response shape and how a backend serves it.
type Kind = matrix.Kind

// The kinds.
const (
	List   = matrix.List
	Get    = matrix.Get
	Create = matrix.Create
	Update = matrix.Update
	Delete = matrix.Delete
	Custom = matrix.Custom
)

// KindConst names k's constant in runtime/matrix (Create for create).
func KindConst(k Kind) string {
	return strings.ToUpper(k.String()[:1]) + k.String()[1:]
}

// Operation is one HTTP operation with its matrix.
type Operation struct {
	ID     string // operationId, e.g. "createUser"
	GoName string // e.g. "CreateUser"
	// Model, Resource and Method name the operation as Truto does:
	// /unified/{model}/{resource}, method create.
	Model, Resource, Method string
	Kind                    Kind
	HTTPMethod              string // e.g. "POST"
	Path                    string // e.g. "/unified/ticketing/users/{id}"
	Summary                 string
	// Integrations implementing the operation, sorted.
	Integrations []string
	// HasID reports a path with the record's {id}.
	HasID bool
	Query []Param // sorted by name
	// Body is the request body's JSON schema (a component), nil when there
	// is none.
	Body *Schema
	// Request and Response are the top-level body fields with their cells,
	// sorted by name. For a list, Response describes one item of result.
	Request  []Field
	Response []Field
	// ResponseSchema is the success response's schema (a component); for
	// a list, the schema of one item of result.
	ResponseSchema *Schema
	SuccessStatus  int
	// Enums are the per-integration enum subsets, sorted by path then
	// integration.
	Enums []EnumSubset
	// Validators name the per-integration validator of each integration,
	// in Integrations order.
	Validators []Validator
}

// Validator is the generated validator of one operation for one
// integration.
type Validator struct {
	Integration string
	Func        string // e.g. "validateCreateUserDixa"
}

// Param is a query parameter.
type Param struct {
	Name        string
	GoName      string // field of the operation's Params struct
	Required    bool   // by the schema, for every integration
	Schema      *Schema
	Description string
	Cells       []Cell // sorted by integration; "*" already expanded
}

// Field is a top-level member of a request or response body.
type Field struct {
	Name        string
	Schema      *Schema
	Description string
	WriteOnly   bool
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
	Var         string   // the generated variable listing Values
}

// Kind of JSON value a schema describes.
type JSONKind uint8

// The JSON types the generated code handles.
const (
	KindAny JSONKind = iota // free-form: any JSON value
	KindString
	KindInteger
	KindNumber
	KindBoolean
	KindArray
	KindObject
)

func (k JSONKind) String() string {
	return [...]string{"any", "string", "integer", "number", "boolean", "array", "object"}[k]
}

// Schema is the part of a JSON schema the generated code acts on.
type Schema struct {
	Name   string // component name when the schema is a $ref, e.g. "EmailInput"
	GoName string // the Go type of a component, e.g. "EmailInput"
	Kind   JSONKind
	Format string   // for strings: "date-time", "uuid", ...
	Enum   []string // for strings, in spec order
	Items  *Schema  // for arrays
	// Properties of an object, sorted by name. Empty with Free set means a
	// free-form object.
	Properties []Property
	// Free reports an object that accepts members beyond Properties.
	Free bool
	// Bounds the schema declares. Strings: MinLength and MaxLength count
	// characters, Pattern is an RE2 expression (unanchored, as JSON
	// Schema means it). Numbers: Minimum and Maximum. Arrays: MinItems
	// and MaxItems. A nil pointer is no bound.
	MinLength, MinItems int
	MaxLength, MaxItems *int
	Pattern             string
	Minimum, Maximum    *Bound
	// Default is the value the schema declares for an absent one (a
	// string, float64 or bool, as JSON decodes it), or nil. The query
	// binders apply it; in bodies it is documentation (the provider
	// applies its own).
	Default any
	Doc     string // the schema's description
	// Go is the Go type of a value of this schema (the named type for a
	// component).
	Go GoType
}

// Bound is a number's minimum or maximum.
type Bound struct {
	Value     float64
	Exclusive bool // the value itself is outside
}

// Property is a named member of an object schema.
type Property struct {
	Name      string
	GoName    string // the struct field
	Required  bool
	WriteOnly bool
	ReadOnly  bool // the spec's readOnly: sent in responses only
	Schema    *Schema
	// Go is the field's Go type: the schema's, behind a pointer when the
	// property is optional and the type has no nil of its own.
	Go GoType
}

// GoType is a Go type expression of the generated package, reduced to what
// the emitters need.
type GoType struct {
	Ptr   bool    // *T
	Slice bool    // []Elem
	Map   bool    // map[string]any
	Name  string  // the named or builtin type: "string", "EmailInput", "time.Time"; the element type of a slice
	Elem  *GoType // for slices: the element type
	// Under is the underlying builtin of a named type ("string" for
	// UserStatus), or Name itself.
	Under string
	// Pkg is the import path when Name is qualified ("time" for time.Time).
	Pkg string
}

// Nillable reports whether a value of the type can be nil.
func (t GoType) Nillable() bool {
	return t.Ptr || t.Slice || t.Map || t.Under == "map" || t.Under == "raw"
}

// CellLevel returns the level of integration in cells.
func CellLevel(cells []Cell, integration string) Level {
	for _, c := range cells {
		if c.Integration == integration {
			return c.Level
		}
	}
	return Unsupported
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

// The names generated for an operation. They are methods so that every
// emitter prints the same name, and so that build can check them all for
// collisions in one place.

// ParamsType is the struct holding the operation's bound query parameters.
func (o *Operation) ParamsType() string { return o.GoName + "Params" }

// BindFunc reads the query string into ParamsType.
func (o *Operation) BindFunc() string { return "bind" + o.GoName + "Params" }

// InputType is the operation's implementation of the runtime's Input.
func (o *Operation) InputType() string { return lowerFirst(o.GoName) + "Input" }

// InputPool recycles the operation's Inputs.
func (o *Operation) InputPool() string { return lowerFirst(o.GoName) + "Inputs" }

// ValidateFunc dispatches to the account's integration's validator.
func (o *Operation) ValidateFunc() string { return "validate" + o.GoName }

// DescriptorVar is the operation's descriptor.
func (o *Operation) DescriptorVar() string { return o.GoName + "Operation" }

// MetaConst is the operation's static metadata document.
func (o *Operation) MetaConst() string { return lowerFirst(o.GoName) + "Meta" }

// DecodeFunc is the exported decoder of a component body type.
func (s *Schema) DecodeFunc() string { return "Decode" + s.GoName }

// ReadFunc reads one object of the component into its struct.
func (s *Schema) ReadFunc() string { return "decode" + s.GoName }

// AppendFunc appends the component as JSON.
func (s *Schema) AppendFunc() string { return "append" + s.GoName }

// BindQueryFunc reads one component object from a query object.
func (s *Schema) BindQueryFunc() string { return "bindQuery" + s.GoName }

// AllowedVar lists the values of an enum component, or of an inline enum
// owned by owner (a type or parameter name).
func AllowedVar(owner string) string { return "allowed" + owner }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	// An initialism stays readable: "ID" -> "id", not "iD".
	for i := 1; i < len(b)-1 && b[i] >= 'A' && b[i] <= 'Z' && b[i+1] >= 'A' && b[i+1] <= 'Z'; i++ {
		b[i] += 'a' - 'A'
	}
	return string(b)
}

// KindOf returns the kind of a unified method name.
func KindOf(method string) Kind { return matrix.KindOf(method) }

// ParamGoType is the Go type of a query parameter's field in its
// operation's Params struct: the schema's type, behind a pointer when the
// parameter is optional and the type has no nil of its own.
func ParamGoType(p Param) GoType {
	t := p.Schema.Go
	if p.Schema.Kind == KindObject && len(p.Schema.Properties) == 0 {
		// A free-form query object is built from the query string.
		t = GoType{Map: true, Name: "interface{}", Under: "map"}
	}
	if !p.Required && !t.Slice && !t.Map && t.Under != "map" {
		t.Ptr = true
	}
	return t
}
