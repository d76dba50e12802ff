// Package decode emits, for every request body, a decoder that reads JSON
// straight into oapi-codegen's model types and checks the schema on the way:
// types, enums, formats, required members, unknown and duplicate members and
// null, each failure with its JSON path, all in one pass and without
// reflection.
package decode

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the output this package owns.
const FileName = "decode.gen.go"

const (
	valPkg  = "github.com/unifiedgen/unifiedgen/runtime/validation"
	uuidPkg = "github.com/google/uuid"
)

// Emit renders the decoders of every operation body in api.
func Emit(api *model.API, pkg, specName string) (emit.File, error) {
	e := &emitter{api: api, f: jen.NewFile(pkg), done: map[string]bool{}, enums: map[string]bool{}}
	e.f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	e.f.ImportName(valPkg, "validation")
	e.f.ImportName(uuidPkg, "uuid")
	// The values of every enum type, declared here once for the decoders
	// and the query binders alike.
	for _, t := range api.Types {
		if len(t.Enum) > 0 {
			e.enumVar(t.GoName, t.Enum)
		}
		for _, p := range t.Properties {
			if p.Schema.Name == "" && len(p.Schema.Enum) > 0 {
				e.enumVar(p.Schema.Go.Name, p.Schema.Enum)
			}
		}
	}
	// The compiled patterns, here once for the decoders and the query
	// binders alike.
	for _, p := range api.Patterns {
		e.f.Var().Id(api.PatternVar(p)).Op("=").Qual("regexp", "MustCompile").Call(jen.Lit(p))
	}
	tops := map[string]bool{}
	for _, op := range api.Operations {
		if op.Body == nil || tops[op.Body.GoName] {
			continue
		}
		b := op.Body
		tops[b.GoName] = true
		e.f.Commentf("%s decodes the body of a %s request into v and checks it against", b.DecodeFunc(), op.ID)
		e.f.Commentf("the %s schema. Every failure is recorded in r; v holds what could be read.", b.Name)
		e.f.Func().Id(b.DecodeFunc()).Params(
			jen.Id("data").Index().Byte(), jen.Id("v").Op("*").Id(b.GoName), jen.Id("r").Op("*").Qual(valPkg, "Report"),
		).Block(
			jen.Id("s").Op(":=").Qual(valPkg, "Begin").Call(jen.Id("data"), jen.Id("r")),
			jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Return()),
			jen.Id("s").Dot("End").Call(jen.Id(b.ReadFunc()).Call(jen.Id("s"), jen.Id("v"))),
		)
		if err := e.object(b); err != nil {
			return emit.File{}, err
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

type emitter struct {
	api   *model.API
	f     *jen.File
	done  map[string]bool
	enums map[string]bool
	queue []*model.Schema
}

// object emits the reader of the struct type of component s.
func (e *emitter) object(s *model.Schema) error {
	if e.done[s.GoName] {
		return nil
	}
	e.done[s.GoName] = true
	var cases []jen.Code
	var after []jen.Code
	for i, p := range s.Properties {
		body, err := e.value(jen.Id("v").Dot(p.GoName), p.Go, p.Schema, 0)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", s.Name, p.Name, err)
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
		unknown = jen.If(jen.Err().Op(":=").Id("s").Dot("Skip").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	}
	cases = append(cases, jen.Default().Block(unknown))

	body := []jen.Code{
		jen.If(jen.Id("t").Op(":=").Id("s").Dot("Next").Call(), jen.Id("t").Op("!=").Qual(valPkg, "TokenObject")).Block(
			jen.Return(jen.Id("s").Dot("WrongType").Call(jen.Lit("an object"), jen.Id("t"))),
		),
	}
	if len(s.Properties) > 0 {
		body = append(body, jen.Var().Id("seen").Index(jen.Lit(len(s.Properties))).Bool())
	}
	body = append(body,
		jen.For(
			jen.List(jen.Id("key"), jen.Id("more")).Op(":=").Id("s").Dot("FirstKey").Call(),
			jen.Id("more"),
			jen.List(jen.Id("key"), jen.Id("more")).Op("=").Id("s").Dot("NextKey").Call(),
		).Block(
			jen.Switch(jen.String().Call(jen.Id("key"))).Block(cases...),
		),
		jen.If(jen.Err().Op(":=").Id("s").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	)
	body = append(body, after...)
	body = append(body, jen.Return(jen.Nil()))

	e.f.Commentf("%s reads one %s object.", s.ReadFunc(), s.Name)
	e.f.Func().Id(s.ReadFunc()).Params(jen.Id("s").Op("*").Qual(valPkg, "State"), jen.Id("v").Op("*").Id(s.GoName)).Error().Block(body...)
	return nil
}

// value emits the statements that read one value of schema s into target,
// whose Go type is t. Statements return only fatal (syntax) errors; schema
// failures are recorded and decoding goes on.
func (e *emitter) value(target *jen.Statement, t model.GoType, s *model.Schema, depth int) ([]jen.Code, error) {
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
	conv := func(val jen.Code) jen.Code { return emit.Conv(t, val) }

	switch {
	case t.Slice:
		if s.Kind != model.KindArray || s.Items == nil {
			return nil, fmt.Errorf("Go type slice for a %s schema", s.Kind)
		}
		elem := *t.Elem
		i, el := jen.Id(fmt.Sprintf("i%d", depth)), jen.Id(fmt.Sprintf("e%d", depth))
		inner, err := e.value(el.Clone(), elem, s.Items, depth+1)
		if err != nil {
			return nil, err
		}
		loop := append([]jen.Code{
			jen.Id("s").Dot("Path").Dot("Index").Call(i.Clone()),
			jen.Var().Add(el.Clone()).Add(emit.Type(elem)),
		}, inner...)
		loop = append(loop, x.Clone().Op("=").Append(x.Clone(), el.Clone()), jen.Id("s").Dot("Path").Dot("Pop").Call())
		more := jen.Id(fmt.Sprintf("more%d", depth))
		var ok []jen.Code
		plainStrings := elem.Name == "string" && !elem.Ptr && !t.Ptr
		if plainStrings {
			// Read into a buffer on the stack, then copy into the State's
			// string chunks: a list of strings allocates nothing of its
			// own.
			buf := jen.Id(fmt.Sprintf("b%d", depth))
			ok = append(ok, jen.Var().Add(buf.Clone()).Index(jen.Lit(8)).String(), x.Clone().Op(":=").Add(buf.Clone()).Index(jen.Empty(), jen.Lit(0)))
		} else {
			// Non-nil, so that [] stays distinguishable from an absent
			// member; room for a few items, which is what bodies carry.
			ok = append(ok, x.Clone().Op(":=").Make(jen.Index().Add(emit.Type(elem)), jen.Lit(0), jen.Lit(4)))
		}
		ok = append(ok,
			jen.For(
				jen.List(i.Clone(), more.Clone()).Op(":=").List(jen.Lit(0), jen.Id("s").Dot("FirstItem").Call()),
				more.Clone(),
				jen.List(i.Clone(), more.Clone()).Op("=").List(i.Clone().Op("+").Lit(1), jen.Id("s").Dot("NextItem").Call()),
			).Block(loop...),
			jen.If(jen.Err().Op(":=").Id("s").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		)
		ok = append(ok, emit.Checks(jen.Id("s"), x.Clone(), s, e.api.PatternVar)...)
		if plainStrings {
			ok = append(ok, target.Clone().Op("=").Id("s").Dot("Strings").Call(x.Clone()))
		} else {
			ok = append(ok, assign(x)...)
		}
		return typed("TokenArray", want(s), ok), nil

	case t.Under == "raw":
		m := jen.Id(fmt.Sprintf("m%d", depth))
		ok := jen.Id(fmt.Sprintf("ok%d", depth))
		return []jen.Code{
			jen.List(m.Clone(), ok.Clone(), jen.Err()).Op(":=").Id("s").Dot("RawObject").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.If(ok.Clone()).Block(assign(conv(m.Clone()))...),
		}, nil

	case t.Under == "struct":
		e.queue = append(e.queue, s)
		if t.Ptr {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{
				jen.Var().Add(y.Clone()).Id(t.Name),
				jen.If(jen.Err().Op(":=").Id(s.ReadFunc()).Call(jen.Id("s"), jen.Op("&").Add(y.Clone())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
				target.Clone().Op("=").Op("&").Add(y.Clone()),
			}, nil
		}
		return []jen.Code{
			jen.If(jen.Err().Op(":=").Id(s.ReadFunc()).Call(jen.Id("s"), jen.Op("&").Add(target.Clone())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, nil

	case s.Kind == model.KindString && len(s.Enum) > 0:
		allowed := e.enumVar(t.Name, s.Enum)
		var cases []jen.Code
		for _, v := range s.Enum {
			set := assign(conv(jen.Lit(v)))
			if t.Ptr && t.Under == "string" && t.Pkg == "" {
				// An optional enum points into the State's string chunks,
				// as optional strings do: *T and *string convert.
				p := jen.Id("s").Dot("StrPtr").Call(jen.Lit(v))
				if t.Name != "string" {
					p = jen.Parens(jen.Op("*").Id(t.Name)).Call(p)
				}
				set = []jen.Code{target.Clone().Op("=").Add(p)}
			}
			cases = append(cases, jen.Case(jen.Lit(v)).Block(set...))
		}
		cases = append(cases, jen.Default().Block(jen.Id("s").Dot("BadEnum").Call(x.Clone(), jen.Id(allowed))))
		return typed("TokenString", "a string", []jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("StrBytes").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Switch(jen.String().Call(x.Clone())).Block(cases...),
		}), nil

	case s.Kind == model.KindString:
		read := []jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("Str").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}
		switch t.Under {
		case "time.Time":
			tm := jen.Id(fmt.Sprintf("t%d", depth))
			read = append(read, jen.If(
				jen.List(tm.Clone(), jen.Err()).Op(":=").Qual("time", "Parse").Call(jen.Qual("time", "RFC3339"), x.Clone()),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Id("s").Dot("BadFormat").Call(jen.Lit("date-time (RFC 3339)"))).Else().Block(assign(tm.Clone())...))
		case "date":
			tm := jen.Id(fmt.Sprintf("t%d", depth))
			read = append(read, jen.If(
				jen.List(tm.Clone(), jen.Err()).Op(":=").Qual("time", "Parse").Call(jen.Qual("time", "DateOnly"), x.Clone()),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Id("s").Dot("BadFormat").Call(jen.Lit("date (YYYY-MM-DD)"))).Else().Block(assign(emit.Named(t).Values(jen.Dict{jen.Id("Time"): tm.Clone()}))...))
		case "uuid":
			id := jen.Id(fmt.Sprintf("u%d", depth))
			// uuid.Parse also takes braces, urn:uuid: and bare hex; the
			// format means the 36-character form.
			read = append(read, jen.If(
				jen.List(id.Clone(), jen.Err()).Op(":=").Qual(uuidPkg, "Parse").Call(x.Clone()),
				jen.Err().Op("!=").Nil().Op("||").Len(x.Clone()).Op("!=").Lit(36),
			).Block(jen.Id("s").Dot("BadFormat").Call(jen.Lit("uuid"))).Else().Block(assign(id.Clone())...))
		case "string":
			read = append(read, emit.Checks(jen.Id("s"), x.Clone(), s, e.api.PatternVar)...)
			if t.Ptr && t.Name == "string" {
				// Optional strings point into the State's arena.
				read = append(read, target.Clone().Op("=").Id("s").Dot("StrPtr").Call(x.Clone()))
			} else {
				read = append(read, assign(conv(x.Clone()))...)
			}
		default:
			return nil, fmt.Errorf("string schema with Go type %s", t.Name)
		}
		return typed("TokenString", "a string", read), nil

	case s.Kind == model.KindBoolean:
		return typed("TokenBool", "a boolean", append([]jen.Code{
			jen.List(x.Clone(), jen.Err()).Op(":=").Id("s").Dot("Bool").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, assign(conv(x.Clone()))...)), nil

	case s.Kind == model.KindInteger, s.Kind == model.KindNumber:
		ok := jen.Id(fmt.Sprintf("ok%d", depth))
		read, want := "Int", "an integer"
		if s.Kind == model.KindNumber {
			read, want = "Float64", "a number"
		}
		return typed("TokenNumber", want, []jen.Code{
			jen.List(x.Clone(), ok.Clone(), jen.Err()).Op(":=").Id("s").Dot(read).Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.If(ok.Clone()).Block(append(emit.Checks(jen.Id("s"), x.Clone(), s, e.api.PatternVar), assign(jen.Id(t.Under).Call(x.Clone()))...)...),
		}), nil
	}
	// build rejects every other schema (no type, a map of members).
	return nil, fmt.Errorf("no decoder for Go type %s", t.Name)
}

// typed wraps ok in a check that the next token is of the JSON type tok.
func typed(tok, want string, ok []jen.Code) []jen.Code {
	return []jen.Code{
		jen.If(jen.Id("t").Op(":=").Id("s").Dot("Next").Call(), jen.Id("t").Op("!=").Qual(valPkg, tok)).Block(
			jen.If(jen.Err().Op(":=").Id("s").Dot("WrongType").Call(jen.Lit(want), jen.Id("t")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		).Else().Block(ok...),
	}
}

// want says what an array schema expects: "an array of strings", or for
// objects an example of the shape, so that a client sending "roles":
// "owner" learns what to send instead: an array of objects such as
// [{"id": "owner"}].
func want(s *model.Schema) string {
	switch s.Items.Kind {
	case model.KindObject:
		if ex := example(s.Items); ex != "" {
			return "an array of objects such as [" + ex + "]"
		}
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

// example renders a small example of an object: its required members, or
// else its first enum member, or else its first member, with a value
// from the schema (an enum's first value) or a placeholder of its type.
func example(s *model.Schema) string {
	var props []model.Property
	for _, p := range s.Properties {
		if p.Required {
			props = append(props, p)
		}
	}
	if len(props) == 0 {
		for _, p := range s.Properties {
			if len(p.Schema.Enum) > 0 {
				props = []model.Property{p}
				break
			}
		}
	}
	if len(props) == 0 && len(s.Properties) > 0 {
		props = s.Properties[:1]
	}
	if len(props) == 0 {
		return ""
	}
	parts := make([]string, len(props))
	for i, p := range props {
		v := "..."
		switch {
		case len(p.Schema.Enum) > 0:
			v = strconv.Quote(p.Schema.Enum[0])
		case p.Schema.Kind == model.KindString:
			v = `"..."`
		case p.Schema.Kind == model.KindInteger || p.Schema.Kind == model.KindNumber:
			v = "1"
		case p.Schema.Kind == model.KindBoolean:
			v = "true"
		case p.Schema.Kind == model.KindArray:
			v = "[...]"
		case p.Schema.Kind == model.KindObject:
			v = "{...}"
		}
		parts[i] = strconv.Quote(p.Name) + ": " + v
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// enumVar declares (once per type) the allowed values of an enum, so that
// failure messages and error bodies list them without allocating.
func (e *emitter) enumVar(typ string, values []string) string {
	name := model.AllowedVar(typ)
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
