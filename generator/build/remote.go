package build

import (
	"fmt"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator/load"
	"github.com/unifiedgen/unifiedgen/generator/mapping"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

// CredentialKeys are the credential names an integration may declare
// (spec/EXTENSIONS.md, "integration.yaml"); accounts give values for them.
var CredentialKeys = remote.CredentialKeys

// remoteRef is a registry entry's `remote:` file.
type remoteRef struct {
	id, rel string
	at      []string // the registry entry's remote key
}

// remotes loads every integration file the registry names, after the
// operations are built: mappings are checked against the operations'
// schemas and matrices.
func (b *builder) remotes(api *model.API) model.Remote {
	var out model.Remote
	ops := map[string]*model.Operation{}
	for i := range api.Operations {
		ops[api.Operations[i].ID] = &api.Operations[i]
	}
	for _, ref := range b.remoteRefs {
		in, ok := api.Integration(ref.id)
		if !ok {
			continue
		}
		f := b.openRemote(ref)
		if f == nil {
			continue
		}
		ri, maps := f.integration(in, api, ops)
		b.diags = append(b.diags, mergeAliased(f.diags)...)
		if len(f.diags) == 0 {
			out.Integrations = append(out.Integrations, ri)
			out.Mappings = append(out.Mappings, maps...)
		}
	}
	slices.SortFunc(out.Integrations, func(a, b model.RemoteIntegration) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(out.Mappings, func(a, b model.RemoteMapping) int {
		if c := strings.Compare(a.Operation, b.Operation); c != 0 {
			return c
		}
		return strings.Compare(a.Integration, b.Integration)
	})
	for _, u := range out.ExprUses() {
		u.Expr.Uses = append(u.Expr.Uses, u.Key)
	}
	return out
}

// mergeAliased reports once a mistake in text that several keys share (a
// YAML anchor and its *aliases, which point errors at the anchored text):
// one diagnostic at that position, naming every key that uses it, each
// once, in the order met.
func mergeAliased(diags diag.List) diag.List {
	type at struct {
		line, col int
		msg       string
	}
	first := map[at]int{}
	also := map[int][]string{} // index in out -> the other keys' paths
	var out diag.List
	for _, d := range diags {
		k := at{d.Line, d.Col, d.Msg}
		if i, seen := first[k]; seen && d.Line > 0 {
			if d.Path != "" && d.Path != out[i].Path && !slices.Contains(also[i], d.Path) {
				also[i] = append(also[i], d.Path)
			}
			continue
		}
		first[k] = len(out)
		out = append(out, d)
	}
	for i, paths := range also {
		out[i].Path += " (also " + strings.Join(paths, ", ") + ")"
	}
	return out
}

// openRemote reads and parses the file of ref, relative to the spec.
func (b *builder) openRemote(ref remoteRef) *remoteFile {
	if filepath.IsAbs(ref.rel) || strings.Contains(ref.rel, "\\") || slices.Contains(strings.Split(ref.rel, "/"), "..") {
		b.errorf(ref.at, "remote %q must be a relative path inside the spec's directory, such as integrations/%s/integration.yaml", ref.rel, ref.id)
		return nil
	}
	file := filepath.ToSlash(filepath.Join(filepath.Dir(b.spec.File), filepath.FromSlash(ref.rel)))
	data, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		b.errorf(ref.at, "remote %q cannot be read: %v", ref.rel, unwrapPathError(err))
		return nil
	}
	f := &remoteFile{file: file, rel: ref.rel, lines: strings.Split(string(data), "\n"), exprs: map[string]*model.RemoteExpr{}}
	if !utf8.Valid(data) {
		f.errorAt(1, 1, nil, "the file is not UTF-8")
		b.diags = append(b.diags, f.diags...)
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, col, msg := diag.YAMLError(data, err, load.ParseYAML)
		f.errorAt(line, col, diag.YAMLPathBefore(data, line), "invalid YAML: %s", msg)
		b.diags = append(b.diags, f.diags...)
		return nil
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		f.errorAt(1, 1, nil, "an integration definition must be a YAML object (see spec/EXTENSIONS.md, integration.yaml)")
		b.diags = append(b.diags, f.diags...)
		return nil
	}
	f.root = doc.Content[0]
	return f
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// remoteFile is one integration.yaml being checked; every problem is
// reported at its file:line:col with the path of the key.
type remoteFile struct {
	file, rel string
	lines     []string
	root      *yaml.Node
	diags     diag.List
	creds     []string
	// exprs are the file's expressions compiled so far, by source: the
	// same text (a YAML anchor's, or written twice) is one function.
	exprs map[string]*model.RemoteExpr
}

func (f *remoteFile) errorAt(line, col int, path []string, format string, args ...any) {
	f.diags = append(f.diags, diag.Diagnostic{File: f.file, Line: line, Col: col, Path: diag.FormatPath(path...), Msg: fmt.Sprintf(format, args...)})
}

func (f *remoteFile) errorf(n *yaml.Node, path []string, format string, args ...any) {
	f.errorAt(n.Line, n.Column, path, format, args...)
}

// entry is a mapping key with its value.
type entry struct {
	key, val *yaml.Node
}

// object returns the entries of a mapping node, reporting duplicate keys
// and keys not in known.
func (f *remoteFile) object(n *yaml.Node, path []string, what string, known ...string) map[string]entry {
	if n.Kind != yaml.MappingNode {
		f.errorf(n, path, "%s must be an object", what)
		return nil
	}
	out := map[string]entry{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias // *anchor: errors point at the anchored text
		}
		p := append(path[:len(path):len(path)], k.Value)
		if prev, dup := out[k.Value]; dup {
			f.errorf(k, p, "duplicate key %q (first at line %d)", k.Value, prev.key.Line)
			continue
		}
		if known != nil && !slices.Contains(known, k.Value) {
			f.errorf(k, p, "unknown key %q (expected one of %s)%s", k.Value, strings.Join(known, ", "), suggest(k.Value, known))
			continue
		}
		out[k.Value] = entry{k, v}
	}
	return out
}

// str returns a scalar string value.
func (f *remoteFile) str(e entry, path []string) (string, bool) {
	if e.val.Kind != yaml.ScalarNode || e.val.Tag == "!!null" {
		f.errorf(e.val, path, "%s must be a string", e.key.Value)
		return "", false
	}
	return e.val.Value, true
}

// template checks the {placeholders} of a template against the
// credentials (and extra names, such as id in a path).
func (f *remoteFile) template(e entry, path []string, extra ...string) (string, bool) {
	s, ok := f.str(e, path)
	if !ok {
		return "", false
	}
	if strings.Count(s, "{") != strings.Count(s, "}") {
		f.errorf(e.val, path, "unbalanced { } in %q", s)
		return "", false
	}
	good := true
	for _, name := range placeholders(s) {
		if !slices.Contains(f.creds, name) && !slices.Contains(extra, name) {
			known := append(slices.Clone(f.creds), extra...)
			hint := suggest(name, known)
			if slices.Contains(CredentialKeys, name) {
				hint = "; add it to credentials"
			}
			f.errorf(e.val, path, "{%s} is not a declared credential (credentials: %s)%s", name, strings.Join(known, ", "), hint)
			good = false
		}
	}
	return s, good
}

func placeholders(s string) []string {
	var out []string
	for rest := s; ; {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			return out
		}
		if !slices.Contains(out, rest[i+1:j]) {
			out = append(out, rest[i+1:j])
		}
		rest = rest[j+1:]
	}
}

