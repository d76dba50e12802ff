package validation

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/unifiedgen/unifiedgen/runtime/qs"
)

// param parses raw as a query and returns parameter name from it, and a
// Param reporting about it into a fresh report.
func param(t *testing.T, raw, name string) (qs.Value, Param, *Report) {
	t.Helper()
	r := new(Report)
	vals, ok := ParseQuery(raw, r)
	if !ok {
		t.Fatalf("ParseQuery(%q): %+v", raw, r.Failures)
	}
	v, found := vals.Get(name)
	if !found {
		t.Fatalf("ParseQuery(%q) has no %q: %v", raw, name, slices.Collect(vals.Names()))
	}
	return v, QueryParam(r, name), r
}

func queryFailure(field string, rule Rule, msg string) Failure {
	return Failure{Location: Query, Field: field, Rule: rule, Message: msg}
}

func TestQueryAndPathParam(t *testing.T) {
	var r Report
	if p := QueryParam(&r, "limit"); p != (Param{R: &r, Loc: Query, Field: "limit"}) {
		t.Errorf("QueryParam = %+v", p)
	}
	if p := PathParam(&r, "id"); p != (Param{R: &r, Loc: Path, Field: "id"}) {
		t.Errorf("PathParam = %+v", p)
	}
}

func TestParamAtIndex(t *testing.T) {
	var r Report
	p := QueryParam(&r, "collections")
	q := p.Index(0).At("id")
	if q.Field != "collections[0].id" || p.Field != "collections" {
		t.Errorf("Index(0).At(id) = %q, original %q", q.Field, p.Field)
	}
	if got := p.At("a").At("b").Index(12).Field; got != "collections.a.b[12]" {
		t.Errorf("At(a).At(b).Index(12) = %q", got)
	}
	q.Missing()
	p.Index(3).At("bogus").Unknown()
	wantFailures(t, &r,
		queryFailure("collections[0].id", RuleRequired, "is required"),
		queryFailure("collections[3].bogus", RuleUnknown, "is not a member of this parameter"),
	)
}

func TestParamString(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		fail string
	}{
		{"name=jane", "jane", ""},
		{"name=", "", ""},
		{"name", "", ""},
		{"name=hello+w%C3%B6rld%26%3D", "hello wörld&=", ""},
		{"name=a=b", "a=b", ""},
		{"name=1&name=2", "", "must be a single value, got a list"},
		{"name[]=1", "", "must be a single value, got a list"},
		{"name[0]=1", "", "must be a single value, got a list"},
		{"name[x]=1", "", "must be a single value, got an object"},
		{"name[0][x]=1", "", "must be a single value, got a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "name")
		got, ok := p.String(v)
		if tt.fail == "" {
			if !ok || got != tt.want {
				t.Errorf("%q: String = %q, %v; want %q", tt.raw, got, ok, tt.want)
			}
			wantFailures(t, r)
			continue
		}
		if ok || got != "" {
			t.Errorf("%q: String = %q, %v; want a failure", tt.raw, got, ok)
		}
		wantFailures(t, r, queryFailure("name", RuleType, tt.fail))
	}
}

func TestParamEnum(t *testing.T) {
	allowed := []string{"normalized", "raw", "unified"}
	tests := []struct {
		raw  string
		want string
		fail *Failure
	}{
		{"truto_response_format=raw", "raw", nil},
		{"truto_response_format=unified", "unified", nil},
		{"truto_response_format=RAW", "", &Failure{Rule: RuleEnum, Message: `"RAW" is not one of "normalized", "raw", "unified"`, Allowed: allowed}},
		{"truto_response_format=", "", &Failure{Rule: RuleEnum, Message: `"" is not one of "normalized", "raw", "unified"`, Allowed: allowed}},
		{"truto_response_format=%22x%22", "", &Failure{Rule: RuleEnum, Message: `"\"x\"" is not one of "normalized", "raw", "unified"`, Allowed: allowed}},
		// Not a single value: the type failure only.
		{"truto_response_format=raw&truto_response_format=raw", "", &Failure{Rule: RuleType, Message: "must be a single value, got a list"}},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "truto_response_format")
		got, ok := p.Enum(v, allowed)
		if tt.fail == nil {
			if !ok || got != tt.want {
				t.Errorf("%q: Enum = %q, %v", tt.raw, got, ok)
			}
			wantFailures(t, r)
			continue
		}
		if ok || got != "" {
			t.Errorf("%q: Enum = %q, %v; want a failure", tt.raw, got, ok)
		}
		f := *tt.fail
		f.Location, f.Field = Query, "truto_response_format"
		wantFailures(t, r, f)
	}
}

