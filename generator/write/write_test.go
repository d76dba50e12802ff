package write

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
