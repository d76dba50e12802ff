// Package bind emits the HTTP layer in front of oapi-codegen's
// ServerInterface: a route per operation on a Go 1.22 ServeMux, and binders
// that read path and query parameters (in every encoding internal clients
// send, parsed by runtime/qs) into the generated Params types, checking
// each against its schema and reporting every failure at once.
package bind

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/emit/gotypes"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the output this package owns.
const FileName = "bind.gen.go"

const (
	valPkg = "github.com/unifiedgen/unifiedgen/runtime/validation"
	qsPkg  = "github.com/unifiedgen/unifiedgen/runtime/qs"
)

type emitter struct {
	idx     *gotypes.Index
	f       *jen.File
	done    map[string]bool
	queue   []job
	allowed map[string]bool
}

type job struct {
	typ    string
	schema *model.Schema
}

// Emit renders Routes and a Bind<Op>Params function per operation with
// query parameters.
func Emit(api *model.API, idx *gotypes.Index, pkg, specName string) (emit.File, error) {
	e := &emitter{idx: idx, f: jen.NewFile(pkg), done: map[string]bool{}, allowed: map[string]bool{}}
	e.f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	e.f.ImportName(valPkg, "validation")
	e.f.ImportName(qsPkg, "qs")
	si, ok := idx.Type("ServerInterface")
	if !ok || si.Methods == nil {
		return emit.File{}, fmt.Errorf("oapi-codegen emitted no ServerInterface")
	}
	var routes []jen.Code
	for _, op := range api.Operations {
		r, err := e.operation(op, si)
		if err != nil {
			return emit.File{}, fmt.Errorf("operation %s: %w", op.ID, err)
		}
		routes = append(routes, r...)
	}
	for len(e.queue) > 0 {
		j := e.queue[0]
		e.queue = e.queue[1:]
		if err := e.object(j.typ, j.schema); err != nil {
			return emit.File{}, err
		}
	}
	for _, line := range emit.Wrap("Routes registers every operation of the spec on mux. Each route binds the path and query parameters with the generated binders (accepting a[]=x, a[0]=x, a[0][k]=x and repeated keys) and checks them against their schemas; a request whose parameters fail gets onError with every failure, the others reach si.") {
		e.f.Comment(line)
	}
	e.f.Func().Id("Routes").Params(
		jen.Id("mux").Op("*").Qual("net/http", "ServeMux"),
		jen.Id("si").Id("ServerInterface"),
		jen.Id("onError").Func().Params(jen.Qual("net/http", "ResponseWriter"), jen.Op("*").Qual("net/http", "Request"), jen.Op("*").Qual(valPkg, "Report")),
	).Block(routes...)
	return emit.Render(FileName, e.f)
}

