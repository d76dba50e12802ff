// Package decode emits, for every request body, a decoder that reads JSON
// straight into oapi-codegen's model types and checks the schema on the way:
// types, enums, formats, required members, unknown and duplicate members and
// null, each failure with its JSON path, all in one pass and without
// reflection.
package decode

import (
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/emit/gotypes"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the output this package owns.
const FileName = "decode.gen.go"

const (
	jxPkg   = "github.com/go-faster/jx"
	valPkg  = "github.com/unifiedgen/unifiedgen/runtime/validation"
	uuidPkg = "github.com/google/uuid"
)

// Emit renders the decoders of every operation body in api.
func Emit(api *model.API, idx *gotypes.Index, pkg, specName string) (emit.File, error) {
	e := &emitter{idx: idx, f: jen.NewFile(pkg), done: map[string]bool{}, enums: map[string]bool{}}
	e.f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	e.f.ImportName(jxPkg, "jx")
	e.f.ImportName(valPkg, "validation")
	e.f.ImportName(uuidPkg, "uuid")
	tops := map[string]bool{}
	for _, op := range api.Operations {
		if op.Body == nil {
			continue
		}
		typ, err := BodyType(idx, op)
		if err != nil {
			return emit.File{}, err
		}
		if tops[typ] {
			continue
		}
		tops[typ] = true
		e.f.Commentf("Decode%s decodes the body of a %s request into v and checks it against", typ, op.ID)
		e.f.Commentf("the %s schema. Every failure is recorded in r; v holds what could be read.", typ)
		e.f.Func().Id("Decode"+typ).Params(
			jen.Id("data").Index().Byte(), jen.Id("v").Op("*").Id(typ), jen.Id("r").Op("*").Qual(valPkg, "Report"),
		).Block(
			jen.Id("s").Op(":=").Qual(valPkg, "Begin").Call(jen.Id("data"), jen.Id("r")),
			jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Return()),
			jen.Id("s").Dot("End").Call(jen.Id("decode"+typ).Call(jen.Id("s"), jen.Id("v"))),
		)
		if err := e.object(typ, op.Body); err != nil {
			return emit.File{}, err
		}
	}
	for len(e.queue) > 0 {
		j := e.queue[0]
		e.queue = e.queue[1:]
		if err := e.object(j.typ, j.schema); err != nil {
			return emit.File{}, err
		}
	}
	return emit.Render(FileName, e.f)
}

// BodyType is the Go type oapi-codegen declared for op's JSON body.
func BodyType(idx *gotypes.Index, op model.Operation) (string, error) {
	alias := codegen.ToCamelCase(op.ID) + "JSONRequestBody"
	t, ok := idx.Type(alias)
	if !ok {
		return "", fmt.Errorf("operation %s: oapi-codegen emitted no %s", op.ID, alias)
	}
	return t.Expr.Name, nil
}

type job struct {
	typ    string
	schema *model.Schema
}

type emitter struct {
	idx   *gotypes.Index
	f     *jen.File
	done  map[string]bool
	enums map[string]bool
	queue []job
}

