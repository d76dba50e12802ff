// SQLite, the embedded default engine, through the pure-Go driver
// modernc.org/sqlite (no cgo, so the binary stays static).
//
// Concurrency model: SQLite allows one writer at a time. Rather than letting
// many connections race for the write lock and spin on SQLITE_BUSY, the store
// keeps two connection pools on the same file:
//
//   - a writer pool of exactly one connection whose transactions begin
//     IMMEDIATE, so writers queue in Go and a transaction never has to
//     upgrade a read lock to a write lock halfway (the upgrade is what
//     produces unrecoverable SQLITE_BUSY in WAL mode);
//   - a reader pool of a few query_only connections which, thanks to WAL,
//     read the last committed state without waiting for the writer.
//
// Every write, including the idempotency bookkeeping of the HTTP layer, goes
// through Write so that one transaction holds all of a request's effects.

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

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

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

// sqliteStore is a SQLite database.
type sqliteStore struct {
	base
	writer *sql.DB
	reader *sql.DB
	stmts  *writerStmts // the writer goroutine's own

	// The writer goroutine (see Write) takes requests from writes until
	// closing is closed, then closes writerDone. queued counts the writes
	// waiting for it.
	writes     chan *writeReq
	queued     atomic.Int64
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
}

// OpenSQLite opens (creating if needed) the database file at path, brings
// its schema up to date and returns the store. The path must name a file:
// the writer and reader pools share it, which an in-memory database cannot
// do.
func OpenSQLite(ctx context.Context, path string, opt Options) (Store, error) {
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

	s := &sqliteStore{writer: writer, stmts: newWriterStmts(writer),
		writes: make(chan *writeReq), closing: make(chan struct{}), writerDone: make(chan struct{})}
	s.base = base{engine: "sqlite", now: time.Now, lookups: newLookups(opt.CacheTTL, false), write: s.Write}
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
	s.read = sqlQuerier{reader}
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
func (s *sqliteStore) Close() error {
	// Writes already taken by the writer finish; later ones get ErrClosed.
	s.stopWriter()
	// Readers first: a checkpoint on close can only fold the whole WAL into
	// the database when no reader still holds an old snapshot.
	return errors.Join(s.reader.Close(), s.writer.Close())
}

func (s *sqliteStore) stopWriter() {
	s.closeOnce.Do(func() { close(s.closing) })
	<-s.writerDone
	s.stmts.close() // the writer goroutine, its only user, has stopped
}

// migrate applies the migrations the file has not seen yet, each in its own
// transaction together with its user_version bump, so a crash leaves the
// file at a well-defined version.
func (s *sqliteStore) migrate(ctx context.Context) error {
	for {
		tx, err := s.beginMigration(ctx)
		if err != nil {
			return err
		}
		var v int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			tx.Rollback()
			return err
		}
		if v > len(sqliteMigrations) {
			tx.Rollback()
			return fmt.Errorf("schema version %d is newer than this program supports (%d)", v, len(sqliteMigrations))
		}
		if v == len(sqliteMigrations) {
			return tx.Rollback()
		}
		if _, err := tx.ExecContext(ctx, sqliteMigrations[v]); err != nil {
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

// beginMigration begins a migration's transaction. When several processes
// open one new file at once, the first connection of each turns it to WAL
// (journal_mode needs an exclusive lock) while the others read it: a lock
// cycle that SQLite breaks by failing one side at once with SQLITE_BUSY,
// without calling its busy handler. That side tries again, within the
// same bound as the busy handler's.
func (s *sqliteStore) beginMigration(ctx context.Context) (*sql.Tx, error) {
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		tx, err := s.writer.BeginTx(ctx, nil)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return tx, err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// micros converts t to the stored representation.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Ping checks that both the reader pool and the writer connection answer.
func (s *sqliteStore) Ping(ctx context.Context) error {
	if err := s.reader.PingContext(ctx); err != nil {
		return err
	}
	return s.writer.PingContext(ctx)
}

// Ready checks that the file answers and is at this program's schema
// version (another process could have migrated it further).
func (s *sqliteStore) Ready(ctx context.Context) error {
	var v int
	if err := s.reader.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v != SchemaVersion() {
		return fmt.Errorf("store: schema version %d, want %d", v, SchemaVersion())
	}
	return s.writer.PingContext(ctx)
}

// Stats implements Store: the reader pool, plus the writer's queue.
func (s *sqliteStore) Stats() PoolStats {
	r, w := s.reader.Stats(), s.writer.Stats()
	return PoolStats{
		MaxConns: r.MaxOpenConnections + w.MaxOpenConnections,
		InUse:    r.InUse + w.InUse, Idle: r.Idle + w.Idle,
		WaitCount: r.WaitCount, WaitDuration: r.WaitDuration,
		QueuedWrites: int(s.queued.Load()),
	}
}
