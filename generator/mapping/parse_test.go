package mapping_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generator/mapping"
)

// goodExpressions parse and pass Check without schemas. (What they
// evaluate to is the differential corpus's business.)
var goodExpressions = []string{
	`name`,
	`$`,
	`$$`,
	`$.name`,
	`$$.account.id`,
	"`first name`.`x y`",
	`a.b.c`,
	`a[0]`,
	`a[-1].b`,
	`a.b[0].c[-2]`,
	`(a.b)[0]`,
	`a.{"id": $string(id)}`,
	`(a.{"id": id})[0]`,
	`{}`,
	`[]`,
	`{"a": 1, "b": "two", "c": true, "d": false, "e": null, "f": -1.5e3}`,
	`[1, [2, 3], a]`,
	`a ? b`,
	`a ? b : c ? d : e`,
	`a = 1 and b != 2 or c < 3 and d <= 4 or e > 5 and f >= 6`,
	`a & "x" & 1`,
	`-(a + b) * c / d - 1`,
	`$map(a, function($v) { $v.x })`,
	`$map(a, function($v, $i) { {"i": $i, "v": $v, "o": $map($v.b, function($w) { [$v, $w] })} })`,
	`$string(a)`, `$number("1")`, `$boolean(a)`, `$not(a)`, `$exists(a)`, `$count(a)`,
	`$lowercase(a)`, `$uppercase(a)`, `$trim(a)`, `$join(a)`, `$join(a, ",")`, `$split(a, ",")`,
	`$substring(a, 1)`, `$substring(a, 1, 2)`, `$substringBefore(a, "@")`, `$substringAfter(a, "@")`,
	`$contains(a, "x")`, `$append(a, b)`, `$merge([a, b])`,
	"/* a comment */ a /* another\n one */",
	`"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"`,
	`'single'`,
	`and.or.in.true`, // keywords are names after a dot
}

func TestParseGood(t *testing.T) {
	for _, src := range goodExpressions {
		e, err := mapping.Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if errs := mapping.Check(e, nil, nil); len(errs) > 0 {
			t.Errorf("Check(%q): %v", src, errs)
		}
	}
}

