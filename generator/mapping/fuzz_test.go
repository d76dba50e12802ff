package mapping_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dave/jennifer/jen"
	"github.com/unifiedgen/unifiedgen/generator/mapping"
)

// FuzzParseCheckCompile feeds arbitrary sources through the pipeline: Parse
// and Check must fail with positioned errors, never panic, and whatever
// they accept must compile to Go that parses.
func FuzzParseCheckCompile(f *testing.F) {
	for _, src := range goodExpressions {
		f.Add(src)
	}
	f.Add(`{"a": $map(b, function($v, $i) { $v.c[0] & $i }), "d": e.{"f": $$.g}}`)
	f.Add(`a ? -b : [c, [d]]`)
	f.Fuzz(func(t *testing.T, src string) {
		e, err := mapping.Parse(src)
		if err != nil {
			var me *mapping.Error
			if !errors.As(err, &me) {
				t.Fatalf("error of type %T", err)
			}
			checkPosition(t, src, me)
			return
		}
		errs := mapping.Check(e, userIn, nil)
		for _, err := range errs {
			checkPosition(t, src, err)
		}
		if len(errs) > 0 {
			return
		}
		file := jen.NewFile("fuzz")
		file.Add(mapping.Compile(e, "F"))
		var buf bytes.Buffer
		if err := file.Render(&buf); err != nil {
			t.Fatalf("compiled %q to Go that does not parse: %v", src, err)
		}
	})
}
