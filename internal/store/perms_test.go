package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestFilesArePrivate: the database and SQLite's -wal and -shm files are
// created readable and writable by their owner only, whatever the umask
// lets through.
func TestFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A write makes SQLite create (or grow) the -wal and -shm files.
	if err := s.PutTenant(ctx, Tenant{ID: "t", Name: "T"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TenantByToken(ctx, "x"); err == nil {
		t.Fatal("unknown token accepted")
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

// TestExistingFileKeepsItsMode: a database file the operator created keeps
// the permissions they gave it.
func TestExistingFileKeepsItsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // whatever the umask
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want -rw-r-----", fi.Mode().Perm())
	}
}
