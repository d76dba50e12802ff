package model

// Remote is the part of the spec that calls providers: the integration
// definition files the registry names (integration.yaml), checked and with
// their expressions parsed and type-checked. Empty when no integration has
// a definition; then no remote code is generated.
type Remote struct {
	Integrations []RemoteIntegration // sorted by ID
	// Mappings are sorted by operation id, then integration id.
	Mappings []RemoteMapping
}

// Names of the generated remote declarations.
const (
	// RemoteIntegrationsVar maps integration ids to their definitions.
	RemoteIntegrationsVar = "RemoteIntegrations"
	// RemotesVar maps operation ids, then integration ids, to mappings.
	RemotesVar = "Remotes"
)

// RemoteIntegration is one integration.yaml.
type RemoteIntegration struct {
	ID, Name string
	GoName   string // the integration's part of Go names, e.g. "Dixa"
	File     string // the definition file, as the spec names it
	BaseURL  string
	// Credentials are the keys an account gives, in file order.
	Credentials []string
	Auth        RemoteAuth
	Headers     []NameValue // sorted by name
	Query       []NameValue // sorted by name
	RateLimit   RemoteRateLimit
	// ErrorMessage and ErrorFields read the provider's error body; nil
	// when the file gives none.
	ErrorMessage *RemoteExpr
	ErrorFields  *RemoteExpr
}

// RemoteAuth is the auth scheme: Kind is bearer, header, basic or query.
type RemoteAuth struct {
	Kind               string
	Name, Value        string
	Username, Password string
}

// NameValue is a header or query parameter with a template value.
type NameValue struct {
	Name, Value string
}

// RemoteRateLimit is the provider's throttling signals.
type RemoteRateLimit struct {
	Status      []int
	RetryAfter  string
	ResetHeader string
	ResetUnit   string // "seconds" or "epoch", "" without a reset header
	Forward     []string
}

// RemoteMapping is one operation of one integration.
type RemoteMapping struct {
	Operation   string // operationId
	OpGoName    string
	Kind        Kind
	Integration string
	IntGoName   string
	File        string // the integration's definition file, as the spec names it
	Method      string // the provider's HTTP method
	Path        string
	Body, Query *RemoteExpr
	// QueryReads are the query parameters the Query expression reads
	// (sorted), or every one with QueryReadsAll.
	QueryReads    []string
	QueryReadsAll bool
	Record        *RemoteExpr
	Unified       *RemoteExpr
	NextCursor    *RemoteExpr
	// Fields maps provider field names to unified ones, sorted by
	// provider name.
	Fields []NameValue
}

// RemoteExpr is an expression of an integration file, parsed and checked.
// Keys that share its text (a YAML anchor and its aliases) share one
// RemoteExpr, compiled once.
type RemoteExpr struct {
	Source string
	// Expr is the *mapping.Expr (generator/mapping imports this package,
	// so the type cannot be named here).
	Expr any
	// Func is the name of the compiled function.
	Func string
	// File is the integration file it is written in, as the spec names
	// it; Uses are the keys there that use it, in the order of
	// Remote.ExprUses.
	File string
	Uses []string
}

// ExprUse is one use of an expression: the expression and its key in the
// integration file (operations.createUser.body, errors.message).
type ExprUse struct {
	Expr *RemoteExpr
	Key  string
}

// ExprUses are the expressions in, of the integration's own keys.
func (in *RemoteIntegration) ExprUses() []ExprUse {
	return presentUses([]ExprUse{{in.ErrorMessage, "errors.message"}, {in.ErrorFields, "errors.fields"}})
}

// ExprUses are the expressions of the mapping.
func (m *RemoteMapping) ExprUses() []ExprUse {
	op := "operations." + m.Operation + "."
	return presentUses([]ExprUse{{m.Body, op + "body"}, {m.Query, op + "query"}, {m.Record, op + "record"}, {m.Unified, op + "unified"}, {m.NextCursor, op + "next_cursor"}})
}

func presentUses(us []ExprUse) []ExprUse {
	out := us[:0]
	for _, u := range us {
		if u.Expr != nil {
			out = append(out, u)
		}
	}
	return out
}

// ExprUses are every use of an expression, in the order of the generated
// code: each integration's keys, then each mapping's.
func (r *Remote) ExprUses() []ExprUse {
	var out []ExprUse
	for i := range r.Integrations {
		out = append(out, r.Integrations[i].ExprUses()...)
	}
	for i := range r.Mappings {
		out = append(out, r.Mappings[i].ExprUses()...)
	}
	return out
}

// Var is the generated variable holding the integration's definition.
func (in *RemoteIntegration) Var() string { return remoteIntegrationVar(in.GoName) }

// IntegrationVar is the variable of the mapping's integration (its
// RemoteIntegration's Var).
func (m *RemoteMapping) IntegrationVar() string { return remoteIntegrationVar(m.IntGoName) }

func remoteIntegrationVar(goName string) string { return "remote" + goName }

// ExprFunc names a compiled expression of the integration file.
func (in *RemoteIntegration) ExprFunc(what string) string { return "remote" + in.GoName + what }

// Var is the generated variable holding the mapping.
func (m *RemoteMapping) Var() string { return "remote" + m.OpGoName + m.IntGoName }

// ExprFunc names a compiled expression of the mapping.
func (m *RemoteMapping) ExprFunc(what string) string {
	return "remote" + m.OpGoName + m.IntGoName + what
}
