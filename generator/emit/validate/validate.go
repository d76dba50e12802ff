// Package validate emits the per-integration validators: for every operation
// and every integration implementing it, one straight-line function that
// reports each required field and query parameter the request lacks, each
// value outside the integration's enum subset, and drops (and reports) what
// the integration does not support. No reflection and no lookups: the
// matrix is compiled into the code.
//
// validate.gen.go holds each operation's dispatcher, which calls the
// validator of the request's integration; validate.<integration>.gen.go
// holds that integration's validators, so that its rules read in one file,
// and a large spec's validators are formatted on every core at once.
package validate

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/dave/jennifer/jen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the file of the dispatchers; each integration's validators
// are in its model.Integration.ValidateFile.
const FileName = "validate.gen.go"

const valPkg = "github.com/unifiedgen/unifiedgen/runtime/validation"

// Emit renders the validators of every operation in api.
func Emit(api *model.API, pkg, specName string) ([]emit.File, error) {
	newFile := func() *jen.File {
		f := jen.NewFile(pkg)
		f.HeaderComment(fmt.Sprintf(emit.Header, specName))
		f.ImportName(valPkg, "validation")
		return f
	}
	jobs := []func() (emit.File, error){func() (emit.File, error) {
		f := newFile()
		for _, op := range api.Operations {
			dispatcher(f, op)
		}
		return emit.Render(FileName, f)
	}}
	type validation struct {
		op model.Operation
		fn string
	}
	byIntegration := map[string][]validation{}
	for _, op := range api.Operations {
		for _, v := range op.Validators {
			byIntegration[v.Integration] = append(byIntegration[v.Integration], validation{op, v.Func})
		}
	}
	for _, in := range api.Integrations {
		vs := byIntegration[in.ID]
		if len(vs) == 0 {
			continue
		}
		jobs = append(jobs, func() (emit.File, error) {
			f := newFile()
			for _, v := range vs {
				if err := validator(f, v.op, in, v.fn); err != nil {
					return emit.File{}, fmt.Errorf("operation %s, integration %s: %w", v.op.ID, in.ID, err)
				}
			}
			return emit.Render(in.ValidateFile(), f)
		})
	}
	// Formatting is most of the cost; the files format in parallel, at
	// most one per core.
	files := make([]emit.File, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			files[i], errs[i] = job()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// args are the parameters of an operation's dispatcher and validators,
// and the names they are passed on by.
func args(op model.Operation) (params, names []jen.Code) {
	params = []jen.Code{jen.Id("p").Op("*").Id(op.ParamsType())}
	names = []jen.Code{jen.Id("p")}
	if op.Body != nil {
		params = append(params, jen.Id("b").Op("*").Id(op.Body.GoName))
		names = append(names, jen.Id("b"))
	}
	return append(params, jen.Id("r").Op("*").Qual(valPkg, "Report")), append(names, jen.Id("r"))
}

// dispatcher emits op's ValidateFunc, which calls the validator of the
// request's integration.
func dispatcher(f *jen.File, op model.Operation) {
	params, names := args(op)
	var cases []jen.Code
	for _, v := range op.Validators {
		cases = append(cases, jen.Case(jen.Lit(v.Integration)).Block(jen.Id(v.Func).Call(names...)))
	}
	cases = append(cases, jen.Default().Block(jen.Return(jen.False())))
	f.Commentf("%s applies the rules of integration to a decoded %s request,", op.ValidateFunc(), op.ID)
	f.Comment("recording every failure in r and removing from the request (and recording)")
	f.Comment("the fields and query parameters that integration does not support. It")
	f.Commentf("returns false when integration does not implement %s.", op.ID)
	f.Func().Id(op.ValidateFunc()).Params(append([]jen.Code{jen.Id("integration").String()}, params...)...).Bool().Block(
		jen.Switch(jen.Id("integration")).Block(cases...),
		jen.Return(jen.True()),
	)
}

// validator emits fn, the validator of op for integration in.
func validator(f *jen.File, op model.Operation, in model.Integration, fn string) error {
	params, _ := args(op)
	stmts, doc, err := integration(f, op, in)
	if err != nil {
		return err
	}
	for _, line := range emit.Wrap(fmt.Sprintf("%s applies %s's rules to a %s request: %s", fn, in.Name, op.ID, doc)) {
		f.Comment(line)
	}
	f.Func().Id(fn).Params(params...).Block(stmts...)
	return nil
}

func integration(f *jen.File, op model.Operation, in model.Integration) ([]jen.Code, string, error) {
	var stmts []jen.Code
	var required, ignored []string
	id, name := jen.Lit(in.ID), jen.Lit(in.Name)
	for _, p := range op.Query {
		s, req, ign := cell(jen.Id("p").Dot(p.GoName), model.ParamGoType(p), p.Name, "Query", model.CellLevel(p.Cells, in.ID), p.Required, id, name)
		stmts = append(stmts, s...)
		required, ignored = appendIf(required, req, "query "+p.Name), appendIf(ignored, ign, "query "+p.Name)
	}
	for _, fd := range op.Request {
		prop := property(op.Body, fd.Name)
		s, req, ign := cell(jen.Id("b").Dot(prop.GoName), prop.Go, fd.Name, "Body", model.CellLevel(fd.Cells, in.ID), prop.Required, id, name)
		stmts = append(stmts, s...)
		required, ignored = appendIf(required, req, fd.Name), appendIf(ignored, ign, fd.Name)
	}
	for _, en := range op.Enums {
		if en.Integration != in.ID {
			continue
		}
		lits := make([]jen.Code, len(en.Values))
		for i, v := range en.Values {
			lits[i] = jen.Lit(v)
		}
		f.Commentf("%s lists the values %s accepts for %s.", en.Var, in.Name, en.Path)
		f.Var().Id(en.Var).Op("=").Index().String().Values(lits...)
		s, err := enumCheck(jen.Id("b"), op.Body, strings.Split(en.Path, "."), nil, 0, en, in)
		if err != nil {
			return nil, "", err
		}
		stmts = append(stmts, s...)
	}
	doc := "it requires nothing beyond the schema"
	if len(required) > 0 {
		doc = "it requires " + strings.Join(required, ", ")
	}
	if len(ignored) > 0 {
		doc += " and does not support " + strings.Join(ignored, ", ")
	}
	return stmts, doc + ".", nil
}

// property returns the schema's property called name.
func property(s *model.Schema, name string) model.Property {
	for _, p := range s.Properties {
		if p.Name == name {
			return p
		}
	}
	panic("validate: no property " + name + " in " + s.Name) // build guarantees it
}

func appendIf(list []string, ok bool, s string) []string {
	if ok {
		return append(list, s)
	}
	return list
}

// cell emits the check of one matrix cell: a presence check for required
// fields, a drop-and-report for unsupported ones, nothing for supported.
func cell(target *jen.Statement, t model.GoType, field, loc string, level model.Level, schemaRequired bool, id, name jen.Code) ([]jen.Code, bool, bool) {
	switch level {
	case model.Required:
		missing, empty, what := absent(target, t)
		if missing == nil {
			return nil, false, false // the schema already guarantees presence
		}
		check := jen.If(missing).Block(
			jen.Id("r").Dot("Missing").Call(jen.Qual(valPkg, loc), jen.Lit(field), id, name),
		)
		if empty != nil {
			check = check.Else().If(empty).Block(
				jen.Id("r").Dot("Empty").Call(jen.Qual(valPkg, loc), jen.Lit(field), id, name, jen.Lit(what)),
			)
		}
		return []jen.Code{check}, true, false
	case model.Unsupported:
		if !t.Nillable() || schemaRequired {
			return nil, false, false // a value the schema requires cannot be dropped
		}
		return []jen.Code{jen.If(target.Clone().Op("!=").Nil()).Block(
			jen.Id("r").Dot("Ignore").Call(jen.Qual(valPkg, loc), jen.Lit(field)),
			target.Clone().Op("=").Nil(),
		)}, false, true
	}
	return nil, false, false
}

// absent returns the conditions under which a value counts as missing for
// a required cell: missing when absent or null (a nil pointer, slice or
// map), empty when sent empty ("", [], {}), which counts as missing too
// (spec/DECISIONS.md explains why); what names the empty value for the
// message. A non-pointer scalar has neither: the schema guarantees it.
func absent(target *jen.Statement, t model.GoType) (missing, empty *jen.Statement, what string) {
	deref := target.Clone()
	if t.Ptr {
		deref = jen.Op("*").Add(target.Clone())
	}
	switch {
	case t.Under == "raw":
		empty, what = jen.Qual(valPkg, "EmptyObject").Call(deref), "an empty object"
	case t.Slice:
		empty, what = jen.Len(deref).Op("==").Lit(0), "an empty array"
	case t.Map || t.Under == "map":
		empty, what = jen.Len(deref).Op("==").Lit(0), "an empty object"
	case t.Under == "string" && t.Ptr:
		empty, what = jen.Parens(deref).Op("==").Lit(""), "an empty string"
	case t.Under == "string":
		empty, what = deref.Op("==").Lit(""), "an empty string"
	}
	switch {
	case t.Ptr || t.Slice || t.Map || t.Under == "raw":
		return target.Clone().Op("==").Nil(), empty, what
	case empty != nil:
		// A required non-pointer string: only empty can be missing.
		return empty, nil, ""
	}
	return nil, nil, ""
}

// enumCheck walks path (e.g. ["roles[]", "id"]) from cur, a value of the
// struct of schema s, down to the enum value and checks it against the
// integration's allowed values.
func enumCheck(cur *jen.Statement, s *model.Schema, path []string, fieldPath []any, depth int, en model.EnumSubset, in model.Integration) ([]jen.Code, error) {
	seg := path[0]
	name, isArray := strings.CutSuffix(seg, "[]")
	fld := property(s, name)
	sep := "."
	if len(fieldPath) == 0 {
		sep = ""
	}
	fieldPath = append(fieldPath[:len(fieldPath):len(fieldPath)], sep+name)
	target := cur.Clone().Dot(fld.GoName)
	v := jen.Id(fmt.Sprintf("v%d", depth))
	var inner []jen.Code
	val := v.Clone()
	if fld.Go.Ptr {
		val = jen.Op("*").Add(v.Clone())
	}
	switch {
	case isArray:
		i, e := jen.Id(fmt.Sprintf("i%d", depth)), jen.Id(fmt.Sprintf("e%d", depth))
		elemPath := append(fieldPath[:len(fieldPath):len(fieldPath)], "[", jen.Qual("strconv", "Itoa").Call(i.Clone()), "]")
		rest, err := enumCheck(e.Clone(), fld.Schema.Items, path[1:], elemPath, depth+1, en, in)
		if err != nil {
			return nil, err
		}
		inner = []jen.Code{jen.For(jen.List(i.Clone(), e.Clone()).Op(":=").Range().Add(val)).Block(rest...)}
	case len(path) > 1:
		rest, err := enumCheck(val, fld.Schema, path[1:], fieldPath, depth+1, en, in)
		if err != nil {
			return nil, err
		}
		inner = rest
	default:
		lits := make([]jen.Code, len(en.Values))
		for i, x := range en.Values {
			lits[i] = jen.Lit(x)
		}
		cases := []jen.Code{jen.Case(lits...)}
		if !fld.Go.Ptr {
			// An empty required member is the decoder's failure (missing
			// or outside the schema enum); do not report it twice.
			cases = append(cases, jen.Case(jen.Lit("")))
		}
		inner = []jen.Code{jen.Switch(val).Block(
			append(cases,
				jen.Default().Block(jen.Id("r").Dot("NotAllowed").Call(joinPlus(fieldPath), jen.String().Call(val.Clone()), jen.Lit(in.ID), jen.Lit(in.Name), jen.Id(en.Var))))...,
		)}
	}
	if fld.Go.Ptr {
		return []jen.Code{jen.If(v.Clone().Op(":=").Add(target), v.Clone().Op("!=").Nil()).Block(inner...)}, nil
	}
	return append([]jen.Code{v.Clone().Op(":=").Add(target)}, inner...), nil
}

// joinPlus concatenates string parts (literal strings or expressions),
// merging adjacent literals so the emitted expression reads naturally.
func joinPlus(parts []any) jen.Code {
	var merged []any
	for _, p := range parts {
		if s, ok := p.(string); ok && len(merged) > 0 {
			if prev, ok := merged[len(merged)-1].(string); ok {
				merged[len(merged)-1] = prev + s
				continue
			}
		}
		merged = append(merged, p)
	}
	var out *jen.Statement
	for _, p := range merged {
		var c jen.Code
		if s, ok := p.(string); ok {
			c = jen.Lit(s)
		} else {
			c = p.(jen.Code)
		}
		if out == nil {
			out = jen.Add(c)
		} else {
			out = out.Op("+").Add(c)
		}
	}
	return out
}