// exprAt converts a position inside an expression's source to one in the
// file: exact for plain and quoted one-line scalars and literal blocks (|),
// the value's start for folded ones.
func (f *remoteFile) exprAt(v *yaml.Node, line, col int) (int, int) {
	switch {
	case v.Style&yaml.LiteralStyle != 0:
		first := v.Line // the | line; the content starts below it
		indent := -1
		for l := first; l < len(f.lines); l++ { // f.lines[l] is line l+1
			t := f.lines[l]
			if strings.TrimSpace(t) != "" {
				indent = len(t) - len(strings.TrimLeft(t, " "))
				break
			}
		}
		if indent < 0 {
			return v.Line, v.Column
		}
		return first + line, indent + col
	case v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && line == 1:
		return v.Line, v.Column + col // past the opening quote
	case v.Style&yaml.FoldedStyle == 0 && line == 1:
		return v.Line, v.Column + col - 1
	}
	return v.Line, v.Column
}

// expr parses and checks an expression value against in and out (nil:
// free-form). Each use is checked against its own schemas, but the
// compiled code depends on the text alone: a text the file already had is
// the function of its first use (fn names a new one).
func (f *remoteFile) expr(e entry, path []string, in *model.Schema, inName string, out *model.Schema, fn string) *model.RemoteExpr {
	src, ok := f.str(e, path)
	if !ok {
		return nil
	}
	x, err := mapping.Parse(src)
	if err != nil {
		me := err.(*mapping.Error)
		l, c := f.exprAt(e.val, me.Line, me.Col)
		f.errorAt(l, c, path, "%s", me.Msg)
		return nil
	}
	errs := mapping.CheckInput(x, in, inName, out)
	for _, me := range errs {
		l, c := f.exprAt(e.val, me.Line, me.Col)
		f.errorAt(l, c, path, "%s", me.Msg)
	}
	if len(errs) > 0 {
		return nil
	}
	if first, ok := f.exprs[src]; ok {
		return first
	}
	f.exprs[src] = &model.RemoteExpr{Source: src, Expr: x, Func: fn, File: f.rel}
	return f.exprs[src]
}

