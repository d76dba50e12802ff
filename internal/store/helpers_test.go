package store

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// baseOf is the part of a store both engines share, for tests that reach
// into it (clocks, the lookup cache, raw reads).
func baseOf(s Store) *base {
	switch v := s.(type) {
	case *sqliteStore:
		return &v.base
	case *pgStore:
		return &v.base
	}
	panic("unknown store")
}

// setNow replaces the clock of the store's idempotency bookkeeping.
func setNow(s Store, now func() time.Time) { baseOf(s).now = now }

// rawCount counts the rows of a table, through the store's read pool.
func rawCount(t testing.TB, s Store, table string) int {
	t.Helper()
	var n int
	if err := baseOf(s).read.queryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// setSchemaVersion records version v as the database's schema version,
// as a newer program would have.
func setSchemaVersion(t testing.TB, s Store, v int) {
	t.Helper()
	ctx := context.Background()
	var err error
	switch s := s.(type) {
	case *sqliteStore:
		_, err = s.writer.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(v))
	case *pgStore:
		_, err = s.pool.Exec(ctx, "UPDATE schema_version SET version = $1", v)
	}
	if err != nil {
		t.Fatal(err)
	}
}
