package validation

// MaxFailures bounds how many failures one report keeps, so that a hostile
// body (a million bad array items) cannot make the error body huge. The
// report says when it dropped some.
const MaxFailures = 100

// Report collects every failure of one request, plus the fields the
// integration does not use. Generated code only appends to it; the zero
// value is ready to use and a Report can be Reset and reused.
type Report struct {
	Failures []Failure
	// Dropped counts failures beyond MaxFailures.
	Dropped int
	// Ignored lists the request fields and query parameters the account's
	// integration does not support and that were removed from the request.
	Ignored []Ignored
}

// Ignored is a request field or query parameter that was dropped.
type Ignored struct {
	Location Location
	Field    string
}

// OK reports whether no failure was recorded.
func (r *Report) OK() bool { return len(r.Failures) == 0 && r.Dropped == 0 }

// Reset empties the report, keeping its storage.
func (r *Report) Reset() {
	clear(r.Failures)
	r.Failures = r.Failures[:0]
	r.Dropped = 0
	r.Ignored = r.Ignored[:0]
}

// Add records f.
func (r *Report) Add(f Failure) {
	// A body that is not JSON (or too deep) must say so however many
	// failures came before: it is the one that explains the others.
	if len(r.Failures) >= MaxFailures && f.Rule != RuleSyntax && f.Rule != RuleTooDeep {
		r.Dropped++
		return
	}
	r.Failures = append(r.Failures, f)
}

// Missing records that integration requires field (a body field or a query
// parameter) and the request does not carry it.
func (r *Report) Missing(loc Location, field, integration, integrationName string) {
	r.Add(Failure{
		Location:    loc,
		Field:       field,
		Rule:        RuleIntegrationRequired,
		Integration: integration,
		Message:     "required by " + integrationName,
	})
}

// Empty records that a field integration requires was sent empty: what
// names the empty value ("an empty array"). It counts as missing (a list
// of no emails is no email to create a user with), and the message says
// so, since a client that sent it believes it sent the field.
func (r *Report) Empty(loc Location, field, integration, integrationName, what string) {
	r.Add(Failure{
		Location:    loc,
		Field:       field,
		Rule:        RuleIntegrationRequired,
		Integration: integration,
		Message:     "required by " + integrationName + ", and " + what + " counts as missing",
	})
}

// NotAllowed records that value at field is outside what integration accepts.
func (r *Report) NotAllowed(field string, value string, integration, integrationName string, allowed []string) {
	r.Add(Failure{
		Location:    Body,
		Field:       field,
		Rule:        RuleIntegrationEnum,
		Integration: integration,
		Message:     quote(value) + " is not accepted by " + integrationName + "; use one of " + OneOf(allowed),
		Allowed:     allowed,
	})
}

// Ignore records that field was removed because the integration does not
// support it.
func (r *Report) Ignore(loc Location, field string) {
	r.Ignored = append(r.Ignored, Ignored{Location: loc, Field: field})
}

// MissingFields returns the fields of loc that failed an
// integration_required rule, in report order: Truto's
// truto_error_insight lists.
func (r *Report) MissingFields(loc Location) []string {
	var out []string
	for _, f := range r.Failures {
		if f.Location == loc && f.Rule == RuleIntegrationRequired {
			out = append(out, f.Field)
		}
	}
	return out
}

// BodyReadable reports whether the body was a JSON object at all: not
// malformed, not nested too deep, and not null, an array or a scalar (a
// failure of the whole body, whose field is ""). Per-integration rules
// are worth checking only on a readable body.
func (r *Report) BodyReadable() bool {
	for _, f := range r.Failures {
		if f.Location == Body && (f.Rule == RuleSyntax || f.Rule == RuleTooDeep || f.Field == "") {
			return false
		}
	}
	return true
}
