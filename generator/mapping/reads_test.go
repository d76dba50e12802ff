package mapping

import (
	"strings"
	"testing"
)

func TestRootReads(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want string // the fields, comma-separated, or "*" for the whole document
	}{
		{`{"state": status, "per_page": limit}`, "limit,status"},
		{`status = "active" ? "1" : "0"`, "status"},
		{`$.status & $$.limit`, "limit,status"},
		{`kinds.id`, "kinds"},
		{`{"ids": $map(kinds, function($v) { $v.id })}`, "kinds"},
		{`items.{"sku": sku, "n": $$.count}`, "count,items"},
		{`$string(a[0].b)`, "a"},
		{`{"notify": "false"}`, ""},
		{`$string($)`, "*"},
		{`$merge([$$, {"a": 1}])`, "*"},
		{`$$[0]`, "*"},
		{`(a.b).c`, "a"},
	} {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		fields, whole := RootReads(e)
		got := strings.Join(fields, ",")
		if whole {
			got = "*"
		}
		if got != tt.want {
			t.Errorf("%s: reads %q, want %q", tt.src, got, tt.want)
		}
	}
}