var (
	headerName = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
	queryName  = regexp.MustCompile(`^[A-Za-z0-9_.\[\]-]+$`)
)

// integration checks the whole file.
func (f *remoteFile) integration(reg model.Integration, api *model.API, ops map[string]*model.Operation) (model.RemoteIntegration, []model.RemoteMapping) {
	ri := model.RemoteIntegration{ID: reg.ID, Name: reg.Name, GoName: reg.GoName, File: f.rel}
	top := f.object(f.root, nil, "the definition", "base_url", "credentials", "auth", "headers", "query", "rate_limit", "errors", "operations")
	// credentials first: every template is checked against them.
	if e, ok := top["credentials"]; !ok {
		f.errorf(f.root, nil, "credentials is missing: list the keys an account gives (from %s)", strings.Join(CredentialKeys, ", "))
	} else if e.val.Kind != yaml.SequenceNode || len(e.val.Content) == 0 {
		f.errorf(e.val, []string{"credentials"}, "credentials must be a non-empty list of keys (from %s)", strings.Join(CredentialKeys, ", "))
	} else {
		for i, c := range e.val.Content {
			p := []string{"credentials", strconv.Itoa(i)}
			switch {
			case c.Kind != yaml.ScalarNode:
				f.errorf(c, p, "a credential is a key name")
			case !slices.Contains(CredentialKeys, c.Value):
				f.errorf(c, p, "unknown credential key %q (allowed: %s)%s", c.Value, strings.Join(CredentialKeys, ", "), suggest(c.Value, CredentialKeys))
			case slices.Contains(ri.Credentials, c.Value):
				f.errorf(c, p, "credential %q is listed twice", c.Value)
			default:
				ri.Credentials = append(ri.Credentials, c.Value)
			}
		}
	}
	f.creds = ri.Credentials
	used := map[string]bool{}
	use := func(tmpl string) {
		for _, p := range placeholders(tmpl) {
			used[p] = true
		}
	}

	if e, ok := top["base_url"]; !ok {
		f.errorf(f.root, nil, "base_url is missing: the provider's API root, e.g. https://{subdomain}.example.com/api")
	} else if s, ok := f.template(e, []string{"base_url"}); ok {
		scheme, host, path := remote.SplitTemplate(s)
		switch {
		case scheme != "https":
			f.errorf(e.val, []string{"base_url"}, "base_url must start with https:// (credentials never travel in clear; an account's base_url can point at a loopback emulator)")
		case host == "" || strings.ContainsAny(host, "?#@"):
			f.errorf(e.val, []string{"base_url"}, "base_url %q has no valid host", s)
		case strings.ContainsAny(path, "?#"):
			f.errorf(e.val, []string{"base_url"}, "base_url must not have a query or fragment: put fixed parameters under query")
		}
		ri.BaseURL = strings.TrimSuffix(s, "/")
		use(s)
	}

	if e, ok := top["auth"]; !ok {
		f.errorf(f.root, nil, "auth is missing: one of bearer, header, basic or query")
	} else {
		ri.Auth = f.auth(e)
		for _, t := range []string{ri.Auth.Value, ri.Auth.Username, ri.Auth.Password} {
			use(t)
		}
	}
	ri.Headers = f.pairs(top, "headers", headerName)
	for _, h := range ri.Headers {
		use(h.Value)
		switch strings.ToLower(h.Name) {
		case "authorization", "host", "content-length", "transfer-encoding", "connection":
			e := top["headers"]
			f.errorf(e.val, []string{"headers", h.Name}, "header %s is set by the call itself; use auth for credentials", h.Name)
		}
	}
	ri.Query = f.pairs(top, "query", queryName)
	for _, q := range ri.Query {
		use(q.Value)
	}
	if e, ok := top["rate_limit"]; ok {
		ri.RateLimit = f.rateLimit(e)
	} else {
		ri.RateLimit.Status = []int{http.StatusTooManyRequests}
	}
	if e, ok := top["errors"]; ok {
		errs := f.object(e.val, []string{"errors"}, "errors", "message", "fields")
		if m, ok := errs["message"]; ok {
			ri.ErrorMessage = f.expr(m, []string{"errors", "message"}, nil, "the provider's error body", nil, ri.ExprFunc("ErrorMessage"))
		}
		if m, ok := errs["fields"]; ok {
			ri.ErrorFields = f.expr(m, []string{"errors", "fields"}, nil, "the provider's error body", nil, ri.ExprFunc("ErrorFields"))
		}
	}
	var maps []model.RemoteMapping
	if e, ok := top["operations"]; ok {
		opsObj := f.object(e.val, []string{"operations"}, "operations")
		for _, id := range sortedKeys(opsObj) {
			oe := opsObj[id]
			p := []string{"operations", id}
			op, ok := ops[id]
			if !ok {
				f.errorf(oe.key, p, "no operation has operationId %q%s", id, suggest(id, sortedKeys(ops)))
				continue
			}
			if !slices.Contains(op.Integrations, reg.ID) {
				f.errorf(oe.key, p, "%s does not implement %s: its x-unified-support integrations do not list %q", reg.Name, id, reg.ID)
				continue
			}
			if m, ok := f.mapping(oe, p, op, &ri); ok {
				maps = append(maps, m)
				use(m.Path)
			}
		}
	}
	for _, c := range ri.Credentials {
		if !used[c] && len(f.diags) == 0 {
			e := top["credentials"]
			f.errorf(e.val, []string{"credentials"}, "credential %q is declared but no template uses it (base_url, auth, headers, query or a path)", c)
		}
	}
	return ri, maps
}

