package store

import (
	"context"
	"fmt"
	"math"
	"time"
)

// RateLimiter is implemented by stores whose rate limits are shared by
// every process using the database: PostgreSQL's. A SQLite store does not
// implement it; the service keeps its limits in memory there.
type RateLimiter interface {
	// TakeRate spends one request of key's allowance, rate per second
	// with bursts of burst, and reports whether it was allowed; if not,
	// wait is how long until one more request would be.
	TakeRate(ctx context.Context, key string, rate float64, burst int) (wait time.Duration, ok bool, err error)
}

// nowMicros is the database's clock in Unix microseconds, the same for
// the whole statement (statement_timestamp), so that replicas whose
// clocks disagree still share one limiter.
const nowMicros = `(extract(epoch FROM statement_timestamp()) * 1000000)::bigint`

// takeRate is the generic cell rate algorithm in one statement. A key's
// row holds its theoretical arrival time (tat): with the emission
// interval T = 1/rate and room for burst requests, a request at time now
// is allowed when max(tat, now) + T - burst*T <= now, and then moves tat
// to max(tat, now) + T; otherwise tat stays. A key without a row is a full
// bucket. The row lock serialises the replicas' requests for one key;
// ($1 key, $2 T in µs, $3 burst*T in µs). The inserted tat, now + T, is
// how the update learns now (excluded.tat - T).
const takeRate = `
INSERT INTO rate_limits AS r (key, tat, allowed) VALUES ($1, ` + nowMicros + ` + $2, true)
ON CONFLICT (key) DO UPDATE SET
	allowed = GREATEST(r.tat, excluded.tat - $2) + $2 - $3 <= excluded.tat - $2,
	tat = CASE WHEN GREATEST(r.tat, excluded.tat - $2) + $2 - $3 <= excluded.tat - $2
		THEN GREATEST(r.tat, excluded.tat - $2) + $2 ELSE r.tat END
RETURNING tat - ` + nowMicros + `, allowed`

// pruneRateEvery spaces out the deletion of rows whose bucket is full
// again (tat in the past): they mean the same as no row.
const pruneRateEvery = time.Minute

// TakeRate implements RateLimiter.
func (s *pgStore) TakeRate(ctx context.Context, key string, rate float64, burst int) (time.Duration, bool, error) {
	if rate <= 0 {
		return 0, true, nil
	}
	burst = max(burst, 1)
	interval := int64(math.Ceil(1e6 / rate)) // µs
	var (
		ahead   int64 // tat - now, µs
		allowed bool
	)
	if err := s.pool.QueryRow(ctx, takeRate, key, interval, int64(burst)*interval).Scan(&ahead, &allowed); err != nil {
		return 0, false, fmt.Errorf("store: rate limit: %w", err)
	}
	s.maybePruneRates()
	if allowed {
		return 0, true, nil
	}
	// The next request is allowed once max(tat, now) + T - burst*T <= now.
	wait := ahead + interval - int64(burst)*interval
	return time.Duration(max(wait, 1)) * time.Microsecond, false, nil
}

// maybePruneRates deletes the rows of full buckets, at most once per
// pruneRateEvery per process, in the background.
func (s *pgStore) maybePruneRates() {
	if !s.ratePrune.due(time.Now(), pruneRateEvery) {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.writes.Add(1) // Close waits for it
	s.mu.Unlock()
	go func() {
		defer s.writes.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		s.pool.Exec(ctx, `DELETE FROM rate_limits WHERE tat < `+nowMicros)
	}()
}
