package validation

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The rules are part of the error body, and the spec lists them for
// clients (components.schemas.Failure.rule): every Rule constant declared
// here is in that enum, and the enum has no other.
func TestRulesAreTheSpecs(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "failure.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	ast.Inspect(f, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok {
			if id, ok := v.Type.(*ast.Ident); ok && id.Name == "Rule" {
				for _, val := range v.Values {
					s, err := strconv.Unquote(val.(*ast.BasicLit).Value)
					if err != nil {
						t.Fatal(err)
					}
					declared = append(declared, s)
				}
			}
		}
		return true
	})
	data, err := os.ReadFile("../../spec/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Failure struct {
					Properties struct {
						Rule struct {
							Enum []string `yaml:"enum"`
						} `yaml:"rule"`
					} `yaml:"properties"`
				} `yaml:"Failure"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	spec := doc.Components.Schemas.Failure.Properties.Rule.Enum
	slices.Sort(declared)
	slices.Sort(spec)
	if len(declared) < 10 || !slices.Equal(declared, spec) {
		t.Errorf("Rule constants %q, the spec's Failure.rule enum %q", declared, spec)
	}
}
