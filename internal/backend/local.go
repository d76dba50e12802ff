package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/go-faster/jx"

	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// Local keeps each integrated account's records in the service's database,
// in place of the provider's API: one JSON document per record, per
// account and resource.
//
// Its "remote" record uses the unified field names (a provider backend
// would return the provider's own shape): the fields the integration
// accepted, the request's remote_data merged in as is, and the id and
// timestamps the store assigned. A custom method has no meaning the local
// backend could know; each call of one is kept as a record of its own
// (resource "model/resource/method") and answered with that record.
type Local struct {
	Store store.Store
}

// stored is the JSON kept per record: the unified fields and the
// remote_data passed through, apart, so that an update merges each. Only
// the top level is decoded: the members stay the bytes the client sent,
// so numbers keep their digits and a large record is not built into maps.
type stored struct {
	Fields     map[string]json.RawMessage `json:"fields"`
	RemoteData map[string]json.RawMessage `json:"remote_data,omitempty"`
}

// Do implements Backend.
func (l Local) Do(ctx context.Context, c *Call) (Result, error) {
	resource := c.Op.Model + "/" + c.Op.Resource
	switch c.Op.Kind {
	case matrix.List:
		limit := api.DefaultLimit // the server sets one for every list
		if c.Params.Limit != nil {
			limit = *c.Params.Limit
		}
		filters, ignored, err := listFilters(c)
		if err != nil {
			return Result{}, err
		}
		recs, next, err := l.Store.List(ctx, c.Account.ID, resource, c.Params.NextCursor, limit, filters...)
		if err != nil {
			return Result{}, err
		}
		res := Result{NextCursor: next, Items: make([]Record, 0, len(recs)), IgnoredQuery: ignored}
		for _, r := range recs {
			rec, err := record(r)
			if err != nil {
				return Result{}, err
			}
			res.Items = append(res.Items, rec)
		}
		return res, nil
	case matrix.Get:
		r, err := l.Store.Record(ctx, c.Account.ID, resource, c.ID)
		return single(r, err)
	}
	if c.Tx == nil {
		return Result{}, errors.New("local backend: a write without a transaction")
	}
	switch c.Op.Kind {
	case matrix.Create, matrix.Custom:
		if c.Op.Kind == matrix.Custom {
			resource += "/" + c.Op.Method
		}
		s, err := split(c)
		if err != nil {
			return Result{}, err
		}
		doc, err := s.encode(len(c.Body))
		if err != nil {
			return Result{}, err
		}
		r, err := c.Tx.CreateRecord(c.Account.ID, resource, doc, c.Now)
		if err != nil {
			return single(r, err)
		}
		// The record is presented from the document in hand: reading
		// back the one just encoded would give the same fields, in the
		// writer's time.
		return Result{Record: present(r, s)}, nil
	case matrix.Update:
		return single(c.Tx.UpdateRecord(c.Account.ID, resource, c.ID, c.Now, c.Precondition, func(old store.Record) ([]byte, error) {
			return merge(old.Doc, c)
		}))
	case matrix.Delete:
		return single(c.Tx.DeleteRecord(c.Account.ID, resource, c.ID, c.Precondition))
	}
	return Result{}, fmt.Errorf("local backend: no kind %v", c.Op.Kind)
}

// listFilters turns the list's query parameters the request sent into
// the store's filters: those that name a record field (Operation.Filters)
// keep the records whose field equals the value, or one of a list's
// values. The others but limit and next_cursor (a date to compare with,
// a parameter only a provider understands) are returned as ignored.
func listFilters(c *Call) ([]store.Filter, []string, error) {
	if c.Input == nil {
		return nil, nil, nil
	}
	var query map[string]json.RawMessage
	if err := json.Unmarshal(c.Input.AppendQuery(nil), &query); err != nil {
		return nil, nil, fmt.Errorf("local backend: the validated query: %w", err)
	}
	var filters []store.Filter
	var ignored []string
	for _, name := range slices.Sorted(maps.Keys(query)) {
		switch {
		case name == api.ParamLimit || name == api.ParamNextCursor:
		case slices.Contains(c.Op.Filters, name):
			raw := query[name]
			var values []json.RawMessage
			if len(raw) > 0 && raw[0] == '[' {
				if err := json.Unmarshal(raw, &values); err != nil {
					return nil, nil, fmt.Errorf("local backend: filter %s: %w", name, err)
				}
			} else {
				values = []json.RawMessage{raw}
			}
			filters = append(filters, store.Filter{Field: name, Values: values})
		default:
			ignored = append(ignored, name)
		}
	}
	return filters, ignored, nil
}

