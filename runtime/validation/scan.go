package validation

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The scanner reads JSON (RFC 8259) straight from the body's bytes. It is
// the half of decoding that is the same for every schema; generated
// decoders are the other half, one function per schema, asking for exactly
// the token their schema expects next. It never builds a value it was not
// asked for, and strings without escapes are slices of the body.
//
// It accepts exactly what encoding/json accepts (FuzzScanAgreesWithEncodingJSON):
// on a syntax error it says little, because End asks encoding/json for the
// message and the offset, once, on a body already known to be bad.

// Token is the kind of JSON value that starts where the scanner stands.
type Token uint8

// The tokens, as Next reports them.
const (
	TokenInvalid Token = iota
	TokenString
	TokenNumber
	TokenNull
	TokenBool
	TokenArray
	TokenObject
)

// String names a token the way failure messages say it.
func (t Token) String() string {
	switch t {
	case TokenString:
		return "string"
	case TokenNumber:
		return "number"
	case TokenNull:
		return "null"
	case TokenBool:
		return "boolean"
	case TokenArray:
		return "array"
	case TokenObject:
		return "object"
	}
	return "invalid JSON"
}

// tokenAt maps the first byte of a value to its token.
var tokenAt = func() (t [256]Token) {
	t['"'] = TokenString
	t['-'] = TokenNumber
	for c := '0'; c <= '9'; c++ {
		t[c] = TokenNumber
	}
	t['n'] = TokenNull
	t['t'], t['f'] = TokenBool, TokenBool
	t['['] = TokenArray
	t['{'] = TokenObject
	return t
}()

// plain marks the bytes a string holds as they are: not the closing quote,
// not a backslash, not a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// maxSkipDepth bounds the nesting of a value the scanner skips (a member
// the schema does not have): encoding/json's own bound, so that End's
// message for it is encoding/json's "exceeded max depth".
const maxSkipDepth = 10000

// syntaxError is a fatal error in the body's JSON. End reports it with
// encoding/json's message and offset, so it carries only what a reader of
// the code needs.
type syntaxError struct {
	off  int
	what string
}

func (e *syntaxError) Error() string {
	return e.what + " at byte offset " + strconv.Itoa(e.off)
}

func (s *State) syntax(what string) error {
	return &syntaxError{off: s.pos, what: what}
}

// ws skips white space.
func (s *State) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\n', '\r', '\t':
			s.pos++
		default:
			return
		}
	}
}

// Next skips white space and reports the token of the value that starts
// there, without reading it.
func (s *State) Next() Token {
	s.ws()
	if s.pos >= len(s.data) {
		return TokenInvalid
	}
	return tokenAt[s.data[s.pos]]
}

// Err is the syntax error that ended a FirstKey/NextKey or
// FirstItem/NextItem loop early, or nil if the loop reached the end of its
// object or array.
func (s *State) Err() error { return s.err }

// FirstKey enters an object (the one Next reported) and reads its first
// member's key and colon. It reports false for an empty object and on a
// syntax error (see Err). The key is unescaped; it stays valid until the
// next key or string is read.
func (s *State) FirstKey() ([]byte, bool) {
	if !s.enter('{') {
		return nil, false
	}
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil, false
	}
	return s.key()
}

// NextKey moves past the member just read to the next one's key, or out
// of the object after its last member (false).
func (s *State) NextKey() ([]byte, bool) {
	s.ws()
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.ws()
			return s.key()
		case '}':
			s.pos++
			s.depth--
			return nil, false
		}
	}
	s.err = s.syntax("expected , or } after an object member")
	return nil, false
}

func (s *State) key() ([]byte, bool) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		s.err = s.syntax("expected a member's key")
		return nil, false
	}
	k, _, err := s.str()
	if err != nil {
		s.err = err
		return nil, false
	}
	if s.pos < len(s.data) && s.data[s.pos] == ':' {
		s.pos++
		return k, true
	}
	s.ws()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		s.err = s.syntax("expected : after a member's key")
		return nil, false
	}
	s.pos++
	return k, true
}

// FirstItem enters an array (the one Next reported) and reports whether
// it has an item to read.
func (s *State) FirstItem() bool {
	if !s.enter('[') {
		return false
	}
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return false
	}
	return true
}

// at reports whether the next byte after white space is c. Callers
// usually stand on it already, having asked Next: that is one comparison.
func (s *State) at(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		return true
	}
	s.ws()
	return s.pos < len(s.data) && s.data[s.pos] == c
}

// enter moves past the white space and the bracket that open an object or
// an array, one level deeper.
func (s *State) enter(open byte) bool {
	if !s.at(open) {
		s.err = s.syntax("expected " + string(open))
		return false
	}
	s.pos++
	s.depth++
	s.ws()
	return true
}

// NextItem moves past the item just read to the next one, or out of the
// array after its last item (false).
func (s *State) NextItem() bool {
	s.ws()
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ',':
			s.pos++
			return true
		case ']':
			s.pos++
			s.depth--
			return false
		}
	}
	s.err = s.syntax("expected , or ] after an array item")
	return false
}

// str reads a string. Without escapes it is a slice of the
// body (plain is true); with them it is unescaped into the State's scratch
// buffer, valid until the next escaped string. The body is known to be
// UTF-8 (Begin), so bytes are not checked one rune at a time.
func (s *State) str() (b []byte, isPlain bool, err error) {
	if !s.at('"') {
		return nil, false, s.syntax("expected a string")
	}
	data := s.data
	start := s.pos + 1
	for i := start; i < len(data); i++ {
		if plain[data[i]] {
			continue
		}
		switch data[i] {
		case '"':
			s.pos = i + 1
			return data[start:i], true, nil
		case '\\':
			b, err := s.unescape(start, i)
			return b, false, err
		}
		s.pos = i
		return nil, false, s.syntax("control character in a string")
	}
	s.pos = len(data)
	return nil, false, s.syntax("unterminated string")
}

