// PostgreSQL, for several service replicas sharing one database, through
// pgx and its pool (github.com/jackc/pgx/v5, pgxpool).
//
// Each Write is one transaction on a pooled connection (PostgreSQL
// group-commits concurrent transactions' WAL flushes itself). What one
// process settled in memory on SQLite is settled by the database here:
//
//   - Idempotency keys: the key's row is inserted first, in the write's
//     transaction (INSERT ... ON CONFLICT DO NOTHING). A second request
//     with the same key, on any replica, blocks on that row until the
//     first transaction ends, then replays the response it committed (or,
//     if it rolled back, claims the key itself). No key is ever answered
//     "in flight", and fn never runs twice for one key.
//   - List order: creates of one (account, resource) take a transaction
//     advisory lock, so their seq values commit in order (CreateRecord).
//   - If-Match: the record's row is locked (SELECT ... FOR UPDATE) before
//     its version is checked.
//   - Lookup caches: a transaction that changes tenants, tokens or
//     accounts sends NOTIFY unified_auth, delivered when it commits; every
//     replica LISTENs and clears its cache (listen).
//   - Migrations: serialised by an advisory lock, so replicas starting at
//     once migrate once.

package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// authChannel is the NOTIFY channel of changes to tenants, tokens and
// accounts.
const authChannel = "unified_auth"

// RevocationBound is how long after a change to tenants, tokens or
// accounts commits, through any process, every PostgreSQL store refuses
// what it revoked: notification delivery when the listener is connected
// (milliseconds; TestChangesReachReplicasWithinBound measures it), and
// two heartbeats (2 × listenHeartbeat) when its connection dies without a
// word, after which nothing is cached until it listens again.
const RevocationBound = 2 * listenHeartbeat

// Listener timing: the listener waits this long for a notification, then
// checks its connection with a query that must answer within the same
// time. A connection that died without a word (a network path gone) is
// noticed within twice this, and the cache is off from then on.
const listenHeartbeat = 250 * time.Millisecond

// pgStore is a PostgreSQL database.
type pgStore struct {
	base
	pool *pgxpool.Pool

	// ctx is cancelled by Close, which stops the listener; writes counts
	// the writes in progress, which Close waits for.
	ctx        context.Context
	cancel     context.CancelFunc
	mu         sync.Mutex
	closed     bool
	writes     sync.WaitGroup
	listenDone chan struct{}

	ratePrune throttle // see maybePruneRates
}

// OpenPostgres connects to the PostgreSQL database dsn names (a
// postgres:// URL, with any of libpq's parameters), brings its schema up
// to date and starts listening for changes to tenants, tokens and
// accounts made by any process.
func OpenPostgres(ctx context.Context, dsn string, opt Options) (Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL; the password must not reach
		// a log.
		return nil, fmt.Errorf("store: open %s: invalid PostgreSQL URL", Redact(dsn))
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", Redact(dsn), err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	s := &pgStore{pool: pool, ctx: lctx, cancel: cancel, listenDone: make(chan struct{})}
	s.base = base{engine: "postgres", read: pgQuerier{pool}, now: time.Now, lookups: newLookups(opt.CacheTTL, true), write: s.Write}
	if err := s.migrate(ctx); err != nil {
		cancel()
		pool.Close()
		return nil, fmt.Errorf("store: open %s: %w", Redact(dsn), err)
	}
	go s.listen(cfg.ConnConfig.Copy())
	return s, nil
}

