package generator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generator"
)

// BenchmarkGenerate measures the whole in-memory pipeline (load, model,
// every emitter, gofmt) on the seed spec and on synthetic specs of growing
// size, so the cost's growth with operations and integrations is visible.
func BenchmarkGenerate(b *testing.B) {
	b.Run("seed", func(b *testing.B) {
		bench(b, filepath.Join(repoRoot(b), "spec", "openapi.yaml"))
	})
	for _, size := range []struct{ ops, integrations int }{
		{10, 10}, {100, 10}, {10, 100}, {100, 100}, {500, 10}, {500, 100},
	} {
		b.Run(fmt.Sprintf("ops=%d/integrations=%d", size.ops, size.integrations), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "spec.yaml")
			if err := os.WriteFile(path, []byte(syntheticSpec(size.ops, size.integrations)), 0o644); err != nil {
				b.Fatal(err)
			}
			bench(b, path)
		})
	}
}

func bench(b *testing.B, spec string) {
	b.ReportAllocs()
	var bytes int
	for b.Loop() {
		files, err := generator.Generate(generator.Config{Spec: spec, Out: b.TempDir(), Package: "unified"})
		if err != nil {
			b.Fatal(err)
		}
		bytes = 0
		for _, f := range files {
			bytes += len(f.Content)
		}
	}
	b.ReportMetric(float64(bytes), "out-bytes")
}

// syntheticSpec builds a valid spec with ops POST operations, each with its
// own 10-field body (strings, an enum, an array of objects, a free-form
// object), one integration-specific query parameter, and a matrix over
// integrations integrations where every third cell is required and every
// fifth is absent.
func syntheticSpec(ops, integrations int) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: synthetic, version: 1.0.0}\nx-unified-integrations:\n")
	for i := range integrations {
		fmt.Fprintf(&b, "  - {id: int%03d, name: Integration %d}\n", i, i)
	}
	fields := []string{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "status", "items", "extra"}
	b.WriteString("paths:\n")
	for o := range ops {
		fmt.Fprintf(&b, "  /unified/synthetic/things%d:\n    post:\n      operationId: createThing%d\n", o, o)
		b.WriteString("      parameters:\n        - {name: scope, in: query, schema: {type: string}}\n")
		b.WriteString("        - {name: integrated_account_id, in: query, required: true, schema: {type: string, format: uuid}}\n")
		fmt.Fprintf(&b, "      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Thing%dInput'}\n", o)
		fmt.Fprintf(&b, "      responses:\n        '201':\n          description: created\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Thing%d'}\n", o)
		fmt.Fprintf(&b, "      x-unified-support:\n        model: synthetic\n        resource: things%d\n        method: create\n        integrations: [", o)
		for i := range integrations {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "int%03d", i)
		}
		b.WriteString("]\n        query:\n          scope: {int000: required}\n          integrated_account_id: {'*': supported}\n        request:\n")
		for fi, f := range fields {
			fmt.Fprintf(&b, "          %s: {", f)
			n := 0
			for i := range integrations {
				if (i+fi)%5 == 4 {
					continue
				}
				if n > 0 {
					b.WriteString(", ")
				}
				n++
				level := "supported"
				if (i+fi)%3 == 0 {
					level = "required"
				}
				fmt.Fprintf(&b, "int%03d: %s", i, level)
			}
			b.WriteString("}\n")
		}
		b.WriteString("        response:\n          id: {'*': supported}\n")
		b.WriteString("        enums:\n          status: {int001: [active]}\n")
	}
	b.WriteString("components:\n  schemas:\n")
	for o := range ops {
		fmt.Fprintf(&b, "    Thing%d:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string}\n", o)
		fmt.Fprintf(&b, "    Thing%dInput:\n      type: object\n      additionalProperties: false\n      properties:\n", o)
		for _, f := range fields[:7] {
			fmt.Fprintf(&b, "        %s: {type: string}\n", f)
		}
		b.WriteString("        status: {type: string, enum: [active, inactive]}\n")
		fmt.Fprintf(&b, "        items:\n          type: array\n          items: {$ref: '#/components/schemas/Thing%dItem'}\n", o)
		b.WriteString("        extra: {type: object, additionalProperties: true}\n")
		fmt.Fprintf(&b, "    Thing%dItem:\n      type: object\n      required: [key]\n      properties:\n        key: {type: string}\n        count: {type: integer}\n", o)
	}
	return b.String()
}
