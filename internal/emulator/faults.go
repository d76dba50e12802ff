package emulator

import (
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault replaces the answer to one request. Exactly one of Reset,
// Oversize and Status is meant to be set, in that order of precedence.
type Fault struct {
	// Reset closes the connection without answering.
	Reset bool
	// Oversize answers 200 with a valid JSON body of this many bytes.
	Oversize int
	// Status answers this status, with Header and Body. An empty Body is
	// the provider's documented error body for Status.
	Status int
	Header map[string]string
	Body   string
}

// FailNext makes the next n requests answer status with headers and body
// (body "" for the provider's documented error body), whatever they ask.
func (e *Emulator) FailNext(n, status int, headers map[string]string, body string) {
	e.queue(n, Fault{Status: status, Header: headers, Body: body})
}

// ResetNext makes the next n requests' connections close without an
// answer. Beware that Go's http.Transport silently retries a GET (or any
// request it may replay) whose reused connection closes like this.
func (e *Emulator) ResetNext(n int) { e.queue(n, Fault{Reset: true}) }

// OversizeNext makes the next n requests answer 200 with a JSON body of
// size bytes, to test a client's limit on what it reads.
func (e *Emulator) OversizeNext(n, size int) { e.queue(n, Fault{Oversize: size}) }

// Slow delays every answer from now on by d (0 to stop). A request whose
// client gives up while it waits is not handled.
func (e *Emulator) Slow(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.delay = d
}

func (e *Emulator) queue(n int, f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for range n {
		e.faults = append(e.faults, f)
	}
}

func (e *Emulator) nextFault() (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.faults) == 0 {
		return Fault{}, false
	}
	f := e.faults[0]
	e.faults = e.faults[1:]
	return f, true
}

func (e *Emulator) wait(r *http.Request) bool {
	e.mu.Lock()
	d := e.delay
	e.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (e *Emulator) inject(w http.ResponseWriter, f Fault) {
	switch {
	case f.Reset:
		reset(w)
	case f.Oversize > 0:
		oversize(w, f.Oversize)
	default:
		for k, v := range f.Header {
			w.Header().Set(k, v)
		}
		if f.Body == "" {
			e.fail(w, f.Status, http.StatusText(f.Status), nil)
			return
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", e.c.Errors.ContentType)
		}
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
	}
}

// reset closes the connection without answering. Lingering 0 makes the
// close a TCP RST, as when a proxy drops a connection, so the client sees
// "connection reset by peer" rather than a clean end of stream.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// oversize answers {"padding":"xxx..."} of exactly size bytes, written in
// chunks so that a huge size costs the test no memory.
func oversize(w http.ResponseWriter, size int) {
	const head, tail = `{"padding":"`, `"}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(http.StatusOK)
	if size < len(head)+len(tail) {
		io.WriteString(w, strings.Repeat(" ", size)) // too small for JSON; never mind
		return
	}
	io.WriteString(w, head)
	chunk := []byte(strings.Repeat("x", 32<<10))
	for left := size - len(head) - len(tail); left > 0; left -= len(chunk) {
		if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
			return // the client stopped reading, as it should
		}
	}
	io.WriteString(w, tail)
}

// RateLimit is a fixed-window limit: Limit requests are answered per
// Window (which starts at the first request), the others get the
// contract's rate-limit answer.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// rateLimited counts the request and, when it is over the limit, answers
// it. The contract's rate-limit headers go on every answer, as providers
// send them.
func (e *Emulator) rateLimited(w http.ResponseWriter) bool {
	if e.rate == nil {
		return false
	}
	e.mu.Lock()
	now := time.Now()
	if e.window.IsZero() || now.Sub(e.window) >= e.rate.Window {
		e.window, e.inWindow = now, 0
	}
	e.inWindow++
	count, end := e.inWindow, e.window.Add(e.rate.Window)
	e.mu.Unlock()

	spec, limit := &e.c.RateLimit, e.rate.Limit
	seconds := max(1, int(math.Ceil(end.Sub(now).Seconds())))
	for _, h := range spec.ResetHeaders {
		var v string
		switch spec.HeaderValues[h] {
		case "limit":
			v = strconv.Itoa(limit)
		case "remaining":
			v = strconv.Itoa(max(0, limit-count))
		case "used/limit":
			v = fmt.Sprintf("%d/%d", min(count, limit), limit)
		case "reset_seconds":
			v = strconv.Itoa(seconds)
		case "reset_epoch":
			v = strconv.FormatInt(now.Unix()+int64(seconds), 10)
		}
		w.Header().Set(h, v)
	}
	if count <= limit {
		return false
	}
	if spec.RetryAfterHeader != "" {
		w.Header().Set(spec.RetryAfterHeader, strconv.Itoa(seconds))
	}
	e.fail(w, spec.Status, "rate limit exceeded", nil)
	return true
}

// Request is a request the emulator received, exactly as received. Print
// it with String, which hides credentials.
type Request struct {
	Method   string
	Path     string
	Query    url.Values
	Header   http.Header
	Body     []byte
	Endpoint string // the documented endpoint its method and path match, or ""

	secretHeaders []string // canonical names
	secretQuery   string
	secret        string // the api_key, wherever it appears
}

// Requests returns every request received so far, faulted ones included,
// in order: tests count attempts and check what was sent with it.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.requests)
}

func (e *Emulator) log(r *http.Request, body []byte) {
	q := Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body,
		secretHeaders: []string{"Authorization", "Proxy-Authorization", "Cookie", http.CanonicalHeaderKey(e.c.Auth.Header)},
		secretQuery:   e.c.Auth.QueryParam,
		secret:        e.creds["api_key"],
	}
	if ep, _, _ := e.route(r.Method, r.URL.Path); ep != nil {
		q.Endpoint = ep.Name
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, q)
}

// String shows the request with its credentials replaced by [REDACTED].
func (q Request) String() string {
	var b strings.Builder
	b.WriteString(q.Method + " " + q.Path)
	if len(q.Query) > 0 {
		query := url.Values{}
		for k, v := range q.Query {
			if k == q.secretQuery {
				v = []string{"REDACTED"}
			}
			query[k] = v
		}
		b.WriteString("?" + query.Encode())
	}
	b.WriteString("\n")
	for _, k := range sortedKeys(q.Header) {
		v := strings.Join(q.Header[k], ", ")
		if slices.Contains(q.secretHeaders, k) {
			v = "[REDACTED]"
		}
		b.WriteString(k + ": " + v + "\n")
	}
	if len(q.Body) > 0 {
		b.WriteString("\n" + string(q.Body) + "\n")
	}
	s := b.String()
	if q.secret != "" {
		s = strings.ReplaceAll(s, q.secret, "[REDACTED]")
	}
	return s
}