// migrate applies the migrations the database has not seen yet, each in
// its own transaction with its version bump, under an advisory lock that
// makes replicas starting at once wait for each other: the first applies
// them, the others find the schema current.
func (s *pgStore) migrate(ctx context.Context) error {
	for {
		done, err := s.migrateOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

func (s *pgStore) migrateOne(ctx context.Context) (done bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, advisoryMigrate); err != nil {
		return false, err
	}
	// The version table itself is made under the lock, so two replicas
	// never race to create it.
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		one     boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (one),
		version integer NOT NULL)`); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING`); err != nil {
		return false, err
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return false, err
	}
	if v > len(postgresMigrations) {
		return false, fmt.Errorf("schema version %d is newer than this program supports (%d)", v, len(postgresMigrations))
	}
	if v == len(postgresMigrations) {
		return true, tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, postgresMigrations[v]); err != nil {
		return false, fmt.Errorf("migration %d: %w", v+1, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE schema_version SET version = $1`, v+1); err != nil {
		return false, fmt.Errorf("migration %d: %w", v+1, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("migration %d: %w", v+1, err)
	}
	return false, nil
}

// Write implements Store. See the file's comment for how keys are
// claimed across replicas.
func (s *pgStore) Write(ctx context.Context, key *IdemKey, fn func(tx Tx) (Saved, error)) (saved Saved, replayed bool, err error) {
	if key != nil && (key.TenantID == "" || key.Key == "") {
		return Saved{}, false, errors.New("store: idempotency key needs a tenant and a key")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Saved{}, false, ErrClosed
	}
	s.writes.Add(1)
	s.mu.Unlock()
	defer s.writes.Done()
	if err := ctx.Err(); err != nil {
		return Saved{}, false, err
	}

	now := s.now()
	ptx, err := s.pool.Begin(ctx)
	if err != nil {
		return Saved{}, false, fmt.Errorf("store: begin: %w", err)
	}
	// Undoes everything unless committed, on an error or a panic alike.
	defer ptx.Rollback(context.Background())
	q := pgQuerier{ptx}
	if key != nil {
		saved, replayed, err := s.claim(ctx, q, key, now)
		if err != nil || replayed {
			return saved, replayed, err
		}
	}
	tx := &txn{ctx: ctx, q: q, pg: true}
	saved, err = fn(tx)
	if err != nil {
		return Saved{}, false, err
	}
	if key != nil {
		if _, err := q.exec(ctx,
			`UPDATE idempotency SET status = ?, content_type = ?, body = ?, etag = ? WHERE tenant_id = ? AND key = ?`,
			saved.Status, saved.ContentType, savedBody(saved.Body), saved.ETag, key.TenantID, key.Key); err != nil {
			return Saved{}, false, fmt.Errorf("store: save idempotent response: %w", err)
		}
	}
	if s.keyPrune.due(now, pruneEvery) {
		// Housekeeping in a savepoint: a failure only means it runs
		// again later.
		if sp, err := ptx.Begin(ctx); err == nil {
			if pruneKeys(ctx, pgQuerier{sp}, now) != nil {
				sp.Rollback(ctx)
			} else {
				sp.Commit(ctx)
			}
		}
	}
	if tx.auth {
		// Delivered to every listening replica when, and only if, the
		// transaction commits.
		if _, err := q.exec(ctx, `SELECT pg_notify('`+authChannel+`', '')`); err != nil {
			return Saved{}, false, fmt.Errorf("store: notify: %w", err)
		}
	}
	err = ptx.Commit(ctx)
	s.noteWrite(err)
	if err != nil {
		return Saved{}, false, fmt.Errorf("store: commit: %w", err)
	}
	if tx.auth {
		// This process's own cache at once; the notification clears it
		// again, harmlessly.
		s.lookups.clear()
	}
	return saved, false, nil
}

// maxClaims bounds the attempts to claim a key whose row keeps changing
// under the claimer (expired and deleted, or rolled back, by others).
const maxClaims = 8

// claim makes key this transaction's, or returns the response saved
// under it. The insert of the key's row waits for any transaction that
// inserted the same key and has not ended; once it has, the row is there
// (committed: replay it) or not (rolled back: the insert succeeds).
func (s *pgStore) claim(ctx context.Context, q querier, key *IdemKey, now time.Time) (Saved, bool, error) {
	for range maxClaims {
		n, err := q.exec(ctx,
			`INSERT INTO idempotency (tenant_id, key, request_hash, status, content_type, body, etag, created_at)
			 VALUES (?, ?, ?, 0, '', ?, '', ?) ON CONFLICT (tenant_id, key) DO NOTHING`,
			key.TenantID, key.Key, key.RequestHash, []byte{}, micros(now))
		if err != nil {
			return Saved{}, false, fmt.Errorf("store: idempotency key: %w", err)
		}
		if n == 1 {
			return Saved{}, false, nil
		}
		state, old, created, err := lookupKey(ctx, q, key, now)
		switch {
		case err != nil:
			return Saved{}, false, err
		case state == keyAbsent:
			// Deleted (expired) since the insert saw it: try again.
		case state == keyExpired:
			// Forget it (unless someone else just replaced it) and claim
			// the key afresh.
			if _, err := q.exec(ctx, `DELETE FROM idempotency WHERE tenant_id = ? AND key = ? AND created_at = ?`,
				key.TenantID, key.Key, created); err != nil {
				return Saved{}, false, fmt.Errorf("store: idempotency expiry: %w", err)
			}
		case state == keyReused:
			return Saved{}, false, ErrKeyReused
		default:
			return old, true, nil
		}
	}
	return Saved{}, false, errors.New("store: idempotency key: it changed under every attempt to claim it")
}

// listen keeps a connection that LISTENs on authChannel and clears the
// lookup cache on every notification, until Close. The cache is used only
// while this connection is known to be alive (see lookups): when it
// breaks, or a heartbeat goes unanswered, the cache is off until a new
// connection listens again.
func (s *pgStore) listen(cfg *pgx.ConnConfig) {
	defer close(s.listenDone)
	backoff := 50 * time.Millisecond
	for s.ctx.Err() == nil {
		if err := s.listenOnce(cfg); err == nil {
			backoff = 50 * time.Millisecond
		}
		s.lookups.setLive(false)
		select {
		case <-s.ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// listenOnce connects, listens and clears the cache on notifications
// until the connection fails or Close. It returns nil if it listened at
// all.
func (s *pgStore) listenOnce(cfg *pgx.ConnConfig) error {
	cctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(s.ctx, "LISTEN "+authChannel); err != nil {
		return err
	}
	s.lookups.setLive(true)
	for {
		wctx, cancel := context.WithTimeout(s.ctx, listenHeartbeat)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			s.lookups.clear()
			continue
		case s.ctx.Err() != nil:
			return nil
		case !errors.Is(err, context.DeadlineExceeded) || conn.IsClosed():
			return nil
		}
		// Nothing heard for a while: make sure the connection is alive.
		hctx, cancel := context.WithTimeout(s.ctx, listenHeartbeat)
		_, err = conn.Exec(hctx, "SELECT 1")
		cancel()
		if err != nil {
			return nil
		}
	}
}

// Ping implements Store.
func (s *pgStore) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Ready implements Store: reachable, and at this program's schema version.
func (s *pgStore) Ready(ctx context.Context) error {
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return err
	}
	if v != SchemaVersion() {
		return fmt.Errorf("store: schema version %d, want %d", v, SchemaVersion())
	}
	return nil
}

// Stats implements Store.
func (s *pgStore) Stats() PoolStats {
	st := s.pool.Stat()
	return PoolStats{
		MaxConns: int(st.MaxConns()), InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		WaitCount: st.EmptyAcquireCount(), WaitDuration: st.EmptyAcquireWaitTime(),
	}
}

// Close implements Store: writes in progress finish, later ones get
// ErrClosed.
func (s *pgStore) Close() error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if already {
		return nil
	}
	s.writes.Wait()
	s.cancel()
	<-s.listenDone
	s.pool.Close()
	return nil
}

// redactURL replaces the password of a URL, if it has one.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
