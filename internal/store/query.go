package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier is what the code shared by both engines runs its SQL through: a
// SQLite connection pool or transaction (database/sql), or a PostgreSQL
// pool or transaction (pgx). Statements are written once, with ?
// placeholders; the PostgreSQL side numbers them ($1, $2, ...). A row
// that is not there is sql.ErrNoRows on both sides.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	queryRow(ctx context.Context, query string, args ...any) row
	query(ctx context.Context, query string, args ...any) (rows, error)
}

type row interface{ Scan(dest ...any) error }

// inserter runs an INSERT into a table whose INTEGER PRIMARY KEY is the
// rowid and returns the new row's, without a row to read back: SQLite's
// writer. PostgreSQL says RETURNING instead.
type inserter interface {
	insert(ctx context.Context, query string, args ...any) (id int64, err error)
}

// foreignKeyViolation reports whether err is a statement refused by a
// foreign key, on either engine.
func foreignKeyViolation(err error) bool {
	var se *sqlite.Error
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return false
	case errors.As(err, &se):
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	case errors.As(err, &pe):
		return pe.Code == "23503" // foreign_key_violation
	}
	return false
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// sqlQuerier runs statements through database/sql (SQLite).
type sqlQuerier struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
}

func (s sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqlQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return s.q.QueryRowContext(ctx, query, args...)
}

func (s sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// pgQuerier runs statements through pgx (PostgreSQL): a pool or a
// transaction.
type pgQuerier struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

func (p pgQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := p.q.Exec(ctx, rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (p pgQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return pgRow{p.q.QueryRow(ctx, rebind(query), args...)}
}

func (p pgQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	return p.q.Query(ctx, rebind(query), args...)
}

type pgRow struct{ pgx.Row }

func (r pgRow) Scan(dest ...any) error {
	err := r.Row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sql.ErrNoRows
	}
	return err
}

// rebound caches rebind's results: the statements are a fixed set.
var rebound sync.Map

// rebind numbers the ? placeholders of query for PostgreSQL. The
// statements of this package have no ? anywhere else (no string literals
// containing one).
func rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}
