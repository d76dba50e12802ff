// Package qs parses URL query strings that use bracket notation for nested
// parameters, as sent by PHP/Rack-style forms and by the qs npm library, into
// a small tree of strings, lists and objects.
//
// Accepted key forms, all of which may be mixed in one query:
//
//	a=1                      plain          {"a": "1"}
//	a=1&a=2                  repeated       {"a": ["1", "2"]}
//	a[]=1&a[]=2              bracket array  {"a": ["1", "2"]}
//	a[1]=y&a[0]=x            indexed array  {"a": ["x", "y"]}
//	a[0][id]=1&a[1][id]=2    list of objects
//	a[][id]=1&a[][id]=2      list of objects, see "Appending" below
//	a[x]=1&a[y][z]=2         object         {"a": {"x": "1", "y": {"z": "2"}}}
//
// Keys and values are percent-decoded ('+' is a space in both) and keys are
// decoded before their brackets are read, so a%5B0%5D=1 is a[0]=1.
//
// # Semantics
//
// A bracket segment is an index when it is a canonical non-negative decimal
// ("0", "17"; not "01" or "-1"), the append marker when it is empty, and an
// object key otherwise. Indices order a list and are then compacted, like qs
// does: a[5]=x&a[2]=y gives ["y", "x"]. Indices above Limits.MaxIndex are an
// error rather than an object key, so a client that overflows a list learns
// about it instead of silently getting a different shape.
//
// When the same leaf path receives a second value, that leaf becomes a list
// of its values: a=1&a=2, a[x]=1&a[x]=2 (giving {"x": ["1", "2"]}) and
// a[0]=1&a[0]=2 (giving [["1", "2"]]) all follow this one rule. A string
// that is later addressed as a list (a=1&a[]=2) becomes the list's first
// element, because callers treat a string as a one-element list anyway (see
// Value.Strings). Any other change of shape, such as a=1&a[x]=2 or
// a[0]=1&a[x]=2, is an error.
//
// # Appending
//
// A final [] always appends a new element. A [] followed by more segments
// continues the list's last element (the one with the highest index) when the
// rest of the path does not yet lead to an existing value in it; otherwise it
// appends a new element. This is Rack's rule, and it gives the natural result
// for the usual encodings of lists of objects:
//
//	a[][id]=1&a[][name]=x&a[][id]=2&a[][name]=y  [{"id":"1","name":"x"},{"id":"2","name":"y"}]
//	a[][addr][city]=P&a[][addr][zip]=7           [{"addr":{"city":"P","zip":"7"}}]
//	a[][tags][]=x&a[][tags][]=y                  [{"tags":["x","y"]}]
//
// Checking the whole remaining path, not only the next key, is what keeps
// a[][addr][zip] in the same element as a[][addr][city].
//
// # Strictness
//
// Malformed brackets (a[b, a], a[b]c, a[[b]]), an empty parameter name,
// invalid percent-encoding and any limit being exceeded make Parse fail with
// an *Error; there is no partial result. Empty pairs ("a=1&&b=2") are
// skipped, a pair without '=' has the empty value, and an unescaped ';' is
// rejected as net/url does, so that this parser and any proxy or framework
// that splits on ';' cannot disagree about which parameters were sent.
package qs

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Limits bounds the work and memory Parse spends on one query string, so
// that a hostile query costs no more than a legitimate one of the same
// length. A field that is zero or negative takes its DefaultLimits value.
type Limits struct {
	// MaxParams is the largest number of key=value pairs. Empty pairs, as
	// in "a=1&&b=2", are not counted.
	MaxParams int
	// MaxDepth is the largest number of bracket segments in one key;
	// a[0][id] has depth 2.
	MaxDepth int
	// MaxIndex is the largest list index accepted in a[N]. Values above
	// 2^31-1 are treated as 2^31-1.
	MaxIndex int
	// MaxLen is the largest raw query length in bytes, before decoding.
	// Values above 1 GiB are treated as 1 GiB.
	MaxLen int
}

// DefaultLimits are generous for any real client of the API and small
// enough to make a hostile query cheap to reject. Parse uses them for every
// field of its Limits argument that is not positive.
var DefaultLimits = Limits{MaxParams: 1000, MaxDepth: 5, MaxIndex: 999, MaxLen: 64 << 10}

