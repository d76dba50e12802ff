package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/secrets"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// Remote is what a generated package with provider definitions gives the
// service (its RemoteIntegrations and Remotes), so that accounts with
// `backend: remote` call the provider.
type Remote struct {
	Integrations map[string]*remote.Integration
	Mappings     map[string]map[string]*remote.Mapping
}

// accounts routes each call to the backend its account names.
type accounts struct {
	local  backend.Backend
	remote backend.Backend // nil: no account may be remote
}

func (b accounts) Do(ctx context.Context, c *backend.Call) (backend.Result, error) {
	if !c.Account.Remote() {
		return b.local.Do(ctx, c)
	}
	if b.remote == nil {
		return backend.Result{}, errors.New("an account is remote, but the service has no provider definitions")
	}
	return b.remote.Do(ctx, c)
}

// newRemoteBackend is the backend of remote accounts: the shared client,
// the generated mappings, and the account's credentials opened with kr.
func newRemoteBackend(r *Remote, kr *secrets.Keyring) *remote.Backend {
	return &remote.Backend{
		Client:   remote.NewClient(remote.Options{}),
		Mappings: r.Mappings,
		Account: func(_ context.Context, a store.Account) (remote.Account, error) {
			ra := remote.Account{ID: a.ID, Integration: a.Integration, BaseURL: a.BaseURL}
			if a.Credentials == "" {
				return ra, nil
			}
			// The service's configuration, not the request nor the
			// provider: 503 naming the account, for the operator to mend.
			unusable := func(why string) error {
				return &remote.Error{Status: http.StatusServiceUnavailable, Integration: a.Integration,
					Message: "integrated account " + a.ID + "'s credentials " + why}
			}
			if kr == nil {
				return ra, unusable("are sealed, and the service was given no key to open them (UNIFIED_SECRET_KEY or -secret-key-file)")
			}
			creds, err := kr.OpenMap(a.ID, a.Credentials)
			if err != nil {
				return ra, unusable("cannot be opened with the keys the service was given")
			}
			ra.Credentials = creds
			return ra, nil
		},
	}
}

// keyLocks serialise, within this process, the requests with one
// Idempotency-Key to a remote account: the second waits for the first
// and replays its answer instead of calling the provider again.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	n int
}

