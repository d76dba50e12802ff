package validation

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// begin starts a State on body, failing the test if Begin refuses it.
func begin(t *testing.T, body string) (*State, *Report) {
	t.Helper()
	r := new(Report)
	s := Begin([]byte(body), r)
	if s == nil {
		t.Fatalf("Begin(%q) = nil: %+v", body, r.Failures)
	}
	return s, r
}

// wantFailures compares a report's failures with want, in order.
func wantFailures(t *testing.T, r *Report, want ...Failure) {
	t.Helper()
	if len(want) == 0 && len(r.Failures) == 0 {
		return
	}
	if !reflect.DeepEqual(r.Failures, want) {
		t.Errorf("failures:\n got %s\nwant %s", dumpFailures(r.Failures), dumpFailures(want))
	}
}

func dumpFailures(fs []Failure) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n\t{%s %q %s %q allowed=%q}", f.Location, f.Field, f.Rule, f.Message, f.Allowed)
	}
	return b.String()
}

func syntaxAt(field, msg string) Failure {
	return Failure{Location: Body, Field: field, Rule: RuleSyntax, Message: msg}
}

func TestBeginRejectsInvalidUTF8(t *testing.T) {
	tests := []struct {
		name string
		body string
		off  int
	}{
		{"first byte", "\xff{}", 0},
		{"in a string", "{\"name\": \"\xff\"}", 10},
		{"after multibyte runes", "{\"name\": \"é日😀\xfe\"}", 19},
		{"truncated sequence", "{\"a\": \"\xe2\x82\"}", 7},
		{"truncated at the end", "{}\xe2\x82", 2},
		{"overlong encoding", "[\"\xc0\xaf\"]", 2},
		{"encoded surrogate", "[\"\xed\xa0\x80\"]", 2},
		{"continuation byte alone", "[\"a\x80\"]", 3},
		{"beyond U+10FFFF", "[\"\xf4\x90\x80\x80\"]", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			if s := Begin([]byte(tt.body), &r); s != nil {
				s.End(nil)
				t.Fatalf("Begin accepted %q", tt.body)
			}
			wantFailures(t, &r, syntaxAt("", "body is not valid UTF-8 (byte offset "+strconv.Itoa(tt.off)+")"))
		})
	}
}

func TestBeginAcceptsValidUTF8(t *testing.T) {
	// U+FFFD written out is valid UTF-8, not an invalid byte.
	for _, body := range []string{`{}`, "[\"\xef\xbf\xbd\"]", `["é日😀"]`, ``} {
		var r Report
		s := Begin([]byte(body), &r)
		if s == nil {
			t.Errorf("Begin(%q) = nil: %+v", body, r.Failures)
			continue
		}
		if s.R != &r || s.Path.Depth() != 0 {
			t.Errorf("Begin(%q): R %p (want %p), path depth %d", body, s.R, &r, s.Path.Depth())
		}
		s.End(s.Skip())
	}
}

func TestEndAcceptsTrailingWhiteSpace(t *testing.T) {
	for _, body := range []string{`{}`, "{}\n", "{} \t\r\n ", " \n{\"a\": [1, 2]}\n\n"} {
		s, r := begin(t, body)
		s.End(s.Skip())
		wantFailures(t, r)
	}
}

