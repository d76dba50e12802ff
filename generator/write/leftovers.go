package write

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Every temporary name starts with this, next to the output directory, so
// that the leftovers of a killed run are recognisable and nothing else is
// ever taken for one.
const leftoverPrefix = ".unifiedgen-"

// tmpPrefix names a directory holding new output being written or, after
// the exchange, the old output being removed.
func tmpPrefix(base string) string { return leftoverPrefix + base + ".tmp-" }

// oldPrefix names the old output set aside by the non-atomic fallback.
func oldPrefix(base string) string { return leftoverPrefix + base + ".old-" }

// cleanLeftovers removes what killed runs left next to the output
// directory parent/base. A run killed between the two renames of the
// fallback left no output directory but the old one set aside: that one is
// put back, so that its hand-written files are not lost. The caller holds
// the lock on parent.
func cleanLeftovers(parent, base string) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	var tmps, olds []string
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasPrefix(name, tmpPrefix(base)):
			tmps = append(tmps, name)
		case strings.HasPrefix(name, oldPrefix(base)):
			olds = append(olds, name)
		}
	}
	dir := filepath.Join(parent, base)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) && len(olds) > 0 {
		// There is only ever one: a run starts by cleaning up.
		slices.Sort(olds)
		if err := os.Rename(filepath.Join(parent, olds[0]), dir); err != nil {
			return fmt.Errorf("put back the previous output %s, set aside by a run that was killed: %w", olds[0], err)
		}
		olds = olds[1:]
	}
	for _, name := range append(tmps, olds...) {
		if err := os.RemoveAll(filepath.Join(parent, name)); err != nil {
			return fmt.Errorf("remove %s, left by a run that was killed: %w", filepath.Join(parent, name), err)
		}
	}
	return nil
}
