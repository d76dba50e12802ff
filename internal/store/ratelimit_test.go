package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// TestSharedRateLimit: the PostgreSQL limiter is one bucket per key for
// every store on the database; a rejection says how long until the next
// request is allowed.
func TestSharedRateLimit(t *testing.T) {
	rs := replicas(t, storetest.Engines[1], 3)
	ctx := context.Background()
	const (
		rate  = 0.01 // one request per 100 s: no refill during the test
		burst = 5
	)
	allowed := 0
	for i := range 4 * burst {
		wait, ok, err := rs[i%len(rs)].(RateLimiter).TakeRate(ctx, "tenant:t1", rate, burst)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
			continue
		}
		// The bucket refills one request per 100 s.
		if wait <= 90*time.Second || wait > 100*time.Second {
			t.Errorf("request %d refused with a wait of %v; want about 100s", i, wait)
		}
	}
	if allowed != burst {
		t.Fatalf("%d of %d requests allowed through %d stores; want the burst, %d", allowed, 4*burst, len(rs), burst)
	}
	// Another key has a bucket of its own.
	if _, ok, err := rs[0].(RateLimiter).TakeRate(ctx, "tenant:t2", rate, burst); err != nil || !ok {
		t.Fatalf("another key: %v %v", ok, err)
	}
	// A bucket refills: at 20 per second, the next request is allowed
	// within 50 ms of the refusal, and the wait said so.
	for i := range 3 {
		_, ok, err := rs[0].(RateLimiter).TakeRate(ctx, "fast", 20, 1)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 != ok {
			t.Fatalf("take %d at 20/s, burst 1: allowed=%v", i, ok)
		}
	}
	wait, ok, err := rs[1].(RateLimiter).TakeRate(ctx, "fast", 20, 1)
	if err != nil || ok || wait <= 0 || wait > 50*time.Millisecond {
		t.Fatalf("refused take: wait %v ok %v err %v; want a wait in (0, 50ms]", wait, ok, err)
	}
	time.Sleep(wait)
	if _, ok, err := rs[2].(RateLimiter).TakeRate(ctx, "fast", 20, 1); err != nil || !ok {
		t.Fatalf("after waiting the time the refusal named: ok=%v err=%v", ok, err)
	}
}

// BenchmarkTakeRate measures one shared limiter decision: a round trip
// and an update of one row of an unlogged table. Parallel: many requests
// of one key (one row lock) or of different keys.
func BenchmarkTakeRate(b *testing.B) {
	s, _ := open(b, storetest.Engines[1], Options{MaxConns: 16})
	rl := s.(RateLimiter)
	ctx := context.Background()
	b.Run("one-key", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := rl.TakeRate(ctx, "tenant:bench", 1e9, 1000); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("many-keys", func(b *testing.B) {
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			key := fmt.Sprintf("account:%d", n.Add(1))
			for pb.Next() {
				if _, _, err := rl.TakeRate(ctx, key, 1e9, 1000); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
