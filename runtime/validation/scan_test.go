package validation

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// skipAll scans body as one JSON value and reports whether the scanner
// found it valid.
func skipAll(body []byte) bool {
	var r Report
	s := Begin(body, &r)
	if s == nil {
		return false
	}
	s.End(s.Skip())
	return r.OK()
}

var scanCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+3`, `1E-2`, `true`, `false`, `null`,
	` {"a" : [1, 2.0, -3e4, "x", true, false, null, {}, []] } `,
	`"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800\udc00x"`,
	`"\ud800"`, `"\udc00"`, `"\ud800\u0041"`, `"\ud800\ud800"`,
	// Not JSON, each for a different rule.
	``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{,}`, `[,1]`, `{"a" 1}`, `{"a":}`, `{1:2}`,
	`01`, `-`, `-01`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `1.5.5`, `NaN`, `Infinity`,
	`tru`, `nul`, `falsey`, `True`, `"abc`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01b\"", "\"\t\"",
	`{"a":1}}`, `[1]]`, `[1 2]`, `{"a":1 "b":2}`, `"a" "b"`, "[\u00a0]", `'a'`, `[1,,2]`,
}

func TestScanAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range scanCases {
		if got, want := skipAll([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("%q: scanner says valid = %v, encoding/json %v", c, got, want)
		}
	}
}

func TestScanDepthIsEncodingJSONs(t *testing.T) {
	// encoding/json takes 10000 levels and refuses 10001; so does Skip.
	for _, n := range []int{maxSkipDepth, maxSkipDepth + 1} {
		body := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		if got, want := skipAll(body), json.Valid(body); got != want {
			t.Errorf("%d levels: scanner says valid = %v, encoding/json %v", n, got, want)
		}
	}
	// Depth counts from the root, not from where Skip starts: a member
	// skipped inside an object is one level deeper.
	for _, n := range []int{maxSkipDepth - 1, maxSkipDepth} {
		body := []byte(`{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`)
		var r Report
		s := Begin(body, &r)
		var err error
		if _, more := s.FirstKey(); more {
			if err = s.Skip(); err == nil {
				_, _ = s.NextKey()
				err = s.Err()
			}
		}
		s.End(err)
		if r.OK() != json.Valid(body) {
			t.Errorf("a member %d levels deep: scanner says valid = %v, encoding/json %v", n, r.OK(), json.Valid(body))
		}
	}
	var r Report
	s := Begin([]byte(strings.Repeat("[", maxSkipDepth+1)+strings.Repeat("]", maxSkipDepth+1)), &r)
	s.End(s.Skip())
	if len(r.Failures) != 1 || r.Failures[0].Rule != RuleSyntax || !strings.Contains(r.Failures[0].Message, "exceeded max depth") {
		t.Errorf("failures %+v, want one syntax failure naming the depth", r.Failures)
	}
}

// strAgrees checks Str against encoding/json on one JSON string literal.
func strAgrees(t *testing.T, lit string) {
	t.Helper()
	var want string
	werr := json.Unmarshal([]byte(lit), &want)
	var r Report
	s := Begin([]byte(lit), &r)
	if s == nil {
		return // not UTF-8: Begin's failure, tested elsewhere
	}
	got, err := s.Str()
	s.End(err)
	if (werr == nil) != r.OK() {
		t.Fatalf("%q: encoding/json error %v, scanner failures %+v", lit, werr, r.Failures)
	}
	if werr == nil && got != want {
		t.Fatalf("%q: Str = %q, encoding/json %q", lit, got, want)
	}
}

func TestStrUnescapesAsEncodingJSON(t *testing.T) {
	for _, c := range scanCases {
		if strings.HasPrefix(c, `"`) {
			strAgrees(t, c)
		}
	}
}

func TestParseInt(t *testing.T) {
	// Values around the edges of int64, checked against the arithmetic
	// of strconv, which parseInt does not use.
	for _, n := range []string{"0", "-0", "7", "-7", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "-9223372036854775809", "99999999999999999999", "10.00", "1.01", "1e3"} {
		got, ok := parseInt([]byte(n))
		var want int64
		var err error
		whole, frac, hasFrac := strings.Cut(n, ".")
		switch {
		case strings.ContainsAny(n, "eE"), hasFrac && strings.Trim(frac, "0") != "":
			err = strconv.ErrSyntax
		default:
			want, err = strconv.ParseInt(whole, 10, 64)
		}
		if ok != (err == nil) || (ok && got != want) {
			t.Errorf("parseInt(%s) = %d, %v; want %d, %v", n, got, ok, want, err)
		}
	}
}

func FuzzScanAgreesWithEncodingJSON(f *testing.F) {
	for _, c := range scanCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // Begin refuses it before the scanner runs
		}
		if got, want := skipAll(data), json.Valid(data); got != want {
			t.Fatalf("%q: scanner says valid = %v, encoding/json %v", data, got, want)
		}
		if len(data) > 0 && data[0] == '"' {
			strAgrees(t, string(data))
		}
	})
}

func TestFloat64(t *testing.T) {
	for _, tt := range []struct {
		num  string
		want float64
		ok   bool
	}{{"1.5", 1.5, true}, {"-0", 0, true}, {"2e3", 2000, true}, {"1e400", 0, false}, {"-1e400", 0, false}} {
		s, r := begin(t, tt.num)
		s.Path.Key("height")
		got, ok, err := s.Float64()
		s.End(err)
		if err != nil || ok != tt.ok || got != tt.want {
			t.Errorf("Float64(%s) = %v, %v, %v", tt.num, got, ok, err)
		}
		if tt.ok {
			wantFailures(t, r)
		} else {
			wantFailures(t, r, Failure{Location: Body, Field: "height", Rule: RuleType, Message: "is out of range for a 64-bit float"})
		}
	}
}
