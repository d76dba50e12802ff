// Package remote emits remote.gen.go: the integration definitions
// (runtime/remote.Integration) and, per operation and integration, the
// mapping (runtime/remote.Mapping) with every expression of the
// integration files compiled to Go by generator/mapping. It emits nothing
// when no integration has a definition.
package remote

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/mapping"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// FileName is the output this package owns.
const FileName = "remote.gen.go"

const (
	remotePkg  = "github.com/unifiedgen/unifiedgen/runtime/remote"
	matrixPkg  = "github.com/unifiedgen/unifiedgen/runtime/matrix"
	mappingPkg = "github.com/unifiedgen/unifiedgen/runtime/mapping"
)

// Emit renders the remote definitions of a, or reports false when there
// are none.
func Emit(a *model.API, pkg, specName string) (emit.File, bool, error) {
	r := &a.Remote
	if len(r.Integrations) == 0 {
		return emit.File{}, false, nil
	}
	f := jen.NewFile(pkg)
	f.HeaderComment(fmt.Sprintf(emit.Header, specName))
	f.ImportName(remotePkg, "remote")
	f.ImportName(matrixPkg, "matrix")
	f.ImportName(mappingPkg, "mapping")

	ints := jen.Dict{}
	for i := range r.Integrations {
		in := &r.Integrations[i]
		ints[jen.Lit(in.ID)] = jen.Id(in.Var())
	}
	f.Commentf("%s are the integrations with a definition file, by id.", model.RemoteIntegrationsVar)
	f.Var().Id(model.RemoteIntegrationsVar).Op("=").Map(jen.String()).Op("*").Qual(remotePkg, "Integration").Values(ints)

	byOp := map[string]jen.Dict{}
	var opIDs []string
	for i := range r.Mappings {
		m := &r.Mappings[i]
		if byOp[m.Operation] == nil {
			byOp[m.Operation] = jen.Dict{}
			opIDs = append(opIDs, m.Operation)
		}
		byOp[m.Operation][jen.Lit(m.Integration)] = jen.Id(m.Var())
	}
	sort.Strings(opIDs)
	outer := jen.Dict{}
	for _, id := range opIDs {
		outer[jen.Lit(id)] = jen.Values(byOp[id])
	}
	f.Commentf("%s are the mappings by operation id, then integration id. An", model.RemotesVar)
	f.Comment("operation an integration implements but has no mapping for is served")
	f.Comment("without calling the provider (see spec/DECISIONS.md).")
	f.Var().Id(model.RemotesVar).Op("=").Map(jen.String()).Map(jen.String()).Op("*").Qual(remotePkg, "Mapping").Values(outer)

	// An expression the file uses more than once (a YAML anchor's) is one
	// function, emitted at its first use and naming every use.
	emitted := map[*model.RemoteExpr]bool{}
	for i := range r.Integrations {
		integration(f, &r.Integrations[i], emitted)
	}
	for i := range r.Mappings {
		mappingVar(f, &r.Mappings[i], emitted)
	}
	return render(f)
}

func render(f *jen.File) (out emit.File, ok bool, err error) {
	out, err = emit.Render(FileName, f)
	return out, err == nil, err
}

// compiled emits a compiled expression with its source as a comment, the
// first time it is asked for, naming every key that uses it.
func compiled(f *jen.File, x *model.RemoteExpr, emitted map[*model.RemoteExpr]bool) {
	if emitted[x] {
		return
	}
	emitted[x] = true
	keys := x.Uses[0]
	if n := len(x.Uses); n > 1 {
		keys = strings.Join(x.Uses[:n-1], ", ") + " and " + x.Uses[n-1]
	}
	for _, line := range emit.Wrap(x.Func + " compiles " + x.File + " " + keys + ":") {
		f.Comment(line)
	}
	f.Comment("")
	for _, line := range strings.Split(strings.TrimSuffix(x.Source, "\n"), "\n") {
		f.Comment("\t" + line)
	}
	f.Add(mapping.Compile(x.Expr.(*mapping.Expr), x.Func))
}

func funcOrNil(x *model.RemoteExpr) jen.Code {
	if x == nil {
		return jen.Nil()
	}
	return jen.Id(x.Func)
}

func pairs(list []model.NameValue) jen.Code {
	if len(list) == 0 {
		return jen.Nil()
	}
	var items []jen.Code
	for _, h := range list {
		items = append(items, jen.Values(jen.Dict{jen.Id("Name"): jen.Lit(h.Name), jen.Id("Value"): jen.Lit(h.Value)}))
	}
	return jen.Index().Qual(remotePkg, "Header").Values(items...)
}

