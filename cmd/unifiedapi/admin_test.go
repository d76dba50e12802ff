package main_test

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestAdminListener: metrics and profiles are served on -admin-addr and
// never on the API's port; health and readiness on both.
func TestAdminListener(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the service")
	}
	bin := buildService(t)
	admin := freeAddr(t)
	s := start(t, bin, filepath.Join(t.TempDir(), "u.db"), "-admin-addr", admin)
	metaStatus(t, s.addr, demoToken, demoDixa) // one request to count
	// A request is counted once its last byte is written, which can be
	// just after the client read it.
	var (
		status int
		body   string
	)
	for range 100 {
		if status, body = get(t, "http://"+admin+"/metrics"); strings.Contains(body, `operation="meta"`) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status != 200 || !strings.Contains(body, `unified_http_requests_total{integration="dixa",operation="meta",status="200"} 1`) ||
		!strings.Contains(body, "unified_store_pool_connections") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("admin /metrics: %d\n%.2000s", status, body)
	}
	if status, _ := get(t, "http://"+admin+"/debug/pprof/"); status != 200 {
		t.Errorf("admin pprof: %d", status)
	}
	for _, p := range []string{"/metrics", "/debug/pprof/"} {
		if status, body := get(t, "http://"+s.addr+p); status == 200 || strings.Contains(body, "unified_http_requests_total") {
			t.Errorf("API port %s: %d %.200s", p, status, body)
		}
	}
	for _, addr := range []string{s.addr, admin} {
		for _, p := range []string{"/healthz", "/readyz"} {
			if status, _ := get(t, "http://"+addr+p); status != 200 {
				t.Errorf("%s%s: %d", addr, p, status)
			}
		}
	}
	s.stop(t)
}
