// Package store persists tenants, their API tokens, their integrated
// accounts, the records the local backend keeps for those accounts, and
// idempotency keys, behind one interface ([Store], with its write
// transaction [Tx]) and two implementations:
//
//   - SQLite (the default, embedded, one file; see sqlite.go): one writer
//     goroutine group-commits every write of the process;
//   - PostgreSQL (chosen by a postgres:// URL; see postgres.go): any number
//     of service replicas share one database; each write is its own
//     transaction, and cross-replica concerns (idempotency keys in flight,
//     list order, If-Match, cache invalidation, shared rate limits) are
//     settled by the database.
//
// Both keep the same schema, in meaning, through the same numbered
// migrations (migrations.go), and the same test suite runs against both.
// [Open] picks the engine from the address it is given.
package store

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ErrNotFound is returned (possibly wrapped) when a tenant, token, account or
// user does not exist, or is not visible to the caller.
var ErrNotFound = errors.New("not found")

// ErrKeyReused is returned by [Store.Write] when an idempotency key is
// presented again with a request that differs from the one it first saved.
var ErrKeyReused = errors.New("idempotency key reused with a different request")

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("store: closed")

// Store is an open database. Implementations are safe for concurrent use.
type Store interface {
	// Write runs fn in a write transaction and returns once it is
	// committed; any error (or panic) from fn undoes everything fn did.
	//
	// With key != nil it first looks the key up: the same RequestHash
	// returns the saved response and replayed=true without calling fn; a
	// different hash returns [ErrKeyReused]; an absent (or older than
	// 24h) key calls fn and stores fn's Saved under the key in the same
	// transaction, so a crash can never keep the write but lose the key,
	// or the reverse. Two requests with the same key, concurrent in one
	// process or across processes sharing the database, never both run
	// fn: the later one waits for the first to finish and replays its
	// response (or, if the first failed and kept nothing, runs fn itself).
	//
	// fn must not call Write itself and should do its reads through tx:
	// reads through the Store do not see uncommitted changes. fn may be
	// called more than once, each time in a new transaction (SQLite runs
	// a batch of writes again when one of them fails): it must have no
	// effect outside tx that a second call would repeat.
	Write(ctx context.Context, key *IdemKey, fn func(tx Tx) (Saved, error)) (saved Saved, replayed bool, err error)
	// LookupKey says what key means for a request now, without a write:
	// its saved response (replayed), [ErrKeyReused], or neither for a
	// free key. For a write done outside the store (a provider's), before
	// it; Write with the key saves its answer after.
	LookupKey(ctx context.Context, key *IdemKey) (saved Saved, replayed bool, err error)

	// PutTenant inserts t or, if its ID exists, updates its name.
	PutTenant(ctx context.Context, t Tenant) error
	// AddToken registers token as a bearer token of the tenant. Only
	// SHA-256(token) is stored. Adding a token the tenant already has is
	// a no-op; adding one that belongs to another tenant is an error.
	// The token never appears in an error.
	AddToken(ctx context.Context, tenantID, token string) error
	// PutAccount inserts a or, if its ID exists, updates its name; see
	// [Tx.PutAccount].
	PutAccount(ctx context.Context, a Account) error
	// MarkNeedsReauth records that the provider refused the account's
	// credentials; PutAccount with new ones clears it.
	MarkNeedsReauth(ctx context.Context, accountID string) error
	// RevokeTenantTokens deletes every token of the tenant and returns
	// how many there were; ErrNotFound (wrapped) for an unknown tenant.
	RevokeTenantTokens(ctx context.Context, tenantID string) (revoked int, err error)
	// RevokeToken deletes token, if tenantID is "" or owns it, and
	// returns the tenant it belonged to; see [Tx.RevokeToken].
	RevokeToken(ctx context.Context, tenantID, token string) (owner string, err error)

	// TenantByToken returns the tenant owning token, or ErrNotFound.
	TenantByToken(ctx context.Context, token string) (Tenant, error)
	// CachedTenant is TenantByToken's answer when it is in memory (see
	// DefaultCacheTTL), without I/O, so that callers can time the
	// database's lookups apart from the cache's.
	CachedTenant(token string) (Tenant, bool)
	// HasTenants reports whether the database has any tenant.
	HasTenants(ctx context.Context) (bool, error)
	// Account returns the tenant's account with the given id. An account
	// that does not exist and one owned by another tenant both yield
	// ErrNotFound, with the same message.
	Account(ctx context.Context, tenantID, id string) (Account, error)
	// CachedAccount is Account's answer when it is in memory, without
	// I/O.
	CachedAccount(tenantID, id string) (Account, bool)

	// Record returns the account's record id of resource, or ErrNotFound
	// (wrapped).
	Record(ctx context.Context, accountID, resource, id string) (Record, error)
	// List returns up to limit records of the account's resource in the
	// order they were created, starting after cursor ("" for the first
	// page), and the cursor of the next page ("" when there is none).
	// With filters, only the records each of them keeps.
	List(ctx context.Context, accountID, resource, cursor string, limit int, filters ...Filter) ([]Record, string, error)
	// Count returns the number of records of the account's resource.
	Count(ctx context.Context, accountID, resource string) (int, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Ready checks that the database answers and its schema is the one
	// this program's migrations produce.
	Ready(ctx context.Context) error
	// NoteFailure records a write that failed for a reason of the
	// storage's own (a full disk, an I/O error), as the caller judged it:
	// WriteHealth reports it until a write succeeds again.
	NoteFailure(err error)
	// WriteHealth returns the error of the last commit if it failed, nil
	// once one succeeds again.
	WriteHealth() error
	// Stats describes the connection pools, for metrics.
	Stats() PoolStats
	// Engine is "sqlite" or "postgres".
	Engine() string
	// Close releases the database. Writes taken before it finish.
	Close() error
}

// Tx is the write transaction handed to the function given to
// [Store.Write]. It is only valid during that call.
type Tx interface {
	// PutTenant is [Store.PutTenant] inside a transaction.
	PutTenant(t Tenant) error
	// AddToken is [Store.AddToken] inside a transaction.
	AddToken(tenantID, token string) error
	// PutAccount inserts a or, if its ID exists, updates its name. a.ID
	// must be a canonical lowercase UUID. Moving an existing account to
	// another tenant or another integration is refused: its records were
	// created for that tenant and in that integration's shape.
	PutAccount(a Account) error
	// RevokeToken deletes token, if tenantID is "" or owns it, and
	// returns the tenant it belonged to. An unknown token, or one of
	// another tenant, is an error wrapping ErrNotFound. The token never
	// appears in an error.
	RevokeToken(tenantID, token string) (owner string, err error)
	// RevokeTokensExcept deletes every token of the tenant but those in
	// keep (which it does not add) and returns how many it deleted;
	// ErrNotFound (wrapped) when the tenant does not exist.
	RevokeTokensExcept(tenantID string, keep []string) (revoked int, err error)
	// HasTenants reports whether the database has any tenant.
	HasTenants() (bool, error)

	// CreateRecord stores doc as a new record of the account's resource,
	// under a new UUIDv7 (time-ordered), with Version 1 and both
	// timestamps set to now. It returns ErrNotFound (wrapped) if the
	// account does not exist. doc must be a JSON object.
	CreateRecord(accountID, resource string, doc []byte, now time.Time) (Record, error)
	// UpdateRecord replaces the doc of the account's record id with what
	// merge returns given the current record, increments Version and sets
	// UpdatedAt to now. It returns ErrNotFound (wrapped) if there is no
	// such record and ErrPrecondition if cond rejects its version; an
	// error from merge is returned as is. Nobody, in this process or
	// another, can change the record between the read and the write.
	UpdateRecord(accountID, resource, id string, now time.Time, cond Precondition, merge func(old Record) ([]byte, error)) (Record, error)
	// DeleteRecord deletes the account's record id and returns it as it
	// was. It returns ErrNotFound (wrapped) if there is no such record
	// and ErrPrecondition if cond rejects its version.
	DeleteRecord(accountID, resource, id string, cond Precondition) (Record, error)
}

// Options tunes how the store opens its database.
type Options struct {
	// Synchronous is SQLite's PRAGMA synchronous for the writer: "FULL" (the
	// default when empty) fsyncs the WAL on every commit, so a committed
	// write survives power loss; "NORMAL" fsyncs only at checkpoints, so the
	// last commits before a power loss (not a process crash) may be lost, in
	// exchange for much cheaper commits. PostgreSQL ignores it: its
	// durability is the server's synchronous_commit.
	Synchronous string
	// CacheTTL is how long successful token and account lookups are
	// answered from memory (0: DefaultCacheTTL; negative: no cache); see
	// DefaultCacheTTL for what bounds a change made elsewhere.
	CacheTTL time.Duration
	// MaxConns is the PostgreSQL pool's size (0: pgxpool's default,
	// the larger of 4 and the number of CPUs). SQLite ignores it.
	MaxConns int32
}

// Tenant is a customer of the unified API.
type Tenant struct {
	ID, Name string
}

// Account is an integrated account: one connected account of one
// integration, owned by one tenant.
type Account struct {
	// ID is the canonical lowercase UUID string.
	ID          string
	TenantID    string
	Integration string
	Name        string
	// Backend is what serves the account: "local" (the service's own
	// records; "" means local) or "remote" (the provider's API).
	Backend string
	// BaseURL, when set, replaces the scheme, host and port of the
	// integration's base URL.
	BaseURL string
	// Credentials are the account's credentials as package secrets
	// sealed them: never the plaintext.
	Credentials string
	// NeedsReauth reports that the provider refused the credentials (a
	// 401): the account is answered 401 until they are replaced.
	NeedsReauth bool
}

// Remote reports an account served by the provider's API.
func (a Account) Remote() bool { return a.Backend == "remote" }

// Saved is a response kept for an Idempotency-Key, replayed verbatim when
// the same request arrives again with the same key.
type Saved struct {
	Status      int
	ContentType string
	Body        []byte
	// ETag is the response's entity tag, "" for none.
	ETag string
}

// IdemKey identifies an idempotent request. Keys are scoped per tenant, so two
// tenants choosing the same key never see each other's responses.
// RequestHash is an opaque digest, computed by the caller, of everything that
// makes the request what it is (method, path, account, body): the same key
// with a different hash is a client bug and yields [ErrKeyReused].
type IdemKey struct {
	TenantID, Key, RequestHash string
}

// PoolStats describes a store's connections at one moment.
type PoolStats struct {
	// MaxConns is the most connections the pool opens (SQLite: the
	// reader pool plus the one writer).
	MaxConns int
	// InUse and Idle are the connections busy and waiting now.
	InUse, Idle int
	// WaitCount and WaitDuration are how many times, and for how long
	// in total, a caller waited for a connection since Open: the pool's
	// saturation.
	WaitCount    int64
	WaitDuration time.Duration
	// QueuedWrites is how many writes wait for SQLite's writer now
	// (always 0 on PostgreSQL).
	QueuedWrites int
}

// IsPostgres reports whether dsn names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database dsn names: a postgres:// or postgresql:// URL
// opens PostgreSQL, anything else is a SQLite file path (created if
// missing). Either way the schema is brought up to date first (see
// [Migrate]).
func Open(ctx context.Context, dsn string, opt Options) (Store, error) {
	if IsPostgres(dsn) {
		return OpenPostgres(ctx, dsn, opt)
	}
	return OpenSQLite(ctx, dsn, opt)
}

// Redact returns dsn with any password replaced by "xxxxx", for messages
// and logs: a DSN's password is a secret.
func Redact(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	return redactURL(dsn)
}
