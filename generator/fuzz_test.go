package generator_test

// FuzzLoadAndBuild feeds arbitrary specs to the front of the pipeline. A
// short pass:
//
//	go test -run='^$' -fuzz='^FuzzLoadAndBuild$' -fuzztime=30s -fuzzminimizetime=50x ./generator
//
// -fuzzminimizetime=50x bounds how long a worker minimizes each new
// interesting input: coverage here is not quite deterministic (map order,
// sync.Pool), and with the default 60s a short pass spends most of its
// time minimizing instead of executing.
//
// The seed corpus is testdata/fuzz/FuzzLoadAndBuild/ plus, added here, the
// repository's spec and every spec.yaml under testdata/good and testdata/bad
// as they are now.

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator/build"
	"github.com/unifiedgen/unifiedgen/generator/load"
)

// maxFuzzSpec bounds the inputs: the repository's spec is under 40 KiB, and
// larger inputs only slow the fuzzer down.
const maxFuzzSpec = 64 << 10

func FuzzLoadAndBuild(f *testing.F) {
	seeds := []string{filepath.Join("..", "spec", "openapi.yaml")}
	for _, kind := range []string{"good", "bad"} {
		m, err := filepath.Glob(filepath.Join("testdata", kind, "*", "spec.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) <= maxFuzzSpec {
			f.Add(data)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzSpec {
			t.Skip("larger than any spec worth fuzzing")
		}
		// One file per worker process, rewritten for each input: the
		// pipeline reads specs from files, and diagnostics name them.
		path := filepath.Join(dir, "spec.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := load.File(path)
		if err == nil {
			if s == nil || s.Doc == nil {
				t.Fatal("load.File returned neither a spec nor an error")
			}
			api, berr := build.Model(s)
			if err = berr; err == nil && api == nil {
				t.Fatal("build.Model returned neither a model nor an error")
			}
		}
		if err == nil {
			return
		}
		var list diag.List
		if !errors.As(err, &list) {
			t.Fatalf("error is a %T, not a diag.List: %v", err, err)
		}
		if len(list) == 0 {
			t.Fatalf("empty diag.List as an error")
		}
		for i, d := range list {
			if d.File != path {
				t.Fatalf("diagnostic %d names file %q, want %q: %s", i, d.File, path, d)
			}
			if d.Msg == "" {
				t.Fatalf("diagnostic %d has no message: %s", i, d)
			}
			if d.Line < 0 || d.Col < 0 || (d.Line == 0 && d.Col != 0) {
				t.Fatalf("diagnostic %d has position %d:%d: %s", i, d.Line, d.Col, d)
			}
		}
	})
}
