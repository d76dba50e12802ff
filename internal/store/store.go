// Package store persists tenants, their API tokens, their integrated accounts
// and the users of those accounts in an embedded SQLite database, using the
// pure-Go driver modernc.org/sqlite (no cgo, so the binary stays static).
//
// Concurrency model: SQLite allows one writer at a time. Rather than letting
// many connections race for the write lock and spin on SQLITE_BUSY, the store
// keeps two connection pools on the same file:
//
//   - a writer pool of exactly one connection whose transactions begin
//     IMMEDIATE, so writers queue in Go (on database/sql's pool) and a
//     transaction never has to upgrade a read lock to a write lock halfway
//     (the upgrade is what produces unrecoverable SQLITE_BUSY in WAL mode);
//   - a reader pool of a few query_only connections which, thanks to WAL,
//     read the last committed state without waiting for the writer.
//
// Every write, including the idempotency bookkeeping of the HTTP layer, goes
// through [Store.Write] so that one transaction holds all of a request's
// effects.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned (possibly wrapped) when a tenant, token, account or
// user does not exist, or is not visible to the caller.
var ErrNotFound = errors.New("not found")

// ErrKeyReused is returned by [Store.Write] when an idempotency key is
// presented again with a request that differs from the one it first saved.
var ErrKeyReused = errors.New("idempotency key reused with a different request")

// Options tunes how the store opens its database.
type Options struct {
	// Synchronous is SQLite's PRAGMA synchronous for the writer: "FULL" (the
	// default when empty) fsyncs the WAL on every commit, so a committed
	// write survives power loss; "NORMAL" fsyncs only at checkpoints, so the
	// last commits before a power loss (not a process crash) may be lost, in
	// exchange for much cheaper commits.
	Synchronous string
	// CacheTTL is how long successful token and account lookups are
	// answered from memory (0: DefaultCacheTTL; negative: no cache), and
	// so the longest a change committed by another process (a revoked
	// token) takes to reach this store; see DefaultCacheTTL.
	CacheTTL time.Duration
}

const (
	// busyTimeoutMS bounds how long a connection waits for a lock held by
	// another connection (a checkpoint, or another process on the same
	// file) before failing with SQLITE_BUSY. Writers of this process never
	// contend with each other: they are serialised by the one-connection pool.
	busyTimeoutMS = 5000
	// readerConns is the size of the read pool. Reads are short point
	// look-ups; a handful of connections saturates them without holding
	// many WAL snapshots open.
	readerConns = 4
)

// Store is an open database. It is safe for concurrent use.
type Store struct {
	writer *sql.DB
	reader *sql.DB

	// now is the clock for idempotency bookkeeping; tests replace it to
	// exercise expiry.
	now func() time.Time

	// pruneMu guards lastPrune, the time expired idempotency rows were last
	// deleted, so pruning runs at most once per pruneEvery.
	pruneMu   sync.Mutex
	lastPrune time.Time

	lookups *lookups

	// lastWriteErr is the error of the last commit, nil after a success.
	lastWriteErr atomic.Pointer[error]

	// The writer goroutine (see Write) takes requests from writes until
	// closing is closed, then closes writerDone.
	writes     chan *writeReq
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
}