func (f *remoteFile) auth(e entry) model.RemoteAuth {
	p := []string{"auth"}
	kinds := []string{"bearer", "header", "basic", "query"}
	obj := f.object(e.val, p, "auth", kinds...)
	if obj == nil {
		return model.RemoteAuth{}
	}
	if len(obj) != 1 {
		f.errorf(e.val, p, "auth must have exactly one of %s, found %d", strings.Join(kinds, ", "), len(obj))
		return model.RemoteAuth{}
	}
	for kind, v := range obj {
		a := model.RemoteAuth{Kind: kind}
		kp := append(p, kind)
		switch kind {
		case "bearer":
			a.Value, _ = f.template(v, kp)
		case "basic":
			o := f.object(v.val, kp, "basic", "username", "password")
			if u, ok := o["username"]; ok {
				a.Username, _ = f.template(u, append(kp, "username"))
			} else if o != nil {
				f.errorf(v.val, kp, "basic needs username (and password, which may be a fixed text such as X)")
			}
			if pw, ok := o["password"]; ok {
				if pw.val.Kind == yaml.ScalarNode && pw.val.Value == "" {
					a.Password = ""
				} else {
					a.Password, _ = f.template(pw, append(kp, "password"))
				}
			}
		default: // header, query
			o := f.object(v.val, kp, kind, "name", "value")
			if n, ok := o["name"]; ok {
				a.Name, _ = f.str(n, append(kp, "name"))
				re := headerName
				if kind == "query" {
					re = queryName
				}
				if a.Name != "" && !re.MatchString(a.Name) {
					f.errorf(n.val, append(kp, "name"), "%q is not a valid %s name", a.Name, kind)
				}
			} else if o != nil {
				f.errorf(v.val, kp, "%s needs name and value", kind)
			}
			if val, ok := o["value"]; ok {
				a.Value, _ = f.template(val, append(kp, "value"))
			} else if o != nil {
				f.errorf(v.val, kp, "%s needs name and value", kind)
			}
		}
		return a
	}
	return model.RemoteAuth{}
}

// pairs reads an object of name: template.
func (f *remoteFile) pairs(top map[string]entry, key string, valid *regexp.Regexp) []model.NameValue {
	e, ok := top[key]
	if !ok {
		return nil
	}
	obj := f.object(e.val, []string{key}, key)
	var out []model.NameValue
	for _, name := range sortedKeys(obj) {
		v := obj[name]
		p := []string{key, name}
		if !valid.MatchString(name) {
			f.errorf(v.key, p, "%q is not a valid name", name)
			continue
		}
		if s, ok := f.template(v, p); ok {
			out = append(out, model.NameValue{Name: name, Value: s})
		}
	}
	return out
}

