// Package bind emits, per operation, the struct of its query parameters and
// the binder that reads a query string (in every encoding clients send,
// parsed by runtime/qs) into it, checking each parameter against its
// schema and reporting every failure at once.
package bind

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the output this package owns.
const FileName = "bind.gen.go"

const (
	valPkg = "github.com/unifiedgen/unifiedgen/runtime/validation"
	qsPkg  = "github.com/unifiedgen/unifiedgen/runtime/qs"
)

type emitter struct {
	api     *model.API
	f       *jen.File
	done    map[string]bool
	queue   []*model.Schema
	allowed map[string]bool
}

// Emit renders, per operation, its Params struct and the function binding
// a query string into it.
func Emit(api *model.API, pkg, specName string) (emit.File, error) {
	e := &emitter{api: api, f: jen.NewFile(pkg), done: map[string]bool{}, allowed: map[string]bool{}}
	e.f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	e.f.ImportName(valPkg, "validation")
	e.f.ImportName(qsPkg, "qs")
	for _, op := range api.Operations {
		if err := e.binder(op); err != nil {
			return emit.File{}, fmt.Errorf("operation %s: %w", op.ID, err)
		}
	}
	for len(e.queue) > 0 {
		s := e.queue[0]
		e.queue = e.queue[1:]
		if err := e.object(s); err != nil {
			return emit.File{}, err
		}
	}
	return emit.Render(FileName, e.f)
}

// binder emits the Params struct of op and its binder.
func (e *emitter) binder(op model.Operation) error {
	var fields, stmts []jen.Code
	for _, p := range op.Query {
		t := model.ParamGoType(p)
		if p.Description != "" {
			for _, line := range emit.Wrap(p.GoName + ": " + p.Description) {
				fields = append(fields, jen.Comment(line))
			}
		}
		fields = append(fields, jen.Id(p.GoName).Add(emit.Type(t)))
		pp := jen.Qual(valPkg, "QueryParam").Call(jen.Id("r"), jen.Lit(p.Name))
		inner, err := e.value(jen.Id("p").Dot(p.GoName), t, p.Schema, jen.Id("pp"), jen.Id("v"), model.AllowedVar(op.ParamsType()+p.GoName), 0)
		if err != nil {
			return fmt.Errorf("query parameter %s: %w", p.Name, err)
		}
		get := jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("q").Dot("Get").Call(jen.Lit(p.Name)), jen.Id("ok")).Block(
			append([]jen.Code{jen.Id("pp").Op(":=").Add(pp)}, inner...)...,
		)
		if p.Required {
			get = get.Else().Block(pp.Clone().Dot("Missing").Call())
		} else if op.AppliesDefault(p) {
			set, err := defaultValue(jen.Id("p").Dot(p.GoName), t, p.Schema)
			if err != nil {
				return fmt.Errorf("query parameter %s: %w", p.Name, err)
			}
			get = get.Else().Block(set...)
		}
		stmts = append(stmts, get)
	}
	e.f.Commentf("%s are the query parameters of %s, as bound.", op.ParamsType(), op.ID)
	e.f.Type().Id(op.ParamsType()).Struct(fields...)
	for _, line := range emit.Wrap(fmt.Sprintf("%s reads the query parameters of %s from q into p, checking each against its schema and recording every failure in r. Parameters the operation does not declare are left to the caller.", op.BindFunc(), op.ID)) {
		e.f.Comment(line)
	}
	e.f.Func().Id(op.BindFunc()).Params(jen.Id("q").Qual(qsPkg, "Values"), jen.Id("p").Op("*").Id(op.ParamsType()), jen.Id("r").Op("*").Qual(valPkg, "Report")).Block(stmts...)
	return nil
}

