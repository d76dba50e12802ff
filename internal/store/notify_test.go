package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// TestChangesReachReplicasWithinBound: on PostgreSQL a revocation, an
// account change or a whole configuration applied through one store
// reaches another store's cache within RevocationBound, although that
// store's cache entries would live for an hour and its clock never moves.
// It logs the delays it measured.
func TestChangesReachReplicasWithinBound(t *testing.T) {
	ctx := context.Background()
	first, dsn := open(t, storetest.Engines[1], Options{})
	mustTenants(t, first)
	seed := Account{ID: acctA, TenantID: "t1", Integration: "dixa", Name: "A"}
	if err := first.PutAccount(ctx, seed); err != nil {
		t.Fatal(err)
	}
	server, _ := openAt(t, dsn, time.Hour) // a clock that never moves
	waitLive(t, server)

	// seen polls until the server sees the change, and returns how long
	// it took after the commit.
	seen := func(what string, committed time.Time, changed func() bool) time.Duration {
		t.Helper()
		for !changed() {
			if time.Since(committed) > 5*time.Second {
				t.Fatalf("%s: not seen 5 s after the commit", what)
			}
			time.Sleep(200 * time.Microsecond)
		}
		return time.Since(committed)
	}
	var delays []time.Duration
	for i := range 10 {
		tok := tokA
		if i%2 == 1 {
			tok = tokB
		}
		// Cached (the clock is frozen: it would be for an hour).
		wantTenant(t, server, tok, "t1")
		if _, err := server.Account(ctx, "t1", acctA); err != nil {
			t.Fatal(err)
		}
		// Revoke through another store (another replica, or apply).
		committed := time.Now()
		if _, err := first.RevokeToken(ctx, "", tok); err != nil {
			t.Fatal(err)
		}
		delays = append(delays, seen("revocation", committed, func() bool {
			_, err := server.TenantByToken(ctx, tok)
			return errors.Is(err, ErrNotFound)
		}))
		// An account renamed elsewhere.
		name := "renamed-" + strconv.Itoa(i)
		committed = time.Now()
		if err := first.PutAccount(ctx, Account{ID: acctA, TenantID: "t1", Integration: "dixa", Name: name}); err != nil {
			t.Fatal(err)
		}
		delays = append(delays, seen("account change", committed, func() bool {
			a, err := server.Account(ctx, "t1", acctA)
			return err == nil && a.Name == name
		}))
		if err := first.AddToken(ctx, "t1", tok); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(delays)
	t.Logf("%d changes reached the other store after %v (median), %v (max); bound %v",
		len(delays), delays[len(delays)/2], delays[len(delays)-1], RevocationBound)
	if max := delays[len(delays)-1]; max > RevocationBound {
		t.Errorf("a change took %v to reach another store; the documented bound is %v", max, RevocationBound)
	}
}

// TestNoCacheWhileNotListening: a PostgreSQL store whose listener is not
// connected caches nothing, so a change it cannot hear about is still
// seen at once.
func TestNoCacheWhileNotListening(t *testing.T) {
	ctx := context.Background()
	first, dsn := open(t, storetest.Engines[1], Options{})
	mustTenants(t, first)
	server, _ := openAt(t, dsn, time.Hour)
	waitLive(t, server)
	l := baseOf(server).lookups
	l.setLive(false) // as when the listener's connection breaks
	wantTenant(t, server, tokA, "t1")
	l.mu.RLock()
	n := len(l.tenants)
	l.mu.RUnlock()
	if n != 0 {
		t.Fatalf("%d lookups cached while not listening", n)
	}
	// Make the change unheard: this store's listener is the one that is
	// "down", so only the database can tell it.
	if _, err := first.RevokeToken(ctx, "", tokA); err != nil {
		t.Fatal(err)
	}
	wantTenant(t, server, tokA, "")
}

// waitLive waits until a PostgreSQL store's listener is connected.
func waitLive(t *testing.T, s Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !baseOf(s).lookups.live.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the store's listener did not connect")
		}
		time.Sleep(time.Millisecond)
	}
}
