package write

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/generator/emit"
)

func TestDirReplacesAndPrunesOwnedFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "docs"), 0o755)
	os.WriteFile(filepath.Join(dir, "old.gen.go"), []byte("stale"), 0o644)
	os.WriteFile(filepath.Join(dir, "docs", "gone.md"), []byte("stale"), 0o644)
	os.WriteFile(filepath.Join(dir, "handwritten.go"), []byte("keep"), 0o644)

	files := []emit.File{{Path: "a.gen.go", Content: []byte("package a\n")}, {Path: "docs/op.md", Content: []byte("# op\n")}}
	if err := Dir(dir, files); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	if want := []string{"a.gen.go", "docs/op.md", "handwritten.go"}; !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "a.gen.go")); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}
	if diff, _ := Diff(dir, files); len(diff) != 0 {
		t.Errorf("Diff after Dir: %v", diff)
	}
}

func TestDirWritesNothingWhenOneFileFails(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.gen.go"), []byte("old"), 0o644)
	// A directory where a file must go makes that file's write fail after
	// the first file was prepared.
	os.MkdirAll(filepath.Join(dir, "b.gen.go"), 0o755)
	os.WriteFile(filepath.Join(dir, "b.gen.go", "x"), []byte("x"), 0o644)
	err := Dir(dir, []emit.File{{Path: "a.gen.go", Content: []byte("new")}, {Path: "b.gen.go", Content: []byte("new")}})
	if err == nil {
		t.Fatal("want an error")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.gen.go")); string(got) != "old" {
		t.Errorf("a.gen.go = %q: a failed run replaced it", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "a.gen.go" && e.Name() != "b.gen.go" {
			t.Errorf("left behind %s", e.Name())
		}
	}
	if left := leftovers(t, filepath.Dir(dir)); len(left) != 0 {
		t.Errorf("left behind %v next to the output directory", left)
	}
}

// leftovers lists the temporary entries in parent.
func leftovers(t *testing.T, parent string) []string {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), leftoverPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// outputDir makes root/out with the given files (path -> content; a
// content starting with "-> " makes a symlink) and returns it.
func outputDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "-> "); ok {
			err = os.Symlink(target, full)
		} else {
			err = os.WriteFile(full, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(dir, 0o755)
	return dir
}

func TestDirCarriesOverWhatItDoesNotOwn(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(map[bool]string{false: "exchange", true: "fallback"}[fallback], func(t *testing.T) {
			if fallback {
				exchangeDirs = func(a, b string) error { return errExchangeUnsupported }
				t.Cleanup(func() { exchangeDirs = exchange })
			}
			dir := outputDir(t, map[string]string{
				"doc.go":          "// Package out.\npackage out\n\n//go:generate unifiedgen\n",
				".gitignore":      "*.tmp\n",
				"link.go":         "-> doc.go",
				"old.gen.go":      "stale",
				"docs/gone.md":    "stale",
				"docs/notes.txt":  "hand-written",
				"docs/op.md":      "old op",
				"a.gen.go":        "package out\n",
				".a.gen.go.tmp42": "a leftover of the old writer",
			})
			os.Chmod(filepath.Join(dir, "doc.go"), 0o600)
			past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
			os.Chtimes(filepath.Join(dir, "doc.go"), past, past)
			os.Chtimes(filepath.Join(dir, "a.gen.go"), past, past)

			files := []emit.File{{Path: "a.gen.go", Content: []byte("package out\n")}, {Path: "b.gen.go", Content: []byte("package out // b\n")}, {Path: "docs/op.md", Content: []byte("# op\n")}}
			if err := Dir(dir, files); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"doc.go":         "// Package out.\npackage out\n\n//go:generate unifiedgen\n",
				".gitignore":     "*.tmp\n",
				"link.go":        "-> doc.go",
				"docs/":          "",
				"docs/notes.txt": "hand-written",
				"docs/op.md":     "# op\n",
				"a.gen.go":       "package out\n",
				"b.gen.go":       "package out // b\n",
				"./":             "",
			}
			if got := snapshot(t, dir); !maps.Equal(got, want) {
				t.Errorf("output directory\n got %v\nwant %v", got, want)
			}
			fi, _ := os.Stat(filepath.Join(dir, "doc.go"))
			if fi.Mode().Perm() != 0o600 || !fi.ModTime().Equal(past) {
				t.Errorf("doc.go: mode %v, time %v; want them kept", fi.Mode(), fi.ModTime())
			}
			// An unchanged generated file keeps its time, a new one is 0644.
			if fi, _ := os.Stat(filepath.Join(dir, "a.gen.go")); !fi.ModTime().Equal(past) {
				t.Errorf("a.gen.go did not change but its time did: %v", fi.ModTime())
			}
			if fi, _ := os.Stat(filepath.Join(dir, "b.gen.go")); fi.Mode().Perm() != 0o644 {
				t.Errorf("b.gen.go: mode %v", fi.Mode())
			}
			if left := leftovers(t, filepath.Dir(dir)); len(left) != 0 {
				t.Errorf("left behind %v", left)
			}
		})
	}
}

