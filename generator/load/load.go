// Package load reads an OpenAPI document with kin-openapi and validates it,
// keeping the YAML node tree beside it: kin-openapi keeps vendor extensions
// as plain maps without positions, and every later error must still name a
// file and a line.
package load

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/unifiedgen/unifiedgen/diag"
)

// Spec is a loaded, valid OpenAPI 3.0 document.
type Spec struct {
	File string
	Doc  *openapi3.T
	root *yaml.Node
	data []byte
}

// File loads and validates the document at path.
func File(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, diag.List{{File: path, Msg: err.Error()}}
	}
	return Bytes(path, data)
}

// ParseYAML parses data as the loader does, for diag.YAMLError.
func ParseYAML(data []byte) error {
	var doc yaml.Node
	return yaml.Unmarshal(data, &doc)
}

// Bytes loads and validates a document read from file.
func Bytes(file string, data []byte) (*Spec, error) {
	if d := checkUTF8(file, data); d != nil {
		return nil, diag.List{*d}
	}
	// kin-openapi reads the document on its own, from the bytes; it runs
	// while this function checks what kin-openapi would not (the YAML
	// tree, duplicate keys, references), which is about a fifth of a
	// large spec's load. Its result is used only if those checks pass.
	type loaded struct {
		t   *openapi3.T
		err error
	}
	kin := make(chan loaded, 1)
	go func() {
		t, err := openAPI(file, data, false)
		kin <- loaded{t, err}
	}()
	// Every return below waits for it: nothing of a call outlives it.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		<-kin
		line, col, msg := diag.YAMLError(data, err, ParseYAML)
		return nil, diag.List{{File: file, Line: line, Col: col, Path: diag.FormatPath(diag.YAMLPathBefore(data, line)...), Msg: "invalid YAML: " + msg}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		<-kin
		return nil, diag.List{{File: file, Line: 1, Col: 1, Msg: "the spec must be a YAML or JSON object"}}
	}
	s := &Spec{File: file, root: doc.Content[0], data: data}
	// kin-openapi keeps the last of two equal keys without a word; a spec
	// edit that adds a second `name:` cell must not silently drop the first.
	var dups diag.List
	s.walkDuplicates(s.root, nil, &dups)
	if err := dups.Err(); err != nil {
		<-kin
		return nil, err
	}
	if err := unique(s.checkRefs()); err != nil {
		<-kin
		return nil, err
	}
	k := <-kin
	if k.err == nil {
		if !strings.HasPrefix(k.t.OpenAPI, "3.0.") {
			return nil, diag.List{s.At(fmt.Sprintf("openapi version %q is not supported; use 3.0.x", k.t.OpenAPI), "openapi")}
		}
		if k.t.Validate(context.Background(), openapi3.EnableMultiError()) == nil {
			if err := unique(s.checkNames(k.t)); err != nil {
				return nil, err
			}
			s.Doc = k.t
			return s, nil
		}
	}
	return nil, s.diagnose(file, data)
}

// openAPI loads the document with kin-openapi. With origins, every value
// records its position, which errors then carry; that is a third of a
// large spec's load, so only a document already known to be wrong is
// loaded that way.
func openAPI(file string, data []byte, origins bool) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = origins
	loader.IsExternalRefsAllowed = false
	return loader.LoadFromDataWithPath(data, &url.URL{Path: file})
}

// diagnose says what kin-openapi finds wrong with the document, and where:
// it loads and validates the document again, with origins.
func (s *Spec) diagnose(file string, data []byte) error {
	t, err := openAPI(file, data, true)
	if err != nil {
		if list := s.loaderDiagnostics(err); len(list) > 0 {
			return unique(list)
		}
		return unique(s.kinDiagnostics("cannot load OpenAPI document", err))
	}
	if err := t.Validate(context.Background(), openapi3.EnableMultiError()); err != nil {
		return unique(s.kinDiagnostics("invalid OpenAPI document", err))
	}
	// Refused without origins, accepted with them: a kin-openapi bug.
	return diag.List{{File: file, Line: 1, Col: 1, Msg: "kin-openapi refused the document only when loading it without positions; please report this"}}
}

// unique returns l without repeats as an error, or nil when it is empty: a
// problem reached along two routes (a shared parameter seen from each of
// its operations) is reported once.
func unique(l diag.List) error {
	l.Sort()
	return slices.Compact(l).Err()
}

func (s *Spec) walkDuplicates(n *yaml.Node, path []string, out *diag.List) {
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := append(path[:len(path):len(path)], k.Value)
			if first, ok := seen[k.Value]; ok {
				*out = append(*out, diag.Diagnostic{File: s.File, Line: k.Line, Col: k.Column, Path: diag.FormatPath(p...),
					Msg: fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, first)})
				continue
			}
			seen[k.Value] = k.Line
			s.walkDuplicates(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			s.walkDuplicates(c, append(path[:len(path):len(path)], strconv.Itoa(i)), out)
		}
	}
}

// Data is the document's text, as read.
func (s *Spec) Data() []byte { return s.data }

// At builds a diagnostic for the node at path (object keys and sequence
// indexes from the document root), pointing at the deepest part of the path
// that exists.
func (s *Spec) At(msg string, path ...string) diag.Diagnostic {
	line, col := s.Pos(path...)
	return diag.Diagnostic{File: s.File, Line: line, Col: col, Path: diag.FormatPath(path...), Msg: msg}
}

// Pos returns the line and column of the key (or sequence item) at path, or
// of its nearest existing ancestor.
func (s *Spec) Pos(path ...string) (line, col int) {
	n := s.root
	line, col = n.Line, n.Column
	for _, seg := range path {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					line, col = n.Content[i].Line, n.Content[i].Column
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line, col = next.Line, next.Column
			}
		}
		if next == nil {
			return line, col
		}
		n = next
	}
	return line, col
}
