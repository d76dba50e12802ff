package mapping

import (
	"math"
	"slices"
	"strconv"

	"github.com/unifiedgen/unifiedgen/diag"
)

// Parse parses src, an expression of the subset documented in doc.go. The
// error, an *Error, is the first problem found; its message says what was
// expected and what was found, and names constructs of full JSONata that
// the subset leaves out.
func Parse(src string) (*Expr, error) {
	p := &parser{lex: newLexer(src)}
	e, err := p.parse()
	if err != nil {
		return nil, err
	}
	return e, nil
}

type parser struct {
	lex    *lexer
	tok    token      // the next token, not yet consumed
	scopes [][]string // lambda parameters in scope, innermost last
	parens map[*Expr]bool
}

// bail carries a parse error up through the recursive descent.
type bail struct{ err *Error }

func (p *parser) parse() (e *Expr, err *Error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			e, err = nil, b.err
		}
	}()
	p.parens = map[*Expr]bool{}
	p.advance()
	e = p.expr(0)
	if p.tok.kind != tokEOF {
		p.fail(p.tok.pos, "expected an operator or the end of the expression, found %s", p.tok.describe())
	}
	return e, nil
}

func (p *parser) fail(pos Pos, format string, args ...any) {
	panic(bail{errorAt(pos, format, args...)})
}

// advance consumes the current token and returns it.
func (p *parser) advance() token {
	t := p.tok
	next, err := p.lex.next()
	if err != nil {
		panic(bail{err})
	}
	p.tok = next
	return t
}

func (p *parser) isOp(text string) bool { return p.tok.kind == tokOp && p.tok.text == text }

func (p *parser) expect(text, what string) token {
	if !p.isOp(text) {
		p.fail(p.tok.pos, "expected %q %s, found %s", text, what, p.tok.describe())
	}
	return p.advance()
}

// unsupportedOps names the operators of full JSONata that the subset
// leaves out, so that their use is reported as such, with what to write
// instead when there is something.
var unsupportedOps = map[string][2]string{
	"~>": {"the chain operator ~>", "; call the function directly: $f(x)"},
	":=": {"variable assignment :=", "; variables exist only as parameters of a $map function"},
	"..": {"the range operator ..", ""},
	"**": {"the descendant operator **", "; write the full path"},
	"%":  {"the % operator", ""},
	"@":  {"the context binding operator @", ""},
	"#":  {"the position binding operator #", "; use the index parameter of $map: function($v, $i)"},
	"^":  {"sorting with ^(...)", ""},
	"|":  {"the transform operator |...|", ""},
	";":  {"a block of expressions separated by ;", ""},
	"~":  {"the ~ operator", ""},
	"in": {"the in operator", "; compare with = and combine with or"},
}

// unsupported fails at pos for the operator op.
func (p *parser) unsupported(pos Pos, op string) {
	u := unsupportedOps[op]
	p.fail(pos, "%s is not supported%s", u[0], u[1])
}

// infixPower is the binding power of the current token as an infix
// operator (JSONata's precedences), 0 when it cannot continue an
// expression.
func (p *parser) infixPower() int {
	t := p.tok
	if t.kind == tokName {
		switch t.text {
		case "and":
			return 30
		case "or":
			return 25
		case "in":
			return 40
		}
		return 0
	}
	if t.kind != tokOp {
		return 0
	}
	switch t.text {
	case "[", "(", "@", "#", "^":
		return 80
	case ".":
		return 75
	case "{":
		return 70
	case "*", "/", "%":
		return 60
	case "+", "-", "&":
		return 50
	case "=", "!=", "<", "<=", ">", ">=", "~>":
		return 40
	case "?", "..":
		return 20
	case ":=":
		return 10
	}
	return 0
}

// expr parses an expression whose operators bind tighter than rbp.
func (p *parser) expr(rbp int) *Expr {
	left := p.prefix()
	for p.infixPower() > rbp {
		left = p.infix(left)
	}
	return left
}