// Fallbacks used by normalize; constants so that a caller zeroing
// DefaultLimits cannot turn the limits off.
const (
	defMaxParams = 1000
	defMaxDepth  = 5
	defMaxIndex  = 999
	defMaxLen    = 64 << 10
	// Node ids are int32; a node needs at least one byte of input, so
	// capping the input length keeps ids from overflowing.
	maxMaxLen = 1 << 30
	// Appends use the largest index plus one; the cap keeps that far from
	// overflowing whatever the caller asks for.
	maxMaxIndex = 1<<31 - 1
)

func (l Limits) normalize() Limits {
	pick := func(v, dflt, fallback int) int {
		switch {
		case v > 0:
			return v
		case dflt > 0:
			return dflt
		}
		return fallback
	}
	l.MaxParams = pick(l.MaxParams, DefaultLimits.MaxParams, defMaxParams)
	l.MaxDepth = pick(l.MaxDepth, DefaultLimits.MaxDepth, defMaxDepth)
	l.MaxIndex = min(pick(l.MaxIndex, DefaultLimits.MaxIndex, defMaxIndex), maxMaxIndex)
	l.MaxLen = min(pick(l.MaxLen, DefaultLimits.MaxLen, defMaxLen), maxMaxLen)
	return l
}

// Error reports why a query string was rejected.
type Error struct {
	// Param is the decoded top-level parameter name. When the key has no
	// usable name (as in "[x]=1" or "a]=1") it is the whole decoded key,
	// and when the key cannot be decoded it is the raw key. It is empty
	// for errors about the query as a whole, such as its length.
	Param string
	// Reason says what is wrong, e.g. "index 5000 exceeds 999".
	Reason string
}

// Error formats the error as `query parameter "collections": index 5000
// exceeds 999`, or `query string: ...` when Param is empty.
func (e *Error) Error() string {
	if e.Param == "" {
		return "query string: " + e.Reason
	}
	return "query parameter " + strconv.Quote(e.Param) + ": " + e.Reason
}

// Parse parses raw, the query string without its leading '?' (as in
// url.URL.RawQuery), into its parameters. On failure the error is an *Error
// and the Values are empty.
func Parse(raw string, lim Limits) (Values, error) {
	return parse(raw, lim, false)
}

// indexThreshold is the '&' count from which children are looked up through
// a map instead of a linear scan. Below it a scan is faster than hashing and
// allocates nothing; above it a scan would make a 1000-key object quadratic.
const indexThreshold = 32

// parse is Parse with a switch that forces the map lookup, so tests can
// check it agrees with the linear scan on small inputs.
func parse(raw string, lim Limits, forceIndex bool) (Values, error) {
	lim = lim.normalize()
	if len(raw) > lim.MaxLen {
		return Values{}, &Error{Reason: "length " + strconv.Itoa(len(raw)) + " exceeds " + strconv.Itoa(lim.MaxLen)}
	}
	p := getParser()
	defer p.release()
	p.indexed = forceIndex || strings.Count(raw, "&") >= indexThreshold
	if p.indexed && p.index == nil {
		p.index = make(map[childKey]int32)
	}
	// One scan of the whole query is cheaper than one per pair.
	semicolon := strings.IndexByte(raw, ';') >= 0
	pairs := 0
	for rest := raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		if pairs++; pairs > lim.MaxParams {
			return Values{}, &Error{Param: paramName(rawKey), Reason: "more than " + strconv.Itoa(lim.MaxParams) + " parameters"}
		}
		if semicolon && strings.IndexByte(pair, ';') >= 0 {
			return Values{}, &Error{Param: paramName(rawKey), Reason: `unescaped ";" (use "&" between parameters, "%3B" inside them)`}
		}
		key, bad := unescape(rawKey)
		if bad >= 0 {
			return Values{}, &Error{Param: rawKey, Reason: "invalid percent-encoding " + escapeAt(rawKey, bad) + " in name"}
		}
		name, pos, reason := splitName(key)
		if reason != "" {
			if name == "" {
				name = key
			}
			return Values{}, &Error{Param: name, Reason: reason}
		}
		// Validate the whole key before touching the tree so that apply
		// and occupied can scan it again without error handling.
		for depth, i := 0, pos; i < len(key); {
			s, reason := scanSeg(key, i, lim.MaxIndex)
			if reason != "" {
				return Values{}, &Error{Param: name, Reason: reason}
			}
			if depth++; depth > lim.MaxDepth {
				return Values{}, &Error{Param: name, Reason: "depth exceeds " + strconv.Itoa(lim.MaxDepth)}
			}
			i = s.next
		}
		val, bad := unescape(rawVal)
		if bad >= 0 {
			return Values{}, &Error{Param: name, Reason: "invalid percent-encoding " + escapeAt(rawVal, bad) + " in value"}
		}
		if reason := p.apply(key, name, pos, val, lim.MaxIndex); reason != "" {
			return Values{}, &Error{Param: name, Reason: reason}
		}
	}
	return p.values(), nil
}

