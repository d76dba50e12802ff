package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// apiError is every error response body: Truto's shape (statusCode, error,
// message, truto_error_insight) plus the full failure list. The JSON shape
// is the spec's Error schema.
type apiError struct {
	StatusCode  int                  `json:"statusCode"`
	Error       string               `json:"error"`
	Message     string               `json:"message"`
	Integration string               `json:"integration,omitempty"`
	Failures    []validation.Failure `json:"failures,omitempty"`
	Insight     *insight             `json:"truto_error_insight,omitempty"`
	RequestID   string               `json:"request_id,omitempty"`
}

type insight struct {
	MissingBody  *insightList `json:"missing_required_body_fields,omitempty"`
	MissingQuery *insightList `json:"missing_required_query_parameters,omitempty"`
}

type insightList struct {
	Description string   `json:"description"`
	Value       []string `json:"value"`
}

// writeError sends status with message.
func writeError(w http.ResponseWriter, r *http.Request, status int, message string) {
	writeJSON(w, status, apiError{StatusCode: status, Error: http.StatusText(status), Message: message, RequestID: requestID(r.Context())})
}

// writeFailures sends a 400 listing every failure of rep. integration is the
// account's integration id, or "" when the failures are not specific to one.
func writeFailures(w http.ResponseWriter, r *http.Request, rep *validation.Report, integration string) {
	body := apiError{
		StatusCode:  http.StatusBadRequest,
		Error:       http.StatusText(http.StatusBadRequest),
		Message:     summary(rep),
		Integration: integration,
		Failures:    rep.Failures,
		RequestID:   requestID(r.Context()),
	}
	if integration != "" {
		name := integration
		if in, ok := unified.LookupIntegration(integration); ok {
			name = in.Name
		}
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
	writeJSON(w, http.StatusBadRequest, body)
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
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing left to tell it
}
