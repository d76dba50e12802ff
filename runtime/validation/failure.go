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
func (f Failure) String() string {
	if f.Field == "" {
		if f.Location == Query {
			return "query string: " + f.Message
		}
		return string(f.Location) + ": " + f.Message
	}
	var b strings.Builder
	b.WriteString(string(f.Location))
	if f.Location == Body {
		b.WriteString(" field ")
	} else {
		b.WriteString(" parameter ")
	}
	b.WriteString(strconv.Quote(f.Field))
	b.WriteString(": ")
	b.WriteString(f.Message)
	return b.String()
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
