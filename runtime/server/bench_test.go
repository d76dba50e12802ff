package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
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
			e, _ := handlerAndStore(b, server.Options{MaxBody: 1 << 20})
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