// paramName extracts the top-level name from a raw key for error messages
// about pairs that were not otherwise parsed; it falls back to the raw key.
func paramName(rawKey string) string {
	key, bad := unescape(rawKey)
	if bad >= 0 {
		return rawKey
	}
	if name, _, reason := splitName(key); reason == "" {
		return name
	}
	return rawKey
}

// escapeAt quotes the malformed escape at s[i] for an error message.
func escapeAt(s string, i int) string {
	return strconv.Quote(s[i:min(i+3, len(s))])
}

// unescape decodes s as application/x-www-form-urlencoded. It returns s
// itself when there is nothing to decode, which is the common case and
// costs no allocation. bad is the offset of a malformed escape, or -1.
func unescape(s string) (dec string, bad int) {
	i := 0
	for i < len(s) && s[i] != '%' && s[i] != '+' {
		i++
	}
	if i == len(s) {
		return s, -1
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) {
				return "", i
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", i
			}
			b.WriteByte(hi<<4 | lo)
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), -1
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// splitName returns the top-level name of a decoded key and the offset of
// its first bracket segment (len(key) when there is none).
func splitName(key string) (name string, pos int, reason string) {
	for i := 0; i < len(key); i++ {
		switch key[i] {
		case '[':
			if i == 0 {
				return "", 0, "empty parameter name"
			}
			return key[:i], i, ""
		case ']':
			return "", 0, `malformed brackets: "]" without "["`
		}
	}
	if key == "" {
		return "", 0, "empty parameter name"
	}
	return key, len(key), ""
}

type segKind uint8

const (
	segKey    segKind = iota // [name]
	segIndex                 // [17]
	segAppend                // []
)

type seg struct {
	kind segKind
	text string // the text between the brackets
	idx  int    // segIndex only
	next int    // offset just past the closing ']'
}

// scanSeg reads the bracket segment at key[pos], pos < len(key). reason is
// empty on success.
func scanSeg(key string, pos, maxIndex int) (s seg, reason string) {
	switch key[pos] {
	case '[':
	case ']':
		return s, `malformed brackets: "]" without "["`
	default:
		return s, `malformed brackets: text after "]"`
	}
	j := pos + 1
	for j < len(key) && key[j] != '[' && key[j] != ']' {
		j++
	}
	switch {
	case j == len(key):
		return s, `malformed brackets: unclosed "["`
	case key[j] == '[':
		return s, `malformed brackets: "[" inside brackets`
	}
	s.text, s.next = key[pos+1:j], j+1
	switch {
	case s.text == "":
		s.kind = segAppend
	case isIndex(s.text):
		s.kind = segIndex
		// 19 decimal digits always fit in a uint64, so the comparison
		// below cannot be fooled by overflow.
		if len(s.text) > 19 {
			return s, "index " + s.text + " exceeds " + strconv.Itoa(maxIndex)
		}
		var n uint64
		for i := 0; i < len(s.text); i++ {
			n = n*10 + uint64(s.text[i]-'0')
		}
		if n > uint64(maxIndex) {
			return s, "index " + s.text + " exceeds " + strconv.Itoa(maxIndex)
		}
		s.idx = int(n)
	}
	return s, ""
}

