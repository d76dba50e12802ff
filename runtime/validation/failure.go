package validation

import (
	"strconv"
	"strings"
)

// Location says which part of the request a failure is about.
type Location string

// The parts of a request a failure can point at.
const (
	Body   Location = "body"
	Query  Location = "query"
	Path   Location = "path"
	Header Location = "header"
)

// Rule names the check that failed. The values are part of the error body
// clients see (spec: components.schemas.Failure.rule), so they never change.
type Rule string

// The rules generated decoders and validators report.
const (
	RuleSyntax              Rule = "syntax"
	RuleType                Rule = "type"
	RuleFormat              Rule = "format"
	RuleEnum                Rule = "enum"
	RuleRequired            Rule = "required"
	RuleUnknown             Rule = "unknown"
	RuleDuplicate           Rule = "duplicate"
	RuleTooDeep             Rule = "too_deep"
	RuleIntegrationRequired Rule = "integration_required"
	RuleIntegrationEnum     Rule = "integration_enum"
	RuleUnsupported         Rule = "unsupported"
	// RuleRange is a number outside the schema's minimum or maximum, or
	// an array with fewer or more items than it allows.
	RuleRange Rule = "range"
)

// Failure is one problem found in a request.
type Failure struct {
	Location    Location `json:"location"`
	Field       string   `json:"field"`
	Rule        Rule     `json:"rule"`
	Integration string   `json:"integration,omitempty"`
	Message     string   `json:"message"`
	Allowed     []string `json:"allowed,omitempty"`
}

// String renders the failure the way error messages quote it:
// `body field "emails[0].type": must be one of "primary", "other"`.
func (f Failure) String() string { return string(f.Append(nil)) }

// Append appends the failure as String writes it, so that a message of
// several failures is built in one buffer.
func (f Failure) Append(b []byte) []byte {
	switch {
	case f.Field == "" && f.Location == Query:
		b = append(b, "query string"...)
	case f.Field == "":
		b = append(b, f.Location...)
	case f.Location == Body:
		b = append(b, f.Location...)
		b = append(b, " field "...)
		b = strconv.AppendQuote(b, f.Field)
	default:
		b = append(b, f.Location...)
		b = append(b, " parameter "...)
		b = strconv.AppendQuote(b, f.Field)
	}
	b = append(b, ": "...)
	return append(b, f.Message...)
}

// OneOf renders an allowed-values list for messages: `"a", "b"`.
func OneOf(values []string) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(v))
	}
	return b.String()
}

// characters renders a count of characters: "1 character", "3 characters".
func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return strconv.Itoa(n) + " characters"
}
