// Package mapping parses, checks and compiles the subset of JSONata that
// spec authors write to map a unified request or response to an
// integration's API and back. Parse turns the source into an Expr, Check
// type-checks it against the input and output JSON schemas at generation
// time, and Compile emits it as a straight-line Go function over decoded
// JSON (map[string]any, []any, string, json.Number or float64, bool, nil)
// that calls the small helpers of runtime/mapping: no interpreter and no
// reflection at request time.
//
// # The subset
//
// Values:
//
//   - literals: "strings" and 'strings' with JSON escapes, numbers (12,
//     1.5, 2e3; a leading - is unary minus), true, false, null;
//   - $ is the context: the input document at the top level, the item inside
//     a.{...}; $$ is always the input document;
//   - variables: only the parameters of the function given to $map;
//   - comments: /* ... */.
//
// Paths:
//
//   - field names a.b.c; a name that is not letters, digits and underscores
//     goes in backquotes: `first name`.b;
//   - a path may start at $, $$, a variable or a parenthesised expression:
//     $.a, $v.id, (a.b).c;
//   - a step over an array applies to every item and flattens the results:
//     emails.email is every email; the result of a whole path follows the
//     singleton rule (no item: undefined, one: that item, more: an array);
//   - an integer index, possibly negative, after any step or value: a[0],
//     a.b[-1], (a.b)[0]. On a step it applies per item, as in JSONata:
//     a.b[0] is the first b of every a;
//   - an object constructor as a step builds one object per item:
//     data.{"id": $string(id)}; inside it $ and bare names refer to the item.
//
// Constructors:
//
//   - objects {"key": expr, ...}: keys are string literals, unique; a key
//     whose value is undefined is left out;
//   - arrays [e1, e2]: an item that is an array is spliced in, except an
//     array constructor, which stays nested; undefined items are left out;
//     the result is always an array (this is how to keep a one-item array).
//
// Operators, loosest first: c ? a : b (and c ? a, undefined when c is
// falsy); or; and; = != < <= > >=; & (string concatenation, undefined
// counts as ""), + -; * /; unary -. Parentheses group.
//
// Functions: $map(array, function($v[, $i]) { expr }), $string, $number,
// $boolean, $not, $exists, $count, $lowercase, $uppercase, $trim,
// $join(array[, sep]), $split(str, sep), $substring(str, start[, length]),
// $substringBefore, $substringAfter, $contains(str, str), $append, $merge.
// Optional arguments must be given explicitly where JSONata would take the
// context ($string() is written $string($)).
//
// # Not supported
//
// Everything else is a parse or check error that names the construct:
// predicates and filters (a[b = 1]), a[] , wildcards * and **, the parent
// operator %, ranges .., the operators in, % (modulo), ~>, :=, @ and #,
// sorting ^(...), grouping a{...}, computed object keys, blocks with ;,
// .(expr) and .$f() path steps, regular expressions, function signatures,
// lambdas anywhere but as $map's second argument, partial application,
// any function not listed above, and string literals as path steps.
//
// # Semantics
//
// The reference is JSONata (jsonata-js); the differential tests also run
// github.com/blues/jsonata-go and list where it departs from the reference
// (testdata/corpus/divergences.json). What is worth knowing:
//
//   - undefined (a missing field) is not null: object keys and array items
//     with an undefined value are dropped; = and != are both false when a
//     side is undefined; arithmetic on undefined is undefined; & treats it
//     as "".
//   - the singleton rule applies to paths and to $map: $map over one item
//     gives that item's result, not a one-item array. Wrap in [...] to
//     always get an array.
//   - a field holding [] evaluates to [] (jsonata-go: undefined).
//   - $string rounds fractions to 15 significant digits as JSONata does
//     ($string(0.1 + 0.2) is "0.3"), writes objects with sorted keys and no
//     HTML escaping, and writes an integer from the input with the digits it
//     was sent with, even beyond 2^53 (a deliberate departure: provider ids
//     must survive; JSONata would round them).
//   - and and or evaluate their right side only when needed.
//   - dynamic type errors ("a" + 1, $uppercase(1), $number("x")) are
//     errors of the compiled function, as in JSONata.
//   - inside an object constructor $ is the context as it is; JSONata
//     evaluates a constructor once per group of items, which differs only
//     when the context is an array of one item.
//   - a path that starts with a parenthesised expression or a function call
//     evaluates it once, not once per item of an array context.
package mapping
