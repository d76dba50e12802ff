package validation

import (
	"strconv"
	"strings"
)

// JSONPath is the position of a decoder inside a body: a stack of object
// keys and array indexes. Generated decoders push and pop as they descend,
// which costs nothing on the happy path; the string form is built only when
// a failure needs it.
type JSONPath struct {
	segs []segment
}

type segment struct {
	key   string
	index int // -1 for a key
}

// Key enters the member key.
func (p *JSONPath) Key(key string) { p.segs = append(p.segs, segment{key: key, index: -1}) }

// Index enters array element i.
func (p *JSONPath) Index(i int) { p.segs = append(p.segs, segment{index: i}) }

// Pop leaves the innermost segment.
func (p *JSONPath) Pop() { p.segs = p.segs[:len(p.segs)-1] }

// Reset empties the path, keeping its storage.
func (p *JSONPath) Reset() { p.segs = p.segs[:0] }

// Depth is the number of segments.
func (p *JSONPath) Depth() int { return len(p.segs) }

// String renders the path as clients write it: `emails[0].type`. A key
// that is not a plain name (empty, or with characters other than letters,
// digits, _ and -) is written quoted, `remote_data["a.b"]`, so that two
// different paths never read the same. The empty path (the body itself)
// is "".
func (p *JSONPath) String() string {
	var b strings.Builder
	n := 0
	for _, s := range p.segs {
		n += len(s.key) + 4
	}
	b.Grow(n)
	for i, s := range p.segs {
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		writeKey(&b, s.key, i == 0)
	}
	return b.String()
}

// With renders the path with key appended, without changing p.
func (p *JSONPath) With(key string) string {
	var b strings.Builder
	b.WriteString(p.String())
	writeKey(&b, key, b.Len() == 0)
	return b.String()
}

func writeKey(b *strings.Builder, key string, first bool) {
	if !plainKey(key) {
		b.WriteByte('[')
		b.WriteString(strconv.Quote(key))
		b.WriteByte(']')
		return
	}
	if !first {
		b.WriteByte('.')
	}
	b.WriteString(key)
}

// plainKey reports a key that reads unambiguously after a dot.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
