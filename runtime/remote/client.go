package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/unifiedgen/unifiedgen/runtime/mapping"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

// The defaults of Options. The per-call budget bounds everything a call
// does, retries and waits included: 10 s, a third of the service's 30 s
// write timeout, so a provider that never answers is a 504 with time to
// spare for writing it.
const (
	DefaultConnectTimeout = 3 * time.Second
	DefaultAttemptTimeout = 8 * time.Second
	DefaultBudget         = 10 * time.Second
	DefaultMaxAttempts    = 3
	DefaultMaxResponse    = 4 << 20
	DefaultBackoffBase    = 200 * time.Millisecond
	DefaultBackoffMax     = 2 * time.Second
)

// Options tune a Client; zero fields take the defaults above.
type Options struct {
	// ConnectTimeout bounds dialing and the TLS handshake.
	ConnectTimeout time.Duration
	// AttemptTimeout bounds one request, from sending it to reading the
	// whole answer.
	AttemptTimeout time.Duration
	// Budget bounds the whole call, retries and waits included. The
	// incoming request's context bounds it too.
	Budget time.Duration
	// MaxAttempts is how many requests one call may send (1: no retry).
	MaxAttempts int
	// MaxResponse caps the provider's body, success or error, in bytes;
	// a larger answer is a 502.
	MaxResponse int64
	// BackoffBase and BackoffMax shape the exponential backoff between
	// attempts: a random wait in [d/2, d], d = min(BackoffMax,
	// BackoffBase·2^(attempt-1)), or the provider's Retry-After when it is
	// longer.
	BackoffBase, BackoffMax time.Duration
	// Transport replaces the pooled transport (tests).
	Transport http.RoundTripper
}

// Client calls providers. One Client is shared by every account and
// request: its transport pools connections per host.
type Client struct {
	opt  Options
	http *http.Client
	// sleep waits between attempts (tests replace it).
	sleep func(ctx context.Context, d time.Duration) error
}