// The generated binders count a value's characters (emit.Checks, the
// same code as a body's) and record a short one here.
func TestParamTooShort(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{
		{3, "must be at least 3 characters long"},
		{1, "must be at least 1 character long"},
	} {
		var r Report
		QueryParam(&r, "collections").Index(1).At("id").TooShort(tt.n)
		wantFailures(t, &r, queryFailure("collections[1].id", RuleFormat, tt.want))
	}
}

func TestParamBool(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
		fail string
	}{
		{"flag=true", true, ""},
		{"flag=false", false, ""},
		{"flag=TRUE", false, `must be true or false, got "TRUE"`},
		{"flag=1", false, `must be true or false, got "1"`},
		{"flag=", false, `must be true or false, got ""`},
		{"flag", false, `must be true or false, got ""`},
		{"flag=true+", false, `must be true or false, got "true "`},
		{"flag=true&flag=false", false, "must be a single value, got a list"},
		{"flag[x]=true", false, "must be a single value, got an object"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "flag")
		got, ok := p.Bool(v)
		if ok != (tt.fail == "") || got != tt.want {
			t.Errorf("%q: Bool = %v, %v", tt.raw, got, ok)
		}
		if tt.fail == "" {
			wantFailures(t, r)
		} else {
			wantFailures(t, r, queryFailure("flag", RuleType, tt.fail))
		}
	}
}

