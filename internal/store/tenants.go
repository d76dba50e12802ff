package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// PutTenant inserts t or, if its ID exists, updates its name.
func (s *base) PutTenant(ctx context.Context, t Tenant) error {
	return s.writeOnly(ctx, func(tx Tx) error { return tx.PutTenant(t) })
}

// AddToken registers token as a bearer token of the tenant. Only
// SHA-256(token) is stored. Adding a token the tenant already has is a no-op;
// adding one that belongs to another tenant is an error. The token never
// appears in an error.
func (s *base) AddToken(ctx context.Context, tenantID, token string) error {
	return s.writeOnly(ctx, func(tx Tx) error { return tx.AddToken(tenantID, token) })
}

// PutAccount inserts a or, if its ID exists, updates its name. a.ID must be a
// canonical lowercase UUID. Moving an existing account to another tenant or
// another integration is refused: its users were created for that tenant and
// in that integration's shape.
func (s *base) PutAccount(ctx context.Context, a Account) error {
	return s.writeOnly(ctx, func(tx Tx) error { return tx.PutAccount(a) })
}

// MarkNeedsReauth implements [Store.MarkNeedsReauth]. It changes an
// account, so every replica's lookup cache forgets it.
func (s *base) MarkNeedsReauth(ctx context.Context, accountID string) error {
	return s.writeOnly(ctx, func(tx Tx) error {
		t := tx.(*txn)
		if err := t.changeAuth(); err != nil {
			return err
		}
		_, err := t.q.exec(t.ctx, `UPDATE accounts SET needs_reauth = 1 WHERE id = ?`, accountID)
		return err
	})
}

// PutTenant is [Store.PutTenant] inside a transaction, so that a whole
// configuration can be applied atomically.
func (tx *txn) PutTenant(t Tenant) error {
	if err := tx.changeAuth(); err != nil {
		return err
	}
	if t.ID == "" {
		return errors.New("store: tenant with an empty id")
	}
	_, err := tx.q.exec(tx.ctx,
		`INSERT INTO tenants (id, name) VALUES (?, ?)
		 ON CONFLICT (id) DO UPDATE SET name = excluded.name`, t.ID, t.Name)
	if err != nil {
		return fmt.Errorf("store: put tenant %q: %w", t.ID, err)
	}
	return nil
}

// AddToken is [Store.AddToken] inside a transaction.
func (tx *txn) AddToken(tenantID, token string) error {
	if err := tx.changeAuth(); err != nil {
		return err
	}
	if token == "" {
		return errors.New("store: empty token")
	}
	hash := hashToken(token)
	var owner string
	err := tx.q.queryRow(tx.ctx, `SELECT tenant_id FROM tokens WHERE hash = ?`, hash).Scan(&owner)
	switch {
	case err == nil && owner == tenantID:
		return nil
	case err == nil:
		// Neither the token nor the other tenant is named: the message may
		// reach a log or a config error shown to whoever ran the tool.
		return fmt.Errorf("store: add token to tenant %q: the token already belongs to another tenant", tenantID)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: add token to tenant %q: %w", tenantID, err)
	}
	if err := tx.tenantExists(tenantID); err != nil {
		return fmt.Errorf("store: add token: %w", err)
	}
	if _, err := tx.q.exec(tx.ctx,
		`INSERT INTO tokens (hash, tenant_id) VALUES (?, ?)`, hash, tenantID); err != nil {
		return fmt.Errorf("store: add token to tenant %q: %w", tenantID, err)
	}
	return nil
}

