// Package diag is how the generator and the service's configuration parser
// report a problem in a document they read: a position, the path of the
// offending key, a message that says what to do and, where a name was
// mistyped, the name it most likely meant.
package diag

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Diagnostic is one problem in the spec.
type Diagnostic struct {
	File string
	Line int // 1-based; 0 when unknown
	Col  int
	Path string // JSON pointer-like path of the offending key, e.g. paths./users.post.x-unified-support.request.name.dixaa
	Msg  string
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Position())
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Position is file:line:col, without the parts that are unknown.
func (d Diagnostic) Position() string {
	p := d.File
	if d.Line > 0 {
		p += ":" + strconv.Itoa(d.Line)
		if d.Col > 0 {
			p += ":" + strconv.Itoa(d.Col)
		}
	}
	return p
}

// List is every problem found, sorted by position. It is an error.
type List []Diagnostic

// Error lists one diagnostic per line.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, d := range l {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders l by file, line, column and message, so output is stable.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), cmp.Compare(a.Msg, b.Msg))
	})
}

// Err returns l as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}
