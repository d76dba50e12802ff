package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Saved is a response kept for an Idempotency-Key, replayed verbatim when
// the same request arrives again with the same key.
type Saved struct {
	Status      int
	ContentType string
	Body        []byte
}

// IdemKey identifies an idempotent request. Keys are scoped per tenant, so two
// tenants choosing the same key never see each other's responses.
// RequestHash is an opaque digest, computed by the caller, of everything that
// makes the request what it is (method, path, account, body): the same key
// with a different hash is a client bug and yields [ErrKeyReused].
type IdemKey struct {
	TenantID, Key, RequestHash string
}

const (
	// idemTTL is how long a saved response is honoured. After it, the key
	// counts as unused: the row is replaced when the key comes back, and
	// may be deleted earlier by pruning. The expiry is enforced on lookup,
	// not only by pruning, so behaviour does not depend on when pruning ran.
	idemTTL = 24 * time.Hour
	// pruneEvery spaces out opportunistic pruning: a DELETE over the
	// created_at index is cheap but there is no point in running it on
	// every write.
	pruneEvery = 10 * time.Minute
)

// Tx is the write transaction handed to the function given to [Store.Write].
// It is only valid during that call.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
	// auth is set when the transaction changed tenants, tokens or
	// accounts, so the lookup cache is cleared once it commits.
	auth bool
}

// Write runs fn in one IMMEDIATE transaction on the single writer connection
// and commits it when fn returns a nil error; any error (or panic) from fn
// rolls everything back.
//
// With key != nil it first looks the key up: the same RequestHash returns the
// saved response and replayed=true without calling fn; a different hash
// returns [ErrKeyReused]; an absent (or older than 24h) key calls fn and
// stores fn's Saved under the key in the same transaction, so a crash can
// never keep the user but lose the key, or the reverse. Because writes are
// serialised, two concurrent requests with the same key cannot both run fn:
// the second one replays the first one's response.
//
// Any Write may also delete idempotency rows older than 24h, at most once per
// ten minutes, inside its transaction.
//
// fn must not call Write itself (the writer has one connection, so that
// would deadlock) and should do its reads through tx: reads through the
// Store's read methods do not see the transaction's uncommitted changes.
func (s *Store) Write(ctx context.Context, key *IdemKey, fn func(tx *Tx) (Saved, error)) (saved Saved, replayed bool, err error) {
	if key != nil && (key.TenantID == "" || key.Key == "") {
		return Saved{}, false, errors.New("store: idempotency key needs a tenant and a key")
	}
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return Saved{}, false, fmt.Errorf("store: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			sqlTx.Rollback()
		}
	}()

	now := s.now()
	if key != nil {
		var (
			hash    string
			created int64
			old     Saved
		)
		err := sqlTx.QueryRowContext(ctx,
			`SELECT request_hash, status, content_type, body, created_at
			   FROM idempotency WHERE tenant_id = ? AND key = ?`,
			key.TenantID, key.Key,
		).Scan(&hash, &old.Status, &old.ContentType, &old.Body, &created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return Saved{}, false, fmt.Errorf("store: idempotency lookup: %w", err)
		case created < micros(now.Add(-idemTTL)):
			// Expired: forget it so the insert below can reuse the key.
			if _, err := sqlTx.ExecContext(ctx,
				`DELETE FROM idempotency WHERE tenant_id = ? AND key = ?`,
				key.TenantID, key.Key); err != nil {
				return Saved{}, false, fmt.Errorf("store: idempotency expiry: %w", err)
			}
		case hash != key.RequestHash:
			return Saved{}, false, ErrKeyReused
		default:
			// Nothing was written; the deferred rollback just releases
			// the write lock.
			return old, true, nil
		}
	}

	tx := &Tx{ctx: ctx, tx: sqlTx}
	saved, err = fn(tx)
	if err != nil {
		return Saved{}, false, err
	}
	if key != nil {
		body := saved.Body
		if body == nil {
			body = []byte{} // the column is NOT NULL; nil binds as NULL
		}
		if _, err := sqlTx.ExecContext(ctx,
			`INSERT INTO idempotency (tenant_id, key, request_hash, status, content_type, body, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`,
			key.TenantID, key.Key, key.RequestHash, saved.Status, saved.ContentType, body, micros(now),
		); err != nil {
			return Saved{}, false, fmt.Errorf("store: save idempotent response: %w", err)
		}
	}
	if err := s.maybePrune(ctx, sqlTx, now); err != nil {
		return Saved{}, false, err
	}
	if err := sqlTx.Commit(); err != nil {
		return Saved{}, false, fmt.Errorf("store: commit: %w", err)
	}
	committed = true
	if tx.auth {
		s.lookups.clear()
	}
	return saved, false, nil
}

// maybePrune deletes expired idempotency rows if it has not done so for
// pruneEvery. It runs inside the caller's transaction to avoid a second
// commit (and fsync); if that transaction rolls back, the next prune simply
// comes a little later.
func (s *Store) maybePrune(ctx context.Context, tx *sql.Tx, now time.Time) error {
	s.pruneMu.Lock()
	// A clock that stepped backwards also counts as due, so a wall-clock
	// correction cannot postpone pruning until time catches up.
	since := now.Sub(s.lastPrune)
	due := since >= pruneEvery || since < 0
	if due {
		s.lastPrune = now
	}
	s.pruneMu.Unlock()
	if !due {
		return nil
	}
	if _, err := tx.ExecContext(ctx,
		`DELETE FROM idempotency WHERE created_at < ?`, micros(now.Add(-idemTTL))); err != nil {
		return fmt.Errorf("store: prune idempotency keys: %w", err)
	}
	return nil
}