// PutAccount is [Store.PutAccount] inside a transaction.
func (tx *txn) PutAccount(a Account) error {
	if err := tx.changeAuth(); err != nil {
		return err
	}
	if id, err := uuid.Parse(a.ID); err != nil || id.String() != a.ID {
		return fmt.Errorf("store: put account %q: id is not a canonical lowercase UUID", a.ID)
	}
	if a.Integration == "" {
		return fmt.Errorf("store: put account %q: empty integration", a.ID)
	}
	var tenant, integration string
	err := tx.q.queryRow(tx.ctx,
		`SELECT tenant_id, integration FROM accounts WHERE id = ?`, a.ID).Scan(&tenant, &integration)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.tenantExists(a.TenantID); err != nil {
			return fmt.Errorf("store: put account %q: %w", a.ID, err)
		}
		_, err = tx.q.exec(tx.ctx,
			`INSERT INTO accounts (id, tenant_id, integration, name, backend, base_url, credentials, needs_reauth) VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
			a.ID, a.TenantID, a.Integration, a.Name, backendOf(a), a.BaseURL, a.Credentials)
	case err != nil:
	case tenant != a.TenantID:
		return fmt.Errorf("store: put account %q: it belongs to another tenant", a.ID)
	case integration != a.Integration:
		return fmt.Errorf("store: put account %q: it is a %q account, not %q", a.ID, integration, a.Integration)
	default:
		// New settings or credentials clear a refusal: they are what
		// re-authentication means.
		_, err = tx.q.exec(tx.ctx, `UPDATE accounts SET name = ?, backend = ?, base_url = ?, credentials = ?, needs_reauth = 0 WHERE id = ?`,
			a.Name, backendOf(a), a.BaseURL, a.Credentials, a.ID)
	}
	if err != nil {
		return fmt.Errorf("store: put account %q: %w", a.ID, err)
	}
	return nil
}

// RevokeTenantTokens deletes every token of the tenant and returns how many
// there were. It returns an error wrapping ErrNotFound when the tenant does
// not exist.
func (s *base) RevokeTenantTokens(ctx context.Context, tenantID string) (revoked int, err error) {
	err = s.writeOnly(ctx, func(tx Tx) error {
		revoked, err = tx.RevokeTokensExcept(tenantID, nil)
		return err
	})
	return revoked, err
}

// RevokeToken deletes token, if tenantID is "" or owns it, and returns the
// tenant it belonged to. An unknown token, or one of another tenant, is an
// error wrapping ErrNotFound. The token never appears in an error.
func (s *base) RevokeToken(ctx context.Context, tenantID, token string) (owner string, err error) {
	err = s.writeOnly(ctx, func(tx Tx) error {
		owner, err = tx.RevokeToken(tenantID, token)
		return err
	})
	return owner, err
}

// RevokeToken is [Store.RevokeToken] inside a transaction.
func (tx *txn) RevokeToken(tenantID, token string) (owner string, err error) {
	if err := tx.changeAuth(); err != nil {
		return "", err
	}
	if token == "" {
		return "", errors.New("store: revoke token: empty token")
	}
	hash := hashToken(token)
	err = tx.q.queryRow(tx.ctx, `SELECT tenant_id FROM tokens WHERE hash = ?`, hash).Scan(&owner)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && tenantID != "" && owner != tenantID):
		if tenantID != "" {
			return "", fmt.Errorf("store: revoke token: not a token of tenant %q: %w", tenantID, ErrNotFound)
		}
		return "", fmt.Errorf("store: revoke token: no such token: %w", ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("store: revoke token: %w", err)
	}
	if _, err := tx.q.exec(tx.ctx, `DELETE FROM tokens WHERE hash = ?`, hash); err != nil {
		return "", fmt.Errorf("store: revoke token: %w", err)
	}
	return owner, nil
}

// RevokeTokensExcept deletes every token of the tenant but those in keep
// (which it does not add) and returns how many it deleted. It returns an
// error wrapping ErrNotFound when the tenant does not exist.
func (tx *txn) RevokeTokensExcept(tenantID string, keep []string) (revoked int, err error) {
	if err := tx.changeAuth(); err != nil {
		return 0, err
	}
	if err := tx.tenantExists(tenantID); err != nil {
		return 0, fmt.Errorf("store: revoke tokens: %w", err)
	}
	rows, err := tx.q.query(tx.ctx, `SELECT hash FROM tokens WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke tokens of tenant %q: %w", tenantID, err)
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: revoke tokens of tenant %q: %w", tenantID, err)
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: revoke tokens of tenant %q: %w", tenantID, err)
	}
	kept := make(map[string]bool, len(keep))
	for _, k := range keep {
		kept[hashToken(k)] = true
	}
	for _, h := range hashes {
		if kept[h] {
			continue
		}
		if _, err := tx.q.exec(tx.ctx, `DELETE FROM tokens WHERE hash = ?`, h); err != nil {
			return 0, fmt.Errorf("store: revoke tokens of tenant %q: %w", tenantID, err)
		}
		revoked++
	}
	return revoked, nil
}

