// Package storetest gives tests a fresh database of either engine, so
// that the same tests run against SQLite and PostgreSQL.
//
// PostgreSQL tests need a server: set UNIFIED_TEST_POSTGRES to the URL of
// a database on it whose user may create databases (each test gets a
// schema of its own, dropped when it ends), e.g.
//
//	UNIFIED_TEST_POSTGRES=postgres://unified@127.0.0.1:5432/postgres?sslmode=disable go test ./...
//
// .ci/run starts a throw-away cluster and sets it. Without it the
// PostgreSQL tests are skipped, saying so, except under CI=true, where
// they fail: CI never skips a test silently.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Env names the variable holding the PostgreSQL server's URL.
const Env = "UNIFIED_TEST_POSTGRES"

// Engine is a database engine the tests run against.
type Engine struct {
	// Name is "sqlite" or "postgres".
	Name string
	// DSN returns the address of a new, empty database of the engine for
	// the test: a file path, or a postgres:// URL.
	DSN func(t testing.TB) string
}

// Engines are both engines, SQLite first.
var Engines = []Engine{
	{Name: "sqlite", DSN: func(t testing.TB) string { return filepath.Join(t.TempDir(), "test.db") }},
	{Name: "postgres", DSN: Postgres},
}

// Run runs f as a subtest per engine.
func Run(t *testing.T, f func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e.Name, func(t *testing.T) { f(t, e) })
	}
}

// ServerURL returns the PostgreSQL server's URL from Env, or skips the
// test (fails it under CI=true) when there is none.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a cluster and sets it)", Env)
		}
		t.Skipf("PostgreSQL test: set %s=postgres://USER@HOST:PORT/postgres?sslmode=disable (a user that may create databases) to run it; .ci/run does", Env)
	}
	return u
}

// testDB is the database the tests' schemas are made in.
const testDB = "unified_test"

// Postgres returns the URL of a new, empty schema on the server Env
// names, in the database unified_test (created if missing), as the
// schema's search_path; the schema is dropped when the test ends. A schema
// per test rather than a database: creating a database costs most of a
// second, a schema a few milliseconds, and everything the store keeps
// (tables, the schema version) lives in its schema.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := ServerURL(t)
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: not a URL: %v", Env, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+testDB)
	conn.Close(context.Background())
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505")) {
		// 42P04: it exists; 23505: another test process created it at
		// the same moment.
		t.Fatalf("create database %s: %v", testDB, err)
	}
	u.Path = "/" + testDB
	db := u.String()

	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	conn, err = pgx.Connect(ctx, db)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
