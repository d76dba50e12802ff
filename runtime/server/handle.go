package server

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/qs"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// exchange is one request of an operation on its way through the
// pipeline: what was read of it, and where the answer goes.
type exchange struct {
	w    http.ResponseWriter
	r    *http.Request
	op   *api.Operation
	acct store.Account
	out  output
	rep  *validation.Report
	raw  []byte // the body as received (after decompression)
	call *backend.Call
}

// operation serves one operation: bind the query, find the account, read
// and check the body, call the backend, shape the response.
func (s *Server) operation(op *api.Operation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		label(w, op.OperationID, "")
		var rep validation.Report
		in := op.New()
		defer in.Release()
		if q, ok := validation.ParseQuery(r.URL.RawQuery, &rep); ok {
			in.Bind(q, &rep)
			ignoreUndeclared(op, q, &rep)
		}
		if !rep.OK() {
			writeFailures(s, w, r, &rep, "")
			return
		}
		p := in.Params()
		out, ok := outputOptions(w, r, s, p)
		if !ok {
			return
		}
		if op.Kind == matrix.List && !listOptions(w, r, s, op, &p) {
			return
		}
		acct, ok := s.accountFor(w, r, p.IntegratedAccountID, op, false)
		if !ok {
			return
		}
		var raw []byte
		if op.HasBody {
			var reserved int64
			if raw, reserved, ok = s.readBody(w, r); !ok {
				return
			}
			defer s.budget.release(reserved)
			in.DecodeBody(raw, &rep)
		}
		if rep.BodyReadable() {
			in.Validate(acct.Integration, &rep)
		}
		if !s.accept(w, r, &rep, acct) {
			return
		}
		call := &backend.Call{Op: op, Account: acct, ID: r.PathValue("id"), Input: in, Params: p}
		if op.HasBody && !acct.Remote() {
			// The local backend stores this; a provider's backend encodes
			// the input itself, write-only fields included.
			call.Body = in.AppendBody(make([]byte, 0, len(raw)), false)
		}
		if op.Kind == matrix.Update || op.Kind == matrix.Delete {
			if call.Precondition, ok = ifMatch(w, r, s); !ok {
				return
			}
		}
		x := &exchange{w: w, r: r, op: op, acct: acct, out: out, rep: &rep, raw: raw, call: call}
		if !op.Kind.Writes() {
			s.read(x)
			return
		}
		s.write(x)
	})
}

// ignoreUndeclared records the query parameters the operation does not
// declare: they are not an error (clients add cache busters and tracing),
// but the client learns they did nothing.
func ignoreUndeclared(op *api.Operation, q qs.Values, rep *validation.Report) {
	for n := range q.Names() {
		declared := false
		for i := range op.Query {
			if op.Query[i].Name == n {
				declared = true
				break
			}
		}
		if !declared {
			rep.Ignore(validation.Query, n)
		}
	}
}