// HasTenants reports whether the database has any tenant. The service
// decides from it whether a database is new (and gets the demo
// configuration), in the transaction that would load the demo, rather than
// from whether the file existed: a first start that failed after creating
// the file must not count.
func (tx *txn) HasTenants() (bool, error) {
	if err := tx.lockAuth(); err != nil {
		return false, err
	}
	return hasTenants(tx.ctx, tx.q)
}

// HasTenants reports whether the database has any tenant, with a read:
// what an ordinary start asks before it considers loading the demo (whose
// transaction asks again, to decide).
func (s *base) HasTenants(ctx context.Context) (bool, error) { return hasTenants(ctx, s.read) }

func hasTenants(ctx context.Context, q querier) (bool, error) {
	var found bool
	if err := q.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tenants)`).Scan(&found); err != nil {
		return false, fmt.Errorf("store: any tenants: %w", err)
	}
	return found, nil
}

// tenantExists returns an error wrapping ErrNotFound when the tenant is
// missing, so callers get a clear message rather than a bare foreign key
// failure.
func (tx *txn) tenantExists(id string) error {
	var one int
	err := tx.q.queryRow(tx.ctx, `SELECT 1 FROM tenants WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("tenant %q: %w", id, ErrNotFound)
	}
	return err
}

// CachedTenant returns the cached answer of TenantByToken(token), if any.
func (s *base) CachedTenant(token string) (Tenant, bool) {
	t, ok, _, _ := get(s.lookups, s.lookups.tenants, sha256.Sum256([]byte(token)))
	return t, ok
}

// CachedAccount returns the cached answer of Account(tenantID, id), if
// any.
func (s *base) CachedAccount(tenantID, id string) (Account, bool) {
	canonical, ok := canonicalUUID(id)
	if !ok {
		return Account{}, false
	}
	a, ok, _, _ := get(s.lookups, s.lookups.accounts, [2]string{tenantID, canonical})
	return a, ok
}

// TenantByToken returns the tenant owning token, or ErrNotFound. The token
// itself is neither logged nor part of any error.
func (s *base) TenantByToken(ctx context.Context, token string) (Tenant, error) {
	if token == "" {
		return Tenant{}, ErrNotFound
	}
	sum := sha256.Sum256([]byte(token))
	t, ok, gen, began := get(s.lookups, s.lookups.tenants, sum)
	if ok {
		return t, nil
	}
	t, err := s.tenantByHash(ctx, sum)
	if err != nil {
		return t, err
	}
	put(s.lookups, s.lookups.tenants, sum, t, gen, began)
	return t, nil
}

// tenantByHash is TenantByToken's database read. (Apart, so that what
// its scan needs on the heap is allocated only when the cache misses.)
func (s *base) tenantByHash(ctx context.Context, sum [32]byte) (Tenant, error) {
	want := hashHex(sum)
	var t Tenant
	var stored string
	err := s.read.queryRow(ctx,
		`SELECT k.hash, t.id, t.name FROM tokens k JOIN tenants t ON t.id = k.tenant_id
		  WHERE k.hash = ?`, want).Scan(&stored, &t.ID, &t.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return Tenant{}, ErrNotFound
	}
	if err != nil {
		return Tenant{}, fmt.Errorf("store: token lookup: %w", err)
	}
	// The index lookup compares hashes, not tokens, so its timing reveals
	// nothing useful about the token. The constant-time comparison is belt
	// and braces: authentication must never rest on a variable-time or
	// collation-dependent equality, whatever the query planner did.
	if subtle.ConstantTimeCompare([]byte(stored), []byte(want)) != 1 {
		return Tenant{}, ErrNotFound
	}
	return t, nil
}

