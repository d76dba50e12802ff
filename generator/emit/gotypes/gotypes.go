// Package gotypes indexes the Go declarations of generated source, so that
// emitters which extend oapi-codegen's output refer to the names it chose
// (CreateUserParams, EmailInputType, TeamIds) instead of re-deriving its
// naming rules.
package gotypes

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// Index maps type names to their declarations.
type Index struct {
	types map[string]*Type
}

// Type is one declared type.
type Type struct {
	Name   string
	Expr   Expr    // the underlying type expression (for aliases, the aliased type)
	Fields []Field // for structs, in declaration order
	// Methods of an interface: method name -> parameter types in order.
	Methods map[string][]Expr
}

// Field is a struct field with its JSON name.
type Field struct {
	Name string // Go name
	JSON string // name in the json tag
	Type Expr
}

// Expr is a type expression, reduced to what the emitters need.
type Expr struct {
	Ptr   bool   // *T
	Slice bool   // []T (after the pointer)
	Map   bool   // map[string]T (free-form objects)
	Name  string // the named element type: "string", "EmailInput", "time.Time", "openapi_types.UUID", "interface{}"
}

func (e Expr) String() string {
	s := e.Name
	switch {
	case e.Slice:
		s = "[]" + s
	case e.Map:
		s = "map[string]" + s
	}
	if e.Ptr {
		s = "*" + s
	}
	return s
}

// Parse indexes the type declarations in src.
func Parse(src []byte) (*Index, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "oapi.gen.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse generated models: %w", err)
	}
	idx := &Index{types: map[string]*Type{}}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			t := &Type{Name: ts.Name.Name, Expr: expr(ts.Type)}
			if it, ok := ts.Type.(*ast.InterfaceType); ok {
				t.Methods = map[string][]Expr{}
				for _, m := range it.Methods.List {
					ft, ok := m.Type.(*ast.FuncType)
					if !ok || len(m.Names) != 1 {
						continue
					}
					var params []Expr
					for _, p := range ft.Params.List {
						n := max(len(p.Names), 1)
						for range n {
							params = append(params, expr(p.Type))
						}
					}
					t.Methods[m.Names[0].Name] = params
				}
			}
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					if len(fl.Names) != 1 || fl.Tag == nil {
						continue
					}
					tag, _ := strconv.Unquote(fl.Tag.Value)
					name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
					if name == "" || name == "-" {
						continue
					}
					t.Fields = append(t.Fields, Field{Name: fl.Names[0].Name, JSON: name, Type: expr(fl.Type)})
				}
			}
			idx.types[t.Name] = t
		}
	}
	return idx, nil
}

func expr(e ast.Expr) Expr {
	var out Expr
	if s, ok := e.(*ast.StarExpr); ok {
		out.Ptr, e = true, s.X
	}
	switch t := e.(type) {
	case *ast.ArrayType:
		out.Slice, e = true, t.Elt
	case *ast.MapType:
		out.Map, e = true, t.Value
	}
	switch t := e.(type) {
	case *ast.Ident:
		out.Name = t.Name
	case *ast.SelectorExpr:
		out.Name = t.X.(*ast.Ident).Name + "." + t.Sel.Name
	case *ast.InterfaceType:
		out.Name = "interface{}"
	case *ast.StructType:
		out.Name = "struct{...}"
	default:
		out.Name = fmt.Sprintf("%T", e)
	}
	return out
}

// Type returns the declaration of name.
func (x *Index) Type(name string) (*Type, bool) {
	t, ok := x.types[name]
	return t, ok
}

// Field returns the field of struct type typ whose JSON name is json.
func (x *Index) Field(typ, json string) (Field, error) {
	t, ok := x.types[typ]
	if !ok {
		return Field{}, fmt.Errorf("oapi-codegen emitted no type %s", typ)
	}
	for _, f := range t.Fields {
		if f.JSON == json {
			return f, nil
		}
	}
	return Field{}, fmt.Errorf("oapi-codegen emitted no field %q in %s", json, typ)
}

// Underlying follows named types declared in the index down to a builtin
// or foreign type: EmailInputType -> string, CustomFields -> map.
func (x *Index) Underlying(e Expr) Expr {
	for i := 0; i < 8 && !e.Slice && !e.Map; i++ {
		t, ok := x.types[e.Name]
		if !ok || len(t.Fields) > 0 {
			return e
		}
		ptr := e.Ptr
		e = t.Expr
		e.Ptr = e.Ptr || ptr
	}
	return e
}
