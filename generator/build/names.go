package build

import (
	"fmt"
	"strconv"

	"github.com/unifiedgen/unifiedgen/generator/gonames"

	"github.com/unifiedgen/unifiedgen/generator/model"
)

// checkNames reports every two things of the spec whose Go names collide:
// the generated package would not compile. Each name is declared with the
// spec position of what it comes from, and a collision names both.
// Whatever spec passes this check generates code that compiles; the names
// checked are exactly those the model's methods give the emitters.
func (b *builder) checkNames(api *model.API) {
	n := namer{b: b, seen: map[string][]string{}, reported: map[string]bool{}}
	// Integration ids become parts of validator names.
	ids := map[string][]string{}
	for _, in := range api.Integrations {
		at := []string{ExtIntegrations, strconv.Itoa(b.registryIndex(in.ID)), "id"}
		if prev, ok := ids[in.GoName]; ok {
			b.errorf(at, "integration id %q and the one at %s both become %s in Go names; rename one", in.ID, b.where(prev), in.GoName)
			return // every validator name of the two collides too
		}
		ids[in.GoName] = at
	}
	for _, s := range api.Types {
		at := []string{"components", "schemas", s.Name}
		n.declare(s.GoName, at, "schema "+s.Name)
		n.declare(s.ReadFunc(), at, "the decoder of schema "+s.Name)
		n.declare(s.AppendFunc(), at, "the encoder of schema "+s.Name)
		n.declare(s.DecodeFunc(), at, "the body decoder of schema "+s.Name)
		n.declare(s.BindQueryFunc(), at, "the query binder of schema "+s.Name)
		n.enum(s, at)
		fields := map[string][]string{}
		for _, p := range s.Properties {
			pat := append(at[:3:3], "properties", p.Name)
			if prev, ok := fields[p.GoName]; ok {
				b.errorf(pat, "property %q and the one at %s both become the Go field %s.%s; rename one", p.Name, b.where(prev), s.GoName, p.GoName)
			}
			fields[p.GoName] = pat
			if p.Schema.Name == "" && len(p.Schema.Enum) > 0 {
				n.declare(p.Schema.Go.Name, pat, "the enum type of "+s.Name+"."+p.Name)
				n.enum(p.Schema, pat)
			}
		}
	}
	for i := range api.Operations {
		o := &api.Operations[i]
		at := []string{"paths", o.Path, lower(o.HTTPMethod), "operationId"}
		what := "operation " + o.ID
		for _, name := range []string{o.ParamsType(), o.BindFunc(), o.InputType(), o.InputPool(), o.ValidateFunc(), o.DescriptorVar(), o.MetaConst()} {
			n.declare(name, at, what)
		}
		for _, v := range o.Validators {
			n.declare(v.Func, at, what+" for "+v.Integration)
		}
		sat := []string{"paths", o.Path, lower(o.HTTPMethod), ExtSupport, "enums"}
		for _, e := range o.Enums {
			n.declare(e.Var, append(sat[:5:5], e.Path), "the "+e.Integration+" values of "+e.Path)
		}
		params := map[string]string{}
		for _, p := range o.Query {
			if prev, ok := params[p.GoName]; ok {
				b.errorf(at, "query parameters %q and %q both become the Go field %s.%s; rename one", prev, p.Name, o.ParamsType(), p.GoName)
			}
			params[p.GoName] = p.Name
			if len(p.Schema.Enum) > 0 && p.Schema.Name == "" {
				n.declare(model.AllowedVar(o.ParamsType()+p.GoName), at, "the values of query parameter "+p.Name)
			}
		}
	}
	for _, p := range api.Patterns {
		n.declare(api.PatternVar(p), nil, "the pattern "+strconv.Quote(p))
	}
	for _, name := range []string{"Service", "openAPIDocument"} {
		n.declare(name, nil, "the generated package")
	}
	if len(api.Remote.Integrations) > 0 {
		for _, name := range []string{model.RemoteIntegrationsVar, model.RemotesVar} {
			n.declare(name, nil, "the generated package")
		}
	}
	// An expression used more than once in its file is one function,
	// declared at its first use.
	declared := map[*model.RemoteExpr]bool{}
	expr := func(x *model.RemoteExpr, at []string, what string) {
		if x != nil && !declared[x] {
			declared[x] = true
			n.declare(x.Func, at, what)
		}
	}
	for i := range api.Remote.Integrations {
		in := &api.Remote.Integrations[i]
		at := []string{ExtIntegrations, strconv.Itoa(b.registryIndex(in.ID)), "remote"}
		n.declare(in.Var(), at, "the remote definition of "+in.ID)
		for _, x := range []*model.RemoteExpr{in.ErrorMessage, in.ErrorFields} {
			expr(x, at, "an expression of "+in.File)
		}
	}
	for i := range api.Remote.Mappings {
		m := &api.Remote.Mappings[i]
		at := []string{ExtIntegrations, strconv.Itoa(b.registryIndex(m.Integration)), "remote"}
		n.declare(m.Var(), at, "the "+m.Operation+" mapping of "+m.Integration)
		for _, x := range []*model.RemoteExpr{m.Body, m.Query, m.Record, m.Unified, m.NextCursor} {
			expr(x, at, "the "+m.Operation+" mapping of "+m.Integration)
		}
	}
}

type namer struct {
	b        *builder
	seen     map[string][]string
	what     map[string]string
	reported map[string]bool
}

func (n *namer) declare(name string, at []string, what string) {
	if n.what == nil {
		n.what = map[string]string{}
	}
	if prev, ok := n.seen[name]; ok {
		// One report per pair of colliding things, however many names
		// each of them needs.
		pair := what + "\x00" + n.what[name]
		if !n.reported[pair] {
			n.reported[pair] = true
			n.b.errorf(at, "%s and %s (%s) both need the Go name %s; rename one", what, n.what[name], n.b.where(prev), name)
		}
		return
	}
	n.seen[name], n.what[name] = at, what
}

// enum declares the constants oapi-codegen declares for an enum type
// (AlwaysPrefixEnumValues: the type name, then the value) and its list of
// allowed values.
func (n *namer) enum(s *model.Schema, at []string) {
	if len(s.Enum) == 0 {
		return
	}
	n.declare(model.AllowedVar(s.Go.Name), at, "the values of "+s.Go.Name)
	for _, c := range gonames.EnumConstants(s.Enum) {
		n.declare(s.Go.Name+c, at, "an enum constant of "+s.Go.Name)
	}
}

// where renders a spec path with its position, for messages that point at
// a second place.
func (b *builder) where(path []string) string {
	d := b.spec.At("", path...)
	if d.Line == 0 {
		return d.Path
	}
	return fmt.Sprintf("%s (line %d)", d.Path, d.Line)
}

func (b *builder) registryIndex(id string) int {
	list, _ := b.spec.Doc.Extensions[ExtIntegrations].([]any)
	for i, e := range list {
		if m, ok := e.(map[string]any); ok && m["id"] == id {
			return i
		}
	}
	return 0
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
