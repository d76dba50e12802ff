package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// CreateUser implements unified.ServerInterface.
func (s *Server) CreateUser(w http.ResponseWriter, r *http.Request, params unified.CreateUserParams) {
	out, ok := outputOptions(w, r, params.TrutoResponseFormat, params.TrutoIgnoreRemoteData, params.TrutoExcludeFields)
	if !ok {
		return
	}
	write(s, w, r, operation[unified.CreateUserParams, unified.CreateUserRequest]{
		support:  &unified.CreateUserSupport,
		decode:   unified.DecodeCreateUserRequest,
		validate: unified.ValidateCreateUser,
		backend: func(c backend.Call) (backend.Result, error) {
			return s.backend.CreateUser(r.Context(), c)
		},
	}, &params, params.IntegratedAccountId, params.RemoteQuery, out, "")
}

// UpdateUser implements unified.ServerInterface.
func (s *Server) UpdateUser(w http.ResponseWriter, r *http.Request, id unified.UserId, params unified.UpdateUserParams) {
	out, ok := outputOptions(w, r, params.TrutoResponseFormat, params.TrutoIgnoreRemoteData, params.TrutoExcludeFields)
	if !ok {
		return
	}
	write(s, w, r, operation[unified.UpdateUserParams, unified.UpdateUserRequest]{
		support:  &unified.UpdateUserSupport,
		decode:   unified.DecodeUpdateUserRequest,
		validate: unified.ValidateUpdateUser,
		backend: func(c backend.Call) (backend.Result, error) {
			return s.backend.UpdateUser(r.Context(), c, id)
		},
	}, &params, params.IntegratedAccountId, params.RemoteQuery, out, id)
}

// operation is what differs between the write operations: the generated
// matrix, decoder and validator for their Params P and body B, and the
// backend method.
type operation[P, B any] struct {
	support  *matrix.Operation
	decode   func([]byte, *B, *validation.Report)
	validate func(string, *P, *B, *validation.Report) bool
	backend  func(backend.Call) (backend.Result, error)
}

// write runs a write operation: account, body, schema and integration
// checks, then the backend call and the response. userID is the path id
// of an update, "" for a create.
func write[P, B any](s *Server, w http.ResponseWriter, r *http.Request, op operation[P, B], params *P, accountID openapi_types.UUID, remoteQuery map[string]any, out output, userID string) {
	acct, ok := s.account(w, r, accountID, op.support)
	if !ok {
		return
	}
	raw, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var body B
	var rep validation.Report
	op.decode(raw, &body, &rep)
	if decodable(&rep) {
		op.validate(acct.Integration, params, &body, &rep)
	}
	if !accept(w, r, &rep, acct) {
		return
	}
	call, err := newCall(acct, raw, rep.Ignored, remoteQuery)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.commit(w, r, op.support, acct, out, &rep, raw, userID, call, op.backend)
}

// account resolves the integrated account of the request's tenant and
// checks its integration implements op. Another tenant's account is
// reported exactly like a missing one.
func (s *Server) account(w http.ResponseWriter, r *http.Request, id openapi_types.UUID, op *matrix.Operation) (store.Account, bool) {
	acct, err := s.store.Account(r.Context(), tenant(r.Context()).ID, id.String())
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, r, http.StatusNotFound, "integrated account "+id.String()+" not found")
		return acct, false
	case err != nil:
		s.fail(w, r, err)
		return acct, false
	}
	annotate(r.Context(), slog.String("account", acct.ID), slog.String("integration", acct.Integration))
	if op != nil && !op.Implements(acct.Integration) {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{
			StatusCode:  http.StatusUnprocessableEntity,
			Error:       http.StatusText(http.StatusUnprocessableEntity),
			Message:     integrationName(acct.Integration) + " does not implement " + op.Method + " (" + op.HTTPMethod + " " + op.Path + "); the integrations that do are " + names(op.Integrations),
			Integration: acct.Integration,
			RequestID:   requestID(r.Context()),
		})
		return acct, false
	}
	return acct, true
}

func integrationName(id string) string {
	if in, ok := unified.LookupIntegration(id); ok {
		return in.Name
	}
	return id
}

func names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = integrationName(id)
	}
	return strings.Join(out, ", ")
}

// readBody checks the media type and reads at most Options.MaxBody bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		writeError(w, r, http.StatusUnsupportedMediaType, "send the body as JSON with Content-Type: application/json")
		return nil, false
	}
	tooLarge := "the body is larger than " + strconv.FormatInt(s.opt.MaxBody, 10) + " bytes"
	if r.ContentLength > s.opt.MaxBody {
		writeError(w, r, http.StatusRequestEntityTooLarge, tooLarge)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opt.MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, r, http.StatusRequestEntityTooLarge, tooLarge)
		return nil, false
	case err != nil:
		writeError(w, r, http.StatusBadRequest, "the body could not be read: "+err.Error())
		return nil, false
	}
	return body, true
}

// decodable reports whether the body was a JSON object at all:
// per-integration rules are not worth checking on a body that could not be
// read, or that is null, an array or a scalar (a failure of the whole body,
// whose field is "").
func decodable(rep *validation.Report) bool {
	for _, f := range rep.Failures {
		if f.Rule == validation.RuleSyntax || f.Rule == validation.RuleTooDeep || f.Field == "" {
			return false
		}
	}
	return true
}