func TestParamInt(t *testing.T) {
	tests := []struct {
		raw  string
		want int64
		fail string
	}{
		{"limit=42", 42, ""},
		{"limit=-7", -7, ""},
		{"limit=0", 0, ""},
		{"limit=9223372036854775807", math.MaxInt64, ""},
		{"limit=-9223372036854775808", math.MinInt64, ""},
		{"limit=9223372036854775808", 0, `must be an integer, got "9223372036854775808"`},
		{"limit=1.5", 0, `must be an integer, got "1.5"`},
		{"limit=1e3", 0, `must be an integer, got "1e3"`},
		{"limit=0x10", 0, `must be an integer, got "0x10"`},
		{"limit=1_000", 0, `must be an integer, got "1_000"`},
		{"limit=+1", 0, `must be an integer, got " 1"`}, // '+' is a space
		{"limit=", 0, `must be an integer, got ""`},
		{"limit=ten", 0, `must be an integer, got "ten"`},
		{"limit=1&limit=2", 0, "must be a single value, got a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "limit")
		got, ok := p.Int(v)
		if ok != (tt.fail == "") || got != tt.want {
			t.Errorf("%q: Int = %d, %v", tt.raw, got, ok)
		}
		if tt.fail == "" {
			wantFailures(t, r)
		} else {
			wantFailures(t, r, queryFailure("limit", RuleType, tt.fail))
		}
	}
}

func TestParamFloat(t *testing.T) {
	tests := []struct {
		raw  string
		want float64
		fail string
	}{
		{"amount=1.5", 1.5, ""},
		{"amount=-2", -2, ""},
		{"amount=1e3", 1000, ""},
		{"amount=0", 0, ""},
		{"amount=1e400", 0, `must be a number, got "1e400"`},
		{"amount=abc", 0, `must be a number, got "abc"`},
		{"amount=", 0, `must be a number, got ""`},
		{"amount=1,5", 0, `must be a number, got "1,5"`},
		{"amount[]=1", 0, "must be a single value, got a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "amount")
		got, ok := p.Float(v)
		if ok != (tt.fail == "") || got != tt.want {
			t.Errorf("%q: Float = %v, %v", tt.raw, got, ok)
		}
		if tt.fail == "" {
			wantFailures(t, r)
		} else {
			wantFailures(t, r, queryFailure("amount", RuleType, tt.fail))
		}
	}
}

// TestParamFloatRejectsNonFinite: a number parameter is a JSON/OpenAPI
// number. NaN and the infinities are not numbers a client can mean, cannot
// be written back as JSON, and must be refused like any other non-number.
func TestParamFloatRejectsNonFinite(t *testing.T) {
	for _, s := range []string{"NaN", "nan", "Inf", "%2BInf", "-Inf", "Infinity", "-infinity"} {
		v, p, r := param(t, "amount="+s, "amount")
		got, ok := p.Float(v)
		if ok {
			t.Errorf("Float(%q) = %v, accepted", v.Str(), got)
		}
		wantFailures(t, r, queryFailure("amount", RuleType, `must be a number, got "`+v.Str()+`"`))
	}
}

func TestParamUUID(t *testing.T) {
	const id = "62f44730-dd91-461e-bd6a-aedd9e0ad79d"
	msg := func(s string) string {
		return `must be a UUID such as 62f44730-dd91-461e-bd6a-aedd9e0ad79d, got "` + s + `"`
	}
	tests := []struct {
		raw  string
		want string
		fail string
	}{
		{"integrated_account_id=" + id, id, ""},
		{"integrated_account_id=" + strings.ToUpper(id), id, ""},
		{"integrated_account_id=00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000", ""},
		// uuid.Parse accepts these; a 36-character UUID is required.
		{"integrated_account_id=%7B" + id + "%7D", "", msg("{" + id + "}")},
		{"integrated_account_id=urn:uuid:" + id, "", msg("urn:uuid:" + id)},
		{"integrated_account_id=62f44730dd91461ebd6aaedd9e0ad79d", "", msg("62f44730dd91461ebd6aaedd9e0ad79d")},
		{"integrated_account_id=62f44730-dd91-461e-bd6a-aedd9e0ad79z", "", msg("62f44730-dd91-461e-bd6a-aedd9e0ad79z")},
		{"integrated_account_id=62f44730+dd91-461e-bd6a-aedd9e0ad79d", "", msg("62f44730 dd91-461e-bd6a-aedd9e0ad79d")},
		{"integrated_account_id=", "", msg("")},
		{"integrated_account_id=" + id + "&integrated_account_id=" + id, "", "must be a single value, got a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "integrated_account_id")
		got, ok := p.UUID(v)
		if tt.fail == "" {
			if !ok || got != uuid.MustParse(tt.want) {
				t.Errorf("%q: UUID = %v, %v", tt.raw, got, ok)
			}
			wantFailures(t, r)
			continue
		}
		if ok || got != (uuid.UUID{}) {
			t.Errorf("%q: UUID = %v, %v; want a failure", tt.raw, got, ok)
		}
		rule := RuleFormat
		if strings.HasPrefix(tt.fail, "must be a single") {
			rule = RuleType
		}
		wantFailures(t, r, queryFailure("integrated_account_id", rule, tt.fail))
	}
}

func TestParamDateTime(t *testing.T) {
	msg := func(s string) string {
		return `must be an RFC 3339 date-time such as 2024-05-01T09:30:00Z, got "` + s + `"`
	}
	tests := []struct {
		raw  string
		want time.Time // zero: a failure
		fail string
	}{
		{"updated_after=2024-05-01T09:30:00Z", time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC), ""},
		{"updated_after=2024-05-01T09:30:00.123456789Z", time.Date(2024, 5, 1, 9, 30, 0, 123456789, time.UTC), ""},
		{"updated_after=2024-05-01T11:30:00%2B02:00", time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC), ""},
		{"updated_after=2024-05-01T04:30:00-05:00", time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC), ""},
		// An unescaped + is a space in a query string.
		{"updated_after=2024-05-01T11:30:00+02:00", time.Time{}, msg("2024-05-01T11:30:00 02:00") + " (send a + in a query string as %2B)"},
		{"updated_after=2024-05-01", time.Time{}, msg("2024-05-01")},
		{"updated_after=2024-05-01T09:30:00", time.Time{}, msg("2024-05-01T09:30:00")},
		{"updated_after=2024-13-01T09:30:00Z", time.Time{}, msg("2024-13-01T09:30:00Z")},
		{"updated_after=1714555800", time.Time{}, msg("1714555800")},
		{"updated_after=", time.Time{}, msg("")},
		{"updated_after[]=2024-05-01T09:30:00Z", time.Time{}, "must be a single value, got a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "updated_after")
		got, ok := p.DateTime(v)
		if tt.fail == "" {
			if !ok || !got.Equal(tt.want) {
				t.Errorf("%q: DateTime = %v, %v, want %v", tt.raw, got, ok, tt.want)
			}
			wantFailures(t, r)
			continue
		}
		if ok || !got.IsZero() {
			t.Errorf("%q: DateTime = %v, %v; want a failure", tt.raw, got, ok)
		}
		rule := RuleFormat
		if strings.HasPrefix(tt.fail, "must be a single") {
			rule = RuleType
		}
		wantFailures(t, r, queryFailure("updated_after", rule, tt.fail))
	}
}

func TestParamDate(t *testing.T) {
	v, p, r := param(t, "since=2024-02-29", "since")
	if got, ok := p.Date(v); !ok || !got.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Date = %v, %v", got, ok)
	}
	wantFailures(t, r)
	for _, bad := range []string{"2023-02-29", "2024-5-1", "2024-05-01T00:00:00Z", "01/05/2024"} {
		v, p, r := param(t, "since="+bad, "since")
		if got, ok := p.Date(v); ok || !got.IsZero() {
			t.Errorf("%q: Date = %v, %v; want a failure", bad, got, ok)
		}
		wantFailures(t, r, queryFailure("since", RuleFormat, `must be a date such as 2024-05-01, got "`+bad+`"`))
	}
}