// TestParseBad pins the first error of each bad expression: its position
// and its whole message.
func TestParseBad(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{``, `1:1: expected an expression, found the end of the expression`},
		{`name.`, `1:6: expected a field name or {...} after ".", found the end of the expression`},
		{`a[b = 1]`, `1:3: an index must be an integer like [0] or [-1], found name "b"; filters and predicates are not supported`},
		{`a[]`, `1:3: the empty index [] (keep arrays) is not supported; wrap the value in an array constructor [...] to keep an array`},
		{`a[1.5]`, `1:3: an index must be an integer like [0] or [-1], found number 1.5; filters and predicates are not supported`},
		{`a.*`, `1:3: the wildcard * is not supported; name the field`},
		{`a.**`, `1:3: the descendant operator ** is not supported; write the full path`},
		{`**`, `1:1: the descendant operator ** is not supported; write the full path`},
		{`a ~> $f`, `1:3: the chain operator ~> is not supported; call the function directly: $f(x)`},
		{`$x := 1`, `1:4: variable assignment := is not supported; variables exist only as parameters of a $map function`},
		{`1..3`, `1:2: the range operator .. is not supported`},
		{`a % 2`, `1:3: the modulo operator % is not supported`},
		{`%.a`, `1:1: the parent operator % is not supported`},
		{`a@$x`, `1:2: the context binding operator @ is not supported`},
		{`a#$i`, `1:2: the position binding operator # is not supported; use the index parameter of $map: function($v, $i)`},
		{`a^(b)`, `1:2: sorting with ^(...) is not supported`},
		{`a{"k": b}`, `1:2: grouping with expr{...} is not supported; to build an object for each item write expr.{...}`},
		{`a in [1]`, `1:3: the in operator is not supported; compare with = and combine with or`},
		{`|a|{}|`, `1:1: the transform operator |...| is not supported`},
		{`(a; b)`, `1:3: a block of expressions separated by ; is not supported`},
		{`/ab/`, `1:1: regular expressions are not supported; the string functions take plain strings`},
		{`{k: 1}`, `1:2: expected an object key as a string literal like "id", found name "k"; computed keys are not supported`},
		{`{"k": 1, "k": 2}`, `1:10: duplicate key "k" in object constructor (first at 1:2)`},
		{`{"k" 1}`, `1:6: expected ":" after the key "k", found number 1`},
		{`[1, 2`, `1:6: expected "]" or "," in the array opened at 1:1, found the end of the expression`},
		{`$lowercas(a)`, `1:1: unknown function $lowercas; did you mean $lowercase? the subset has $append, $boolean, $contains, $count, $exists, $join, $lowercase, $map, $merge, $not, $number, $split, $string, $substring, $substringAfter, $substringBefore, $trim, $uppercase`},
		{`$length(a)`, `1:1: unknown function $length; the subset has $append, $boolean, $contains, $count, $exists, $join, $lowercase, $map, $merge, $not, $number, $split, $string, $substring, $substringAfter, $substringBefore, $trim, $uppercase`},
		{`$x`, `1:1: undefined variable $x (variables exist only as parameters of a $map function)`},
		{`$map(a, function($v) { $w })`, `1:24: undefined variable $w; did you mean $v? (variables exist only as parameters of a $map function)`},
		{`$map(a, function($v) { $v(1) })`, `1:24: cannot call $v: it is a parameter holding a value, not a function`},
		{`$string(function($v){1})`, `1:9: a function definition is only supported as the second argument of $map, not as an argument of $string`},
		{`function($v){1}`, `1:1: a function definition is only supported as the second argument of $map, as in $map(items, function($v) { ... })`},
		{`$map(a, function($v) <s:s> { $v })`, `1:22: function signatures <...> are not supported`},
		{`$map(a, function(x) { 1 })`, `1:18: expected a parameter name like $v, found name "x"`},
		{`$map(a, function($v, $v) { 1 })`, `1:22: duplicate parameter $v`},
		{`"abc`, `1:1: unterminated string: expected a closing "`},
		{`'a\'b'`, `1:3: unknown escape \' in string: expected one of \" \\ \/ \b \f \n \r \t \uXXXX`},
		{`"\u12"`, `1:2: bad \u escape in string: expected four hexadecimal digits`},
		{"`odd", "1:1: unterminated backquoted name: expected a closing `"},
		{`a !b`, `1:3: unexpected character '!'; for negation write $not(...), for inequality !=`},
		{`a and`, `1:6: expected an expression, found the end of the expression`},
		{`a ? `, `1:5: expected an expression, found the end of the expression`},
		{`a b`, `1:3: expected an operator or the end of the expression, found name "b"`},
		{`a.$string(b)`, `1:3: a path step must be a field name or {...}, found $string; functions and variables cannot follow a "."`},
		{`a."b"`, "1:3: a path step must be a field name, found string \"b\"; write a name with spaces or symbols in backquotes: `b`"},
		{`a.(b)`, `1:3: a parenthesised path step .(...) is not supported; use .{...} to build an object per item or $map`},
		{`a(1)`, `1:2: only functions ($name) can be called`},
		{`$string(a ?)`, `1:12: expected an expression, found ")"`},
		{`1e999`, `1:1: number 1e999 is out of range`},
		{`/* open`, `1:1: unterminated comment: expected */`},
		{"{\n  \"name\": first & last,\n  \"email\": emails[0].\n}", `4:1: expected a field name or {...} after ".", found "}"`},
		{"name\n  & last.\n  [0]", `3:3: expected a field name or {...} after ".", found "["`},
	} {
		_, err := mapping.Parse(tc.src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want %s", tc.src, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tc.src, err, tc.want)
		}
		var me *mapping.Error
		if !errors.As(err, &me) {
			t.Errorf("Parse(%q): error of type %T, want *mapping.Error", tc.src, err)
			continue
		}
		checkPosition(t, tc.src, me)
	}
}

// checkPosition requires Line and Col to be where Offset is in src.
func checkPosition(t *testing.T, src string, e *mapping.Error) {
	t.Helper()
	if e.Offset < 0 || e.Offset > len(src) {
		t.Errorf("%q: offset %d out of range", src, e.Offset)
		return
	}
	before := src[:e.Offset]
	line := strings.Count(before, "\n") + 1
	col := e.Offset - (strings.LastIndex(before, "\n") + 1) + 1
	if e.Line != line || e.Col != col {
		t.Errorf("%q: offset %d is %d:%d, error says %d:%d", src, e.Offset, line, col, e.Line, e.Col)
	}
}
