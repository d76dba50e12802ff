package mapping

import "fmt"

// Error is a problem with an expression, at a position relative to its
// source, so that the caller can report it at the spec's file:line:col.
type Error struct {
	Offset    int // byte offset in the source
	Line, Col int // 1-based
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

func errorAt(p Pos, format string, args ...any) *Error {
	return &Error{Offset: p.Offset, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}
}