func single(r store.Record, err error) (Result, error) {
	if errors.Is(err, store.ErrNotFound) {
		return Result{}, ErrNotFound
	}
	if err != nil {
		return Result{}, err
	}
	rec, err := record(r)
	return Result{Record: rec}, err
}

// merge applies an update's body to a stored doc: PATCH semantics, a
// field absent from the body is kept.
func merge(old []byte, c *Call) ([]byte, error) {
	s, err := decodeStored(old)
	if err != nil {
		return nil, err
	}
	upd, err := split(c)
	if err != nil {
		return nil, err
	}
	s.Fields = orEmpty(s.Fields)
	maps.Copy(s.Fields, upd.Fields)
	if len(upd.RemoteData) > 0 {
		s.RemoteData = orEmpty(s.RemoteData)
		maps.Copy(s.RemoteData, upd.RemoteData)
	}
	return s.encode(len(old) + len(c.Body))
}

// split reads the call's body into fields and remote_data. The body never
// holds write-only fields; remote_data, being free-form, might: a member
// named like one is dropped too, since the local backend has no provider
// to pass it to and must not keep it.
//
// The body is the generated encoder's output for a validated request, so
// it is read with jx's tokenizer and its members stay slices of it:
// decoding it into maps with encoding/json, only to encode them again,
// validated the same bytes twice more.
func split(c *Call) (stored, error) {
	s := stored{Fields: map[string]json.RawMessage{}}
	if len(c.Body) == 0 {
		return s, nil
	}
	err := jx.DecodeBytes(c.Body).ObjBytes(func(d *jx.Decoder, key []byte) error {
		if string(key) != api.FieldRemoteData {
			raw, err := d.Raw()
			s.Fields[string(key)] = json.RawMessage(raw)
			return err
		}
		if d.Next() == jx.Null {
			return d.Null()
		}
		s.RemoteData = map[string]json.RawMessage{}
		return d.ObjBytes(func(d *jx.Decoder, key []byte) error {
			raw, err := d.Raw()
			if !slices.Contains(c.Op.WriteOnly, string(key)) {
				s.RemoteData[string(key)] = json.RawMessage(raw)
			}
			return err
		})
	})
	if err != nil {
		return stored{}, fmt.Errorf("local backend: body: %w", err)
	}
	return s, nil
}

// encode writes s as it is kept: {"fields":{...},"remote_data":{...}},
// members sorted by name and compacted, remote_data left out when empty
// (what encoding/json writes for the struct, without validating each
// member again).
func (s stored) encode(sizeHint int) ([]byte, error) {
	e := jx.Encoder{}
	e.SetBytes(make([]byte, 0, sizeHint+64))
	e.ObjStart()
	e.FieldStart("fields")
	var scratch []byte
	members := func(m map[string]json.RawMessage) error {
		e.ObjStart()
		for _, k := range slices.Sorted(maps.Keys(m)) {
			var err error
			if scratch, err = validation.AppendCompact(scratch[:0], m[k]); err != nil {
				return fmt.Errorf("member %q: %w", k, err)
			}
			e.FieldStart(k)
			e.Raw(scratch)
		}
		e.ObjEnd()
		return nil
	}
	if err := members(s.Fields); err != nil {
		return nil, err
	}
	if len(s.RemoteData) > 0 {
		e.FieldStart(api.FieldRemoteData)
		if err := members(s.RemoteData); err != nil {
			return nil, err
		}
	}
	e.ObjEnd()
	return e.Bytes(), nil
}

// record presents a stored record: the unified view is the stored fields
// with the id and timestamps; the remote one adds remote_data.
func record(r store.Record) (Record, error) {
	s, err := decodeStored(r.Doc)
	if err != nil {
		return Record{}, fmt.Errorf("stored record %s: %w", r.ID, err)
	}
	return present(r, s), nil
}

// present is record for a stored doc already decoded.
func present(r store.Record, s stored) Record {
	created, updated := r.CreatedAt.UTC().Format(time.RFC3339Nano), r.UpdatedAt.UTC().Format(time.RFC3339Nano)
	unified := make(map[string]any, len(s.Fields)+3)
	for k, v := range s.Fields {
		unified[k] = v
	}
	unified[api.FieldID], unified[api.FieldCreatedAt], unified[api.FieldUpdatedAt] = r.ID, created, updated
	remote := maps.Clone(unified)
	for k, v := range s.RemoteData {
		remote[k] = v
	}
	return Record{ID: r.ID, Version: r.Version, Remote: remote, Unified: unified}
}

// decodeStored reads a stored doc's top level; the members stay raw.
func decodeStored(data []byte) (stored, error) {
	var s stored
	err := json.Unmarshal(data, &s)
	return s, err
}

func orEmpty(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return map[string]json.RawMessage{}
	}
	return m
}
