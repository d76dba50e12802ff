package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestLookupCache(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(ctx, path, Options{Synchronous: "NORMAL", CacheTTL: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	baseOf(s).lookups.now = clk.now
	// A second store on the same file stands for another process
	// (unifiedapi apply against a running server).
	other, err := Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const token = "a-token-of-sixteen-chars"
	if err := s.PutTenant(ctx, Tenant{ID: "t", Name: "Before"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TenantByToken(ctx, token); err == nil {
		t.Fatal("unknown token accepted")
	}
	if err := other.AddToken(ctx, "t", token); err != nil {
		t.Fatal(err)
	}
	// Misses are not cached: a token added elsewhere works at once.
	if tn, err := s.TenantByToken(ctx, token); err != nil || tn.Name != "Before" {
		t.Fatalf("new token: %+v %v", tn, err)
	}
	// A change through this store clears the cache at once.
	if err := s.PutTenant(ctx, Tenant{ID: "t", Name: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if tn, _ := s.TenantByToken(ctx, token); tn.Name != "Renamed" {
		t.Fatalf("after own write: %+v", tn)
	}
	// A change elsewhere is seen once the entry expires.
	if err := other.PutTenant(ctx, Tenant{ID: "t", Name: "Elsewhere"}); err != nil {
		t.Fatal(err)
	}
	if tn, _ := s.TenantByToken(ctx, token); tn.Name != "Renamed" {
		t.Fatalf("within the TTL the cached tenant answers: %+v", tn)
	}
	clk.add(200 * time.Millisecond)
	if tn, _ := s.TenantByToken(ctx, token); tn.Name != "Elsewhere" {
		t.Fatalf("after the TTL: %+v", tn)
	}
	// Accounts: cached per tenant, never across tenants.
	a := Account{ID: "00000000-0000-4000-8000-000000000001", TenantID: "t", Integration: "dixa", Name: "A"}
	if err := s.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Account(ctx, "t", a.ID); err != nil || got != a {
		t.Fatalf("account: %+v %v", got, err)
	}
	if _, err := s.Account(ctx, "other", a.ID); err == nil {
		t.Fatal("another tenant got the cached account")
	}
}

// TestLookupCacheTTLOptions: 0 means DefaultCacheTTL, negative no cache.
func TestLookupCacheTTLOptions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "o.db")
	def, err := Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	if baseOf(def).lookups.ttl != DefaultCacheTTL {
		t.Fatalf("CacheTTL 0 gives a TTL of %v, want %v", baseOf(def).lookups.ttl, DefaultCacheTTL)
	}
	none, err := Open(ctx, path, Options{Synchronous: "NORMAL", CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	const token = "another-token-sixteen"
	if err := def.PutTenant(ctx, Tenant{ID: "t", Name: "One"}); err != nil {
		t.Fatal(err)
	}
	if err := def.AddToken(ctx, "t", token); err != nil {
		t.Fatal(err)
	}
	if tn, err := none.TenantByToken(ctx, token); err != nil || tn.Name != "One" {
		t.Fatalf("lookup: %+v %v", tn, err)
	}
	// Without a cache, a change made elsewhere is seen at once.
	if err := def.PutTenant(ctx, Tenant{ID: "t", Name: "Two"}); err != nil {
		t.Fatal(err)
	}
	if tn, err := none.TenantByToken(ctx, token); err != nil || tn.Name != "Two" {
		t.Fatalf("uncached lookup after a change elsewhere: %+v %v", tn, err)
	}
	baseOf(none).lookups.mu.RLock()
	n := len(baseOf(none).lookups.tenants)
	baseOf(none).lookups.mu.RUnlock()
	if n != 0 {
		t.Fatalf("a store without a cache cached %d tenants", n)
	}
}
