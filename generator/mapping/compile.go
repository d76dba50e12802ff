package mapping

import (
	"fmt"
	"strconv"

	"github.com/dave/jennifer/jen"
)

// runtimePath is the package compiled code calls.
const runtimePath = "github.com/unifiedgen/unifiedgen/runtime/mapping"

// Compile emits e, which Check accepted, as the Go function
//
//	func funcName(in any) (any, error)
//
// over a decoded JSON document. The result is mapping.Undefined when the
// expression has no value (test it with mapping.IsUndefined); the error is
// a *mapping.Error for JSONata's dynamic type errors ("a" + 1). A second
// result instead of a bare `any` because those errors depend on the input
// and the caller must be able to answer them; they travel as a panic
// inside, so that every sub-expression stays one nested Go expression.
//
// Compile panics on an expression Check rejects (a generator bug).
func Compile(e *Expr, funcName string) jen.Code {
	c := &compiler{}
	body := c.expr(e, scope{ctx: jen.Id("in")})
	return jen.Func().Id(funcName).Params(jen.Id("in").Any()).Params(jen.Id("out").Any(), jen.Err().Error()).Block(
		jen.Defer().Qual(runtimePath, "Recover").Call(jen.Op("&").Err()),
		jen.Return(body, jen.Nil()),
	)
}

type compiler struct {
	items int // closures over path items emitted so far, for unique names
}

// scope is what names mean where an expression is compiled: the Go
// expression holding the context $, and the Go names of the lambda
// parameters in scope.
type scope struct {
	ctx  jen.Code
	vars map[string]string
}

func (s scope) withVars(names map[string]string) scope {
	vars := make(map[string]string, len(s.vars)+len(names))
	for k, v := range s.vars {
		vars[k] = v
	}
	for k, v := range names {
		vars[k] = v
	}
	return scope{ctx: s.ctx, vars: vars}
}

func rt(name string) *jen.Statement { return jen.Qual(runtimePath, name) }

// expr compiles e to a Go expression of type any (or bool, string or a
// map or slice, which convert to any wherever they are used).
func (c *compiler) expr(e *Expr, s scope) jen.Code {
	switch e.Kind {
	case Null:
		return jen.Nil()
	case Boolean:
		return jen.Lit(e.Bool)
	case Number:
		return jen.Lit(e.Num)
	case String:
		return jen.Lit(e.Str)
	case Context:
		return s.ctx
	case Root:
		return jen.Id("in")
	case Var:
		return jen.Id(s.vars[e.Str])
	case Path:
		return c.path(e, s)
	case Index:
		return rt("Index").Call(c.expr(e.Args[0], s), jen.Lit(e.Int))
	case Object:
		return c.object(e, s)
	case Array:
		items := make([]jen.Code, len(e.Args))
		for i, it := range e.Args {
			d := jen.Dict{jen.Id("Value"): c.expr(it, s)}
			if it.Kind == Array {
				d[jen.Id("Nested")] = jen.True()
			}
			items[i] = rt("Element").Values(d)
		}
		return rt("Array").Call(items...)
	case Cond:
		els := jen.Code(rt("Undefined"))
		if len(e.Args) == 3 {
			els = c.expr(e.Args[2], s)
		}
		return jen.Func().Params().Any().Block(
			jen.If(c.cond(e.Args[0], s)).Block(jen.Return(c.expr(e.Args[1], s))),
			jen.Return(els),
		).Call()
	case Binary:
		return c.binary(e, s)
	case Negate:
		return rt("Negate").Call(c.expr(e.Args[0], s))
	case Call:
		return c.call(e, s)
	}
	panic(fmt.Sprintf("mapping: cannot compile expression kind %d (was it checked?)", e.Kind))
}

// cond compiles e to a Go bool, JSONata's truthiness of its value.
func (c *compiler) cond(e *Expr, s scope) jen.Code {
	if e.Kind != Binary {
		return rt("Truthy").Call(c.expr(e, s))
	}
	switch e.Str {
	case "and", "or":
		op := map[string]string{"and": "&&", "or": "||"}[e.Str]
		return jen.Parens(jen.Add(c.cond(e.Args[0], s)).Op(op).Add(c.cond(e.Args[1], s)))
	case "=", "!=":
		fn := map[string]string{"=": "Equal", "!=": "NotEqual"}[e.Str]
		return rt(fn).Call(c.expr(e.Args[0], s), c.expr(e.Args[1], s))
	}
	return rt("Truthy").Call(c.expr(e, s))
}