func TestPathParamUUID(t *testing.T) {
	var r Report
	p := PathParam(&r, "id")
	if _, ok := p.UUID(qs.Text("abc")); ok {
		t.Fatal("accepted abc")
	}
	if _, ok := p.Int(qs.Text("abc")); ok {
		t.Fatal("accepted abc")
	}
	want := []Failure{
		{Location: Path, Field: "id", Rule: RuleFormat, Message: `must be a UUID such as 62f44730-dd91-461e-bd6a-aedd9e0ad79d, got "abc"`},
		{Location: Path, Field: "id", Rule: RuleType, Message: `must be an integer, got "abc"`},
	}
	wantFailures(t, &r, want...)
	if got := r.Failures[1].String(); got != `path parameter "id": must be an integer, got "abc"` {
		t.Errorf("String() = %q", got)
	}
}

func TestParamStrings(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
		fail string
	}{
		{"f=id", []string{"id"}, ""},
		{"f=", []string{""}, ""},
		{"f=id&f=name", []string{"id", "name"}, ""},
		{"f[]=id&f[]=name", []string{"id", "name"}, ""},
		{"f[1]=name&f[0]=id", []string{"id", "name"}, ""},
		{"f=id&f[]=name", []string{"id", "name"}, ""},
		{"f=a%2Cb", []string{"a,b"}, ""},
		{"f[x]=id", nil, "must be a list of values, got an object"},
		{"f[0][x]=id", nil, "must be a list of values, got a list"},
		{"f[]=a&f[][x]=b", nil, "must be a list of values, got a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "f")
		got, ok := p.Strings(v)
		if ok != (tt.fail == "") || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: Strings = %q, %v; want %q", tt.raw, got, ok, tt.want)
		}
		if tt.fail == "" {
			wantFailures(t, r)
		} else {
			wantFailures(t, r, queryFailure("f", RuleType, tt.fail))
		}
	}
}

