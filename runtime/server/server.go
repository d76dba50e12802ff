// Package server is the request pipeline of the unified API: the
// hand-written runtime that the generated code plugs into. Routing and
// parameter binding come from oapi-codegen's generated server, body
// decoding and schema checks from the generated decoders, per-integration
// rules from the generated validators, and response shaping from the
// generated support matrix. What is written here is only what no spec can
// say: authentication, tenancy, storage, idempotency and the HTTP details.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// Options configure the pipeline.
type Options struct {
	// MaxBody is the largest request body accepted, in bytes (413 above).
	MaxBody int64
	// Rate is each tenant's sustained request rate per second and Burst the
	// requests it may send at once; Rate 0 disables limiting.
	Rate  float64
	Burst int
	// Now is the clock (tests pin it).
	Now func() time.Time
}

// DefaultOptions are the service's defaults.
var DefaultOptions = Options{MaxBody: 1 << 20, Rate: 50, Burst: 100, Now: time.Now}

// Server is the unified API.
type Server struct {
	store   *store.Store
	backend backend.Backend
	log     *slog.Logger
	opt     Options
	meta    map[string][]byte // method -> rendered schemas, see meta.go
	spec    []byte

	limitersMu sync.Mutex
	limiters   map[string]*rate.Limiter
}

// New builds the service's handler. spec is the OpenAPI document served at
// /openapi.yaml and described by the metadata endpoint.
func New(st *store.Store, be backend.Backend, log *slog.Logger, spec []byte, opt Options) (http.Handler, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{store: st, backend: be, log: log, opt: opt, spec: spec, limiters: map[string]*rate.Limiter{}}
	var err error
	if s.meta, err = methodSchemas(spec); err != nil {
		return nil, fmt.Errorf("metadata from the spec: %w", err)
	}
	mux := http.NewServeMux()
	unified.Routes(mux, s, func(w http.ResponseWriter, r *http.Request, rep *validation.Report) {
		writeFailures(w, r, rep, "")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "no route for "+r.Method+" "+r.URL.Path)
	})
	var h http.Handler = mux
	h = s.limit(h)
	h = s.authenticate(h)
	h = s.observe(h)
	return h, nil
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyTenant
	keyLogAttrs
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

func tenant(ctx context.Context) store.Tenant {
	t, _ := ctx.Value(keyTenant).(store.Tenant)
	return t
}

// logAttrs lets handlers add attributes (account, integration) to the
// access log line written by observe.
type logAttrs struct{ attrs []slog.Attr }

func annotate(ctx context.Context, attrs ...slog.Attr) {
	if la, ok := ctx.Value(keyLogAttrs).(*logAttrs); ok {
		la.attrs = append(la.attrs, attrs...)
	}
}

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// observe gives every request an id (the client's X-Request-Id when it is
// a sane token), turns panics into 500s, and writes one access-log line.
// It never logs headers, the query or the body: they carry tokens,
// passwords and personal data.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.opt.Now()
		id := r.Header.Get("X-Request-Id")
		if !safeRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		la := &logAttrs{}
		ctx := context.WithValue(context.WithValue(r.Context(), keyRequestID, id), keyLogAttrs, la)
		r = r.WithContext(ctx)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		rec.Header().Set("X-Request-Id", id)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !rec.wrote {
					writeError(rec, r, http.StatusInternalServerError, "internal error; quote request id "+id)
				}
			}
			attrs := []slog.Attr{
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.status),
				slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(s.opt.Now().Sub(start).Microseconds())/1000),
			}
			attrs = append(attrs, la.attrs...)
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers what was written, for the access log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush lets the stream response format reach the client as it is written.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// public paths answer without a token.
func public(r *http.Request) bool {
	return r.URL.Path == "/healthz" || r.URL.Path == "/openapi.yaml"
}

// authenticate requires `Authorization: Bearer <token>` and puts the tenant
// in the context. Tokens are looked up by hash and compared in constant
// time by the store.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public(r) {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="unified"`)
			writeError(w, r, http.StatusUnauthorized, "send the API token as Authorization: Bearer <token>")
			return
		}
		t, err := s.store.TenantByToken(r.Context(), strings.TrimSpace(token))
		switch {
		case errors.Is(err, store.ErrNotFound):
			w.Header().Set("WWW-Authenticate", `Bearer realm="unified", error="invalid_token"`)
			writeError(w, r, http.StatusUnauthorized, "the API token is not valid")
			return
		case err != nil:
			s.log.Error("token lookup", "request_id", requestID(r.Context()), "err", err)
			writeError(w, r, http.StatusServiceUnavailable, "the service cannot check tokens right now; retry")
			return
		}
		annotate(r.Context(), slog.String("tenant", t.ID))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyTenant, t)))
	})
}

// limit applies each tenant's token bucket.
func (s *Server) limit(next http.Handler) http.Handler {
	if s.opt.Rate <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := tenant(r.Context())
		if t.ID == "" {
			next.ServeHTTP(w, r)
			return
		}
		s.limitersMu.Lock()
		l, ok := s.limiters[t.ID]
		if !ok {
			l = rate.NewLimiter(rate.Limit(s.opt.Rate), s.opt.Burst)
			s.limiters[t.ID] = l
		}
		s.limitersMu.Unlock()
		if !l.Allow() {
			w.Header().Set("Retry-After", "1")
			writeError(w, r, http.StatusTooManyRequests, fmt.Sprintf("tenant %s is limited to %g requests per second", t.ID, s.opt.Rate))
			return
		}
		next.ServeHTTP(w, r)
	})
}
