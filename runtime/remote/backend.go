package remote

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

// ErrNotMapped is returned by Backend.Do for an operation the account's
// integration has no mapping for (the provider documents no endpoint for
// it): the service refuses it with 501 (spec/DECISIONS.md, "What is
// mapped, and what is not").
var ErrNotMapped = errors.New("remote: the integration has no mapping for this operation")

// Backend serves calls by calling the providers: an implementation of
// internal/backend.Backend for accounts connected to the real provider.
type Backend struct {
	Client *Client
	// Mappings are the generated package's Remotes: by operation id, then
	// integration id.
	Mappings map[string]map[string]*Mapping
	// Account returns the call's account with its credentials (and
	// base_url override), e.g. opened from the store with package
	// secrets.
	Account func(ctx context.Context, a store.Account) (Account, error)
}

// Mapping returns the mapping of an operation for an integration.
func (b *Backend) Mapping(operationID, integration string) (*Mapping, bool) {
	m, ok := b.Mappings[operationID][integration]
	return m, ok
}

// Do implements backend.Backend. Errors are *Error (answer them with
// Error.Body, Error.Status and Error.Header), ErrNotMapped, the Account
// func's error, or the context's error when the client went away.
//
// Records have no version at the provider: Version is 0. The body sent is
// the validated body with write-only fields (a password) included: they
// are meant for the provider.
func (b *Backend) Do(ctx context.Context, c *backend.Call) (backend.Result, error) {
	m, ok := b.Mapping(c.Op.OperationID, c.Account.Integration)
	if !ok {
		return backend.Result{}, ErrNotMapped
	}
	acct, err := b.Account(ctx, c.Account)
	if err != nil {
		return backend.Result{}, err
	}
	req := &Request{Mapping: m, Account: acct, ID: c.ID, RemoteQuery: c.Params.RemoteQuery}
	var ignored []string
	if c.Input != nil {
		q, err := decodeObject(c.Input.AppendQuery(nil))
		if err != nil {
			return backend.Result{}, fmt.Errorf("remote: the validated query: %w", err)
		}
		if m.Query != nil {
			req.Query = q
		}
		// What the mapping does not pass on, the provider never sees.
		for _, name := range slices.Sorted(maps.Keys(q)) {
			if m.Query == nil || !m.QueryReadsAll && !slices.Contains(m.QueryReads, name) {
				ignored = append(ignored, name)
			}
		}
	}
	if c.Op.HasBody {
		if c.Input == nil {
			return backend.Result{}, errors.New("remote: a call with a body but no input")
		}
		if raw := c.Input.AppendBody(nil, true); len(raw) > 0 {
			body, err := decodeObject(raw)
			if err != nil {
				return backend.Result{}, fmt.Errorf("remote: the validated body: %w", err)
			}
			req.Body = body
		}
	}
	res, err := b.Client.Call(ctx, req)
	if err != nil {
		return backend.Result{}, err
	}
	rec := func(it Item, raw []byte, rawType string) backend.Record {
		id, _ := it.Unified["id"].(string)
		return backend.Record{ID: id, Remote: it.Remote, Unified: it.Unified, Raw: raw, RawType: rawType}
	}
	out := backend.Result{NextCursor: res.NextCursor, IgnoredQuery: ignored}
	if c.Op.Kind == matrix.List {
		out.Items = make([]backend.Record, 0, len(res.Items))
		for _, it := range res.Items {
			// No raw body: it is the whole page, not one item.
			out.Items = append(out.Items, rec(it, nil, ""))
		}
		return out, nil
	}
	out.Record = rec(res.Record, res.Raw, res.RawType)
	return out, nil
}

// decodeObject decodes what the generated code wrote, a JSON object.
func decodeObject(raw []byte) (map[string]any, error) {
	v, err := decodeJSON(raw)
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, fmt.Errorf("not a JSON object (%v)", err)
	}
	return obj, nil
}