// accountFor resolves the integrated account of the request's tenant,
// checks its integration implements op, and applies the account's rate
// limit. Another tenant's account is reported exactly like a missing one.
// An account that needs re-authenticating is refused, except for metadata
// (meta set), which describes it so that a client can see it.
func (s *Server) accountFor(w http.ResponseWriter, r *http.Request, id string, op *api.Operation, meta bool) (store.Account, bool) {
	acct, cached := s.store.CachedAccount(tenant(w).ID, id)
	var err error
	if !cached {
		start := time.Now()
		acct, err = s.store.Account(r.Context(), tenant(w).ID, id)
		s.metrics.timeStore("account", start)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "integrated account "+id+" not found")
		return acct, false
	case err != nil:
		s.storageFailed(w, r, err)
		return acct, false
	}
	l := logOf(w)
	l.account, l.accountIntegration = acct.ID, acct.Integration
	if acct.NeedsReauth && !meta {
		// The provider refused the account's credentials (a 401): every
		// request is answered so until new ones are applied.
		writeAPIError(w, apiError{StatusCode: http.StatusUnauthorized, Integration: acct.Integration,
			Message: s.svc.IntegrationName(acct.Integration) + " refused this integrated account's credentials; it needs to be re-authenticated (apply new credentials)"})
		return acct, false
	}
	label(w, "", acct.Integration)
	if !op.Implements(acct.Integration) {
		// Not the provider's validation (422) and not a missing resource
		// (404): the method exists, but not for this account's
		// integration. Allow lists what the integration has at this URL.
		w.Header().Set("Allow", strings.Join(implemented(s.svc.Operations, op.Path, acct.Integration), ", "))
		writeAPIError(w, apiError{
			StatusCode:  http.StatusMethodNotAllowed,
			Message:     s.svc.IntegrationName(acct.Integration) + " does not implement " + op.Model + "/" + op.Resource + " " + op.Method + " (" + op.HTTPMethod + " " + op.Path + "); the integrations that do are " + s.names(op.Integrations),
			Integration: acct.Integration,
		})
		return acct, false
	}
	wait, ok, err := s.accounts.take(r.Context(), acct.ID)
	if err != nil {
		s.storageFailed(w, r, err)
		return acct, false
	}
	if !ok {
		s.tooMany(w, r, wait, "account", "integrated account "+acct.ID+" is limited to "+strconv.FormatFloat(s.opt.AccountRate, 'g', -1, 64)+" requests per second", acct.Integration)
		return acct, false
	}
	return acct, true
}

func (s *Server) names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = s.svc.IntegrationName(id)
	}
	return strings.Join(out, ", ")
}

// jsonMediaType reports whether a Content-Type is JSON: application/json
// or any +json type, with any parameters.
func jsonMediaType(contentType string) bool {
	if strings.EqualFold(contentType, "application/json") {
		return true // what nearly every client sends: no parsing
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// readBody checks the media type and encoding and reads at most
// Options.MaxBody bytes (after decompression), within the service's body
// budget. Nothing of the body is read before its reservation is granted.
// The caller gives the budget back with s.budget.release(reserved).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body []byte, reserved int64, ok bool) {
	if !jsonMediaType(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, "send the body as JSON with Content-Type: application/json")
		return nil, 0, false
	}
	coding, problem := contentCoding(r.Header)
	if problem != "" {
		w.Header().Set("Accept-Encoding", "gzip, deflate")
		writeError(w, http.StatusUnsupportedMediaType, problem+"; send the body as is, gzip or deflate")
		return nil, 0, false
	}
	if r.ContentLength > s.opt.MaxBody {
		writeError(w, http.StatusRequestEntityTooLarge, s.tooLarge)
		return nil, 0, false
	}
	// Reserve what the body may take before reading it: the declared
	// length, or the limit when the length is not declared or the body
	// is compressed.
	want := s.opt.MaxBody
	if r.ContentLength >= 0 && coding == "" {
		want = r.ContentLength
	}
	if !s.budget.acquire(want) {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "the service is reading too many large bodies at once; retry shortly")
		return nil, 0, false
	}
	var err error
	var src io.Reader = http.MaxBytesReader(w, r.Body, s.opt.MaxBody)
	switch coding {
	case "gzip":
		src, err = gzip.NewReader(src)
	case "deflate":
		src, err = inflate(src)
	}
	if err == nil {
		// The buffer starts at the declared length, a guess from the
		// compressed length, or small: a small chunked or compressed body
		// must not cost MaxBody.
		expect := int64(16 << 10)
		switch {
		case r.ContentLength >= 0 && coding == "":
			expect = r.ContentLength
		case r.ContentLength >= 0:
			expect = max(8*r.ContentLength, 512)
		}
		body, err = readAll(src, expect, s.opt.MaxBody)
	}
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case err == nil:
		return body, want, true
	case errors.As(err, &mbe) || errors.Is(err, errTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, s.tooLarge)
	case errors.As(err, &ne) && ne.Timeout():
		// The client was too slow to send its body; it may no longer be
		// there to read this, but the log says what happened.
		logOf(w).outcome = "body read timed out"
		writeError(w, http.StatusRequestTimeout, "the body did not arrive in time")
	case coding != "" && !errors.Is(err, io.ErrUnexpectedEOF) && !isReadError(err):
		writeError(w, http.StatusBadRequest, "the body is not valid "+coding+": "+err.Error())
	default:
		writeError(w, http.StatusBadRequest, "the body could not be read: "+err.Error())
	}
	s.budget.release(want)
	return nil, 0, false
}

