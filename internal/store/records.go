package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Record is one record of a resource of an integrated account, kept as a
// JSON document: what the local backend stores in place of a provider.
type Record struct {
	AccountID string
	// Resource is the resource's key, "model/resource" (or, for the calls
	// of a custom method, "model/resource/method").
	Resource string
	ID       string
	// Doc is the stored JSON object.
	Doc []byte
	// Version is 1 on create and grows by one per update; the HTTP layer
	// derives the ETag from it.
	Version int64
	// CreatedAt and UpdatedAt are UTC, kept to the microsecond.
	CreatedAt, UpdatedAt time.Time
	// seq orders the records of a resource by insertion, for list cursors.
	seq int64
}

// ErrPrecondition is returned when a conditional write finds the record at
// a version the caller did not expect.
var ErrPrecondition = errors.New("the record changed since the version the request names")

// ErrBadCursor is returned by List for a cursor it did not issue.
var ErrBadCursor = errors.New("not a cursor this service issued")

// Precondition decides from a record's current version whether a
// conditional write may go ahead; nil means unconditional.
type Precondition func(version int64) bool

// CreateRecord stores doc as a new record of the account's resource, under
// a new UUIDv7, with Version 1 and both timestamps set to now. It returns
// ErrNotFound (wrapped) if the account does not exist. doc must be a JSON
// object. The id is time-ordered (RFC 9562) so that an insert adds to the
// last page of the (account, resource, id) index: a random id dirtied a
// page of its own for every create of a batch, most of a commit's writes.
func (tx *txn) CreateRecord(accountID, resource string, doc []byte, now time.Time) (Record, error) {
	if err := checkDoc(doc); err != nil {
		return Record{}, fmt.Errorf("store: create %s: %w", resource, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Record{}, fmt.Errorf("store: create %s: %w", resource, err)
	}
	// Truncate to what is stored so the returned Record equals a later read.
	now = now.UTC().Truncate(time.Microsecond)
	r := Record{AccountID: accountID, Resource: resource, ID: id.String(), Doc: bytes.Clone(doc), Version: 1, CreatedAt: now, UpdatedAt: now}
	args := []any{r.AccountID, r.Resource, r.ID, r.Doc, r.Version, micros(now), micros(now)}
	if !tx.pg {
		// SQLite: its single writer already orders every write, and
		// seq is the rowid.
		r.seq, err = tx.q.(inserter).insert(tx.ctx, `INSERT INTO records (account_id, resource, id, doc, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		// PostgreSQL. List cursors name a record by its seq, so records
		// of one (account, resource) must become visible in seq order:
		// a record committed after a page was read must not have a seq
		// below that page's last one, or the cursor would skip it.
		// PostgreSQL hands out seq values at insert time but
		// transactions commit in any order; this lock, held until
		// commit, makes the creates of one (account, resource) take
		// their seq and commit one after the other. Creates in
		// different accounts or resources do not wait for each other.
		// The lock is taken by the insert's own statement (the row is
		// selected from it, so it is held before seq is drawn), which
		// keeps a round trip out of the section the lock serialises.
		err = tx.q.queryRow(tx.ctx,
			`WITH lock AS (SELECT pg_advisory_xact_lock(?, hashtext(?)))
			 INSERT INTO records (account_id, resource, id, doc, version, created_at, updated_at)
			 SELECT ?::text, ?::text, ?::text, ?::bytea, ?::bigint, ?::bigint, ?::bigint FROM lock RETURNING seq`,
			append([]any{advisoryRecords, accountID + " " + resource}, args...)...).Scan(&r.seq)
	}
	switch {
	case foreignKeyViolation(err):
		// The only reference is the account: the foreign key checks
		// it, so the create needs no statement of its own for that.
		return Record{}, fmt.Errorf("store: create %s: account %q: %w", resource, accountID, ErrNotFound)
	case err != nil:
		return Record{}, fmt.Errorf("store: create %s: %w", resource, err)
	}
	return r, nil
}

// UpdateRecord replaces the doc of the account's record id with what merge
// returns given the current record, increments Version and sets UpdatedAt
// to now. It returns ErrNotFound (wrapped) if there is no such record and
// ErrPrecondition if cond rejects its version; an error from merge is
// returned as is. The transaction holds the write lock, so nobody can
// change the record between the read and the write.
func (tx *txn) UpdateRecord(accountID, resource, id string, now time.Time, cond Precondition, merge func(old Record) ([]byte, error)) (Record, error) {
	r, err := tx.record(accountID, resource, id)
	if err != nil {
		return Record{}, err
	}
	if cond != nil && !cond(r.Version) {
		return Record{}, ErrPrecondition
	}
	doc, err := merge(r)
	if err != nil {
		return Record{}, err
	}
	if err := checkDoc(doc); err != nil {
		return Record{}, fmt.Errorf("store: update %s %q: %w", resource, id, err)
	}
	r.Doc = bytes.Clone(doc)
	r.Version++
	r.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	if _, err := tx.q.exec(tx.ctx,
		`UPDATE records SET doc = ?, version = ?, updated_at = ? WHERE account_id = ? AND resource = ? AND id = ?`,
		r.Doc, r.Version, micros(r.UpdatedAt), r.AccountID, r.Resource, r.ID); err != nil {
		return Record{}, fmt.Errorf("store: update %s %q: %w", resource, id, err)
	}
	return r, nil
}

// DeleteRecord deletes the account's record id and returns it as it was.
// It returns ErrNotFound (wrapped) if there is no such record and
// ErrPrecondition if cond rejects its version.
func (tx *txn) DeleteRecord(accountID, resource, id string, cond Precondition) (Record, error) {
	r, err := tx.record(accountID, resource, id)
	if err != nil {
		return Record{}, err
	}
	if cond != nil && !cond(r.Version) {
		return Record{}, ErrPrecondition
	}
	if _, err := tx.q.exec(tx.ctx,
		`DELETE FROM records WHERE account_id = ? AND resource = ? AND id = ?`, r.AccountID, r.Resource, r.ID); err != nil {
		return Record{}, fmt.Errorf("store: delete %s %q: %w", resource, id, err)
	}
	return r, nil
}

func (tx *txn) record(accountID, resource, id string) (Record, error) {
	// On PostgreSQL the row is locked until the transaction ends, so a
	// concurrent write to it (another replica's, with or without If-Match)
	// waits and then reads what this one wrote. SQLite's writer holds the
	// database's write lock already.
	q := selectRecord
	if tx.pg {
		q += " FOR UPDATE"
	}
	return getRecord(tx.ctx, tx.q, q, accountID, resource, id)
}

// Record returns the account's record id of resource, or ErrNotFound
// (wrapped).
func (s *base) Record(ctx context.Context, accountID, resource, id string) (Record, error) {
	return getRecord(ctx, s.read, selectRecord, accountID, resource, id)
}

// getRecord runs query, selectRecord or a variant of it, for one record,
// and wraps a missing one as ErrNotFound.
func getRecord(ctx context.Context, q querier, query, accountID, resource, id string) (Record, error) {
	r, err := scanRecord(q.queryRow(ctx, query, accountID, resource, canonicalID(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("store: %s %q: %w", resource, id, ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("store: %s %q: %w", resource, id, err)
	}
	return r, nil
}

// Filter keeps the records whose unified field Field equals one of
// Values, JSON scalars (strings, numbers, booleans). Numbers compare by
// value: 5 and 5.0 are equal.
type Filter struct {
	Field  string
	Values []json.RawMessage
}

// List returns up to limit records of the account's resource in the order
// they were created, starting after cursor ("" for the first page), and
// the cursor of the next page ("" when there is none). A cursor names the
// last record returned by its position in that order, so pages stay
// correct while records are created and deleted between them: nothing is
// returned twice, and nothing that existed throughout is skipped.
func (s *base) List(ctx context.Context, accountID, resource, cursor string, limit int, filters ...Filter) ([]Record, string, error) {
	if limit < 1 {
		return nil, "", fmt.Errorf("store: list %s: limit %d is not positive", resource, limit)
	}
	after, err := decodeCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT seq, account_id, resource, id, doc, version, created_at, updated_at
		   FROM records WHERE account_id = ? AND resource = ? AND seq > ?`
	args := []any{accountID, resource, after}
	for _, f := range filters {
		if strings.ContainsAny(f.Field, `"\`) {
			return nil, "", fmt.Errorf("store: list %s: filter field %q cannot be named in a JSON path", resource, f.Field)
		}
		values, err := json.Marshal(f.Values)
		if err != nil {
			return nil, "", fmt.Errorf("store: list %s: filter %s: %w", resource, f.Field, err)
		}
		// One placeholder for the field and one for all its values (a
		// JSON array), so that the statements stay a small, fixed set.
		if s.engine == "postgres" {
			q += ` AND (convert_from(doc, 'UTF8')::jsonb -> 'fields' -> ?::text) IN (SELECT jsonb_array_elements(?::jsonb))`
			args = append(args, f.Field, string(values))
		} else {
			q += ` AND json_extract(CAST(doc AS TEXT), ?) IN (SELECT value FROM json_each(?))`
			args = append(args, `$.fields."`+f.Field+`"`, string(values))
		}
	}
	rows, err := s.read.query(ctx, q+` ORDER BY seq LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list %s: %w", resource, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: list %s: %w", resource, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: list %s: %w", resource, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[len(out)-1].seq)
	}
	return out, next, nil
}

// Count returns the number of records of the account's resource.
func (s *base) Count(ctx context.Context, accountID, resource string) (int, error) {
	var n int
	if err := s.read.queryRow(ctx,
		`SELECT count(*) FROM records WHERE account_id = ? AND resource = ?`, accountID, resource).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", resource, err)
	}
	return n, nil
}

// Cursors are "c" and the position, base64url: opaque to clients, and
// recognisable, so that a mangled one is a clear error.
func encodeCursor(seq int64) string {
	b := binary.AppendUvarint([]byte{'c'}, uint64(seq))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'c' {
		return 0, ErrBadCursor
	}
	seq, n := binary.Uvarint(b[1:])
	if n != len(b)-1 || seq > 1<<62 {
		return 0, ErrBadCursor
	}
	return int64(seq), nil
}

const selectRecord = `SELECT seq, account_id, resource, id, doc, version, created_at, updated_at
	FROM records WHERE account_id = ? AND resource = ? AND id = ?`

func scanRecord(row row) (Record, error) {
	var (
		r                Record
		created, updated int64
	)
	if err := row.Scan(&r.seq, &r.AccountID, &r.Resource, &r.ID, &r.Doc, &r.Version, &created, &updated); err != nil {
		return Record{}, err
	}
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return r, nil
}

// canonicalID turns any UUID spelling into the stored lowercase form, so a
// client sending an uppercase id still finds its record. A string that is
// not a UUID is returned unchanged and simply matches nothing.
func canonicalID(id string) string {
	if c, ok := canonicalUUID(id); ok {
		return c
	}
	return id
}

// checkDoc rejects anything but a JSON object: the doc is returned to
// clients as the body of a record, so storing anything else would only
// defer the failure to every later read.
func checkDoc(doc []byte) error {
	trimmed := bytes.TrimLeft(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(doc) {
		return errors.New("record is not a JSON object")
	}
	return nil
}