func strs(list []string) jen.Code {
	if len(list) == 0 {
		return jen.Nil()
	}
	var items []jen.Code
	for _, s := range list {
		items = append(items, jen.Lit(s))
	}
	return jen.Index().String().Values(items...)
}

var authKinds = map[string]string{"bearer": "AuthBearer", "header": "AuthHeader", "basic": "AuthBasic", "query": "AuthQuery"}

func integration(f *jen.File, in *model.RemoteIntegration, emitted map[*model.RemoteExpr]bool) {
	auth := jen.Dict{jen.Id("Kind"): jen.Qual(remotePkg, authKinds[in.Auth.Kind])}
	for k, v := range map[string]string{"Name": in.Auth.Name, "Value": in.Auth.Value, "Username": in.Auth.Username, "Password": in.Auth.Password} {
		if v != "" {
			auth[jen.Id(k)] = jen.Lit(v)
		}
	}
	var status []jen.Code
	for _, s := range in.RateLimit.Status {
		status = append(status, jen.Lit(s))
	}
	rl := jen.Dict{jen.Id("Status"): jen.Index().Int().Values(status...)}
	if in.RateLimit.RetryAfter != "" {
		rl[jen.Id("RetryAfter")] = jen.Lit(in.RateLimit.RetryAfter)
	}
	if in.RateLimit.ResetHeader != "" {
		rl[jen.Id("ResetHeader")] = jen.Lit(in.RateLimit.ResetHeader)
		unit := "ResetSeconds"
		if in.RateLimit.ResetUnit == "epoch" {
			unit = "ResetEpoch"
		}
		rl[jen.Id("ResetUnit")] = jen.Qual(remotePkg, unit)
	}
	if len(in.RateLimit.Forward) > 0 {
		rl[jen.Id("Forward")] = strs(in.RateLimit.Forward)
	}
	f.Commentf("%s is %s's definition (%s).", in.Var(), in.Name, in.File)
	f.Var().Id(in.Var()).Op("=").Op("&").Qual(remotePkg, "Integration").Values(jen.Dict{
		jen.Id("ID"):           jen.Lit(in.ID),
		jen.Id("Name"):         jen.Lit(in.Name),
		jen.Id("BaseURL"):      jen.Lit(in.BaseURL),
		jen.Id("Credentials"):  strs(in.Credentials),
		jen.Id("Auth"):         jen.Qual(remotePkg, "Auth").Values(auth),
		jen.Id("Headers"):      pairs(in.Headers),
		jen.Id("Query"):        pairs(in.Query),
		jen.Id("RateLimit"):    jen.Qual(remotePkg, "RateLimit").Values(rl),
		jen.Id("ErrorMessage"): funcOrNil(in.ErrorMessage),
		jen.Id("ErrorFields"):  funcOrNil(in.ErrorFields),
	})
	for _, u := range in.ExprUses() {
		compiled(f, u.Expr, emitted)
	}
}

func mappingVar(f *jen.File, m *model.RemoteMapping, emitted map[*model.RemoteExpr]bool) {
	fields := jen.Dict{}
	for _, fd := range m.Fields {
		fields[jen.Lit(fd.Name)] = jen.Lit(fd.Value)
	}
	fieldMap := jen.Map(jen.String()).String().Values(fields)
	f.Commentf("%s maps %s for %s (%s operations.%s).", m.Var(), m.Operation, m.Integration, m.File, m.Operation)
	d := jen.Dict{
		jen.Id("OperationID"): jen.Lit(m.Operation),
		jen.Id("Kind"):        jen.Qual(matrixPkg, model.KindConst(m.Kind)),
		jen.Id("Integration"): jen.Id(m.IntegrationVar()),
		jen.Id("Method"):      jen.Lit(m.Method),
		jen.Id("Path"):        jen.Lit(m.Path),
	}
	for name, x := range map[string]*model.RemoteExpr{"Body": m.Body, "Query": m.Query, "Record": m.Record, "Unified": m.Unified, "NextCursor": m.NextCursor} {
		if x != nil {
			d[jen.Id(name)] = jen.Id(x.Func)
		}
	}
	if len(m.Fields) > 0 {
		d[jen.Id("Fields")] = fieldMap
	}
	if m.QueryReadsAll {
		d[jen.Id("QueryReadsAll")] = jen.True()
	} else if len(m.QueryReads) > 0 {
		reads := make([]jen.Code, len(m.QueryReads))
		for i, r := range m.QueryReads {
			reads[i] = jen.Lit(r)
		}
		d[jen.Id("QueryReads")] = jen.Index().String().Values(reads...)
	}
	f.Var().Id(m.Var()).Op("=").Op("&").Qual(remotePkg, "Mapping").Values(d)
	for _, u := range m.ExprUses() {
		compiled(f, u.Expr, emitted)
	}
}