func (e *emitter) operation(op model.Operation, si *gotypes.Type) ([]jen.Code, error) {
	goOp := codegen.ToCamelCase(op.ID)
	sig, ok := si.Methods[goOp]
	if !ok || len(sig) < 2 {
		return nil, fmt.Errorf("ServerInterface has no method %s", goOp)
	}
	sig = sig[2:] // after w and r
	if len(op.PathParams) == 0 && len(op.Query) == 0 {
		return []jen.Code{jen.Id("mux").Dot("HandleFunc").Call(jen.Lit(op.HTTPMethod+" "+op.Path), jen.Id("si").Dot(goOp))}, nil
	}
	var body []jen.Code
	body = append(body, jen.Var().Id("rep").Qual(valPkg, "Report"))
	var args []jen.Code
	for i, p := range op.PathParams {
		if i >= len(sig) {
			return nil, fmt.Errorf("ServerInterface.%s takes fewer path parameters than the spec declares", goOp)
		}
		v := jen.Id("p" + codegen.ToCamelCase(p.Name))
		body = append(body, jen.Var().Add(v.Clone()).Add(typeCode(sig[i])))
		pp := jen.Id("pp").Op(":=").Qual(valPkg, "PathParam").Call(jen.Op("&").Id("rep"), jen.Lit(p.Name))
		stmts, err := e.value(v, sig[i], p.Schema, jen.Id("pp"), jen.Qual(qsPkg, "Text").Call(jen.Id("r").Dot("PathValue").Call(jen.Lit(p.Name))), 0)
		if err != nil {
			return nil, fmt.Errorf("path parameter %s: %w", p.Name, err)
		}
		body = append(body, jen.Block(append([]jen.Code{pp}, stmts...)...))
		args = append(args, v)
	}
	params := goOp + "Params"
	if len(op.Query) > 0 {
		if err := e.binder(op, params); err != nil {
			return nil, err
		}
		body = append(body,
			jen.Var().Id("params").Id(params),
			jen.If(jen.List(jen.Id("q"), jen.Id("ok")).Op(":=").Qual(valPkg, "ParseQuery").Call(jen.Id("r").Dot("URL").Dot("RawQuery"), jen.Op("&").Id("rep")), jen.Id("ok")).Block(
				jen.Id("Bind"+params).Call(jen.Id("q"), jen.Op("&").Id("params"), jen.Op("&").Id("rep")),
			),
		)
		args = append(args, jen.Id("params"))
	}
	body = append(body,
		jen.If(jen.Op("!").Id("rep").Dot("OK").Call()).Block(
			jen.Id("onError").Call(jen.Id("w"), jen.Id("r"), jen.Op("&").Id("rep")),
			jen.Return(),
		),
		jen.Id("si").Dot(goOp).Call(append([]jen.Code{jen.Id("w"), jen.Id("r")}, args...)...),
	)
	return []jen.Code{jen.Id("mux").Dot("HandleFunc").Call(
		jen.Lit(op.HTTPMethod+" "+op.Path),
		jen.Func().Params(jen.Id("w").Qual("net/http", "ResponseWriter"), jen.Id("r").Op("*").Qual("net/http", "Request")).Block(body...),
	)}, nil
}

// binder emits Bind<Op>Params.
func (e *emitter) binder(op model.Operation, params string) error {
	var stmts []jen.Code
	for _, p := range op.Query {
		fld, err := e.idx.Field(params, p.Name)
		if err != nil {
			return err
		}
		pp := jen.Qual(valPkg, "QueryParam").Call(jen.Id("r"), jen.Lit(p.Name))
		inner, err := e.value(jen.Id("p").Dot(fld.Name), fld.Type, p.Schema, jen.Id("pp"), jen.Id("v"), 0)
		if err != nil {
			return fmt.Errorf("query parameter %s: %w", p.Name, err)
		}
		get := jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("q").Dot("Get").Call(jen.Lit(p.Name)), jen.Id("ok")).Block(
			append([]jen.Code{jen.Id("pp").Op(":=").Add(pp)}, inner...)...,
		)
		if p.Required {
			get = get.Else().Block(pp.Clone().Dot("Missing").Call())
		}
		stmts = append(stmts, get)
	}
	for _, line := range emit.Wrap(fmt.Sprintf("Bind%s reads the query parameters of %s from q into p, checking each against its schema and recording every failure in r. Parameters the operation does not declare are ignored.", params, op.ID)) {
		e.f.Comment(line)
	}
	e.f.Func().Id("Bind"+params).Params(jen.Id("q").Qual(qsPkg, "Values"), jen.Id("p").Op("*").Id(params), jen.Id("r").Op("*").Qual(valPkg, "Report")).Block(stmts...)
	return nil
}

