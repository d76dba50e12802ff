package mapping

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// tkind is the JSON type the checker infers for an expression.
type tkind uint8

const (
	tAny tkind = iota // unknown: anything goes
	tString
	tNumber
	tBoolean
	tNull
	tArray
	tObject
)

var kindNames = [...]string{"any value", "a string", "a number", "a boolean", "null", "an array", "an object"}

// typ is what the checker knows about a value. It errs towards tAny:
// JSONata is dynamic, and only what is certainly wrong is reported.
type typ struct {
	kind   tkind
	items  *typ          // tArray: the items, nil when unknown
	schema *model.Schema // tObject: the input schema it comes from, nil for built objects
	// seq marks a path result that went through an array: by JSONata's
	// singleton rule it is one such value or an array of them.
	seq  bool
	desc string // the input path it comes from, for messages; "" when computed
}

var anyType = &typ{kind: tAny}

func fromSchema(s *model.Schema, desc string) *typ {
	if s == nil {
		return &typ{kind: tAny, desc: desc}
	}
	t := &typ{desc: desc}
	switch s.Kind {
	case model.KindString:
		t.kind = tString
	case model.KindInteger, model.KindNumber:
		t.kind = tNumber
	case model.KindBoolean:
		t.kind = tBoolean
	case model.KindArray:
		t.kind, t.items = tArray, fromSchema(s.Items, desc+"[]")
	case model.KindObject:
		t.kind, t.schema = tObject, s
	}
	return t
}

// what describes t for messages: `"emails" (an array)`.
func (t *typ) what() string {
	if t.desc == "" {
		return kindNames[t.kind]
	}
	return strconv.Quote(t.desc) + " (" + kindNames[t.kind] + ")"
}

// Check type-checks e against in, the schema of the input document, and
// out, the schema its result must fit (nil when anything goes). It reports
// only what is certainly wrong whatever the input: a field the input
// schema does not have, an index on what is not an array, a function
// called with the wrong number of arguments or a clearly wrong kind of
// argument, and an output object key or value that the output schema
// rules out. Errors are sorted by position.
func Check(e *Expr, in, out *model.Schema) []*Error { return CheckInput(e, in, "the input", out) }

// CheckInput is Check with a name for the input document in messages,
// such as "the query parameters".
func CheckInput(e *Expr, in *model.Schema, inName string, out *model.Schema) []*Error {
	c := &checker{types: map[*Expr]*typ{}, inName: inName}
	root := fromSchema(in, "")
	c.infer(e, root, root)
	c.fit(e, out, "")
	slices.SortStableFunc(c.errs, func(a, b *Error) int { return cmp.Compare(a.Offset, b.Offset) })
	return c.errs
}

type checker struct {
	inName string // the input document, for messages
	errs   []*Error
	types  map[*Expr]*typ    // every expression's inferred type, for fit
	vars   []map[string]*typ // lambda parameters in scope, innermost last
}

func (c *checker) errorf(p Pos, format string, args ...any) {
	c.errs = append(c.errs, errorAt(p, format, args...))
}

func (c *checker) lookup(name string) *typ {
	for i := len(c.vars) - 1; i >= 0; i-- {
		if t, ok := c.vars[i][name]; ok {
			return t
		}
	}
	return anyType
}

// infer returns e's type in the context ctx ($) with the document root.
func (c *checker) infer(e *Expr, ctx, root *typ) *typ {
	t := c.inferKind(e, ctx, root)
	c.types[e] = t
	return t
}

func (c *checker) inferKind(e *Expr, ctx, root *typ) *typ {
	switch e.Kind {
	case Null:
		return &typ{kind: tNull}
	case Boolean:
		return &typ{kind: tBoolean}
	case Number:
		return &typ{kind: tNumber}
	case String:
		return &typ{kind: tString}
	case Context:
		return ctx
	case Root:
		return root
	case Var:
		return c.lookup(e.Str)
	case Path:
		return c.path(e, ctx, root)
	case Index:
		return c.index(e, c.infer(e.Args[0], ctx, root))
	case Object:
		for _, v := range e.Args {
			c.infer(v, ctx, root)
		}
		return &typ{kind: tObject}
	case Array:
		for _, v := range e.Args {
			c.infer(v, ctx, root)
		}
		return &typ{kind: tArray}
	case Cond:
		c.infer(e.Args[0], ctx, root)
		then := c.infer(e.Args[1], ctx, root)
		if len(e.Args) == 2 {
			return then
		}
		if els := c.infer(e.Args[2], ctx, root); els.kind != then.kind {
			return anyType
		}
		return &typ{kind: then.kind}
	case Binary:
		return c.binary(e, ctx, root)
	case Negate:
		c.number(e.Args[0], c.infer(e.Args[0], ctx, root), "the operand of unary -")
		return &typ{kind: tNumber}
	case Call:
		return c.call(e, ctx, root)
	case Lambda:
		c.errorf(e.Pos, "a function definition is only supported as the second argument of $map")
		return anyType
	}
	panic(fmt.Sprintf("mapping: unknown expression kind %d", e.Kind))
}

