// Package write puts generated files on disk all-or-nothing: every file is
// first written next to its target and only then renamed into place, so an
// error (a full disk, a bad path) leaves the previous output untouched.
package write

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/unifiedgen/unifiedgen/generator/emit"
)

// Dir makes dir hold exactly files among the files the generator owns there
// (*.gen.go and docs/*.md): changed files are replaced, unchanged ones are
// left alone, and owned files no longer produced are removed.
func Dir(dir string, files []emit.File) error {
	if err := checkFiles(files); err != nil {
		return err
	}
	type pending struct{ tmp, dst string }
	var todo []pending
	cleanup := func() {
		for _, p := range todo {
			os.Remove(p.tmp)
		}
	}
	for _, f := range files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			cleanup()
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
		if err != nil {
			cleanup()
			return err
		}
		todo = append(todo, pending{tmp: tmp.Name(), dst: dst})
		_, werr := tmp.Write(f.Content)
		merr := tmp.Chmod(0o644) // CreateTemp makes 0600; sources are world-readable
		cerr := tmp.Close()
		if err := errors.Join(werr, merr, cerr); err != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", dst, err)
		}
	}
	// Renames within a directory are atomic and only fail when the target
	// cannot be replaced; check every target first, so that the renames do
	// not stop halfway.
	for _, p := range todo {
		if fi, err := os.Lstat(p.dst); err == nil && !fi.Mode().IsRegular() {
			cleanup()
			return fmt.Errorf("write %s: exists and is not a regular file", p.dst)
		}
	}
	for _, p := range todo {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			cleanup()
			return err
		}
	}
	stale, err := Stale(dir, files)
	if err != nil {
		return err
	}
	for _, s := range stale {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(s))); err != nil {
			return err
		}
	}
	return nil
}

// Stale lists the owned files in dir that files does not contain.
func Stale(dir string, files []emit.File) ([]string, error) {
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
	}
	var stale []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || want[rel] || !owned(rel) {
			return nil
		}
		stale = append(stale, rel)
		return nil
	})
	slices.Sort(stale)
	return stale, err
}

// owned reports whether the generator owns the file at rel (slash-separated,
// relative to the output directory): Go files named *.gen.go at the top,
// and Markdown files directly in docs/. Everything else in the directory is
// someone else's.
func owned(rel string) bool {
	dir, name := path.Split(rel)
	return dir == "" && strings.HasSuffix(name, ".gen.go") ||
		dir == "docs/" && strings.HasSuffix(name, ".md")
}

// Diff lists the files whose content on disk differs from files, plus
// stale owned files: empty means dir is up to date.
func Diff(dir string, files []emit.File) ([]string, error) {
	if err := checkFiles(files); err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || !bytes.Equal(old, f.Content) {
			out = append(out, f.Path)
		}
	}
	stale, err := Stale(dir, files)
	return append(out, stale...), err
}
