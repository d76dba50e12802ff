package store

// The schema is versioned: migration i (0-based) brings a database from
// version i to i+1. Both engines have the same migrations, numbered alike
// and identical in meaning (the same tables, columns, keys and indexes),
// written in each one's dialect:
//
//   - text is TEXT on both; JSON documents and response bodies are BLOB
//     (SQLite) and bytea (PostgreSQL): bytes kept exactly as written, so
//     numbers such as 1e400 are never normalised (jsonb would);
//   - times are Unix microseconds (UTC) in INTEGER / bigint columns;
//   - records.seq is AUTOINCREMENT / an identity column: never reused.
//
// SQLite records the version in PRAGMA user_version, PostgreSQL in the
// one-row table schema_version. Never edit an applied migration: append
// a new one, since databases record only their version number.

// sqliteMigrations are SQLite's migrations.
var sqliteMigrations = []string{
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
	// 3: rate limiter state shared by the processes using the database:
	// per key, the GCRA's theoretical arrival time (Unix microseconds) and
	// whether the last request was allowed. The SQLite engine keeps its
	// limits in the process's memory and leaves it empty (see
	// RateLimiter).
	`
CREATE TABLE rate_limits (
	key     TEXT    NOT NULL PRIMARY KEY,
	tat     INTEGER NOT NULL,
	allowed INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`,
	// 4: accounts connected to the provider: which backend serves them,
	// the base URL override, the credentials sealed (package secrets: never
	// in plaintext), and whether the provider refused them (401) so that
	// the account needs to be re-authenticated.
	`
ALTER TABLE accounts ADD COLUMN backend TEXT NOT NULL DEFAULT 'local';
ALTER TABLE accounts ADD COLUMN base_url TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN credentials TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN needs_reauth INTEGER NOT NULL DEFAULT 0;
`,
}

// postgresMigrations are PostgreSQL's, one for one with sqliteMigrations.
var postgresMigrations = []string{
	// 1: initial schema.
	`
CREATE TABLE tenants (
	id   text NOT NULL PRIMARY KEY,
	name text NOT NULL
);

-- Only SHA-256(token), hex-encoded: a leaked database does not leak
-- usable credentials.
CREATE TABLE tokens (
	hash      text NOT NULL PRIMARY KEY,
	tenant_id text NOT NULL REFERENCES tenants(id)
);
CREATE INDEX tokens_tenant ON tokens(tenant_id);

CREATE TABLE accounts (
	id          text NOT NULL PRIMARY KEY, -- canonical lowercase UUID
	tenant_id   text NOT NULL REFERENCES tenants(id),
	integration text NOT NULL,
	name        text NOT NULL
);
CREATE INDEX accounts_tenant ON accounts(tenant_id);

-- Version 1's users table, kept so that both engines have the same
-- schema at every version; nothing reads it since version 2.
CREATE TABLE users (
	account_id text   NOT NULL REFERENCES accounts(id),
	id         text   NOT NULL,
	record     bytea  NOT NULL,
	version    bigint NOT NULL,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	PRIMARY KEY (account_id, id)
);

CREATE TABLE idempotency (
	tenant_id    text    NOT NULL REFERENCES tenants(id),
	key          text    NOT NULL,
	request_hash text    NOT NULL,
	status       integer NOT NULL,
	content_type text    NOT NULL,
	body         bytea   NOT NULL,
	created_at   bigint  NOT NULL,
	PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_created ON idempotency(created_at);
`,
	// 2: records of any resource, kept as documents.
	`
CREATE TABLE records (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id text   NOT NULL REFERENCES accounts(id),
	resource   text   NOT NULL,
	id         text   NOT NULL,
	doc        bytea  NOT NULL,
	version    bigint NOT NULL,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	UNIQUE (account_id, resource, id)
);
CREATE INDEX records_page ON records(account_id, resource, seq);
ALTER TABLE idempotency ADD COLUMN etag text NOT NULL DEFAULT '';
`,
	// 3: rate limiter state shared by the replicas. UNLOGGED: it is
	// written on every request, and losing it in a crash only resets the
	// limits, so it skips the WAL and its fsync.
	`
CREATE UNLOGGED TABLE rate_limits (
	key     text    NOT NULL PRIMARY KEY,
	tat     bigint  NOT NULL,
	allowed boolean NOT NULL
);
`,
	// 4: accounts connected to the provider (see SQLite's 4).
	`
ALTER TABLE accounts ADD COLUMN backend text NOT NULL DEFAULT 'local';
ALTER TABLE accounts ADD COLUMN base_url text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN credentials text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN needs_reauth integer NOT NULL DEFAULT 0;
`,
}

// Advisory lock keys (PostgreSQL), in the first of the two int4 keys so
// that they cannot collide with each other.
const (
	// advisoryMigrate serialises migrations of replicas starting at once.
	advisoryMigrate int32 = 0x756e6901
	// advisoryRecords (with a hash of account and resource as the second
	// key) orders the creates of one account's resource; see CreateRecord.
	advisoryRecords int32 = 0x756e6902
)

// SchemaVersion is the schema version this program's migrations produce.
func SchemaVersion() int { return len(sqliteMigrations) }