// path follows the steps of a path through the input schema.
func (c *checker) path(e *Expr, ctx, root *typ) *typ {
	var cur *typ
	for i, s := range e.Args {
		if i == 0 && !isNameStep(s) {
			cur = c.infer(s, ctx, root)
			continue
		}
		if i == 0 {
			cur = ctx
		}
		cur = c.step(s, flatten(cur), ctx, root)
		c.types[s] = cur
	}
	return cur
}

// isNameStep reports a field name, indexed any number of times (a[0][1]).
func isNameStep(s *Expr) bool {
	for s.Kind == Index {
		s = s.Args[0]
	}
	return s.Kind == Name
}

// flatten is what a path step sees of the previous step's result: the
// items of an array, one at a time.
func flatten(t *typ) *typ {
	if t.kind == tAny && !t.seq {
		// It may be an array: what a step makes of it may be several.
		u := *t
		u.seq = true
		return &u
	}
	if t.kind != tArray {
		return t
	}
	if t.items == nil {
		return &typ{kind: tAny, seq: true}
	}
	it := *t.items
	it.seq = true
	return &it
}

// step applies a field name, an object constructor, or an index of either
// to each item of type cur.
func (c *checker) step(s *Expr, cur, ctx, root *typ) *typ {
	switch s.Kind {
	case Name:
		return c.field(s, cur)
	case Index:
		// The index applies to each item's value, one at a time.
		item := *cur
		item.seq = false
		inner := c.step(s.Args[0], &item, ctx, root)
		t := c.index(s, inner)
		t.seq = t.seq || cur.seq
		return t
	case Object:
		item := *cur
		item.seq = false
		c.infer(s, &item, root)
		return &typ{kind: tObject, seq: cur.seq}
	}
	panic(fmt.Sprintf("mapping: unexpected path step kind %d", s.Kind))
}

// field is the type of field s of a value of type cur.
func (c *checker) field(s *Expr, cur *typ) *typ {
	desc := s.Str
	if cur.desc != "" {
		desc = cur.desc + "." + s.Str
	}
	switch cur.kind {
	case tString, tNumber, tBoolean:
		c.errorf(s.Pos, "field %q of %s: a %s has no fields", s.Str, cur.what(), strings.TrimPrefix(strings.TrimPrefix(kindNames[cur.kind], "a "), "an "))
	case tArray:
		return c.field(s, flatten(cur))
	case tObject:
		sch := cur.schema
		if sch == nil {
			break
		}
		if i := slices.IndexFunc(sch.Properties, func(p model.Property) bool { return p.Name == s.Str }); i >= 0 {
			t := fromSchema(sch.Properties[i].Schema, desc)
			t.seq = cur.seq
			return t
		}
		if !sch.Free {
			where := c.inName
			if cur.desc != "" {
				where = strconv.Quote(cur.desc)
			}
			c.errorf(s.Pos, "%s has no field %q%s", where, s.Str, suggestField(s.Str, sch.Properties))
		}
	}
	return &typ{kind: tAny, seq: cur.seq, desc: desc}
}

// suggestField is "; did you mean "x"?" or the list of the fields there are.
func suggestField(name string, props []model.Property) string {
	names := make([]string, len(props))
	for i, p := range props {
		names[i] = p.Name
	}
	if m := diag.Nearest(name, names); m != "" {
		return "; did you mean " + strconv.Quote(m) + "?"
	}
	if len(names) == 0 {
		return " (it has no fields)"
	}
	return " (it has " + strings.Join(names, ", ") + ")"
}

// index is the type of t[i].
func (c *checker) index(e *Expr, t *typ) *typ {
	switch {
	case t.kind == tArray:
		if t.items == nil {
			return anyType
		}
		it := *t.items
		return &it
	case t.kind == tAny || t.kind == tNull || t.seq:
		return &typ{kind: t.kind, schema: t.schema, desc: t.desc}
	}
	c.errorf(e.Pos, "[%d] indexes %s, which is not an array", e.Int, t.what())
	return anyType
}

