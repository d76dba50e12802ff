package mapping

// sequence is the intermediate result of a path step that produced several
// items (or one item that is itself an array, which must not be mistaken
// for a list of items). It is never returned to compiled code's callers:
// Collapse ends every path.
type sequence []any

// Start begins a path that starts at a value ($, a variable, a
// parenthesised expression): the steps after it apply to each of the
// value's items. (A path that starts with a field name starts at the
// context itself, as one item, and needs no Start.)
func Start(v any) any {
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return Undefined
		}
		return sequence(a)
	}
	return v
}

// Step applies the field step name to every item of cur (the result of
// Start or of a previous step). last tells the final step of the path,
// whose single array result is kept as it is instead of being flattened.
func Step(cur any, name string, last bool) any {
	switch c := cur.(type) {
	case undefinedValue:
		return Undefined
	case sequence:
		results := make([]any, 0, len(c))
		for _, it := range c {
			if r := field(it, name); !IsUndefined(r) {
				results = append(results, r)
			}
		}
		return collect(results, last)
	default:
		return collectOne(field(c, name), last)
	}
}

// StepIndex is Step followed by the index i applied to each item's field
// (a.b[0] takes the first b of every a, not the first of all b).
func StepIndex(cur any, name string, i int, last bool) any {
	switch c := cur.(type) {
	case undefinedValue:
		return Undefined
	case sequence:
		results := make([]any, 0, len(c))
		for _, it := range c {
			if r := Index(field(it, name), i); !IsUndefined(r) {
				results = append(results, r)
			}
		}
		return collect(results, last)
	default:
		return collectOne(Index(field(c, name), i), last)
	}
}

// StepEach applies a compiled step (an object constructor, a.{...}) to
// every item of cur.
func StepEach(cur any, f func(item any) any, last bool) any {
	switch c := cur.(type) {
	case undefinedValue:
		return Undefined
	case sequence:
		results := make([]any, 0, len(c))
		for _, it := range c {
			if r := f(it); !IsUndefined(r) {
				results = append(results, r)
			}
		}
		return collect(results, last)
	default:
		return collectOne(f(c), last)
	}
}

// Collapse ends a path: no items is Undefined, one item is that item, and
// several are an array. This is JSONata's singleton rule: "emails.email"
// over one email is a string, over two an array.
func Collapse(cur any) any {
	s, ok := cur.(sequence)
	if !ok {
		return cur
	}
	switch len(s) {
	case 0:
		return Undefined
	case 1:
		return s[0]
	}
	return []any(s)
}

// collect gathers one step's results, flattening arrays by one level (the
// "map and flatten" of JSONata paths), except that a last step yielding a
// single array returns that array as it is.
func collect(results []any, last bool) any {
	if len(results) == 1 {
		return collectOne(results[0], last)
	}
	n := 0
	for _, r := range results {
		if a, ok := r.([]any); ok {
			n += len(a)
		} else {
			n++
		}
	}
	if n == len(results) {
		return emptyToUndefined(sequence(results))
	}
	flat := make(sequence, 0, n)
	for _, r := range results {
		if a, ok := r.([]any); ok {
			flat = append(flat, a...)
		} else {
			flat = append(flat, r)
		}
	}
	return emptyToUndefined(flat)
}

// collectOne is collect for a step that produced at most one result,
// without allocating.
func collectOne(r any, last bool) any {
	a, ok := r.([]any)
	if !ok {
		return r
	}
	if last {
		return a // kept as is, even empty: {"a": []} maps "a" to []
	}
	if len(a) == 0 {
		return Undefined
	}
	return sequence(a)
}

func emptyToUndefined(s sequence) any {
	if len(s) == 0 {
		return Undefined
	}
	return s
}

// field looks name up in v: a member of an object, the members of every
// object in an array (flattened), and Undefined for anything else.
func field(v any, name string) any {
	switch x := v.(type) {
	case map[string]any:
		if f, ok := x[name]; ok {
			return f
		}
	case []any:
		var results []any
		for _, it := range x {
			r := field(it, name)
			if a, ok := r.([]any); ok {
				results = append(results, a...)
			} else if !IsUndefined(r) {
				results = append(results, r)
			}
		}
		return Collapse(sequence(results))
	}
	return Undefined
}

// Index is JSONata's a[i] for an integer literal i: the i-th item of an
// array, counting from the end when i is negative. A single value counts as
// an array of one item. Out of range is Undefined.
func Index(v any, i int) any {
	switch x := v.(type) {
	case undefinedValue:
		return Undefined
	case []any:
		return pick(x, i)
	case sequence:
		return pick(x, i)
	}
	if i == 0 || i == -1 {
		return v
	}
	return Undefined
}

func pick(items []any, i int) any {
	if i < 0 {
		i += len(items)
	}
	if i < 0 || i >= len(items) {
		return Undefined
	}
	return items[i]
}

// Field is one field step applied to one item (inside a compiled step,
// such as a[0][1], that Step cannot express).
func Field(v any, name string) any { return field(v, name) }
