package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/store"
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

// outputOptions reads the response-shaping query parameters. The generated
// binder checks types but not enum values, so the format is checked here.
func outputOptions[F ~string](w http.ResponseWriter, r *http.Request, format *F, ignoreRemote *bool, exclude []string) (output, bool) {
	out := output{format: formatUnified}
	if format != nil {
		switch f := string(*format); f {
		case formatUnified, formatRaw, formatNormalized, formatStream:
			out.format = f
		default:
			allowed := []string{formatUnified, formatRaw, formatNormalized, formatStream}
			writeFailures(w, r, &validation.Report{Failures: []validation.Failure{{
				Location: validation.Query, Field: "truto_response_format", Rule: validation.RuleEnum,
				Message: strconv.Quote(f) + " is not one of " + validation.OneOf(allowed), Allowed: allowed,
			}}}, "")
			return out, false
		}
	}
	out.ignoreRemote = ignoreRemote != nil && *ignoreRemote
	if len(exclude) > 0 {
		out.exclude = make(map[string]bool, len(exclude))
		for _, f := range exclude {
			out.exclude[f] = true
		}
	}
	return out, true
}

// render shapes a backend result for the account's integration:
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
func render(op *matrix.Operation, integration string, res backend.Result, out output) ([]byte, string, error) {
	if out.format == formatRaw {
		b, err := marshal(res.Remote)
		return b, "application/json", err
	}
	m := make(map[string]any, len(op.Response))
	for i := range op.Response {
		f := &op.Response[i]
		if f.Level(integration) == matrix.Unsupported || out.exclude[f.Name] {
			continue
		}
		switch f.Name {
		case "etag":
			m[f.Name] = etag(res.Version)
		case "remote_data":
			if !out.ignoreRemote && out.format != formatNormalized {
				m[f.Name] = res.Remote
			}
		default:
			if v, ok := res.Unified[f.Name]; ok {
				m[f.Name] = v
			} else if out.format == formatNormalized {
				m[f.Name] = nil
			}
		}
	}
	b, err := marshal(m)
	if out.format == formatStream {
		return b, "application/x-ndjson", err
	}
	return b, "application/json", err
}

// etag names one version of a user.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// marshal encodes v as JSON followed by a newline, without HTML escaping:
// the bodies are for API clients, not pages.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// writeBody sends a saved response; a streamed one goes out in chunks, each
// flushed, so a large record never waits for the whole body.
func writeBody(w http.ResponseWriter, saved store.Saved, stream bool) {
	if !stream {
		w.Header().Set("Content-Length", strconv.Itoa(len(saved.Body)))
		w.WriteHeader(saved.Status)
		_, _ = w.Write(saved.Body)
		return
	}
	w.WriteHeader(saved.Status)
	rc := http.NewResponseController(w)
	const chunk = 4 << 10
	for b := saved.Body; len(b) > 0; {
		n := min(chunk, len(b))
		if _, err := w.Write(b[:n]); err != nil {
			return
		}
		_ = rc.Flush()
		b = b[n:]
	}
}