// unescape finishes a string whose first escape is at i.
func (s *State) unescape(start, i int) ([]byte, error) {
	data := s.data
	b := append(s.scratch[:0], data[start:i]...)
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			s.scratch = b
			return b, nil
		case c < 0x20:
			s.pos = i
			return nil, s.syntax("control character in a string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(data) {
			break
		}
		i += 2
		switch data[i-1] {
		case '"', '\\', '/':
			b = append(b, data[i-1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(data, i)
			if !ok {
				s.pos = i
				return nil, s.syntax("invalid \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a surrogate alone is U+FFFD,
				// as encoding/json decodes it.
				if r2, ok := pairAt(data, i); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			s.pos = i - 1
			return nil, s.syntax("invalid escape")
		}
	}
	s.pos = len(data)
	return nil, s.syntax("unterminated string")
}

// pairAt reads a \uXXXX escape at i, if there is one.
func pairAt(data []byte, i int) (rune, bool) {
	if i+1 >= len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	return hex4(data, i+2)
}

func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// StrBytes reads a string as bytes, valid until the next string is read:
// for enum values, which are compared, not kept.
func (s *State) StrBytes() ([]byte, error) {
	b, _, err := s.str()
	return b, err
}

// Str reads a string. An unescaped string is a substring of the body's
// one copy; an escaped one is its own string.
func (s *State) Str() (string, error) {
	b, isPlain, err := s.str()
	if err != nil || len(b) == 0 {
		return "", err
	}
	if !isPlain {
		return string(b), nil
	}
	if s.text == "" {
		s.text = string(s.data)
	}
	off := s.pos - 1 - len(b)
	return s.text[off : off+len(b)], nil
}

// number reads a number's bytes, checking RFC 8259's grammar.
func (s *State) number() ([]byte, error) {
	s.ws()
	data := s.data
	start, i := s.pos, s.pos
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = digits(data, i+1)
	default:
		s.pos = i
		return nil, s.syntax("expected a digit")
	}
	if i < len(data) && data[i] == '.' {
		if i+1 >= len(data) || !isDigit(data[i+1]) {
			s.pos = i + 1
			return nil, s.syntax("expected a digit after the decimal point")
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			s.pos = i
			return nil, s.syntax("expected a digit in the exponent")
		}
		i = digits(data, i)
	}
	s.pos = i
	return data[start:i], nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

// Int reads an integer. A number with a fraction or out of int64 range is a
// type failure, not a fatal error: the rest of the body is still checked.
// A zero fraction (1.0) is an integer, as JSON Schema counts it.
func (s *State) Int() (int64, bool, error) {
	n, err := s.number()
	if err != nil {
		return 0, false, err
	}
	v, ok := parseInt(n)
	if !ok {
		s.R.Add(Failure{Location: Body, Field: s.Path.String(), Rule: RuleType, Message: "must be an integer, got " + string(n)})
		return 0, false, nil
	}
	return v, true, nil
}

// parseInt converts a number with RFC 8259's grammar to an int64, if it is
// a whole number in range.
func parseInt(n []byte) (int64, bool) {
	neg := n[0] == '-'
	if neg {
		n = n[1:]
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var u uint64
	i := 0
	for ; i < len(n) && isDigit(n[i]); i++ {
		d := uint64(n[i] - '0')
		if u > (limit-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	if i < len(n) {
		if n[i] != '.' {
			return 0, false // an exponent
		}
		for _, c := range n[i+1:] {
			if c != '0' {
				return 0, false
			}
		}
	}
	if neg {
		return -int64(u-1) - 1, true
	}
	return int64(u), true
}

// Float64 reads a number. One beyond float64's range is a type failure,
// not a fatal error.
func (s *State) Float64() (float64, bool, error) {
	n, err := s.number()
	if err != nil {
		return 0, false, err
	}
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(n), len(n)), 64)
	if err != nil {
		s.OutOfRange("a 64-bit float")
		return 0, false, nil
	}
	return v, true, nil
}

// Bool reads true or false.
func (s *State) Bool() (bool, error) {
	s.ws()
	if s.literal("true") {
		return true, nil
	}
	if s.literal("false") {
		return false, nil
	}
	return false, s.syntax("expected true or false")
}

func (s *State) literal(word string) bool {
	if len(s.data)-s.pos >= len(word) && string(s.data[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return false
}

// Skip reads past one value of any kind, checking its syntax. Its nesting
// counts from the body's root, as encoding/json's bound does.
func (s *State) Skip() error {
	switch s.Next() {
	case TokenString:
		_, _, err := s.str()
		return err
	case TokenNumber:
		_, err := s.number()
		return err
	case TokenBool:
		_, err := s.Bool()
		return err
	case TokenNull:
		if !s.literal("null") {
			return s.syntax("expected null")
		}
		return nil
	case TokenObject:
		if s.depth >= maxSkipDepth {
			return s.syntax("nested too deep")
		}
		for _, more := s.FirstKey(); more; _, more = s.NextKey() {
			if err := s.Skip(); err != nil {
				return err
			}
		}
		return s.err
	case TokenArray:
		if s.depth >= maxSkipDepth {
			return s.syntax("nested too deep")
		}
		for more := s.FirstItem(); more; more = s.NextItem() {
			if err := s.Skip(); err != nil {
				return err
			}
		}
		return s.err
	}
	if s.pos >= len(s.data) {
		return errEnd
	}
	return s.syntax("expected a JSON value")
}

var errEnd = errors.New("unexpected end of JSON input")