func (c *checker) binary(e *Expr, ctx, root *typ) *typ {
	l, r := c.infer(e.Args[0], ctx, root), c.infer(e.Args[1], ctx, root)
	switch e.Str {
	case "+", "-", "*", "/":
		c.number(e.Args[0], l, "the left side of "+e.Str)
		c.number(e.Args[1], r, "the right side of "+e.Str)
		return &typ{kind: tNumber}
	case "&":
		return &typ{kind: tString}
	case "<", "<=", ">", ">=":
		for i, t := range []*typ{l, r} {
			if t.kind == tBoolean || t.kind == tObject || t.kind == tArray && !t.seq {
				c.errorf(e.Args[i].Pos, "%s of %s must be a number or a string, found %s", [2]string{"the left side", "the right side"}[i], e.Str, t.what())
			}
		}
		if (l.kind == tString && r.kind == tNumber) || (l.kind == tNumber && r.kind == tString) {
			c.errorf(e.Pos, "%s compares %s with %s; convert one side with $string(...) or $number(...)", e.Str, l.what(), r.what())
		}
	}
	return &typ{kind: tBoolean}
}

// number reports an operand that is certainly not a number.
func (c *checker) number(e *Expr, t *typ, what string) {
	if t.kind == tString || t.kind == tBoolean || t.kind == tObject || t.kind == tArray && !t.seq {
		hint := ""
		if t.kind == tString {
			hint = "; convert it with $number(...), or join strings with &"
		}
		c.errorf(e.Pos, "%s must be a number, found %s%s", what, t.what(), hint)
	}
}

func (c *checker) call(e *Expr, ctx, root *typ) *typ {
	f := functions[e.Str]
	if n, lo := len(e.Args), len(f.params)-f.optional; n < lo || n > len(f.params) {
		want := strconv.Itoa(lo)
		if f.optional > 0 {
			want += " or " + strconv.Itoa(len(f.params))
		}
		plural := "s"
		if want == "1" {
			plural = ""
		}
		c.errorf(e.Pos, "$%s takes %s argument%s (%s), found %d", e.Str, want, plural, f.sig, n)
	}
	args := make([]*typ, len(e.Args))
	for i, a := range e.Args {
		if a.Kind == Lambda {
			continue // typed below, with its parameters bound
		}
		args[i] = c.infer(a, ctx, root)
		if i < len(f.params) {
			c.argument(e, i, a, args[i], f.params[i])
		}
	}
	if e.Str != "map" {
		return &typ{kind: f.result}
	}
	if len(e.Args) < 2 || e.Args[1].Kind != Lambda {
		if len(e.Args) == 2 {
			c.errorf(e.Args[1].Pos, "the second argument of $map must be a function, as in function($v) { ... }")
		}
		return anyType
	}
	if e.Args[0].Kind == Lambda {
		c.errorf(e.Args[0].Pos, "the first argument of $map must be the array to map, not a function")
		return anyType
	}
	return c.lambda(e.Args[1], args[0], ctx, root)
}

// lambda binds $map's function parameters (the item, then its index) and
// returns the type of the body, which $map collects by the singleton rule.
func (c *checker) lambda(l *Expr, array, ctx, root *typ) *typ {
	if len(l.Params) == 0 || len(l.Params) > 2 {
		c.errorf(l.Pos, "the function given to $map takes 1 or 2 parameters (the item, then its index), found %d", len(l.Params))
	}
	item := flatten(array)
	it := *item
	it.seq = false
	scope := map[string]*typ{}
	for i, p := range l.Params {
		switch i {
		case 0:
			scope[p] = &it
		case 1:
			scope[p] = &typ{kind: tNumber}
		default:
			scope[p] = anyType
		}
	}
	c.vars = append(c.vars, scope)
	body := c.infer(l.Args[0], ctx, root)
	c.vars = c.vars[:len(c.vars)-1]
	c.types[l] = body
	res := *body
	res.seq = true
	return &res
}