func (c *compiler) binary(e *Expr, s scope) jen.Code {
	switch e.Str {
	case "and", "or", "=", "!=":
		return c.cond(e, s)
	case "<", "<=", ">", ">=":
		fn := map[string]string{"<": "Less", "<=": "LessEqual", ">": "Greater", ">=": "GreaterEqual"}[e.Str]
		return rt(fn).Call(c.expr(e.Args[0], s), c.expr(e.Args[1], s))
	case "&":
		var parts []jen.Code
		c.concatParts(e, s, &parts)
		return rt("Concat").Call(parts...)
	}
	fn := map[string]string{"+": "Add", "-": "Subtract", "*": "Multiply", "/": "Divide"}[e.Str]
	return rt(fn).Call(c.expr(e.Args[0], s), c.expr(e.Args[1], s))
}

// concatParts flattens a chain of & into one call: a & " " & b builds one
// string, not two.
func (c *compiler) concatParts(e *Expr, s scope, parts *[]jen.Code) {
	if e.Kind == Binary && e.Str == "&" {
		c.concatParts(e.Args[0], s, parts)
		c.concatParts(e.Args[1], s, parts)
		return
	}
	*parts = append(*parts, c.expr(e, s))
}

func (c *compiler) object(e *Expr, s scope) jen.Code {
	pairs := make([]jen.Code, len(e.Keys))
	for i, k := range e.Keys {
		pairs[i] = rt("Pair").Values(jen.Dict{jen.Id("Key"): jen.Lit(k.Name), jen.Id("Value"): c.expr(e.Args[i], s)})
	}
	return rt("Object").Call(pairs...)
}

// path compiles a path: a start, each step over every item, and the
// singleton rule at the end. A path that begins with a field name starts at
// the context as one item, even an array (JSONata wraps an array input
// rather than iterating it, so that name[0] over [{"name": "A"}, {"name":
// "B"}] is "A"); one that begins with a value starts at its items.
func (c *compiler) path(e *Expr, s scope) jen.Code {
	steps := e.Args
	var cur jen.Code
	if isNameStep(steps[0]) {
		cur = rt("Item").Call(s.ctx)
	} else {
		cur = rt("Start").Call(c.expr(steps[0], s))
		steps = steps[1:]
	}
	for i, st := range steps {
		last := jen.Lit(i == len(steps)-1)
		switch {
		case st.Kind == Name:
			cur = rt("Step").Call(cur, jen.Lit(st.Str), last)
		case st.Kind == Index && st.Args[0].Kind == Name:
			cur = rt("StepIndex").Call(cur, jen.Lit(st.Args[0].Str), jen.Lit(st.Int), last)
		default:
			c.items++
			item := "item" + strconv.Itoa(c.items)
			f := jen.Func().Params(jen.Id(item).Any()).Any().Block(jen.Return(c.itemStep(st, jen.Id(item), s)))
			cur = rt("StepEach").Call(cur, f, last)
		}
	}
	return rt("Collapse").Call(cur)
}

// itemStep is the step st applied to one item.
func (c *compiler) itemStep(st *Expr, item jen.Code, s scope) jen.Code {
	switch st.Kind {
	case Name:
		return rt("Field").Call(item, jen.Lit(st.Str))
	case Index:
		return rt("Index").Call(c.itemStep(st.Args[0], item, s), jen.Lit(st.Int))
	case Object:
		return c.object(st, scope{ctx: item, vars: s.vars})
	}
	panic(fmt.Sprintf("mapping: unexpected path step kind %d", st.Kind))
}

func (c *compiler) call(e *Expr, s scope) jen.Code {
	f := functions[e.Str]
	if e.Str == "map" {
		return c.mapCall(e, s)
	}
	args := make([]jen.Code, len(f.params))
	for i := range f.params {
		if i < len(e.Args) {
			args[i] = c.expr(e.Args[i], s)
		} else {
			args[i] = rt("Undefined") // an optional argument left out
		}
	}
	return rt(f.helper).Call(args...)
}

// mapCall compiles $map(array, function($v[, $i]) { body }) to a call
// with a Go function literal.
func (c *compiler) mapCall(e *Expr, s scope) jen.Code {
	l := e.Args[1]
	names := map[string]string{}
	params := make([]jen.Code, len(l.Params))
	for i, p := range l.Params {
		names[p] = "v_" + p
		params[i] = jen.Id(names[p])
	}
	fn := "Map"
	if len(params) == 2 {
		fn = "MapIndexed"
	}
	body := c.expr(l.Args[0], s.withVars(names))
	return rt(fn).Call(c.expr(e.Args[0], s), jen.Func().Params(jen.List(params...).Any()).Any().Block(jen.Return(body)))
}
