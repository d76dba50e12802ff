package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// keyState is what the saved row of an idempotency key says about a
// request that carries the key.
type keyState int

const (
	keyAbsent  keyState = iota // no row: the key is free
	keyExpired                 // older than idemTTL: forget it and use the key afresh
	keyReused                  // saved for a different request: ErrKeyReused
	keyReplay                  // saved for this request: answer the saved response
)

// lookupKey reads key's row, in the caller's transaction, and says what it
// means at now. created is the row's creation time (for a conditional
// delete); old is the saved response when the state is keyReplay.
func lookupKey(ctx context.Context, q querier, key *IdemKey, now time.Time) (state keyState, old Saved, created int64, err error) {
	var hash string
	err = q.queryRow(ctx,
		`SELECT request_hash, status, content_type, body, etag, created_at
		   FROM idempotency WHERE tenant_id = ? AND key = ?`,
		key.TenantID, key.Key,
	).Scan(&hash, &old.Status, &old.ContentType, &old.Body, &old.ETag, &created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return keyAbsent, Saved{}, 0, nil
	case err != nil:
		return 0, Saved{}, 0, fmt.Errorf("store: idempotency lookup: %w", err)
	case created < micros(now.Add(-idemTTL)):
		return keyExpired, Saved{}, created, nil
	case hash != key.RequestHash:
		return keyReused, Saved{}, created, nil
	}
	if old.Body == nil {
		old.Body = []byte{} // an empty saved body scans as nil
	}
	return keyReplay, old, created, nil
}

// LookupKey reads what key says about a request now, outside any
// transaction: the saved response (replayed), ErrKeyReused for a key saved
// with another request, or neither for a key that is free (or expired).
func (s *base) LookupKey(ctx context.Context, key *IdemKey) (saved Saved, replayed bool, err error) {
	state, old, _, err := lookupKey(ctx, s.read, key, s.now())
	switch {
	case err != nil:
		return Saved{}, false, err
	case state == keyReused:
		return Saved{}, false, ErrKeyReused
	case state == keyReplay:
		return old, true, nil
	}
	return Saved{}, false, nil
}

// savedBody is a response body as the NOT NULL body column takes it: nil
// would bind as NULL.
func savedBody(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// pruneKeys deletes the idempotency rows older than idemTTL at now.
func pruneKeys(ctx context.Context, q querier, now time.Time) error {
	if _, err := q.exec(ctx, `DELETE FROM idempotency WHERE created_at < ?`, micros(now.Add(-idemTTL))); err != nil {
		return fmt.Errorf("store: prune idempotency keys: %w", err)
	}
	return nil
}
