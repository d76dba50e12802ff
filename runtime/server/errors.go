package server

import (
	"net/http"
	"strconv"
	"strings"

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
func writeError(w http.ResponseWriter, r *http.Request, status int, message string) {
	writeAPIError(w, r, apiError{StatusCode: status, Message: message})
}

// writeAPIError sends e, completing its status text and request id.
func writeAPIError(w http.ResponseWriter, r *http.Request, e apiError) {
	e.Error = http.StatusText(e.StatusCode)
	if r != nil {
		e.RequestID = requestID(r.Context())
	}
	writeJSON(w, e.StatusCode, e)
}

// writeFailures sends a 400 listing every failure of rep. integration is the
// account's integration id, or "" when the failures are not specific to one.
func writeFailures(s *Server, w http.ResponseWriter, r *http.Request, rep *validation.Report, integration string) {
	s.metrics.validation(r.Context(), rep, integration)
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
	writeAPIError(w, r, body)
}

// summary is the one-line message: the first few failures in order.
func summary(rep *validation.Report) string {
	const shown = 5
	var parts []string
	for i, f := range rep.Failures {
		if i == shown {
			break
		}
		parts = append(parts, f.String())
	}
	msg := strings.Join(parts, "; ")
	if more := len(rep.Failures) - shown + rep.Dropped; more > 0 {
		msg += "; and " + strconv.Itoa(more) + " more"
	}
	return msg
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		b = []byte(`{"statusCode":500,"error":"Internal Server Error","message":"the response could not be encoded"}` + "\n")
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client went away; nothing left to tell it
}