// Account returns the tenant's account with the given id. An account that
// does not exist and one owned by another tenant both yield ErrNotFound, with
// the same message, so a tenant cannot probe for other tenants' ids.
func (s *base) Account(ctx context.Context, tenantID, id string) (Account, error) {
	canonical, ok := canonicalUUID(id)
	if !ok {
		return Account{}, fmt.Errorf("store: account %q: %w", id, ErrNotFound)
	}
	key := [2]string{tenantID, canonical}
	a, ok, gen, began := get(s.lookups, s.lookups.accounts, key)
	if ok {
		return a, nil
	}
	a, err := s.accountByID(ctx, tenantID, canonical, id)
	if err != nil {
		return a, err
	}
	put(s.lookups, s.lookups.accounts, key, a, gen, began)
	return a, nil
}

// accountByID is Account's database read of the account canonical (id
// as the request gave it, for errors).
func (s *base) accountByID(ctx context.Context, tenantID, canonical, id string) (Account, error) {
	a := Account{ID: canonical}
	var reauth int64
	err := s.read.queryRow(ctx,
		`SELECT tenant_id, integration, name, backend, base_url, credentials, needs_reauth FROM accounts WHERE id = ? AND tenant_id = ?`,
		a.ID, tenantID).Scan(&a.TenantID, &a.Integration, &a.Name, &a.Backend, &a.BaseURL, &a.Credentials, &reauth)
	a.NeedsReauth = reauth != 0
	if a.Backend == "local" {
		a.Backend = "" // the zero value is local
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("store: account %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account %q: %w", id, err)
	}
	return a, nil
}

// canonicalUUID returns id as accounts are stored (lower-case hex,
// hyphenated), if it is a UUID in any form uuid.Parse accepts. The form
// nearly every request sends is returned as it is, without parsing.
func canonicalUUID(id string) (string, bool) {
	if len(id) == 36 {
		canonical := true
		for i := 0; i < 36 && canonical; i++ {
			switch c := id[i]; i {
			case 8, 13, 18, 23:
				canonical = c == '-'
			default:
				canonical = '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
			}
		}
		if canonical {
			return id, true
		}
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// hashToken is the stored form of a token: hex(SHA-256). A fast hash is
// enough because tokens are meant to be long random strings, not passwords:
// a slow hash would only add latency to every authenticated request.
func hashToken(token string) string { return hashHex(sha256.Sum256([]byte(token))) }

// hashHex is a token's SHA-256 as stored.
func hashHex(sum [32]byte) string { return hex.EncodeToString(sum[:]) }

// changeAuth marks the transaction as one that changes tenants, tokens or
// accounts (lookup caches are cleared when it commits) and takes the
// lock of such changes.
func (tx *txn) changeAuth() error {
	tx.auth = true
	return tx.lockAuth()
}

// lockAuth serialises, on PostgreSQL, the transactions that change or
// decide on tenants, tokens and accounts (apply, revoke, the demo's
// first load), across replicas: two replicas starting at once with the
// same configuration, or on a new database (config.ApplyIfNew), must not
// both find a token missing and both insert it. The lock is a
// transaction advisory lock, so it is released at commit or rollback.
// Such changes are rare; nothing else takes it. SQLite's write lock
// serialises them already.
func (tx *txn) lockAuth() error {
	if !tx.pg || tx.authLocked {
		return nil
	}
	if _, err := tx.q.exec(tx.ctx, `SELECT pg_advisory_xact_lock(?, 1)`, advisoryMigrate); err != nil {
		return fmt.Errorf("store: lock: %w", err)
	}
	tx.authLocked = true
	return nil
}

func backendOf(a Account) string {
	if a.Backend == "" {
		return "local"
	}
	return a.Backend
}