// isIndex reports whether t is a canonical decimal; qs also treats "01" as
// an object key, and keeping that lets Encode write every index canonically.
func isIndex(t string) bool {
	if t == "" || (t[0] == '0' && len(t) > 1) {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// kindUnset marks a node created for a path segment whose shape the next
// segment (or the value) decides. No node is left unset after a pair.
const kindUnset Kind = 255

// node is the mutable form of a Value while parsing. Nodes live in one
// slice and link their children, so that building a tree costs amortised
// appends rather than one allocation per container.
type node struct {
	str               string // String: its text
	key               string // key in the parent Object
	idx               int    // sort key in the parent List, compacted later
	maxIdx            int    // List: largest child idx, -1 when empty
	first, last, next int32  // children in insertion order, -1 terminated
	top               int32  // List: child with the largest idx, -1 when empty
	n                 int32  // number of children
	kind              Kind
	sorted            bool // List: children were added in idx order
}

func newNode(key string, idx int) node {
	return node{key: key, idx: idx, maxIdx: -1, first: -1, last: -1, next: -1, top: -1, kind: kindUnset, sorted: true}
}

// childKey finds a child through parser.index: by key in an Object, by idx
// in a List (the other field is zero).
type childKey struct {
	parent int32
	idx    int
	key    string
}

type parser struct {
	nodes   []node
	indexed bool               // look children up in index, not by scanning
	index   map[childKey]int32 // kept across uses, like the slices
	scratch []int32            // reused when sorting list children
}

// Parsers are pooled because their node arena is the one allocation a
// typical query would otherwise pay for besides its result. (A stack array
// does not work: storing the arena through *parser makes it escape.)
var parserPool = sync.Pool{New: func() any { return new(parser) }}

// Arenas beyond these sizes came from unusually large queries; dropping
// them keeps the pool from pinning that memory.
const (
	maxPooledNodes = 4096
	maxPooledIndex = 4096
)

func getParser() *parser {
	p := parserPool.Get().(*parser)
	root := newNode("", 0)
	root.kind = Object
	p.nodes = append(p.nodes, root)
	return p
}

func (p *parser) release() {
	if cap(p.nodes) > maxPooledNodes || len(p.index) > maxPooledIndex {
		return
	}
	// Clearing drops the strings, which point into the caller's query.
	clear(p.nodes)
	p.nodes = p.nodes[:0]
	if len(p.index) > 0 {
		clear(p.index)
	}
	parserPool.Put(p)
}

func (p *parser) addChild(parent int32, key string, idx int) int32 {
	c := int32(len(p.nodes))
	p.nodes = append(p.nodes, newNode(key, idx))
	pn := &p.nodes[parent]
	if pn.last < 0 {
		pn.first = c
	} else {
		p.nodes[pn.last].next = c
	}
	pn.last = c
	pn.n++
	if pn.kind == List {
		// idx == maxIdx cannot happen: callers look the index up first.
		if idx < pn.maxIdx {
			pn.sorted = false
		} else {
			pn.maxIdx, pn.top = idx, c
		}
	}
	if p.indexed {
		p.index[childKey{parent, idx, key}] = c
	}
	return c
}

func (p *parser) findKey(parent int32, key string) int32 {
	if p.indexed {
		if c, ok := p.index[childKey{parent: parent, key: key}]; ok {
			return c
		}
		return -1
	}
	for c := p.nodes[parent].first; c >= 0; c = p.nodes[c].next {
		if p.nodes[c].key == key {
			return c
		}
	}
	return -1
}

func (p *parser) findIdx(parent int32, idx int) int32 {
	if p.indexed {
		if c, ok := p.index[childKey{parent: parent, idx: idx}]; ok {
			return c
		}
		return -1
	}
	for c := p.nodes[parent].first; c >= 0; c = p.nodes[c].next {
		if p.nodes[c].idx == idx {
			return c
		}
	}
	return -1
}

// promote turns String node n into a List whose only element is the string.
func (p *parser) promote(n int32) {
	s := p.nodes[n].str
	p.nodes[n].str, p.nodes[n].kind = "", List
	c := p.addChild(n, "", 0)
	p.nodes[c].kind, p.nodes[c].str = String, s
}

// appendString adds a String element after the last element of List n.
func (p *parser) appendString(n int32, s string) {
	c := p.addChild(n, "", p.nodes[n].maxIdx+1)
	p.nodes[c].kind, p.nodes[c].str = String, s
}

// apply stores val at the validated key, whose bracket segments start at
// key[pos]. It returns a non-empty reason on a shape conflict.
func (p *parser) apply(key, name string, pos int, val string, maxIndex int) string {
	cur := p.findKey(0, name)
	if cur < 0 {
		cur = p.addChild(0, name, 0)
	}
	for pos < len(key) {
		s, _ := scanSeg(key, pos, maxIndex)
		want := List
		if s.kind == segKey {
			want = Object
		}
		switch have := p.nodes[cur].kind; {
		case have == kindUnset:
			p.nodes[cur].kind = want
		case have == want:
		case have == String && want == List:
			p.promote(cur)
		default:
			return conflict(key[:pos], have, want)
		}
		var c int32
		switch s.kind {
		case segKey:
			if c = p.findKey(cur, s.text); c < 0 {
				c = p.addChild(cur, s.text, 0)
			}
		case segIndex:
			if c = p.findIdx(cur, s.idx); c < 0 {
				c = p.addChild(cur, "", s.idx)
			}
		case segAppend:
			c = -1
			if t := p.nodes[cur].top; s.next < len(key) && t >= 0 && !p.occupied(t, key, s.next, maxIndex) {
				c = t
			}
			if c < 0 {
				c = p.addChild(cur, "", p.nodes[cur].maxIdx+1)
			}
		}
		cur, pos = c, s.next
	}
	switch p.nodes[cur].kind {
	case kindUnset:
		p.nodes[cur].kind, p.nodes[cur].str = String, val
	case String:
		p.promote(cur)
		p.appendString(cur, val)
	case List:
		p.appendString(cur, val)
	default:
		return conflict(key, Object, String)
	}
	return ""
}

// occupied reports whether the path key[pos:] already leads to a value
// inside node n, or cannot be added to n without a change of shape: either
// way a [] before it must start a new list element.
func (p *parser) occupied(n int32, key string, pos, maxIndex int) bool {
	for pos < len(key) {
		s, _ := scanSeg(key, pos, maxIndex)
		switch p.nodes[n].kind {
		case Object:
			if s.kind != segKey {
				return true
			}
			if n = p.findKey(n, s.text); n < 0 {
				return false
			}
		case List:
			switch s.kind {
			case segKey:
				return true
			case segAppend:
				return false
			}
			if n = p.findIdx(n, s.idx); n < 0 {
				return false
			}
		default:
			return true
		}
		pos = s.next
	}
	return true
}

func conflict(path string, have, want Kind) string {
	return strconv.Quote(path) + " is " + have.withArticle() + ", cannot also be " + want.withArticle()
}

// values copies the tree into its immutable form. All containers share one
// allocation, sized exactly: every node but the root is somebody's child.
func (p *parser) values() Values {
	root := p.nodes[0].n
	if root == 0 {
		return Values{}
	}
	slab := make([]field, len(p.nodes)-1)
	off := int(root)
	top := slab[:off:off]
	p.fill(0, top, slab, &off)
	return Values{fields: top}
}

func (p *parser) fill(n int32, dst, slab []field, off *int) {
	if nd := &p.nodes[n]; nd.kind == List && !nd.sorted {
		p.sortChildren(n)
	}
	i := 0
	for c := p.nodes[n].first; c >= 0; c = p.nodes[c].next {
		cn := &p.nodes[c]
		f := &dst[i]
		i++
		f.key, f.val.kind = cn.key, cn.kind
		if cn.kind == String {
			f.val.s = cn.str
			continue
		}
		lo, hi := *off, *off+int(cn.n)
		*off = hi
		f.val.kids = slab[lo:hi:hi]
		p.fill(c, f.val.kids, slab, off)
	}
}

// sortChildren relinks the children of List n in idx order. Indices are
// only compared, never used as offsets, so a[999]=x costs one node.
func (p *parser) sortChildren(n int32) {
	ids := p.scratch[:0]
	for c := p.nodes[n].first; c >= 0; c = p.nodes[c].next {
		ids = append(ids, c)
	}
	slices.SortFunc(ids, func(a, b int32) int { return cmp.Compare(p.nodes[a].idx, p.nodes[b].idx) })
	for i, c := range ids[:len(ids)-1] {
		p.nodes[c].next = ids[i+1]
	}
	last := ids[len(ids)-1]
	p.nodes[last].next = -1
	p.nodes[n].first, p.nodes[n].last, p.nodes[n].sorted = ids[0], last, true
	p.scratch = ids
}
