// Package service emits the descriptors the service is written against
// (runtime/api): the Service with the integration registry and every
// operation, each operation's support matrix and metadata as data, and the
// Input type that binds, decodes, validates and encodes one request of it
// by calling the other emitters' functions, whose names the model gives.
package service

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/model"
	"github.com/unifiedgen/unifiedgen/runtime/api"
)

// FileName is the output this package owns.
const FileName = "service.gen.go"

const (
	apiPkg    = "github.com/unifiedgen/unifiedgen/runtime/api"
	matrixPkg = "github.com/unifiedgen/unifiedgen/runtime/matrix"
	valPkg    = "github.com/unifiedgen/unifiedgen/runtime/validation"
	qsPkg     = "github.com/unifiedgen/unifiedgen/runtime/qs"
	jxPkg     = "github.com/go-faster/jx"
)

// Emit renders the descriptors of api. spec is the document's text, served
// by the service as /openapi.yaml.
func Emit(a *model.API, pkg, specName string, spec []byte) (emit.File, error) {
	f := jen.NewFile(pkg)
	f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	f.ImportName(apiPkg, "api")
	f.ImportName(matrixPkg, "matrix")
	f.ImportName(valPkg, "validation")
	f.ImportName(qsPkg, "qs")
	f.ImportName(jxPkg, "jx")

	var regs, ops []jen.Code
	for _, in := range a.Integrations {
		regs = append(regs, jen.Values(jen.Dict{jen.Id("ID"): jen.Lit(in.ID), jen.Id("Name"): jen.Lit(in.Name)}))
	}
	for i := range a.Operations {
		ops = append(ops, jen.Op("&").Id(a.Operations[i].DescriptorVar()))
	}
	f.Commentf("Service is the unified API of %s.", specName)
	f.Var().Id("Service").Op("=").Op("&").Qual(apiPkg, "Service").Values(jen.Dict{
		jen.Id("Integrations"): jen.Index().Qual(matrixPkg, "Integration").Values(multiline(regs)...),
		jen.Id("Operations"):   jen.Index().Op("*").Qual(apiPkg, "Operation").Values(multiline(ops)...),
		jen.Id("OpenAPI"):      jen.Id("openAPIDocument"),
	})
	for i := range a.Operations {
		op := &a.Operations[i]
		meta, err := metadata(a, op)
		if err != nil {
			return emit.File{}, fmt.Errorf("operation %s: %w", op.ID, err)
		}
		descriptor(f, op, meta)
		input(f, op)
	}
	f.Commentf("openAPIDocument is %s, served as /openapi.yaml.", specName)
	f.Const().Id("openAPIDocument").Op("=").Add(text(string(spec)))
	return emit.Render(FileName, f)
}

func descriptor(f *jen.File, op *model.Operation, meta string) {
	var writeOnly []string
	for _, fd := range op.Request {
		if fd.WriteOnly {
			writeOnly = append(writeOnly, fd.Name)
		}
	}
	d := jen.Dict{
		jen.Id("Operation"): jen.Qual(matrixPkg, "Operation").Values(jen.Dict{
			jen.Id("OperationID"):   jen.Lit(op.ID),
			jen.Id("Model"):         jen.Lit(op.Model),
			jen.Id("Resource"):      jen.Lit(op.Resource),
			jen.Id("Kind"):          jen.Qual(matrixPkg, model.KindConst(op.Kind)),
			jen.Id("Method"):        jen.Lit(op.Method),
			jen.Id("HTTPMethod"):    jen.Lit(op.HTTPMethod),
			jen.Id("Path"):          jen.Lit(op.Path),
			jen.Id("SuccessStatus"): jen.Lit(op.SuccessStatus),
			jen.Id("Integrations"):  stringList(op.Integrations),
			jen.Id("Query"):         params(op.Query),
			jen.Id("Request"):       fields(op.Request),
			jen.Id("Response"):      fields(op.Response),
			jen.Id("Enums"):         enums(op.Enums),
		}),
		jen.Id("Meta"): jen.Id(op.MetaConst()),
		jen.Id("New"):  jen.Func().Params().Qual(apiPkg, "Input").Block(jen.Return(jen.Id(op.InputPool()).Dot("Get").Call().Assert(jen.Op("*").Id(op.InputType())))),
	}
	if op.Body != nil {
		d[jen.Id("HasBody")] = jen.True()
	}
	if len(writeOnly) > 0 {
		d[jen.Id("WriteOnly")] = stringList(writeOnly)
	}
	if filters := op.Filters(); len(filters) > 0 {
		d[jen.Id("Filters")] = stringList(filters)
	}
	if n := op.DefaultLimit(); n > 0 {
		d[jen.Id("DefaultLimit")] = jen.Lit(n)
	}
	f.Commentf("%s describes %s (%s %s): its support matrix and", op.DescriptorVar(), op.ID, op.HTTPMethod, op.Path)
	f.Comment("how to read a request of it.")
	f.Var().Id(op.DescriptorVar()).Op("=").Qual(apiPkg, "Operation").Values(d)
	f.Commentf("%s is the metadata document of %s/%s %s.", op.MetaConst(), op.Model, op.Resource, op.Method)
	f.Const().Id(op.MetaConst()).Op("=").Add(text(meta))
}