func TestEndTrailingData(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{} {}`, "malformed JSON at byte offset 3: invalid character '{' after top-level value"},
		{`{"name": "x"} garbage`, "malformed JSON at byte offset 14: invalid character 'g' after top-level value"},
		{`{}]`, "malformed JSON at byte offset 2: invalid character ']' after top-level value"},
		{`{}}`, "malformed JSON at byte offset 2: invalid character '}' after top-level value"},
		{`{},`, "malformed JSON at byte offset 2: invalid character ',' after top-level value"},
		{"{}\x00", "malformed JSON at byte offset 2: invalid character '\\x00' after top-level value"},
		{`{"a":1}/`, "malformed JSON at byte offset 7: invalid character '/' after top-level value"},
		{"{}\n\n1", "malformed JSON at byte offset 4: invalid character '1' after top-level value"},
		{`[] null`, "malformed JSON at byte offset 3: invalid character 'n' after top-level value"},
	}
	for _, tt := range tests {
		s, r := begin(t, tt.body)
		// The decoder read one value without error; End finds the rest.
		if err := s.Skip(); err != nil {
			t.Fatalf("%q: Skip: %v", tt.body, err)
		}
		s.End(nil)
		wantFailures(t, r, syntaxAt("", tt.want))
	}
}

func TestEndSyntaxFailureOffsets(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"trailing comma in object", `{"name": "x",}`, "malformed JSON at byte offset 13: invalid character '}' looking for beginning of object key string"},
		{"trailing comma in array", `[1,]`, "malformed JSON at byte offset 3: invalid character ']' looking for beginning of value"},
		{"missing comma", `[1 2]`, "malformed JSON at byte offset 3: invalid character '2' after array element"},
		{"missing colon", `{"a" 1}`, "malformed JSON at byte offset 5: invalid character '1' after object key"},
		{"bad escape", `["\x"]`, "malformed JSON at byte offset 3: invalid character 'x' in string escape code"},
		{"short unicode escape", `["\u12"]`, "malformed JSON at byte offset 6: invalid character '\"' in \\u hexadecimal character escape"},
		{"raw tab in a string", "[\"a\tb\"]", "malformed JSON at byte offset 3: invalid character '\\t' in string literal"},
		{"raw newline in a string", "{\"a\": \"x\ny\"}", "malformed JSON at byte offset 8: invalid character '\\n' in string literal"},
		{"leading zero", `[01]`, "malformed JSON at byte offset 2: invalid character '1' after array element"},
		{"plus sign", `[+1]`, "malformed JSON at byte offset 1: invalid character '+' looking for beginning of value"},
		{"bad literal", `[trve]`, "malformed JSON at byte offset 3: invalid character 'v' in literal true (expecting 'u')"},
		{"single quotes", `{'a': 1}`, "malformed JSON at byte offset 1: invalid character '\\'' looking for beginning of object key string"},
		{"not JSON at all", `x=1`, "malformed JSON at byte offset 0: invalid character 'x' looking for beginning of value"},
		{"form body", `name=x`, "malformed JSON at byte offset 1: invalid character 'a' in literal null (expecting 'u')"},
		{"byte order mark", "\xef\xbb\xbf{}", "malformed JSON at byte offset 0: invalid character 'ï' looking for beginning of value"},
		{"offset past white space", "{\n  \"a\": [1,\n  2,,\n]}", "malformed JSON at byte offset 17: invalid character ',' looking for beginning of value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, r := begin(t, tt.body)
			err := s.Skip()
			if err == nil {
				t.Fatalf("the scanner accepted %q", tt.body)
			}
			s.End(err)
			wantFailures(t, r, syntaxAt("", tt.want))
		})
	}
}

// TestEndTruncatedBodyOffset: when the body ends too early there is no bad
// byte; the offset is where the missing text should have started, the
// length of the body, not the position of its last byte.
func TestEndTruncatedBodyOffset(t *testing.T) {
	tests := []struct {
		body string
		off  int
	}{
		{`{`, 1},
		{`{"name": `, 9},
		{`[1,`, 3},
		{`"abc`, 4},
	}
	for _, tt := range tests {
		s, r := begin(t, tt.body)
		s.End(s.Skip())
		wantFailures(t, r, syntaxAt("", "malformed JSON at byte offset "+strconv.Itoa(tt.off)+": unexpected end of JSON input"))
	}
}

func TestEndEmptyBody(t *testing.T) {
	for _, body := range []string{"", " ", "\n\t\r "} {
		s, r := begin(t, body)
		// What a generated decoder does first: the body must be an object.
		var err error
		if tp := s.Next(); tp != TokenObject {
			err = s.WrongType("an object", tp)
		}
		if err == nil {
			t.Fatalf("%q: no error from an empty body", body)
		}
		s.End(err)
		wantFailures(t, r, syntaxAt("", "body is empty; send a JSON object"))
	}
}

func TestEndSyntaxFailureNamesThePath(t *testing.T) {
	// A generated decoder returns without popping: the failure names the
	// member being read when the body broke off.
	s, r := begin(t, `{"emails": [{"type": tru}]}`)
	s.Next()
	iter, err := objIter(s)
	if err != nil || !iter.Next() || string(iter.Key()) != "emails" {
		t.Fatalf("object: %v", err)
	}
	s.Path.Key("emails")
	s.Path.Index(0)
	s.Next()
	arr, err := arrIter(s)
	if err != nil || !arr.Next() {
		t.Fatalf("array: %v", err)
	}
	s.Next()
	obj, err := objIter(s)
	if err != nil || !obj.Next() {
		t.Fatalf("object: %v", err)
	}
	s.Path.Key("type")
	_, err = s.Bool()
	if err == nil {
		t.Fatal("the scanner read tru as a boolean")
	}
	s.End(err)
	wantFailures(t, r, syntaxAt("emails[0].type", "malformed JSON at byte offset 24: invalid character '}' in literal true (expecting 'e')"))
}

func TestEndTooDeep(t *testing.T) {
	s, r := begin(t, `{}`)
	s.Skip()
	s.Path.Key("remote_data")
	s.Path.Key("a")
	s.End(fmt.Errorf("callback: callback: %w", ErrTooDeep))
	wantFailures(t, r, Failure{Location: Body, Field: "remote_data.a", Rule: RuleTooDeep, Message: "nested deeper than 32 levels"})
}

func TestEndOtherErrorOnValidJSON(t *testing.T) {
	// encoding/json finds nothing wrong: the decoder's own error is the
	// message.
	s, r := begin(t, `{"a": 1}`)
	s.End(errors.New("boom"))
	wantFailures(t, r, syntaxAt("", "malformed JSON: boom"))
}

func TestEndSyntaxFailureSurvivesTheCap(t *testing.T) {
	s, r := begin(t, `[1,]`)
	for range MaxFailures {
		r.Add(Failure{Location: Body, Rule: RuleType, Message: "m"})
	}
	s.End(s.Skip())
	if len(r.Failures) != MaxFailures+1 || r.Failures[MaxFailures].Rule != RuleSyntax {
		t.Errorf("kept %d failures, last %+v", len(r.Failures), r.Failures[len(r.Failures)-1])
	}
}

func TestStatesAreResetBetweenBodies(t *testing.T) {
	for i := range 20 {
		s, r := begin(t, `["x", "y"]`)
		if s.Path.Depth() != 0 || s.R != r || s.text != "" || s.strs != nil {
			t.Fatalf("body %d: Begin gave a used state: depth %d, text %q, %d strs", i, s.Path.Depth(), s.text, len(s.strs))
		}
		s.Next()
		it, _ := arrIter(s)
		it.Next()
		s.Path.Key("left")
		s.Path.Index(i)
		v, _ := s.Str()
		s.StrPtr(v)
		// End with an error, leaving the path where it was.
		s.End(errors.New("stop"))
		if len(r.Failures) != 1 {
			t.Fatalf("body %d: %+v", i, r.Failures)
		}
	}
}

func TestStrUnescapedIsASubstringOfOneCopy(t *testing.T) {
	body := []byte(`{"a": "hello", "b": "wörld", "c": "", "d": "hello"}`)
	var r Report
	s := Begin(body, &r)
	s.Next()
	iter, err := objIter(s)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for iter.Next() {
		k := string(iter.Key())
		v, err := s.Str()
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		got[k] = v
	}
	if s.text != string(body) {
		t.Fatalf("text = %q, want the body", s.text)
	}
	base := uintptr(unsafe.Pointer(unsafe.StringData(s.text)))
	for _, k := range []string{"a", "b", "d"} {
		v := got[k]
		// Where the value sits in the body, after `"k": "`.
		want := strings.Index(string(body), `"`+k+`": "`) + len(`"k": "`)
		p := uintptr(unsafe.Pointer(unsafe.StringData(v)))
		if p != base+uintptr(want) {
			t.Errorf("%s = %q is not the substring at %d of the one copy", k, v, want)
		}
	}
	if got["a"] != "hello" || got["b"] != "wörld" || got["c"] != "" || got["d"] != "hello" {
		t.Errorf("values %q", got)
	}
	// The values do not alias the caller's buffer.
	for i := range body {
		body[i] = 'X'
	}
	if got["a"] != "hello" || got["b"] != "wörld" {
		t.Errorf("values changed with the body: %q", got)
	}
	s.End(iter.Err())
	wantFailures(t, &r)
}

func TestStrEscapedIsItsOwnString(t *testing.T) {
	body := []byte(`["esc\"aped", "\u00e9\n\/\\", "\ud83d\ude00", "plain"]`)
	var r Report
	s := Begin(body, &r)
	s.Next()
	it, err := arrIter(s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for it.Next() {
		v, err := s.Str()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 3 && s.text != "" {
			t.Errorf("escaped string %d made the body copy", len(got))
		}
		got = append(got, v)
	}
	want := []string{`esc"aped`, "é\n/\\", "😀", "plain"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Str gave %q, want %q", got, want)
	}
	base := uintptr(unsafe.Pointer(unsafe.StringData(s.text)))
	for _, v := range got[:3] {
		p := uintptr(unsafe.Pointer(unsafe.StringData(v)))
		if p >= base && p < base+uintptr(len(s.text)) {
			t.Errorf("escaped %q points into the body copy", v)
		}
	}
	for i := range body {
		body[i] = 'X'
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("values changed with the body: %q", got)
	}
	s.End(it.Err())
	wantFailures(t, &r)
}

func TestStrError(t *testing.T) {
	s, r := begin(t, `["a\qb"]`)
	s.Next()
	it, _ := arrIter(s)
	it.Next()
	v, err := s.Str()
	if err == nil || v != "" {
		t.Fatalf("Str on an unterminated string = %q, %v", v, err)
	}
	s.End(err)
	wantFailures(t, r, syntaxAt("", "malformed JSON at byte offset 4: invalid character 'q' in string escape code"))
}

func TestStrPtrChunks(t *testing.T) {
	s, r := begin(t, `{}`)
	var ps []*string
	for i := range strChunk {
		ps = append(ps, s.StrPtr("v"+strconv.Itoa(i)))
		if len(s.strs) != i+1 || cap(s.strs) != strChunk {
			t.Fatalf("after %d: chunk len %d cap %d", i+1, len(s.strs), cap(s.strs))
		}
	}
	// A chunk's pointers share it, in order.
	for i := 1; i < strChunk; i++ {
		if uintptr(unsafe.Pointer(ps[i]))-uintptr(unsafe.Pointer(ps[i-1])) != unsafe.Sizeof("") {
			t.Fatalf("pointer %d is not next to pointer %d", i, i-1)
		}
	}
	// The next one starts a new chunk; the first is left alone.
	ps = append(ps, s.StrPtr("v"+strconv.Itoa(strChunk)))
	if len(s.strs) != 1 || cap(s.strs) != strChunk || &s.strs[0] != ps[strChunk] {
		t.Fatalf("one past a chunk: chunk len %d cap %d", len(s.strs), cap(s.strs))
	}
	*ps[3] = "changed"
	for i, p := range ps {
		want := "v" + strconv.Itoa(i)
		if i == 3 {
			want = "changed"
		}
		if *p != want {
			t.Errorf("*ps[%d] = %q, want %q", i, *p, want)
		}
	}
	s.End(s.Skip())
	wantFailures(t, r)

	// A chunk is never reused, not even by the next body from the pool.
	for range 4 {
		s2, _ := begin(t, `{}`)
		for i := range 20 {
			s2.StrPtr("other" + strconv.Itoa(i))
		}
		s2.End(s2.Skip())
	}
	for i, p := range ps {
		want := "v" + strconv.Itoa(i)
		if i == 3 {
			want = "changed"
		}
		if *p != want {
			t.Errorf("after later bodies *ps[%d] = %q, want %q", i, *p, want)
		}
	}
}

func TestTokenString(t *testing.T) {
	tests := map[Token]string{
		TokenString: "string", TokenNumber: "number", TokenNull: "null", TokenBool: "boolean",
		TokenArray: "array", TokenObject: "object", TokenInvalid: "invalid JSON", Token(99): "invalid JSON",
	}
	for tp, want := range tests {
		if got := tp.String(); got != want {
			t.Errorf("Token(%d).String() = %q, want %q", tp, got, want)
		}
	}
}

func TestWrongTypeEveryType(t *testing.T) {
	tests := []struct {
		value string
		tp    Token
		kind  string
	}{
		{`"text"`, TokenString, "string"},
		{`"esc\"aped ]}"`, TokenString, "string"},
		{`-1.5e3`, TokenNumber, "number"},
		{`null`, TokenNull, "null"},
		{`true`, TokenBool, "boolean"},
		{`false`, TokenBool, "boolean"},
		{`[1, [2, {"a": 3}]]`, TokenArray, "array"},
		{`[]`, TokenArray, "array"},
		{`{"a": {"b": [null]}}`, TokenObject, "object"},
		{`{}`, TokenObject, "object"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			// The wrong value sits between two good ones: it is skipped
			// whole and decoding goes on.
			s, r := begin(t, `{"items": [1, `+tt.value+`, 3]}`)
			s.Next()
			obj, _ := objIter(s)
			obj.Next()
			s.Path.Key("items")
			s.Next()
			it, _ := arrIter(s)
			var ints []int64
			for i := 0; it.Next(); i++ {
				s.Path.Index(i)
				// The schema wants an object at [1]: whatever is there
				// is the wrong type, and is skipped whole.
				if tp := s.Next(); i == 1 {
					if tp != tt.tp {
						t.Fatalf("Next = %v, want %v", tp, tt.tp)
					}
					if err := s.WrongType("a set of things", tp); err != nil {
						t.Fatalf("WrongType: %v", err)
					}
				} else {
					v, _, err := s.Int()
					if err != nil {
						t.Fatal(err)
					}
					ints = append(ints, v)
				}
				s.Path.Pop()
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			s.Path.Pop()
			if obj.Next() || obj.Err() != nil {
				t.Fatalf("object not finished: %v", obj.Err())
			}
			s.End(nil)
			wantFailures(t, r, Failure{Location: Body, Field: "items[1]", Rule: RuleType, Message: "must be a set of things, got " + tt.kind})
			if !reflect.DeepEqual(ints, []int64{1, 3}) {
				t.Errorf("read %v around the wrong value, want [1 3]", ints)
			}
		})
	}
}

func TestWrongTypeAtTheRoot(t *testing.T) {
	for body, kind := range map[string]string{`null`: "null", `[]`: "array", `"x"`: "string", `12`: "number", `false`: "boolean"} {
		s, r := begin(t, body)
		tp := s.Next()
		s.End(s.WrongType("an object", tp))
		wantFailures(t, r, Failure{Location: Body, Rule: RuleType, Message: "must be an object, got " + kind})
	}
}

func TestWrongTypeInvalidIsASyntaxFailure(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"a": ?}`, "malformed JSON at byte offset 6: invalid character '?' looking for beginning of value"},
		{`{"a": }`, "malformed JSON at byte offset 6: invalid character '}' looking for beginning of value"},
		{`{"a": 'x'}`, "malformed JSON at byte offset 6: invalid character '\\'' looking for beginning of value"},
	}
	for _, tt := range tests {
		s, r := begin(t, tt.body)
		s.Next()
		obj, _ := objIter(s)
		obj.Next()
		s.Path.Key("a")
		tp := s.Next()
		if tp != TokenInvalid {
			t.Fatalf("%q: Next = %v", tt.body, tp)
		}
		err := s.WrongType("a string", tp)
		if err == nil {
			t.Fatalf("%q: WrongType(Invalid) = nil", tt.body)
		}
		if len(r.Failures) != 0 {
			t.Errorf("%q: WrongType(Invalid) recorded %+v, want nothing until End", tt.body, r.Failures)
		}
		s.End(err)
		wantFailures(t, r, syntaxAt("a", tt.want))
	}
}

func TestNotOneOf(t *testing.T) {
	long := strings.Repeat("é", 40) + `"` // 81 bytes: beyond the stack buffer
	tests := []struct {
		value   string
		allowed []string
		want    string
	}{
		{"x", []string{"primary", "other"}, `"x" is not one of "primary", "other"`},
		{"", []string{"a"}, `"" is not one of "a"`},
		{"gone", []string{"active", "inactive"}, `"gone" is not one of "active", "inactive"`},
		{"a\"b\\c\n", []string{`q"`, "é"}, `"a\"b\\c\n" is not one of "q\"", "é"`},
		{"\x00\x7f", []string{"owner", "member", "viewer"}, `"\x00\x7f" is not one of "owner", "member", "viewer"`},
		{long, []string{long + "!", "b"}, strconv.Quote(long) + " is not one of " + strconv.Quote(long+"!") + `, "b"`},
	}
	for _, tt := range tests {
		if got := notOneOf([]byte(tt.value), tt.allowed); got != tt.want {
			t.Errorf("notOneOf(%q, %q)\n got %s\nwant %s", tt.value, tt.allowed, got, tt.want)
		}
	}
}

func TestBadEnum(t *testing.T) {
	allowed := []string{"primary", "other"}
	s, r := begin(t, `{}`)
	s.Path.Key("emails")
	s.Path.Index(0)
	s.Path.Key("type")
	s.BadEnum([]byte("work"), allowed)
	s.Path.Reset()
	s.Path.Key("status")
	s.BadEnum([]byte(`we"ird`), []string{"active", "inactive"})
	s.End(s.Skip())
	wantFailures(t, r,
		Failure{Location: Body, Field: "emails[0].type", Rule: RuleEnum, Message: `"work" is not one of "primary", "other"`, Allowed: allowed},
		Failure{Location: Body, Field: "status", Rule: RuleEnum, Message: `"we\"ird" is not one of "active", "inactive"`, Allowed: []string{"active", "inactive"}},
	)
	if &r.Failures[0].Allowed[0] != &allowed[0] {
		t.Error("Allowed is a copy of the schema's list, want the list itself")
	}
}

func TestFormatAndRangeFailures(t *testing.T) {
	s, r := begin(t, `{}`)
	s.Path.Key("items")
	s.Path.Index(2)
	s.Path.Key("customer_id")
	s.BadFormat("uuid")
	s.Path.Pop()
	s.Path.Key("due_at")
	s.BadFormat("date-time (RFC 3339)")
	s.Path.Pop()
	s.Path.Key("sku")
	s.TooShort(3)
	s.TooShort(1)
	s.Path.Pop()
	s.Path.Key("total")
	s.OutOfRange("a 32-bit float")
	s.Path.Reset()
	s.BadFormat("date (YYYY-MM-DD)")
	s.End(s.Skip())
	wantFailures(t, r,
		Failure{Location: Body, Field: "items[2].customer_id", Rule: RuleFormat, Message: "must be a uuid string"},
		Failure{Location: Body, Field: "items[2].due_at", Rule: RuleFormat, Message: "must be a date-time (RFC 3339) string"},
		Failure{Location: Body, Field: "items[2].sku", Rule: RuleFormat, Message: "must be at least 3 characters long"},
		Failure{Location: Body, Field: "items[2].sku", Rule: RuleFormat, Message: "must be at least 1 character long"},
		Failure{Location: Body, Field: "items[2].total", Rule: RuleType, Message: "is out of range for a 32-bit float"},
		Failure{Location: Body, Field: "", Rule: RuleFormat, Message: "must be a date (YYYY-MM-DD) string"},
	)
}

// TestBadFormatEmail: generated decoders call BadFormat("email") for a
// string with format email; the message clients read must be English.
func TestBadFormatEmail(t *testing.T) {
	s, r := begin(t, `{}`)
	s.Path.Key("emails")
	s.Path.Index(0)
	s.Path.Key("email")
	s.BadFormat("email")
	s.End(s.Skip())
	wantFailures(t, r, Failure{Location: Body, Field: "emails[0].email", Rule: RuleFormat, Message: "must be an email string"})
}

// decodeMembers reads the object at the decoder's position the way
// generated code does: known members are strings or integers, a member seen
// twice is a duplicate, others are unknown, required ones must be there.
// Kinds are "string", "int" and "object" (free-form).
func decodeMembers(s *State, known map[string]string, required []string) (map[string]any, error) {
	if tp := s.Next(); tp != TokenObject {
		return nil, s.WrongType("an object", tp)
	}
	got := map[string]any{}
	iter, err := objIter(s)
	if err != nil {
		return nil, err
	}
	for iter.Next() {
		k := iter.Key()
		kind, ok := known[string(k)]
		if !ok {
			if err := s.Unknown(k); err != nil {
				return nil, err
			}
			continue
		}
		if _, dup := got[string(k)]; dup {
			if err := s.Duplicate(k); err != nil {
				return nil, err
			}
			continue
		}
		s.Path.Key(string(k))
		switch kind {
		case "string":
			if tp := s.Next(); tp != TokenString {
				if err := s.WrongType("a string", tp); err != nil {
					return nil, err
				}
				got[string(k)] = nil
			} else {
				v, err := s.Str()
				if err != nil {
					return nil, err
				}
				got[string(k)] = v
			}
		case "object":
			m, ok, err := s.RawObject()
			if err != nil {
				return nil, err
			}
			if ok {
				got[string(k)] = string(m)
			} else {
				got[string(k)] = nil
			}
		case "int":
			if tp := s.Next(); tp != TokenNumber {
				if err := s.WrongType("an integer", tp); err != nil {
					return nil, err
				}
				got[string(k)] = nil
			} else {
				v, ok, err := s.Int()
				if err != nil {
					return nil, err
				}
				if ok {
					got[string(k)] = v
				} else {
					got[string(k)] = nil
				}
			}
		}
		s.Path.Pop()
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	for _, k := range required {
		if _, ok := got[k]; !ok {
			s.MissingMember(k)
		}
	}
	return got, nil
}

func TestUnknownDuplicateMissing(t *testing.T) {
	known := map[string]string{"name": "string", "after": "int", "email": "string"}
	s, r := begin(t, `{"name": "a", "nmae": {"x": [1, {"y": "}"}]}, "name": {"b": [2]}, "after": 7, "Name": 1}`)
	got, err := decodeMembers(s, known, []string{"email", "name"})
	s.End(err)
	wantFailures(t, r,
		Failure{Location: Body, Field: "nmae", Rule: RuleUnknown, Message: "is not a field of the unified model"},
		Failure{Location: Body, Field: "name", Rule: RuleDuplicate, Message: "appears more than once"},
		Failure{Location: Body, Field: "Name", Rule: RuleUnknown, Message: "is not a field of the unified model"},
		Failure{Location: Body, Field: "email", Rule: RuleRequired, Message: "is required"},
	)
	if want := map[string]any{"name": "a", "after": int64(7)}; !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %v, want %v (the first name kept)", got, want)
	}
}

func TestUnknownDuplicateMissingUnderAPath(t *testing.T) {
	known := map[string]string{"email": "string", "type": "string"}
	s, r := begin(t, `[{"email": "a@b.c"}, {"type": "x", "type": "y", "level": [3]}]`)
	s.Next()
	it, _ := arrIter(s)
	s.Path.Key("emails")
	var got []map[string]any
	for i := 0; it.Next(); i++ {
		s.Path.Index(i)
		m, err := decodeMembers(s, known, []string{"email"})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
		s.Path.Pop()
	}
	s.Path.Pop()
	s.End(it.Err())
	wantFailures(t, r,
		Failure{Location: Body, Field: "emails[1].type", Rule: RuleDuplicate, Message: "appears more than once"},
		Failure{Location: Body, Field: "emails[1].level", Rule: RuleUnknown, Message: "is not a field of the unified model"},
		Failure{Location: Body, Field: "emails[1].email", Rule: RuleRequired, Message: "is required"},
	)
	want := []map[string]any{{"email": "a@b.c"}, {"type": "x"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
}

func TestUnknownAndDuplicateSkipErrors(t *testing.T) {
	// Skipping a broken value is the syntax error End reports.
	for _, body := range []string{`{"bogus": [1,,2]}`, `{"name": "a", "name": [1,,2]}`} {
		s, r := begin(t, body)
		_, err := decodeMembers(s, map[string]string{"name": "string"}, nil)
		if err == nil {
			t.Fatalf("%q: no error", body)
		}
		s.End(err)
		if n := len(r.Failures); n != 2 || r.Failures[1].Rule != RuleSyntax || !strings.HasPrefix(r.Failures[1].Message, "malformed JSON at byte offset ") {
			t.Errorf("%q:%s", body, dumpFailures(r.Failures))
		}
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		num  string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"-7", -7, true},
		{"-0", 0, true},
		{"1.0", 1, true},
		{"12.000", 12, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"1.5", 0, false},
		{"0.000001", 0, false},
		{"-2.25", 0, false},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551617", 0, false},
		{"1e400", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.num, func(t *testing.T) {
			// The failure is not fatal: the next member is still read.
			s, r := begin(t, `{"quantity": `+tt.num+`, "height": 3}`)
			got, err := decodeMembers(s, map[string]string{"quantity": "int", "height": "int"}, nil)
			s.End(err)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if tt.ok {
				wantFailures(t, r)
				if got["quantity"] != tt.want {
					t.Errorf("quantity = %v, want %d", got["quantity"], tt.want)
				}
			} else {
				wantFailures(t, r, Failure{Location: Body, Field: "quantity", Rule: RuleType, Message: "must be an integer, got " + tt.num})
				if got["quantity"] != nil {
					t.Errorf("quantity = %v, want none", got["quantity"])
				}
			}
			if got["height"] != int64(3) {
				t.Errorf("height = %v after quantity %s, want 3", got["height"], tt.num)
			}
		})
	}
}

func TestIntSyntaxErrorIsFatal(t *testing.T) {
	s, r := begin(t, `[1.]`)
	s.Next()
	it, _ := arrIter(s)
	it.Next()
	s.Path.Index(0)
	_, ok, err := s.Int()
	if err == nil || ok {
		t.Fatalf("Int on 1. = %v, %v", ok, err)
	}
	s.End(err)
	wantFailures(t, r, syntaxAt("[0]", "malformed JSON at byte offset 3: invalid character ']' after decimal point in numeric literal"))
}

// rawAt reads body, an object, with RawObject, the path first set to at.
func rawAt(t *testing.T, body string, at ...string) (json.RawMessage, bool, *Report, error) {
	t.Helper()
	s, r := begin(t, body)
	for _, k := range at {
		s.Path.Key(k)
	}
	raw, ok, err := s.RawObject()
	if err == nil && s.Path.Depth() != len(at) {
		t.Errorf("RawObject left the path at %q", s.Path.String())
	}
	s.End(err)
	return raw, ok, r, err
}

func TestRawObjectIsTheBytesSent(t *testing.T) {
	for _, body := range []string{
		`{}`,
		`{ }`,
		`{"s": "x", "n": 1, "b": true, "f": false, "z": null, "a": [[]], "o": {"p": {}}}`,
		`{"e": "a\"b\u00e9\ud83d\ude00", "l": [1, "a", null, true, [], {}]}`,
		`{"a": 1, "A": 2}`,
		`{"k\u0000": 1, "k": 2}`,
		// Numbers stay as written: 1e400 and 2^64+1 are JSON, not float64s.
		`{"n": [1e400, -1e400, 18446744073709551617, -0, -0.0, 1.50, 0.1E-5, 1E+2, 4.9e-324, 5e-325]}`,
		`{"n": 123456789012345678901234567890.000000000000000000001}`,
	} {
		raw, ok, r, err := rawAt(t, body, "remote_data")
		if err != nil || !ok {
			t.Errorf("RawObject(%s): ok %v, err %v", body, ok, err)
			continue
		}
		wantFailures(t, r)
		if string(raw) != body {
			t.Errorf("RawObject(%s) = %s", body, raw)
		}
	}
}

func TestRawObjectDuplicates(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"twice", `{"a": 1, "a": 2}`, []string{"remote_data.a"}},
		{"same value", `{"a": 1, "a": 1}`, []string{"remote_data.a"}},
		{"three times", `{"a": "x", "a": "y", "a": "z"}`, []string{"remote_data.a", "remote_data.a"}},
		{"first is null", `{"a": null, "a": 1}`, []string{"remote_data.a"}},
		{"first is an object", `{"a": {"k": 1}, "a": {"k": 2, "j": 3}}`, []string{"remote_data.a"}},
		{"nested object", `{"x": {"k": "1", "k": {"deeper": true}}}`, []string{"remote_data.x.k"}},
		{"object in an array", `{"l": [{}, {"k": null, "k": null}]}`, []string{"remote_data.l[1].k"}},
		{"escaped spelling of the same key", `{"a": 1, "\u0061": 2}`, []string{"remote_data.a"}},
		{"several", `{"a": 1, "b": [{"c": 1, "c": 2}], "a": 3, "d": 4}`, []string{"remote_data.b[0].c", "remote_data.a"}},
		{"same key in sibling objects", `{"a": {"k": 1}, "b": {"k": 1}, "k": 1}`, nil},
		{"keys differing by case", `{"a": 1, "A": 2}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, ok, r, err := rawAt(t, tt.body, "remote_data")
			if err != nil {
				t.Fatal(err)
			}
			// A duplicate is reported and the walk goes on: every one is
			// named, and the member is not taken.
			var want []Failure
			for _, f := range tt.fields {
				want = append(want, Failure{Location: Body, Field: f, Rule: RuleDuplicate, Message: "appears more than once"})
			}
			wantFailures(t, r, want...)
			if ok != (len(tt.fields) == 0) {
				t.Errorf("ok = %v with failures %v", ok, tt.fields)
			}
			if string(raw) != tt.body {
				t.Errorf("raw %s", raw)
			}
		})
	}
}

func nestArrays(n int, inner string) string {
	return strings.Repeat("[", n) + inner + strings.Repeat("]", n)
}

func nestObjects(n int, inner string) string {
	return strings.Repeat(`{"a":`, n) + inner + strings.Repeat("}", n)
}

func TestRawObjectDepth(t *testing.T) {
	tests := []struct {
		name string
		body string
		at   []string
		deep bool
	}{
		// Depth counts from the body's root: at the root, MaxDepth
		// containers fit and one more does not.
		{"objects at the root, at the limit", nestObjects(MaxDepth, "1"), nil, false},
		{"objects at the root, one more", nestObjects(MaxDepth+1, "1"), nil, true},
		{"arrays in an object at the root, at the limit", `{"a": ` + nestArrays(MaxDepth-1, "1") + `}`, nil, false},
		{"arrays in an object at the root, one more", `{"a": ` + nestArrays(MaxDepth, "1") + `}`, nil, true},
		{"empty innermost container counts", nestObjects(MaxDepth, "{}"), nil, true},
		// Under remote_data the member itself is one level down.
		{"under a member, at the limit", nestObjects(MaxDepth-1, "null"), []string{"remote_data"}, false},
		{"under a member, one more", nestObjects(MaxDepth, "null"), []string{"remote_data"}, true},
		{"two levels down, at the limit", `{"a": ` + nestArrays(MaxDepth-3, `"x"`) + `}`, []string{"a", "b"}, false},
		{"two levels down, one more", `{"a": ` + nestArrays(MaxDepth-2, `"x"`) + `}`, []string{"a", "b"}, true},
		{"mixed", `{"a": [{"b": ` + nestArrays(MaxDepth-4, "{}") + `}]}`, nil, false},
		{"mixed, one more", `{"a": [{"b": ` + nestArrays(MaxDepth-3, "{}") + `}]}`, nil, true},
		{"deep sibling after a shallow one", `{"ok": 1, "deep": ` + nestArrays(40, "") + `}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, r, err := rawAt(t, tt.body, tt.at...)
			if !tt.deep {
				if err != nil || !ok {
					t.Fatalf("ok %v, error %v", ok, err)
				}
				wantFailures(t, r)
				return
			}
			if ok || !errors.Is(err, ErrTooDeep) {
				t.Fatalf("ok %v, error %v, want ErrTooDeep", ok, err)
			}
			// The failure names the free-form member RawObject was called for.
			wantFailures(t, r, Failure{Location: Body, Field: strings.Join(tt.at, "."), Rule: RuleTooDeep, Message: "nested deeper than 32 levels"})
		})
	}
}

