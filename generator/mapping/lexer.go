package mapping

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// tokenKind classifies a token.
type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokName             // a field name or a keyword (and, or, true, false, null, function, in)
	tokQuoted           // a `backquoted` field name
	tokVar              // $, $$ or $name; text holds it with the "$"
	tokString           // a string literal; value holds it decoded
	tokNumber           // a number literal; num holds it
	tokOp               // an operator or punctuation; text holds it
)

type token struct {
	kind  tokenKind
	text  string // the source text (for tokQuoted and tokString, the decoded value)
	num   float64
	pos   Pos
	start int // byte offset where the token starts
}

// describe names the token in "found ..." messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the expression"
	case tokName:
		return "name " + strconv.Quote(t.text)
	case tokQuoted:
		return "name `" + t.text + "`"
	case tokVar:
		return t.text
	case tokString:
		return "string " + strconv.Quote(t.text)
	case tokNumber:
		return "number " + strconv.FormatFloat(t.num, 'g', -1, 64)
	}
	return strconv.Quote(t.text)
}

// lexer produces tokens on demand, so that a construct the parser rejects
// (a regular expression, say) is reported as such rather than as whatever
// its text looks like to the lexer.
type lexer struct {
	src        string
	off        int
	lineStarts []int
}

func newLexer(src string) *lexer {
	l := &lexer{src: src, lineStarts: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.lineStarts = append(l.lineStarts, i+1)
		}
	}
	return l
}

// pos converts a byte offset into a position.
func (l *lexer) pos(off int) Pos {
	line := sort.Search(len(l.lineStarts), func(i int) bool { return l.lineStarts[i] > off })
	return Pos{Offset: off, Line: line, Col: off - l.lineStarts[line-1] + 1}
}

// operators, longest first so that "!=" wins over "!".
var operators = []string{
	"..", ":=", "!=", "<=", ">=", "~>", "**",
	".", "[", "]", "{", "}", "(", ")", ",", ":", ";", "?", "=", "<", ">",
	"&", "+", "-", "*", "/", "%", "@", "#", "^", "|", "~",
}

func (l *lexer) next() (token, *Error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	start := l.off
	tok := token{pos: l.pos(start), start: start}
	if l.off >= len(l.src) {
		return tok, nil // tokEOF
	}
	c := l.src[l.off]
	switch {
	case c == '"' || c == '\'':
		s, err := l.quoted(c)
		tok.kind, tok.text = tokString, s
		return tok, err
	case c == '`':
		end := strings.IndexByte(l.src[l.off+1:], '`')
		if end < 0 {
			return tok, errorAt(tok.pos, "unterminated backquoted name: expected a closing `")
		}
		tok.kind, tok.text = tokQuoted, l.src[l.off+1:l.off+1+end]
		l.off += end + 2
		return tok, nil
	case c >= '0' && c <= '9':
		return l.number(tok)
	case c == '$':
		l.off++
		if l.off < len(l.src) && l.src[l.off] == '$' {
			l.off++
		} else {
			l.off += l.nameLen()
		}
		tok.kind, tok.text = tokVar, l.src[start:l.off]
		return tok, nil
	}
	if n := l.nameLen(); n > 0 {
		l.off += n
		tok.kind, tok.text = tokName, l.src[start:l.off]
		return tok, nil
	}
	for _, op := range operators {
		if strings.HasPrefix(l.src[l.off:], op) {
			l.off += len(op)
			tok.kind, tok.text = tokOp, op
			return tok, nil
		}
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.off:])
	hint := ""
	if r == '!' {
		hint = "; for negation write $not(...), for inequality !="
	}
	return tok, errorAt(tok.pos, "unexpected character %q%s", r, hint)
}

// nameLen is the length of the name (letters, digits, underscores)
// starting at the current offset.
func (l *lexer) nameLen() int {
	n := 0
	for l.off+n < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.off+n:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		n += size
	}
	return n
}

func (l *lexer) skipSpace() *Error {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.off++
		case strings.HasPrefix(l.src[l.off:], "/*"):
			end := strings.Index(l.src[l.off+2:], "*/")
			if end < 0 {
				return errorAt(l.pos(l.off), "unterminated comment: expected */")
			}
			l.off += end + 4
		default:
			return nil
		}
	}
	return nil
}

func (l *lexer) number(tok token) (token, *Error) {
	i := l.off
	digits := func() {
		for i < len(l.src) && l.src[i] >= '0' && l.src[i] <= '9' {
			i++
		}
	}
	digits()
	if i+1 < len(l.src) && l.src[i] == '.' && l.src[i+1] >= '0' && l.src[i+1] <= '9' {
		i++
		digits()
	}
	if i < len(l.src) && (l.src[i] == 'e' || l.src[i] == 'E') {
		j := i + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && l.src[j] >= '0' && l.src[j] <= '9' {
			i = j
			digits()
		}
	}
	text := l.src[l.off:i]
	l.off = i
	n, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return tok, errorAt(tok.pos, "number %s is out of range", text)
	}
	tok.kind, tok.text, tok.num = tokNumber, text, n
	return tok, nil
}

// quoted decodes a string literal with JSON's escapes.
func (l *lexer) quoted(q byte) (string, *Error) {
	start := l.off
	l.off++
	var b strings.Builder
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == q:
			l.off++
			return b.String(), nil
		case c == '\\':
			if l.off+1 >= len(l.src) {
				return "", errorAt(l.pos(start), "unterminated string: expected a closing %c", q)
			}
			esc := l.src[l.off+1]
			if r, ok := map[byte]rune{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[esc]; ok {
				b.WriteRune(r)
				l.off += 2
				continue
			}
			if esc != 'u' {
				return "", errorAt(l.pos(l.off), "unknown escape \\%c in string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", esc)
			}
			r, ok := l.hex4(l.off + 2)
			if !ok {
				return "", errorAt(l.pos(l.off), "bad \\u escape in string: expected four hexadecimal digits")
			}
			l.off += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := l.hex4(l.off + 2); ok && strings.HasPrefix(l.src[l.off:], `\u`) {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						l.off += 6
					}
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte(c)
			l.off++
		}
	}
	return "", errorAt(l.pos(start), "unterminated string: expected a closing %c", q)
}

func (l *lexer) hex4(at int) (rune, bool) {
	if at+4 > len(l.src) {
		return 0, false
	}
	n, err := strconv.ParseUint(l.src[at:at+4], 16, 32)
	return rune(n), err == nil
}
