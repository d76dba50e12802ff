// Package mapping is what code compiled from a JSONata mapping calls at
// request time (see generator/mapping for the compiler and the subset it
// accepts). Every helper works on dynamic JSON values as the service decodes
// them: map[string]any, []any, string, json.Number or float64, bool and nil
// (JSON null). There is no interpreter and no reflection here: the compiler
// has already turned the expression into straight-line Go, and these are the
// operations that would be too long to inline.
//
// Three JSONata notions need a representation in Go:
//
//   - undefined, the result of a missing path, is Undefined: a value of its
//     own type, distinct from nil (JSON null). A sentinel rather than an
//     (any, bool) pair because compiled expressions nest: a sentinel lets
//     every sub-expression stay a single Go expression that can be passed
//     straight to the next helper. Undefined refuses to be marshalled, so it
//     cannot leak into a response as "{}".
//   - a sequence, the intermediate result of a path over arrays, is a Seq
//     passed by value from step to step (so paths over single objects
//     allocate nothing); Collapse turns it into Undefined, a single value
//     or a []any, as JSONata does at the end of every path.
//   - an evaluation error (JSONata's dynamic type errors, such as
//     "a" + 1) is a panic with an *Error, recovered by Recover at the top of
//     the compiled function, which returns it. Panicking keeps the helpers
//     composable as plain expressions; the deferred Recover costs a few
//     nanoseconds and nothing when nothing fails.
//
// Numbers: json.Number values from the input pass through untouched; only
// arithmetic and conversions turn them into float64, as JSONata's numbers
// are IEEE doubles.
package mapping
