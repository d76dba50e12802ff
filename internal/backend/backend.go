// Package backend is what stands behind an integrated account: the thing
// that really creates, reads, updates and deletes records. The service's
// pipeline validates and shapes requests and responses; a Backend only
// stores or forwards them.
//
// Local (this package) keeps records in the service's own database and is
// the default behind every integration. A backend that calls a provider's
// API implements the same interface.
package backend

import (
	"context"
	"errors"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/api"
)

// ErrNotFound is returned when the record a call names does not exist.
var ErrNotFound = errors.New("record not found")

// Call is one request for a backend, already validated against the
// account's integration.
type Call struct {
	Op      *api.Operation
	Account store.Account
	// ID is the record's id, for get, update and delete.
	ID string
	// Input is the request in the operation's generated types; Params are
	// its shared parameters.
	Input  api.Input
	Params api.Params
	// Body is the validated body as a JSON object: the fields the
	// integration uses, remote_data included, write-only fields left out.
	// Only for accounts kept in the service's database: a provider's
	// backend encodes Input itself, write-only fields included.
	Body []byte
	// Precondition, when set, is the request's If-Match: a write goes
	// ahead only if it accepts the record's current version.
	Precondition store.Precondition
	// Tx is the write transaction the pipeline opened for a write, in
	// which its Idempotency-Key is stored too; nil for reads. Backends
	// that keep data in the service's database write in it.
	Tx  store.Tx
	Now time.Time
}

// Record is a record after a call.
type Record struct {
	ID      string
	Version int64
	// Remote is the record as the provider holds it: what the raw
	// response format and remote_data show.
	Remote map[string]any
	// Unified holds every unified field the backend can derive from the
	// record. The pipeline keeps only those the integration's response
	// matrix lists.
	Unified map[string]any
	// Raw and RawType, when Raw is not nil, are the provider's answer
	// byte for byte and its content type, for the raw response format
	// (a remote backend sets them; the local one has no provider).
	Raw     []byte
	RawType string
}

// Result is what a call returns: one record, or a page of a list.
type Result struct {
	Record Record
	// Items and NextCursor are a list's page; NextCursor is "" on the
	// last page.
	Items      []Record
	NextCursor string
	// IgnoredQuery names the query parameters the request sent that the
	// backend did not use (a list's filter it cannot apply), for
	// X-Ignored-Query-Parameters.
	IgnoredQuery []string
}

// Backend serves calls for integrated accounts.
type Backend interface {
	// Do runs c: a list, get, create, update, delete or custom method,
	// as c.Op.Kind says. It returns ErrNotFound for an unknown record,
	// store.ErrPrecondition when c.Precondition rejects the record, and
	// store.ErrBadCursor for a list cursor it did not issue.
	Do(ctx context.Context, c *Call) (Result, error)
}
