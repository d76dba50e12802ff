package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// User is one user of an integrated account, stored as the integration would
// return it.
type User struct {
	AccountID, ID string
	// Record is the stored JSON object, as the integration would return it.
	Record []byte
	// Version is 1 on create and grows by one per update; the HTTP layer
	// derives the ETag from it.
	Version int64
	// CreatedAt and UpdatedAt are UTC, kept to the microsecond.
	CreatedAt, UpdatedAt time.Time
}

// CreateUser stores record as a new user of the account, under a new random
// UUID, with Version 1 and both timestamps set to now. It returns ErrNotFound
// (wrapped) if the account does not exist. record must be a JSON object.
func (tx *Tx) CreateUser(accountID string, record []byte, now time.Time) (User, error) {
	if err := checkRecord(record); err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	var one int
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT 1 FROM accounts WHERE id = ?`, accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: create user: account %q: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	// Truncate to what is stored so the returned User equals a later read.
	now = now.UTC().Truncate(time.Microsecond)
	u := User{
		AccountID: accountID,
		ID:        id.String(),
		Record:    bytes.Clone(record),
		Version:   1,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if _, err := tx.tx.ExecContext(tx.ctx,
		`INSERT INTO users (account_id, id, record, version, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?)`,
		u.AccountID, u.ID, u.Record, u.Version, micros(now), micros(now)); err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// UpdateUser replaces the record of the account's user id with what merge
// returns given the current user, increments Version and sets UpdatedAt to
// now. It returns ErrNotFound (wrapped) if the account has no such user; an
// error from merge is returned as is. Since the transaction holds the write
// lock, nobody can change the user between merge's read and the write.
func (tx *Tx) UpdateUser(accountID, id string, now time.Time, merge func(old User) ([]byte, error)) (User, error) {
	u, err := scanUser(tx.tx.QueryRowContext(tx.ctx, selectUser, accountID, canonicalID(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: update user %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: update user %q: %w", id, err)
	}
	record, err := merge(u)
	if err != nil {
		return User{}, err
	}
	if err := checkRecord(record); err != nil {
		return User{}, fmt.Errorf("store: update user %q: %w", id, err)
	}
	u.Record = bytes.Clone(record)
	u.Version++
	u.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	if _, err := tx.tx.ExecContext(tx.ctx,
		`UPDATE users SET record = ?, version = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		u.Record, u.Version, micros(u.UpdatedAt), u.AccountID, u.ID); err != nil {
		return User{}, fmt.Errorf("store: update user %q: %w", id, err)
	}
	return u, nil
}

// User returns the account's user id, or ErrNotFound (wrapped).
func (s *Store) User(ctx context.Context, accountID, id string) (User, error) {
	u, err := scanUser(s.reader.QueryRowContext(ctx, selectUser, accountID, canonicalID(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %q: %w", id, err)
	}
	return u, nil
}

// CountUsers returns the number of users of the account.
func (s *Store) CountUsers(ctx context.Context, accountID string) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx,
		`SELECT count(*) FROM users WHERE account_id = ?`, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

const selectUser = `SELECT account_id, id, record, version, created_at, updated_at
	FROM users WHERE account_id = ? AND id = ?`

// scanUser reads one row of selectUser.
func scanUser(row *sql.Row) (User, error) {
	var (
		u                User
		created, updated int64
	)
	if err := row.Scan(&u.AccountID, &u.ID, &u.Record, &u.Version, &created, &updated); err != nil {
		return User{}, err
	}
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return u, nil
}

// canonicalID turns any UUID spelling into the stored lowercase form, so a
// client sending an uppercase id still finds its user. A string that is not
// a UUID is returned unchanged and simply matches nothing.
func canonicalID(id string) string {
	if u, err := uuid.Parse(id); err == nil {
		return u.String()
	}
	return id
}

// checkRecord rejects anything but a JSON object: the record is returned to
// clients as the body of a user, so storing anything else would only defer
// the failure to every later read.
func checkRecord(record []byte) error {
	trimmed := bytes.TrimLeft(record, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(record) {
		return errors.New("record is not a JSON object")
	}
	return nil
}
