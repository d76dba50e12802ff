package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// Two tenants of their own for TestTwoReplicas: acme spends its rate
// limit, beta has its token revoked.
const (
	betaAccount    = "22222222-2222-4222-8222-222222222222"
	replicasConfig = `tenants:
  - {id: acme, name: Acme, tokens: [` + tok1 + `]}
  - {id: beta, name: Beta, tokens: [` + tok2 + `]}
accounts:
  - {id: ` + acmeAccount + `, tenant: acme, integration: freshchat, name: Acme Freshchat}
  - {id: ` + betaAccount + `, tenant: beta, integration: dixa, name: Beta Dixa}
`
)

// request sends one call with token and headers (name, value pairs) and
// returns the status, the response headers and the body.
func request(t *testing.T, c *http.Client, method, url, token, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil, ""
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Error(err)
	}
	return res.StatusCode, res.Header, string(raw)
}

// TestTwoReplicas runs two service processes on one PostgreSQL database
// and checks what must hold across them: concurrent creates with one
// Idempotency-Key write one record, If-Match lets one of two concurrent
// updates through, a tenant's burst is shared, and a revocation made
// elsewhere is refused by both within the documented bound.
func TestTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the service")
	}
	db := storetest.Postgres(t)
	bin := buildService(t)
	cfg := writeFile(t, t.TempDir(), "replicas.yaml", replicasConfig)
	// Both apply the same configuration at start, as replicas deployed
	// together do; the first loads the demo too (no -config would), here
	// only the configuration.
	const rate, burst = 0.5, 20
	flags := []string{"-config", cfg, "-rate", fmt.Sprint(rate), "-burst", fmt.Sprint(burst)}
	a := start(t, bin, db, flags...)
	b := start(t, bin, db, flags...)
	replicas := []*server{a, b}
	client := &http.Client{Timeout: 15 * time.Second}
	users := func(s *server, account string) string {
		return "http://" + s.addr + "/unified/ticketing/users?integrated_account_id=" + account
	}

	// 1. Twelve concurrent creates with one key, spread over both:
	// one record, every answer the first one's.
	const creates = 12
	var (
		mu       sync.Mutex
		ids      = map[string]int{}
		replayed int
		wg       sync.WaitGroup
	)
	body := `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}]}`
	for i := range creates {
		wg.Go(func() {
			status, h, raw := request(t, client, "POST", users(replicas[i%2], betaAccount), tok2, body, "Idempotency-Key", "two-replicas-1")
			var created struct{ ID string }
			if status != 201 || json.Unmarshal([]byte(raw), &created) != nil {
				t.Errorf("keyed create %d: %d %.200s", i, status, raw)
				return
			}
			mu.Lock()
			ids[created.ID]++
			if h.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.Count(ctx, betaAccount, "ticketing/users")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || n != 1 || replayed != creates-1 {
		t.Errorf("%d concurrent keyed creates over two replicas: ids %v, %d replayed, %d records; want one id, %d replayed, 1 record",
			creates, ids, replayed, n, creates-1)
	}

	// 2. If-Match: two updates naming version 1, one per replica, at
	// once: one succeeds, the other is refused.
	var id string
	for k := range ids {
		id = k
	}
	var statuses []int
	for i := range 2 {
		wg.Go(func() {
			url := "http://" + replicas[i].addr + "/unified/ticketing/users/" + id + "?integrated_account_id=" + betaAccount
			status, _, raw := request(t, client, "PATCH", url, tok2, fmt.Sprintf(`{"name": "writer %d"}`, i), "If-Match", `W/"1"`)
			mu.Lock()
			statuses = append(statuses, status)
			mu.Unlock()
			if status != 200 && status != 412 {
				t.Errorf("conditional update: %d %.200s", status, raw)
			}
		})
	}
	wg.Wait()
	if statuses[0]+statuses[1] != 200+412 {
		t.Errorf("two updates at version 1 through two replicas: %v; want one 200 and one 412", statuses)
	}

	// 3. The tenant's burst is shared: of 3 bursts' worth of requests
	// spread over both replicas, one burst (and what the rate refills
	// meanwhile) is let through.
	began := time.Now()
	accepted := 0
	for i := range 3 * burst {
		status, h, _ := request(t, client, "GET", "http://"+replicas[i%2].addr+"/unified/ticketing/users/meta/create?integrated_account_id="+acmeAccount, tok1, "")
		switch status {
		case 200:
			accepted++
		case 429:
			if h.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		default:
			t.Errorf("burst: status %d", status)
		}
	}
	refill := int(time.Since(began).Seconds()*rate) + 1
	t.Logf("burst over two replicas: %d of %d requests accepted (burst %d, refill at most %d)", accepted, 3*burst, burst, refill)
	if accepted < burst || accepted > burst+refill {
		t.Errorf("%d requests accepted over two replicas; the shared limit allows %d to %d", accepted, burst, burst+refill)
	}

	// 4. A revocation by another process (unifiedapi revoke) is refused
	// by both replicas within the bound, though both had the token
	// cached.
	for _, s := range replicas {
		if got := metaStatus(t, s.addr, tok2, betaAccount); got != 200 {
			t.Fatalf("token before revocation: %d", got)
		}
	}
	revoke := exec.Command(bin, "revoke", "-db", db, "-token-stdin")
	revoke.Stdin = strings.NewReader(tok2 + "\n")
	out, err := revoke.CombinedOutput()
	if err != nil {
		t.Fatalf("revoke: %v\n%s", err, out)
	}
	revoked := time.Now()
	if !strings.Contains(string(out), "within "+store.RevocationBound.String()) {
		t.Errorf("revoke does not state the bound:\n%s", out)
	}
	var took []time.Duration
	for _, s := range replicas {
		for metaStatus(t, s.addr, tok2, betaAccount) != 401 {
			if time.Since(revoked) > 5*time.Second {
				t.Fatalf("replica %s still accepts the revoked token 5 s later", s.addr)
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(revoked))
	}
	t.Logf("revocation refused by the replicas %v after revoke exited (bound %v)", took, store.RevocationBound)
	for _, d := range took {
		if d > store.RevocationBound {
			t.Errorf("a replica refused the revoked token only %v later; the bound is %v", d, store.RevocationBound)
		}
	}
	a.stop(t)
	b.stop(t)
	for _, s := range replicas {
		for _, secret := range []string{tok1, tok2} {
			if strings.Contains(s.stderr.String()+s.stdout.String(), secret) {
				t.Error("a replica's output shows a token")
			}
		}
	}
}