func (l *keyLocks) lock(key string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	k := l.m[key]
	if k == nil {
		k = &keyLock{}
		l.m[key] = k
	}
	k.n++
	l.mu.Unlock()
	k.Lock()
	return func() {
		k.Unlock()
		l.mu.Lock()
		if k.n--; k.n == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
}

// writeRemote runs a write of a remote account. The provider's call never
// runs inside a store transaction (it may take seconds; SQLite has one
// writer): the Idempotency-Key is looked up first, the provider called,
// and the answer kept under the key afterwards. Guarantees
// (spec/DECISIONS.md): a replayed key never calls the provider again;
// within one process, requests with one key call it once; a create whose
// outcome is unknown (the provider never answered) keeps the key answered
// with 409, so a retry cannot create twice.
func (s *Server) writeRemote(x *exchange, key *store.IdemKey) {
	w, r, op, acct, out, call := x.w, x.r, x.op, x.acct, x.out, x.call
	if call.Precondition != nil {
		// The provider keeps no version the service could compare.
		writeFailure(s, w, r, validation.Failure{
			Location: validation.Header, Field: "If-Match", Rule: validation.RuleUnsupported, Integration: acct.Integration,
			Message: "is not supported for an account served by " + s.svc.IntegrationName(acct.Integration) + "'s API: the provider keeps no version the service can check",
		}, acct.Integration)
		return
	}
	if key != nil {
		defer s.remoteKeys.lock(key.TenantID + "\x00" + key.Key)()
		saved, replayed, err := s.store.LookupKey(r.Context(), key)
		switch {
		case err != nil:
			s.callFailed(x, err)
			return
		case replayed:
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", saved.ContentType)
			writeBody(w, saved.Status, saved.Body, out.format == formatStream)
			return
		}
	}
	call.Now = s.opt.Now().UTC()
	res, err := s.backend.Do(r.Context(), call)
	if err != nil {
		if key != nil && outcomeUnknown(op.Kind, err) {
			body, _ := marshal(apiError{StatusCode: http.StatusConflict, Error: http.StatusText(http.StatusConflict), Integration: acct.Integration,
				Message: "the first request with this Idempotency-Key got no answer from " + s.svc.IntegrationName(acct.Integration) + ", which may have carried it out; look the record up before sending it again with a new key"})
			if _, _, kerr := s.store.Write(r.Context(), key, func(store.Tx) (store.Saved, error) {
				return store.Saved{Status: http.StatusConflict, ContentType: "application/json", Body: body}, nil
			}); kerr != nil {
				s.log.Error("idempotency", "request_id", requestID(w), "err", kerr)
			}
		}
		s.callFailed(x, err)
		return
	}
	body, ctype, err := s.render(op, acct.Integration, res.Record, out, len(x.raw))
	if err != nil {
		s.storageFailed(w, r, err)
		return
	}
	saved := store.Saved{Status: op.SuccessStatus, ContentType: ctype, Body: body}
	if key != nil {
		kept, replayed, err := s.store.Write(r.Context(), key, func(store.Tx) (store.Saved, error) { return saved, nil })
		switch {
		case replayed:
			// Another replica answered this key first; its answer is the
			// key's.
			saved = kept
			w.Header().Set("Idempotent-Replayed", "true")
		case err != nil:
			// The provider did it; only the key's answer is lost.
			s.log.Error("idempotency", "request_id", requestID(w), "err", err)
		}
	}
	for _, name := range res.IgnoredQuery {
		x.rep.Ignore(validation.Query, name)
	}
	ignoredHeaders(w, x.rep)
	w.Header().Set("Content-Type", saved.ContentType)
	writeBody(w, saved.Status, saved.Body, out.format == formatStream)
}

// outcomeUnknown reports a write the provider may have carried out
// without answering: it got the request, or may have, and said nothing.
func outcomeUnknown(k matrix.Kind, err error) bool {
	var re *remote.Error
	return errors.As(err, &re) && re.ProviderStatus == 0 && (re.Status == http.StatusGatewayTimeout || re.Status == http.StatusBadGateway) && k.Writes()
}

// remoteFailed answers a remote backend's error, or reports false.
func (s *Server) remoteFailed(x *exchange, err error) bool {
	w, r, acct := x.w, x.r, x.acct
	var re *remote.Error
	switch {
	case errors.As(err, &re):
		if re.NeedsReauth {
			if err := s.store.MarkNeedsReauth(r.Context(), acct.ID); err != nil {
				s.log.Error("needs reauth", "request_id", requestID(w), "err", err)
			}
		}
		l := logOf(w)
		l.providerStatus, l.providerAttempts = re.ProviderStatus, re.Attempts
		for k, vs := range re.Header {
			w.Header()[k] = vs
		}
		b := re.Body()
		b["request_id"] = requestID(w)
		writeJSON(w, re.Status, b)
		return true
	case errors.Is(err, remote.ErrNotMapped):
		writeAPIError(w, apiError{StatusCode: http.StatusNotImplemented, Integration: acct.Integration,
			Message: s.svc.IntegrationName(acct.Integration) + " documents no endpoint for " + x.op.Model + "/" + x.op.Resource + " " + x.op.Method + ", so it cannot be done on an account connected to it (spec/DECISIONS.md)"})
		return true
	}
	return false
}

// rawAnswer is the provider's body byte for byte for the raw format, when
// it names no write-only field (a provider echoing a password is not
// passed on: the shaped record, which drops it, is answered instead).
func rawAnswer(rec backend.Record, writeOnly []string) ([]byte, string, bool) {
	if rec.Raw == nil {
		return nil, "", false
	}
	for _, name := range writeOnly {
		if bytes.Contains(rec.Raw, []byte(`"`+name+`"`)) {
			return nil, "", false
		}
	}
	ctype := rec.RawType
	if ctype == "" || !strings.Contains(ctype, "/") {
		ctype = "application/json"
	}
	return rec.Raw, ctype, true
}
