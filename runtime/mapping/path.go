package mapping

// Seq is a path's intermediate result: no item, one item, or several
// (JSONata's sequence). It is a value passed from one step to the next, so
// that a path over single objects allocates nothing; Collapse ends every
// path and turns it back into a value.
type Seq struct {
	one   any   // the item when there is exactly one
	items []any // the items when there are several
	n     uint8 // 0: none, 1: one, 2: several
}

func one(v any) Seq        { return Seq{one: v, n: 1} }
func many(items []any) Seq { return Seq{items: items, n: 2} }

// Item begins a path that starts with a field name: its first step applies
// to the context as one item, even when the context is an array (JSONata
// takes an array input as one value, so name[0] over [{"name": "A"},
// {"name": "B"}] is "A").
func Item(ctx any) Seq { return one(ctx) }

// Start begins a path that starts at a value ($, a variable, a
// parenthesised expression): the steps after it apply to each of the
// value's items.
func Start(v any) Seq {
	switch x := v.(type) {
	case undefinedValue:
		return Seq{}
	case []any:
		if len(x) == 0 {
			return Seq{}
		}
		return many(x)
	}
	return one(v)
}

// Step applies the field step name to every item of cur. last tells the
// final step of the path, whose single array result is kept as it is
// instead of being flattened.
func Step(cur Seq, name string, last bool) Seq {
	switch cur.n {
	case 0:
		return Seq{}
	case 1:
		return collectOne(field(cur.one, name), last)
	}
	results := make([]any, 0, len(cur.items))
	for _, it := range cur.items {
		if r := field(it, name); !IsUndefined(r) {
			results = append(results, r)
		}
	}
	return collect(results, last)
}

// StepIndex is Step followed by the index i applied to each item's field
// (a.b[0] takes the first b of every a, not the first of all b).
func StepIndex(cur Seq, name string, i int, last bool) Seq {
	switch cur.n {
	case 0:
		return Seq{}
	case 1:
		return collectOne(Index(field(cur.one, name), i), last)
	}
	results := make([]any, 0, len(cur.items))
	for _, it := range cur.items {
		if r := Index(field(it, name), i); !IsUndefined(r) {
			results = append(results, r)
		}
	}
	return collect(results, last)
}

// StepEach applies a compiled step (an object constructor, a.{...}) to
// every item of cur.
func StepEach(cur Seq, f func(item any) any, last bool) Seq {
	switch cur.n {
	case 0:
		return Seq{}
	case 1:
		return collectOne(f(cur.one), last)
	}
	results := make([]any, 0, len(cur.items))
	for _, it := range cur.items {
		if r := f(it); !IsUndefined(r) {
			results = append(results, r)
		}
	}
	return collect(results, last)
}

// Collapse ends a path: no items is Undefined, one item is that item, and
// several are an array. This is JSONata's singleton rule: "emails.email"
// over one email is a string, over two an array.
func Collapse(s Seq) any {
	switch s.n {
	case 0:
		return Undefined
	case 1:
		return s.one
	}
	if len(s.items) == 1 {
		return s.items[0]
	}
	return s.items
}

// collect gathers one step's results, flattening arrays by one level (the
// "map and flatten" of JSONata paths), except that a last step yielding a
// single array returns that array as it is.
func collect(results []any, last bool) Seq {
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
	if n == 0 {
		return Seq{}
	}
	if n == len(results) {
		return many(results)
	}
	flat := make([]any, 0, n)
	for _, r := range results {
		if a, ok := r.([]any); ok {
			flat = append(flat, a...)
		} else {
			flat = append(flat, r)
		}
	}
	return many(flat)
}

// collectOne is collect for a step that produced at most one result,
// without allocating: r is kept in its interface, not re-boxed.
func collectOne(r any, last bool) Seq {
	a, ok := r.([]any)
	switch {
	case IsUndefined(r):
		return Seq{}
	case !ok || last:
		return one(r) // a last step keeps its array as is, even []: {"a": []} maps "a" to []
	case len(a) == 0:
		return Seq{}
	}
	return many(a)
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
		switch len(results) {
		case 0:
			return Undefined
		case 1:
			return results[0]
		}
		return results
	}
	return Undefined
}

// Field is one field step applied to one item (inside a compiled step,
// such as a[0][1], that Step cannot express).
func Field(v any, name string) any { return field(v, name) }

// Index is JSONata's a[i] for an integer literal i: the i-th item of an
// array, counting from the end when i is negative. A single value counts as
// an array of one item. Out of range is Undefined.
func Index(v any, i int) any {
	switch x := v.(type) {
	case undefinedValue:
		return Undefined
	case []any:
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
