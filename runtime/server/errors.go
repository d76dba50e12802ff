package server

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// apiError is every error response body: Truto's shape (statusCode, error,
// message, truto_error_insight) plus the full failure list and the request
// id.
type apiError struct {
	StatusCode  int                  `json:"statusCode"`
	Error       string               `json:"error"`
	Message     string               `json:"message"`
	Integration string               `json:"integration,omitempty"`
	Failures    []validation.Failure `json:"failures,omitempty"`
	Insight     *insight             `json:"truto_error_insight,omitempty"`
	RequestID   string               `json:"request_id,omitempty"`
}

// insight is Truto's truto_error_insight: what went wrong, by kind.
type insight struct {
	MissingBody  *insightList `json:"missing_required_body_fields,omitempty"`
	MissingQuery *insightList `json:"missing_required_query_parameters,omitempty"`
	RateLimit    *insightNote `json:"rate_limit_error,omitempty"`
}

type insightList struct {
	Description string   `json:"description"`
	Value       []string `json:"value"`
}

type insightNote struct {
	Description string `json:"description"`
}

// writeError sends status with message.
func writeError(w http.ResponseWriter, status int, message string) {
	writeAPIError(w, apiError{StatusCode: status, Message: message})
}

// writeAPIError sends e, completing its status text and request id.
func writeAPIError(w http.ResponseWriter, e apiError) {
	e.Error = http.StatusText(e.StatusCode)
	e.RequestID = requestID(w)
	buf := errorBuffers.Get().(*[]byte)
	b := e.appendJSON((*buf)[:0])
	h := w.Header()
	h["Content-Type"] = jsonContentType
	setContentLength(h, len(b))
	w.WriteHeader(e.StatusCode)
	_, _ = w.Write(b) // the client went away; nothing left to tell it
	if cap(b) <= 16<<10 {
		*buf = b
		errorBuffers.Put(buf)
	}
}

// setContentLength declares a body's length, which net/http declares by
// itself for a body of at most 2 KiB written at once by a handler that
// then returns (its bufferBeforeChunkingSize): one header fewer to clone,
// sort and write for every small answer, errors above all.
func setContentLength(h http.Header, n int) {
	if n > 2048 {
		h["Content-Length"] = []string{strconv.Itoa(n)}
	}
}

// errorBuffers keep error bodies' buffers between requests: the
// ResponseWriter copies what it is given.
var errorBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// jsonContentType is the Content-Type header's value of every JSON
// answer, shared: net/http only reads a header's values, and the service
// never appends to them.
var jsonContentType = []string{"application/json"}

// appendJSON appends e as encoding/json would encode it (with HTML
// escaping off, and its newline), field by field: a rejected request is a
// normal outcome, and reflection was a twentieth of its cost.
// TestAPIErrorJSONIsEncodingJSONs holds the two to the same bytes.
func (e *apiError) appendJSON(b []byte) []byte {
	b = append(b, `{"statusCode":`...)
	b = strconv.AppendInt(b, int64(e.StatusCode), 10)
	b = append(b, `,"error":`...)
	b = appendString(b, e.Error)
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	if e.Integration != "" {
		b = append(b, `,"integration":`...)
		b = appendString(b, e.Integration)
	}
	if len(e.Failures) > 0 {
		b = append(b, `,"failures":[`...)
		for i, f := range e.Failures {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"location":`...)
			b = appendString(b, string(f.Location))
			b = append(b, `,"field":`...)
			b = appendString(b, f.Field)
			b = append(b, `,"rule":`...)
			b = appendString(b, string(f.Rule))
			if f.Integration != "" {
				b = append(b, `,"integration":`...)
				b = appendString(b, f.Integration)
			}
			b = append(b, `,"message":`...)
			b = appendString(b, f.Message)
			if len(f.Allowed) > 0 {
				b = append(b, `,"allowed":`...)
				b = appendStrings(b, f.Allowed)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if in := e.Insight; in != nil {
		b = append(b, `,"truto_error_insight":{`...)
		first := true
		list := func(key string, l *insightList) {
			if l == nil {
				return
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, key...)
			b = append(b, `:{"description":`...)
			b = appendString(b, l.Description)
			b = append(b, `,"value":`...)
			b = appendStrings(b, l.Value)
			b = append(b, '}')
		}
		list(`"missing_required_body_fields"`, in.MissingBody)
		list(`"missing_required_query_parameters"`, in.MissingQuery)
		if in.RateLimit != nil {
			if !first {
				b = append(b, ',')
			}
			b = append(b, `"rate_limit_error":{"description":`...)
			b = appendString(b, in.RateLimit.Description)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if e.RequestID != "" {
		b = append(b, `,"request_id":`...)
		b = appendString(b, e.RequestID)
	}
	return append(b, "}\n"...)
}

// writeFailures sends a 400 listing every failure of rep. integration is the
// account's integration id, or "" when the failures are not specific to one.
func writeFailures(s *Server, w http.ResponseWriter, r *http.Request, rep *validation.Report, integration string) {
	s.metrics.validation(logOf(w).operation, rep, integration)
	body := apiError{
		StatusCode:  http.StatusBadRequest,
		Message:     summary(rep),
		Integration: integration,
		Failures:    rep.Failures,
	}
	if integration != "" {
		name := s.svc.IntegrationName(integration)
		var in insight
		if fields := rep.MissingFields(validation.Body); len(fields) > 0 {
			in.MissingBody = &insightList{Description: name + " requires these body fields.", Value: fields}
		}
		if params := rep.MissingFields(validation.Query); len(params) > 0 {
			in.MissingQuery = &insightList{Description: name + " requires these query parameters.", Value: params}
		}
		if in.MissingBody != nil || in.MissingQuery != nil {
			body.Insight = &in
		}
	}
	writeAPIError(w, body)
}

// writeFailure sends a 400 with the one failure f, as writeFailures does.
func writeFailure(s *Server, w http.ResponseWriter, r *http.Request, f validation.Failure, integration string) {
	writeFailures(s, w, r, &validation.Report{Failures: []validation.Failure{f}}, integration)
}

// summary is the one-line message: the first few failures in order.
func summary(rep *validation.Report) string {
	const shown = 5
	var buf [512]byte
	b := buf[:0]
	for i, f := range rep.Failures {
		if i == shown {
			break
		}
		if i > 0 {
			b = append(b, "; "...)
		}
		b = f.Append(b)
	}
	if more := len(rep.Failures) - shown + rep.Dropped; more > 0 {
		b = append(b, "; and "...)
		b = strconv.AppendInt(b, int64(more), 10)
		b = append(b, " more"...)
	}
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		b = []byte(`{"statusCode":500,"error":"Internal Server Error","message":"the response could not be encoded"}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	setContentLength(h, len(b))
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client went away; nothing left to tell it
}
