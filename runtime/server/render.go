package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// The values of truto_response_format.
const (
	formatUnified    = "unified"
	formatRaw        = "raw"
	formatNormalized = "normalized"
	formatStream     = "stream"
)

// output is how the client asked the response to be shaped.
type output struct {
	format       string
	ignoreRemote bool
	exclude      map[string]bool
}

// outputOptions reads the response-shaping parameters. The generated
// binder has checked their types and the format against the operation's
// enum. truto_exclude_fields takes a list (truto_exclude_fields[]=id) and
// also the comma form Truto's docs show (truto_exclude_fields=id,name).
func outputOptions(w http.ResponseWriter, r *http.Request, s *Server, p api.Params) (output, bool) {
	out := output{format: p.ResponseFormat, ignoreRemote: p.IgnoreRemoteData}
	switch out.format {
	case "":
		out.format = formatUnified
	case formatUnified, formatRaw, formatNormalized, formatStream:
	default:
		allowed := []string{formatUnified, formatRaw, formatNormalized, formatStream}
		writeFailure(s, w, r, validation.Failure{
			Location: validation.Query, Field: api.ParamResponseFormat, Rule: validation.RuleEnum,
			Message: strconv.Quote(out.format) + " is not one of " + validation.OneOf(allowed), Allowed: allowed,
		}, "")
		return out, false
	}
	for _, f := range p.ExcludeFields {
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				if out.exclude == nil {
					out.exclude = map[string]bool{}
				}
				out.exclude[name] = true
			}
		}
	}
	return out, true
}

// render shapes one record for the account's integration:
//
//   - unified: the unified fields the integration's response matrix lists,
//     with remote_data (the provider's record) unless
//     truto_ignore_remote_data is set;
//   - normalized: every field the integration returns, present even when
//     it has no value (null), and no remote_data: a fixed shape per
//     integration;
//   - raw: the provider's record as is;
//   - stream: the unified body as one NDJSON line, sent chunked and
//     flushed as written.
//
// truto_exclude_fields removes top-level fields from every format but raw.
// A custom method's record is wrapped as {"result": ...}, as Truto does.
// Write-only fields never appear, whatever the backend returned.
//
// sizeHint is the size the body is expected to have (the request body's,
// for a write), so that a large record is written into one buffer.
func (s *Server) render(op *api.Operation, integration string, rec backend.Record, out output, sizeHint int) ([]byte, string, error) {
	if out.format == formatRaw {
		if b, ctype, ok := rawAnswer(rec, s.writeOnly[op.Model+"/"+op.Resource]); ok {
			return b, ctype, nil
		}
	}
	v := s.shape(op, integration, rec, out)
	if op.Kind == matrix.Custom {
		v = map[string]any{"result": v}
	}
	if out.ignoreRemote || out.format == formatNormalized {
		sizeHint = 0 // remote_data, most of a large record, is left out
	}
	b, err := appendJSON(make([]byte, 0, sizeHint+1024), v)
	b = append(b, '\n')
	if out.format == formatStream {
		return b, "application/x-ndjson", err
	}
	return b, "application/json", err
}

func (s *Server) shape(op *api.Operation, integration string, rec backend.Record, out output) map[string]any {
	wo := s.writeOnly[op.Model+"/"+op.Resource]
	if out.format == formatRaw {
		return without(rec.Remote, wo)
	}
	m := make(map[string]any, len(op.Response))
	for i := range op.Response {
		f := &op.Response[i]
		if f.Level(integration) == matrix.Unsupported || out.exclude[f.Name] {
			continue
		}
		switch f.Name {
		case api.FieldETag:
			m[f.Name] = etag(rec.Version)
		case api.FieldRemoteData:
			if !out.ignoreRemote && out.format != formatNormalized {
				m[f.Name] = without(rec.Remote, wo)
			}
		default:
			if v, ok := rec.Unified[f.Name]; ok {
				m[f.Name] = v
			} else if out.format == formatNormalized {
				m[f.Name] = nil
			}
		}
	}
	return m
}

// without returns m less the named members (a copy only when one is there).
func without(m map[string]any, names []string) map[string]any {
	var c map[string]any
	for _, n := range names {
		if _, ok := m[n]; ok {
			if c == nil {
				c = make(map[string]any, len(m))
				for k, v := range m {
					c[k] = v
				}
			}
			delete(c, n)
		}
	}
	if c == nil {
		return m
	}
	return c
}

// renderList writes a list's page: {"result": [...], "next_cursor": ...}
// with each item shaped as render does, or, for stream, one item per
// NDJSON line, each flushed as written (the cursor of the next page is in
// the X-Next-Cursor header).
func (s *Server) renderList(w http.ResponseWriter, op *api.Operation, integration string, res backend.Result, out output) {
	if out.format == formatStream {
		if res.NextCursor != "" {
			w.Header().Set("X-Next-Cursor", res.NextCursor)
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(op.SuccessStatus)
		rc := http.NewResponseController(w)
		var b []byte
		for _, rec := range res.Items {
			var err error
			if b, err = appendJSON(b[:0], s.shape(op, integration, rec, out)); err != nil {
				return
			}
			b = append(b, '\n')
			if _, err := w.Write(b); err != nil {
				return
			}
			_ = rc.Flush()
		}
		return
	}
	items := make([]any, len(res.Items))
	for i, rec := range res.Items {
		items[i] = s.shape(op, integration, rec, out)
	}
	var next any
	if res.NextCursor != "" {
		next = res.NextCursor
	}
	b, err := appendJSON(nil, map[string]any{"result": items, "next_cursor": next})
	b = append(b, '\n')
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the page could not be encoded")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	writeBody(w, op.SuccessStatus, b, false)
}

// marshal encodes v as JSON followed by a newline, without HTML escaping:
// the bodies are for API clients, not pages.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// writeBody sends a response body; a streamed one goes out in chunks, each
// flushed, so a large record never waits for the whole body.
func writeBody(w http.ResponseWriter, status int, body []byte, stream bool) {
	if !stream {
		setContentLength(w.Header(), len(body))
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	const chunk = 4 << 10
	for b := body; len(b) > 0; {
		n := min(chunk, len(b))
		if _, err := w.Write(b[:n]); err != nil {
			return
		}
		_ = rc.Flush()
		b = b[n:]
	}
}
