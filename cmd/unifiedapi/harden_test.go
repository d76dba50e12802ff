package main_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	democonfig "github.com/unifiedgen/unifiedgen/config"
	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/internal/store"
	svc "github.com/unifiedgen/unifiedgen/runtime/server"
)

// app is the service as cmd/unifiedapi builds it.
var app = svc.App{Name: "unifiedapi", Service: unified.Service, Demo: democonfig.Demo}

// runCmd runs one command of the service in this process (not serve, which
// would not return) with stdin and returns its output.
func runCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = svc.Run(context.Background(), app, args, strings.NewReader(stdin), &out, &errOut)
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
	if _, stderr, err := runCmd(t, "", "apply", "-db", db, "-config", cfg); err != nil {
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
	_, stderr, err := runCmd(t, "", "apply", "-db", db, "-config", cfg)
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

// tenantOf is the tenant the database at db gives token, or "" when it
// refuses it. It opens its own store, so nothing is cached.
func tenantOf(t *testing.T, db, token string) string {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.TenantByToken(context.Background(), token)
	if errors.Is(err, store.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// Tokens the strength checks accept.
const (
	tok1 = "e4a8c2f6b0d3e7a1c5f9b2d6e0a4c8f3b7d1e5a9c2f6b0d4e8a3c7f1b5d9e2a6"
	tok2 = "f5b9d3a7c1e4f8b2d6a0c3e7f1b5d9a2c6e0f4b8d3a7c1e5f9b2d6a0c4e8f3b7"
	tok3 = "06c1e5b9d3f7a2c6e0b4d8f1a5c9e3b7d2f6a0c4e8b1d5f9a3c7e2b6d0f4a8c1"
)

// TestApplyRevokes: the configuration is the whole truth about the tenants
// it names: their tokens it does not list are revoked, in the same
// transaction; other tenants keep theirs.
func TestApplyRevokes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "u.db")
	apply := func(yaml string) string {
		t.Helper()
		cfg := writeFile(t, dir, "c.yaml", yaml)
		out, stderr, err := runCmd(t, "", "apply", "-db", db, "-config", cfg)
		if err != nil {
			t.Fatalf("apply: %v\n%s", err, stderr)
		}
		for _, tok := range []string{tok1, tok2, tok3} {
			if strings.Contains(out+stderr, tok) {
				t.Errorf("apply shows a token:\n%s%s", out, stderr)
			}
		}
		return out
	}
	apply("tenants:\n  - {id: acme, name: Acme, tokens: [" + tok1 + ", " + tok2 + "]}\n  - {id: beta, name: Beta, tokens: [" + tok3 + "]}\n")
	if tenantOf(t, db, tok1) != "acme" || tenantOf(t, db, tok2) != "acme" || tenantOf(t, db, tok3) != "beta" {
		t.Fatal("tokens not applied")
	}

	// tok1 removed from acme; beta not named.
	out := apply("tenants:\n  - {id: acme, name: Acme, tokens: [" + tok2 + "]}\n")
	if got := tenantOf(t, db, tok1); got != "" {
		t.Errorf("a token removed from the file still works (tenant %q)", got)
	}
	if tenantOf(t, db, tok2) != "acme" || tenantOf(t, db, tok3) != "beta" {
		t.Error("a token still in the file, or of a tenant not in it, was revoked")
	}
	if !strings.Contains(out, "revoked 1 token of tenant acme") {
		t.Errorf("apply does not say what it revoked:\n%s", out)
	}

	// tokens: [] revokes them all; a token can move between two named
	// tenants in one apply.
	apply("tenants:\n  - {id: acme, name: Acme, tokens: []}\n  - {id: beta, name: Beta, tokens: [" + tok2 + "]}\n")
	if tenantOf(t, db, tok2) != "beta" || tenantOf(t, db, tok3) != "" {
		t.Errorf("after tokens: [] and a move: tok2 -> %q, tok3 -> %q; want beta and refused", tenantOf(t, db, tok2), tenantOf(t, db, tok3))
	}
}

// TestRevokeCommand: revoke -tenant revokes all of a tenant's tokens;
// revoke -token-stdin one token, read from standard input.
func TestRevokeCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "u.db")
	cfg := writeFile(t, dir, "c.yaml", "tenants:\n  - {id: acme, name: Acme, tokens: ["+tok1+", "+tok2+"]}\n  - {id: beta, name: Beta, tokens: ["+tok3+"]}\n")
	if _, stderr, err := runCmd(t, "", "apply", "-db", db, "-config", cfg); err != nil {
		t.Fatalf("apply: %v\n%s", err, stderr)
	}
	noToken := func(out ...string) {
		t.Helper()
		for _, o := range out {
			for _, tok := range []string{tok1, tok2, tok3} {
				if strings.Contains(o, tok) {
					t.Errorf("output shows a token: %s", o)
				}
			}
		}
	}

	out, stderr, err := runCmd(t, tok1+"\n", "revoke", "-db", db, "-token-stdin")
	noToken(out, stderr, fmt.Sprint(err))
	if err != nil || !strings.Contains(out, "revoked 1 token of tenant acme") {
		t.Fatalf("revoke -token-stdin: %v\n%s%s", err, out, stderr)
	}
	if tenantOf(t, db, tok1) != "" || tenantOf(t, db, tok2) != "acme" {
		t.Fatal("revoke -token-stdin revoked the wrong tokens")
	}

	// Failures change nothing and show no token.
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{tok1 + "\n", []string{"-token-stdin"}, "no such token"},
		{tok3, []string{"-tenant", "acme", "-token-stdin"}, `not a token of tenant "acme"`},
		{"", []string{"-tenant", "nobody"}, `no tenant "nobody"`},
		{"", []string{"-tenant", tok1}, "no tenant (64 characters, not shown"},
		{tok3, []string{"-tenant", tok1, "-token-stdin"}, "not a token of tenant (64 characters, not shown"},
		{"\n" + tok3, []string{"-token-stdin"}, "no token on the first line"},
		{"", []string{tok3}, "use -token-stdin"},
		{"", []string{"-tenant", "acme", tok3}, "use -token-stdin"},
		{"", nil, "revoke needs -tenant"},
		{"", []string{"-tenant", "acme", "-token-stdin", "-db", db}, "no token on the first line"},
	} {
		out, stderr, err := runCmd(t, c.stdin, append([]string{"revoke", "-db", db}, c.args...)...)
		noToken(out, stderr, fmt.Sprint(err))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("revoke %v: %v; want an error saying %q", c.args, err, c.want)
		}
	}
	if tenantOf(t, db, tok2) != "acme" || tenantOf(t, db, tok3) != "beta" {
		t.Fatal("a failed revoke revoked something")
	}

	out, stderr, err = runCmd(t, "", "revoke", "-db", db, "-tenant", "acme")
	if err != nil || !strings.Contains(out, "revoked 1 token of tenant acme") {
		t.Fatalf("revoke -tenant: %v\n%s%s", err, out, stderr)
	}
	if tenantOf(t, db, tok2) != "" || tenantOf(t, db, tok3) != "beta" {
		t.Fatal("revoke -tenant revoked the wrong tokens")
	}

	// A wrong -db is an error, not a new database.
	missing := filepath.Join(dir, "missing.db")
	if _, _, err := runCmd(t, "", "revoke", "-db", missing, "-tenant", "acme"); err == nil {
		t.Error("revoke in a missing database succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("revoke created %s: %v", missing, err)
	}
}

// TestRevocationReachesRunningServer: a token revoked by another process
// is refused by a running server on the same database; with -auth-cache 0
// at once (the default cache's bound is tested in internal/store).
func TestRevocationReachesRunningServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the service")
	}
	dir := t.TempDir()
	bin := buildService(t)
	cfg := writeFile(t, dir, "acme.yaml", acmeConfig)
	db := filepath.Join(dir, "u.db")
	s := start(t, bin, db, "-config", cfg, "-auth-cache", "0")
	if got := metaStatus(t, s.addr, acmeToken, acmeAccount); got != 200 {
		t.Fatalf("token before revocation: %d", got)
	}
	revoke := exec.Command(bin, "revoke", "-db", db, "-token-stdin")
	revoke.Stdin = strings.NewReader(acmeToken + "\n")
	if out, err := revoke.CombinedOutput(); err != nil {
		t.Fatalf("revoke: %v\n%s", err, out)
	}
	if got := metaStatus(t, s.addr, acmeToken, acmeAccount); got != 401 {
		t.Errorf("revoked token on a running server: %d, want 401", got)
	}
	s.stop(t)
	if strings.Contains(s.stderr.String(), acmeToken) {
		t.Error("the log shows the token")
	}
}

// TestAuthCacheBounded: -auth-cache, the bound on how long another
// process's revocation takes to reach a server, cannot be set beyond 1m.
func TestAuthCacheBounded(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "acme.yaml", acmeConfig)
	_, _, err := runCmd(t, "", "apply", "-db", filepath.Join(dir, "u.db"), "-config", cfg, "-auth-cache", "2m")
	if err == nil || !strings.Contains(err.Error(), "-auth-cache") {
		t.Errorf("-auth-cache 2m: %v", err)
	}
}

// TestArgumentsNotEchoed: a token given as an argument by mistake is not
// repeated in the error.
func TestArgumentsNotEchoed(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "acme.yaml", acmeConfig)
	if _, stderr, err := runCmd(t, "", "apply", "-db", filepath.Join(dir, "u.db"), "-config", cfg); err != nil {
		t.Fatalf("apply: %v\n%s", err, stderr)
	}
	for _, args := range [][]string{
		{"apply", "-db", filepath.Join(dir, "u.db"), "-config", cfg, tok1},
		{"revoke", "-db", filepath.Join(dir, "u.db"), tok1},
		{"revoke", "-db", filepath.Join(dir, "u.db"), "-tenant", tok1},
		{"revoke", "-db", filepath.Join(dir, "u.db"), "-token-stdin=" + tok1},
		{"revoke", "-db", filepath.Join(dir, "u.db"), "--token-stdin=" + tok1},
	} {
		out, stderr, err := runCmd(t, "", args...)
		if err == nil {
			t.Errorf("%v: no error", args)
			continue
		}
		if strings.Contains(out+stderr+err.Error(), tok1) {
			t.Errorf("%v: the output shows the token: %v\n%s%s", args, err, out, stderr)
		}
	}
}

func TestUsageNamesTheCommands(t *testing.T) {
	_, stderr, err := runCmd(t, "", "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: err %v", err)
	}
	for _, want := range []string{"unifiedapi [serve]", "unifiedapi apply -config FILE", "unifiedapi migrate", "unifiedapi revoke", "-addr", "-db"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("-h does not mention %q:\n%s", want, stderr)
		}
	}
	_, _, err = runCmd(t, "", "aply", "-config", "x.yaml")
	if err == nil || !strings.Contains(err.Error(), `unknown command "aply"`) || !strings.Contains(err.Error(), "apply") {
		t.Errorf("a mistyped command: err %v, want it named with the commands", err)
	}
}