// value emits statements reading v (a qs.Value) of schema s into target of
// Go type t, reporting through pp (a validation.Param). allowed names the
// variable listing an inline enum's values.
func (e *emitter) value(target *jen.Statement, t model.GoType, s *model.Schema, pp, v jen.Code, allowed string, depth int) ([]jen.Code, error) {
	x := jen.Id(fmt.Sprintf("x%d", depth))
	assign := func(val jen.Code) []jen.Code {
		if t.Ptr {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{y.Clone().Op(":=").Add(val), target.Clone().Op("=").Op("&").Add(y.Clone())}
		}
		return []jen.Code{target.Clone().Op("=").Add(val)}
	}
	conv := func(val jen.Code) jen.Code { return emit.Conv(t, val) }
	// checked is the schema's checks on x (emit.Checks), then set.
	checked := func(set ...jen.Code) []jen.Code {
		return append(emit.Checks(pp, x.Clone(), s, e.api.PatternVar), set...)
	}
	read := func(method string, args ...jen.Code) jen.Code {
		return jen.List(x.Clone(), jen.Id("ok")).Op(":=").Add(pp).Dot(method).Call(append([]jen.Code{v}, args...)...)
	}
	switch model.QueryReadOf(s) {
	case model.QueryObjects:
		elem := s.Items
		e.queue = append(e.queue, elem)
		i, it := jen.Id(fmt.Sprintf("i%d", depth)), jen.Id(fmt.Sprintf("it%d", depth))
		ev := jen.Id(fmt.Sprintf("e%d", depth))
		list := jen.Id(fmt.Sprintf("l%d", depth))
		return []jen.Code{jen.If(jen.List(x.Clone(), jen.Id("ok")).Op(":=").Add(pp).Dot("List").Call(v), jen.Id("ok")).Block(append([]jen.Code{
			list.Clone().Op(":=").Make(jen.Index().Id(elem.GoName), jen.Lit(0), jen.Len(x.Clone())),
			jen.For(jen.List(i.Clone(), it.Clone()).Op(":=").Range().Add(x.Clone())).Block(
				jen.Var().Add(ev.Clone()).Id(elem.GoName),
				jen.Id(elem.BindQueryFunc()).Call(jen.Add(pp).Dot("Index").Call(i.Clone()), it.Clone(), jen.Op("&").Add(ev.Clone())),
				list.Clone().Op("=").Append(list.Clone(), ev.Clone()),
			),
		}, checked(assign(list.Clone())...)...)...)}, nil
	case model.QueryStrings:
		return []jen.Code{jen.If(read("Strings"), jen.Id("ok")).Block(checked(assign(x.Clone())...)...)}, nil
	case model.QueryList:
		// Each item is read as its schema says, and reported at its
		// index; a failed one stays zero in a request that fails.
		i, it := jen.Id(fmt.Sprintf("i%d", depth)), jen.Id(fmt.Sprintf("it%d", depth))
		list := jen.Id(fmt.Sprintf("l%d", depth))
		read, err := e.value(list.Clone().Index(i.Clone()), *t.Elem, s.Items, jen.Add(pp).Dot("Index").Call(i.Clone()), it.Clone(), allowed, depth+1)
		if err != nil {
			return nil, err
		}
		return []jen.Code{jen.If(jen.List(x.Clone(), jen.Id("ok")).Op(":=").Add(pp).Dot("Items").Call(v), jen.Id("ok")).Block(append([]jen.Code{
			list.Clone().Op(":=").Make(emit.Type(model.GoType{Slice: true, Name: t.Elem.Name, Elem: t.Elem}), jen.Len(x.Clone())),
			jen.For(jen.List(i.Clone(), it.Clone()).Op(":=").Range().Add(x.Clone())).Block(read...),
		}, checked(assign(list.Clone())...)...)...)}, nil
	case model.QueryFreeForm:
		return []jen.Code{jen.If(read("FreeForm"), jen.Id("ok")).Block(assign(conv(x.Clone()))...)}, nil
	case model.QueryObject:
		e.queue = append(e.queue, s)
		if t.Ptr {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{jen.Var().Add(y.Clone()).Id(s.GoName), jen.Id(s.BindQueryFunc()).Call(pp, v, jen.Op("&").Add(y.Clone())), target.Clone().Op("=").Op("&").Add(y.Clone())}, nil
		}
		return []jen.Code{jen.Id(s.BindQueryFunc()).Call(pp, v, jen.Op("&").Add(target.Clone()))}, nil
	case model.QueryUUID:
		return []jen.Code{jen.If(read("UUID"), jen.Id("ok")).Block(assign(x.Clone())...)}, nil
	case model.QueryDateTime:
		return []jen.Code{jen.If(read("DateTime"), jen.Id("ok")).Block(assign(x.Clone())...)}, nil
	case model.QueryDate:
		return []jen.Code{jen.If(read("Date"), jen.Id("ok")).Block(assign(emit.Named(t).Values(jen.Dict{jen.Id("Time"): x.Clone()}))...)}, nil
	case model.QueryEnum:
		if t.Name != "string" {
			// An enum type's values are declared with the decoders.
			allowed = model.AllowedVar(t.Name)
		} else {
			e.allowedVar(allowed, s.Enum)
		}
		return []jen.Code{jen.If(read("Enum", jen.Id(allowed)), jen.Id("ok")).Block(assign(conv(x.Clone()))...)}, nil
	case model.QueryString:
		return []jen.Code{jen.If(read("String"), jen.Id("ok")).Block(checked(assign(conv(x.Clone()))...)...)}, nil
	case model.QueryBool:
		return []jen.Code{jen.If(read("Bool"), jen.Id("ok")).Block(assign(conv(x.Clone()))...)}, nil
	case model.QueryInt:
		return []jen.Code{jen.If(read("Int"), jen.Id("ok")).Block(checked(assign(jen.Id(t.Under).Call(x.Clone()))...)...)}, nil
	case model.QueryFloat:
		return []jen.Code{jen.If(read("Float"), jen.Id("ok")).Block(checked(assign(jen.Id(t.Under).Call(x.Clone()))...)...)}, nil
	}
	// build reports every such schema at its position first.
	return nil, fmt.Errorf("a %s parameter (Go type %s) cannot be read from a query string", s.Kind, t.Name)
}

