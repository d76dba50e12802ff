// Package server is the unified API service: one request pipeline, written
// once, that serves every operation of a generated package through its
// descriptors (runtime/api). Routing follows the operations' kinds, query
// binding, body decoding and per-integration rules are generated code, and
// what is written here is only what no spec can say: authentication,
// tenancy, rate limits, storage, idempotency, response shaping and the
// HTTP details.
//
// A service is a main of a few lines:
//
//	func main() { server.Main(server.App{Name: "helpdesk", Service: helpdesk.Service}) }
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/api"
)

// Options configure the pipeline.
type Options struct {
	// MaxBody is the largest request body accepted, in bytes (413 above),
	// after decompression.
	MaxBody int64
	// BodyBudget bounds the bytes of request bodies held in memory at
	// once, over all requests; a body that does not fit is answered 503
	// with Retry-After instead of growing the process without bound.
	// 0 means 32 times MaxBody.
	BodyBudget int64
	// Rate is the sustained requests per second allowed per tenant and,
	// separately, per integrated account; Burst is the requests either may
	// send at once. Rate 0 disables the tenant's limit.
	Rate  float64
	Burst int
	// AccountRate and AccountBurst are the integrated account's limit
	// when it differs from the tenant's: 0 means Rate and Burst. Every
	// request of an account is also one of its tenant's, so an account
	// limit as high as its tenant's never applies; set it lower to keep
	// one account from spending its tenant's whole rate.
	AccountRate  float64
	AccountBurst int
	// AuthFailures is the sustained rate of failed authentications
	// allowed per client address (a burst of 10 times it); past it, a bad
	// token gets 429 instead of 401. 0 means 1 per second.
	AuthFailures float64
	// Now is the clock (tests pin it).
	Now func() time.Time
	// AccessLog, when set, receives the access log: one line per
	// request, written as slog's JSONHandler writes it (one Write per
	// line), faster than through the logger, which gets the lines when
	// AccessLog is nil.
	AccessLog io.Writer
	// Registerer receives the service's Prometheus metrics (README,
	// "Metrics"); nil keeps them in a registry of their own, unexposed.
	Registerer prometheus.Registerer
}

// DefaultOptions are the service's defaults.
var DefaultOptions = Options{MaxBody: 1 << 20, Rate: 50, Burst: 100, AuthFailures: 1, Now: time.Now}

// Server is the unified API.
type Server struct {
	svc     *api.Service
	store   store.Store
	backend backend.Backend
	log     *slog.Logger
	opt     Options
	budget  *budget
	// tooLarge is the message of a 413.
	tooLarge string
	metrics  *metrics

	// writeOnly lists, per resource ("model/resource"), the write-only
	// fields of its operations: they never appear in a response.
	writeOnly map[string][]string

	// Rate limits: per tenant, per integrated account, and failed
	// authentications per client address. In memory, or shared by every
	// replica when the store keeps them (PostgreSQL).
	tenants, accounts, authFailures limiter

	// remoteKeys serialise the requests with one Idempotency-Key to a
	// remote account.
	remoteKeys keyLocks

	// mux routes requests; opOfPattern names the operation of each of its
	// patterns for metrics, so that a request refused before it reaches
	// its handler (401, 429) is still counted under its operation.
	mux         *http.ServeMux
	opOfPattern map[string]string
}

