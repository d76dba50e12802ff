package server

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
)

// exchangeLog is what the pipeline learns about one request as it goes:
// its id and tenant, the labels its metrics are counted under, and the
// fields of its access-log line. observe makes one per request, keeps it
// on its response recorder (see logOf), and writes it out when the
// request is answered.
type exchangeLog struct {
	id     string
	tenant store.Tenant

	// The metrics' labels: the operation (the spec's operationId, or
	// meta, openapi, health, unknown) and the account's integration once
	// the account may use it.
	operation, integration string

	// Fields of the access-log line, each written only when set, in this
	// order after the tenant.
	account, accountIntegration string
	outcome                     string
	providerStatus              int // with providerAttempts, once a provider was called
	providerAttempts            int
}

// logOf returns the exchangeLog of the request that w answers: observe
// keeps it in its recorder, which every handler writes through (wrapped
// or not), rather than in a context value, which would cost a copy of
// the request. The tenant a request authenticated as is read from it too,
// so a writer that hides observe's recorder (a wrapper without Unwrap) is
// a bug in the server, and is answered as one (a 500, through observe's
// recover) rather than served as no tenant.
func logOf(w http.ResponseWriter) *exchangeLog {
	for {
		switch x := w.(type) {
		case *recorder:
			return x.log
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			panic(fmt.Sprintf("server: the response writer %T does not unwrap to the request's recorder", w))
		}
	}
}

func requestID(w http.ResponseWriter) string { return logOf(w).id }

func tenant(w http.ResponseWriter) store.Tenant { return logOf(w).tenant }

// label names the operation (and, when known, the integration) the
// request's metrics are counted under.
func label(w http.ResponseWriter, operation, integration string) {
	l := logOf(w)
	if operation != "" {
		l.operation = operation
	}
	if integration != "" {
		l.integration = integration
	}
}

// accessLine is one request's line: what observe measured and what the
// pipeline noted in the exchangeLog.
type accessLine struct {
	method, path string
	status       int
	bytes        int64
	duration     time.Duration
	writeErr     error
}

// attrs are the line's attributes in order, for a logger.
func (a *accessLine) attrs(l *exchangeLog) []slog.Attr {
	attrs := make([]slog.Attr, 0, 14)
	attrs = append(attrs,
		slog.String("request_id", l.id),
		slog.String("method", a.method),
		slog.String("path", a.path),
		slog.Int("status", a.status),
		slog.Int64("bytes", a.bytes),
		slog.Float64("duration_ms", durationMS(a.duration)),
	)
	if a.writeErr != nil {
		// The status was chosen, but the client never got it.
		attrs = append(attrs, slog.String("write_error", a.writeErr.Error()))
	}
	if l.tenant.ID != "" {
		attrs = append(attrs, slog.String("tenant", l.tenant.ID))
	}
	if l.account != "" {
		attrs = append(attrs, slog.String("account", l.account), slog.String("integration", l.accountIntegration))
	}
	if l.outcome != "" {
		attrs = append(attrs, slog.String("outcome", l.outcome))
	}
	if l.providerAttempts > 0 {
		attrs = append(attrs, slog.Int("provider_status", l.providerStatus), slog.Int("provider_attempts", l.providerAttempts))
	}
	return attrs
}

// durationMS is a duration in milliseconds to the microsecond.
func durationMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// appendJSON appends the line as slog's JSONHandler writes the record
// {Time: t, Level: INFO, Message: "request", attrs(l)...}, byte for byte
// and with its newline. Writing it directly skips the record, the
// handler's generic walk over attribute kinds and the reflection it uses
// for floats: a sixth of the service's own CPU on a rejected request.
// TestAccessLineIsSlogs holds the two to the same bytes.
func (a *accessLine) appendJSON(b []byte, t time.Time, l *exchangeLog) []byte {
	b = append(b, `{"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","request_id":`...)
	b = appendLogString(b, l.id)
	b = append(b, `,"method":`...)
	b = appendLogString(b, a.method)
	b = append(b, `,"path":`...)
	b = appendLogString(b, a.path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(a.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, a.bytes, 10)
	b = append(b, `,"duration_ms":`...)
	b = appendJSONFloat(b, durationMS(a.duration))
	if a.writeErr != nil {
		b = append(b, `,"write_error":`...)
		b = appendLogString(b, a.writeErr.Error())
	}
	if l.tenant.ID != "" {
		b = append(b, `,"tenant":`...)
		b = appendLogString(b, l.tenant.ID)
	}
	if l.account != "" {
		b = append(b, `,"account":`...)
		b = appendLogString(b, l.account)
		b = append(b, `,"integration":`...)
		b = appendLogString(b, l.accountIntegration)
	}
	if l.outcome != "" {
		b = append(b, `,"outcome":`...)
		b = appendLogString(b, l.outcome)
	}
	if l.providerAttempts > 0 {
		b = append(b, `,"provider_status":`...)
		b = strconv.AppendInt(b, int64(l.providerStatus), 10)
		b = append(b, `,"provider_attempts":`...)
		b = strconv.AppendInt(b, int64(l.providerAttempts), 10)
	}
	return append(b, "}\n"...)
}

// lineBuffers keep the access log's lines between requests.
var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// appendJSONFloat appends a finite f as encoding/json writes a float64
// (which is what slog's JSON handler calls for floats): the shortest
// decimal that reads back as f, in exponent form below 1e-6 and from
// 1e21 on, with a one-digit negative exponent unpadded.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