// NewClient returns a Client with a pooled transport.
func NewClient(opt Options) *Client {
	if opt.ConnectTimeout <= 0 {
		opt.ConnectTimeout = DefaultConnectTimeout
	}
	if opt.AttemptTimeout <= 0 {
		opt.AttemptTimeout = DefaultAttemptTimeout
	}
	if opt.Budget <= 0 {
		opt.Budget = DefaultBudget
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = DefaultMaxAttempts
	}
	if opt.MaxResponse <= 0 {
		opt.MaxResponse = DefaultMaxResponse
	}
	if opt.BackoffBase <= 0 {
		opt.BackoffBase = DefaultBackoffBase
	}
	if opt.BackoffMax <= 0 {
		opt.BackoffMax = DefaultBackoffMax
	}
	c := &Client{opt: opt, sleep: sleepCtx}
	rt := opt.Transport
	if rt == nil {
		rt = &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			DialContext:            (&net.Dialer{Timeout: opt.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:    opt.ConnectTimeout,
			TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2:      true,
			MaxIdleConns:           256,
			MaxIdleConnsPerHost:    64,
			IdleConnTimeout:        90 * time.Second,
			ExpectContinueTimeout:  time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		}
	}
	c.http = &http.Client{Transport: rt, CheckRedirect: checkRedirect}
	return c
}

// CloseIdleConnections closes the pooled connections not in use.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// checkRedirect follows at most 3 redirects, and only to the same scheme,
// host and port: headers such as X-API-TOKEN are copied by net/http to
// any host, and a key in the query would go with a relative redirect, so
// credentials never leave the account's host. A redirect elsewhere is
// answered as a 502 naming it.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return http.ErrUseLastResponse
	}
	if len(via) >= 3 {
		return http.ErrUseLastResponse
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Request is one unified call to map and send.
type Request struct {
	Mapping *Mapping
	Account Account
	// ID is the record id, for paths with {id}.
	ID string
	// Body is the unified request body as decoded JSON (numbers as
	// json.Number), remote_data included; nil when there is none.
	Body map[string]any
	// Query are the operation's query parameters as validated that the
	// query mapping sees (api.Input.AppendQuery) as decoded JSON; nil
	// when there are none.
	Query map[string]any
	// RemoteQuery is the request's remote_query, sent as query
	// parameters unchanged.
	RemoteQuery map[string]any
}

// Item is one record of an answer.
type Item struct {
	// Remote is the provider's record (remote_data).
	Remote map[string]any
	// Unified is the record mapped to the unified model.
	Unified map[string]any
}

// Response is a successful call.
type Response struct {
	// Status is the provider's status.
	Status int
	// Raw is the provider's body byte for byte, RawType its content type
	// (the raw response format).
	Raw     []byte
	RawType string
	// Record is the record of a get, create, update, delete or custom
	// method; Items and NextCursor are a list's page.
	Record     Item
	Items      []Item
	NextCursor string
	// Attempts is how many requests were sent.
	Attempts int
}

// idempotent methods may be sent again after any failure.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// attempt is the outcome of one request.
type attempt struct {
	resp *http.Response
	body []byte
	err  error
	// sent reports that request headers were written: the provider may
	// have received the request.
	sent bool
	// timeout reports that the attempt ran out of time.
	timeout bool
	// tooLarge reports an answer over MaxResponse.
	tooLarge bool
}

// Call maps req, sends it to the provider with the retries that are safe,
// and maps the answer. The error is an *Error, or the context's error when
// ctx (the incoming request) ended first.
func (c *Client) Call(ctx context.Context, req *Request) (*Response, error) {
	m := req.Mapping
	in := m.Integration
	fail := func(status int, msg string) *Error {
		return &Error{Status: status, Message: msg, Integration: in.ID}
	}
	// Map the body and query.
	var payload []byte
	var query map[string][]string
	var err error
	if payload, query, err = c.mapRequest(req); err != nil {
		return nil, fail(http.StatusBadRequest, "the request cannot be sent to "+in.Name+": "+err.Error())
	}
	u, err := requestURL(m, &req.Account, req.ID, query, req.RemoteQuery)
	if err != nil {
		var ce *credentialError
		var ie *idError
		switch {
		case errors.As(err, &ce):
			e := fail(http.StatusUnauthorized, "the integrated account's "+ce.Error()+"; reconnect it with the credentials "+in.Name+" needs ("+strings.Join(in.Credentials, ", ")+")")
			e.NeedsReauth = true
			return nil, e
		case errors.As(err, &ie):
			return nil, fail(http.StatusBadRequest, "the record id must not be empty, . or ..")
		}
		return nil, fail(http.StatusBadGateway, "the request URL for "+in.Name+" cannot be built: "+err.Error())
	}
	header, secrets, err := c.headers(in, &req.Account, payload != nil)
	if err != nil {
		e := fail(http.StatusUnauthorized, "the integrated account's "+err.Error()+"; reconnect it")
		e.NeedsReauth = true
		return nil, e
	}

	ctx, cancel := context.WithTimeout(ctx, c.opt.Budget)
	defer cancel()
	parent := ctx

	var last attempt
	for n := 1; ; n++ {
		last = c.send(ctx, m.Method, u, header, payload)
		retry, wait := c.retryable(m, &last, n)
		if !retry || n >= c.opt.MaxAttempts {
			return c.finish(parent, req, &last, n, secrets)
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			// The provider asks for more time than the call has left:
			// answer now, with its Retry-After, rather than wait and
			// time out.
			return c.finish(parent, req, &last, n, secrets)
		}
		drain(last.resp)
		if err := c.sleep(ctx, wait); err != nil {
			return c.finish(parent, req, &last, n, secrets)
		}
	}
}

// mapRequest runs the body mapping over the request body and the query
// mapping over the query parameters. The request's remote_data is
// deep-merged into the mapped body.
func (c *Client) mapRequest(req *Request) ([]byte, map[string][]string, error) {
	m := req.Mapping
	var in any = map[string]any{}
	if req.Body != nil {
		in = req.Body
	}
	var query map[string][]string
	if m.Query != nil {
		var q any = map[string]any{}
		if req.Query != nil {
			q = req.Query
		}
		v, err := m.Query(q)
		if err != nil {
			return nil, nil, err
		}
		if !mapping.IsUndefined(v) {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, nil, fmt.Errorf("the query mapping gave %T, not an object", v)
			}
			query = map[string][]string{}
			for k, x := range obj {
				switch y := x.(type) {
				case []any:
					for _, it := range y {
						if s, ok := scalarText(it); ok {
							query[k] = append(query[k], s)
						}
					}
				default:
					if s, ok := scalarText(x); ok {
						query[k] = append(query[k], s)
					}
				}
			}
		}
	}
	hasBody := m.Body != nil
	var body any
	if m.Body != nil {
		v, err := m.Body(in)
		if err != nil {
			return nil, nil, err
		}
		if !mapping.IsUndefined(v) {
			body = v
		} else {
			body = map[string]any{}
		}
	}
	if rd, ok := req.Body["remote_data"].(map[string]any); ok && len(rd) > 0 {
		hasBody = true
		if body == nil {
			body = map[string]any{}
		}
		obj, ok := body.(map[string]any)
		if !ok {
			return nil, nil, errors.New("remote_data cannot be merged: the mapped body is not an object")
		}
		body = DeepMerge(obj, rd)
	}
	if !hasBody {
		return nil, query, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), query, nil
}