// accept applies strict handling, drops integration failures that only
// repeat a schema failure of the same field, and answers 400 when anything
// is left.
func accept(w http.ResponseWriter, r *http.Request, rep *validation.Report, acct store.Account) bool {
	if strict(r) {
		for _, ig := range rep.Ignored {
			rep.Add(validation.Failure{
				Location: ig.Location, Field: ig.Field, Rule: validation.RuleUnsupported, Integration: acct.Integration,
				Message: "is not supported by " + integrationName(acct.Integration) + " (strict handling)",
			})
		}
	}
	if rep.OK() {
		return true
	}
	schemaFailed := map[string]bool{}
	for _, f := range rep.Failures {
		if f.Integration == "" {
			schemaFailed[topField(f.Field)] = true
		}
	}
	kept := rep.Failures[:0]
	for _, f := range rep.Failures {
		if f.Integration == "" || f.Location != validation.Body || !schemaFailed[topField(f.Field)] {
			kept = append(kept, f)
		}
	}
	rep.Failures = kept
	writeFailures(w, r, rep, acct.Integration)
	return false
}

func topField(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// strict reports whether the client asked for unsupported fields to be
// rejected rather than dropped (RFC 7240 Prefer: handling=strict).
func strict(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(p), " ", ""), "handling=strict") {
				return true
			}
		}
	}
	return false
}

// newCall turns an accepted body into a backend call: the members the
// client sent, as sent, less those the integration does not support. The
// fields come from the raw body rather than the typed model because the
// backend stores JSON, and re-encoding the model would lose what only the
// bytes say (a PATCH with "emails": [] clears the emails). The body was
// already checked, duplicate members included, so this second read cannot
// disagree with the first.
func newCall(acct store.Account, raw []byte, ignored []validation.Ignored, remoteQuery map[string]any) (backend.Call, error) {
	var fields map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers reach the backend exactly as sent
	if err := dec.Decode(&fields); err != nil {
		return backend.Call{}, err
	}
	for _, ig := range ignored {
		if ig.Location == validation.Body {
			delete(fields, ig.Field)
		}
	}
	remoteData, _ := fields["remote_data"].(map[string]any)
	delete(fields, "remote_data")
	return backend.Call{Account: acct, Fields: fields, RemoteData: remoteData, RemoteQuery: remoteQuery}, nil
}

// commit runs the backend call in a store transaction, together with the
// Idempotency-Key when there is one, and writes the response.
func (s *Server) commit(w http.ResponseWriter, r *http.Request, op *matrix.Operation, acct store.Account, out output, rep *validation.Report, raw []byte, userID string, call backend.Call, do func(backend.Call) (backend.Result, error)) {
	var key *store.IdemKey
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if len(k) > 255 {
			writeFailures(w, r, &validation.Report{Failures: []validation.Failure{{
				Location: validation.Header, Field: "Idempotency-Key", Rule: validation.RuleFormat, Message: "must be at most 255 characters",
			}}}, "")
			return
		}
		// The same key must come with the same request: operation, account,
		// user, query (canonical form) and body.
		h := sha256.New()
		for _, part := range []string{op.OperationID, acct.ID, userID, r.URL.RawQuery} {
			io.WriteString(h, part)
			h.Write([]byte{0})
		}
		h.Write(raw)
		key = &store.IdemKey{TenantID: tenant(r.Context()).ID, Key: k, RequestHash: hex.EncodeToString(h.Sum(nil))}
	}
	saved, replayed, err := s.store.Write(r.Context(), key, func(tx *store.Tx) (store.Saved, error) {
		call.Tx, call.Now = tx, s.opt.Now().UTC()
		res, err := do(call)
		if err != nil {
			return store.Saved{}, err
		}
		body, ctype, err := render(op, acct.Integration, res, out)
		return store.Saved{Status: op.SuccessStatus, ContentType: ctype, Body: body}, err
	})
	switch {
	case errors.Is(err, store.ErrKeyReused):
		writeError(w, r, http.StatusConflict, "Idempotency-Key "+strconv.Quote(key.Key)+" was already used with a different request")
		return
	case errors.Is(err, backend.ErrNotFound):
		writeError(w, r, http.StatusNotFound, "user "+strconv.Quote(userID)+" not found in integrated account "+acct.ID)
		return
	case err != nil && r.Context().Err() != nil:
		// The client went away before the write began or finished; the
		// transaction was rolled back and nobody is left to answer.
		// 499 is nginx's "client closed request", for the access log.
		annotate(r.Context(), slog.String("outcome", "client closed request"))
		w.WriteHeader(499)
		return
	case err != nil:
		s.log.Error("backend", "request_id", requestID(r.Context()), "integration", acct.Integration, "err", err)
		writeError(w, r, http.StatusBadGateway, integrationName(acct.Integration)+" could not store the user; retry later")
		return
	}
	h := w.Header()
	var body, query []string
	for _, ig := range rep.Ignored {
		if ig.Location == validation.Query {
			query = append(query, ig.Field)
		} else {
			body = append(body, ig.Field)
		}
	}
	if len(body) > 0 {
		h.Set("X-Ignored-Fields", strings.Join(body, ", "))
	}
	if len(query) > 0 {
		h.Set("X-Ignored-Query-Parameters", strings.Join(query, ", "))
	}
	if replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	h.Set("Content-Type", saved.ContentType)
	writeBody(w, saved, out.format == formatStream)
}

// fail answers a storage failure.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("internal", "request_id", requestID(r.Context()), "err", err)
	writeError(w, r, http.StatusServiceUnavailable, "the service's storage failed; retry later")
}
