package mapping

import "slices"

// RootReads returns the top-level fields of the input document that e may
// read, sorted, or whole when it may read the document as a whole ($ or
// $$ not followed by a field: $string($), $merge([$$, ...])), where every
// field counts as read.
func RootReads(e *Expr) (fields []string, whole bool) {
	r := &reads{}
	r.walk(e, true)
	if r.whole {
		return nil, true
	}
	slices.Sort(r.fields)
	return slices.Compact(r.fields), false
}

type reads struct {
	fields []string
	whole  bool
}

// walk notes what e reads of the document. atRoot says e is evaluated with
// the document as its context, where a bare name is a field of it (not so
// in the steps after a path's first, nor inside an object built per item).
func (r *reads) walk(e *Expr, atRoot bool) {
	if e == nil {
		return
	}
	switch e.Kind {
	case Name:
		if atRoot {
			r.fields = append(r.fields, e.Str)
		}
	case Context:
		if atRoot {
			r.whole = true
		}
	case Root:
		r.whole = true
	case Path:
		first := e.Args[0]
		switch {
		case first.Kind == Root || first.Kind == Context && atRoot:
			// $$.a or $.a: the field a; $$ alone (or [0]) is the document.
			if len(e.Args) > 1 && e.Args[1].Kind == Name {
				r.fields = append(r.fields, e.Args[1].Str)
			} else {
				r.whole = true
			}
		default:
			r.walk(first, atRoot)
		}
		for _, step := range e.Args[1:] {
			r.walk(step, false)
		}
	default:
		for _, a := range e.Args {
			r.walk(a, atRoot)
		}
	}
}
