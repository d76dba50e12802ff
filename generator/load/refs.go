package load

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/unifiedgen/unifiedgen/diag"
)

// A ref is one `$ref: '#/...'` in the document.
type ref struct {
	at     []string   // path of the $ref key
	value  string     // as written
	holder *yaml.Node // the mapping the $ref key is in
	target *yaml.Node // what it resolves to; nil when it does not
}

// checkRefs resolves every $ref on the YAML tree before kin-openapi sees
// the document: kin-openapi reports a $ref it cannot follow as `map key
// "X" not found` or `found unresolved ref` without a position (and a ref
// cycle as an unresolved ref), while here each one can be reported at the
// $ref itself, with the name it most likely meant.
func (s *Spec) checkRefs() diag.List {
	var refs []*ref
	s.collectRefs(s.root, nil, "", &refs)
	var out diag.List
	for _, r := range refs {
		if msg := s.resolve(r); msg != "" {
			out = append(out, s.At(msg, r.at...))
		}
	}
	out = append(out, s.refCycles(refs)...)
	return out
}

// collectRefs finds the $ref keys under n. Values that are data rather
// than OpenAPI objects (examples, defaults, enums, extensions) are not
// searched: a "$ref" there is just a string.
func (s *Spec) collectRefs(n *yaml.Node, path []string, parentKey string, out *[]*ref) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := append(path[:len(path):len(path)], k.Value)
			if k.Value == "$ref" && v.Kind == yaml.ScalarNode && parentKey != "properties" {
				*out = append(*out, &ref{at: p, value: v.Value, holder: n})
				continue
			}
			if !nameMaps[parentKey] && isData(k.Value, path) {
				continue
			}
			s.collectRefs(v, p, k.Value, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			s.collectRefs(c, append(path[:len(path):len(path)], strconv.Itoa(i)), "", out)
		}
	}
}

// nameMaps are the keys whose values map names chosen by the spec's author
// (a property, a response code, a schema) to objects: a response named
// "default" or a property named "example" is no keyword.
var nameMaps = map[string]bool{
	"properties": true, "paths": true, "responses": true, "schemas": true, "parameters": true,
	"requestBodies": true, "headers": true, "content": true, "examples": true, "links": true,
	"callbacks": true, "securitySchemes": true, "encoding": true,
}

// isData reports whether the value of key (in the object at path) is
// free-form data.
func isData(key string, path []string) bool {
	switch {
	case strings.HasPrefix(key, "x-"), key == "example", key == "default", key == "enum":
		return true
	case key == "value" && len(path) >= 2 && path[len(path)-2] == "examples":
		return true
	}
	return false
}

// resolve follows r's JSON pointer on the YAML tree, sets r.target and
// returns "" or what is wrong.
func (s *Spec) resolve(r *ref) string {
	file, frag, hasFrag := strings.Cut(r.value, "#")
	switch {
	case file != "":
		return fmt.Sprintf("$ref %q points into another file; the generator reads one document, so move the definition into this one (under components) and refer to it as #/components/...", r.value)
	case !hasFrag:
		return "$ref is empty; write the JSON pointer of the definition, such as #/components/schemas/User"
	}
	frag, err := url.PathUnescape(frag)
	if err != nil || frag != "" && !strings.HasPrefix(frag, "/") {
		return fmt.Sprintf("$ref %q is not a JSON pointer; write it as #/components/schemas/Name", r.value)
	}
	n := s.root
	var walked []string
	if frag != "" {
		for _, tok := range strings.Split(frag[1:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			for n.Kind == yaml.AliasNode {
				n = n.Alias
			}
			next, keys := child(n, tok)
			if next == nil {
				where := "the document root"
				if len(walked) > 0 {
					where = diag.FormatPath(walked...)
				}
				return fmt.Sprintf("$ref %q points to nothing: %s has no %q%s", r.value, where, tok, diag.Suggest(tok, keys))
			}
			walked = append(walked, tok)
			n = next
		}
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	r.target = n
	return ""
}

// child returns the value at key tok of a mapping or the item at index tok
// of a sequence, or nil and the keys that do exist (for a suggestion).
func child(n *yaml.Node, tok string) (*yaml.Node, []string) {
	switch n.Kind {
	case yaml.MappingNode:
		var keys []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1], nil
			}
			keys = append(keys, n.Content[i].Value)
		}
		return nil, keys
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], nil
		}
	}
	return nil, nil
}

// refCycles reports every cycle of $refs that only point to further $refs
// (A: {$ref: B}, B: {$ref: A}): nothing in it is ever defined. A $ref
// leading into such a cycle is not reported; it resolves once the cycle
// is broken. A schema that refers to itself from inside (a tree node
// whose children are nodes) is not a cycle of this kind.
func (s *Spec) refCycles(refs []*ref) diag.List {
	byHolder := map[*yaml.Node]*ref{}
	for _, r := range refs {
		byHolder[r.holder] = r
	}
	var out diag.List
	reported := map[*ref]bool{}
	for _, start := range refs {
		var chain []*ref
		for r := start; r != nil && r.target != nil && !reported[r]; r = byHolder[r.target] {
			if i := slices.Index(chain, r); i >= 0 {
				cycle := chain[i:]
				for _, c := range cycle {
					reported[c] = true
				}
				out = append(out, s.cycleDiag(cycle))
				break
			}
			chain = append(chain, r)
		}
	}
	return out
}

// cycleDiag reports cycle at its first $ref in document order.
func (s *Spec) cycleDiag(cycle []*ref) diag.Diagnostic {
	first := 0
	for i, r := range cycle {
		li, ci := s.Pos(r.at...)
		lf, cf := s.Pos(cycle[first].at...)
		if li < lf || li == lf && ci < cf {
			first = i
		}
	}
	cycle = append(cycle[first:], cycle[:first]...)
	steps := make([]string, 0, len(cycle)+1)
	for _, r := range append(cycle, cycle[0]) {
		steps = append(steps, diag.FormatPath(r.at[:len(r.at)-1]...))
	}
	return s.At(fmt.Sprintf("$ref cycle %s: each is only a $ref to the next, so none of them is defined; replace one $ref with the definition", strings.Join(steps, " -> ")), cycle[0].at...)
}