// contentCoding returns the one content coding of a body ("" for none:
// absent or identity), or describes why the service cannot decode it: a
// coding other than gzip and deflate, or more than one. Every
// Content-Encoding line counts (RFC 9110 5.3), so a second line can never
// leave compressed bytes to be read as JSON.
func contentCoding(h http.Header) (coding, problem string) {
	values := h.Values("Content-Encoding")
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			switch c = strings.ToLower(strings.TrimSpace(c)); c {
			case "", "identity":
				continue
			case "x-gzip":
				c = "gzip"
			case "gzip", "deflate":
			default:
				return "", "Content-Encoding " + strconv.Quote(c) + " is not supported"
			}
			if coding != "" {
				return "", "Content-Encoding " + strconv.Quote(strings.Join(values, ", ")) + " applies more than one coding"
			}
			coding = c
		}
	}
	return coding, ""
}

// inflate decodes HTTP's deflate coding: the zlib format (RFC 9110
// 8.4.1.2), or the bare deflate data some clients send under that name.
// The two are told apart by zlib's two-byte header, which a bare deflate
// stream does not start with (it would be a stored block with non-zero
// padding bits).
func inflate(src io.Reader) (io.Reader, error) {
	br := bufio.NewReader(src)
	h, err := br.Peek(2)
	if err == nil && h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}

// isReadError reports an error of the connection rather than of the
// body's content.
func isReadError(err error) bool {
	var ne net.Error
	var mbe *http.MaxBytesError
	return errors.As(err, &ne) || errors.As(err, &mbe)
}

var errTooLarge = errors.New("body too large")