// defaultValue sets target, of Go type t, to schema s's default: a Go
// literal of t's underlying type (build allows defaults on the kinds
// written here only).
func defaultValue(target *jen.Statement, t model.GoType, s *model.Schema) ([]jen.Code, error) {
	var lit jen.Code
	switch v := s.Default.(type) {
	case string:
		lit = emit.Conv(t, jen.Lit(v))
	case bool:
		lit = jen.Lit(v)
	case float64:
		switch t.Under {
		case "int":
			lit = jen.Lit(int(v))
		case "int32":
			lit = jen.Lit(int32(v))
		case "int64":
			lit = jen.Lit(int64(v))
		case "float32":
			lit = jen.Lit(float32(v))
		default:
			lit = jen.Lit(v)
		}
	default:
		return nil, fmt.Errorf("a default of Go type %T", s.Default)
	}
	if !t.Ptr {
		return []jen.Code{target.Clone().Op("=").Add(lit)}, nil
	}
	return []jen.Code{jen.Id("d").Op(":=").Add(lit), target.Clone().Op("=").Op("&").Id("d")}, nil
}

// object emits the reader of a component from a query object.
func (e *emitter) object(s *model.Schema) error {
	if e.done[s.GoName] {
		return nil
	}
	e.done[s.GoName] = true
	var cases, after []jen.Code
	for i, p := range s.Properties {
		stmts, err := e.value(jen.Id("o").Dot(p.GoName), p.Go, p.Schema, jen.Id("pp").Dot("At").Call(jen.Lit(p.Name)), jen.Id("v").Dot("Index").Call(jen.Id("i")), model.AllowedVar(p.Go.Name), 1)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", s.Name, p.Name, err)
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
	e.f.Commentf("%s reads one %s from a query object such as p[key]=value.", s.BindQueryFunc(), s.Name)
	e.f.Func().Id(s.BindQueryFunc()).Params(jen.Id("pp").Qual(valPkg, "Param"), jen.Id("v").Qual(qsPkg, "Value"), jen.Id("o").Op("*").Id(s.GoName)).Block(body...)
	return nil
}

// allowedVar declares the variable name listing values, once.
func (e *emitter) allowedVar(name string, values []string) {
	if !e.allowed[name] {
		e.allowed[name] = true
		lits := make([]jen.Code, len(values))
		for i, v := range values {
			lits[i] = jen.Lit(v)
		}
		e.f.Commentf("%s lists the values the parameter allows.", name)
		e.f.Var().Id(name).Op("=").Index().String().Values(lits...)
	}
}
