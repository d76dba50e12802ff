package generator_test

// Golden tests, one directory per case (the sqlc style):
//
//	testdata/good/<case>/spec.yaml   a valid spec
//	testdata/good/<case>/want/...    exactly the files Generate returns
//	testdata/bad/<case>/spec.yaml    a spec with mistakes
//	testdata/bad/<case>/want.err     the exact error text, paths relative to the case dir
//
// Rewrite the goldens after an intended change with
//
//	go test ./generator/ -run Golden -update
//
// and review the diff.

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/generator"
	"github.com/unifiedgen/unifiedgen/generator/emit"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenPackage = "unified"

// goldenCases lists the case directories under testdata/<kind>, as paths relative
// to this package's directory (where go test runs), with forward slashes:
// the spec path ends up in the headers of the generated files.
func goldenCases(t *testing.T, kind string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", kind))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, "testdata/"+kind+"/"+e.Name())
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no cases under testdata/%s", kind)
	}
	return dirs
}

func goldenGenerate(t *testing.T, dir string) ([]emit.File, error) {
	t.Helper()
	spec := dir + "/spec.yaml"
	if _, err := os.Stat(spec); err != nil {
		spec = dir + "/openapi.yaml"
	}
	return generator.Generate(generator.Config{Spec: spec, Out: t.TempDir(), Package: goldenPackage})
}

// goldenReadTree returns every file under root, keyed by slash-separated path
// relative to root.
func goldenReadTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func TestGoldenGood(t *testing.T) {
	for _, dir := range goldenCases(t, "good") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			files, err := goldenGenerate(t, dir)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			wantDir := filepath.Join(dir, "want")
			if *update {
				if err := os.RemoveAll(wantDir); err != nil {
					t.Fatal(err)
				}
				for _, f := range files {
					p := filepath.Join(wantDir, filepath.FromSlash(f.Path))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Content, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := goldenReadTree(t, wantDir)
			if len(want) == 0 {
				t.Fatalf("%s is empty; run go test ./generator/ -run Golden -update", wantDir)
			}
			got := map[string]bool{}
			for _, f := range files {
				got[f.Path] = true
				w, ok := want[f.Path]
				switch {
				case !ok:
					t.Errorf("Generate produced %s, which is not in %s", f.Path, wantDir)
				case !bytes.Equal(f.Content, w):
					t.Errorf("%s differs from %s:\n%s", f.Path, filepath.Join(wantDir, f.Path), goldenFirstDiff(w, f.Content))
				}
			}
			for _, p := range goldenSortedKeys(want) {
				if !got[p] {
					t.Errorf("%s is in %s but Generate did not produce it", p, wantDir)
				}
			}
			if !slices.IsSortedFunc(files, func(a, b emit.File) int { return strings.Compare(a.Path, b.Path) }) {
				t.Errorf("Generate returned files not sorted by path")
			}
		})
	}
}

func TestGoldenBad(t *testing.T) {
	for _, dir := range goldenCases(t, "bad") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			files, err := goldenGenerate(t, dir)
			if err == nil {
				t.Fatalf("Generate succeeded (%d files); want an error", len(files))
			}
			if files != nil {
				t.Errorf("Generate returned %d files along with the error; want none", len(files))
			}
			var list diag.List
			if !errors.As(err, &list) {
				t.Errorf("Generate returned a %T; a spec problem must be a diag.List", err)
			}
			got := strings.ReplaceAll(err.Error(), dir+"/", "") + "\n"
			wantFile := filepath.Join(dir, "want.err")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("error text differs from %s:\n got:\n%s\nwant:\n%s", wantFile, got, want)
			}
		})
	}
}

// TestGoldenDeterministic runs Generate twice on every good case and wants
// the same bytes: map iteration or parallelism must not leak into output.
func TestGoldenDeterministic(t *testing.T) {
	// The example's spec has every method kind; its output is checked for
	// freshness and served by its own end-to-end test, not kept here.
	for _, dir := range append(goldenCases(t, "good"), "../examples/crm/spec") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			first, err := goldenGenerate(t, dir)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			second, err := goldenGenerate(t, dir)
			if err != nil {
				t.Fatalf("Generate (second run): %v", err)
			}
			if len(first) != len(second) {
				t.Fatalf("first run produced %d files, second %d", len(first), len(second))
			}
			for i := range first {
				if first[i].Path != second[i].Path {
					t.Errorf("file %d: %s, then %s", i, first[i].Path, second[i].Path)
				} else if !bytes.Equal(first[i].Content, second[i].Content) {
					t.Errorf("%s differs between runs:\n%s", first[i].Path, goldenFirstDiff(first[i].Content, second[i].Content))
				}
			}
		})
	}
}