func (f *remoteFile) rateLimit(e entry) model.RemoteRateLimit {
	p := []string{"rate_limit"}
	rl := model.RemoteRateLimit{}
	obj := f.object(e.val, p, "rate_limit", "status", "retry_after", "reset", "forward")
	if s, ok := obj["status"]; ok {
		if s.val.Kind != yaml.SequenceNode || len(s.val.Content) == 0 {
			f.errorf(s.val, append(p, "status"), "status must be a non-empty list of HTTP statuses, such as [429]")
		} else {
			for i, c := range s.val.Content {
				n, err := strconv.Atoi(c.Value)
				if c.Kind != yaml.ScalarNode || err != nil || n < 400 || n > 599 {
					f.errorf(c, append(p, "status", strconv.Itoa(i)), "%q is not an error status (400-599)", c.Value)
					continue
				}
				rl.Status = append(rl.Status, n)
			}
		}
	} else {
		rl.Status = []int{http.StatusTooManyRequests}
	}
	if s, ok := obj["retry_after"]; ok {
		if v, ok := f.str(s, append(p, "retry_after")); ok && headerName.MatchString(v) {
			rl.RetryAfter = v
		} else if ok {
			f.errorf(s.val, append(p, "retry_after"), "%q is not a header name", v)
		}
	}
	if s, ok := obj["reset"]; ok {
		r := f.object(s.val, append(p, "reset"), "reset", "header", "unit")
		if h, ok := r["header"]; ok {
			rl.ResetHeader, _ = f.str(h, append(p, "reset", "header"))
		} else if r != nil {
			f.errorf(s.val, append(p, "reset"), "reset needs header and unit (seconds or epoch)")
		}
		if u, ok := r["unit"]; ok {
			if v, _ := f.str(u, append(p, "reset", "unit")); v == "seconds" || v == "epoch" {
				rl.ResetUnit = v
			} else {
				f.errorf(u.val, append(p, "reset", "unit"), "unit must be seconds (from now) or epoch (a Unix time)%s", suggest(v, []string{"seconds", "epoch"}))
			}
		} else if r != nil {
			f.errorf(s.val, append(p, "reset"), "reset needs a unit: seconds or epoch")
		}
	}
	if s, ok := obj["forward"]; ok {
		if s.val.Kind != yaml.SequenceNode {
			f.errorf(s.val, append(p, "forward"), "forward must be a list of header names")
		} else {
			for i, c := range s.val.Content {
				if c.Kind != yaml.ScalarNode || !headerName.MatchString(c.Value) {
					f.errorf(c, append(p, "forward", strconv.Itoa(i)), "%q is not a header name", c.Value)
					continue
				}
				rl.Forward = append(rl.Forward, c.Value)
			}
		}
	}
	return rl
}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// mapping checks one operation's mapping against the operation.
func (f *remoteFile) mapping(oe entry, p []string, op *model.Operation, ri *model.RemoteIntegration) (model.RemoteMapping, bool) {
	m := model.RemoteMapping{Operation: op.ID, OpGoName: op.GoName, Kind: op.Kind, Integration: ri.ID, IntGoName: ri.GoName, File: ri.File}
	before := len(f.diags)
	obj := f.object(oe.val, p, "an operation mapping", "method", "path", "body", "query", "record", "unified", "next_cursor", "fields")
	if obj == nil {
		return m, false
	}
	if e, ok := obj["method"]; !ok {
		f.errorf(oe.key, p, "method is missing: the provider's HTTP method (%s)", strings.Join(methods, ", "))
	} else if v, ok := f.str(e, append(p, "method")); ok {
		if !slices.Contains(methods, v) {
			f.errorf(e.val, append(p, "method"), "method %q is not one of %s%s", v, strings.Join(methods, ", "), suggest(strings.ToUpper(v), methods))
		}
		m.Method = v
	}
	extra := []string{"id"}
	if e, ok := obj["path"]; !ok {
		f.errorf(oe.key, p, "path is missing: the provider's path, relative to base_url, such as /users/{id}")
	} else if v, ok := f.template(e, append(p, "path"), extra...); ok {
		switch {
		case !strings.HasPrefix(v, "/"):
			f.errorf(e.val, append(p, "path"), "path must start with /")
		case strings.ContainsAny(v, "?#"):
			f.errorf(e.val, append(p, "path"), "path must not have a query: map query parameters with query")
		case op.HasID && !slices.Contains(placeholders(v), "id"):
			f.errorf(e.val, append(p, "path"), "path must contain {id}: %s names the record in its URL, and only the path can pass it on", op.ID)
		case !op.HasID && slices.Contains(placeholders(v), "id"):
			f.errorf(e.val, append(p, "path"), "%s has no record id: {id} is only for operations whose path has one", op.ID)
		}
		m.Path = v
	}
	if e, ok := obj["body"]; ok {
		if m.Method == http.MethodGet {
			f.errorf(e.key, append(p, "body"), "a GET request has no body")
		}
		m.Body = f.expr(e, append(p, "body"), op.Body, "the request body", nil, m.ExprFunc("Body"))
	}
	if e, ok := obj["query"]; ok {
		m.Query = f.expr(e, append(p, "query"), op.MappingQuerySchema(), "the query", nil, m.ExprFunc("Query"))
		if m.Query != nil {
			m.QueryReads, m.QueryReadsAll = mapping.RootReads(m.Query.Expr.(*mapping.Expr))
		}
	}
	if e, ok := obj["record"]; ok {
		m.Record = f.expr(e, append(p, "record"), nil, "the provider's answer", nil, m.ExprFunc("Record"))
	}
	if e, ok := obj["unified"]; !ok {
		f.errorf(oe.key, p, "unified is missing: map the provider's record to the unified %s", schemaName(op.ResponseSchema))
	} else {
		m.Unified = f.expr(e, append(p, "unified"), nil, "the provider's record", op.ResponseSchema, m.ExprFunc("Unified"))
		if m.Unified != nil {
			f.unifiedKeys(e, append(p, "unified"), m.Unified.Expr.(*mapping.Expr), op, ri)
		}
	}
	if e, ok := obj["next_cursor"]; ok {
		if op.Kind != model.List {
			f.errorf(e.key, append(p, "next_cursor"), "next_cursor is for list operations; %s is a %s", op.ID, op.Method)
		} else {
			m.NextCursor = f.expr(e, append(p, "next_cursor"), nil, "the provider's answer", nil, m.ExprFunc("NextCursor"))
		}
	}
	if e, ok := obj["fields"]; ok {
		fo := f.object(e.val, append(p, "fields"), "fields")
		var names []string
		for _, fld := range op.Request {
			names = append(names, fld.Name)
		}
		for _, k := range sortedKeys(fo) {
			v := fo[k]
			fp := append(p, "fields", k)
			s, ok := f.str(v, fp)
			if !ok {
				continue
			}
			top := s
			if i := strings.IndexAny(s, ".["); i >= 0 {
				top = s[:i]
			}
			if !slices.Contains(names, top) {
				f.errorf(v.val, fp, "%q is not a request field of %s%s", s, op.ID, suggest(top, names))
				continue
			}
			m.Fields = append(m.Fields, model.NameValue{Name: k, Value: s})
		}
	}
	return m, len(f.diags) == before
}

