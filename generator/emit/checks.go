package emit

import (
	"math"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/unifiedgen/unifiedgen/generator/model"
)

// Checks returns the statements checking x, a value of schema s as read
// (a string, an int64, a float64 or a slice), against what s asks beyond
// its JSON type: a plain string's length, format (email) and pattern; a
// number's range in its Go type (int32, float32) and the schema's minimum
// and maximum; an array's item count. The body decoders and the query
// binders both call it, so a value gets the same checks and messages in
// either place. Each failure is recorded through rec, a *validation.State
// or a validation.Param; patternVar names the compiled pattern of
// api.Patterns. The value is still assigned after a failure: the request
// fails.
func Checks(rec, x jen.Code, s *model.Schema, patternVar func(string) string) []jen.Code {
	var out []jen.Code
	check := func(cond *jen.Statement, call string, args ...jen.Code) {
		out = append(out, jen.If(cond).Block(jen.Add(rec).Dot(call).Call(args...)))
	}
	switch s.Kind {
	case model.KindString:
		if s.MinLength > 0 {
			check(jen.Qual("unicode/utf8", "RuneCountInString").Call(x).Op("<").Lit(s.MinLength), "TooShort", jen.Lit(s.MinLength))
		}
		if s.Format == "email" {
			check(jen.Op("!").Qual(valPkg, "IsEmail").Call(x), "BadFormat", jen.Lit("email"))
		}
		if s.MaxLength != nil {
			check(jen.Qual("unicode/utf8", "RuneCountInString").Call(x).Op(">").Lit(*s.MaxLength), "TooLong", jen.Lit(*s.MaxLength))
		}
		if s.Pattern != "" {
			re := jen.Id(patternVar(s.Pattern))
			check(jen.Op("!").Add(re.Clone()).Dot("MatchString").Call(x), "NoMatch", re.Clone().Dot("String").Call())
		}
	case model.KindInteger, model.KindNumber:
		if b := s.Minimum; b != nil {
			op := "<"
			if b.Exclusive {
				op = "<="
			}
			check(compare(x, op, b.Value, s.Kind == model.KindInteger), "Below", jen.Lit(b.Value), jen.Lit(b.Exclusive))
		}
		if b := s.Maximum; b != nil {
			op := ">"
			if b.Exclusive {
				op = ">="
			}
			check(compare(x, op, b.Value, s.Kind == model.KindInteger), "Above", jen.Lit(b.Value), jen.Lit(b.Exclusive))
		}
		// A value its Go type cannot hold gets that one failure: int32(x)
		// would wrap around and float32(x) be +Inf without a word.
		var overflow *jen.Statement
		var what string
		switch s.Go.Under {
		case "int32":
			overflow, what = jen.Add(x).Op("<").Qual("math", "MinInt32").Op("||").Add(x).Op(">").Qual("math", "MaxInt32"), "a 32-bit integer"
		case "float32":
			overflow, what = jen.Qual("math", "Abs").Call(x).Op(">").Qual("math", "MaxFloat32"), "a 32-bit float"
		}
		if overflow != nil {
			stmt := jen.If(overflow).Block(jen.Add(rec).Dot("OutOfRange").Call(jen.Lit(what)))
			if len(out) > 0 {
				stmt = stmt.Else().Block(out...)
			}
			out = []jen.Code{stmt}
		}
	case model.KindArray:
		if s.MinItems > 0 {
			check(jen.Len(x).Op("<").Lit(s.MinItems), "TooFewItems", jen.Lit(s.MinItems))
		}
		if s.MaxItems != nil {
			check(jen.Len(x).Op(">").Lit(*s.MaxItems), "TooManyItems", jen.Lit(*s.MaxItems))
		}
	}
	return out
}

const valPkg = "github.com/unifiedgen/unifiedgen/runtime/validation"

// compare is x op bound: for an int64 and a whole bound it can hold, in
// integers, exact beyond 2^53 where float64 is not; otherwise in float64.
func compare(x jen.Code, op string, bound float64, integer bool) *jen.Statement {
	if integer && bound == math.Trunc(bound) && math.Abs(bound) < 1<<63 {
		// An untyped constant, not int64(n).
		return jen.Add(x).Op(op).Id(strconv.FormatInt(int64(bound), 10))
	}
	if integer {
		return jen.Float64().Call(x).Op(op).Lit(bound)
	}
	return jen.Add(x).Op(op).Lit(bound)
}
