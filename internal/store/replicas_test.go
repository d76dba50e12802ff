package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// replicas opens n stores on one new database: n processes sharing it
// (replicas on PostgreSQL; servers on one file on SQLite).
func replicas(t *testing.T, e storetest.Engine, n int) []Store {
	t.Helper()
	first, dsn := open(t, e, Options{Synchronous: "NORMAL"})
	out := []Store{first}
	for range n - 1 {
		s, err := Open(context.Background(), dsn, Options{Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// TestSameKeyAcrossReplicas: requests with one Idempotency-Key sent at
// once through several stores on one database write once; every other
// one replays the first response.
func TestSameKeyAcrossReplicas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rs := replicas(t, e, 2)
		seed(t, rs[0])
		const requests = 16
		var (
			calls    atomic.Int64
			replays  atomic.Int64
			mu       sync.Mutex
			answers  []Saved
			start    = make(chan struct{})
			wg       sync.WaitGroup
			failures []error
		)
		for i := range requests {
			wg.Go(func() {
				s := rs[i%len(rs)]
				<-start
				sv, replayed, err := s.Write(ctx, &IdemKey{TenantID: "t1", Key: "same", RequestHash: "h"}, func(tx Tx) (Saved, error) {
					calls.Add(1)
					r, err := tx.CreateRecord(acctA, users, []byte(`{"once":true}`), time.Now())
					if err != nil {
						return Saved{}, err
					}
					// Hold the transaction open, so that the others
					// arrive while it is in flight.
					time.Sleep(50 * time.Millisecond)
					return Saved{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"` + r.ID + `"}`), ETag: `W/"1"`}, nil
				})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failures = append(failures, err)
					return
				}
				if replayed {
					replays.Add(1)
				}
				answers = append(answers, sv)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range failures {
			t.Error(err)
		}
		if n := count(t, rs[0], acctA, users); calls.Load() != 1 || n != 1 {
			t.Fatalf("fn ran %d times and %d records exist; want 1 and 1", calls.Load(), n)
		}
		if replays.Load() != requests-1 {
			t.Errorf("%d replays, want %d", replays.Load(), requests-1)
		}
		for _, a := range answers {
			if a.Status != 201 || !bytes.Equal(a.Body, answers[0].Body) || a.ETag != `W/"1"` {
				t.Fatalf("answers differ: %+v and %+v", a, answers[0])
			}
		}
	})
}

// TestFailedKeyHolderLetsTheNextRun: when the request holding a key fails
// (nothing kept), a request waiting for the same key runs itself.
func TestFailedKeyHolderLetsTheNextRun(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		rs := replicas(t, e, 2)
		seed(t, rs[0])
		key := &IdemKey{TenantID: "t1", Key: "k", RequestHash: "h"}
		holding := make(chan struct{})
		boom := errors.New("boom")
		var wg sync.WaitGroup
		wg.Go(func() {
			_, _, err := rs[0].Write(ctx, key, func(tx Tx) (Saved, error) {
				if _, err := tx.CreateRecord(acctA, users, []byte(`{"first":true}`), time.Now()); err != nil {
					return Saved{}, err
				}
				close(holding)
				time.Sleep(100 * time.Millisecond)
				return Saved{}, boom
			})
			if !errors.Is(err, boom) {
				t.Errorf("first: %v", err)
			}
		})
		<-holding
		sv, replayed, err := rs[1].Write(ctx, key, func(tx Tx) (Saved, error) {
			_, err := tx.CreateRecord(acctA, users, []byte(`{"second":true}`), time.Now())
			return Saved{Status: 201}, err
		})
		wg.Wait()
		if err != nil || replayed || sv.Status != 201 {
			t.Fatalf("second: %+v replayed=%v err=%v", sv, replayed, err)
		}
		if n := count(t, rs[0], acctA, users); n != 1 {
			t.Fatalf("%d records, want 1", n)
		}
	})
}

// TestIfMatchAcrossReplicas: concurrent conditional updates of one
// record, naming the same version, through several stores: exactly one
// succeeds, the others are refused, and no update is lost.
func TestIfMatchAcrossReplicas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		rs := replicas(t, e, 3)
		seed(t, rs[0])
		r := create(t, rs[0], acctA, users, `{"n":0}`, time.Now())
		const writers = 12
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range writers {
			wg.Go(func() {
				<-start
				_, err := updateRec(rs[i%len(rs)], acctA, users, r.ID, time.Now(), func(v int64) bool { return v == 1 },
					func(old Record) ([]byte, error) {
						time.Sleep(10 * time.Millisecond) // widen the read-modify-write window
						return fmt.Appendf(nil, `{"n":%d}`, i+1), nil
					})
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrPrecondition):
					refused.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		if ok.Load() != 1 || refused.Load() != writers-1 {
			t.Fatalf("%d updates succeeded and %d were refused; want 1 and %d", ok.Load(), refused.Load(), writers-1)
		}
		got, err := rs[1].Record(context.Background(), acctA, users, r.ID)
		if err != nil || got.Version != 2 {
			t.Fatalf("after the race: %+v, %v; want version 2", got, err)
		}
		// Unconditional updates from every replica at once: none is lost.
		for i := range writers {
			wg.Go(func() {
				if _, err := updateRec(rs[i%len(rs)], acctA, users, r.ID, time.Now(), nil, func(old Record) ([]byte, error) {
					return append(bytes.TrimSuffix(old.Doc, []byte("}")), []byte(`,"x`+fmt.Sprint(i)+`":1}`)...), nil
				}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, err = rs[2].Record(context.Background(), acctA, users, r.ID)
		if err != nil || got.Version != 2+writers || bytes.Count(got.Doc, []byte(`"x`)) != writers {
			t.Fatalf("after %d concurrent updates: version %d, doc %s, %v", writers, got.Version, got.Doc, err)
		}
	})
}

// TestMigrationsOnceAcrossReplicas: several stores opening one new
// database at once all succeed, and the schema is current.
func TestMigrationsOnceAcrossReplicas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		dsn := e.DSN(t)
		ctx := context.Background()
		var wg sync.WaitGroup
		stores := make([]Store, 4)
		errs := make([]error, len(stores))
		for i := range stores {
			wg.Go(func() { stores[i], errs[i] = Open(ctx, dsn, Options{}) })
		}
		wg.Wait()
		for i, s := range stores {
			if errs[i] != nil {
				t.Fatalf("open %d: %v", i, errs[i])
			}
			defer s.Close()
			if err := s.Ready(ctx); err != nil {
				t.Errorf("store %d not ready: %v", i, err)
			}
		}
		seed(t, stores[0])
		if a, err := stores[3].Account(ctx, "t1", acctA); err != nil || a.Integration != "dixa" {
			t.Fatalf("account through another store: %+v, %v", a, err)
		}
	})
}
