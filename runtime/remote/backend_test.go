package remote

import (
	"context"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

// queryInput is a list request's Input as far as the backend reads it:
// its query parameters as validated.
type queryInput struct {
	api.Input
	query string
}

func (q queryInput) AppendQuery(dst []byte) []byte { return append(dst, q.query...) }

// The query parameters the mapping does not read never reach the
// provider: the backend names them, and all of them when the mapping has
// no query expression.
func TestBackendNamesTheQueryItDoesNotPassOn(t *testing.T) {
	p := newProvider(t, func(n int, w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"user": []}`)
	})
	withQuery := testMapping(matrix.List, "GET", "/users")
	withQuery.Body = nil
	withQuery.Query = func(in any) (any, error) {
		return map[string]any{"state": in.(map[string]any)["status"]}, nil
	}
	withQuery.QueryReads = []string{"status"}
	readsAll := *withQuery
	readsAll.QueryReads, readsAll.QueryReadsAll = nil, true
	without := *withQuery
	without.Query, without.QueryReads = nil, nil
	op := &api.Operation{Operation: matrix.Operation{OperationID: "op", Kind: matrix.List}}
	for _, tt := range []struct {
		name    string
		m       *Mapping
		ignored []string
	}{
		{"reads status", withQuery, []string{"limit", "updated_after"}},
		{"reads the whole query", &readsAll, nil},
		{"no query expression", &without, []string{"limit", "status", "updated_after"}},
	} {
		b := &Backend{Client: newClient(t, Options{}), Mappings: map[string]map[string]*Mapping{"op": {"acme": tt.m}},
			Account: func(ctx context.Context, a store.Account) (Account, error) { return account(p), nil }}
		c := &backend.Call{Op: op, Account: store.Account{ID: "a1", Integration: "acme"},
			Input: queryInput{query: `{"limit":5,"status":"active","updated_after":"2026-01-01T00:00:00Z"}`}}
		res, err := b.Do(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !slices.Equal(res.IgnoredQuery, tt.ignored) {
			t.Errorf("%s: ignored %v, want %v", tt.name, res.IgnoredQuery, tt.ignored)
		}
	}
	if r, _ := p.last(); r.URL.Query().Get("state") != "" {
		t.Errorf("without a query expression the provider got %q", r.URL.RawQuery)
	}
}