func TestParamItems(t *testing.T) {
	tests := []struct {
		raw  string
		want []string // the items' strings
		fail string
	}{
		{"f=3", []string{"3"}, ""},
		{"f=3&f=1", []string{"3", "1"}, ""},
		{"f[]=3&f[]=1", []string{"3", "1"}, ""},
		{"f[1]=1&f[0]=3", []string{"3", "1"}, ""},
		{"f[x]=3", nil, "must be a list of values, got an object"},
		{"f[0][x]=3", nil, "must be a list of values, got a list holding an object"},
		{"f[0][]=3", nil, "must be a list of values, got a list holding a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "f")
		items, ok := p.Items(v)
		var got []string
		for _, it := range items {
			got = append(got, it.Str())
		}
		if ok != (tt.fail == "") || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: Items = %q, %v; want %q", tt.raw, got, ok, tt.want)
		}
		if tt.fail == "" {
			wantFailures(t, r)
		} else {
			wantFailures(t, r, queryFailure("f", RuleType, tt.fail))
		}
	}
}

func TestParamList(t *testing.T) {
	v, p, r := param(t, "collections[1][id]=2&collections[0][id]=1&collections[0][type]=x", "collections")
	items, ok := p.List(v)
	if !ok || len(items) != 2 {
		t.Fatalf("List = %d items, %v", len(items), ok)
	}
	for i, want := range []string{"1", "2"} {
		if !p.Index(i).Object(items[i]) {
			t.Fatalf("item %d is not an object", i)
		}
		id, found := items[i].Get("id")
		if !found || id.Str() != want {
			t.Errorf("item %d id = %q", i, id.Str())
		}
	}
	wantFailures(t, r)

	tests := []struct {
		raw  string
		fail string
	}{
		{"collections=1", "must be a list of objects such as collections[0][key]=value, got a single value"},
		{"collections[id]=1", "must be a list of objects such as collections[0][key]=value, got an object"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "collections")
		if items, ok := p.List(v); ok || items != nil {
			t.Errorf("%q: List = %v, %v", tt.raw, items, ok)
		}
		wantFailures(t, r, queryFailure("collections", RuleType, tt.fail))
	}

	// A list of strings is a list; its items are not objects.
	v, p, r = param(t, "collections[]=1&collections[]=2", "collections")
	items, ok = p.List(v)
	if !ok || len(items) != 2 {
		t.Fatalf("List = %d items, %v", len(items), ok)
	}
	for i := range items {
		if p.Index(i).Object(items[i]) {
			t.Errorf("item %d is an object", i)
		}
	}
	wantFailures(t, r,
		queryFailure("collections[0]", RuleType, "must be an object such as collections[0][key]=value, got a single value"),
		queryFailure("collections[1]", RuleType, "must be an object such as collections[1][key]=value, got a single value"),
	)
}

func TestParamObject(t *testing.T) {
	tests := []struct {
		raw  string
		fail string
	}{
		{"remote_query[a]=1", ""},
		{"remote_query[a][b]=1", ""},
		{"remote_query=1", "must be an object such as remote_query[key]=value, got a single value"},
		{"remote_query[]=1", "must be an object such as remote_query[key]=value, got a list"},
		{"remote_query=1&remote_query=2", "must be an object such as remote_query[key]=value, got a list"},
	}
	for _, tt := range tests {
		v, p, r := param(t, tt.raw, "remote_query")
		if ok := p.Object(v); ok != (tt.fail == "") {
			t.Errorf("%q: Object = %v", tt.raw, ok)
		}
		if tt.fail == "" {
			wantFailures(t, r)
		} else {
			wantFailures(t, r, queryFailure("remote_query", RuleType, tt.fail))
		}
	}
}

