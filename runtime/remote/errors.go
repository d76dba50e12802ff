package remote

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/unifiedgen/unifiedgen/runtime/mapping"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// ErrNeedsReauth is matched (errors.Is) by an *Error for which the account
// must be reconnected: the provider refused its credentials (401), or the
// account lacks a credential the integration needs. The service marks the
// account and answers 401 until it is fixed.
var ErrNeedsReauth = errors.New("the integrated account needs to be re-authenticated")

// RuleRemote is the rule of a failure the provider reported for one of
// its fields.
const RuleRemote validation.Rule = "remote"

// Error is a call that did not give a record, in the terms of Truto's
// error contract (https://truto.one/docs/api-reference/overview/errors):
//
//   - a provider 4xx keeps its status, with truto_is_remote_error,
//     raw_response (the provider's body) and the provider's rate-limit
//     headers (Header);
//   - a provider 401 is a 401 that needs re-authentication;
//   - a provider 5xx, a malformed answer, a redirect to another host or a
//     refused or reset connection is a 502;
//   - a timeout (the per-call budget, or an attempt of a call that cannot
//     be retried) is a 504.
//
// It never carries a credential: messages and raw bodies are scrubbed of
// the account's secrets before they are kept.
type Error struct {
	// Status is the status to answer with.
	Status int
	// Message is the provider's message where it gave one, otherwise
	// what happened.
	Message     string
	Integration string
	// Remote reports an error that came from the provider (Truto's
	// truto_is_remote_error): every error but the account's own
	// credentials being unusable and the request not mapping.
	Remote bool
	// ProviderStatus is the provider's status, 0 when it gave none.
	ProviderStatus int
	// Raw is the provider's body and RawType its content type.
	Raw     []byte
	RawType string
	// doc is Raw decoded, when hasDoc: read once, for the message, the
	// failures and raw_response.
	doc    any
	hasDoc bool
	// Header holds the provider's rate-limit headers to forward.
	Header http.Header
	// Failures are the provider's field errors, with unified field names
	// where the mapping knows them.
	Failures []validation.Failure
	// NeedsReauth: see ErrNeedsReauth.
	NeedsReauth bool
	// RateLimited reports a provider 429 (truto_error_insight's
	// rate_limit_error).
	RateLimited bool
	// Attempts is how many requests were sent.
	Attempts int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("remote ")
	b.WriteString(e.Integration)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.ProviderStatus != 0 && e.ProviderStatus != e.Status {
		b.WriteString(" (provider " + strconv.Itoa(e.ProviderStatus) + ")")
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// Is matches ErrNeedsReauth.
func (e *Error) Is(target error) bool { return target == ErrNeedsReauth && e.NeedsReauth }

// Body is the error body to send, in Truto's shape: statusCode, error,
// message, and for provider errors truto_is_remote_error, raw_response
// (the provider's JSON, or its text when it is not JSON) and
// truto_error_insight (remote_error, rate_limit_error); failures lists the
// field errors. The service adds integration and request_id.
func (e *Error) Body() map[string]any {
	b := map[string]any{
		"statusCode": e.Status,
		"error":      http.StatusText(e.Status),
		"message":    e.Message,
	}
	if e.Integration != "" {
		b["integration"] = e.Integration
	}
	if len(e.Failures) > 0 {
		b["failures"] = e.Failures
	}
	if e.Remote {
		b["truto_is_remote_error"] = true
		if e.Raw != nil {
			b["raw_response"] = e.rawResponse()
		}
		insight := map[string]any{"remote_error": map[string]any{"description": "The error came from the integration's API; raw_response holds its answer."}}
		if e.RateLimited {
			insight["rate_limit_error"] = map[string]any{"description": "The integration's API is rate limiting this account; retry after the Retry-After header."}
		}
		b["truto_error_insight"] = insight
	}
	return b
}

// rawResponse is the provider's body as JSON when it is JSON, else its
// text; decoded once, when the error was made, when it can be.
func (e *Error) rawResponse() any {
	if e.hasDoc {
		return e.doc
	}
	if v, err := decodeJSON(e.Raw); err == nil {
		return v
	}
	return string(e.Raw)
}

// providerMessage reads the provider's message: the integration's
// expression first, then the keys providers commonly use (as Truto does).
func providerMessage(in *Integration, doc any) string {
	if in.ErrorMessage != nil && doc != nil {
		if v, err := in.ErrorMessage(doc); err == nil {
			if s, ok := scalarText(v); ok && s != "" {
				return s
			}
		}
	}
	obj, _ := doc.(map[string]any)
	for _, k := range []string{"message", "msg", "errorMessage", "error_description", "description", "detail", "summary", "error"} {
		if s, ok := obj[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// providerFailures reads the provider's field errors with the
// integration's expression: a list of {field, message} objects, or an
// object keyed by field whose values are a message or a list of them.
func providerFailures(m *Mapping, doc any) []validation.Failure {
	in := m.Integration
	if in.ErrorFields == nil || doc == nil {
		return nil
	}
	v, err := in.ErrorFields(doc)
	if err != nil || mapping.IsUndefined(v) {
		return nil
	}
	var out []validation.Failure
	add := func(field string, msg any) {
		text, ok := scalarText(msg)
		if !ok || field == "" {
			return
		}
		f := validation.Failure{Location: validation.Body, Field: field, Rule: RuleRemote, Integration: in.ID, Message: text}
		if u, ok := m.Fields[field]; ok {
			f.Field = u
			if u != field {
				f.Message = text + " (" + in.Name + " field " + strconv.Quote(field) + ")"
			}
		}
		out = append(out, f)
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if list, ok := x[k].([]any); ok {
				for _, it := range list {
					add(k, it)
				}
			} else {
				add(k, x[k])
			}
		}
	case []any:
		for _, it := range x {
			if o, ok := it.(map[string]any); ok {
				f, _ := scalarText(o["field"])
				add(f, o["message"])
			}
		}
	}
	return out
}

// scalarText is the text of a string, number or boolean.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	}
	return "", false
}