func TestDirLeavesAnUpToDateDirectoryAlone(t *testing.T) {
	dir := outputDir(t, nil)
	files := []emit.File{{Path: "a.gen.go", Content: []byte("package out\n")}}
	if err := Dir(dir, files); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(dir)
	if err := Dir(dir, files); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(dir)
	if !os.SameFile(before, after) {
		t.Errorf("an up-to-date output directory was replaced")
	}
}

func TestDirRefusesADirectoryThatIsNotAnOutputDirectory(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"a subdirectory":           {"internal/x.go": "package x"},
		"a directory in docs":      {"docs/img/a.png": "png"},
		"a .git":                   {".git/HEAD": "ref: refs/heads/main"},
		"an owned name not a file": {"x.gen.go/y": "y"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := outputDir(t, files)
			before := snapshot(t, filepath.Dir(dir))
			err := Dir(dir, []emit.File{{Path: "a.gen.go", Content: []byte("package out\n")}})
			if err == nil {
				t.Fatal("Dir accepted it")
			}
			if after := snapshot(t, filepath.Dir(dir)); !maps.Equal(before, after) {
				t.Errorf("Dir changed the tree before refusing: %v", err)
			}
		})
	}
}

func TestDirCleansUpAfterAKilledRun(t *testing.T) {
	dir := outputDir(t, map[string]string{"a.gen.go": "old", "doc.go": "package out"})
	parent := filepath.Dir(dir)
	// A run killed while writing its new output, and one killed while
	// removing the old output after the exchange.
	os.MkdirAll(filepath.Join(parent, tmpPrefix("out")+"123", "docs"), 0o755)
	os.WriteFile(filepath.Join(parent, tmpPrefix("out")+"123", "docs", "x.md"), []byte("half"), 0o644)
	os.MkdirAll(filepath.Join(parent, tmpPrefix("out")+"456"), 0o700)
	// Not ours: a sibling output directory's name, and an unrelated file.
	os.WriteFile(filepath.Join(parent, ".unifiedgen-other.tmp-1"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(parent, "notes"), []byte("x"), 0o644)

	if err := Dir(dir, []emit.File{{Path: "a.gen.go", Content: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	if left := leftovers(t, parent); !slices.Equal(left, []string{".unifiedgen-other.tmp-1"}) {
		t.Errorf("entries next to the output: %v", left)
	}
}

func TestDirPutsBackOutputSetAsideByAKilledFallback(t *testing.T) {
	// The fallback renames the old output aside, then the new one into
	// place; killed in between, it leaves no output directory.
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	aside := filepath.Join(root, oldPrefix("out")+"789")
	os.MkdirAll(aside, 0o755)
	os.WriteFile(filepath.Join(aside, "doc.go"), []byte("package out"), 0o644)
	os.WriteFile(filepath.Join(aside, "a.gen.go"), []byte("old"), 0o644)
	os.MkdirAll(filepath.Join(root, tmpPrefix("out")+"788"), 0o755)

	if err := Dir(dir, []emit.File{{Path: "a.gen.go", Content: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"./": "", "a.gen.go": "new", "doc.go": "package out"}
	if got := snapshot(t, dir); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if left := leftovers(t, root); len(left) != 0 {
		t.Errorf("left behind %v", left)
	}
}

func TestDirThroughASymlink(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "real")
	os.MkdirAll(real, 0o755)
	os.WriteFile(filepath.Join(real, "doc.go"), []byte("package out"), 0o644)
	link := filepath.Join(root, "link")
	os.Symlink("real", link)
	if err := Dir(link, []emit.File{{Path: "a.gen.go", Content: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi, err)
	}
	want := map[string]string{"./": "", "a.gen.go": "new", "doc.go": "package out"}
	if got := snapshot(t, real); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// snapshot is every file under root with its content, keyed by
// slash-separated path, so a test can tell whether anything changed.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			out[filepath.ToSlash(rel)] = "-> " + target
			return err
		case d.IsDir():
			out[filepath.ToSlash(rel)+"/"] = ""
		default:
			data, err := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDirRefusesPathsOutsideItsFiles: a path that could leave the output
// directory, or name a file the generator does not own, is refused before
// anything is written, even when other files are fine.
func TestDirRefusesPathsOutsideItsFiles(t *testing.T) {
	bad := []string{
		"docs/X/../../../../README.md", // what an operationId "X/../../../../README" became
		"../README.gen.go",
		"docs/../../x.gen.go",
		"/tmp/x.gen.go",
		"docs//x.md",
		"./x.gen.go",
		`docs\x.md`,
		"docs/x\x00.md",
		".x.gen.go",
		"docs/.x.md",
		"-x.gen.go",
		"docs/a b.md",
		"docs/a\nb.md",
		"x.go",
		"README.md",
		"docs/sub/x.md",
		"docs",
		"",
	}
	for _, p := range bad {
		t.Run(p, func(t *testing.T) {
			root := t.TempDir()
			os.WriteFile(filepath.Join(root, "README.md"), []byte("mine"), 0o644)
			dir := filepath.Join(root, "generated", "unified")
			os.MkdirAll(filepath.Join(dir, "docs"), 0o755)
			os.WriteFile(filepath.Join(dir, "a.gen.go"), []byte("old"), 0o644)
			before := snapshot(t, root)
			err := Dir(dir, []emit.File{{Path: "a.gen.go", Content: []byte("new")}, {Path: p, Content: []byte("evil")}})
			if err == nil {
				t.Fatalf("Dir accepted %q", p)
			}
			if after := snapshot(t, root); !maps.Equal(before, after) {
				t.Errorf("Dir changed the tree before refusing %q:\nbefore %v\nafter  %v", p, before, after)
			}
			if _, err := Diff(dir, []emit.File{{Path: p, Content: []byte("evil")}}); err == nil {
				t.Errorf("Diff accepted %q", p)
			}
		})
	}
}

func TestDirRefusesNamesThatCollideOnCaseInsensitiveFileSystems(t *testing.T) {
	dir := t.TempDir()
	err := Dir(dir, []emit.File{{Path: "docs/createUser.md"}, {Path: "docs/CreateUser.md"}})
	if err == nil || !strings.Contains(err.Error(), "differ only in case") {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %d entries", len(entries))
	}
}

func TestCheckPathAcceptsWhatEmittersProduce(t *testing.T) {
	for _, p := range []string{"oapi.gen.go", "decode.gen.go", "docs/createUser.md", "docs/create_user2.md"} {
		if err := CheckPath(p); err != nil {
			t.Errorf("CheckPath(%q): %v", p, err)
		}
	}
}