// New builds the service's handler for svc.
func New(svc *api.Service, st store.Store, be backend.Backend, log *slog.Logger, opt Options) (http.Handler, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = DefaultOptions.MaxBody
	}
	if opt.BodyBudget <= 0 {
		opt.BodyBudget = 32 * opt.MaxBody
	}
	if opt.AuthFailures <= 0 {
		opt.AuthFailures = DefaultOptions.AuthFailures
	}
	if opt.AccountRate <= 0 {
		opt.AccountRate = opt.Rate
	}
	if opt.AccountBurst <= 0 {
		opt.AccountBurst = opt.Burst
	}
	if opt.Registerer == nil {
		opt.Registerer = prometheus.NewRegistry()
	}
	s := &Server{svc: svc, store: st, backend: be, log: log, opt: opt, budget: newBudget(opt.BodyBudget), writeOnly: map[string][]string{}}
	s.metrics = newMetrics(opt.Registerer, st)
	s.tooLarge = "the body is larger than " + strconv.FormatInt(opt.MaxBody, 10) + " bytes"
	authBurst := int(math.Ceil(10 * opt.AuthFailures))
	if rl, ok := st.(store.RateLimiter); ok {
		s.tenants = sharedLimiter{rl: rl, m: s.metrics, prefix: "tenant:", rate: opt.Rate, burst: opt.Burst}
		s.accounts = sharedLimiter{rl: rl, m: s.metrics, prefix: "account:", rate: opt.AccountRate, burst: opt.AccountBurst}
		s.authFailures = sharedLimiter{rl: rl, m: s.metrics, prefix: "auth:", rate: opt.AuthFailures, burst: authBurst}
	} else {
		s.tenants = newLimiters(opt.Rate, opt.Burst, opt.Now)
		s.accounts = newLimiters(opt.AccountRate, opt.AccountBurst, opt.Now)
		s.authFailures = newLimiters(opt.AuthFailures, authBurst, opt.Now)
	}
	for _, op := range svc.Operations {
		key := op.Model + "/" + op.Resource
		s.writeOnly[key] = append(s.writeOnly[key], op.WriteOnly...)
	}
	mux, err := s.routes()
	if err != nil {
		return nil, err
	}
	s.mux = mux
	s.opOfPattern = map[string]string{"GET /openapi.yaml": "openapi", "GET /healthz": "health", "GET /readyz": "health"}
	for _, op := range svc.Operations {
		s.opOfPattern[op.HTTPMethod+" "+op.Path] = op.OperationID
		s.opOfPattern["GET /unified/"+op.Model+"/"+op.Resource+"/meta/{method}"] = "meta"
	}
	var h http.Handler = mux
	h = s.limitTenant(h)
	h = s.authenticate(h)
	h = s.observe(h)
	return h, nil
}

// saneRequestID reports whether a client's X-Request-Id can be used as the
// request's id: 1 to 64 letters, digits, '.', '_' or '-', nothing a log
// line or a header could be bent by.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// observe gives every request an id (the client's X-Request-Id when it is
// a sane token), turns panics into 500s, and writes one access-log line.
// It never logs headers, the query or the body: they carry tokens,
// passwords and personal data.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.opt.Now()
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		// One allocation for what observe keeps of the request.
		x := &struct {
			log      exchangeLog
			rec      recorder
			idHeader [1]string
		}{log: exchangeLog{id: id, operation: "unknown"}, rec: recorder{ResponseWriter: w, status: http.StatusOK}, idHeader: [1]string{id}}
		l, rec := &x.log, &x.rec
		rec.log = l
		rec.Header()["X-Request-Id"] = x.idHeader[:]
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !rec.wrote {
					writeError(rec, http.StatusInternalServerError, "internal error; quote request id "+id)
				}
			}
			if l.operation == "unknown" {
				// Refused before its handler named it (401, 429): the
				// route it was for. Routing it again only here keeps
				// that cost off every request that reaches a handler.
				if _, pattern := s.mux.Handler(r); s.opOfPattern[pattern] != "" {
					l.operation = s.opOfPattern[pattern]
				}
			}
			end := s.opt.Now()
			line := accessLine{method: r.Method, path: r.URL.Path, status: rec.status, bytes: rec.bytes, duration: end.Sub(start), writeErr: rec.writeErr}
			if s.opt.AccessLog != nil {
				b := lineBuffers.Get().(*[]byte)
				*b = line.appendJSON((*b)[:0], end, l)
				_, _ = s.opt.AccessLog.Write(*b) // a log that cannot be written has no one to tell
				if cap(*b) <= 4<<10 {
					lineBuffers.Put(b)
				}
			} else {
				s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", line.attrs(l)...)
			}
			s.metrics.request(l, rec.status, line.duration)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers what was written, for the access log.
type recorder struct {
	http.ResponseWriter
	log      *exchangeLog
	status   int
	bytes    int64
	wrote    bool
	writeErr error
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
	if err != nil && r.writeErr == nil {
		r.writeErr = err
	}
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
	return r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/openapi.yaml"
}