// object emits decodeT for the struct type typ.
func (e *emitter) object(typ string, s *model.Schema) error {
	if e.done[typ] {
		return nil
	}
	e.done[typ] = true
	var cases []jen.Code
	var after []jen.Code
	for i, p := range s.Properties {
		fld, err := e.idx.Field(typ, p.Name)
		if err != nil {
			return err
		}
		body, err := e.value(jen.Id("v").Dot(fld.Name), fld.Type, p.Schema, 0)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", typ, p.Name, err)
		}
		stmts := []jen.Code{
			jen.If(jen.Id("seen").Index(jen.Lit(i))).Block(
				jen.If(jen.Err().Op(":=").Id("s").Dot("Duplicate").Call(jen.Id("key")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
				jen.Continue(),
			),
			jen.Id("seen").Index(jen.Lit(i)).Op("=").True(),
			jen.Id("s").Dot("Path").Dot("Key").Call(jen.Lit(p.Name)),
		}
		stmts = append(stmts, body...)
		stmts = append(stmts, jen.Id("s").Dot("Path").Dot("Pop").Call())
		cases = append(cases, jen.Case(jen.Lit(p.Name)).Block(stmts...))
		if p.Required {
			after = append(after, jen.If(jen.Op("!").Id("seen").Index(jen.Lit(i))).Block(
				jen.Id("s").Dot("MissingMember").Call(jen.Lit(p.Name)),
			))
		}
	}
	unknown := jen.If(jen.Err().Op(":=").Id("s").Dot("Unknown").Call(jen.Id("key")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	if s.Free {
		// Members beyond the schema are allowed here but have no Go field
		// to land in.
		unknown = jen.If(jen.Err().Op(":=").Id("s").Dot("D").Dot("Skip").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	}
	cases = append(cases, jen.Default().Block(unknown))

	body := []jen.Code{
		jen.If(jen.Id("t").Op(":=").Id("s").Dot("D").Dot("Next").Call(), jen.Id("t").Op("!=").Qual(jxPkg, "Object")).Block(
			jen.Return(jen.Id("s").Dot("WrongType").Call(jen.Lit("an object"), jen.Id("t"))),
		),
	}
	if len(s.Properties) > 0 {
		body = append(body, jen.Var().Id("seen").Index(jen.Lit(len(s.Properties))).Bool())
	}
	body = append(body,
		jen.List(jen.Id("iter"), jen.Err()).Op(":=").Id("s").Dot("D").Dot("ObjIter").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.For(jen.Id("iter").Dot("Next").Call()).Block(
			jen.Id("key").Op(":=").Id("iter").Dot("Key").Call(),
			jen.Switch(jen.String().Call(jen.Id("key"))).Block(cases...),
		),
		jen.If(jen.Err().Op(":=").Id("iter").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	)
	body = append(body, after...)
	body = append(body, jen.Return(jen.Nil()))

	e.f.Commentf("decode%s reads one %s object.", typ, typ)
	e.f.Func().Id("decode"+typ).Params(jen.Id("s").Op("*").Qual(valPkg, "State"), jen.Id("v").Op("*").Id(typ)).Error().Block(body...)
	return nil
}

// value emits the statements that read one value of schema s into target,
// whose Go type is t. Statements return only fatal (syntax) errors; schema
// failures are recorded and decoding goes on.
func (e *emitter) value(target *jen.Statement, t gotypes.Expr, s *model.Schema, depth int) ([]jen.Code, error) {
	u := e.idx.Underlying(gotypes.Expr{Name: t.Name})
	x := jen.Id(fmt.Sprintf("x%d", depth))
	assign := func(val jen.Code) []jen.Code {
		if t.Ptr && val == jen.Code(x) {
			return []jen.Code{target.Clone().Op("=").Op("&").Add(x.Clone())}
		}
		if t.Ptr {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{y.Clone().Op(":=").Add(val), target.Clone().Op("=").Op("&").Add(y.Clone())}
		}
		return []jen.Code{target.Clone().Op("=").Add(val)}
	}
	// conv converts a value of the underlying type to the declared one.
	conv := func(val jen.Code) jen.Code {
		if t.Slice || t.Map || t.Name == u.Name && !u.Map {
			return val
		}
		return jen.Id(t.Name).Call(val)
	}

	switch {
	case t.Slice || (u.Slice && !t.Map):
		if s.Kind != model.KindArray || s.Items == nil {
			return nil, fmt.Errorf("Go type %s for a %s schema", t, s.Kind)
		}
		elem := gotypes.Expr{Name: t.Name}
		if !t.Slice {
			elem = gotypes.Expr{Name: u.Name}
		}
		i, el := jen.Id(fmt.Sprintf("i%d", depth)), jen.Id(fmt.Sprintf("e%d", depth))
		inner, err := e.value(el.Clone(), elem, s.Items, depth+1)
		if err != nil {
			return nil, err
		}
		loop := append([]jen.Code{
			jen.Id("s").Dot("Path").Dot("Index").Call(i.Clone()),
			jen.Var().Add(el.Clone()).Id(elem.Name),
		}, inner...)
		loop = append(loop, x.Clone().Op("=").Append(x.Clone(), el.Clone()), jen.Id("s").Dot("Path").Dot("Pop").Call())
		iter := jen.Id(fmt.Sprintf("it%d", depth))
		var sliceType jen.Code = jen.Index().Id(elem.Name)
		if !t.Slice {
			sliceType = jen.Id(t.Name)
		}
		ok := []jen.Code{
			jen.List(iter.Clone(), jen.Err()).Op(":=").Id("s").Dot("D").Dot("ArrIter").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			// Non-nil, so that [] stays distinguishable from an absent
			// member; room for a few items, which is what bodies carry.
			x.Clone().Op(":=").Make(sliceType, jen.Lit(0), jen.Lit(4)),
			jen.For(i.Clone().Op(":=").Lit(0), iter.Clone().Dot("Next").Call(), i.Clone().Op("++")).Block(loop...),
			jen.If(jen.Err().Op(":=").Add(iter.Clone()).Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}
		ok = append(ok, assign(x)...)
		return typed("jx.Array", want(s), ok), nil

	case t.Map || u.Map:
		m := jen.Id(fmt.Sprintf("m%d", depth))
		ok := jen.Id(fmt.Sprintf("ok%d", depth))
		return []jen.Code{
			jen.List(m.Clone(), ok.Clone(), jen.Err()).Op(":=").Id("s").Dot("Object").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.If(ok.Clone()).Block(assign(conv(m.Clone()))...),
		}, nil

	case s.Kind == model.KindObject:
		if _, isStruct := e.idx.Type(t.Name); !isStruct {
			return nil, fmt.Errorf("object schema without a named Go struct (got %s)", t)
		}
		e.queue = append(e.queue, job{typ: t.Name, schema: s})
		if t.Ptr {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{
				jen.Var().Add(y.Clone()).Id(t.Name),
				jen.If(jen.Err().Op(":=").Id("decode"+t.Name).Call(jen.Id("s"), jen.Op("&").Add(y.Clone())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
				target.Clone().Op("=").Op("&").Add(y.Clone()),
			}, nil
		}
		return []jen.Code{
			jen.If(jen.Err().Op(":=").Id("decode"+t.Name).Call(jen.Id("s"), jen.Op("&").Add(target.Clone())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, nil

	case s.Kind == model.KindString && len(s.Enum) > 0:
		allowed := e.enumVar(t.Name, s.Enum)
		var cases []jen.Code
		for _, v := range s.Enum {
			cases = append(cases, jen.Case(jen.Lit(v)).Block(assign(conv(jen.Lit(v)))...))
		}
		cases = append(cases, jen.Default().Block(jen.Id("s").Dot("BadEnum").Call(x.Clone(), jen.Id(allowed))))
		return typed("jx.String", "a string", []jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("D").Dot("StrBytes").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Switch(jen.String().Call(x.Clone())).Block(cases...),
		}), nil

	case s.Kind == model.KindString:
		read := []jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("Str").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}
		switch u.Name {
		case "time.Time":
			tm := jen.Id(fmt.Sprintf("t%d", depth))
			read = append(read, jen.If(
				jen.List(tm.Clone(), jen.Err()).Op(":=").Qual("time", "Parse").Call(jen.Qual("time", "RFC3339"), x.Clone()),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Id("s").Dot("BadFormat").Call(jen.Lit("date-time (RFC 3339)"))).Else().Block(assign(conv(tm.Clone()))...))
		case "openapi_types.UUID":
			id := jen.Id(fmt.Sprintf("u%d", depth))
			// uuid.Parse also takes braces, urn:uuid: and bare hex; the
			// format means the 36-character form.
			read = append(read, jen.If(
				jen.List(id.Clone(), jen.Err()).Op(":=").Qual(uuidPkg, "Parse").Call(x.Clone()),
				jen.Err().Op("!=").Nil().Op("||").Len(x.Clone()).Op("!=").Lit(36),
			).Block(jen.Id("s").Dot("BadFormat").Call(jen.Lit("uuid"))).Else().Block(assign(id.Clone())...))
		case "string":
			if s.MinLength > 0 {
				read = append(read, jen.If(jen.Qual("unicode/utf8", "RuneCountInString").Call(x.Clone()).Op("<").Lit(s.MinLength)).Block(
					jen.Id("s").Dot("TooShort").Call(jen.Lit(s.MinLength)),
				))
			}
			if t.Ptr && t.Name == "string" {
				// Optional strings point into the State's arena.
				read = append(read, target.Clone().Op("=").Id("s").Dot("StrPtr").Call(x.Clone()))
			} else {
				read = append(read, assign(conv(x.Clone()))...)
			}
		default:
			return nil, fmt.Errorf("string schema with Go type %s", t)
		}
		return typed("jx.String", "a string", read), nil

	case s.Kind == model.KindBoolean:
		return typed("jx.Bool", "a boolean", append([]jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("D").Dot("Bool").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, assign(conv(x.Clone()))...)), nil

	case s.Kind == model.KindInteger:
		ok := jen.Id(fmt.Sprintf("ok%d", depth))
		return typed("jx.Number", "an integer", []jen.Code{
			jen.List(x.Clone(), ok.Clone(), jen.Err()).Op(":=").Id("s").Dot("Int").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.If(ok.Clone()).Block(assign(jen.Id(u.Name).Call(x.Clone()))...),
		}), nil

	case s.Kind == model.KindNumber:
		read := []jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("D").Dot("Float64").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}
		if u.Name == "float32" {
			// float32(x) of a larger value is +Inf without a word.
			read = append(read, jen.If(jen.Qual("math", "Abs").Call(x.Clone()).Op(">").Qual("math", "MaxFloat32")).Block(
				jen.Id("s").Dot("OutOfRange").Call(jen.Lit("a 32-bit float")),
			).Else().Block(assign(jen.Id(u.Name).Call(x.Clone()))...))
			return typed("jx.Number", "a number", read), nil
		}
		return typed("jx.Number", "a number", append(read, assign(jen.Id(u.Name).Call(x.Clone()))...)), nil

	default: // free-form value
		return append([]jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("Any").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, assign(x.Clone())...), nil
	}
}

// typed wraps ok in a check that the next token is of the JSON type tok.
func typed(tok, want string, ok []jen.Code) []jen.Code {
	return []jen.Code{
		jen.If(jen.Id("t").Op(":=").Id("s").Dot("D").Dot("Next").Call(), jen.Id("t").Op("!=").Qual(jxPkg, tok[len("jx."):])).Block(
			jen.If(jen.Err().Op(":=").Id("s").Dot("WrongType").Call(jen.Lit(want), jen.Id("t")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		).Else().Block(ok...),
	}
}

// want says what an array schema expects: "an array of objects".
func want(s *model.Schema) string {
	switch s.Items.Kind {
	case model.KindObject:
		return "an array of objects"
	case model.KindString:
		return "an array of strings"
	case model.KindInteger:
		return "an array of integers"
	case model.KindNumber:
		return "an array of numbers"
	case model.KindBoolean:
		return "an array of booleans"
	case model.KindArray:
		return "an array of arrays"
	}
	return "an array"
}

// enumVar declares (once per type) the allowed values of an enum, so that
// failure messages and error bodies list them without allocating.
func (e *emitter) enumVar(typ string, values []string) string {
	name := "allowed" + codegen.ToCamelCase(typ)
	if e.enums[name] {
		return name
	}
	e.enums[name] = true
	lits := make([]jen.Code, len(values))
	for i, v := range slices.Clone(values) {
		lits[i] = jen.Lit(v)
	}
	e.f.Commentf("%s lists the values the schema allows for %s.", name, typ)
	e.f.Var().Id(name).Op("=").Index().String().Values(lits...)
	return name
}