// DeepMerge merges src into dst and returns dst: objects member by
// member, recursively; any other value of src replaces dst's.
func DeepMerge(dst, src map[string]any) map[string]any {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = DeepMerge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

// headers builds the fixed headers and auth, and returns the values to
// scrub from anything kept of the answer.
func (c *Client) headers(in *Integration, a *Account, hasBody bool) (http.Header, [][]byte, error) {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "unifiedgen-remote/1")
	if hasBody {
		h.Set("Content-Type", "application/json")
	}
	for _, x := range in.Headers {
		v, err := expand(x.Value, a.cred, nil)
		if err != nil {
			return nil, nil, credErr(err)
		}
		h.Set(x.Name, v)
	}
	var secrets [][]byte
	if k := a.Credentials["api_key"]; len(k) >= 6 {
		secrets = append(secrets, []byte(k))
	}
	switch in.Auth.Kind {
	case AuthBearer:
		v, err := expand(in.Auth.Value, a.cred, nil)
		if err != nil {
			return nil, nil, credErr(err)
		}
		h.Set("Authorization", "Bearer "+v)
	case AuthHeader:
		v, err := expand(in.Auth.Value, a.cred, nil)
		if err != nil {
			return nil, nil, credErr(err)
		}
		h.Set(in.Auth.Name, v)
	case AuthBasic:
		user, err := expand(in.Auth.Username, a.cred, nil)
		if err != nil {
			return nil, nil, credErr(err)
		}
		pass, err := expand(in.Auth.Password, a.cred, nil)
		if err != nil && in.Auth.Password != "" {
			return nil, nil, credErr(err)
		}
		tok := basicToken(user, pass)
		h.Set("Authorization", "Basic "+tok)
		secrets = append(secrets, []byte(tok))
	}
	return h, secrets, nil
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, method string, u *url.URL, h http.Header, payload []byte) attempt {
	actx, cancel := context.WithTimeout(ctx, c.opt.AttemptTimeout)
	defer cancel()
	var sent atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteHeaders: func() { sent.Store(true) },
	})
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	hr, err := http.NewRequestWithContext(actx, method, u.String(), body)
	if err != nil {
		return attempt{err: err}
	}
	hr.Header = h.Clone()
	if payload != nil {
		hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(payload)), nil }
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return attempt{err: err, sent: sent.Load(), timeout: isTimeout(actx, err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxResponse+1))
	a := attempt{resp: resp, sent: true}
	switch {
	case err != nil:
		a.err, a.timeout = err, isTimeout(actx, err)
	case int64(len(data)) > c.opt.MaxResponse:
		a.tooLarge = true
	default:
		a.body = data
	}
	return a
}