// TestGoldenCompiles builds and vets the golden Go files of every good case
// in a throwaway module that uses this repository (for the validation
// package) through a replace directive, so a golden that does not compile
// cannot be committed; and runs the case's own tests of them, if it has
// any.
func TestGoldenCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module per case; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	modFile, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := goldenModule(t, modFile, root)
	for _, dir := range goldenCases(t, "good") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			want := goldenReadTree(t, filepath.Join(dir, "want"))
			tmp := t.TempDir()
			n := 0
			for p, data := range want {
				if strings.Contains(p, "/") || !strings.HasSuffix(p, ".go") {
					continue
				}
				n++
				if err := os.WriteFile(filepath.Join(tmp, p), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if n == 0 {
				t.Fatalf("no Go files in %s/want", dir)
			}
			if err := os.WriteFile(filepath.Join(tmp, "go.mod"), gomod, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tmp, "go.sum"), sum, 0o644); err != nil {
				t.Fatal(err)
			}
			// A case may carry tests of its generated code's behaviour
			// (its *_test.go, beside spec.yaml): they run here too.
			steps := [][]string{{"build", "./..."}, {"vet", "./..."}}
			tests, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tests {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(tmp, filepath.Base(p)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if len(tests) > 0 {
				steps = append(steps, []string{"test", "-count=1", "./..."})
			}
			for _, args := range steps {
				start := time.Now()
				cmd := exec.Command(goBin, args...)
				cmd.Dir = tmp
				// Everything comes from the module cache and the replace
				// directive; never rewrite go.mod, never use a workspace.
				cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly", "GOPROXY=off")
				out, err := cmd.CombinedOutput()
				t.Logf("go %s in a module of %s/want: %v", strings.Join(args, " "), dir, time.Since(start).Round(time.Millisecond))
				if err != nil {
					t.Errorf("go %s on %s/want: %v\n%s", strings.Join(args, " "), dir, err, out)
				}
			}
		})
	}
}

// goldenModule returns the go.mod of the throwaway module: it requires this
// repository (replaced by root) and every module the repository requires, so
// the generated code's imports (jx, uuid, oapi-codegen's runtime) resolve to
// the versions the repository is built and tested with, with its go.sum.
func goldenModule(t *testing.T, modFile []byte, root string) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("module goldencheck\n\n")
	var (
		self    string
		inBlock bool
	)
	for _, line := range strings.Split(string(modFile), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "module "):
			self = strings.TrimSpace(strings.TrimPrefix(trimmed, "module "))
		case strings.HasPrefix(trimmed, "go "):
			b.WriteString(trimmed + "\n\n")
		case trimmed == "require (":
			inBlock = true
			b.WriteString(line + "\n")
		case inBlock:
			b.WriteString(line + "\n")
			if trimmed == ")" {
				inBlock = false
				b.WriteString("\n")
			}
		case strings.HasPrefix(trimmed, "require "):
			b.WriteString(trimmed + "\n\n")
		}
	}
	if self != "github.com/unifiedgen/unifiedgen" {
		t.Fatalf("%s/go.mod declares module %q; want github.com/unifiedgen/unifiedgen", root, self)
	}
	b.WriteString("require " + self + " v0.0.0-00010101000000-000000000000\n\n")
	b.WriteString("replace " + self + " => " + root + "\n")
	return []byte(b.String())
}

// goldenFirstDiff shows the first differing line of two texts, with its number.
func goldenFirstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range max(len(w), len(g)) {
		if i >= len(w) || i >= len(g) || w[i] != g[i] {
			line := func(l []string) string {
				if i < len(l) {
					return strconv.Quote(l[i])
				}
				return "(end of file)"
			}
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + line(w) + "\n  got:  " + line(g)
		}
	}
	return "(no differing line)"
}

func goldenSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