func (p *parser) prefix() *Expr {
	t := p.tok
	switch t.kind {
	case tokEOF:
		p.fail(t.pos, "expected an expression, found the end of the expression")
	case tokNumber:
		p.advance()
		return &Expr{Kind: Number, Pos: t.pos, Num: t.num}
	case tokString:
		p.advance()
		return &Expr{Kind: String, Pos: t.pos, Str: t.text}
	case tokQuoted:
		p.advance()
		return pathOf(&Expr{Kind: Name, Pos: t.pos, Str: t.text})
	case tokName:
		p.advance()
		switch t.text {
		case "true", "false":
			return &Expr{Kind: Boolean, Pos: t.pos, Bool: t.text == "true"}
		case "null":
			return &Expr{Kind: Null, Pos: t.pos}
		case "function":
			p.fail(t.pos, "a function definition is only supported as the second argument of $map, as in $map(items, function($v) { ... })")
		}
		return pathOf(&Expr{Kind: Name, Pos: t.pos, Str: t.text})
	case tokVar:
		p.advance()
		return p.variable(t)
	}
	// An operator in prefix position.
	switch t.text {
	case "(":
		p.advance()
		e := p.expr(0)
		if p.isOp(";") {
			p.unsupported(p.tok.pos, ";")
		}
		p.expect(")", "to close the parenthesis opened at "+t.pos.String())
		p.parens[e] = true
		return e
	case "[":
		p.advance()
		return p.array(t)
	case "{":
		p.advance()
		return p.object(t)
	case "-":
		p.advance()
		operand := p.expr(70)
		if operand.Kind == Number && !p.parens[operand] {
			operand.Num, operand.Pos = -operand.Num, t.pos
			return operand
		}
		return &Expr{Kind: Negate, Pos: t.pos, Args: []*Expr{operand}}
	case "*":
		p.fail(t.pos, "the wildcard * is not supported; name the field")
	case "/":
		p.fail(t.pos, "regular expressions are not supported; the string functions take plain strings")
	case "%":
		p.fail(t.pos, "the parent operator %% is not supported")
	}
	if _, ok := unsupportedOps[t.text]; ok {
		p.unsupported(t.pos, t.text)
	}
	p.fail(t.pos, "expected an expression, found %s", t.describe())
	return nil
}

// pathOf makes a lone field name a one-step path, so that every field
// access is a Path.
func pathOf(name *Expr) *Expr {
	return &Expr{Kind: Path, Pos: name.Pos, Args: []*Expr{name}}
}

func (p *parser) infix(left *Expr) *Expr {
	t := p.advance()
	if t.kind == tokName { // and, or, in
		if t.text == "in" {
			p.unsupported(t.pos, "in")
		}
		return &Expr{Kind: Binary, Pos: t.pos, Str: t.text, Args: []*Expr{left, p.expr(p.powerOf(t))}}
	}
	switch t.text {
	case ".":
		return p.step(left, t)
	case "[":
		return p.index(left, t)
	case "{":
		p.fail(t.pos, "grouping with expr{...} is not supported; to build an object for each item write expr.{...}")
	case "(":
		p.fail(t.pos, "only functions ($name) can be called")
	case "?":
		c := &Expr{Kind: Cond, Pos: t.pos, Args: []*Expr{left, p.expr(0)}}
		if p.isOp(":") {
			p.advance()
			c.Args = append(c.Args, p.expr(0))
		}
		return c
	case "*", "/", "+", "-", "&", "=", "!=", "<", "<=", ">", ">=":
		return &Expr{Kind: Binary, Pos: t.pos, Str: t.text, Args: []*Expr{left, p.expr(p.powerOf(t))}}
	}
	if t.text == "%" {
		p.fail(t.pos, "the modulo operator %% is not supported")
	}
	p.unsupported(t.pos, t.text)
	return nil
}

// powerOf is the binding power of a token already consumed.
func (p *parser) powerOf(t token) int {
	saved := p.tok
	p.tok = t
	defer func() { p.tok = saved }()
	return p.infixPower()
}

