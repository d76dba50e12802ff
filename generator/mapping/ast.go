package mapping

// Kind is what an Expr is.
type Kind uint8

// The constructs of the subset.
const (
	Null    Kind = iota
	Boolean      // Bool
	Number       // Num
	String       // Str
	Context      // $: the current context item
	Root         // $$: the input document
	Var          // Str: a lambda parameter, without the "$"
	Name         // Str: a field name (a path step)
	Path         // Args: the steps; Args[0] any expression, the rest Name, Object or Index of those
	Index        // Args[0] indexed by the integer Int
	Object       // Keys[i]: Args[i]
	Array        // Args: the items
	Cond         // Args: condition, then, and else when present
	Binary       // Str: the operator; Args: left, right
	Negate       // Args[0]
	Call         // Str: the function name, without the "$"; Args
	Lambda       // Params (without "$"); Args[0] the body
)

// Expr is a node of a parsed expression. Which fields are set depends on
// Kind (see the constants).
type Expr struct {
	Kind Kind
	Pos  Pos // where the construct starts in the source

	Str  string
	Num  float64
	Bool bool
	Int  int

	Args   []*Expr
	Keys   []Key
	Params []string
}

// Key is an object constructor key with its position, for the checker's
// messages.
type Key struct {
	Name string
	Pos  Pos
}

// Pos is a position in the expression's source: a byte offset, and the
// 1-based line and column (in bytes) it falls on.
type Pos struct {
	Offset    int
	Line, Col int
}
