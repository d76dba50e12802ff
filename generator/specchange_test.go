package generator_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/unifiedgen/unifiedgen/generator"
)

// TestSpecChange is the promise of the product: a spec edit plus one
// regeneration changes the service's behaviour, with no Go edit. It adds an
// integration to a copy of the spec, makes `name` required for it and
// narrows `status` to one value, regenerates, builds a program against the
// new code and runs it on three bodies.
func TestSpecChange(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	root := repoRoot(t)
	var doc map[string]any
	data, err := os.ReadFile(filepath.Join(root, "spec", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["x-unified-integrations"] = append(doc["x-unified-integrations"].([]any), map[string]any{"id": "zendesk", "name": "Zendesk"})
	create := doc["paths"].(map[string]any)["/unified/ticketing/users"].(map[string]any)["post"].(map[string]any)
	sup := create["x-unified-support"].(map[string]any)
	sup["integrations"] = append(sup["integrations"].([]any), "zendesk")
	req := sup["request"].(map[string]any)
	req["name"].(map[string]any)["zendesk"] = "required"
	req["status"].(map[string]any)["zendesk"] = "supported"
	sup["response"].(map[string]any)["id"].(map[string]any)["zendesk"] = "supported"
	sup["enums"].(map[string]any)["status"].(map[string]any)["zendesk"] = []any{"active"}

	dir := t.TempDir()
	specPath := filepath.Join(dir, "openapi.yaml")
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(specPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	// The integration definition files the registry names, beside it.
	if err := os.CopyFS(filepath.Join(dir, "integrations"), os.DirFS(filepath.Join(root, "spec", "integrations"))); err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(dir, "gen")
	if err := generator.Run(generator.Config{Spec: specPath, Out: gen, Package: "gen"}); err != nil {
		t.Fatalf("regenerate: %v", err)
	}
	writeModule(t, root, dir, "specchange")
	main := `package main

import (
	"encoding/json"
	"os"

	"specchange/gen"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

func main() {
	var r validation.Report
	in := gen.CreateUserOperation.New()
	in.DecodeBody([]byte(os.Args[1]), &r)
	implemented := in.Validate("zendesk", &r)
	json.NewEncoder(os.Stdout).Encode(map[string]any{"implemented": implemented, "failures": r.Failures, "ignored": r.Ignored})
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "check")
	goCmd(t, dir, "build", "-o", bin, ".")

	run := func(body string) (result struct {
		Implemented bool
		Failures    []struct{ Field, Rule, Integration, Message string }
		Ignored     []struct{ Location, Field string }
	}) {
		out, err := exec.Command(bin, body).Output()
		if err != nil {
			t.Fatalf("run %s: %v", body, err)
		}
		if err := json.Unmarshal(out, &result); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		return result
	}

	missing := run(`{"avatar": "https://example.com/a.png"}`)
	if !missing.Implemented || len(missing.Failures) != 1 || missing.Failures[0].Field != "name" ||
		missing.Failures[0].Rule != "integration_required" || missing.Failures[0].Integration != "zendesk" ||
		!strings.Contains(missing.Failures[0].Message, "Zendesk") {
		t.Errorf("request without name: %+v", missing)
	}
	if len(missing.Ignored) != 1 || missing.Ignored[0].Field != "avatar" {
		t.Errorf("avatar is not supported by the new integration and must be dropped: %+v", missing.Ignored)
	}
	narrowed := run(`{"name": "Z", "status": "inactive"}`)
	if len(narrowed.Failures) != 1 || narrowed.Failures[0].Rule != "integration_enum" || narrowed.Failures[0].Field != "status" {
		t.Errorf("status outside the new subset: %+v", narrowed)
	}
	complete := run(`{"name": "Z", "status": "active"}`)
	if len(complete.Failures) != 0 || len(complete.Ignored) != 0 {
		t.Errorf("complete request rejected: %+v", complete)
	}
}
