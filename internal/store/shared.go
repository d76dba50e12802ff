package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// base is what both engines share: the reads outside transactions (token
// and account lookups with their cache, records, lists), the writes
// expressed through Write, and write health. Each engine embeds it and
// brings its own Write, migrations, pools and Close.
type base struct {
	engine string
	// read runs reads outside any transaction: SQLite's read-only pool,
	// or the PostgreSQL pool.
	read    querier
	lookups *lookups
	// write is the engine's Write.
	write func(ctx context.Context, key *IdemKey, fn func(tx Tx) (Saved, error)) (Saved, bool, error)

	// now is the clock for idempotency bookkeeping; tests replace it to
	// exercise expiry.
	now func() time.Time

	// keyPrune spaces out the pruning of expired idempotency rows.
	keyPrune throttle

	// lastWriteErr is the error of the last commit, nil after a success.
	lastWriteErr atomic.Pointer[error]
}

func (s *base) Engine() string { return s.engine }

// writeOnly runs fn in a Write without an idempotency key.
func (s *base) writeOnly(ctx context.Context, fn func(tx Tx) error) error {
	_, _, err := s.write(ctx, nil, func(tx Tx) (Saved, error) { return Saved{}, fn(tx) })
	return err
}

// txn is the Tx of both engines: the same statements, run through the
// engine's transaction.
type txn struct {
	ctx context.Context
	q   querier
	// pg is set on PostgreSQL, where a few statements differ: row locks
	// for read-modify-write, and the lock that orders creates.
	pg bool
	// auth is set when the transaction changed tenants, tokens or
	// accounts, so lookup caches are cleared once it commits (on
	// PostgreSQL, every replica's); authLocked once it holds the lock of
	// such changes (lockAuth).
	auth, authLocked bool
}

// throttle lets something through at most once per period per process.
// A clock that stepped backwards also lets it through, so a wall-clock
// correction cannot postpone it until time catches up.
type throttle struct {
	mu   sync.Mutex
	last time.Time
}

// due reports whether the period has passed since the last time it did,
// and if so starts a new one at now.
func (t *throttle) due(now time.Time, period time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	since := now.Sub(t.last)
	if since >= period || since < 0 {
		t.last = now
		return true
	}
	return false
}

// noteWrite remembers whether the last commit failed: a full disk fails
// every write while reads go on, and health must say so.
func (s *base) noteWrite(err error) {
	if err != nil {
		s.lastWriteErr.Store(&err)
	} else if s.lastWriteErr.Load() != nil {
		s.lastWriteErr.Store(nil)
	}
}

// NoteFailure implements Store.
func (s *base) NoteFailure(err error) { s.noteWrite(err) }

// WriteHealth implements Store.
func (s *base) WriteHealth() error {
	if p := s.lastWriteErr.Load(); p != nil {
		return *p
	}
	return nil
}
