package write

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/unifiedgen/unifiedgen/generator/emit"
)

// segment is what one element of an output path may look like: no leading
// dot (hidden files, "." and ".."), no leading dash (read as a flag by
// tools), and nothing a shell, a file system or a terminal treats
// specially.
var segment = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// CheckPath says why p (an emit.File path) must not be written under the
// output directory, or returns nil. Paths come from emitters, and emitters
// build them from spec values (docs/<operationId>.md): the spec linter is
// the first line of defence, this is the last one, so that no mistake
// upstream can write outside the output directory or over a file the
// generator does not own.
func CheckPath(p string) error {
	why := ""
	switch {
	case p == "":
		why = "it is empty"
	case strings.ContainsRune(p, 0):
		why = "it contains a NUL byte"
	case strings.Contains(p, `\`):
		why = `it contains a backslash; output paths are slash-separated`
	case path.IsAbs(p) || filepath.IsAbs(filepath.FromSlash(p)) || filepath.VolumeName(filepath.FromSlash(p)) != "":
		why = "it is absolute"
	case path.Clean(p) != p:
		why = fmt.Sprintf("it is not clean (it would be %q)", path.Clean(p))
	case !filepath.IsLocal(filepath.FromSlash(p)):
		why = "it is not local to the output directory"
	}
	if why == "" {
		for _, seg := range strings.Split(p, "/") {
			switch {
			case seg == "..":
				why = "it leaves the output directory"
			case strings.HasPrefix(seg, "."):
				why = fmt.Sprintf("%q is a hidden name", seg)
			case !segment.MatchString(seg):
				why = fmt.Sprintf("%q has characters other than letters, digits, '_', '.' and '-'", seg)
			}
			if why != "" {
				break
			}
		}
	}
	if why == "" && !owned(p) {
		why = "the generator owns only *.gen.go at the top of the output directory and docs/*.md"
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("refusing to write %q: %s (a generator bug: the spec linter should have rejected the name it came from)", p, why)
}

// checkFiles checks every path before anything is written, and that no two
// files would land on the same name, even on a case-insensitive file
// system (macOS, Windows), where docs/createUser.md and docs/CreateUser.md
// are one file.
func checkFiles(files []emit.File) error {
	seen := map[string]string{}
	for _, f := range files {
		if err := CheckPath(f.Path); err != nil {
			return err
		}
		key := strings.ToLower(f.Path)
		if prev, dup := seen[key]; dup {
			if prev == f.Path {
				return fmt.Errorf("refusing to write %q twice (a generator bug)", f.Path)
			}
			return fmt.Errorf("refusing to write both %q and %q: they differ only in case, so one would overwrite the other on case-insensitive file systems", prev, f.Path)
		}
		seen[key] = f.Path
	}
	return nil
}