// input emits the operation's api.Input: its parameters and body in their
// generated types, and methods that call the generated binder, decoder,
// validator and encoder.
func input(f *jen.File, op *model.Operation) {
	t := op.InputType()
	fields := []jen.Code{jen.Id("params").Id(op.ParamsType())}
	if op.Body != nil {
		fields = append(fields, jen.Id("body").Id(op.Body.GoName))
	}
	f.Commentf("%s is one %s request.", t, op.ID)
	f.Type().Id(t).Struct(fields...)
	recv := jen.Id("in").Op("*").Id(t)
	f.Commentf("%s recycles %s values: a request's Input is released when its", op.InputPool(), t)
	f.Comment("response is written, so serving one allocates none.")
	f.Var().Id(op.InputPool()).Op("=").Qual("sync", "Pool").Values(jen.Dict{
		jen.Id("New"): jen.Func().Params().Any().Block(jen.Return(jen.New(jen.Id(t)))),
	})
	f.Func().Params(recv.Clone()).Id("Release").Params().Block(
		jen.Op("*").Id("in").Op("=").Id(t).Values(),
		jen.Id(op.InputPool()).Dot("Put").Call(jen.Id("in")),
	)

	f.Func().Params(recv.Clone()).Id("Bind").Params(jen.Id("q").Qual(qsPkg, "Values"), jen.Id("r").Op("*").Qual(valPkg, "Report")).Block(
		jen.Id(op.BindFunc()).Call(jen.Id("q"), jen.Op("&").Id("in").Dot("params"), jen.Id("r")),
	)

	var setup []jen.Code
	dict := jen.Dict{}
	for _, p := range op.Query {
		field := jen.Id("in").Dot("params").Dot(p.GoName)
		pt := model.ParamGoType(p)
		var key string
		var val jen.Code
		switch p.Name {
		case api.ParamIntegratedAccountID:
			key, val = "IntegratedAccountID", deref(field, pt, func(v jen.Code) jen.Code { return jen.Add(v).Dot("String").Call() })
		case api.ParamResponseFormat:
			key, val = "ResponseFormat", deref(field, pt, func(v jen.Code) jen.Code { return jen.String().Call(v) })
		case api.ParamIgnoreRemoteData:
			key, val = "IgnoreRemoteData", deref(field, pt, func(v jen.Code) jen.Code { return jen.Bool().Call(v) })
		case api.ParamExcludeFields:
			key, val = "ExcludeFields", field
		case api.ParamRemoteQuery:
			key, val = "RemoteQuery", jen.Map(jen.String()).Any().Call(field)
		case api.ParamLimit:
			// A pointer, so that limit=0 (refused) is not taken for an
			// absent limit (the default).
			key, val = "Limit", jen.New(deref(field, pt, func(v jen.Code) jen.Code { return jen.Int().Call(v) }))
		case api.ParamNextCursor:
			key, val = "NextCursor", deref(field, pt, func(v jen.Code) jen.Code { return jen.String().Call(v) })
		default:
			continue
		}
		if pt.Ptr {
			// Optional: set only when present.
			setup = append(setup, jen.If(field.Clone().Op("!=").Nil()).Block(jen.Id("p").Dot(key).Op("=").Add(val)))
			continue
		}
		dict[jen.Id(key)] = val
	}
	body := []jen.Code{jen.Id("p").Op(":=").Qual(apiPkg, "Params").Values(dict)}
	body = append(body, setup...)
	body = append(body, jen.Return(jen.Id("p")))
	f.Func().Params(recv.Clone()).Id("Params").Params().Qual(apiPkg, "Params").Block(body...)

	decode := []jen.Code{}
	appendBody := []jen.Code{jen.Return(jen.Id("dst"))}
	validateArgs := []jen.Code{jen.Id("integration"), jen.Op("&").Id("in").Dot("params")}
	if op.Body != nil {
		decode = []jen.Code{jen.Id(op.Body.DecodeFunc()).Call(jen.Id("data"), jen.Op("&").Id("in").Dot("body"), jen.Id("r"))}
		validateArgs = append(validateArgs, jen.Op("&").Id("in").Dot("body"))
		appendBody = []jen.Code{
			jen.Id("e").Op(":=").Qual(jxPkg, "GetEncoder").Call(),
			jen.Id(op.Body.AppendFunc()).Call(jen.Id("e"), jen.Op("&").Id("in").Dot("body"), jen.Id("writeOnly")),
			jen.Id("dst").Op("=").Append(jen.Id("dst"), jen.Id("e").Dot("Bytes").Call().Op("...")),
			jen.Qual(jxPkg, "PutEncoder").Call(jen.Id("e")),
			jen.Return(jen.Id("dst")),
		}
	}
	f.Func().Params(recv.Clone()).Id("DecodeBody").Params(jen.Id("data").Index().Byte(), jen.Id("r").Op("*").Qual(valPkg, "Report")).Block(decode...)
	f.Func().Params(recv.Clone()).Id("Validate").Params(jen.Id("integration").String(), jen.Id("r").Op("*").Qual(valPkg, "Report")).Bool().Block(
		jen.Return(jen.Id(op.ValidateFunc()).Call(append(validateArgs, jen.Id("r"))...)),
	)
	f.Func().Params(recv.Clone()).Id("AppendBody").Params(jen.Id("dst").Index().Byte(), jen.Id("writeOnly").Bool()).Index().Byte().Block(appendBody...)
	appendQuery := []jen.Code{jen.Return(jen.Append(jen.Id("dst"), jen.Lit("{}").Op("...")))}
	if len(op.MappingQuery()) > 0 {
		appendQuery = []jen.Code{
			jen.Id("e").Op(":=").Qual(jxPkg, "GetEncoder").Call(),
			jen.Id(op.AppendQueryFunc()).Call(jen.Id("e"), jen.Op("&").Id("in").Dot("params")),
			jen.Id("dst").Op("=").Append(jen.Id("dst"), jen.Id("e").Dot("Bytes").Call().Op("...")),
			jen.Qual(jxPkg, "PutEncoder").Call(jen.Id("e")),
			jen.Return(jen.Id("dst")),
		}
	}
	f.Func().Params(recv.Clone()).Id("AppendQuery").Params(jen.Id("dst").Index().Byte()).Index().Byte().Block(appendQuery...)
}

