package remote

import (
	"testing"
	"time"
)

// TestBackoffGrows: the wait after attempt n is within [d/2, d] with
// d = min(BackoffMax, BackoffBase·2^(n-1)), as Options documents.
func TestBackoffGrows(t *testing.T) {
	c := NewClient(Options{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second})
	for _, tc := range []struct {
		n        int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second}, // capped
		{70, 500 * time.Millisecond, time.Second},
	} {
		for range 50 {
			if d := c.backoff(tc.n); d < tc.min || d > tc.max {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tc.n, d, tc.min, tc.max)
			}
		}
	}
}
