package qs

import (
	"iter"
	"strconv"
)

// Kind is the shape of a Value.
type Kind uint8

const (
	// String is a leaf holding one decoded value. It is the zero Kind, so
	// the zero Value is the empty string.
	String Kind = iota
	// List is an ordered sequence of Values.
	List
	// Object is a set of named Values in the order their keys first
	// appeared in the query.
	Object
)

// String returns "string", "list" or "object".
func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case List:
		return "list"
	case Object:
		return "object"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

func (k Kind) withArticle() string {
	if k == Object {
		return "an object"
	}
	return "a " + k.String()
}

// Value is one node of a parsed query: a string, a list or an object. Lists
// and objects produced by Parse are never empty. Values are immutable and
// safe to share between goroutines.
type Value struct {
	s    string
	kids []field // List elements (key "") or Object fields
	kind Kind
}

type field struct {
	key string
	val Value
}

// Kind reports the shape of v.
func (v Value) Kind() Kind { return v.kind }

// Str returns the text of a String, and "" for a List or an Object.
func (v Value) Str() string { return v.s }

// Len returns the number of elements of a List or fields of an Object, and
// 0 for a String.
func (v Value) Len() int { return len(v.kids) }

// Index returns element i of a List, or the value of field i of an Object.
// Like a slice index it panics unless 0 <= i < v.Len().
func (v Value) Index(i int) Value { return v.kids[i].val }

// Key returns the key of field i of an Object ("" for a List). It panics
// unless 0 <= i < v.Len().
func (v Value) Key(i int) string { return v.kids[i].key }

// Get returns the field named key of an Object. It is a linear search,
// which Limits.MaxParams bounds.
func (v Value) Get(key string) (Value, bool) {
	if v.kind != Object {
		return Value{}, false
	}
	return lookup(v.kids, key)
}

// Strings returns the strings of a String (as a one-element slice) or of a
// List whose elements are all Strings, so that callers accept a=1, a=1&a=2,
// a[]=1 and a[0]=1 alike. ok is false for any other shape.
func (v Value) Strings() (ss []string, ok bool) {
	switch v.kind {
	case String:
		return []string{v.s}, true
	case List:
		ss = make([]string, len(v.kids))
		for i, f := range v.kids {
			if f.val.kind != String {
				return nil, false
			}
			ss[i] = f.val.s
		}
		return ss, true
	}
	return nil, false
}

// Values holds the top-level parameters of a query in the order their names
// first appeared. The zero Values has no parameters.
type Values struct {
	fields []field
}

// Get returns the parameter with the given top-level name; for a[x]=1 the
// name is "a". It is a linear search, which Limits.MaxParams bounds.
func (v Values) Get(name string) (Value, bool) { return lookup(v.fields, name) }

// Names yields the top-level parameter names in first-seen order.
func (v Values) Names() iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, f := range v.fields {
			if !yield(f.key) {
				return
			}
		}
	}
}

func lookup(fs []field, key string) (Value, bool) {
	for i := range fs {
		if fs[i].key == key {
			return fs[i].val, true
		}
	}
	return Value{}, false
}

// Encode writes v in the canonical form of this package: every list as
// indexed brackets, a[0]=x&a[1]=y, every object as a[k]=v, parameters and
// keys in order, everything but unreserved characters percent-encoded and
// brackets literal. Parsing the result gives a tree equal to v. The result
// can need one more level of depth than the original query (a[x]=1&a[x]=2
// encodes as a[x][0]=1&a[x][1]=2) and can be longer, so it may need larger
// Limits to parse again.
func (v Values) Encode() string {
	var b, path []byte
	for _, f := range v.fields {
		path = appendEscape(path[:0], f.key)
		b = appendValue(b, path, f.val)
	}
	return string(b)
}

func appendValue(b, path []byte, v Value) []byte {
	switch v.kind {
	case String:
		if len(b) > 0 {
			b = append(b, '&')
		}
		b = append(b, path...)
		b = append(b, '=')
		return appendEscape(b, v.s)
	case List:
		for i, f := range v.kids {
			p := append(path, '[')
			p = strconv.AppendInt(p, int64(i), 10)
			b = appendValue(b, append(p, ']'), f.val)
		}
	case Object:
		for _, f := range v.kids {
			p := appendEscape(append(path, '['), f.key)
			b = appendValue(b, append(p, ']'), f.val)
		}
	}
	return b
}

// appendEscape percent-encodes everything but RFC 3986 unreserved
// characters, writing spaces as '+'. Escaping '[' and ']' too is what lets
// literal brackets in the output mean structure only.
func appendEscape(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// Text returns a String value holding s, for values that do not come from
// a query string (path parameters) but are bound the same way.
func Text(s string) Value { return Value{s: s} }