// step parses what follows a "." in a path: a field name or an object
// constructor.
func (p *parser) step(left *Expr, dot token) *Expr {
	t := p.tok
	var s *Expr
	switch {
	case t.kind == tokName || t.kind == tokQuoted:
		p.advance()
		s = &Expr{Kind: Name, Pos: t.pos, Str: t.text}
	case t.kind == tokOp && t.text == "{":
		p.advance()
		s = p.object(t)
	case t.kind == tokString:
		p.fail(t.pos, "a path step must be a field name, found %s; write a name with spaces or symbols in backquotes: `%s`", t.describe(), t.text)
	case t.kind == tokOp && t.text == "*":
		p.fail(t.pos, "the wildcard * is not supported; name the field")
	case t.kind == tokOp && t.text == "**":
		p.unsupported(t.pos, "**")
	case t.kind == tokOp && t.text == "(":
		p.fail(t.pos, "a parenthesised path step .(...) is not supported; use .{...} to build an object per item or $map")
	case t.kind == tokVar:
		p.fail(t.pos, "a path step must be a field name or {...}, found %s; functions and variables cannot follow a \".\"", t.describe())
	default:
		p.fail(t.pos, "expected a field name or {...} after \".\", found %s", t.describe())
	}
	if left.Kind == Path && !p.parens[left] {
		left.Args = append(left.Args, s)
		return left
	}
	return &Expr{Kind: Path, Pos: left.Pos, Args: []*Expr{left, s}}
}

// index parses [i] after left: an integer literal, possibly negative.
// On a path it applies to the last step (a.b[0] is the first b of each
// a); on anything else, to the whole value.
func (p *parser) index(left *Expr, open token) *Expr {
	t := p.tok
	neg := false
	if p.isOp("-") {
		neg = true
		p.advance()
	}
	n := p.tok
	switch {
	case p.isOp("]") && !neg:
		p.fail(t.pos, "the empty index [] (keep arrays) is not supported; wrap the value in an array constructor [...] to keep an array")
	case n.kind != tokNumber || n.num != math.Trunc(n.num) || n.num > math.MaxInt32:
		p.fail(t.pos, "an index must be an integer like [0] or [-1], found %s; filters and predicates are not supported", t.describe())
	}
	p.advance()
	p.expect("]", "to close the index opened at "+open.pos.String())
	i := int(n.num)
	if neg {
		i = -i
	}
	if left.Kind == Path && !p.parens[left] {
		last := len(left.Args) - 1
		left.Args[last] = &Expr{Kind: Index, Pos: left.Args[last].Pos, Int: i, Args: []*Expr{left.Args[last]}}
		return left
	}
	return &Expr{Kind: Index, Pos: left.Pos, Int: i, Args: []*Expr{left}}
}

func (p *parser) array(open token) *Expr {
	a := &Expr{Kind: Array, Pos: open.pos}
	if p.isOp("]") {
		p.advance()
		return a
	}
	for {
		a.Args = append(a.Args, p.expr(0))
		if p.isOp(",") {
			p.advance()
			continue
		}
		p.expect("]", "or \",\" in the array opened at "+open.pos.String())
		return a
	}
}

func (p *parser) object(open token) *Expr {
	o := &Expr{Kind: Object, Pos: open.pos}
	if p.isOp("}") {
		p.advance()
		return o
	}
	for {
		k := p.tok
		if k.kind != tokString {
			p.fail(k.pos, "expected an object key as a string literal like \"id\", found %s; computed keys are not supported", k.describe())
		}
		p.advance()
		if i := slices.IndexFunc(o.Keys, func(x Key) bool { return x.Name == k.text }); i >= 0 {
			p.fail(k.pos, "duplicate key %q in object constructor (first at %s)", k.text, o.Keys[i].Pos)
		}
		p.expect(":", "after the key "+strconv.Quote(k.text))
		o.Keys = append(o.Keys, Key{Name: k.text, Pos: k.pos})
		o.Args = append(o.Args, p.expr(0))
		if p.isOp(",") {
			p.advance()
			continue
		}
		p.expect("}", "or \",\" in the object opened at "+open.pos.String())
		return o
	}
}