func TestRawObjectTooDeepSurvivesTheCap(t *testing.T) {
	s, r := begin(t, nestObjects(MaxDepth+5, "1"))
	for range MaxFailures + 1 {
		r.Add(Failure{Location: Body, Rule: RuleDuplicate, Message: "m"})
	}
	s.Path.Key("custom_fields")
	_, _, err := s.RawObject()
	s.End(err)
	if len(r.Failures) != MaxFailures+1 || r.Dropped != 1 {
		t.Fatalf("kept %d, dropped %d", len(r.Failures), r.Dropped)
	}
	if f := r.Failures[MaxFailures]; f.Rule != RuleTooDeep || f.Field != "custom_fields" {
		t.Errorf("last failure %+v, want too_deep at custom_fields", f)
	}
}

func TestRawObjectSyntaxErrors(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"a": [1, 2,]}`, "malformed JSON at byte offset 12: invalid character ']' looking for beginning of value"},
		{`{"a": 01}`, "malformed JSON at byte offset 7: invalid character '1' after object key:value pair"},
		{`{"a": tru}`, "malformed JSON at byte offset 9: invalid character '}' in literal true (expecting 'e')"},
		{`{"a": nul}`, "malformed JSON at byte offset 9: invalid character '}' in literal null (expecting 'l')"},
		{`{"a" 1}`, "malformed JSON at byte offset 5: invalid character '1' after object key"},
		{`{"a": [1 2]}`, "malformed JSON at byte offset 9: invalid character '2' after array element"},
		{`{"a": x}`, "malformed JSON at byte offset 6: invalid character 'x' looking for beginning of value"},
	}
	for _, tt := range tests {
		_, ok, r, err := rawAt(t, tt.body, "remote_data")
		if err == nil || ok {
			t.Errorf("RawObject(%s): ok %v, no error", tt.body, ok)
			continue
		}
		wantFailures(t, r, syntaxAt("remote_data", tt.want))
	}
}

func TestRawObjectTakesOnlyAnObject(t *testing.T) {
	tests := []struct {
		value string
		kind  string // the wrong type, or ""
	}{
		{`{}`, ""},
		{`{"a": 1e400, "b": [true]}`, ""},
		{`[1]`, "array"},
		{`null`, "null"},
		{`"{}"`, "string"},
		{`3`, "number"},
		{`true`, "boolean"},
	}
	for _, tt := range tests {
		s, r := begin(t, `{"remote_data": `+tt.value+`, "name": "x"}`)
		got, err := func() (json.RawMessage, error) {
			s.Next()
			iter, err := objIter(s)
			if err != nil {
				return nil, err
			}
			var raw json.RawMessage
			for iter.Next() {
				s.Path.Key(string(iter.Key()))
				if string(iter.Key()) == "remote_data" {
					v, ok, err := s.RawObject()
					if err != nil {
						return nil, err
					}
					if ok != (tt.kind == "") {
						t.Errorf("%s: ok = %v", tt.value, ok)
					}
					raw = v
				} else if v, err := s.Str(); err != nil || v != "x" {
					// The member after is read where it starts.
					t.Errorf("%s: name after remote_data = %q, %v", tt.value, v, err)
				}
				s.Path.Pop()
			}
			return raw, iter.Err()
		}()
		s.End(err)
		if err != nil {
			t.Errorf("%s: %v", tt.value, err)
			continue
		}
		if tt.kind == "" {
			wantFailures(t, r)
			if string(got) != tt.value {
				t.Errorf("%s: got %s", tt.value, got)
			}
			continue
		}
		wantFailures(t, r, Failure{Location: Body, Field: "remote_data", Rule: RuleType, Message: "must be an object, got " + tt.kind})
		if got != nil {
			t.Errorf("%s: got %s, want nil", tt.value, got)
		}
	}
}

func TestRawObjectErrors(t *testing.T) {
	// Not a value.
	s, r := begin(t, `?`)
	s.Path.Key("remote_data")
	raw, ok, err := s.RawObject()
	if ok || err == nil || raw != nil {
		t.Errorf("invalid: %s, %v, %v", raw, ok, err)
	}
	s.End(err)
	wantFailures(t, r, syntaxAt("remote_data", "malformed JSON at byte offset 0: invalid character '?' looking for beginning of value"))

	// Broken inside, at the root.
	s, r = begin(t, `{"a": [1,]}`)
	_, ok, err = s.RawObject()
	if ok || err == nil {
		t.Errorf("broken: ok %v, err %v", ok, err)
	}
	s.End(err)
	wantFailures(t, r, syntaxAt("", "malformed JSON at byte offset 9: invalid character ']' looking for beginning of value"))
}

func TestEndOnAnUnknownError(t *testing.T) {
	// An error End does not know (io.EOF here) from a decoder on a
	// non-empty body is still a syntax failure.
	s, r := begin(t, `{"a": 1}`)
	s.Skip()
	s.End(io.EOF)
	wantFailures(t, r, syntaxAt("", "malformed JSON: EOF"))
}

// TestStatesConcurrent decodes bodies from several goroutines at once:
// pooled states must not share a body, a path, a report or string chunks.
func TestStatesConcurrent(t *testing.T) {
	const workers, bodies = 8, 200
	errs := make(chan string, workers)
	for w := range workers {
		go func() {
			var bad string
			for i := range bodies {
				id := strconv.Itoa(w) + "-" + strconv.Itoa(i)
				var r Report
				s := Begin([]byte(`{"id": "`+id+`", "esc": "\u00e9`+id+`", "bogus": 1}`), &r)
				s.Next()
				iter, _ := objIter(s)
				var ptrs []*string
				for iter.Next() {
					k := string(iter.Key())
					if k == "bogus" {
						s.Path.Key("w" + id)
						s.Unknown(iter.Key())
						s.Path.Pop()
						continue
					}
					v, err := s.Str()
					if err != nil {
						bad = err.Error()
					}
					ptrs = append(ptrs, s.StrPtr(v))
				}
				s.End(iter.Err())
				if len(ptrs) != 2 || *ptrs[0] != id || *ptrs[1] != "é"+id {
					bad = fmt.Sprintf("body %s decoded as %v", id, ptrs)
				}
				if len(r.Failures) != 1 || r.Failures[0].Field != "w"+id+".bogus" {
					bad = fmt.Sprintf("body %s: %+v", id, r.Failures)
				}
				if bad != "" {
					break
				}
			}
			errs <- bad
		}()
	}
	for range workers {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// iter walks an object's members or an array's items the way a generated
// decoder does (FirstKey/NextKey, FirstItem/NextItem), with the shape of
// an iterator so that tests read as a loop.
type iter struct {
	s       *State
	object  bool
	started bool
	key     []byte
}

func objIter(s *State) (*iter, error) { return &iter{s: s, object: true}, nil }
func arrIter(s *State) (*iter, error) { return &iter{s: s}, nil }

func (it *iter) Next() bool {
	first := !it.started
	it.started = true
	var more bool
	switch {
	case it.object && first:
		it.key, more = it.s.FirstKey()
	case it.object:
		it.key, more = it.s.NextKey()
	case first:
		more = it.s.FirstItem()
	default:
		more = it.s.NextItem()
	}
	return more
}

func (it *iter) Key() []byte { return it.key }
func (it *iter) Err() error  { return it.s.Err() }
