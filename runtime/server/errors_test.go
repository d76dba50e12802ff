package server

import (
	"bytes"
	"testing"

	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// encodedError is what apiError.appendJSON must write: encodingJSON's
// bytes (jsonenc_test.go) and the Encoder's newline.
func encodedError(t *testing.T, e apiError) []byte {
	t.Helper()
	b, err := encodingJSON(e)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestAPIErrorJSONIsEncodingJSONs(t *testing.T) {
	odd := "quote \" backslash \\ <html> & \u2028\u2029 tab\t nul\x00 bad \xff\xfe é 😀"
	cases := []apiError{
		{StatusCode: 404, Error: "Not Found", Message: "no such thing"},
		{StatusCode: 400, Error: "Bad Request", Message: odd, Integration: "dixa", RequestID: "abc",
			Failures: []validation.Failure{
				{Location: validation.Body, Field: "emails[0].type", Rule: validation.RuleEnum, Message: odd, Allowed: []string{"primary", odd}},
				{Location: validation.Query, Field: "", Rule: validation.RuleRequired, Integration: "dixa", Message: "is required"},
				{Location: validation.Body, Field: odd, Rule: validation.RuleType, Allowed: []string{}},
			},
			Insight: &insight{
				MissingBody:  &insightList{Description: "Dixa requires these body fields.", Value: []string{"name", odd}},
				MissingQuery: &insightList{Description: odd, Value: nil},
			}},
		{StatusCode: 429, Error: "Too Many Requests", Message: "slow down", Insight: &insight{RateLimit: &insightNote{Description: odd}}},
		{StatusCode: 400, Insight: &insight{MissingQuery: &insightList{Description: "q", Value: []string{}}}},
		{StatusCode: 400, Insight: &insight{}},
		{StatusCode: -1, Failures: []validation.Failure{}},
	}
	for i, e := range cases {
		want := encodedError(t, e)
		if got := e.appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzAPIErrorJSON(f *testing.F) {
	f.Add(400, "Bad Request", "m", "dixa", "body", "f", "enum", "x", "r", true)
	f.Add(0, "", "\u2028\xff", "", "", "\x00", "", "", "", false)
	f.Fuzz(func(t *testing.T, status int, errText, msg, integration, loc, field, rule, allowed, reqID string, withInsight bool) {
		e := apiError{StatusCode: status, Error: errText, Message: msg, Integration: integration, RequestID: reqID,
			Failures: []validation.Failure{{Location: validation.Location(loc), Field: field, Rule: validation.Rule(rule), Integration: integration, Message: msg, Allowed: []string{allowed}}}}
		if withInsight {
			e.Insight = &insight{MissingBody: &insightList{Description: msg, Value: []string{field}}, RateLimit: &insightNote{Description: allowed}}
		}
		if got, want := e.appendJSON(nil), encodedError(t, e); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}
