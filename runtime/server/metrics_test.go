package server_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/unifiedgen/unifiedgen/runtime/server"
)

// metric returns the value of the metric family name whose labels include
// want, summed over the series that match (a histogram's sample count).
func metric(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue series
				}
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				sum += m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				sum += m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}

// TestMetrics: requests are counted and timed per operation, integration
// and status; validation failures per rule; rate-limit rejections per
// limit; store calls are timed, cached lookups not; the pool is described.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	h, _ := handlerAndStore(t, server.Options{Rate: 1, Burst: 3, Registerer: reg})
	srv := httptest.NewServer(h)
	defer srv.Close()
	e := &env{t: t, srv: srv}
	valid := `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}]}`
	if r := e.do("POST", createPath("dixa"), token, valid); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", createPath("dixa"), token, `{"emails": [{"email": "x", "type": "bogus"}]}`); r.status != 400 {
		t.Fatalf("invalid create: %d %s", r.status, r.raw)
	}
	e.do("GET", "/unified/ticketing/users/meta/create", token, "") // the tenant's third request
	if r := e.do("POST", createPath("dixa"), token, valid); r.status != 429 {
		t.Fatalf("fourth request: %d, want 429", r.status)
	}
	// A request is counted once its last byte is written, which can be
	// just after the client read it.
	for i := 0; metric(t, reg, "unified_http_requests_total", nil) < 4 && i < 200; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"unified_http_requests_total", map[string]string{"operation": "createUser", "integration": "dixa", "status": "201"}, 1},
		{"unified_http_requests_total", map[string]string{"operation": "createUser", "integration": "dixa", "status": "400"}, 1},
		{"unified_http_requests_total", map[string]string{"operation": "createUser", "status": "429"}, 1},
		{"unified_http_requests_total", map[string]string{"operation": "meta", "status": "200"}, 1},
		{"unified_http_request_duration_seconds", map[string]string{"operation": "createUser", "integration": "dixa", "status": "201"}, 1},
		{"unified_validation_failures_total", map[string]string{"operation": "createUser", "rule": "enum"}, 1},
		{"unified_validation_failures_total", map[string]string{"operation": "createUser", "integration": "dixa", "rule": "integration_required"}, 1},
		{"unified_rate_limit_rejections_total", map[string]string{"limit": "tenant"}, 1},
		{"unified_store_duration_seconds", map[string]string{"call": "write", "engine": "sqlite"}, 1},
		// Database reads only: the first lookup of the token and of the
		// account; the later ones are answered from the cache.
		{"unified_store_duration_seconds", map[string]string{"call": "tenant_by_token", "engine": "sqlite"}, 1},
		{"unified_store_duration_seconds", map[string]string{"call": "account", "engine": "sqlite"}, 1},
		{"unified_store_pool_max_connections", map[string]string{"engine": "sqlite"}, 5},
	} {
		if got := metric(t, reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// TestHealthAndReadiness: /healthz is liveness, always 200 while the
// process serves; /readyz is 503 while the last write failed.
func TestHealthAndReadiness(t *testing.T) {
	h, st := handlerAndStore(t, server.Options{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	e := &env{t: t, srv: srv}
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := e.do("GET", p, "", ""); r.status != 200 || !strings.Contains(r.raw, `"ok"`) {
			t.Errorf("%s: %d %s", p, r.status, r.raw)
		}
	}
	st.NoteFailure(errors.New("disk full"))
	if r := e.do("GET", "/readyz", "", ""); r.status != 503 {
		t.Errorf("/readyz after a failed write: %d", r.status)
	}
	if r := e.do("GET", "/healthz", "", ""); r.status != 200 {
		t.Errorf("/healthz after a failed write: %d", r.status)
	}
	st.NoteFailure(nil)
	if r := e.do("GET", "/readyz", "", ""); r.status != 200 {
		t.Errorf("/readyz once writes succeed: %d", r.status)
	}
}