// value emits statements reading v (a qs.Value) of schema s into target of
// Go type t, reporting through pp (a validation.Param).
func (e *emitter) value(target *jen.Statement, t gotypes.Expr, s *model.Schema, pp, v jen.Code, depth int) ([]jen.Code, error) {
	u := e.idx.Underlying(gotypes.Expr{Name: t.Name})
	x := jen.Id(fmt.Sprintf("x%d", depth))
	assign := func(val jen.Code) []jen.Code {
		if t.Ptr {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{y.Clone().Op(":=").Add(val), target.Clone().Op("=").Op("&").Add(y.Clone())}
		}
		return []jen.Code{target.Clone().Op("=").Add(val)}
	}
	conv := func(val jen.Code) jen.Code {
		if t.Slice || t.Map || t.Name == u.Name && !u.Map && !u.Slice {
			return val
		}
		return jen.Id(t.Name).Call(val)
	}
	read := func(method string, args ...jen.Code) jen.Code {
		return jen.List(x.Clone(), jen.Id("ok")).Op(":=").Add(pp).Dot(method).Call(append([]jen.Code{v}, args...)...)
	}
	switch {
	case s.Kind == model.KindArray && s.Items != nil && s.Items.Kind == model.KindObject:
		elem := u.Name
		if t.Slice {
			elem = t.Name
		}
		if _, ok := e.idx.Type(elem); !ok {
			return nil, fmt.Errorf("array of objects without a named Go struct (got %s)", t)
		}
		e.queue = append(e.queue, job{typ: elem, schema: s.Items})
		i, it := jen.Id(fmt.Sprintf("i%d", depth)), jen.Id(fmt.Sprintf("it%d", depth))
		ev := jen.Id(fmt.Sprintf("e%d", depth))
		list := jen.Id(fmt.Sprintf("l%d", depth))
		return []jen.Code{jen.If(jen.List(x.Clone(), jen.Id("ok")).Op(":=").Add(pp).Dot("List").Call(v), jen.Id("ok")).Block(
			list.Clone().Op(":=").Make(jen.Index().Id(elem), jen.Lit(0), jen.Len(x.Clone())),
			jen.For(jen.List(i.Clone(), it.Clone()).Op(":=").Range().Add(x.Clone())).Block(
				jen.Var().Add(ev.Clone()).Id(elem),
				jen.Id("bindQuery"+elem).Call(jen.Add(pp).Dot("Index").Call(i.Clone()), it.Clone(), jen.Op("&").Add(ev.Clone())),
				list.Clone().Op("=").Append(list.Clone(), ev.Clone()),
			),
			jen.Block(assign(conv(list.Clone()))...),
		)}, nil
	case s.Kind == model.KindArray:
		return []jen.Code{jen.If(read("Strings"), jen.Id("ok")).Block(assign(conv(x.Clone()))...)}, nil
	case s.Kind == model.KindObject && len(s.Properties) == 0:
		return []jen.Code{jen.If(read("FreeForm"), jen.Id("ok")).Block(assign(conv(x.Clone()))...)}, nil
	case s.Kind == model.KindObject:
		if _, ok := e.idx.Type(t.Name); !ok {
			return nil, fmt.Errorf("object without a named Go struct (got %s)", t)
		}
		e.queue = append(e.queue, job{typ: t.Name, schema: s})
		if t.Ptr {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{jen.Var().Add(y.Clone()).Id(t.Name), jen.Id("bindQuery"+t.Name).Call(pp, v, jen.Op("&").Add(y.Clone())), target.Clone().Op("=").Op("&").Add(y.Clone())}, nil
		}
		return []jen.Code{jen.Id("bindQuery"+t.Name).Call(pp, v, jen.Op("&").Add(target.Clone()))}, nil
	case s.Kind == model.KindString && u.Name == "openapi_types.UUID":
		return []jen.Code{jen.If(read("UUID"), jen.Id("ok")).Block(assign(x.Clone())...)}, nil
	case s.Kind == model.KindString && len(s.Enum) > 0:
		return []jen.Code{jen.If(read("Enum", jen.Id(e.allowedVar(t.Name, s.Enum))), jen.Id("ok")).Block(assign(conv(x.Clone()))...)}, nil
	case s.Kind == model.KindString:
		cond := jen.Id("ok")
		if s.MinLength > 0 {
			cond = jen.Id("ok").Op("&&").Add(pp).Dot("MinLength").Call(x.Clone(), jen.Lit(s.MinLength))
		}
		return []jen.Code{jen.If(read("String"), cond).Block(assign(conv(x.Clone()))...)}, nil
	case s.Kind == model.KindBoolean:
		return []jen.Code{jen.If(read("Bool"), jen.Id("ok")).Block(assign(conv(x.Clone()))...)}, nil
	case s.Kind == model.KindInteger:
		return []jen.Code{jen.If(read("Int"), jen.Id("ok")).Block(assign(jen.Id(u.Name).Call(x.Clone()))...)}, nil
	case s.Kind == model.KindNumber:
		return []jen.Code{jen.If(read("Float"), jen.Id("ok")).Block(assign(jen.Id(u.Name).Call(x.Clone()))...)}, nil
	}
	return nil, fmt.Errorf("a %s parameter cannot be bound from a query string", s.Kind)
}

