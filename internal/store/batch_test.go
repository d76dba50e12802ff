package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestBatchedWritesFailAlone: under concurrency writes share commits, yet
// each one's error undoes only its own changes.
func TestBatchedWritesFailAlone(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Synchronous: "FULL"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutTenant(ctx, Tenant{ID: "t", Name: "T"}); err != nil {
		t.Fatal(err)
	}
	acct := Account{ID: "00000000-0000-4000-8000-000000000001", TenantID: "t", Integration: "dixa", Name: "A"}
	if err := s.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	const workers, each = 16, 25
	var mu sync.Mutex
	ok, failed := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := &IdemKey{TenantID: "t", Key: fmt.Sprintf("k-%d-%d", w, i), RequestHash: "h"}
				_, _, err := s.Write(ctx, key, func(tx *Tx) (Saved, error) {
					if _, err := tx.CreateUser(acct.ID, []byte(`{"fields":{}}`), time.Now()); err != nil {
						return Saved{}, err
					}
					if i%5 == 0 {
						return Saved{}, boom // after writing: must be undone
					}
					return Saved{Status: 201, Body: []byte("{}")}, nil
				})
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, boom):
					failed++
				default:
					t.Errorf("unexpected error: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	n, err := s.CountUsers(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n != ok || failed != workers*each/5 {
		t.Fatalf("%d users stored, %d writes succeeded, %d failed", n, ok, failed)
	}
	// A failed write's key was not stored either: it can be used again.
	if _, replayed, err := s.Write(ctx, &IdemKey{TenantID: "t", Key: "k-0-0", RequestHash: "other"}, func(tx *Tx) (Saved, error) {
		return Saved{Status: 201}, nil
	}); err != nil || replayed {
		t.Fatalf("key of a failed write: replayed=%v err=%v", replayed, err)
	}
}

func TestWriteCancelledBeforeItsTurnWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	called := false
	_, _, err = s.Write(cctx, nil, func(tx *Tx) (Saved, error) { called = true; return Saved{}, nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err=%v called=%v", err, called)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Write(ctx, nil, func(tx *Tx) (Saved, error) { return Saved{}, nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}
