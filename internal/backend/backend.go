// Package backend is what stands behind an integrated account: the thing that
// really creates and updates users. The service's pipeline validates and
// shapes requests and responses; a Backend only stores or forwards them.
//
// Local (this package) keeps users in the service's own database and is the
// default behind every integration. A backend that calls a provider's API
// implements the same interface.
package backend

import (
	"context"
	"errors"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
)

// ErrNotFound is returned when the user to update does not exist.
var ErrNotFound = errors.New("user not found")

// Call is one request for a backend, already validated against the
// account's integration.
type Call struct {
	Account store.Account
	// Fields are the unified request fields the integration uses, as JSON
	// values keyed by field name. Fields the integration does not support
	// were removed before the call; remote_data is not among them.
	Fields map[string]any
	// RemoteData is the request's remote_data: passed to the provider as
	// is, merged into the record.
	RemoteData map[string]any
	// RemoteQuery is the request's remote_query, handed over unchanged.
	RemoteQuery map[string]any
	// Tx is the transaction the pipeline opened for this request, in which
	// the Idempotency-Key is stored too. Backends that keep data in the
	// service's database write in it; remote backends ignore it.
	Tx  *store.Tx
	Now time.Time
}

// Result is the user after the call.
type Result struct {
	ID      string
	Version int64
	// Remote is the record as the provider returns it: what the raw
	// response format and remote_data show.
	Remote map[string]any
	// Unified holds every unified field the backend can derive from the
	// record. The pipeline keeps only those the integration's response
	// matrix lists.
	Unified map[string]any
}

// Backend creates and updates users for integrated accounts.
type Backend interface {
	CreateUser(ctx context.Context, c Call) (Result, error)
	// UpdateUser merges c.Fields into user id (PATCH semantics: absent
	// fields are kept). It returns ErrNotFound for an unknown id.
	UpdateUser(ctx context.Context, c Call, id string) (Result, error)
}
