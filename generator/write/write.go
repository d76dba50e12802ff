// Package write puts generated files on disk, switching the whole output
// directory from the old output to the new in one step.
//
// The new output is written, complete, into a sibling temporary directory
// (same parent, so same file system), and then exchanged with the output
// directory: on Linux with renameat2(RENAME_EXCHANGE), which swaps the two
// names atomically, so that a process killed at any moment leaves the
// output directory entirely old or entirely new, never a mix that does not
// compile. Elsewhere (or on a file system without RENAME_EXCHANGE) the old
// directory is renamed aside and the new one renamed into place: that is
// two steps, not atomic, and a run killed between them leaves no output
// directory; the next run puts the old one back before it starts.
//
// The generator owns *.gen.go at the top of the output directory and
// docs/*.md. The directory may also hold files the generator does not own
// (a doc.go with a go:generate line, a .gitignore, docs/images.txt): they
// are copied, with their mode and modification time, into the new
// directory before the exchange. A file edited in the instant between that
// copy and the exchange would lose the edit. So that a mistaken -out can
// never copy or replace a whole tree, the output directory may hold no
// other directories than docs/, and docs/ none at all.
//
// Temporary directories are named .unifiedgen-<dir>.tmp-* and
// .unifiedgen-<dir>.old-* next to the output directory. A run removes the
// ones a killed run left behind before it writes anything, holding a lock
// on the parent directory (Linux) so that it never removes the work of a
// run in progress.
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
	"time"

	"github.com/unifiedgen/unifiedgen/generator/emit"
)

// Dir makes dir hold exactly files among the files the generator owns
// there, keeping every file it does not own. It writes nothing unless
// every path is one the generator may write (CheckPath), and leaves dir as
// it was when anything fails. When dir already holds exactly files, it is
// left alone.
func Dir(dir string, files []emit.File) error {
	if err := checkFiles(files); err != nil {
		return err
	}
	dir, err := realDir(dir)
	if err != nil {
		return err
	}
	parent, base := filepath.Split(dir)
	if base == "" || parent == "" {
		return fmt.Errorf("output directory %s: must have a parent directory to write the new output next to", dir)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	unlock, err := lockDir(parent)
	if err != nil {
		return err
	}
	defer unlock()
	if err := cleanLeftovers(parent, base); err != nil {
		return err
	}

	info, err := os.Stat(dir)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	case exists && !info.IsDir():
		return fmt.Errorf("output directory %s exists and is not a directory", dir)
	}
	mode := fs.FileMode(0o755)
	var carry []string
	if exists {
		mode = info.Mode().Perm()
		if carry, err = handWritten(dir); err != nil {
			return err
		}
		if upToDate(dir, files) {
			return nil
		}
	}

	tmp, err := os.MkdirTemp(parent, tmpPrefix(base))
	if err != nil {
		return err
	}
	// From here on tmp holds either the new output (until the exchange) or
	// the old one (after it): either way it goes.
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, mode); err != nil { // MkdirTemp makes 0700
		return err
	}
	if err := fill(tmp, dir, exists, files, carry); err != nil {
		return err
	}
	if !exists {
		return errors.Join(os.Rename(tmp, dir), syncDir(parent))
	}
	if err := swap(tmp, dir, parent, base); err != nil {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	if err := syncDir(parent); err != nil {
		return err
	}
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("%s holds the new output; the previous output, at %s, could not be removed (the next run removes it): %w", dir, tmp, err)
	}
	return nil
}

// realDir returns dir as an absolute path, with the directory itself
// resolved if it is a symlink: the exchange must replace the directory,
// not the link to it.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return "", fmt.Errorf("output directory %s is a symlink that cannot be followed: %w", dir, err)
		}
	}
	return abs, nil
}

// upToDate reports whether dir already holds exactly files and no leftover
// of an old writer.
func upToDate(dir string, files []emit.File) bool {
	diff, err := Diff(dir, files)
	if err != nil || len(diff) > 0 {
		return false
	}
	legacy, err := legacyTemps(dir)
	return err == nil && len(legacy) == 0
}

// fill writes files and copies carry (paths relative to dir) into tmp, and
// syncs it all to disk, so that the exchange publishes complete files even
// across a power loss. A generated file whose content did not change keeps
// its modification time, so tools that look at times see only real
// changes.
func fill(tmp, dir string, exists bool, files []emit.File, carry []string) error {
	made := map[string]bool{tmp: true}
	mkdir := func(d string) error {
		if made[d] {
			return nil
		}
		made[d] = true
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		return os.Chmod(d, 0o755)
	}
	for _, f := range files {
		dst := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := mkdir(filepath.Dir(dst)); err != nil {
			return err
		}
		if err := writeFile(dst, f.Content, 0o644); err != nil {
			return err
		}
		if !exists {
			continue
		}
		old := filepath.Join(dir, filepath.FromSlash(f.Path))
		if data, err := os.ReadFile(old); err == nil && bytes.Equal(data, f.Content) {
			if fi, err := os.Stat(old); err == nil {
				if err := os.Chtimes(dst, time.Time{}, fi.ModTime()); err != nil {
					return err
				}
			}
		}
	}
	for _, rel := range carry {
		dst := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := mkdir(filepath.Dir(dst)); err != nil {
			return err
		}
		if err := copyEntry(filepath.Join(dir, filepath.FromSlash(rel)), dst); err != nil {
			return fmt.Errorf("carry %s over into the new output: %w", rel, err)
		}
	}
	for d := range made {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// writeFile creates name with data and mode, synced to disk.
func writeFile(name string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	merr := f.Chmod(mode) // the umask applied at creation
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, merr, serr, cerr); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// errExchangeUnsupported says the system or file system cannot exchange
// two directories in one step.
var errExchangeUnsupported = errors.New("atomic exchange not supported")

// exchangeDirs is exchange; tests replace it to take the fallback.
var exchangeDirs = exchange

// swap puts the directory tmp in place of dir and dir at tmp.
func swap(tmp, dir, parent, base string) error {
	err := exchangeDirs(tmp, dir)
	if !errors.Is(err, errExchangeUnsupported) {
		return err
	}
	// Not atomic: between the two renames there is no dir; cleanLeftovers
	// puts the old one back if a run is killed there.
	aside, err := os.MkdirTemp(parent, oldPrefix(base))
	if err != nil {
		return err
	}
	if err := os.Remove(aside); err != nil { // only the unique name is wanted
		return err
	}
	if err := os.Rename(dir, aside); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return errors.Join(err, os.Rename(aside, dir))
	}
	return os.Rename(aside, tmp) // where Dir removes the old output from
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
