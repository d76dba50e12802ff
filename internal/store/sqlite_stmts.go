package store

import (
	"context"
	"database/sql"
	"slices"
)

// maxWriterStmts bounds how many statements the writer keeps prepared. The
// statements are the store's own, a fixed set of a few dozen; the bound only
// matters if some caller ever builds queries from data.
const maxWriterStmts = 256

// writerStmts keeps the writer connection's statements prepared across
// transactions. Without it, database/sql and the driver compile every
// statement of every write again, which was about an eighth of the single
// writer's time, and the writer is what bounds persisted writes.
//
// A statement cannot be prepared on the writer's pool while a transaction
// holds its one connection (PrepareContext would wait for that
// connection forever), so a statement seen for the first time runs
// unprepared, is remembered, and is prepared once the batch has committed
// and the connection is free again. Inside a transaction, Tx.StmtContext
// finds the statement already prepared on that connection and reuses it;
// if the pool ever replaces the connection, database/sql prepares it on
// the new one.
//
// Only the writer goroutine uses it, so it has no lock.
type writerStmts struct {
	db *sql.DB
	// prepared maps a query to its statement; nil means it could not be
	// prepared and always runs unprepared (so it is not retried per batch).
	prepared map[string]*sql.Stmt
	seen     []string // queries run unprepared since the last prepareSeen
}

func newWriterStmts(db *sql.DB) *writerStmts {
	return &writerStmts{db: db, prepared: make(map[string]*sql.Stmt)}
}

// in returns the statement for query inside tx, or nil if it is not
// prepared yet (the caller runs the query directly).
func (w *writerStmts) in(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	st, ok := w.prepared[query]
	if !ok {
		if len(w.prepared)+len(w.seen) < maxWriterStmts && !slices.Contains(w.seen, query) {
			w.seen = append(w.seen, query)
		}
		return nil
	}
	if st == nil {
		return nil
	}
	return tx.StmtContext(ctx, st)
}

// prepareSeen prepares the statements seen since the last call. It runs
// between transactions, when the writer's connection is free.
func (w *writerStmts) prepareSeen(ctx context.Context) {
	for _, q := range w.seen {
		if _, done := w.prepared[q]; done {
			continue
		}
		st, err := w.db.PrepareContext(ctx, q)
		if err != nil {
			st = nil // it runs unprepared, and fails there if it is wrong
		}
		w.prepared[q] = st
	}
	w.seen = w.seen[:0]
}

func (w *writerStmts) close() {
	for q, st := range w.prepared {
		if st != nil {
			st.Close()
		}
		delete(w.prepared, q)
	}
}

// writerQuerier runs the statements of one write transaction, prepared
// when the writer has seen them before.
type writerQuerier struct {
	tx    *sql.Tx
	stmts *writerStmts
}

func (q writerQuerier) execResult(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmts.in(ctx, q.tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q writerQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.execResult(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q writerQuerier) insert(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.execResult(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (q writerQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	if st := q.stmts.in(ctx, q.tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}

func (q writerQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	var (
		r   *sql.Rows
		err error
	)
	if st := q.stmts.in(ctx, q.tx, query); st != nil {
		r, err = st.QueryContext(ctx, args...)
	} else {
		r, err = q.tx.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}