// variable parses what starts with "$": the context, the root, a lambda
// parameter or a function call.
func (p *parser) variable(t token) *Expr {
	switch t.text {
	case "$":
		return &Expr{Kind: Context, Pos: t.pos}
	case "$$":
		return &Expr{Kind: Root, Pos: t.pos}
	}
	name := t.text[1:]
	if p.isOp(":=") {
		p.unsupported(p.tok.pos, ":=")
	}
	if p.isOp("(") {
		return p.call(t, name)
	}
	if !p.inScope(name) {
		hint := ""
		if m := diag.Nearest(name, p.visible()); m != "" {
			hint = "; did you mean $" + m + "?"
		}
		p.fail(t.pos, "undefined variable %s%s (variables exist only as parameters of a $map function)", t.text, hint)
	}
	return &Expr{Kind: Var, Pos: t.pos, Str: name}
}

func (p *parser) inScope(name string) bool {
	for _, s := range p.scopes {
		if slices.Contains(s, name) {
			return true
		}
	}
	return false
}

func (p *parser) visible() []string {
	var names []string
	for _, s := range p.scopes {
		names = append(names, s...)
	}
	return names
}

func (p *parser) call(t token, name string) *Expr {
	if p.inScope(name) {
		p.fail(t.pos, "cannot call %s: it is a parameter holding a value, not a function", t.text)
	}
	if _, ok := functions[name]; !ok {
		candidates := make([]string, 0, len(functions))
		for n := range functions {
			candidates = append(candidates, n)
		}
		hint := ""
		if m := diag.Nearest(name, candidates); m != "" {
			hint = "did you mean $" + m + "? "
		}
		p.fail(t.pos, "unknown function %s; %sthe subset has %s", t.text, hint, functionNames())
	}
	open := p.advance()
	c := &Expr{Kind: Call, Pos: t.pos, Str: name}
	if p.isOp(")") {
		p.advance()
		return c
	}
	for {
		if p.tok.kind == tokName && p.tok.text == "function" {
			if name != "map" {
				p.fail(p.tok.pos, "a function definition is only supported as the second argument of $map, not as an argument of %s", t.text)
			}
			c.Args = append(c.Args, p.lambda())
		} else {
			c.Args = append(c.Args, p.expr(0))
		}
		if p.isOp(",") {
			p.advance()
			continue
		}
		if p.isOp("?") && len(c.Args) > 0 {
			p.fail(p.tok.pos, "partial application with ? is not supported")
		}
		p.expect(")", "or \",\" in the call of "+t.text+" opened at "+open.pos.String())
		return c
	}
}

// lambda parses function($a[, $b]) { body }.
func (p *parser) lambda() *Expr {
	f := p.advance()
	l := &Expr{Kind: Lambda, Pos: f.pos}
	p.expect("(", "after function")
	for !p.isOp(")") {
		v := p.tok
		if v.kind != tokVar || v.text == "$" || v.text == "$$" {
			p.fail(v.pos, "expected a parameter name like $v, found %s", v.describe())
		}
		if slices.Contains(l.Params, v.text[1:]) {
			p.fail(v.pos, "duplicate parameter %s", v.text)
		}
		p.advance()
		l.Params = append(l.Params, v.text[1:])
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	p.expect(")", "to close the parameter list")
	if p.isOp("<") {
		p.fail(p.tok.pos, "function signatures <...> are not supported")
	}
	open := p.expect("{", "to start the function body")
	p.scopes = append(p.scopes, l.Params)
	l.Args = []*Expr{p.expr(0)}
	p.scopes = p.scopes[:len(p.scopes)-1]
	p.expect("}", "to close the function body opened at "+open.pos.String())
	return l
}

// String is "line:col", for messages that point at another position.
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }
