package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

const (
	tokA = "a1f4c8e2b6d0a3f7c1e5b9d2a6f0c4e8"
	tokB = "b2e5d9f3c7a1b4e8d2f6c0a3b7e1d5f9"
	tokC = "c3d6e0a4f8b2c5d9e3a7f1b4c8d2e6a0"
)

// clock is a settable time for the lookup cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openAt opens a store on path whose lookup cache runs on a clock that
// moves only when the test moves it.
func openAt(t *testing.T, path string, ttl time.Duration) (Store, *clock) {
	t.Helper()
	s, err := Open(context.Background(), path, Options{Synchronous: "NORMAL", CacheTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	baseOf(s).lookups.now = c.now
	return s, c
}

func mustTenants(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"t1", "t2"} {
		if err := s.PutTenant(ctx, Tenant{ID: id, Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	for tok, tenant := range map[string]string{tokA: "t1", tokB: "t1", tokC: "t2"} {
		if err := s.AddToken(ctx, tenant, tok); err != nil {
			t.Fatal(err)
		}
	}
}

func wantTenant(t *testing.T, s Store, tok, want string) {
	t.Helper()
	tn, err := s.TenantByToken(context.Background(), tok)
	switch {
	case want == "" && !errors.Is(err, ErrNotFound):
		t.Errorf("token %s…: %+v, %v; want it refused", tok[:4], tn, err)
	case want != "" && (err != nil || tn.ID != want):
		t.Errorf("token %s…: %+v, %v; want tenant %s", tok[:4], tn, err, want)
	}
}

// TestRevokeInProcess: a revocation through the Store drops the cached
// lookup at once, although the cache's clock never moves.
func TestRevokeInProcess(t *testing.T) { storetest.Run(t, testRevokeInProcess) }

func testRevokeInProcess(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := openAt(t, e.DSN(t), time.Hour)
	mustTenants(t, s)
	for _, tok := range []string{tokA, tokB, tokC} { // all cached now
		wantTenant(t, s, tok, map[string]string{tokA: "t1", tokB: "t1", tokC: "t2"}[tok])
	}

	owner, err := s.RevokeToken(ctx, "", tokA)
	if err != nil || owner != "t1" {
		t.Fatalf("RevokeToken = %q, %v", owner, err)
	}
	wantTenant(t, s, tokA, "")
	wantTenant(t, s, tokB, "t1")

	// Unknown, already revoked, or another tenant's: not found, and the
	// error does not show the token.
	for _, c := range []struct{ tenant, tok string }{{"", tokA}, {"t1", tokC}, {"", "never-seen-0123456789abcdefghijk"}} {
		_, err := s.RevokeToken(ctx, c.tenant, c.tok)
		if !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), c.tok) {
			t.Errorf("RevokeToken(%q, %s…) = %v; want ErrNotFound without the token", c.tenant, c.tok[:4], err)
		}
	}
	wantTenant(t, s, tokC, "t2")

	n, err := s.RevokeTenantTokens(ctx, "t1")
	if err != nil || n != 1 {
		t.Fatalf("RevokeTenantTokens(t1) = %d, %v; want 1", n, err)
	}
	wantTenant(t, s, tokB, "")
	wantTenant(t, s, tokC, "t2")
	if _, err := s.RevokeTenantTokens(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RevokeTenantTokens(nobody) = %v; want ErrNotFound", err)
	}
}

// TestRevokeExcept: the tokens to keep stay, the others go, in the
// caller's transaction.
func TestRevokeExcept(t *testing.T) { storetest.Run(t, testRevokeExcept) }

func testRevokeExcept(t *testing.T, e storetest.Engine) {
	s, _ := openAt(t, e.DSN(t), time.Hour)
	mustTenants(t, s)
	wantTenant(t, s, tokA, "t1")
	var n int
	err := write(s, func(tx Tx) (err error) {
		n, err = tx.RevokeTokensExcept("t1", []string{tokB, tokC}) // tokC is t2's: untouched
		return err
	})
	if err != nil || n != 1 {
		t.Fatalf("RevokeTokensExcept = %d, %v; want 1", n, err)
	}
	wantTenant(t, s, tokA, "")
	wantTenant(t, s, tokB, "t1")
	wantTenant(t, s, tokC, "t2")
	// Rolled back with the transaction it is part of.
	err = write(s, func(tx Tx) error {
		if _, err := tx.RevokeTokensExcept("t1", nil); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if err == nil {
		t.Fatal("no error")
	}
	wantTenant(t, s, tokB, "t1")
}

// TestRevokeOtherProcess: a store on the same file (another process: a
// running server while unifiedapi revoke runs) refuses a revoked token once
// its cached lookup expires, at most the TTL after the revocation; without
// a cache, at once.
func TestRevokeOtherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "o.db")
	const ttl = 5 * time.Second
	server, clk := openAt(t, path, ttl)
	uncached, _ := openAt(t, path, -1)
	revoker, _ := openAt(t, path, ttl)
	mustTenants(t, revoker)
	wantTenant(t, server, tokA, "t1") // cached by the server until +ttl
	wantTenant(t, uncached, tokA, "t1")

	if _, err := revoker.RevokeToken(ctx, "", tokA); err != nil {
		t.Fatal(err)
	}
	wantTenant(t, uncached, tokA, "")
	clk.add(ttl)
	wantTenant(t, server, tokA, "")
	// Other tokens were not revoked, and are looked up again.
	wantTenant(t, server, tokB, "t1")
}

// TestCacheClearWinsOverLookupInFlight: a lookup that read the database
// before a revocation committed does not cache what it read after the
// revocation cleared the cache.
func TestCacheClearWinsOverLookupInFlight(t *testing.T) {
	l := newLookups(time.Hour, false)
	hash := sha256.Sum256([]byte("a token"))
	_, ok, gen, began := get(l, l.tenants, hash)
	if ok {
		t.Fatal("empty cache hit")
	}
	// ... the lookup reads the token's tenant from the database; then the
	// revocation commits and clears the cache; then the lookup caches:
	l.clear()
	put(l, l.tenants, hash, Tenant{ID: "t1"}, gen, began)
	if v, ok, _, _ := get(l, l.tenants, hash); ok {
		t.Fatalf("a lookup from before the clear was cached: %+v", v)
	}
	// A lookup that began after the clear is cached.
	_, _, gen, began = get(l, l.tenants, hash)
	put(l, l.tenants, hash, Tenant{ID: "t1"}, gen, began)
	if _, ok, _, _ := get(l, l.tenants, hash); !ok {
		t.Fatal("not cached")
	}
}

func TestCanonicalUUID(t *testing.T) {
	const id = "00000000-0000-4000-8000-00000000000a"
	for in, want := range map[string]string{
		id:                                       id,
		"00000000-0000-4000-8000-00000000000A":   id,
		"{00000000-0000-4000-8000-00000000000a}": id,
		"urn:uuid:00000000-0000-4000-8000-00000000000a": id,
		"00000000000040008000000000000000a":             "", // 33 digits
		"0000000000004000800000000000000a":              id,
		"00000000-0000-4000-8000-00000000000g":          "",
		"00000000-0000-4000-8000_00000000000a":          "",
		"":                                              "",
	} {
		got, ok := canonicalUUID(in)
		if got != want || ok != (want != "") {
			t.Errorf("canonicalUUID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