func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// drain lets a retried attempt's connection be reused.
func drain(resp *http.Response) {
	if resp != nil {
		resp.Body.Close()
	}
}

// retryable says whether the attempt may be repeated, and after how long.
// Idempotent methods are repeated after a connection error, a timeout of
// the attempt, 429 and 502/503/504; any method when the request provably
// never left (no header was written: a refused connection, a failed DNS
// lookup or TLS handshake). A POST or PATCH that may have reached the
// provider is never repeated: it could create twice.
func (c *Client) retryable(m *Mapping, a *attempt, n int) (bool, time.Duration) {
	backoff := c.backoff(n)
	switch {
	case a.err != nil && a.resp == nil:
		if !a.sent || idempotent(m.Method) {
			return true, backoff
		}
		return false, 0
	case a.err != nil:
		// The answer broke off: a reset or a timeout while reading it.
		return idempotent(m.Method), backoff
	case a.tooLarge:
		return false, 0
	}
	if !idempotent(m.Method) {
		return false, 0
	}
	st := a.resp.StatusCode
	if c.rateLimited(m.Integration, st) || st == http.StatusBadGateway || st == http.StatusServiceUnavailable || st == http.StatusGatewayTimeout {
		if d, ok := c.retryAfter(m.Integration, a.resp.Header); ok && d > backoff {
			return true, d
		}
		return true, backoff
	}
	return false, 0
}

// backoff is the wait after attempt n (from 1): a random wait in
// [d/2, d], d = min(BackoffMax, BackoffBase·2^(n-1)).
func (c *Client) backoff(n int) time.Duration {
	d := c.opt.BackoffMax
	if n-1 < 32 && c.opt.BackoffBase<<(n-1) < d && c.opt.BackoffBase<<(n-1) > 0 {
		d = c.opt.BackoffBase << (n - 1)
	}
	return d/2 + rand.N(d/2+1)
}

func (c *Client) rateLimited(in *Integration, status int) bool {
	if len(in.RateLimit.Status) == 0 {
		return status == http.StatusTooManyRequests
	}
	return slices.Contains(in.RateLimit.Status, status)
}

// retryAfter reads the provider's wait: Retry-After (seconds or an HTTP
// date, under the integration's header name or the standard one), else
// the reset header.
func (c *Client) retryAfter(in *Integration, h http.Header) (time.Duration, bool) {
	for _, name := range []string{in.RateLimit.RetryAfter, "Retry-After"} {
		if name == "" {
			continue
		}
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
				return time.Duration(s * float64(time.Second)), true
			}
			if t, err := http.ParseTime(v); err == nil {
				return max(0, time.Until(t)), true
			}
		}
	}
	if in.RateLimit.ResetHeader != "" {
		if v := strings.TrimSpace(h.Get(in.RateLimit.ResetHeader)); v != "" {
			if s, err := strconv.ParseFloat(v, 64); err == nil {
				if in.RateLimit.ResetUnit == ResetEpoch {
					return max(0, time.Until(time.Unix(int64(s), 0))), true
				}
				return time.Duration(s * float64(time.Second)), true
			}
		}
	}
	return 0, false
}

