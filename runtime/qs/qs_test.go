package qs

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// dump renders a tree as JSON-like text so that expectations read as the
// shape they describe; strings are quoted, which keeps "1" apart from ["1"].
func dump(v Values) string {
	var b strings.Builder
	dumpFields(&b, v.fields, true)
	return b.String()
}

func dumpValue(b *strings.Builder, v Value) {
	switch v.Kind() {
	case String:
		b.WriteString(strconv.Quote(v.Str()))
	case List:
		dumpFields(b, v.kids, false)
	case Object:
		dumpFields(b, v.kids, true)
	default:
		fmt.Fprintf(b, "<%v>", v.Kind())
	}
}

func dumpFields(b *strings.Builder, fs []field, object bool) {
	open, close := byte('['), byte(']')
	if object {
		open, close = '{', '}'
	}
	b.WriteByte(open)
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		if object {
			b.WriteString(strconv.Quote(f.key))
			b.WriteByte(':')
		}
		dumpValue(b, f.val)
	}
	b.WriteByte(close)
}

var parseTests = []struct {
	name, raw, want string
}{
	{"empty", "", `{}`},
	{"only separators", "&&&", `{}`},
	{"plain", "integrated_account_id=62f44730-dd91-461e-bd6a-aedd9e0ad79d&truto_ignore_remote_data=true",
		`{"integrated_account_id":"62f44730-dd91-461e-bd6a-aedd9e0ad79d","truto_ignore_remote_data":"true"}`},
	{"empty value", "a=", `{"a":""}`},
	{"no equals", "a&b", `{"a":"","b":""}`},
	{"empty pairs skipped", "&a=1&&b=2&", `{"a":"1","b":"2"}`},
	{"value containing equals", "a=b=c", `{"a":"b=c"}`},
	{"plus is space", "q=hello+world&a+b=c", `{"q":"hello world","a b":"c"}`},
	{"percent decoding", "q=%E2%9C%93%26%3d%2B", `{"q":"✓&=+"}`},
	{"brackets in value are text", "a=%5B0%5D&b=[x]", `{"a":"[0]","b":"[x]"}`},
	{"numeric name", "0=a", `{"0":"a"}`},
	{"first-seen order", "b=1&a=2&b=3", `{"b":["1","3"],"a":"2"}`},

	{"repeated", "truto_exclude_fields=id&truto_exclude_fields=name", `{"truto_exclude_fields":["id","name"]}`},
	{"repeated three", "a=1&a=2&a=3", `{"a":["1","2","3"]}`},
	{"bracket array", "truto_exclude_fields[]=id&truto_exclude_fields[]=name", `{"truto_exclude_fields":["id","name"]}`},
	{"encoded bracket array", "truto_exclude_fields%5B%5D=id&truto_exclude_fields%5b%5d=name", `{"truto_exclude_fields":["id","name"]}`},
	{"single bracket element", "a[]=x", `{"a":["x"]}`},
	{"empty bracket element", "a[]", `{"a":[""]}`},
	{"indexed", "truto_exclude_fields[0]=id&truto_exclude_fields[1]=name", `{"truto_exclude_fields":["id","name"]}`},
	{"encoded index", "a%5B0%5D=1", `{"a":["1"]}`},
	{"indices out of order", "a[1]=y&a[0]=x", `{"a":["x","y"]}`},
	{"gaps compacted", "a[5]=x&a[2]=y&a[9]=z", `{"a":["y","x","z"]}`},
	{"max index", "a[999]=x", `{"a":["x"]}`},
	{"non-canonical digits are keys", "a[01]=x&a[-1]=y&a[1x]=z", `{"a":{"01":"x","-1":"y","1x":"z"}}`},

	{"list of objects", "collections[0][id]=123&collections[1][id]=456", `{"collections":[{"id":"123"},{"id":"456"}]}`},
	{"list of objects interleaved", "c[1][id]=2&c[0][id]=1&c[1][name]=b",
		`{"c":[{"id":"1"},{"id":"2","name":"b"}]}`},
	{"append objects", "a[][id]=1&a[][id]=2", `{"a":[{"id":"1"},{"id":"2"}]}`},
	{"append objects with several keys", "a[][id]=1&a[][name]=x&a[][id]=2&a[][name]=y",
		`{"a":[{"id":"1","name":"x"},{"id":"2","name":"y"}]}`},
	{"append checks the whole path", "a[][addr][city]=P&a[][addr][zip]=7&a[][addr][city]=Q",
		`{"a":[{"addr":{"city":"P","zip":"7"}},{"addr":{"city":"Q"}}]}`},
	{"append nested list", "a[][tags][]=x&a[][tags][]=y", `{"a":[{"tags":["x","y"]}]}`},
	{"append after string element", "a[]=1&a[][x]=2", `{"a":["1",{"x":"2"}]}`},
	{"append shape change starts element", "a[][x]=1&a[][0]=2", `{"a":[{"x":"1"},["2"]]}`},
	{"append list of lists", "a[][]=1&a[][]=2", `{"a":[["1","2"]]}`},
	{"append with index", "a[][0]=x&a[][0]=y", `{"a":[["x"],["y"]]}`},
	{"append continues highest index", "a[1][x]=1&a[0][x]=2&a[][y]=3", `{"a":[{"x":"2"},{"x":"1","y":"3"}]}`},
	{"append after indices", "a[5]=x&a[]=y&a[2]=z", `{"a":["z","x","y"]}`},

	{"object", "remote_query[foo]=bar&remote_query[page][size]=10", `{"remote_query":{"foo":"bar","page":{"size":"10"}}}`},
	{"object nested", "a[x]=1&a[y][z]=2", `{"a":{"x":"1","y":{"z":"2"}}}`},
	{"object key decoding", "a[b+c]=1&a[%26]=2&a%5Bd%5D=3", `{"a":{"b c":"1","&":"2","d":"3"}}`},
	{"depth limit inclusive", "a[b][c][d][e][f]=1", `{"a":{"b":{"c":{"d":{"e":{"f":"1"}}}}}}`},

	{"repeated object leaf", "a[x]=1&a[x]=2", `{"a":{"x":["1","2"]}}`},
	{"repeated index leaf", "a[0]=1&a[0]=2", `{"a":[["1","2"]]}`},
	{"string then append", "a=1&a[]=2", `{"a":["1","2"]}`},
	{"string then index", "a=1&a[1]=2", `{"a":["1","2"]}`},
	{"list then plain", "a[]=1&a=2", `{"a":["1","2"]}`},
	{"indexed then plain", "a[3]=1&a=2", `{"a":["1","2"]}`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, force := range []bool{false, true} {
				v, err := parse(tt.raw, DefaultLimits, force)
				if err != nil {
					t.Fatalf("parse(%q, indexed=%v): %v", tt.raw, force, err)
				}
				if got := dump(v); got != tt.want {
					t.Errorf("parse(%q, indexed=%v)\n got %s\nwant %s", tt.raw, force, got, tt.want)
				}
			}
		})
	}
}