func TestParamFreeForm(t *testing.T) {
	raw := "remote_query[a]=1&remote_query[b][]=x&remote_query[b][]=y&remote_query[c][d]=z" +
		"&remote_query[e][0][f]=g&remote_query[h]=1&remote_query[h]=2&remote_query[sp+ace]=%C3%A9"
	v, p, r := param(t, raw, "remote_query")
	got, ok := p.FreeForm(v)
	want := map[string]any{
		"a":      "1",
		"b":      []any{"x", "y"},
		"c":      map[string]any{"d": "z"},
		"e":      []any{map[string]any{"f": "g"}},
		"h":      []any{"1", "2"},
		"sp ace": "é",
	}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("FreeForm = %#v, %v\nwant %#v", got, ok, want)
	}
	wantFailures(t, r)

	for _, raw := range []string{"remote_query=1", "remote_query[]=1"} {
		v, p, r := param(t, raw, "remote_query")
		if got, ok := p.FreeForm(v); ok || got != nil {
			t.Errorf("%q: FreeForm = %v, %v", raw, got, ok)
		}
		if len(r.Failures) != 1 || r.Failures[0].Rule != RuleType || r.Failures[0].Field != "remote_query" ||
			!strings.HasPrefix(r.Failures[0].Message, "must be an object such as remote_query[key]=value, got ") {
			t.Errorf("%q:%s", raw, dumpFailures(r.Failures))
		}
	}
}

func TestParseQuery(t *testing.T) {
	vals, ok := ParseQuery("a=1&b[]=2&c[x]=3", new(Report))
	if !ok || !reflect.DeepEqual(slices.Collect(vals.Names()), []string{"a", "b", "c"}) {
		t.Fatalf("ParseQuery = %v, %v", slices.Collect(vals.Names()), ok)
	}
	r := new(Report)
	if vals, ok := ParseQuery("", r); !ok || len(slices.Collect(vals.Names())) != 0 || !r.OK() {
		t.Errorf("empty query: %v, %v, %+v", slices.Collect(vals.Names()), ok, r.Failures)
	}
}

func TestParseQueryFailures(t *testing.T) {
	long := "a=" + strings.Repeat("x", 64<<10)
	tests := []struct {
		name   string
		raw    string
		field  string
		reason string
		str    string
	}{
		{"unclosed bracket", "a=1&collections[0=1", "collections", `malformed brackets: unclosed "["`, `query parameter "collections": malformed brackets: unclosed "["`},
		{"text after bracket", "a[b]c=1", "a", `malformed brackets: text after "]"`, `query parameter "a": malformed brackets: text after "]"`},
		{"bracket without name", "[x]=1", "[x]", "empty parameter name", `query parameter "[x]": empty parameter name`},
		{"close without open", "a]=1", "a]", `malformed brackets: "]" without "["`, `query parameter "a]": malformed brackets: "]" without "["`},
		{"bad escape in name", "%zz=1", "%zz", `invalid percent-encoding "%zz" in name`, `query parameter "%zz": invalid percent-encoding "%zz" in name`},
		{"bad escape in value", "q=100%", "q", `invalid percent-encoding "%" in value`, `query parameter "q": invalid percent-encoding "%" in value`},
		{"semicolon", "a=1;b=2", "a", `unescaped ";" (use "&" between parameters, "%3B" inside them)`, `query parameter "a": unescaped ";" (use "&" between parameters, "%3B" inside them)`},
		{"index too large", "collections[5000][id]=1", "collections", "index 5000 exceeds 999", `query parameter "collections": index 5000 exceeds 999`},
		{"too deep", "a[b][c][d][e][f][g]=1", "a", "depth exceeds 5", `query parameter "a": depth exceeds 5`},
		{"shape conflict", "a=1&a[x]=2", "a", `"a" is a string, cannot also be an object`, `query parameter "a": "a" is a string, cannot also be an object`},
		{"too long", long, "", "length 65538 exceeds 65536", `query string: length 65538 exceeds 65536`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := new(Report)
			vals, ok := ParseQuery(tt.raw, r)
			if ok || len(slices.Collect(vals.Names())) != 0 {
				t.Fatalf("ParseQuery = %v, %v; want a failure and no values", slices.Collect(vals.Names()), ok)
			}
			wantFailures(t, r, queryFailure(tt.field, RuleSyntax, tt.reason))
			if got := r.Failures[0].String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
		})
	}
}
