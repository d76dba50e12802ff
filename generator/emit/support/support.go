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

// Emit renders the registry and matrices of api.
func Emit(api *model.API, pkg, specName string) (emit.File, error) {
	f := jen.NewFile(pkg)
	f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	declareTypes(f)

	var regs, cases []jen.Code
	for i, in := range api.Integrations {
		regs = append(regs, jen.Values(jen.Dict{jen.Id("ID"): jen.Lit(in.ID), jen.Id("Name"): jen.Lit(in.Name)}))
		cases = append(cases, jen.Case(jen.Lit(in.ID)).Block(jen.Return(jen.Id("Integrations").Index(jen.Lit(i)), jen.True())))
	}
	f.Comment("Integrations is the registry, sorted by ID.")
	f.Var().Id("Integrations").Op("=").Index().Id("Integration").Values(multiline(regs)...)
	f.Comment("LookupIntegration returns the registry entry for id.")
	f.Func().Id("LookupIntegration").Params(jen.Id("id").String()).Params(jen.Id("Integration"), jen.Bool()).Block(
		jen.Switch(jen.Id("id")).Block(cases...),
		jen.Return(jen.Id("Integration").Values(), jen.False()),
	)

	var all []jen.Code
	for _, op := range api.MatrixOperations() {
		name := codegen.ToCamelCase(op.ID) + "Support"
		f.Commentf("%s is the support matrix of %s (%s %s).", name, op.ID, op.HTTPMethod, op.Path)
		f.Var().Id(name).Op("=").Id("OperationSupport").Values(jen.Dict{
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
	f.Var().Id("Operations").Op("=").Index().Op("*").Id("OperationSupport").Values(multiline(all)...)
	return emit.Render(FileName, f)
}

func declareTypes(f *jen.File) {
	f.Comment("SupportLevel is how an integration treats a field or query parameter.")
	f.Type().Id("SupportLevel").Uint8()
	f.Const().Defs(
		jen.Comment("LevelUnsupported: the integration does not use the field."),
		jen.Id("LevelUnsupported").Id("SupportLevel").Op("=").Iota(),
		jen.Comment("LevelSupported: the integration uses (or returns) the field when present."),
		jen.Id("LevelSupported"),
		jen.Comment("LevelRequired: the integration needs the field."),
		jen.Id("LevelRequired"),
	)
	f.Comment("String returns the level as the spec writes it.")
	f.Func().Params(jen.Id("l").Id("SupportLevel")).Id("String").Params().String().Block(
		jen.Switch(jen.Id("l")).Block(
			jen.Case(jen.Id("LevelSupported")).Block(jen.Return(jen.Lit("supported"))),
			jen.Case(jen.Id("LevelRequired")).Block(jen.Return(jen.Lit("required"))),
		),
		jen.Return(jen.Lit("unsupported")),
	)
	f.Comment("Integration is one entry of the integration registry.")
	f.Type().Id("Integration").Struct(
		jen.Comment("ID is the stable machine id accounts are bound to."),
		jen.Id("ID").String().Tag(map[string]string{"json": "id"}),
		jen.Comment("Name is the display name."),
		jen.Id("Name").String().Tag(map[string]string{"json": "name"}),
	)
	f.Comment("SupportCell is one integration's level for a field.")
	f.Type().Id("SupportCell").Struct(
		jen.Id("Integration").String(),
		jen.Id("Level").Id("SupportLevel"),
	)
	f.Comment("FieldSupport is one row of a matrix: a field or query parameter and the")
	f.Comment("integrations that support or require it, sorted by integration.")
	f.Type().Id("FieldSupport").Struct(
		jen.Id("Name").String(),
		jen.Id("Cells").Index().Id("SupportCell"),
	)
	f.Comment("Level returns integration's level for the field.")
	f.Func().Params(jen.Id("s").Op("*").Id("FieldSupport")).Id("Level").Params(jen.Id("integration").String()).Id("SupportLevel").Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("c")).Op(":=").Range().Id("s").Dot("Cells")).Block(
			jen.If(jen.Id("c").Dot("Integration").Op("==").Id("integration")).Block(jen.Return(jen.Id("c").Dot("Level"))),
		),
		jen.Return(jen.Id("LevelUnsupported")),
	)
	f.Comment("EnumSupport narrows the schema's values at Path for one integration.")
	f.Type().Id("EnumSupport").Struct(
		jen.Id("Path").String(),
		jen.Id("Integration").String(),
		jen.Id("Values").Index().String(),
	)
	f.Comment("OperationSupport is the support matrix of one operation.")
	f.Type().Id("OperationSupport").Struct(
		jen.Id("OperationID").String(),
		jen.Comment("Method is the unified method name: create, update, ..."),
		jen.Id("Method").String(),
		jen.Id("HTTPMethod").String(),
		jen.Id("Path").String(),
		jen.Id("SuccessStatus").Int(),
		jen.Comment("Integrations implementing the operation, sorted."),
		jen.Id("Integrations").Index().String(),
		jen.Id("Query").Index().Id("FieldSupport"),
		jen.Id("Request").Index().Id("FieldSupport"),
		jen.Id("Response").Index().Id("FieldSupport"),
		jen.Id("Enums").Index().Id("EnumSupport"),
	)
	f.Comment("Implements reports whether integration implements the operation.")
	f.Func().Params(jen.Id("o").Op("*").Id("OperationSupport")).Id("Implements").Params(jen.Id("integration").String()).Bool().Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("id")).Op(":=").Range().Id("o").Dot("Integrations")).Block(
			jen.If(jen.Id("id").Op("==").Id("integration")).Block(jen.Return(jen.True())),
		),
		jen.Return(jen.False()),
	)
	f.Comment("LookupOperation returns the matrix of the operation with the unified method name.")
	f.Func().Id("LookupOperation").Params(jen.Id("method").String()).Params(jen.Op("*").Id("OperationSupport"), jen.Bool()).Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("o")).Op(":=").Range().Id("Operations")).Block(
			jen.If(jen.Id("o").Dot("Method").Op("==").Id("method")).Block(jen.Return(jen.Id("o"), jen.True())),
		),
		jen.Return(jen.Nil(), jen.False()),
	)
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
		lvl := "LevelSupported"
		if c.Level == model.Required {
			lvl = "LevelRequired"
		}
		out = append(out, jen.Values(jen.Lit(c.Integration), jen.Id(lvl)))
	}
	return jen.Index().Id("SupportCell").Values(multiline(out)...)
}

func params(ps []model.Param) jen.Code {
	var out []jen.Code
	for _, p := range ps {
		out = append(out, jen.Values(jen.Dict{jen.Id("Name"): jen.Lit(p.Name), jen.Id("Cells"): cells(p.Cells)}))
	}
	return jen.Index().Id("FieldSupport").Values(multiline(out)...)
}

func fields(fs []model.Field) jen.Code {
	var out []jen.Code
	for _, fd := range fs {
		out = append(out, jen.Values(jen.Dict{jen.Id("Name"): jen.Lit(fd.Name), jen.Id("Cells"): cells(fd.Cells)}))
	}
	return jen.Index().Id("FieldSupport").Values(multiline(out)...)
}

func enums(es []model.EnumSubset) jen.Code {
	var out []jen.Code
	for _, e := range es {
		out = append(out, jen.Values(jen.Dict{jen.Id("Path"): jen.Lit(e.Path), jen.Id("Integration"): jen.Lit(e.Integration), jen.Id("Values"): strings(e.Values)}))
	}
	return jen.Index().Id("EnumSupport").Values(multiline(out)...)
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