// readAll reads src into a buffer of the expected size, so that reading
// a body of known length costs the body's size; a buffer that turns out
// too small doubles (up to limit), so that a body of unknown length costs
// at most twice its size.
func readAll(src io.Reader, expect, limit int64) ([]byte, error) {
	buf := make([]byte, 0, min(max(expect, 0), limit)+1) // +1: room to see EOF without growing
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, errTooLarge
			}
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// accept applies strict handling, drops integration failures that only
// repeat a schema failure of the same field, and answers 400 when anything
// is left.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, rep *validation.Report, acct store.Account) bool {
	if strict(r) {
		for _, ig := range rep.Ignored {
			rep.Add(validation.Failure{
				Location: ig.Location, Field: ig.Field, Rule: validation.RuleUnsupported, Integration: acct.Integration,
				Message: "is not supported by " + s.svc.IntegrationName(acct.Integration) + " (strict handling)",
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
	writeFailures(s, w, r, rep, acct.Integration)
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

// listOptions checks limit and next_cursor.
func listOptions(w http.ResponseWriter, r *http.Request, s *Server, op *api.Operation, p *api.Params) bool {
	def := api.DefaultLimit
	if op.DefaultLimit > 0 {
		def = op.DefaultLimit // the spec's
	}
	switch {
	case p.Limit == nil:
		p.Limit = new(def)
	case *p.Limit < 1 || *p.Limit > api.MaxLimit:
		writeFailure(s, w, r, validation.Failure{
			Location: validation.Query, Field: api.ParamLimit, Rule: validation.RuleFormat,
			Message: "must be between 1 and " + strconv.Itoa(api.MaxLimit) + " (default " + strconv.Itoa(def) + ")",
		}, "")
		return false
	}
	return true
}

// ifMatch reads If-Match (RFC 9110 13.1.1): "*" or a list of entity tags.
// Weak and strong tags compare alike, since a version names the whole
// record.
func ifMatch(w http.ResponseWriter, r *http.Request, s *Server) (store.Precondition, bool) {
	h := r.Header.Values("If-Match")
	if len(h) == 0 {
		return nil, true
	}
	var versions []int64
	for _, part := range strings.Split(strings.Join(h, ","), ",") {
		part = strings.TrimSpace(part)
		if part == "*" {
			return func(int64) bool { return true }, true
		}
		v, ok := parseETag(part)
		if !ok {
			writeFailure(s, w, r, validation.Failure{
				Location: validation.Header, Field: "If-Match", Rule: validation.RuleFormat,
				Message: strconv.Quote(part) + " is not an entity tag this service issued (e.g. W/\"3\")",
			}, "")
			return nil, false
		}
		versions = append(versions, v)
	}
	return func(current int64) bool {
		for _, v := range versions {
			if v == current {
				return true
			}
		}
		return false
	}, true
}

// etag names one version of a record.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

func parseETag(s string) (int64, bool) {
	s = strings.TrimPrefix(s, "W/")
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(s[1:len(s)-1], 10, 64)
	return v, err == nil && v > 0
}

// read runs a get or a list.
func (s *Server) read(x *exchange) {
	w, r, op, acct, out, call := x.w, x.r, x.op, x.acct, x.out, x.call
	call.Now = s.opt.Now().UTC()
	start := time.Now()
	res, err := s.backend.Do(r.Context(), call)
	if !acct.Remote() { // a provider's call is not the store's
		s.metrics.timeStore("read", start)
	}
	if err != nil {
		s.callFailed(x, err)
		return
	}
	for _, name := range res.IgnoredQuery {
		x.rep.Ignore(validation.Query, name)
	}
	ignoredHeaders(w, x.rep)
	if op.Kind == matrix.List {
		s.renderList(w, op, acct.Integration, res, out)
		return
	}
	// A record kept by the service has a version, its ETag; the
	// provider's record has none the service keeps.
	tag := ""
	if !acct.Remote() {
		tag = etag(res.Record.Version)
		if inm := r.Header.Get("If-None-Match"); inm != "" && matchesAny(inm, res.Record.Version) {
			w.Header().Set("ETag", tag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	body, ctype, err := s.render(op, acct.Integration, res.Record, out, 0)
	if err != nil {
		s.storageFailed(w, r, err)
		return
	}
	if tag != "" {
		w.Header().Set("ETag", tag)
	}
	w.Header().Set("Content-Type", ctype)
	writeBody(w, op.SuccessStatus, body, out.format == formatStream)
}

func matchesAny(header string, version int64) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if v, ok := parseETag(part); part == "*" || ok && v == version {
			return true
		}
	}
	return false
}

// write runs a create, update, delete or custom method in a store
// transaction, together with the Idempotency-Key when there is one, and
// writes the response.
func (s *Server) write(x *exchange) {
	w, r, op, acct, out, call := x.w, x.r, x.op, x.acct, x.out, x.call
	var key *store.IdemKey
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if len(k) > 255 {
			writeFailure(s, w, r, validation.Failure{
				Location: validation.Header, Field: "Idempotency-Key", Rule: validation.RuleFormat, Message: "must be at most 255 characters",
			}, "")
			return
		}
		// The same key must come with the same request: operation,
		// account, record, query (canonical form), preconditions and body.
		h := sha256.New()
		for _, part := range []string{op.OperationID, acct.ID, call.ID, r.URL.RawQuery, strings.Join(r.Header.Values("If-Match"), ",")} {
			io.WriteString(h, part)
			h.Write([]byte{0})
		}
		h.Write(x.raw)
		key = &store.IdemKey{TenantID: tenant(w).ID, Key: k, RequestHash: hex.EncodeToString(h.Sum(nil))}
	}
	if acct.Remote() {
		s.writeRemote(x, key)
		return
	}
	// The response is rendered in the transaction, by the store's single
	// writer, also when no Idempotency-Key keeps it: rendering after the
	// commit, in every request's own goroutine, lets all of them hold
	// their record at once (50 creates of 940 KiB at once peaked 20-40%
	// higher that way; bench/rss).
	start := time.Now()
	defer s.metrics.timeStore("write", start)
	saved, replayed, err := s.store.Write(r.Context(), key, func(tx store.Tx) (store.Saved, error) {
		call.Tx, call.Now = tx, s.opt.Now().UTC()
		res, err := s.backend.Do(r.Context(), call)
		if err != nil {
			return store.Saved{}, err
		}
		body, ctype, err := s.render(op, acct.Integration, res.Record, out, len(call.Body))
		return store.Saved{Status: op.SuccessStatus, ContentType: ctype, Body: body, ETag: etag(res.Record.Version)}, err
	})
	if err != nil {
		s.callFailed(x, err)
		return
	}
	ignoredHeaders(w, x.rep)
	h := w.Header()
	if replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	if saved.ETag != "" && op.Kind != matrix.Delete {
		h.Set("ETag", saved.ETag)
	}
	h.Set("Content-Type", saved.ContentType)
	writeBody(w, saved.Status, saved.Body, out.format == formatStream)
}

// callFailed answers a backend or store error.
func (s *Server) callFailed(x *exchange, err error) {
	w, r, op, acct, call := x.w, x.r, x.op, x.acct, x.call
	if s.remoteFailed(x, err) {
		return
	}
	switch {
	case errors.Is(err, store.ErrKeyReused):
		// The IETF Idempotency-Key draft's answer for a key reused with
		// another request; 409 would read as a provider conflict to
		// Truto's clients (spec/DECISIONS.md).
		writeError(w, http.StatusUnprocessableEntity, "Idempotency-Key "+strconv.Quote(r.Header.Get("Idempotency-Key"))+" was already used with a different request; use a new key for a new request")
	case errors.Is(err, backend.ErrNotFound):
		writeError(w, http.StatusNotFound, op.Model+"/"+op.Resource+" record "+strconv.Quote(call.ID)+" not found in integrated account "+acct.ID)
	case errors.Is(err, store.ErrPrecondition):
		writeError(w, http.StatusPreconditionFailed, op.Model+"/"+op.Resource+" record "+strconv.Quote(call.ID)+" has changed since the version If-Match names; read it again and retry with its ETag")
	case errors.Is(err, store.ErrBadCursor):
		writeFailure(s, w, r, validation.Failure{
			Location: validation.Query, Field: api.ParamNextCursor, Rule: validation.RuleFormat, Message: "is not a cursor this service issued; pass the next_cursor of the previous page as is",
		}, "")
	default:
		if x.op.Kind.Writes() && r.Context().Err() == nil {
			// A write that failed in the store, not because the client
			// went away: write health says so until a write succeeds.
			s.store.NoteFailure(err)
		}
		s.storageFailed(w, r, err)
	}
}

// storageFailed answers a failure of the service's own storage: 503, never
// blamed on the integration (unless the client went away: clientGone).
func (s *Server) storageFailed(w http.ResponseWriter, r *http.Request, err error) {
	if clientGone(w, r) {
		return
	}
	s.log.Error("storage", "request_id", requestID(w), "err", err)
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, "the service's storage failed; retry later")
}

// clientGone answers a request whose client went away, which fails
// whatever the store was doing for it: nobody is left to read an answer,
// so it is 499, nginx's "client closed request", for the access log.
func clientGone(w http.ResponseWriter, r *http.Request) bool {
	if r.Context().Err() == nil {
		return false
	}
	logOf(w).outcome = "client closed request"
	w.WriteHeader(499)
	return true
}

// ignoredHeaders names what the integration did not use.
func ignoredHeaders(w http.ResponseWriter, rep *validation.Report) {
	var body, query []string
	for _, ig := range rep.Ignored {
		if ig.Location == validation.Query {
			query = append(query, ig.Field)
		} else {
			body = append(body, ig.Field)
		}
	}
	if len(body) > 0 {
		w.Header().Set("X-Ignored-Fields", strings.Join(body, ", "))
	}
	if len(query) > 0 {
		w.Header().Set("X-Ignored-Query-Parameters", strings.Join(query, ", "))
	}
}
