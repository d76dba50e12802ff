package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

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

// Write runs fn in a transaction on the single writer and returns once
// that transaction is committed; any error (or panic) from fn undoes
// everything fn did, and nothing else.
//
// Writes are group-committed: the writer goroutine takes every Write
// waiting when it is free (first come, first served), runs them in one
// IMMEDIATE transaction and commits them together, so a burst of writes
// shares one fsync instead of paying one each. When one of them fails, the
// batch is rolled back and run again with a savepoint around each write
// (runBatch), so fn may run twice. No Write returns before the commit that
// holds it succeeded; if the commit fails, every Write in it fails. A
// Write whose ctx is done before its turn comes (in either run) returns
// ctx.Err() and writes nothing.
//
// With key != nil it first looks the key up: the same RequestHash returns the
// saved response and replayed=true without calling fn; a different hash
// returns [ErrKeyReused]; an absent (or older than 24h) key calls fn and
// stores fn's Saved under the key in the same transaction, so a crash can
// never keep the user but lose the key, or the reverse. Because writes are
// serialised, two concurrent requests with the same key cannot both run fn:
// the second one replays the first one's response.
//
// fn must not call Write itself (the writer would wait for itself) and
// should do its reads through tx: reads through the Store's read methods do
// not see uncommitted changes.
func (s *sqliteStore) Write(ctx context.Context, key *IdemKey, fn func(tx Tx) (Saved, error)) (saved Saved, replayed bool, err error) {
	if key != nil && (key.TenantID == "" || key.Key == "") {
		return Saved{}, false, errors.New("store: idempotency key needs a tenant and a key")
	}
	req := &writeReq{ctx: ctx, key: key, fn: fn, done: make(chan writeRes, 1)}
	s.queued.Add(1)
	defer s.queued.Add(-1)
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return Saved{}, false, ctx.Err()
	case <-s.closing:
		return Saved{}, false, ErrClosed
	}
	res := <-req.done // the writer answers every request it took
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.saved, res.replayed, res.err
}

// maxBatch bounds how many writes share one transaction, so that one
// commit's latency stays bounded under any load.
const maxBatch = 128

type writeReq struct {
	ctx  context.Context
	key  *IdemKey
	fn   func(tx Tx) (Saved, error)
	done chan writeRes
}

type writeRes struct {
	saved    Saved
	replayed bool
	err      error
	panicked any
}