// argument reports an argument of a clearly wrong kind.
func (c *checker) argument(call *Expr, i int, a *Expr, t *typ, want argKind) {
	bad := false
	what := ""
	items := func() tkind {
		if t.kind == tArray && t.items != nil {
			return t.items.kind
		}
		return tAny
	}
	switch want {
	case argString:
		bad, what = t.kind == tNumber || t.kind == tBoolean || t.kind == tObject || t.kind == tArray && !t.seq, "a string"
	case argNumber:
		bad, what = t.kind == tString || t.kind == tBoolean || t.kind == tObject || t.kind == tArray && !t.seq, "a number"
	case argScalar:
		bad, what = t.kind == tObject || t.kind == tArray && !t.seq, "a string, a number or a boolean"
	case argStrings:
		k := items()
		bad, what = t.kind == tNumber || t.kind == tBoolean || t.kind == tObject || k == tNumber || k == tBoolean || k == tObject, "an array of strings"
	case argObjects:
		k := items()
		bad, what = t.kind == tString || t.kind == tNumber || t.kind == tBoolean || k == tString || k == tNumber || k == tBoolean, "an object or an array of objects"
	}
	if !bad {
		return
	}
	hint := ""
	if want == argString && t.kind == tNumber {
		hint = "; convert it with $string(...)"
	}
	c.errorf(a.Pos, "argument %d of $%s must be %s, found %s%s", i+1, call.Str, what, t.what(), hint)
}

// fit reports what in e certainly does not fit the output schema out:
// object keys it does not have, and values of a contradicting kind.
func (c *checker) fit(e *Expr, out *model.Schema, where string) {
	if out == nil || out.Kind == model.KindAny {
		return
	}
	switch e.Kind {
	case Object:
		if out.Kind != model.KindObject {
			c.errorf(e.Pos, "this builds an object, but %s is %s", describeOut(where), schemaKind(out))
			return
		}
		for i, k := range e.Keys {
			j := slices.IndexFunc(out.Properties, func(p model.Property) bool { return p.Name == k.Name })
			if j < 0 {
				if !out.Free {
					c.errorf(k.Pos, "%s has no field %q%s", describeOut(where), k.Name, suggestField(k.Name, out.Properties))
				}
				continue
			}
			c.fit(e.Args[i], out.Properties[j].Schema, joinPath(where, k.Name))
		}
		return
	case Array:
		if out.Kind != model.KindArray {
			c.errorf(e.Pos, "this builds an array, but %s is %s", describeOut(where), schemaKind(out))
			return
		}
		for _, it := range e.Args {
			if t := c.types[it]; it.Kind == Array || t != nil && t.kind != tArray && !t.seq {
				c.fit(it, out.Items, where+"[]")
			}
		}
		return
	case Cond:
		for _, b := range e.Args[1:] {
			c.fit(b, out, where)
		}
		return
	case Call:
		if e.Str == "map" && len(e.Args) == 2 && e.Args[1].Kind == Lambda {
			// The singleton rule makes one result a single value, so the
			// body must fit the items of an array field, or the field itself.
			if out.Kind == model.KindArray {
				c.fit(e.Args[1].Args[0], out.Items, where+"[]")
			} else {
				c.fit(e.Args[1].Args[0], out, where)
			}
			return
		}
	}
	t := c.types[e]
	if t == nil || !contradicts(t, out) {
		return
	}
	hint := ""
	switch {
	case t.kind == tNumber && out.Kind == model.KindString:
		hint = "; convert it with $string(...)"
	case t.kind == tString && (out.Kind == model.KindNumber || out.Kind == model.KindInteger):
		hint = "; convert it with $number(...)"
	}
	c.errorf(e.Pos, "this is %s, but %s is %s%s", t.what(), describeOut(where), schemaKind(out), hint)
}

// contradicts reports a value of type t that can never be valid where out
// is expected. Null is left alone: the model does not say what is nullable.
func contradicts(t *typ, out *model.Schema) bool {
	k := t.kind
	if k == tAny || k == tNull {
		return false
	}
	if out.Kind == model.KindArray {
		if k == tArray || !t.seq {
			return k != tArray
		}
		return out.Items != nil && contradicts(&typ{kind: k}, out.Items)
	}
	if k == tArray {
		return !t.seq
	}
	want := map[model.JSONKind]tkind{
		model.KindString: tString, model.KindInteger: tNumber, model.KindNumber: tNumber,
		model.KindBoolean: tBoolean, model.KindObject: tObject,
	}[out.Kind]
	return k != want
}

func describeOut(where string) string {
	if where == "" {
		return "the output"
	}
	return "the output field " + strconv.Quote(where)
}

func joinPath(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func schemaKind(s *model.Schema) string {
	return map[model.JSONKind]string{
		model.KindString: "a string", model.KindInteger: "an integer", model.KindNumber: "a number",
		model.KindBoolean: "a boolean", model.KindArray: "an array", model.KindObject: "an object",
	}[s.Kind]
}
