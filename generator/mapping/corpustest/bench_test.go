package corpustest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	jsonata "github.com/blues/jsonata-go"
	"github.com/unifiedgen/unifiedgen/runtime/mapping"
)

// benchCase is a realistic create-user request mapping: concatenation,
// indexing, a per-item object step, $map with a conditional, $join,
// $string and a nested field.
const benchCase = "CreateUserRequest"

func benchInput(b *testing.B, useNumber bool) any {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, "inputs", "user_full.json"))
	if err != nil {
		b.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if useNumber {
		dec.UseNumber()
	}
	var in any
	if err := dec.Decode(&in); err != nil {
		b.Fatal(err)
	}
	return in
}

func benchExpr(b *testing.B) string {
	b.Helper()
	var cases []corpusCase
	data, err := os.ReadFile(filepath.Join(corpusDir, "expressions.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		if c.Name == benchCase {
			return c.Expr
		}
	}
	b.Fatalf("no corpus case %s", benchCase)
	return ""
}

// BenchmarkMapping compares the compiled mapping with jsonata-go
// evaluating the same expression, compiled once outside the loop, on the
// same document (decoded as each expects), and with the same mapping
// written by hand in Go: the floor, set by building the output's maps,
// slices and strings. Decoding is not measured.
//
//	go test ./generator/mapping/corpustest -run '^$' -bench Mapping -benchmem
func BenchmarkMapping(b *testing.B) {
	b.Run("compiled", func(b *testing.B) {
		in := benchInput(b, true)
		f := Compiled[benchCase]
		b.ReportAllocs()
		for b.Loop() {
			out, err := f(in)
			if err != nil || mapping.IsUndefined(out) {
				b.Fatal(out, err)
			}
		}
	})
	b.Run("jsonata-go", func(b *testing.B) {
		in := benchInput(b, false)
		e, err := jsonata.Compile(benchExpr(b))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Eval(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		in := benchInput(b, true)
		want, _ := Compiled[benchCase](in)
		if got := handwritten(in); !reflect.DeepEqual(got, want) {
			b.Fatalf("handwritten %v, compiled %v", got, want)
		}
		b.ReportAllocs()
		for b.Loop() {
			handwritten(in)
		}
	})
}

// handwritten is CreateUserRequest as a Go programmer would write it for
// this one input shape, without JSONata's generality (no undefined, no
// singleton rule, no type checks).
func handwritten(in any) any {
	m := in.(map[string]any)
	out := make(map[string]any, 8)
	out["name"] = m["first_name"].(string) + " " + m["last_name"].(string)
	emails := m["emails"].([]any)
	out["email"] = emails[0].(map[string]any)["email"]
	addresses := make([]any, 0, len(emails))
	for _, e := range emails {
		em := e.(map[string]any)
		kind := "OTHER"
		if em["type"] == "primary" {
			kind = "PRIMARY"
		}
		addresses = append(addresses, map[string]any{"address": strings.ToLower(em["email"].(string)), "kind": kind})
	}
	out["emails"] = addresses
	roles := m["roles"].([]any)
	names := make([]any, 0, len(roles))
	for _, r := range roles {
		role := "AGENT"
		if r.(map[string]any)["id"] == "owner" {
			role = "ADMIN"
		}
		names = append(names, role)
	}
	out["roles"] = names
	teams := m["team_ids"].([]any)
	ids := make([]string, len(teams))
	for i, t := range teams {
		ids[i] = t.(string)
	}
	out["teams"] = strings.Join(ids, ",")
	out["active"] = m["is_active"]
	out["external_id"] = string(m["id"].(json.Number))
	out["department"] = m["custom_fields"].(map[string]any)["department"]
	return out
}
