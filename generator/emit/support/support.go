// Package support emits the integration registry and every operation's
// support matrix as typed Go data, for the service's metadata endpoints,
// response shaping and docs.
package support

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the output this package owns.
const FileName = "support.gen.go"

const matrixPkg = "github.com/unifiedgen/unifiedgen/runtime/matrix"

// Emit renders the registry and matrices of api.
func Emit(api *model.API, pkg, specName string) (emit.File, error) {
	f := jen.NewFile(pkg)
	f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	f.ImportName(matrixPkg, "matrix")

	var regs, cases []jen.Code
	for i, in := range api.Integrations {
		regs = append(regs, jen.Values(jen.Dict{jen.Id("ID"): jen.Lit(in.ID), jen.Id("Name"): jen.Lit(in.Name)}))
		cases = append(cases, jen.Case(jen.Lit(in.ID)).Block(jen.Return(jen.Id("Integrations").Index(jen.Lit(i)), jen.True())))
	}
	f.Comment("Integrations is the registry, sorted by ID.")
	f.Var().Id("Integrations").Op("=").Index().Qual(matrixPkg, "Integration").Values(multiline(regs)...)
	f.Comment("LookupIntegration returns the registry entry for id.")
	f.Func().Id("LookupIntegration").Params(jen.Id("id").String()).Params(jen.Qual(matrixPkg, "Integration"), jen.Bool()).Block(
		jen.Switch(jen.Id("id")).Block(cases...),
		jen.Return(jen.Qual(matrixPkg, "Integration").Values(), jen.False()),
	)

	var all []jen.Code
	for _, op := range api.MatrixOperations() {
		name := codegen.ToCamelCase(op.ID) + "Support"
		f.Commentf("%s is the support matrix of %s (%s %s).", name, op.ID, op.HTTPMethod, op.Path)
		f.Var().Id(name).Op("=").Qual(matrixPkg, "Operation").Values(jen.Dict{
			jen.Id("OperationID"):   jen.Lit(op.ID),
			jen.Id("Method"):        jen.Lit(op.Method),
			jen.Id("HTTPMethod"):    jen.Lit(op.HTTPMethod),
			jen.Id("Path"):          jen.Lit(op.Path),
			jen.Id("SuccessStatus"): jen.Lit(op.SuccessStatus),
			jen.Id("Integrations"):  strings(op.Integrations),
			jen.Id("Query"):         params(op.Query),
			jen.Id("Request"):       fields(op.Request),
			jen.Id("Response"):      fields(op.Response),
			jen.Id("Enums"):         enums(op.Enums),
		})
		all = append(all, jen.Op("&").Id(name))
	}
	f.Comment("Operations lists every operation's matrix, sorted by operation id.")
	f.Var().Id("Operations").Op("=").Index().Op("*").Qual(matrixPkg, "Operation").Values(multiline(all)...)
	f.Comment("LookupOperation returns the matrix of the operation with the unified method name.")
	f.Func().Id("LookupOperation").Params(jen.Id("method").String()).Params(jen.Op("*").Qual(matrixPkg, "Operation"), jen.Bool()).Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("o")).Op(":=").Range().Id("Operations")).Block(
			jen.If(jen.Id("o").Dot("Method").Op("==").Id("method")).Block(jen.Return(jen.Id("o"), jen.True())),
		),
		jen.Return(jen.Nil(), jen.False()),
	)
	return emit.Render(FileName, f)
}

func strings(list []string) jen.Code {
	lits := make([]jen.Code, len(list))
	for i, s := range list {
		lits[i] = jen.Lit(s)
	}
	return jen.Index().String().Values(lits...)
}

func cells(cs []model.Cell) jen.Code {
	var out []jen.Code
	for _, c := range cs {
		lvl := "Supported"
		if c.Level == model.Required {
			lvl = "Required"
		}
		out = append(out, jen.Values(jen.Id("Integration").Op(":").Lit(c.Integration), jen.Id("Level").Op(":").Qual(matrixPkg, lvl)))
	}
	return jen.Index().Qual(matrixPkg, "Cell").Values(multiline(out)...)
}

func params(ps []model.Param) jen.Code {
	var out []jen.Code
	for _, p := range ps {
		out = append(out, jen.Values(jen.Dict{jen.Id("Name"): jen.Lit(p.Name), jen.Id("Cells"): cells(p.Cells)}))
	}
	return jen.Index().Qual(matrixPkg, "Field").Values(multiline(out)...)
}

func fields(fs []model.Field) jen.Code {
	var out []jen.Code
	for _, fd := range fs {
		out = append(out, jen.Values(jen.Dict{jen.Id("Name"): jen.Lit(fd.Name), jen.Id("Cells"): cells(fd.Cells)}))
	}
	return jen.Index().Qual(matrixPkg, "Field").Values(multiline(out)...)
}

func enums(es []model.EnumSubset) jen.Code {
	var out []jen.Code
	for _, e := range es {
		out = append(out, jen.Values(jen.Dict{jen.Id("Path"): jen.Lit(e.Path), jen.Id("Integration"): jen.Lit(e.Integration), jen.Id("Values"): strings(e.Values)}))
	}
	return jen.Index().Qual(matrixPkg, "Enum").Values(multiline(out)...)
}

// multiline puts each element on its own line, as a person would write a
// table.
func multiline(items []jen.Code) []jen.Code {
	if len(items) == 0 {
		return nil
	}
	out := make([]jen.Code, 0, len(items)+1)
	for _, it := range items {
		out = append(out, jen.Line().Add(it))
	}
	return append(out, jen.Line())
}