// unifiedKeys reports the keys of a unified object constructor that the
// integration's response matrix does not list: the service would drop
// them, so the mapping says something that never reaches a client.
func (f *remoteFile) unifiedKeys(e entry, p []string, x *mapping.Expr, op *model.Operation, ri *model.RemoteIntegration) {
	if x.Kind != mapping.Object {
		return
	}
	for _, k := range x.Keys {
		var cells []model.Cell
		found := false
		for _, fld := range op.Response {
			if fld.Name == k.Name {
				cells, found = fld.Cells, true
			}
		}
		if !found {
			l, c := f.exprAt(e.val, k.Pos.Line, k.Pos.Col)
			f.errorAt(l, c, p, "%q is not a field of the %s response (its response matrix has no entry for it)%s", k.Name, op.ID, suggest(k.Name, responseNames(op)))
			continue
		}
		if model.CellLevel(cells, ri.ID) == model.Unsupported {
			l, c := f.exprAt(e.val, k.Pos.Line, k.Pos.Col)
			f.errorAt(l, c, p, "the response matrix of %s does not list %q for %s: the service would drop it; add the cell or remove the key", op.ID, k.Name, ri.ID)
		}
	}
}

func responseNames(op *model.Operation) []string {
	var out []string
	for _, f := range op.Response {
		out = append(out, f.Name)
	}
	return out
}

func schemaName(s *model.Schema) string {
	if s == nil {
		return "record"
	}
	return s.Name
}
