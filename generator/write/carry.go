package write

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
)

// legacyTemp matches the temporary files the writer made before it
// switched whole directories (.oapi.gen.go.tmp123456): a run killed
// between writing and renaming them left them behind, hidden, for good.
// They are neither the generator's output nor anybody's work: they are
// not carried over.
var legacyTemp = regexp.MustCompile(`^(docs/)?\.[^/]+\.(gen\.go|md)\.tmp[0-9]*$`)

// handWritten lists, relative to dir and slash-separated, the entries of
// dir that the generator does not own and must carry over into the new
// output. It refuses a directory that is not an output directory: one
// holding other directories than docs/ (a mistaken -out pointing at a
// source tree must not be copied and replaced), an owned name that is not
// a regular file, or anything that is not a file or a symlink.
func handWritten(dir string) ([]string, error) {
	var carry []string
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := os.ReadDir(path.Join(dir, rel))
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := path.Join(rel, e.Name())
			t := e.Type()
			switch {
			case legacyTemp.MatchString(p):
			case p == "docs" && t.IsDir():
				if err := walk(p); err != nil {
					return err
				}
			case t.IsDir():
				return fmt.Errorf("output directory %s holds the directory %s, which the generator does not own: the output directory is replaced as a whole on every run, and only files are carried over; move %s out of it", dir, p, p)
			case owned(p) && !t.IsRegular():
				return fmt.Errorf("output directory %s: %s exists and is not a regular file", dir, p)
			case owned(p):
			case t.IsRegular() || t&fs.ModeSymlink != 0:
				carry = append(carry, p)
			default:
				return fmt.Errorf("output directory %s holds %s, which is neither a file nor a symlink (%v); move it out of it", dir, p, t)
			}
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, err
	}
	slices.Sort(carry)
	return carry, nil
}

// legacyTemps lists the old writer's leftovers in dir.
func legacyTemps(dir string) ([]string, error) {
	var out []string
	for _, sub := range []string{"", "docs"} {
		entries, err := os.ReadDir(path.Join(dir, sub))
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, e := range entries {
			if p := path.Join(sub, e.Name()); legacyTemp.MatchString(p) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// copyEntry copies the file or symlink src to dst, keeping a file's mode
// and modification time.
func copyEntry(src, dst string) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := writeFile(dst, data, fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Chtimes(dst, fi.ModTime(), fi.ModTime())
}