// deref applies conv to the value of field, through its pointer if it has
// one.
func deref(field *jen.Statement, t model.GoType, conv func(jen.Code) jen.Code) jen.Code {
	if t.Ptr {
		return conv(jen.Op("*").Add(field.Clone()))
	}
	return conv(field.Clone())
}

// text renders s as a Go string constant: a raw literal, which keeps the
// generated file readable, unless s holds what a raw literal cannot (a
// backquote, or a carriage return, which raw literals drop).
func text(s string) jen.Code {
	if strings.ContainsAny(s, "`\r") {
		return jen.Lit(s)
	}
	return jen.Op("`" + s + "`")
}

func stringList(list []string) jen.Code {
	lits := make([]jen.Code, len(list))
	for i, s := range list {
		lits[i] = jen.Lit(s)
	}
	return jen.Index().String().Values(lits...)
}

// field renders one row of the matrix on one line, the integrations of
// each level as a list of names: a table a person reads across, and
// short enough that formatting a large matrix stays cheap (go/printer
// measures every element of a multi-line literal by printing it).
func field(name string, cs []model.Cell) jen.Code {
	var required, supported []string
	for _, c := range cs {
		if c.Level == model.Required {
			required = append(required, c.Integration)
		} else {
			supported = append(supported, c.Integration)
		}
	}
	kv := []jen.Code{jen.Id("Name").Op(":").Lit(name)}
	if len(required) > 0 {
		kv = append(kv, jen.Id("Required").Op(":").Add(stringList(required)))
	}
	if len(supported) > 0 {
		kv = append(kv, jen.Id("Supported").Op(":").Add(stringList(supported)))
	}
	return jen.Values(kv...)
}

func params(ps []model.Param) jen.Code {
	var out []jen.Code
	for _, p := range ps {
		out = append(out, field(p.Name, p.Cells))
	}
	return jen.Index().Qual(matrixPkg, "Field").Values(multiline(out)...)
}

func fields(fs []model.Field) jen.Code {
	var out []jen.Code
	for _, fd := range fs {
		out = append(out, field(fd.Name, fd.Cells))
	}
	return jen.Index().Qual(matrixPkg, "Field").Values(multiline(out)...)
}

func enums(es []model.EnumSubset) jen.Code {
	var out []jen.Code
	for _, e := range es {
		out = append(out, jen.Values(jen.Dict{jen.Id("Path"): jen.Lit(e.Path), jen.Id("Integration"): jen.Lit(e.Integration), jen.Id("Values"): stringList(e.Values)}))
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
