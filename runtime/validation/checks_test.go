package validation

import "testing"

func TestBoundFailures(t *testing.T) {
	s, r := begin(t, `{}`)
	s.Path.Key("age")
	s.Below(0, false)
	s.Below(0.5, true)
	s.Above(150, false)
	s.Above(1e21, true)
	s.Path.Pop()
	s.Path.Key("tags")
	s.TooFewItems(1)
	s.TooManyItems(3)
	s.Path.Pop()
	s.Path.Key("code")
	s.TooLong(1)
	s.TooLong(8)
	s.NoMatch(`^[A-Z]{2}\d+$`)
	body := func(field string, rule Rule, msg string) Failure {
		return Failure{Location: Body, Field: field, Rule: rule, Message: msg}
	}
	wantFailures(t, r,
		body("age", RuleRange, "must be at least 0"),
		body("age", RuleRange, "must be greater than 0.5"),
		body("age", RuleRange, "must be at most 150"),
		body("age", RuleRange, "must be less than 1e+21"),
		body("tags", RuleRange, "must have at least 1 item"),
		body("tags", RuleRange, "must have at most 3 items"),
		body("code", RuleFormat, "must be at most 1 character long"),
		body("code", RuleFormat, "must be at most 8 characters long"),
		body("code", RuleFormat, `must match the pattern "^[A-Z]{2}\\d+$"`),
	)

	q := new(Report)
	p := QueryParam(q, "limit")
	p.Below(1, false)
	p.Above(100, true)
	p.TooFewItems(2)
	p.TooManyItems(1)
	p.TooLong(2)
	p.NoMatch("a+")
	p.OutOfRange("a 32-bit integer")
	p.BadFormat("email")
	wantFailures(t, q,
		queryFailure("limit", RuleRange, "must be at least 1"),
		queryFailure("limit", RuleRange, "must be less than 100"),
		queryFailure("limit", RuleRange, "must have at least 2 items"),
		queryFailure("limit", RuleRange, "must have at most 1 item"),
		queryFailure("limit", RuleFormat, "must be at most 2 characters long"),
		queryFailure("limit", RuleFormat, `must match the pattern "a+"`),
		queryFailure("limit", RuleType, "is out of range for a 32-bit integer"),
		queryFailure("limit", RuleFormat, "must be an email string"),
	)
}
