package model

import (
	"go/build"
	"os"
	"path/filepath"
	"testing"
)

// TestValidateFileIsAlwaysBuilt: an integration's validators must compile
// for every platform, whatever its id: ids that are, or end in, an
// operating system or architecture name must not become build constraints.
func TestValidateFileIsAlwaysBuilt(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"dixa", "windows", "js", "linux_arm64", "x_amd64", "test", "ios", "wasm"} {
		name := Integration{ID: id}.ValidateFile()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("package p\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, goos := range []string{"linux", "darwin", "windows", "js"} {
			ctx := build.Default
			ctx.GOOS = goos
			ok, err := ctx.MatchFile(dir, name)
			if err != nil || !ok {
				t.Errorf("%s: not built for GOOS=%s (%v)", name, goos, err)
			}
		}
	}
}