// authenticate requires `Authorization: Bearer <token>` and notes the
// tenant in the request's exchangeLog. Tokens are looked up by hash and compared in constant
// time by the store. Failed attempts are limited per client address, so a
// token cannot be guessed at line rate.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public(r) {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		var t store.Tenant
		var err error
		if ok && strings.EqualFold(scheme, "Bearer") && token != "" {
			var cached bool
			if t, cached = s.store.CachedTenant(token); !cached {
				start := time.Now()
				t, err = s.store.TenantByToken(r.Context(), token)
				s.metrics.timeStore("tenant_by_token", start)
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				if clientGone(w, r) {
					return
				}
				s.log.Error("token lookup", "request_id", requestID(w), "err", err)
				writeError(w, http.StatusServiceUnavailable, "the service cannot check tokens right now; retry")
				return
			}
		} else {
			err = store.ErrNotFound
		}
		if err != nil {
			wait, ok, lerr := s.authFailures.take(r.Context(), clientAddr(r))
			if lerr != nil {
				s.storageFailed(w, r, lerr)
				return
			}
			if !ok {
				s.tooMany(w, r, wait, "auth_failures", "too many requests with a missing or invalid API token from this address", "")
				return
			}
			if token == "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="unified"`)
				writeError(w, http.StatusUnauthorized, "send the API token as Authorization: Bearer <token>")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="unified", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "the API token is not valid")
			return
		}
		logOf(w).tenant = t
		next.ServeHTTP(w, r)
	})
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limitTenant applies each tenant's token bucket.
func (s *Server) limitTenant(next http.Handler) http.Handler {
	if s.opt.Rate <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := tenant(w)
		if t.ID != "" {
			wait, ok, err := s.tenants.take(r.Context(), t.ID)
			if err != nil {
				s.storageFailed(w, r, err)
				return
			}
			if !ok {
				s.tooMany(w, r, wait, "tenant", fmt.Sprintf("tenant %s is limited to %g requests per second", t.ID, s.opt.Rate), "")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// tooMany answers 429 with the time the limiter needs before it allows
// the request, in whole seconds (at least 1), as Retry-After.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, limit, msg, integration string) {
	s.metrics.rateLimited.WithLabelValues(limit).Inc()
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeAPIError(w, apiError{
		StatusCode: http.StatusTooManyRequests, Message: msg + "; retry after " + strconv.Itoa(secs) + "s", Integration: integration,
		Insight: &insight{RateLimit: &insightNote{Description: msg + "."}},
	})
}

// limiter decides whether key may make one more request now; if not,
// wait is how long until it may.
type limiter interface {
	take(ctx context.Context, key string) (wait time.Duration, ok bool, err error)
}

// sharedLimiter keeps the limits in the store (PostgreSQL), so that every
// replica spends from the same allowance: see store.RateLimiter.
type sharedLimiter struct {
	rl     store.RateLimiter
	m      *metrics
	prefix string
	rate   float64
	burst  int
}

func (l sharedLimiter) take(ctx context.Context, key string) (time.Duration, bool, error) {
	if l.rate <= 0 {
		return 0, true, nil
	}
	defer l.m.timeStore("rate_limit", time.Now())
	return l.rl.TakeRate(ctx, l.prefix+key, l.rate, l.burst)
}

// limiters are token buckets by key, in this process's memory.
type limiters struct {
	rate  rate.Limit
	burst int
	now   func() time.Time
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

func newLimiters(r float64, burst int, now func() time.Time) *limiters {
	return &limiters{rate: rate.Limit(r), burst: max(burst, 1), now: now, m: map[string]*rate.Limiter{}}
}

// take spends one token of key's bucket at the limiter's clock
// (Options.Now). When there is none it reports how long until there will
// be, and spends nothing.
func (l *limiters) take(_ context.Context, key string) (time.Duration, bool, error) {
	if l.rate <= 0 {
		return 0, true, nil
	}
	l.mu.Lock()
	lim, ok := l.m[key]
	if !ok {
		if len(l.m) >= 100_000 {
			// Bounded memory whatever the number of keys: a full bucket
			// is what a new key gets anyway.
			clear(l.m)
		}
		lim = rate.NewLimiter(l.rate, l.burst)
		l.m[key] = lim
	}
	l.mu.Unlock()
	now := l.now()
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false, nil
	}
	return 0, true, nil
}