var errorTests = []struct {
	name, raw     string
	lim           Limits
	param, reason string
}{
	{"string then object", "a=1&a[x]=2", Limits{}, "a", `"a" is a string, cannot also be an object`},
	{"list then object", "a[0]=1&a[x]=2", Limits{}, "a", `"a" is a list, cannot also be an object`},
	{"append list then object", "a[]=1&a[x]=2", Limits{}, "a", `"a" is a list, cannot also be an object`},
	{"object then list", "a[x]=1&a[0]=2", Limits{}, "a", `"a" is an object, cannot also be a list`},
	{"object then string", "a[x]=1&a=2", Limits{}, "a", `"a" is an object, cannot also be a string`},
	{"nested conflict", "a[0][x]=1&a[0][x][y]=2", Limits{}, "a", `"a[0][x]" is a string, cannot also be an object`},
	{"nested object then string", "a[0][x][y]=1&a[0][x]=2", Limits{}, "a", `"a[0][x]" is an object, cannot also be a string`},
	{"depth", "a[b][c][d][e][f][g]=1", Limits{}, "a", "depth exceeds 5"},
	{"custom depth", "a[b][c]=1", Limits{MaxDepth: 1}, "a", "depth exceeds 1"},
	{"index", "collections[5000][id]=123", Limits{}, "collections", "index 5000 exceeds 999"},
	{"index just over", "a[1000]=1", Limits{}, "a", "index 1000 exceeds 999"},
	{"huge index", "a[999999999999999999999999]=1", Limits{}, "a", "index 999999999999999999999999 exceeds 999"},
	{"custom index", "a[3]=1", Limits{MaxIndex: 2}, "a", "index 3 exceeds 2"},
	{"too many params", "a=1&b=2&c[x]=3", Limits{MaxParams: 2}, "c", "more than 2 parameters"},
	{"too many repeated", "a=1&a=2&a=3&a=4", Limits{MaxParams: 3}, "a", "more than 3 parameters"},
	{"too long", "a=12345678901", Limits{MaxLen: 10}, "", "length 13 exceeds 10"},
	{"unclosed", "a[b=1", Limits{}, "a", `malformed brackets: unclosed "["`},
	{"unclosed after segment", "a[0][b=1", Limits{}, "a", `malformed brackets: unclosed "["`},
	{"encoded unclosed", "a%5Bb=1", Limits{}, "a", `malformed brackets: unclosed "["`},
	{"stray close", "a]=1", Limits{}, "a]", `malformed brackets: "]" without "["`},
	{"double close", "a[b]]=1", Limits{}, "a", `malformed brackets: "]" without "["`},
	{"text after bracket", "a[b]c=1", Limits{}, "a", `malformed brackets: text after "]"`},
	{"nested open", "a[[b]]=1", Limits{}, "a", `malformed brackets: "[" inside brackets`},
	{"empty key", "=1", Limits{}, "", "empty parameter name"},
	{"empty key no value", "a=1&=", Limits{}, "", "empty parameter name"},
	{"brackets without name", "[x]=1", Limits{}, "[x]", "empty parameter name"},
	{"encoded brackets without name", "%5Bx%5D=1", Limits{}, "[x]", "empty parameter name"},
	{"bad escape in key", "a%zz=1", Limits{}, "a%zz", `invalid percent-encoding "%zz" in name`},
	{"short escape in value", "a=%2", Limits{}, "a", `invalid percent-encoding "%2" in value`},
	{"bare percent in value", "a[x]=%", Limits{}, "a", `invalid percent-encoding "%" in value`},
	{"semicolon", "a=1;b=2", Limits{}, "a", `unescaped ";" (use "&" between parameters, "%3B" inside them)`},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, force := range []bool{false, true} {
				v, err := parse(tt.raw, tt.lim, force)
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("parse(%q) = %s, %v; want *Error", tt.raw, dump(v), err)
				}
				if e.Param != tt.param || e.Reason != tt.reason {
					t.Errorf("parse(%q) error = {%q, %q}; want {%q, %q}", tt.raw, e.Param, e.Reason, tt.param, tt.reason)
				}
				if len(v.fields) != 0 {
					t.Errorf("parse(%q) returned a partial result %s", tt.raw, dump(v))
				}
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Parse("collections[5000][id]=123", DefaultLimits)
	if got, want := err.Error(), `query parameter "collections": index 5000 exceeds 999`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	_, err = Parse("a=12345678901", Limits{MaxLen: 10})
	if got, want := err.Error(), `query string: length 13 exceeds 10`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestZeroLimitsUseDefaults(t *testing.T) {
	if _, err := Parse("a[999]=1&b[c][d][e][f][g]=2", Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("a[1000]=1", Limits{MaxIndex: -1}); err == nil {
		t.Fatal("negative MaxIndex did not fall back to the default")
	}
}

func TestAccessors(t *testing.T) {
	v, err := Parse("id=7&f[]=a&f[]=b&c[0][id]=1&c[1][id]=2&q[x]=1&q[y][z]=2&one[]=x", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Collect(v.Names()), []string{"id", "f", "c", "q", "one"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if _, ok := v.Get("missing"); ok {
		t.Error("Get(missing) reported ok")
	}

	id, _ := v.Get("id")
	if id.Kind() != String || id.Str() != "7" || id.Len() != 0 {
		t.Errorf("id = %v %q len %d", id.Kind(), id.Str(), id.Len())
	}
	strs := []struct {
		name string
		want []string
		ok   bool
	}{
		{"id", []string{"7"}, true},
		{"f", []string{"a", "b"}, true},
		{"one", []string{"x"}, true},
		{"c", nil, false},
		{"q", nil, false},
	}
	for _, s := range strs {
		val, _ := v.Get(s.name)
		got, ok := val.Strings()
		if ok != s.ok || !slices.Equal(got, s.want) {
			t.Errorf("%s.Strings() = %q, %v; want %q, %v", s.name, got, ok, s.want, s.ok)
		}
	}

	c, _ := v.Get("c")
	if c.Kind() != List || c.Len() != 2 || c.Key(0) != "" {
		t.Fatalf("c = %v len %d", c.Kind(), c.Len())
	}
	if id1, ok := c.Index(1).Get("id"); !ok || id1.Str() != "2" {
		t.Errorf("c[1].id = %q, %v", id1.Str(), ok)
	}
	if _, ok := c.Get("id"); ok {
		t.Error("Get on a List reported ok")
	}

	q, _ := v.Get("q")
	if q.Kind() != Object || q.Len() != 2 || q.Key(0) != "x" || q.Key(1) != "y" || q.Index(0).Str() != "1" {
		t.Errorf("q = %v len %d", q.Kind(), q.Len())
	}
	if z, ok := q.Index(1).Get("z"); !ok || z.Str() != "2" {
		t.Errorf("q.y.z = %q, %v", z.Str(), ok)
	}

	var zero Value
	if zero.Kind() != String || zero.Str() != "" {
		t.Error("zero Value is not the empty string")
	}
	if got := Kind(9).String(); got != "Kind(9)" {
		t.Errorf("Kind(9).String() = %q", got)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"a=1", "a=1"},
		{"a=1&a=2", "a[0]=1&a[1]=2"},
		{"a[]=x", "a[0]=x"},
		{"a[5]=x&a[2]=y", "a[0]=y&a[1]=x"},
		{"a[][id]=1&a[][id]=2&b[x][y]=3", "a[0][id]=1&a[1][id]=2&b[x][y]=3"},
		{"a[x]=1&a[x]=2", "a[x][0]=1&a[x][1]=2"},
		{"a+b[c%26%3B%2F]=x+y%2B%25", "a+b[c%26%3B%2F]=x+y%2B%25"},
		{"k=%E2%9C%93&e=", "k=%E2%9C%93&e="},
	}
	for _, tt := range tests {
		v, err := Parse(tt.raw, DefaultLimits)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.raw, err)
			continue
		}
		if got := v.Encode(); got != tt.want {
			t.Errorf("Parse(%q).Encode() = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// TestEncodeRoundTrip checks every table case, where FuzzParse only checks
// what the fuzzer happens to reach.
func TestEncodeRoundTrip(t *testing.T) {
	for _, tt := range parseTests {
		checkRoundTrip(t, tt.raw, DefaultLimits)
	}
}

func TestLarge(t *testing.T) {
	var b strings.Builder
	for i := 999; i >= 0; i-- {
		fmt.Fprintf(&b, "l[%d]=%d&", i, i)
	}
	v, err := Parse(b.String(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := v.Get("l")
	got, ok := l.Strings()
	if !ok || len(got) != 1000 {
		t.Fatalf("got %d strings, %v", len(got), ok)
	}
	for i, s := range got {
		if s != strconv.Itoa(i) {
			t.Fatalf("l[%d] = %q", i, s)
		}
	}

	b.Reset()
	for i := range 1000 {
		fmt.Fprintf(&b, "p%d[k%d]=%d&", i%7, i, i)
	}
	v, err = Parse(b.String(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if names := slices.Collect(v.Names()); len(names) != 7 {
		t.Fatalf("names = %q", names)
	}
	p3, _ := v.Get("p3")
	if x, ok := p3.Get("k997"); !ok || x.Str() != "997" {
		t.Errorf("p3[k997] = %q, %v", x.Str(), ok)
	}
	checkRoundTrip(t, b.String(), DefaultLimits)

	if _, err := Parse(b.String()+"x=1", DefaultLimits); err == nil {
		t.Error("1001 parameters accepted")
	}
}

// TestHugeIndexIsCheap guards the promise that an index costs a node, not
// a slice of that length.
func TestHugeIndexIsCheap(t *testing.T) {
	lim := Limits{MaxIndex: 1<<31 - 1}
	raw := "a[2147483647]=x&a[]=y&a[1000000000]=z"
	v, err := Parse(raw, lim)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dump(v), `{"a":["z","x","y"]}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 100 {
		if _, err := Parse(raw, lim); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 100; per > 4096 {
		t.Errorf("%d bytes allocated per parse", per)
	}
}

// TestConcurrent exercises the parser pool under -race and checks that a
// pooled parser never leaks one caller's data into another's result.
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				raw := fmt.Sprintf("g=%d&i[]=%d&o[x][y]=%d", g, i, g*i)
				want := fmt.Sprintf(`{"g":"%d","i":["%d"],"o":{"x":{"y":"%d"}}}`, g, i, g*i)
				v, err := Parse(raw, DefaultLimits)
				if err != nil || dump(v) != want {
					t.Errorf("Parse(%q) = %s, %v", raw, dump(v), err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// relaxed parses what Encode produced from a tree parsed under lim: Encode
// may add a level for a repeated leaf, can lengthen the text, and indices
// are compacted below the number of parameters.
func relaxed(lim Limits) Limits {
	lim = lim.normalize()
	return Limits{MaxParams: lim.MaxParams, MaxDepth: lim.MaxDepth + 1, MaxIndex: lim.MaxParams, MaxLen: maxMaxLen}
}

func checkRoundTrip(t *testing.T, raw string, lim Limits) {
	t.Helper()
	v, err := Parse(raw, lim)
	if err != nil {
		return
	}
	enc := v.Encode()
	w, err := Parse(enc, relaxed(lim))
	if err != nil {
		t.Fatalf("Parse(%q) encoded as %q, which fails: %v", raw, enc, err)
	}
	if !equalFields(v.fields, w.fields) {
		t.Fatalf("Parse(%q) = %s, encoded as %q, which parses to %s", raw, dump(v), enc, dump(w))
	}
	if again := w.Encode(); again != enc {
		t.Fatalf("Encode is not stable: %q then %q", enc, again)
	}
	u, err := parse(raw, lim, true)
	if err != nil || !equalFields(v.fields, u.fields) {
		t.Fatalf("indexed lookup disagrees on %q: %s vs %s, %v", raw, dump(v), dump(u), err)
	}
}

func equalFields(a, b []field) bool {
	return slices.EqualFunc(a, b, func(x, y field) bool { return x.key == y.key && equalValue(x.val, y.val) })
}

func equalValue(a, b Value) bool {
	if a.kind != b.kind || a.s != b.s {
		return false
	}
	if a.kind != String && len(a.kids) == 0 {
		return false // Parse never builds an empty container
	}
	return equalFields(a.kids, b.kids)
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.raw)
	}
	for _, tt := range errorTests {
		f.Add(tt.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		// Small limits make the limit errors reachable, and a short MaxLen keeps
		// the fuzzer from spending its time minimising long inputs.
		lim := Limits{MaxParams: 64, MaxDepth: 4, MaxIndex: 50, MaxLen: 256}
		v, err := Parse(raw, lim)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) returned %T %v, want *Error", raw, err, err)
			}
			if len(v.fields) != 0 {
				t.Fatalf("Parse(%q) failed but returned %s", raw, dump(v))
			}
			return
		}
		checkRoundTrip(t, raw, lim)
		// net/url must see the same parameter names whenever this
		// package accepts a query, or the two could be played off
		// against each other.
		if _, err := url.ParseQuery(raw); err != nil {
			t.Fatalf("Parse(%q) accepted what net/url rejects: %v", raw, err)
		}
	})
}

const typicalQuery = "integrated_account_id=62f44730-dd91-461e-bd6a-aedd9e0ad79d&truto_exclude_fields[]=id&truto_exclude_fields[]=name&collections[0][id]=123&remote_query[foo]=bar"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(typicalQuery)))
	for b.Loop() {
		if _, err := Parse(typicalQuery, DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLarge is a query at the default parameter limit, which
// takes the map lookup path.
func BenchmarkParseLarge(b *testing.B) {
	var sb strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&sb, "p%d[k%d][]=%d&", i%10, i, i)
	}
	raw := sb.String()
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw, DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkURLParseQuery is the baseline: net/url on the typical query,
// without any bracket handling.
func BenchmarkURLParseQuery(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(typicalQuery)))
	for b.Loop() {
		if _, err := url.ParseQuery(typicalQuery); err != nil {
			b.Fatal(err)
		}
	}
}
