// Package encode emits, for every request body, an encoder that writes the
// decoded and validated body back as JSON: what a backend receives. It
// writes exactly the members that are present (a nil pointer, slice or map
// is absent; an empty, non-nil slice is [], so a PATCH can clear a list),
// numbers in free-form members as they were sent, and write-only members
// only when asked to.
package encode

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the output this package owns.
const FileName = "encode.gen.go"

const (
	jxPkg  = "github.com/go-faster/jx"
	valPkg = "github.com/unifiedgen/unifiedgen/runtime/validation"
)

// Emit renders the encoders of every operation body in api.
func Emit(api *model.API, pkg, specName string) (emit.File, error) {
	e := &emitter{f: jen.NewFile(pkg), done: map[string]bool{}, writeOnly: jen.Id("writeOnly")}
	e.f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	e.f.ImportName(jxPkg, "jx")
	e.f.ImportName(valPkg, "validation")
	for _, op := range api.Operations {
		if op.Body != nil {
			e.queue = append(e.queue, op.Body)
		}
	}
	for i := range api.Operations {
		if err := e.query(&api.Operations[i]); err != nil {
			return emit.File{}, fmt.Errorf("operation %s: %w", api.Operations[i].ID, err)
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
	f     *jen.File
	done  map[string]bool
	queue []*model.Schema
	// writeOnly is what a component's writer is passed for writeOnly:
	// the caller's own, or false for the query, which carries none.
	writeOnly jen.Code
}

// query emits the writer of the operation's query parameters a remote
// mapping sees (model.Operation.MappingQuery), as bound and validated:
// those present, as a JSON object.
func (e *emitter) query(op *model.Operation) error {
	if len(op.MappingQuery()) == 0 {
		return nil // Input.AppendQuery writes {} itself
	}
	e.writeOnly = jen.False()
	defer func() { e.writeOnly = jen.Id("writeOnly") }()
	body := []jen.Code{jen.Id("e").Dot("ObjStart").Call()}
	for _, p := range op.MappingQuery() {
		t := model.ParamGoType(p)
		write, err := e.value(jen.Id("v").Dot(p.GoName), t, p.Schema, 0)
		if err != nil {
			return fmt.Errorf("query parameter %s: %w", p.Name, err)
		}
		stmts := append([]jen.Code{jen.Id("e").Dot("FieldStart").Call(jen.Lit(p.Name))}, write...)
		if t.Nillable() {
			body = append(body, jen.If(jen.Id("v").Dot(p.GoName).Op("!=").Nil()).Block(stmts...))
		} else {
			body = append(body, stmts...)
		}
	}
	body = append(body, jen.Id("e").Dot("ObjEnd").Call())
	for _, line := range emit.Wrap(fmt.Sprintf("%s writes the query parameters of %s that a remote mapping sees, those present, as a JSON object.", op.AppendQueryFunc(), op.ID)) {
		e.f.Comment(line)
	}
	e.f.Func().Id(op.AppendQueryFunc()).Params(jen.Id("e").Op("*").Qual(jxPkg, "Encoder"), jen.Id("v").Op("*").Id(op.ParamsType())).Block(body...)
	return nil
}

func (e *emitter) object(s *model.Schema) error {
	if e.done[s.GoName] {
		return nil
	}
	e.done[s.GoName] = true
	hasWriteOnly := false
	body := []jen.Code{jen.Id("e").Dot("ObjStart").Call()}
	for _, p := range s.Properties {
		write, err := e.value(jen.Id("v").Dot(p.GoName), p.Go, p.Schema, 0)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", s.Name, p.Name, err)
		}
		stmts := append([]jen.Code{jen.Id("e").Dot("FieldStart").Call(jen.Lit(p.Name))}, write...)
		var cond *jen.Statement
		if p.Go.Nillable() {
			cond = jen.Id("v").Dot(p.GoName).Op("!=").Nil()
		}
		if p.WriteOnly {
			hasWriteOnly = true
			w := jen.Id("writeOnly")
			if cond != nil {
				cond = w.Op("&&").Add(cond)
			} else {
				cond = w
			}
		}
		if cond != nil {
			body = append(body, jen.If(cond).Block(stmts...))
		} else {
			body = append(body, stmts...)
		}
	}
	body = append(body, jen.Id("e").Dot("ObjEnd").Call())
	doc := fmt.Sprintf("%s writes v as a JSON object: the members that are present", s.AppendFunc())
	if hasWriteOnly {
		doc += ", write-only ones only when writeOnly is set"
	}
	for _, line := range emit.Wrap(doc + ".") {
		e.f.Comment(line)
	}
	e.f.Func().Id(s.AppendFunc()).Params(jen.Id("e").Op("*").Qual(jxPkg, "Encoder"), jen.Id("v").Op("*").Id(s.GoName), jen.Id("writeOnly").Bool()).Block(body...)
	return nil
}

// value emits the statements that write src, of Go type t and schema s.
func (e *emitter) value(src *jen.Statement, t model.GoType, s *model.Schema, depth int) ([]jen.Code, error) {
	val := src.Clone()
	if t.Ptr {
		val = jen.Op("*").Add(src.Clone())
	}
	// A pointer calls its element's methods as is.
	recv := src.Clone()
	switch {
	case t.Slice:
		el := jen.Id(fmt.Sprintf("x%d", depth))
		inner, err := e.value(el.Clone(), *t.Elem, s.Items, depth+1)
		if err != nil {
			return nil, err
		}
		if t.Elem.Under == "struct" {
			// Point at the element rather than copy it.
			inner, err = e.value(src.Clone().Index(jen.Id(fmt.Sprintf("i%d", depth))), *t.Elem, s.Items, depth+1)
			if err != nil {
				return nil, err
			}
			return []jen.Code{
				jen.Id("e").Dot("ArrStart").Call(),
				jen.For(jen.Id(fmt.Sprintf("i%d", depth)).Op(":=").Range().Add(src.Clone())).Block(inner...),
				jen.Id("e").Dot("ArrEnd").Call(),
			}, nil
		}
		return []jen.Code{
			jen.Id("e").Dot("ArrStart").Call(),
			jen.For(jen.List(jen.Id("_"), el.Clone()).Op(":=").Range().Add(src.Clone())).Block(inner...),
			jen.Id("e").Dot("ArrEnd").Call(),
		}, nil
	case t.Under == "raw":
		return []jen.Code{jen.Id("e").Dot("Raw").Call(val)}, nil
	case t.Map:
		// A free-form query object: strings, lists and objects of them,
		// which encoding/json writes as any encoder would.
		b := jen.Id(fmt.Sprintf("b%d", depth))
		return []jen.Code{jen.List(b.Clone(), jen.Id("_")).Op(":=").Qual("encoding/json", "Marshal").Call(src.Clone()), jen.Id("e").Dot("Raw").Call(b.Clone())}, nil
	case t.Under == "struct":
		e.queue = append(e.queue, s)
		arg := src.Clone()
		if !t.Ptr {
			arg = jen.Op("&").Add(src.Clone())
		}
		return []jen.Code{jen.Id(s.AppendFunc()).Call(jen.Id("e"), arg, e.writeOnly)}, nil
	}
	switch t.Under {
	case "string":
		return []jen.Code{jen.Id("e").Dot("Str").Call(emit.Under(t, val))}, nil
	case "time.Time":
		return []jen.Code{jen.Id("e").Dot("Str").Call(recv.Dot("Format").Call(jen.Qual("time", "RFC3339Nano")))}, nil
	case "date":
		return []jen.Code{jen.Id("e").Dot("Str").Call(recv.Dot("Format").Call(jen.Qual("time", "DateOnly")))}, nil
	case "uuid":
		return []jen.Code{jen.Id("e").Dot("Str").Call(recv.Dot("String").Call())}, nil
	case "bool":
		return []jen.Code{jen.Id("e").Dot("Bool").Call(emit.Under(t, val))}, nil
	case "int":
		return []jen.Code{jen.Id("e").Dot("Int").Call(val)}, nil
	case "int32":
		return []jen.Code{jen.Id("e").Dot("Int32").Call(val)}, nil
	case "int64":
		return []jen.Code{jen.Id("e").Dot("Int64").Call(val)}, nil
	case "float32":
		return []jen.Code{jen.Id("e").Dot("Float32").Call(val)}, nil
	case "float64":
		return []jen.Code{jen.Id("e").Dot("Float64").Call(val)}, nil
	}
	return nil, fmt.Errorf("no encoder for Go type %s", t.Name)
}
