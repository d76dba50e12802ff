package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
	"github.com/unifiedgen/unifiedgen/runtime/server"
)

var (
	benchValid   = []byte(`{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"},{"email":"jane.doe@example.org","type":"other"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001","1002"]}`)
	benchInvalid = bytes.Replace(benchValid, []byte(`"primary"`), []byte(`"bogus"`), 1)
)

// BenchmarkRequest measures one whole request in process (routing, auth,
// binding, decoding, validation, storage, rendering; no sockets) for the
// reference Dixa body: rejected (emails[0].type = "bogus") and accepted
// (stored in SQLite; the store runs with synchronous=NORMAL here, see
// bench/load.sh for FULL over real connections).
func BenchmarkRequest(b *testing.B) {
	for _, c := range []struct {
		name   string
		body   []byte
		status int
	}{{"rejected", benchInvalid, 400}, {"accepted", benchValid, 201}} {
		b.Run(c.name, func(b *testing.B) {
			// The access log as the service writes it (appended, not
			// through slog), into a sink that costs nothing.
			e, _ := handlerAndStore(b, server.Options{MaxBody: 1 << 20, AccessLog: io.Discard})
			path := createPath("dixa")
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(c.body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != c.status {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// largeBody is a valid Dixa create of about size bytes, nearly all of it
// remote_data, in one of three shapes (bench/rss builds the same bodies):
//
//   - items: an array of small objects, as a provider's record passed
//     through;
//   - members: one object with many short members ("k123": 123);
//   - numbers: an array of small numbers.
func largeBody(shape string, size int) []byte {
	b := []byte(`{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"}],"remote_data":`)
	switch shape {
	case "members":
		b = append(b, '{')
	case "numbers":
		b = append(b, `{"n":[`...)
	default:
		b = append(b, `{"items":[`...)
	}
	for i := 0; len(b) < size-200; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		switch shape {
		case "members":
			b = fmt.Appendf(b, `"k%d":%d`, i, i)
		case "numbers":
			b = strconv.AppendInt(b, int64(i%1000), 10)
		default:
			b = fmt.Appendf(b, `{"id":"item-%06d","title":"A title of about forty characters %06d","score":%d,"tags":["alpha","beta"],"active":true}`, i, i, i*7919%100000)
		}
	}
	if shape == "members" {
		return append(b, `}}`...)
	}
	return append(b, `]}}`...)
}

// BenchmarkLargeBody is one accepted create of a ~940 KiB body (a large
// remote_data, in each shape of largeBody), in process: what the pipeline
// and the local backend allocate per request, in bytes per op and in bytes
// per byte of body (B/body-B). 50 such requests at once took the server
// before the rewrite to 1.9 GiB of RSS; bench/rss measures that over real
// connections.
func BenchmarkLargeBody(b *testing.B) {
	for _, shape := range []string{"items", "members", "numbers"} {
		b.Run(shape, func(b *testing.B) {
			body := largeBody(shape, 940<<10)
			h, _ := handlerAndStore(b, server.Options{MaxBody: 1 << 20})
			path := createPath("dixa")
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before, n := ms.TotalAlloc, 0
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					b.Fatalf("status %d: %.300s", rec.Code, rec.Body)
				}
				n++
			}
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.TotalAlloc-before)/float64(n)/float64(len(body)), "B/body-B")
		})
	}
}

// BenchmarkRejectedLimited measures what the rate limits add to a request
// (a rejected create: auth, account, limits, decoding, validation; no
// write): without limits, with them in memory (SQLite), and shared in
// PostgreSQL (two statements per request: the tenant's and the
// account's), where the lookups' round trips are cached but the limits'
// are not.
func BenchmarkRejectedLimited(b *testing.B) {
	for _, eng := range storetest.Engines {
		for _, limited := range []bool{false, true} {
			name := eng.Name + "/unlimited"
			opt := server.Options{MaxBody: 1 << 20}
			if limited {
				name, opt.Rate, opt.Burst = eng.Name+"/limited", 1e9, 1e9
			}
			b.Run(name, func(b *testing.B) {
				h, _ := handlerOn(b, eng.DSN(b), opt, true)
				path := createPath("dixa")
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(benchInvalid))
						req.Header.Set("Authorization", "Bearer "+token)
						req.Header.Set("Content-Type", "application/json")
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != 400 {
							b.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
					}
				})
			})
		}
	}
}
