package write

import (
	"os"
	"path/filepath"
	"slices"
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
