package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

const (
	acctA = "00000000-0000-4000-8000-00000000000a"
	acctB = "00000000-0000-4000-8000-00000000000b"
)

// open opens a fresh database of engine e and closes it at the end of the
// test. It returns the database's address, to open it again.
func open(t testing.TB, e storetest.Engine, opt Options) (Store, string) {
	t.Helper()
	dsn := e.DSN(t)
	s, err := Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// openSQLite opens a fresh SQLite store, for tests of SQLite's own
// mechanics.
func openSQLite(t testing.TB, opt Options) (*sqliteStore, string) {
	t.Helper()
	s, path := open(t, storetest.Engines[0], opt)
	return s.(*sqliteStore), path
}

// seed creates tenants "t1" and "t2" with one account each (acctA, acctB).
func seed(t testing.TB, s Store) {
	t.Helper()
	ctx := context.Background()
	for _, tn := range []Tenant{{"t1", "Tenant one"}, {"t2", "Tenant two"}} {
		if err := s.PutTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []Account{
		{ID: acctA, TenantID: "t1", Integration: "dixa", Name: "A"},
		{ID: acctB, TenantID: "t2", Integration: "hive", Name: "B"},
	} {
		if err := s.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
}

// users is the resource most tests keep their records in.
const users = "ticketing/users"

// create creates one record of resource through Write and returns it.
func create(t testing.TB, s Store, account, resource, doc string, now time.Time) Record {
	t.Helper()
	var r Record
	_, _, err := s.Write(context.Background(), nil, func(tx Tx) (Saved, error) {
		var err error
		r, err = tx.CreateRecord(account, resource, []byte(doc), now)
		return Saved{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// write runs fn in a Write without an idempotency key.
func write(s Store, fn func(tx Tx) error) error {
	_, _, err := s.Write(context.Background(), nil, func(tx Tx) (Saved, error) { return Saved{}, fn(tx) })
	return err
}

// count is s.Count, failing the test on an error.
func count(t testing.TB, s Store, account, resource string) int {
	t.Helper()
	n, err := s.Count(context.Background(), account, resource)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenCreatesSchemaAndReopens(t *testing.T) { storetest.Run(t, testOpenCreatesSchemaAndReopens) }

func testOpenCreatesSchemaAndReopens(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, path := open(t, e, Options{})
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("a new database is not ready: %v", err)
	}
	if sq, ok := s.(*sqliteStore); ok {
		var v int
		if err := sq.reader.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != len(sqliteMigrations) {
			t.Fatalf("user_version = %d, want %d", v, len(sqliteMigrations))
		}
	}
	seed(t, s)
	now := time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC)
	u := create(t, s, acctA, users, `{"name":"Ada"}`, now)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening runs no migration and finds everything.
	s2, err := Open(ctx, path, Options{Synchronous: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Record(ctx, acctA, users, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !equalRecord(got, u) {
		t.Fatalf("after reopen got %+v, want %+v", got, u)
	}
	a, err := s2.Account(ctx, "t1", acctA)
	if err != nil || a.Integration != "dixa" || a.Name != "A" {
		t.Fatalf("account after reopen: %+v, %v", a, err)
	}
}

// TestPragmasOnEveryConnection checks that every connection of both pools
// carries the DSN pragmas, not only the first one opened.
func TestPragmasOnEveryConnection(t *testing.T) {
	for _, tc := range []struct {
		sync string
		want int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{"", 2}, {"FULL", 2}, {"NORMAL", 1}} {
		t.Run("sync="+tc.sync, func(t *testing.T) {
			ctx := context.Background()
			s, _ := openSQLite(t, Options{Synchronous: tc.sync})
			pragma := func(c *sql.Conn, name string) string {
				t.Helper()
				var v string
				if err := c.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
					t.Fatal(err)
				}
				return v
			}
			// Hold all reader connections at once so each is a distinct one.
			var conns []*sql.Conn
			for range readerConns {
				c, err := s.reader.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
			}
			for i, c := range conns {
				if got := pragma(c, "query_only"); got != "1" {
					t.Errorf("reader %d: query_only = %s", i, got)
				}
				if got := pragma(c, "foreign_keys"); got != "1" {
					t.Errorf("reader %d: foreign_keys = %s", i, got)
				}
				if got := pragma(c, "busy_timeout"); got != fmt.Sprint(busyTimeoutMS) {
					t.Errorf("reader %d: busy_timeout = %s", i, got)
				}
				if got := pragma(c, "journal_mode"); got != "wal" {
					t.Errorf("reader %d: journal_mode = %s", i, got)
				}
				c.Close()
			}
			w, err := s.writer.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			for name, want := range map[string]string{
				"query_only":   "0",
				"foreign_keys": "1",
				"busy_timeout": fmt.Sprint(busyTimeoutMS),
				"journal_mode": "wal",
				"synchronous":  fmt.Sprint(tc.want),
			} {
				if got := pragma(w, name); got != want {
					t.Errorf("writer: %s = %s, want %s", name, got, want)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		path string
		opt  Options
		want string
	}{
		{filepath.Join(dir, "a.db"), Options{Synchronous: "OFF"}, "want FULL or NORMAL"},
		{":memory:", Options{}, "plain file path"},
		{"", Options{}, "plain file path"},
		{filepath.Join(dir, "a?.db"), Options{}, "must not contain '?'"},
		{filepath.Join(dir, "missing", "a.db"), Options{}, "a.db"},
	} {
		s, err := Open(ctx, tc.path, tc.opt)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q, %+v) succeeded", tc.path, tc.opt)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q, %+v) = %v, want it to mention %q", tc.path, tc.opt, err, tc.want)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) { storetest.Run(t, testOpenRefusesNewerSchema) }

func testOpenRefusesNewerSchema(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, path := open(t, e, Options{})
	setSchemaVersion(t, s, 99)
	if err := s.Ready(ctx); err == nil {
		t.Error("a database at schema version 99 is ready")
	}
	s.Close()
	if s2, err := Open(ctx, path, Options{}); err == nil {
		s2.Close()
		t.Fatal("opened a database from the future")
	} else if !strings.Contains(err.Error(), "schema version 99") {
		t.Fatalf("error %v does not name the version", err)
	}
}

func TestReaderPoolIsReadOnly(t *testing.T) {
	s, _ := openSQLite(t, Options{})
	if _, err := s.reader.ExecContext(context.Background(),
		`INSERT INTO tenants (id, name) VALUES ('x', 'x')`); err == nil {
		t.Fatal("write through the reader pool succeeded")
	}
}

func TestHasTenants(t *testing.T) { storetest.Run(t, testHasTenants) }

func testHasTenants(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	if has, err := s.HasTenants(ctx); err != nil || has {
		t.Fatalf("a new database: HasTenants = %v, %v", has, err)
	}
	if err := s.PutTenant(ctx, Tenant{ID: "t1", Name: "One"}); err != nil {
		t.Fatal(err)
	}
	if has, err := s.HasTenants(ctx); err != nil || !has {
		t.Fatalf("after a tenant: HasTenants = %v, %v", has, err)
	}
}

func TestTokens(t *testing.T) { storetest.Run(t, testTokens) }

func testTokens(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, path := open(t, e, Options{})
	seed(t, s)
	const token = "tok-3b1f9a7c-very-secret-value"
	if err := s.AddToken(ctx, "t1", token); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, "t1", token); err != nil {
		t.Fatalf("adding the same token twice: %v", err)
	}
	err := s.AddToken(ctx, "t2", token)
	if err == nil {
		t.Fatal("token of t1 was added to t2")
	}
	if strings.Contains(err.Error(), token) {
		t.Fatalf("error leaks the token: %v", err)
	}
	if err := s.AddToken(ctx, "nope", "another-token-0123456789"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("token for unknown tenant: %v, want ErrNotFound", err)
	}
	if err := s.AddToken(ctx, "t1", ""); err == nil {
		t.Fatal("empty token accepted")
	}

	tn, err := s.TenantByToken(ctx, token)
	if err != nil || tn != (Tenant{"t1", "Tenant one"}) {
		t.Fatalf("TenantByToken = %+v, %v", tn, err)
	}
	for _, bad := range []string{"", "tok", token + "x", strings.ToUpper(token), hashToken(token)} {
		if _, err := s.TenantByToken(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("TenantByToken(%q) = %v, want ErrNotFound", bad, err)
		}
	}

	// The raw token is in none of the database's files, the hash is.
	if e.Name != "sqlite" {
		var n int
		if err := baseOf(s).read.queryRow(ctx, "SELECT count(*) FROM tokens WHERE hash = ?", hashToken(token)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the token's hash is not stored: %d, %v", n, err)
		}
		return
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if bytes.Contains(all, []byte(token)) {
		t.Fatal("the raw token is stored in the database file")
	}
	if !bytes.Contains(all, []byte(hashToken(token))) {
		t.Fatal("the token hash is not in the database file; did the check read the right file?")
	}
}

func TestAccountTenantIsolation(t *testing.T) { storetest.Run(t, testAccountTenantIsolation) }

func testAccountTenantIsolation(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	a, err := s.Account(ctx, "t1", acctA)
	if err != nil {
		t.Fatal(err)
	}
	if a != (Account{ID: acctA, TenantID: "t1", Integration: "dixa", Name: "A"}) {
		t.Fatalf("got %+v", a)
	}
	// Any UUID spelling finds the account; the canonical id comes back.
	if a, err := s.Account(ctx, "t1", strings.ToUpper(acctA)); err != nil || a.ID != acctA {
		t.Fatalf("uppercase lookup: %+v, %v", a, err)
	}
	_, errOther := s.Account(ctx, "t2", acctA)
	_, errMissing := s.Account(ctx, "t2", "00000000-0000-4000-8000-0000000000ff")
	if !errors.Is(errOther, ErrNotFound) || !errors.Is(errMissing, ErrNotFound) {
		t.Fatalf("other tenant's account: %v; missing account: %v; want ErrNotFound for both", errOther, errMissing)
	}
	if _, err := s.Account(ctx, "t1", "not-a-uuid"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("malformed id: %v", err)
	}
}

func TestPutAccount(t *testing.T) { storetest.Run(t, testPutAccount) }

func testPutAccount(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	for _, tc := range []struct {
		a    Account
		want string
	}{
		{Account{ID: strings.ToUpper(acctA), TenantID: "t1", Integration: "dixa"}, "canonical"},
		{Account{ID: "x", TenantID: "t1", Integration: "dixa"}, "canonical"},
		{Account{ID: acctA, TenantID: "t1"}, "empty integration"},
		{Account{ID: acctA, TenantID: "t2", Integration: "dixa"}, "another tenant"},
		{Account{ID: acctA, TenantID: "t1", Integration: "hive"}, `"dixa" account`},
		{Account{ID: "00000000-0000-4000-8000-0000000000ff", TenantID: "zz", Integration: "dixa"}, "not found"},
	} {
		if err := s.PutAccount(ctx, tc.a); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PutAccount(%+v) = %v, want an error mentioning %q", tc.a, err, tc.want)
		}
	}
	// Renaming is an update.
	if err := s.PutAccount(ctx, Account{ID: acctA, TenantID: "t1", Integration: "dixa", Name: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, "t1", acctA); a.Name != "Renamed" {
		t.Fatalf("name = %q", a.Name)
	}
	// So is renaming a tenant.
	if err := s.PutTenant(ctx, Tenant{"t1", "New name"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, "t1", "rename-check-token-123"); err != nil {
		t.Fatal(err)
	}
	if tn, _ := s.TenantByToken(ctx, "rename-check-token-123"); tn.Name != "New name" {
		t.Fatalf("tenant name = %q", tn.Name)
	}
}

func TestCreateAndUpdateRecord(t *testing.T) { storetest.Run(t, testCreateAndUpdateRecord) }

func testCreateAndUpdateRecord(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 987654321, time.FixedZone("X", 3600))
	u := create(t, s, acctA, users, `{"name":"Ada"}`, t0)
	if u.Version != 1 || u.AccountID != acctA || u.Resource != users || string(u.Doc) != `{"name":"Ada"}` {
		t.Fatalf("created %+v", u)
	}
	if len(u.ID) != 36 || canonicalID(u.ID) != u.ID {
		t.Fatalf("id %q is not a canonical UUID", u.ID)
	}
	if u.CreatedAt.Location() != time.UTC || !u.CreatedAt.Equal(t0.Truncate(time.Microsecond)) || !u.UpdatedAt.Equal(u.CreatedAt) {
		t.Fatalf("timestamps %v %v, want %v in UTC", u.CreatedAt, u.UpdatedAt, t0)
	}
	got, err := s.Record(ctx, acctA, users, u.ID)
	if err != nil || !equalRecord(got, u) {
		t.Fatalf("read back %+v, %v; want %+v", got, err, u)
	}
	// Any UUID spelling finds it.
	if got, err := s.Record(ctx, acctA, users, strings.ToUpper(u.ID)); err != nil || !equalRecord(got, u) {
		t.Fatalf("uppercase id: %+v, %v", got, err)
	}
	// The record is only visible in its own account and resource.
	if _, err := s.Record(ctx, acctB, users, u.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("record seen through another account: %v", err)
	}
	if _, err := s.Record(ctx, acctA, "ticketing/tickets", u.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("record seen through another resource: %v", err)
	}
	// Two creates get distinct ids.
	if other := create(t, s, acctA, users, `{}`, t0); other.ID == u.ID {
		t.Fatalf("two records share id %s", u.ID)
	} else if err := write(s, func(tx Tx) error { _, err := tx.DeleteRecord(acctA, users, other.ID, nil); return err }); err != nil {
		t.Fatal(err)
	}

	prev := u
	for i := 2; i <= 3; i++ {
		ti := t0.Add(time.Duration(i) * time.Millisecond)
		stored := ti.Truncate(time.Microsecond)
		var up Record
		_, _, err := s.Write(ctx, nil, func(tx Tx) (Saved, error) {
			var err error
			up, err = tx.UpdateRecord(acctA, users, strings.ToUpper(u.ID), ti, nil, func(old Record) ([]byte, error) {
				// merge sees the record as it is now, doc included.
				if !equalRecord(old, prev) {
					return nil, fmt.Errorf("merge saw %+v, want %+v", old, prev)
				}
				return fmt.Appendf(nil, `{"name":"Ada","n":%d}`, i), nil
			})
			return Saved{}, err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`{"name":"Ada","n":%d}`, i)
		if up.Version != int64(i) || !up.UpdatedAt.Equal(stored) || !up.CreatedAt.Equal(u.CreatedAt) || up.ID != u.ID ||
			up.Resource != users || up.AccountID != acctA || string(up.Doc) != want {
			t.Fatalf("update %d: %+v", i, up)
		}
		got, err := s.Record(ctx, acctA, users, u.ID)
		if err != nil || !equalRecord(got, up) {
			t.Fatalf("update %d read back %+v, %v; want %+v", i, got, err, up)
		}
		prev = up
	}

	// Errors: unknown record, record of another account or resource,
	// unknown account, bad docs, and a failing merge; none changes
	// anything.
	keep := func(old Record) ([]byte, error) { return old.Doc, nil }
	if err := write(s, func(tx Tx) error {
		_, err := tx.UpdateRecord(acctA, users, "00000000-0000-4000-8000-0000000000ff", t0, nil, keep)
		return err
	}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of unknown id: %v", err)
	}
	if err := write(s, func(tx Tx) error {
		_, err := tx.UpdateRecord(acctB, users, u.ID, t0, nil, keep)
		return err
	}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update through another account: %v", err)
	}
	if err := write(s, func(tx Tx) error {
		_, err := tx.UpdateRecord(acctA, "ticketing/tickets", u.ID, t0, nil, keep)
		return err
	}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update through another resource: %v", err)
	}
	if err := write(s, func(tx Tx) error {
		_, err := tx.CreateRecord("00000000-0000-4000-8000-0000000000ff", users, []byte(`{}`), t0)
		return err
	}); !errors.Is(err, ErrNotFound) {
		t.Errorf("create in unknown account: %v", err)
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{"a":`, `null`, ` 1`} {
		if err := write(s, func(tx Tx) error {
			_, err := tx.CreateRecord(acctA, users, []byte(bad), t0)
			return err
		}); err == nil {
			t.Errorf("created a record with doc %q", bad)
		}
		if err := write(s, func(tx Tx) error {
			_, err := tx.UpdateRecord(acctA, users, u.ID, t0, nil, func(Record) ([]byte, error) { return []byte(bad), nil })
			return err
		}); err == nil {
			t.Errorf("updated a record to doc %q", bad)
		}
	}
	errMerge := errors.New("merge failed")
	if err := write(s, func(tx Tx) error {
		_, err := tx.UpdateRecord(acctA, users, u.ID, t0, nil, func(Record) ([]byte, error) { return nil, errMerge })
		return err
	}); !errors.Is(err, errMerge) {
		t.Errorf("merge error not returned: %v", err)
	}
	if got, _ := s.Record(ctx, acctA, users, u.ID); !equalRecord(got, prev) {
		t.Errorf("failed writes changed the record: %+v, want %+v", got, prev)
	}
	if n := count(t, s, acctA, users); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	if n := count(t, s, acctB, users); n != 0 {
		t.Errorf("Count(B) = %d, want 0", n)
	}
}

func TestIdempotency(t *testing.T) { storetest.Run(t, testIdempotency) }

func testIdempotency(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	setNow(s, func() time.Time { return clock })

	calls := 0
	createFn := func(tx Tx) (Saved, error) {
		calls++
		u, err := tx.CreateRecord(acctA, users, []byte(`{"name":"Ada"}`), clock)
		if err != nil {
			return Saved{}, err
		}
		return Saved{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"` + u.ID + `"}`),
			ETag: fmt.Sprintf(`W/"%d"`, u.Version)}, nil
	}
	key := &IdemKey{TenantID: "t1", Key: "k1", RequestHash: "h1"}

	first, replayed, err := s.Write(ctx, key, createFn)
	if err != nil || replayed || calls != 1 || first.Status != 201 {
		t.Fatalf("first write: %+v replayed=%v err=%v calls=%d", first, replayed, err, calls)
	}
	again, replayed, err := s.Write(ctx, key, createFn)
	if err != nil || !replayed || calls != 1 {
		t.Fatalf("replay: replayed=%v err=%v calls=%d", replayed, err, calls)
	}
	if first.ETag != `W/"1"` {
		t.Fatalf("first write returned ETag %q", first.ETag)
	}
	if again.Status != first.Status || again.ContentType != first.ContentType || !bytes.Equal(again.Body, first.Body) ||
		again.ETag != first.ETag {
		t.Fatalf("replayed %+v, want %+v", again, first)
	}
	if _, _, err := s.Write(ctx, &IdemKey{TenantID: "t1", Key: "k1", RequestHash: "h2"}, createFn); !errors.Is(err, ErrKeyReused) || calls != 1 {
		t.Fatalf("different request with the same key: err=%v calls=%d", err, calls)
	}
	// Keys are per tenant: t2 may use "k1" for its own request.
	if _, replayed, err := s.Write(ctx, &IdemKey{TenantID: "t2", Key: "k1", RequestHash: "h2"},
		func(Tx) (Saved, error) { calls++; return Saved{Status: 200}, nil }); err != nil || replayed || calls != 2 {
		t.Fatalf("same key, other tenant: replayed=%v err=%v calls=%d", replayed, err, calls)
	}
	if n := count(t, s, acctA, users); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}

	// Atomicity: fn fails after creating a record; neither the record nor the
	// key survive, so a retry with the same key runs fn again.
	boom := errors.New("boom")
	failKey := &IdemKey{TenantID: "t1", Key: "k2", RequestHash: "h"}
	if _, _, err := s.Write(ctx, failKey, func(tx Tx) (Saved, error) {
		if _, err := createFn(tx); err != nil {
			return Saved{}, err
		}
		return Saved{}, boom
	}); !errors.Is(err, boom) {
		t.Fatalf("fn error not returned: %v", err)
	}
	if n := count(t, s, acctA, users); n != 1 {
		t.Fatalf("failed write kept its record: %d records", n)
	}
	if _, replayed, err := s.Write(ctx, failKey, createFn); err != nil || replayed {
		t.Fatalf("retry after failure: replayed=%v err=%v (the key was kept?)", replayed, err)
	}
	if n := count(t, s, acctA, users); n != 2 {
		t.Fatalf("%d records after retry, want 2", n)
	}

	// A panicking fn rolls back too, and the writer stays usable.
	func() {
		defer func() { recover() }()
		s.Write(ctx, &IdemKey{TenantID: "t1", Key: "k3", RequestHash: "h"}, func(tx Tx) (Saved, error) {
			createFn(tx)
			panic("fn panicked")
		})
	}()
	if n := count(t, s, acctA, users); n != 2 {
		t.Fatalf("panicking write kept its record: %d records", n)
	}

	// A saved response with a nil body is stored and replayed.
	nilKey := &IdemKey{TenantID: "t1", Key: "k4", RequestHash: "h"}
	if _, _, err := s.Write(ctx, nilKey, func(Tx) (Saved, error) { return Saved{Status: 204}, nil }); err != nil {
		t.Fatal(err)
	}
	if sv, replayed, err := s.Write(ctx, nilKey, createFn); err != nil || !replayed || sv.Status != 204 || len(sv.Body) != 0 || sv.ETag != "" {
		t.Fatalf("nil body replay: %+v %v %v", sv, replayed, err)
	}

	// After 24h a key is forgotten, whether or not pruning ran: the same
	// key with another request is accepted, and old rows get pruned.
	clock = clock.Add(idemTTL + time.Minute)
	if _, replayed, err := s.Write(ctx, &IdemKey{TenantID: "t1", Key: "k1", RequestHash: "h9"}, createFn); err != nil || replayed {
		t.Fatalf("expired key: replayed=%v err=%v", replayed, err)
	}
	if rows := rawCount(t, s, "idempotency"); rows != 1 { // only the fresh k1; t2/k1, t1/k2 and t1/k4 were pruned
		t.Fatalf("%d idempotency rows after pruning, want 1", rows)
	}

	if _, _, err := s.Write(ctx, &IdemKey{Key: "k"}, createFn); err == nil {
		t.Fatal("key without tenant accepted")
	}
}

// TestConcurrentWriters checks that the single writer connection serialises
// concurrent writers without SQLITE_BUSY, while readers keep working.
func TestConcurrentWriters(t *testing.T) { storetest.Run(t, testConcurrentWriters) }

func testConcurrentWriters(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{Synchronous: "NORMAL"})
	seed(t, s)
	const writers, perWriter = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter+writers)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range readerConns {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Count(ctx, acctA, users); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				key := &IdemKey{TenantID: "t1", Key: fmt.Sprintf("w%d-%d", w, i), RequestHash: "h"}
				_, _, err := s.Write(ctx, key, func(tx Tx) (Saved, error) {
					_, err := tx.CreateRecord(acctA, users, []byte(`{"w":1}`), time.Now())
					return Saved{Status: 201}, err
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, s, acctA, users); n != writers*perWriter {
		t.Fatalf("Count = %d; want %d", n, writers*perWriter)
	}
}

// BenchmarkCreateRecord measures one committed create per op. With FULL every
// commit waits for an fsync of the WAL, so ns/op is bounded below by the
// disk's fsync latency (microseconds on tmpfs or a write-back cache, around a
// millisecond or more on real disks); NORMAL skips that fsync. Set
// STORE_BENCH_DIR to put the database on a specific disk, since t.TempDir may
// be a tmpfs where fsync costs nothing.
func BenchmarkCreateRecord(b *testing.B) {
	for _, mode := range []string{"FULL", "NORMAL"} {
		b.Run(mode, func(b *testing.B) {
			dir := os.Getenv("STORE_BENCH_DIR")
			if dir == "" {
				dir = b.TempDir()
			} else {
				var err error
				if dir, err = os.MkdirTemp(dir, "storebench"); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { os.RemoveAll(dir) })
			}
			s, err := Open(context.Background(), filepath.Join(dir, "bench.db"), Options{Synchronous: mode})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			seed(b, s)
			record := []byte(`{"name":"Ada Lovelace","email":"ada@example.com","roles":["admin"]}`)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Write(ctx, nil, func(tx Tx) (Saved, error) {
					_, err := tx.CreateRecord(acctA, users, record, time.Now())
					return Saved{}, err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// equalRecord compares records field by field, times with Equal.
func equalRecord(a, b Record) bool {
	return a.AccountID == b.AccountID && a.Resource == b.Resource && a.ID == b.ID && bytes.Equal(a.Doc, b.Doc) &&
		a.Version == b.Version && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func TestRemoteAccount(t *testing.T) { storetest.Run(t, testRemoteAccount) }

// testRemoteAccount: an account's backend, base URL and sealed credentials
// are kept as given; a provider's refusal marks it until new credentials
// are put, and every lookup (cached or not) sees the mark at once.
func testRemoteAccount(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s, _ := open(t, e, Options{})
	seed(t, s)
	want := Account{ID: acctA, TenantID: "t1", Integration: "dixa", Name: "A", Backend: "remote", BaseURL: "http://127.0.0.1:9", Credentials: "v1.k1.sealed"}
	if err := s.PutAccount(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Account(ctx, "t1", acctA); err != nil || got != want || !got.Remote() {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	if err := s.MarkNeedsReauth(ctx, acctA); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, "t1", acctA); !got.NeedsReauth {
		t.Fatalf("after a refusal: %+v", got)
	}
	want.Credentials = "v1.k1.new"
	if err := s.PutAccount(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, "t1", acctA); got.NeedsReauth || got.Credentials != "v1.k1.new" {
		t.Fatalf("after new credentials: %+v", got)
	}
	// Back to local: the zero value.
	want.Backend, want.BaseURL, want.Credentials = "", "", ""
	if err := s.PutAccount(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, "t1", acctA); got != want || got.Remote() {
		t.Fatalf("back to local: %+v", got)
	}
}
