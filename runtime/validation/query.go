package validation

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/unifiedgen/unifiedgen/runtime/qs"
)

// Param reports failures about one query or path parameter (or a member of
// one, such as collections[0].id) for generated binders. Its methods read
// a qs.Value as the schema asks and record a failure naming the parameter
// when it does not fit.
type Param struct {
	R     *Report
	Loc   Location
	Field string
}

func (p Param) fail(rule Rule, msg string) {
	p.R.Add(Failure{Location: p.Loc, Field: p.Field, Rule: rule, Message: msg})
}

// Missing records a parameter (or member) the schema requires.
func (p Param) Missing() { p.fail(RuleRequired, "is required") }

// At is the parameter's member key: collections[0] -> collections[0].id.
func (p Param) At(key string) Param { p.Field += "." + key; return p }

// Index is the parameter's element i: collections -> collections[0].
func (p Param) Index(i int) Param { p.Field += "[" + strconv.Itoa(i) + "]"; return p }

func kindName(v qs.Value) string {
	switch v.Kind() {
	case qs.List:
		return "a list"
	case qs.Object:
		return "an object"
	}
	return "a single value"
}

// String reads a single value.
func (p Param) String(v qs.Value) (string, bool) {
	if v.Kind() != qs.String {
		p.fail(RuleType, "must be a single value, got "+kindName(v))
		return "", false
	}
	return v.Str(), true
}

// Enum reads a single value that must be one of allowed.
func (p Param) Enum(v qs.Value, allowed []string) (string, bool) {
	s, ok := p.String(v)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	p.R.Add(Failure{Location: p.Loc, Field: p.Field, Rule: RuleEnum, Message: quote(s) + " is not one of " + OneOf(allowed), Allowed: allowed})
	return "", false
}

// Bool reads true or false.
func (p Param) Bool(v qs.Value) (bool, bool) {
	s, ok := p.String(v)
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	p.fail(RuleType, "must be true or false, got "+quote(s))
	return false, false
}

// Int reads an integer.
func (p Param) Int(v qs.Value) (int64, bool) {
	s, ok := p.String(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.fail(RuleType, "must be an integer, got "+quote(s))
		return 0, false
	}
	return n, true
}

// Float reads a number.
func (p Param) Float(v qs.Value) (float64, bool) {
	s, ok := p.String(v)
	if !ok {
		return 0, false
	}
	// Only what JSON calls a number: ParseFloat also takes NaN, Inf,
	// hexadecimal and underscores.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !json.Valid([]byte(s)) {
		p.fail(RuleType, "must be a number, got "+quote(s))
		return 0, false
	}
	return f, true
}

// UUID reads a UUID in its 36-character form.
func (p Param) UUID(v qs.Value) (uuid.UUID, bool) {
	s, ok := p.String(v)
	if !ok {
		return uuid.UUID{}, false
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		p.fail(RuleFormat, "must be a UUID such as 62f44730-dd91-461e-bd6a-aedd9e0ad79d, got "+quote(s))
		return uuid.UUID{}, false
	}
	return id, true
}

// DateTime reads an RFC 3339 date-time, as a body's date-time is read.
func (p Param) DateTime(v qs.Value) (time.Time, bool) {
	return p.time(v, time.RFC3339, "an RFC 3339 date-time such as 2024-05-01T09:30:00Z")
}

// Date reads a date in the form YYYY-MM-DD.
func (p Param) Date(v qs.Value) (time.Time, bool) {
	return p.time(v, time.DateOnly, "a date such as 2024-05-01")
}

func (p Param) time(v qs.Value, layout, want string) (time.Time, bool) {
	s, ok := p.String(v)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		msg := "must be " + want + ", got " + quote(s)
		if strings.IndexByte(s, ' ') >= 0 {
			// A query string's + is a space: the offset's sign was
			// sent unescaped.
			msg += " (send a + in a query string as %2B)"
		}
		p.fail(RuleFormat, msg)
		return time.Time{}, false
	}
	return t, true
}

// Strings reads a list of single values (a single value is a list of one).
func (p Param) Strings(v qs.Value) ([]string, bool) {
	s, ok := v.Strings()
	if !ok {
		p.fail(RuleType, "must be a list of values, got "+kindName(v))
		return nil, false
	}
	return s, true
}

// Items reads a list of single values, each to be read on its own (a
// single value is a list of one).
func (p Param) Items(v qs.Value) ([]qs.Value, bool) {
	switch v.Kind() {
	case qs.String:
		return []qs.Value{v}, true
	case qs.List:
		items := make([]qs.Value, v.Len())
		for i := range items {
			if items[i] = v.Index(i); items[i].Kind() != qs.String {
				p.fail(RuleType, "must be a list of values, got a list holding "+kindName(items[i]))
				return nil, false
			}
		}
		return items, true
	}
	p.fail(RuleType, "must be a list of values, got "+kindName(v))
	return nil, false
}

// List reads a list of objects.
func (p Param) List(v qs.Value) ([]qs.Value, bool) {
	if v.Kind() != qs.List {
		p.fail(RuleType, "must be a list of objects such as "+p.Field+"[0][key]=value, got "+kindName(v))
		return nil, false
	}
	items := make([]qs.Value, v.Len())
	for i := range items {
		items[i] = v.Index(i)
	}
	return items, true
}

// Object checks that v is an object (key=value members in brackets).
func (p Param) Object(v qs.Value) bool {
	if v.Kind() != qs.Object {
		p.fail(RuleType, "must be an object such as "+p.Field+"[key]=value, got "+kindName(v))
		return false
	}
	return true
}

// Unknown records a member the schema does not have.
func (p Param) Unknown() { p.fail(RuleUnknown, "is not a member of this parameter") }

// FreeForm converts a free-form parameter (remote_query) to plain values:
// strings, lists and objects.
func (p Param) FreeForm(v qs.Value) (map[string]any, bool) {
	if !p.Object(v) {
		return nil, false
	}
	return freeForm(v).(map[string]any), true
}

func freeForm(v qs.Value) any {
	switch v.Kind() {
	case qs.List:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = freeForm(v.Index(i))
		}
		return out
	case qs.Object:
		out := make(map[string]any, v.Len())
		for i := range v.Len() {
			out[v.Key(i)] = freeForm(v.Index(i))
		}
		return out
	}
	return v.Str()
}

// ParseQuery parses a raw query for a generated binder, recording a
// malformed query as a failure naming the parameter.
func ParseQuery(raw string, r *Report) (qs.Values, bool) {
	vals, err := qs.Parse(raw, qs.DefaultLimits)
	if err != nil {
		f := Failure{Location: Query, Rule: RuleSyntax, Message: err.Error()}
		if qe, ok := err.(*qs.Error); ok {
			f.Field, f.Message = qe.Param, qe.Reason
		}
		r.Add(f)
		return vals, false
	}
	return vals, true
}

// QueryParam reports about query parameter name into r.
func QueryParam(r *Report, name string) Param { return Param{R: r, Loc: Query, Field: name} }

// PathParam reports about path parameter name into r.
func PathParam(r *Report, name string) Param { return Param{R: r, Loc: Path, Field: name} }