// forwarded picks the provider's rate-limit headers.
func (c *Client) forwarded(in *Integration, h http.Header) http.Header {
	out := http.Header{}
	names := append([]string{"Retry-After", in.RateLimit.RetryAfter, in.RateLimit.ResetHeader}, in.RateLimit.Forward...)
	for _, name := range names {
		if name == "" {
			continue
		}
		if vs := h.Values(name); len(vs) > 0 {
			out[http.CanonicalHeaderKey(name)] = slices.Clone(vs)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// finish turns the last attempt into the call's answer.
func (c *Client) finish(ctx context.Context, req *Request, a *attempt, attempts int, secrets [][]byte) (*Response, error) {
	m := req.Mapping
	in := m.Integration
	e := &Error{Integration: in.ID, Attempts: attempts, Remote: true}
	if a.resp == nil || a.err != nil {
		// No usable answer.
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err() // the client went away
		}
		if ctx.Err() != nil || a.timeout {
			e.Status = http.StatusGatewayTimeout
			e.Message = in.Name + " did not answer in time"
			if a.resp != nil {
				e.ProviderStatus = a.resp.StatusCode
			}
			return nil, e
		}
		e.Status = http.StatusBadGateway
		e.Message = in.Name + " could not be reached: " + describeNetError(a.err)
		return nil, e
	}
	resp := a.resp
	e.ProviderStatus = resp.StatusCode
	e.Header = c.forwarded(in, resp.Header)
	if a.tooLarge {
		e.Status = http.StatusBadGateway
		e.Message = in.Name + " answered with more than " + strconv.FormatInt(c.opt.MaxResponse, 10) + " bytes"
		return nil, e
	}
	ctype := resp.Header.Get("Content-Type")
	switch st := resp.StatusCode; {
	case st >= 200 && st < 300:
		return c.success(req, a, attempts, secrets)
	case st >= 300 && st < 400:
		e.Status = http.StatusBadGateway
		e.Message = in.Name + " redirected the request"
		if loc, err := resp.Location(); err == nil {
			e.Message += " to " + loc.Scheme + "://" + loc.Host + ", another host: not followed, so that the account's credentials stay with its host"
		}
		return nil, e
	default:
		raw := scrub(a.body, secrets)
		e.Raw, e.RawType = raw, ctype
		doc, err := decodeJSON(raw)
		if err != nil {
			doc = nil // not JSON: no message or failures to read from it
		}
		e.doc, e.hasDoc = doc, err == nil
		msg := scrubString(providerMessage(in, doc), secrets)
		switch {
		case c.rateLimited(in, st):
			e.Status = http.StatusTooManyRequests
			e.RateLimited = true
			if e.Header.Get("Retry-After") == "" {
				if d, ok := c.retryAfter(in, resp.Header); ok {
					if e.Header == nil {
						e.Header = http.Header{}
					}
					e.Header.Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
				}
			}
		case st == http.StatusUnauthorized:
			e.Status = st
			e.NeedsReauth = true
		case st >= 400 && st < 500:
			e.Status = st
			e.Failures = providerFailures(m, doc)
		default:
			e.Status = http.StatusBadGateway
		}
		if msg == "" {
			msg = in.Name + " answered " + strconv.Itoa(st) + " " + http.StatusText(st)
		}
		if e.NeedsReauth {
			msg = in.Name + " refused the account's credentials (" + msg + "); the account needs to be re-authenticated"
		}
		e.Message = msg
		return nil, e
	}
}

// success maps a 2xx answer. An answer it cannot map is an error that
// keeps the body, with the account's secrets redacted as in any error.
func (c *Client) success(req *Request, a *attempt, attempts int, secrets [][]byte) (*Response, error) {
	m := req.Mapping
	in := m.Integration
	bad := func(msg string) error {
		return &Error{Status: http.StatusBadGateway, Remote: true, Integration: in.ID, Attempts: attempts,
			ProviderStatus: a.resp.StatusCode, Message: in.Name + " " + msg, Raw: scrub(a.body, secrets), RawType: a.resp.Header.Get("Content-Type")}
	}
	out := &Response{Status: a.resp.StatusCode, Raw: a.body, RawType: a.resp.Header.Get("Content-Type"), Attempts: attempts}
	if out.RawType == "" && len(a.body) > 0 {
		out.RawType = "application/json"
	}
	var doc any
	if len(bytes.TrimSpace(a.body)) > 0 {
		// The content type is not trusted either way (providers label
		// JSON text/plain, and HTML error pages come with 200): the body
		// must decode as JSON.
		var err error
		if doc, err = decodeJSON(a.body); err != nil {
			return nil, bad("answered with malformed JSON")
		}
	} else if m.Kind != matrix.Delete {
		return nil, bad("answered " + strconv.Itoa(a.resp.StatusCode) + " with an empty body where a record was expected")
	}
	rec := doc
	if m.Record != nil && doc != nil {
		v, err := m.Record(doc)
		if err != nil {
			return nil, bad("answered a body the mapping cannot read: " + err.Error())
		}
		rec = v
	}
	one := func(r any) (Item, error) {
		obj, ok := r.(map[string]any)
		if !ok {
			return Item{}, bad("answered without a record object where the mapping expects one")
		}
		it := Item{Remote: obj, Unified: map[string]any{}}
		if m.Unified != nil {
			u, err := m.Unified(obj)
			if err != nil {
				return Item{}, bad("answered a record the mapping cannot read: " + err.Error())
			}
			if !mapping.IsUndefined(u) {
				uo, ok := u.(map[string]any)
				if !ok {
					return Item{}, bad("answered a record the mapping turns into " + fmt.Sprintf("%T", u) + ", not an object")
				}
				it.Unified = uo
			}
		}
		if id, ok := it.Unified["id"]; ok {
			if s, ok := scalarText(id); ok {
				it.Unified["id"] = s
			}
		}
		return it, nil
	}
	if m.Kind == matrix.List {
		var list []any
		switch x := rec.(type) {
		case []any:
			list = x
		case map[string]any:
			list = []any{x}
		case nil:
		default:
			if !mapping.IsUndefined(rec) {
				return nil, bad("answered a list the mapping cannot find")
			}
		}
		for _, r := range list {
			it, err := one(r)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, it)
		}
		if m.NextCursor != nil && doc != nil {
			if v, err := m.NextCursor(doc); err == nil {
				out.NextCursor, _ = scalarText(v)
			}
		}
		return out, nil
	}
	if rec == nil || mapping.IsUndefined(rec) {
		if m.Kind != matrix.Delete {
			return nil, bad("answered without the record")
		}
		rec = map[string]any{}
	}
	it, err := one(rec)
	if err != nil {
		return nil, err
	}
	// Answers that carry no id (an update acknowledged with
	// {"STATUS": "OK"}) keep the id the request named.
	if _, ok := it.Unified["id"]; !ok && req.ID != "" {
		it.Unified["id"] = req.ID
	}
	out.Record = it
	return out, nil
}

// decodeJSON decodes one JSON value, numbers kept as written
// (json.Number), and nothing after it: the one way every provider body,
// and the validated request body, is read.
func decodeJSON(raw []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

// describeNetError says what went wrong without the URL (which may carry
// a key in its query).
func describeNetError(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the connection was reset or closed before the answer was complete"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "the host name does not resolve"
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return "its TLS certificate is not valid"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Op + " failed"
	}
	return "the connection failed"
}

// scrub replaces the account's secrets in a body kept for the client.
func scrub(b []byte, secrets [][]byte) []byte {
	for _, s := range secrets {
		if bytes.Contains(b, s) {
			b = bytes.ReplaceAll(b, s, []byte("[REDACTED]"))
		}
	}
	return b
}

func scrubString(s string, secrets [][]byte) string {
	for _, x := range secrets {
		s = strings.ReplaceAll(s, string(x), "[REDACTED]")
	}
	return s
}
