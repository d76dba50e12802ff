package validation

import "strconv"

// What a schema asks of a value beyond its JSON type (a string's length,
// format and pattern, a number's range, an array's item count) is
// compared by the generated code, which knows the value's Go type; these
// record the failure, in the body (State) or in a query parameter
// (Param), with one message for both.

func badFormat(format string) string { return "must be " + article(format) + " " + format + " string" }
func tooShort(n int) string          { return "must be at least " + characters(n) + " long" }
func outOfRange(what string) string  { return "is out of range for " + what }
func tooLong(n int) string           { return "must be at most " + characters(n) + " long" }
func noMatch(p string) string        { return "must match the pattern " + strconv.Quote(p) }
func tooFewItems(n int) string       { return "must have at least " + items(n) }
func tooManyItems(n int) string      { return "must have at most " + items(n) }

func below(min float64, exclusive bool) string {
	if exclusive {
		return "must be greater than " + number(min)
	}
	return "must be at least " + number(min)
}

func above(max float64, exclusive bool) string {
	if exclusive {
		return "must be less than " + number(max)
	}
	return "must be at most " + number(max)
}

func number(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

// BadFormat records a string that does not match the schema's format.
func (s *State) BadFormat(format string) { s.bound(RuleFormat, badFormat(format)) }

// TooShort records a string with fewer than n characters.
func (s *State) TooShort(n int) { s.bound(RuleFormat, tooShort(n)) }

// OutOfRange records a number the Go type cannot hold.
func (s *State) OutOfRange(what string) { s.bound(RuleType, outOfRange(what)) }

// TooLong records a string with more than n characters.
func (s *State) TooLong(n int) { s.bound(RuleFormat, tooLong(n)) }

// NoMatch records a string that pattern does not match.
func (s *State) NoMatch(pattern string) { s.bound(RuleFormat, noMatch(pattern)) }

// Below records a number under the schema's minimum (or at it, when the
// minimum is exclusive).
func (s *State) Below(min float64, exclusive bool) { s.bound(RuleRange, below(min, exclusive)) }

// Above records a number over the schema's maximum (or at it, when the
// maximum is exclusive).
func (s *State) Above(max float64, exclusive bool) { s.bound(RuleRange, above(max, exclusive)) }

// TooFewItems records an array with fewer than n items.
func (s *State) TooFewItems(n int) { s.bound(RuleRange, tooFewItems(n)) }

// TooManyItems records an array with more than n items.
func (s *State) TooManyItems(n int) { s.bound(RuleRange, tooManyItems(n)) }

func (s *State) bound(rule Rule, msg string) {
	s.R.Add(Failure{Location: Body, Field: s.Path.String(), Rule: rule, Message: msg})
}

// BadFormat records a value that is not of the schema's format.
func (p Param) BadFormat(format string) { p.fail(RuleFormat, badFormat(format)) }

// TooShort records a value with fewer than n characters.
func (p Param) TooShort(n int) { p.fail(RuleFormat, tooShort(n)) }

// TooLong records a value with more than n characters.
func (p Param) TooLong(n int) { p.fail(RuleFormat, tooLong(n)) }

// NoMatch records a value that pattern does not match.
func (p Param) NoMatch(pattern string) { p.fail(RuleFormat, noMatch(pattern)) }

// Below records a number under the schema's minimum.
func (p Param) Below(min float64, exclusive bool) { p.fail(RuleRange, below(min, exclusive)) }

// Above records a number over the schema's maximum.
func (p Param) Above(max float64, exclusive bool) { p.fail(RuleRange, above(max, exclusive)) }

// TooFewItems records a list with fewer than n items.
func (p Param) TooFewItems(n int) { p.fail(RuleRange, tooFewItems(n)) }

// TooManyItems records a list with more than n items.
func (p Param) TooManyItems(n int) { p.fail(RuleRange, tooManyItems(n)) }

// OutOfRange records a number the Go type cannot hold.
func (p Param) OutOfRange(what string) { p.fail(RuleType, outOfRange(what)) }
