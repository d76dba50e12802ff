// Package matrix holds the types of a unified API's support matrix: which
// integrations implement an operation, and which fields and query
// parameters each one requires, supports and returns. Generated code
// declares the data (generated/<pkg>/service.gen.go); the types and their
// lookups live here, once, for every generated package.
package matrix

import "slices"

// Level is how an integration treats a field or query parameter.
type Level uint8

const (
	// Unsupported: the integration does not use the field.
	Unsupported Level = iota
	// Supported: the integration uses (or returns) the field when present.
	Supported
	// Required: the integration needs the field.
	Required
)

// String returns the level as the spec writes it.
func (l Level) String() string {
	switch l {
	case Supported:
		return "supported"
	case Required:
		return "required"
	}
	return "unsupported"
}

// Integration is one entry of the integration registry.
type Integration struct {
	// ID is the stable machine id accounts are bound to.
	ID string `json:"id"`
	// Name is the display name.
	Name string `json:"name"`
}

// Field is one row of a matrix: a field or query parameter and the
// integrations that support or require it. An integration in neither list
// does not use the field.
type Field struct {
	Name string
	// Required lists, sorted, the integrations that need the field.
	Required []string
	// Supported lists, sorted, the integrations that use (or return) the
	// field when present but do not need it.
	Supported []string
}

// Level returns integration's level for the field.
func (f *Field) Level(integration string) Level {
	if slices.Contains(f.Required, integration) {
		return Required
	}
	if slices.Contains(f.Supported, integration) {
		return Supported
	}
	return Unsupported
}

// Enum narrows the schema's values at Path for one integration.
type Enum struct {
	Path        string
	Integration string
	Values      []string
}

// Kind is what an operation does to its resource. It decides the
// operation's URL, the shape of its response and how a backend serves it.
type Kind uint8

// The kinds of Truto's unified API: five per resource, and custom methods.
const (
	List Kind = iota + 1
	Get
	Create
	Update
	Delete
	Custom
)

// String returns the method name of the kind ("custom" for custom methods).
func (k Kind) String() string {
	switch k {
	case List:
		return "list"
	case Get:
		return "get"
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	case Custom:
		return "custom"
	}
	return "unknown"
}

// KindOf returns the kind of a unified method name: one of the five, or
// Custom for any other name.
func KindOf(method string) Kind {
	for k := List; k < Custom; k++ {
		if k.String() == method {
			return k
		}
	}
	return Custom
}

// Writes reports whether the kind changes data, so that it takes an
// Idempotency-Key and runs in a write transaction.
func (k Kind) Writes() bool { return k != List && k != Get }

// Operation is the support matrix of one operation.
type Operation struct {
	OperationID string
	// Model and Resource locate the operation: /unified/{Model}/{Resource}.
	Model, Resource string
	Kind            Kind
	// Method is the unified method name: create, update, ...
	Method        string
	HTTPMethod    string
	Path          string
	SuccessStatus int
	// Integrations implementing the operation, sorted.
	Integrations []string
	Query        []Field
	Request      []Field
	Response     []Field
	Enums        []Enum
}

// Implements reports whether integration implements the operation.
func (o *Operation) Implements(integration string) bool {
	for _, id := range o.Integrations {
		if id == integration {
			return true
		}
	}
	return false
}

// Split lists the rows of fields integration requires, and those it uses
// at all (required ones included).
func Split(fields []Field, integration string) (required, supported []string) {
	required, supported = []string{}, []string{}
	for i := range fields {
		switch fields[i].Level(integration) {
		case Required:
			required = append(required, fields[i].Name)
			supported = append(supported, fields[i].Name)
		case Supported:
			supported = append(supported, fields[i].Name)
		}
	}
	return required, supported
}
