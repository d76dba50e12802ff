package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
)

// slogLine is what a logger built as Main builds it writes for the line:
// the reference appendJSON must match.
func slogLine(t testing.TB, at time.Time, a accessLine, l *exchangeLog) []byte {
	t.Helper()
	var b bytes.Buffer
	rec := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	rec.AddAttrs(a.attrs(l)...)
	if err := slog.NewJSONHandler(&b, nil).Handle(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAccessLineIsSlogs(t *testing.T) {
	at := time.Date(2026, 11, 30, 2, 3, 4, 500600700, time.FixedZone("", 5*3600+1800))
	full := exchangeLog{id: "0123abcd", tenant: store.Tenant{ID: "acme"}, account: "00000000-0000-4000-8000-000000000001",
		accountIntegration: "dixa", outcome: "client closed request", providerStatus: 422, providerAttempts: 2}
	cases := []struct {
		line accessLine
		log  exchangeLog
	}{
		{accessLine{method: "POST", path: "/unified/ticketing/users", status: 400, bytes: 812, duration: 1234567 * time.Nanosecond}, exchangeLog{id: "x"}},
		{accessLine{method: "GET", path: "/healthz", status: 200, duration: 0}, exchangeLog{id: "req.1_a-b"}},
		{accessLine{method: "PATCH", path: "/unified/ticketing/users/7", status: 499, bytes: -1, duration: 90 * time.Minute,
			writeErr: errors.New("write tcp: broken pipe")}, full},
		// A provider tried and never answered: status 0, still logged.
		{accessLine{method: "POST", path: "/p", status: 502, duration: time.Microsecond}, exchangeLog{id: "y", providerAttempts: 3}},
		// What a path or an error can carry: quotes, control characters,
		// HTML, invalid UTF-8, the JavaScript line separators.
		{accessLine{method: "GET", path: "/a\"b\\c\n\r\t\x00\x1f\b\f<>&\u2028\u2029\xff\xc3é€😀", status: 404, duration: 999 * time.Nanosecond,
			writeErr: errors.New("\x7f\xed\xa0\x80")}, exchangeLog{id: "z", tenant: store.Tenant{ID: "\""}, account: "a", outcome: "\\"}},
	}
	for i, c := range cases {
		want := slogLine(t, at, c.line, &c.log)
		if got := c.line.appendJSON(nil, at, &c.log); !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzAccessLine(f *testing.F) {
	f.Add("POST", "/unified/ticketing/users", "id", "tenant", "acct", "dixa", "", "", 400, int64(10), int64(1500000), 0, 0)
	f.Add("\xff", "\u2028<&>", "\x00", "\"", "\\", "\x1f", "out", "err", -1, int64(-5), int64(1), 502, 3)
	f.Fuzz(func(t *testing.T, method, path, id, tenantID, account, integration, outcome, writeErr string, status int, n, d int64, providerStatus, attempts int) {
		a := accessLine{method: method, path: path, status: status, bytes: n, duration: time.Duration(d)}
		if writeErr != "" {
			a.writeErr = errors.New(writeErr)
		}
		l := exchangeLog{id: id, tenant: store.Tenant{ID: tenantID}, account: account, accountIntegration: integration,
			outcome: outcome, providerStatus: providerStatus, providerAttempts: attempts}
		at := time.Unix(0, d).UTC() // years 1677 to 2262: within RFC 3339's four digits
		if got, want := a.appendJSON(nil, at, &l), slogLine(t, at, a, &l); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

func TestJSONFloatIsEncodingJSONs(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.001, 1.5, 123456.789, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 1.7976931348623157e308, 5e-324, -2.5e-8} {
		want, err := encodingJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONFloat(nil, f); !bytes.Equal(got, want) {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
}

func TestSaneRequestID(t *testing.T) {
	for id, want := range map[string]bool{
		"": false, "a": true, "A-z_0.9": true, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": true,
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0": false,
		"a b": false, "a\n": false, "é": false, "a/b": false, `"`: false,
	} {
		if got := saneRequestID(id); got != want {
			t.Errorf("saneRequestID(%q) = %v, want %v", id, got, want)
		}
	}
}

// hidingWriter wraps a response writer without an Unwrap method;
// unwrappingWriter wraps one with it, as middleware should.
type (
	hidingWriter     struct{ http.ResponseWriter }
	unwrappingWriter struct{ http.ResponseWriter }
)

func (u unwrappingWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// The request's log (and tenant) is found through writers that unwrap,
// and a writer that hides observe's recorder is a bug that panics, not a
// request served as no tenant.
func TestLogOfUnwraps(t *testing.T) {
	l := &exchangeLog{id: "r1", tenant: store.Tenant{ID: "t1"}}
	rec := &recorder{ResponseWriter: httptest.NewRecorder(), log: l}
	if got := tenant(unwrappingWriter{unwrappingWriter{rec}}); got.ID != "t1" {
		t.Fatalf("through unwrapping writers: tenant %q", got.ID)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a writer that hides the recorder did not panic")
		}
	}()
	tenant(unwrappingWriter{hidingWriter{rec}})
}