// object emits bindQuery<T> for a struct type read from a query object.
func (e *emitter) object(typ string, s *model.Schema) error {
	if e.done[typ] {
		return nil
	}
	e.done[typ] = true
	var cases, after []jen.Code
	for i, p := range s.Properties {
		fld, err := e.idx.Field(typ, p.Name)
		if err != nil {
			return err
		}
		stmts, err := e.value(jen.Id("o").Dot(fld.Name), fld.Type, p.Schema, jen.Id("pp").Dot("At").Call(jen.Lit(p.Name)), jen.Id("v").Dot("Index").Call(jen.Id("i")), 1)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", typ, p.Name, err)
		}
		cases = append(cases, jen.Case(jen.Lit(p.Name)).Block(append([]jen.Code{jen.Id("seen").Index(jen.Lit(i)).Op("=").True()}, stmts...)...))
		if p.Required {
			after = append(after, jen.If(jen.Op("!").Id("seen").Index(jen.Lit(i))).Block(jen.Id("pp").Dot("At").Call(jen.Lit(p.Name)).Dot("Missing").Call()))
		}
	}
	cases = append(cases, jen.Default().Block(jen.Id("pp").Dot("At").Call(jen.Id("v").Dot("Key").Call(jen.Id("i"))).Dot("Unknown").Call()))
	body := []jen.Code{
		jen.If(jen.Op("!").Id("pp").Dot("Object").Call(jen.Id("v"))).Block(jen.Return()),
		jen.Var().Id("seen").Index(jen.Lit(max(len(s.Properties), 1))).Bool(),
		jen.For(jen.Id("i").Op(":=").Range().Id("v").Dot("Len").Call()).Block(
			jen.Switch(jen.Id("v").Dot("Key").Call(jen.Id("i"))).Block(cases...),
		),
	}
	body = append(body, after...)
	e.f.Commentf("bindQuery%s reads one %s from a query object such as p[key]=value.", typ, typ)
	e.f.Func().Id("bindQuery"+typ).Params(jen.Id("pp").Qual(valPkg, "Param"), jen.Id("v").Qual(qsPkg, "Value"), jen.Id("o").Op("*").Id(typ)).Block(body...)
	return nil
}

// allowedVar declares a parameter enum's values once.
func (e *emitter) allowedVar(typ string, values []string) string {
	name := "allowedParam" + codegen.ToCamelCase(typ)
	if typ == "string" {
		name = "allowedParam" + codegen.ToCamelCase(strings.Join(values, "_"))
	}
	if !e.allowed[name] {
		e.allowed[name] = true
		lits := make([]jen.Code, len(values))
		for i, v := range values {
			lits[i] = jen.Lit(v)
		}
		e.f.Commentf("%s lists the values %s allows.", name, typ)
		e.f.Var().Id(name).Op("=").Index().String().Values(lits...)
	}
	return name
}

// typeCode renders a type expression of the generated package.
func typeCode(t gotypes.Expr) jen.Code {
	var c *jen.Statement = jen.Null()
	if t.Ptr {
		c = c.Op("*")
	}
	switch {
	case t.Slice:
		c = c.Index()
	case t.Map:
		c = c.Map(jen.String())
	}
	if i := strings.IndexByte(t.Name, '.'); i > 0 {
		return c.Qual(t.Name[:i], t.Name[i+1:])
	}
	return c.Id(t.Name)
}
