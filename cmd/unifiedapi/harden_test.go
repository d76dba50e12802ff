package main_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	democonfig "github.com/unifiedgen/unifiedgen/config"
	"github.com/unifiedgen/unifiedgen/internal/store"
	svc "github.com/unifiedgen/unifiedgen/runtime/server"
	"github.com/unifiedgen/unifiedgen/spec"
)

// app is the service as cmd/unifiedapi builds it.
var app = svc.App{Name: "unifiedapi", Spec: spec.OpenAPI, Demo: democonfig.Demo}

// runCmd runs one command of the service in this process (not serve, which
// would not return) and returns its output.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = svc.Run(context.Background(), app, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// writeFile writes a test file (a configuration) and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const acmeToken = "7f3c9a1e5b2d8f4a6c0e9b3d7a1f5c8e2b6d0a4f8c3e7b1d5a9f2c6e0b4d8a3f"

const acmeConfig = `tenants:
  - id: acme
    name: Acme
    tokens: [` + acmeToken + `]
accounts:
  - id: 11111111-1111-4111-8111-111111111111
    tenant: acme
    integration: freshchat
    name: Acme Freshchat
`

// TestDatabaseIsPrivate: the directories created for the database are
// 0700 and the database file 0600; an existing readable file is reported.
func TestDatabaseIsPrivate(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "acme.yaml", acmeConfig)
	db := filepath.Join(dir, "a", "b", "u.db")
	if _, stderr, err := runCmd(t, "apply", "-db", db, "-config", cfg); err != nil {
		t.Fatalf("apply: %v\n%s", err, stderr)
	}
	for _, p := range []string{filepath.Join(dir, "a"), filepath.Join(dir, "a", "b")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want drwx------", p, fi.Mode().Perm())
		}
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want -rw-------", db, fi.Mode().Perm())
	}

	// A file someone made readable by others keeps its mode, with a warning.
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCmd(t, "apply", "-db", db, "-config", cfg)
	if err != nil || !strings.Contains(stderr, "chmod 600") {
		t.Errorf("apply to a 0644 database: %v; want a warning on stderr, got %q", err, stderr)
	}
}

const acmeAccount = "11111111-1111-4111-8111-111111111111"

// metaStatus is the status of an authenticated GET of the account's
// create metadata with token: 200, or 401 for a token the server refuses.
func metaStatus(t *testing.T, addr, token, account string) int {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+"/unified/ticketing/users/meta/create?integrated_account_id="+account, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestDemoOnlyWithoutConfig: a new database started with -config gets that
// configuration and not the demo, then or later.
func TestDemoOnlyWithoutConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the service")
	}
	dir := t.TempDir()
	bin := buildService(t)
	cfg := writeFile(t, dir, "acme.yaml", acmeConfig)
	db := filepath.Join(dir, "u.db")

	s := start(t, bin, db, "-config", cfg)
	if got := metaStatus(t, s.addr, demoToken, demoDixa); got != 401 {
		t.Errorf("demo token on a new database started with -config: %d, want 401", got)
	}
	if got := metaStatus(t, s.addr, acmeToken, acmeAccount); got != 200 {
		t.Errorf("configured token: %d, want 200", got)
	}
	if strings.Contains(s.stdout.String(), "demo") {
		t.Errorf("the demo is announced:\n%s", s.stdout)
	}
	s.stop(t)

	// Started again without -config, the database is not new.
	s = start(t, bin, db)
	if got := metaStatus(t, s.addr, demoToken, demoDixa); got != 401 {
		t.Errorf("demo token after a restart without -config: %d, want 401", got)
	}
	s.stop(t)
}

// TestFirstStartRetried: a first start that died after creating the
// database file (here: a file with the schema and nothing else) does not
// keep the next start from loading the demo.
func TestFirstStartRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the service")
	}
	bin := buildService(t)
	db := filepath.Join(t.TempDir(), "u.db")
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	s := start(t, bin, db)
	if got := metaStatus(t, s.addr, demoToken, demoDixa); got != 200 {
		t.Errorf("demo token after an interrupted first start: %d, want 200", got)
	}
	if !strings.Contains(s.stdout.String(), "demo configuration") {
		t.Errorf("the demo is not announced:\n%s", s.stdout)
	}
	s.stop(t)
}
