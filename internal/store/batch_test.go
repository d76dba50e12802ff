package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// TestBatchedWritesFailAlone: under concurrency writes share commits, yet
// each one's error (its own, or a refused precondition) undoes only its own
// changes, and read-modify-write updates of one record are serialised.
func TestBatchedWritesFailAlone(t *testing.T) { storetest.Run(t, testBatchedWritesFailAlone) }

func testBatchedWritesFailAlone(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{Synchronous: "FULL"})
	seed(t, s)
	// Every successful write also increments n in this shared record.
	const counters = "test/counters"
	counter := create(t, s, acctA, counters, `{"n":0}`, time.Now())
	increment := func(old Record) ([]byte, error) {
		var c struct{ N int }
		if err := json.Unmarshal(old.Doc, &c); err != nil {
			return nil, err
		}
		return fmt.Appendf(nil, `{"n":%d}`, c.N+1), nil
	}

	boom := errors.New("boom")
	const workers, each = 16, 25
	var mu sync.Mutex
	ok, failed, refused := 0, 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				key := &IdemKey{TenantID: "t1", Key: fmt.Sprintf("k-%d-%d", w, i), RequestHash: "h"}
				_, _, err := s.Write(ctx, key, func(tx Tx) (Saved, error) {
					if _, err := tx.CreateRecord(acctA, users, []byte(`{"fields":{}}`), time.Now()); err != nil {
						return Saved{}, err
					}
					switch i % 5 {
					case 0:
						if _, err := tx.UpdateRecord(acctA, counters, counter.ID, time.Now(), nil, increment); err != nil {
							return Saved{}, err
						}
						return Saved{}, boom // after writing: must be undone
					case 1:
						// Refused: the create above must be undone too.
						_, err := tx.UpdateRecord(acctA, counters, counter.ID, time.Now(),
							func(int64) bool { return false }, increment)
						return Saved{}, err
					}
					if _, err := tx.UpdateRecord(acctA, counters, counter.ID, time.Now(), nil, increment); err != nil {
						return Saved{}, err
					}
					return Saved{Status: 201, Body: []byte("{}")}, nil
				})
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, boom):
					failed++
				case errors.Is(err, ErrPrecondition):
					refused++
				default:
					t.Errorf("unexpected error: %v", err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if n := count(t, s, acctA, users); n != ok || ok != workers*each*3/5 || failed != workers*each/5 || refused != workers*each/5 {
		t.Fatalf("%d records stored, %d writes succeeded, %d failed, %d refused", n, ok, failed, refused)
	}
	got, err := s.Record(ctx, acctA, counters, counter.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`{"n":%d}`, ok); string(got.Doc) != want || got.Version != int64(ok)+1 {
		t.Fatalf("counter is %s at version %d; want %s at version %d", got.Doc, got.Version, want, ok+1)
	}
	// A failed write's key was not stored either: it can be used again.
	for _, k := range []string{"k-0-0", "k-0-1"} {
		if _, replayed, err := s.Write(ctx, &IdemKey{TenantID: "t1", Key: k, RequestHash: "other"}, func(tx Tx) (Saved, error) {
			return Saved{Status: 201}, nil
		}); err != nil || replayed {
			t.Fatalf("key %s of a failed write: replayed=%v err=%v", k, replayed, err)
		}
	}
	// A successful one's was.
	if _, _, err := s.Write(ctx, &IdemKey{TenantID: "t1", Key: "k-0-2", RequestHash: "other"}, func(tx Tx) (Saved, error) {
		return Saved{Status: 201}, nil
	}); !errors.Is(err, ErrKeyReused) {
		t.Fatalf("key of a successful write: %v, want ErrKeyReused", err)
	}
}

func TestWriteCancelledBeforeItsTurnWritesNothing(t *testing.T) {
	storetest.Run(t, testWriteCancelledBeforeItsTurnWritesNothing)
}

func testWriteCancelledBeforeItsTurnWritesNothing(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, err := Open(ctx, e.DSN(t), Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	called := false
	_, _, err = s.Write(cctx, nil, func(tx Tx) (Saved, error) { called = true; return Saved{}, nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err=%v called=%v", err, called)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Write(ctx, nil, func(tx Tx) (Saved, error) { return Saved{}, nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestBatchRerunsWithoutTheFailure: a batch runs without savepoints first;
// when one of its writes fails after changing rows, the batch is rolled
// back and run again with them, so the others commit once and the failed
// one leaves nothing, whatever its place in the batch.
func TestBatchRerunsWithoutTheFailure(t *testing.T) {
	ctx := context.Background()
	s, _ := openSQLite(t, Options{})
	seed(t, s)
	// Hold the writer in a write of its own until the three below wait
	// for it, so that they run as one batch.
	hold, held := make(chan struct{}), make(chan struct{})
	go s.Write(ctx, nil, func(Tx) (Saved, error) { close(held); <-hold; return Saved{}, nil })
	<-held
	boom := errors.New("boom")
	var mu sync.Mutex
	runs := map[int]int{}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() {
			_, _, errs[i] = s.Write(ctx, nil, func(tx Tx) (Saved, error) {
				mu.Lock()
				runs[i]++
				mu.Unlock()
				if _, err := tx.CreateRecord(acctA, users, fmt.Appendf(nil, `{"w":%d}`, i), time.Now()); err != nil {
					return Saved{}, err
				}
				if i == 1 {
					return Saved{}, boom // after its insert: must be undone alone
				}
				return Saved{}, nil
			})
		})
	}
	// Let the three reach the writer's queue (its channel takes them
	// once the held write is done), then let the writer go.
	time.Sleep(100 * time.Millisecond)
	close(hold)
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] != nil {
		t.Fatalf("errors %v, want nil, boom, nil", errs)
	}
	if n := count(t, s, acctA, users); n != 2 {
		t.Fatalf("%d records, want 2: each success once, the failure's insert undone", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs[1] < 1 || runs[1] > 2 || runs[0] < 1 || runs[0] > 2 || runs[2] < 1 || runs[2] > 2 || runs[0]+runs[1]+runs[2] < 4 {
		t.Errorf("runs %v: want the batch run twice, each write at most twice", runs)
	}
}