// Open opens (creating if needed) the database file at path, brings its
// schema up to date and returns the store. The path must name a file: the
// writer and reader pools share it, which an in-memory database cannot do.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: open %q: need a plain file path", path)
	}
	// The driver cuts a plain file name at the first '?', which starts the
	// DSN parameters; a path containing one would open the wrong file.
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("store: open %q: path must not contain '?'", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	syncMode := strings.ToUpper(opt.Synchronous)
	switch syncMode {
	case "":
		syncMode = "FULL"
	case "FULL", "NORMAL":
	default:
		return nil, fmt.Errorf("store: open %q: Synchronous %q: want FULL or NORMAL", path, opt.Synchronous)
	}

	// Pragmas go in the DSN rather than being executed once after Open:
	// database/sql may open new connections at any time (after an error, or
	// when the pool grows), and each must carry the same settings.
	// journal_mode=WAL is persistent in the file, but it is cheap to repeat
	// and makes a fresh file WAL before anything is written to it.
	// _txlock=immediate makes every BeginTx a BEGIN IMMEDIATE.
	wq := url.Values{}
	wq.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Add("_pragma", "synchronous("+syncMode+")")
	wq.Add("_pragma", "foreign_keys(1)")
	wq.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)

	ttl := opt.CacheTTL
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	s := &Store{writer: writer, now: time.Now, lookups: newLookups(ttl),
		writes: make(chan *writeReq), closing: make(chan struct{}), writerDone: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	go s.runWriter()

	// The readers are opened after the migration so that the file already
	// exists and is in WAL mode. query_only turns any accidental write
	// through the read pool into an error instead of a lock fight with the
	// writer. foreign_keys is harmless on a read-only connection and keeps
	// the two pools configured alike.
	rq := url.Values{}
	rq.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	rq.Add("_pragma", "foreign_keys(1)")
	rq.Add("_pragma", "query_only(1)")
	reader, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	reader.SetMaxOpenConns(readerConns)
	reader.SetMaxIdleConns(readerConns)
	if err := reader.PingContext(ctx); err != nil {
		reader.Close()
		s.stopWriter()
		writer.Close()
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	s.reader = reader
	return s, nil
}

// createPrivate creates the database file, empty and readable by its owner
// only (0600), unless it exists. SQLite would create it 0644 (less the
// umask): readable by every local user, while it holds the token hashes and
// every tenant's users. SQLite gives the -wal and -shm files it creates
// next to the database the database file's permissions, so they are 0600
// too. An existing file keeps the permissions it has: the operator may
// have chosen them (the service warns when they let others read it).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Close closes both connection pools. Closing the last connection
// checkpoints the WAL back into the main file.
func (s *Store) Close() error {
	// Writes already taken by the writer finish; later ones get ErrClosed.
	s.stopWriter()
	// Readers first: a checkpoint on close can only fold the whole WAL into
	// the database when no reader still holds an old snapshot.
	return errors.Join(s.reader.Close(), s.writer.Close())
}

func (s *Store) stopWriter() {
	s.closeOnce.Do(func() { close(s.closing) })
	<-s.writerDone
}

// migrations are applied in order; migration i (0-based) brings the schema
// from user_version i to i+1. Never edit an applied migration: append a new
// one, since existing files record only their version number.
var migrations = []string{
	// 1: initial schema. STRICT tables make SQLite reject values of the
	// wrong type instead of silently storing them.
	`
CREATE TABLE tenants (
	id   TEXT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL
) STRICT;

-- Only SHA-256(token), hex-encoded: a leaked database file does not leak
-- usable credentials.
CREATE TABLE tokens (
	hash      TEXT NOT NULL PRIMARY KEY,
	tenant_id TEXT NOT NULL REFERENCES tenants(id)
) STRICT;
CREATE INDEX tokens_tenant ON tokens(tenant_id);

CREATE TABLE accounts (
	id          TEXT NOT NULL PRIMARY KEY, -- canonical lowercase UUID
	tenant_id   TEXT NOT NULL REFERENCES tenants(id),
	integration TEXT NOT NULL,
	name        TEXT NOT NULL
) STRICT;
CREATE INDEX accounts_tenant ON accounts(tenant_id);

-- Times are Unix microseconds (UTC): integers sort and compare exactly and
-- do not depend on the driver's time formatting.
CREATE TABLE users (
	account_id TEXT    NOT NULL REFERENCES accounts(id),
	id         TEXT    NOT NULL,
	record     BLOB    NOT NULL,
	version    INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency (
	tenant_id    TEXT    NOT NULL REFERENCES tenants(id),
	key          TEXT    NOT NULL,
	request_hash TEXT    NOT NULL,
	status       INTEGER NOT NULL,
	content_type TEXT    NOT NULL,
	body         BLOB    NOT NULL,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency(created_at);
`,
	// 2: records of any resource, kept as documents. seq numbers them in
	// insertion order (AUTOINCREMENT: never reused, even after a delete),
	// which list cursors name. The users table of version 1 is left as it
	// was: its rows are not records of a resource this version knows.
	`
CREATE TABLE records (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT    NOT NULL REFERENCES accounts(id),
	resource   TEXT    NOT NULL,
	id         TEXT    NOT NULL,
	doc        BLOB    NOT NULL,
	version    INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (account_id, resource, id)
) STRICT;
CREATE INDEX records_page ON records(account_id, resource, seq);
ALTER TABLE idempotency ADD COLUMN etag TEXT NOT NULL DEFAULT '';
`,
}

// migrate applies the migrations the file has not seen yet, each in its own
// transaction together with its user_version bump, so a crash leaves the
// file at a well-defined version.
func (s *Store) migrate(ctx context.Context) error {
	for {
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var v int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			tx.Rollback()
			return err
		}
		if v > len(migrations) {
			tx.Rollback()
			return fmt.Errorf("schema version %d is newer than this program supports (%d)", v, len(migrations))
		}
		if v == len(migrations) {
			return tx.Rollback()
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		// PRAGMA takes no bound parameters; v+1 is an integer we computed.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
}

// micros converts t to the stored representation.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
