package model

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