// runWriter is the one goroutine that writes. It waits for a request, takes
// every other one already waiting, and runs them as one batch.
func (s *sqliteStore) runWriter() {
	defer close(s.writerDone)
	for {
		var batch []*writeReq
		select {
		case r := <-s.writes:
			batch = append(batch, r)
		case <-s.closing:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.runBatch(batch)
	}
}

// runBatch runs the requests in one transaction and answers all of them
// after the commit. A failing request must undo its own changes alone,
// which takes a savepoint around each (two statements more per write);
// but nearly every batch succeeds whole. So a batch runs first without
// savepoints, and only when one of its requests fails is it rolled back
// and run again with them (Store.Write's fn may therefore run twice). A
// batch of one needs none: its failure rolls the transaction back.
func (s *sqliteStore) runBatch(batch []*writeReq) {
	if !s.tryBatch(batch, false) {
		s.tryBatch(batch, true)
	}
}

// tryBatch runs the batch, each request in its own savepoint when
// isolate is set, and answers every request after the commit. Without
// isolation, a request that fails in a batch of several rolls everything
// back and tryBatch returns false without answering anyone. The
// statements use a background context: SQLite answers an interrupted
// statement by rolling back the whole transaction, so one client going
// away must not reach the others' writes. Cancellation is honoured when a
// request's turn comes.
func (s *sqliteStore) tryBatch(batch []*writeReq, isolate bool) (answered bool) {
	results := make([]writeRes, len(batch))
	answer := func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	ctx := context.Background()
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("store: begin: %w", err)
		}
		answer()
		return true
	}
	q := writerQuerier{sqlTx, s.stmts}
	// Statements first seen in this batch are prepared for the next ones
	// once the connection is free, whatever became of this one.
	defer s.stmts.prepareSeen(ctx)
	now := s.now()
	auth := false
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		var changedAuth bool
		results[i], changedAuth = s.runOne(ctx, q, r, now, isolate)
		auth = auth || changedAuth
		if !isolate && (results[i].err != nil || results[i].panicked != nil) {
			// Its changes, if any, are mixed with the others'.
			sqlTx.Rollback()
			if len(batch) > 1 {
				return false
			}
			answer()
			return true
		}
	}
	// Pruning expired idempotency keys is housekeeping, at most once per
	// pruneEvery, in this transaction (a commit and an fsync of its own
	// would cost more) and its own savepoint: a failure, or this
	// transaction rolling back, only means it runs again next time.
	if s.keyPrune.due(now, pruneEvery) {
		if _, err := q.exec(ctx, "SAVEPOINT prune"); err == nil {
			if pruneKeys(ctx, q, now) != nil {
				q.exec(ctx, "ROLLBACK TO prune")
			}
			q.exec(ctx, "RELEASE prune")
		}
	}
	err = sqlTx.Commit()
	if err != nil || slices.ContainsFunc(results, func(r writeRes) bool { return r.err == nil && r.panicked == nil }) {
		s.noteWrite(err)
	}
	if err != nil {
		for i := range results {
			if results[i].err == nil && results[i].panicked == nil {
				results[i] = writeRes{err: fmt.Errorf("store: commit: %w", err)}
			}
		}
	} else if auth {
		s.lookups.clear()
	}
	answer()
	return true
}

// runOne runs one request, in a savepoint when isolate is set, so that
// on an error or a panic only its own changes are undone; without it, the
// caller rolls the transaction back. It reports whether the request
// changed tenants, tokens or accounts.
func (s *sqliteStore) runOne(ctx context.Context, q writerQuerier, r *writeReq, now time.Time, isolate bool) (res writeRes, auth bool) {
	if isolate {
		if _, err := q.exec(ctx, "SAVEPOINT w"); err != nil {
			return writeRes{err: fmt.Errorf("store: savepoint: %w", err)}, false
		}
	}
	keep := false
	defer func() {
		if p := recover(); p != nil {
			res, auth, keep = writeRes{panicked: p}, false, false
		}
		if !isolate {
			return
		}
		if !keep {
			q.exec(ctx, "ROLLBACK TO w")
		}
		q.exec(ctx, "RELEASE w")
	}()

	key := r.key
	if key != nil {
		state, old, _, err := lookupKey(ctx, q, key, now)
		switch {
		case err != nil:
			return writeRes{err: err}, false
		case state == keyExpired:
			// Forget it so the insert below can reuse the key.
			if _, err := q.exec(ctx,
				`DELETE FROM idempotency WHERE tenant_id = ? AND key = ?`,
				key.TenantID, key.Key); err != nil {
				return writeRes{err: fmt.Errorf("store: idempotency expiry: %w", err)}, false
			}
		case state == keyReused:
			return writeRes{err: ErrKeyReused}, false
		case state == keyReplay:
			return writeRes{saved: old, replayed: true}, false
		}
	}

	tx := &txn{ctx: ctx, q: q}
	saved, err := r.fn(tx)
	if err != nil {
		return writeRes{err: err}, false
	}
	if key != nil {
		if _, err := q.exec(ctx,
			`INSERT INTO idempotency (tenant_id, key, request_hash, status, content_type, body, etag, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			key.TenantID, key.Key, key.RequestHash, saved.Status, saved.ContentType, savedBody(saved.Body), saved.ETag, micros(now),
		); err != nil {
			return writeRes{err: fmt.Errorf("store: save idempotent response: %w", err)}, false
		}
	}
	keep = true
	return writeRes{saved: saved}, tx.auth
}
