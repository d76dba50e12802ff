package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
)

// Local keeps each integrated account's users in the service's SQLite
// database, in place of the provider's API.
//
// Its "remote" record uses the unified field names (a provider backend
// would return the provider's own shape): the fields the integration
// accepted, the request's remote_data merged in as is, and the id and
// timestamps the store assigned.
type Local struct{}

// stored is the JSON kept per user: the unified fields and the
// remote_data passed through, apart, so an update can merge each.
type stored struct {
	Fields     map[string]any `json:"fields"`
	RemoteData map[string]any `json:"remote_data,omitempty"`
}

// CreateUser implements Backend.
func (Local) CreateUser(_ context.Context, c Call) (Result, error) {
	if c.Tx == nil {
		return Result{}, errors.New("local backend: no transaction")
	}
	rec, err := json.Marshal(stored{Fields: orEmpty(c.Fields), RemoteData: c.RemoteData})
	if err != nil {
		return Result{}, err
	}
	u, err := c.Tx.CreateUser(c.Account.ID, rec, c.Now)
	if err != nil {
		return Result{}, err
	}
	return result(u)
}

// UpdateUser implements Backend.
func (Local) UpdateUser(_ context.Context, c Call, id string) (Result, error) {
	if c.Tx == nil {
		return Result{}, errors.New("local backend: no transaction")
	}
	u, err := c.Tx.UpdateUser(c.Account.ID, id, c.Now, func(old store.User) ([]byte, error) {
		s, err := decodeStored(old.Record)
		if err != nil {
			return nil, fmt.Errorf("stored user %s: %w", id, err)
		}
		s.Fields = orEmpty(s.Fields)
		maps.Copy(s.Fields, c.Fields)
		if len(c.RemoteData) > 0 {
			if s.RemoteData == nil {
				s.RemoteData = map[string]any{}
			}
			maps.Copy(s.RemoteData, c.RemoteData)
		}
		return json.Marshal(s)
	})
	if errors.Is(err, store.ErrNotFound) {
		return Result{}, ErrNotFound
	}
	if err != nil {
		return Result{}, err
	}
	return result(u)
}

func result(u store.User) (Result, error) {
	s, err := decodeStored(u.Record)
	if err != nil {
		return Result{}, fmt.Errorf("stored user %s: %w", u.ID, err)
	}
	created, updated := u.CreatedAt.UTC().Format(time.RFC3339Nano), u.UpdatedAt.UTC().Format(time.RFC3339Nano)

	remote := maps.Clone(orEmpty(s.Fields))
	maps.Copy(remote, s.RemoteData)
	remote["id"], remote["created_at"], remote["updated_at"] = u.ID, created, updated

	unified := maps.Clone(orEmpty(s.Fields))
	unified["id"], unified["created_at"], unified["updated_at"] = u.ID, created, updated
	// The unified model reports activity as a boolean; the request side
	// sets it through status (active by default).
	unified["is_active"] = s.Fields["status"] != "inactive"
	delete(unified, "status")
	return Result{ID: u.ID, Version: u.Version, Remote: remote, Unified: unified}, nil
}

// decodeStored reads a stored record, keeping numbers exactly as they were
// sent (json.Number): remote data is passed through, not computed with.
func decodeStored(data []byte) (stored, error) {
	var s stored
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := dec.Decode(&s)
	return s, err
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
