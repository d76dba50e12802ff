package model

import (
	"slices"

	"github.com/unifiedgen/unifiedgen/runtime/api"
)

// QueryRead is how a query parameter, or a member of a query object such
// as collections[0][type], is read from a query string. It is decided
// here, once: build reports a parameter whose schema has none at the
// parameter's position, and the binder emitter writes the reader it
// names.
type QueryRead int

const (
	QueryUnreadable QueryRead = iota
	QueryString               // a single value (minLength checked)
	QueryEnum                 // a single value among the schema's enum
	QueryUUID                 // a single value in the 36-character form
	QueryDateTime             // a single RFC 3339 date-time
	QueryDate                 // a single YYYY-MM-DD date
	QueryBool                 // true or false
	QueryInt                  // a decimal integer
	QueryFloat                // a JSON number
	QueryStrings              // a list of plain strings: p=a&p=b, p[]=a&p[]=b
	QueryList                 // a list of single values of another kind, each read as its items' schema
	QueryObjects              // a list of component objects: p[0][key]=value
	QueryObject               // a component object: p[key]=value
	QueryFreeForm             // an object without properties, passed on as read
)

// QueryReadOf returns how a value of schema s is read from a query string.
func QueryReadOf(s *Schema) QueryRead {
	switch s.Kind {
	case KindArray:
		switch {
		case s.Items == nil:
		case s.Items.Kind == KindObject && s.Items.GoName != "" && len(s.Items.Properties) > 0:
			return QueryObjects
		case s.Items.Kind == KindString && len(s.Items.Enum) == 0 && s.Items.Go.Name == "string":
			return QueryStrings
		case single(QueryReadOf(s.Items)):
			return QueryList
		}
	case KindObject:
		switch {
		case len(s.Properties) == 0:
			return QueryFreeForm
		case s.GoName != "":
			return QueryObject
		}
	case KindString:
		switch {
		case s.Go.Under == "uuid":
			return QueryUUID
		case len(s.Enum) > 0:
			return QueryEnum
		case s.Go.Under == "time.Time":
			return QueryDateTime
		case s.Go.Under == "date":
			return QueryDate
		case s.Go.Under == "string":
			return QueryString
		}
	case KindBoolean:
		return QueryBool
	case KindInteger:
		return QueryInt
	case KindNumber:
		return QueryFloat
	}
	return QueryUnreadable
}

// single reports a read of one value (not a list or an object).
func single(r QueryRead) bool { return r >= QueryString && r <= QueryFloat }

// QueryReadable is what a query parameter's schema may be, for messages.
const QueryReadable = "a string (plain, with an enum, or of format uuid, date or date-time), an integer, a number, a boolean, an array of these, an array of objects (a $ref to components/schemas), or an object"

// MappingQuery is the part of o's query a remote mapping sees, the $ of
// its query expression: every declared parameter but those the service
// reads for itself (integrated_account_id, the truto_* parameters) and
// remote_query, which is sent to the provider as it is. limit and
// next_cursor are in it: a list passes them on in the provider's terms.
func (o *Operation) MappingQuery() []Param {
	var out []Param
	for _, p := range o.Query {
		switch p.Name {
		case api.ParamIntegratedAccountID, api.ParamResponseFormat, api.ParamIgnoreRemoteData, api.ParamExcludeFields, api.ParamRemoteQuery:
			continue
		}
		out = append(out, p)
	}
	return out
}

// MappingQuerySchema is MappingQuery as an object schema, for checking
// query expressions.
func (o *Operation) MappingQuerySchema() *Schema {
	s := &Schema{Kind: KindObject, Go: GoType{Under: "struct"}}
	for _, p := range o.MappingQuery() {
		s.Properties = append(s.Properties, Property{Name: p.Name, GoName: p.GoName, Required: p.Required, Schema: p.Schema, Go: ParamGoType(p)})
	}
	return s
}

// AppendQueryFunc writes MappingQuery's parameters that are present as a
// JSON object.
func (o *Operation) AppendQueryFunc() string { return "append" + o.GoName + "Query" }

// Filters are the query parameters of a list that name a field of its
// records, by name and of the same scalar kind (a string, with or without
// an enum or format, an integer, a number or a boolean), or a list of
// such values: the backend that keeps records itself answers only records
// whose field equals the value, or one of the values. Sorted by name.
func (o *Operation) Filters() []string {
	if o.Kind != List || o.ResponseSchema == nil {
		return nil
	}
	var out []string
	for _, p := range o.MappingQuery() {
		if p.Name == api.ParamLimit || p.Name == api.ParamNextCursor {
			continue
		}
		i := slices.IndexFunc(o.ResponseSchema.Properties, func(f Property) bool { return f.Name == p.Name })
		if i < 0 {
			continue
		}
		want := p.Schema
		if want.Kind == KindArray && want.Items != nil {
			want = want.Items
		}
		if field := o.ResponseSchema.Properties[i].Schema; filterable(want) && filterable(field) && sameKind(want.Kind, field.Kind) {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	return out
}

func filterable(s *Schema) bool {
	switch s.Kind {
	case KindString, KindInteger, KindNumber, KindBoolean:
		return true
	}
	return false
}

// sameKind: integers and numbers compare as numbers.
func sameKind(a, b JSONKind) bool {
	num := func(k JSONKind) bool { return k == KindInteger || k == KindNumber }
	return a == b || num(a) && num(b)
}

// AppliesDefault reports whether the binder sets p to its schema's default
// when a request leaves it out: an optional parameter with a default,
// other than those the service reads for itself (whose defaults are the
// service's own: build holds the spec's to them). limit's is applied here
// too, so that a provider's mapping sees the page size the service uses.
func (o *Operation) AppliesDefault(p Param) bool {
	if p.Required || p.Schema.Default == nil {
		return false
	}
	return slices.ContainsFunc(o.MappingQuery(), func(q Param) bool { return q.Name == p.Name })
}

// DefaultLimit is a list's page size when a request gives none, as the
// spec's default for limit says (the binder sets it; the service names it
// in its messages); 0 when it says nothing.
func (o *Operation) DefaultLimit() int {
	for _, p := range o.Query {
		if n, ok := p.Schema.Default.(float64); ok && p.Name == api.ParamLimit && o.Kind == List {
			return int(n)
		}
	}
	return 0
}
