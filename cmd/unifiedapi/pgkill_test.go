package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
)

// TestPostgresKilledMidStream kills PostgreSQL itself (immediate stop:
// every server process ends at once, no checkpoint) while clients stream
// creates into the service, keeps them streaming while it is down, then
// starts it again. While it is down every answer is a 503 (no hang, no
// 500); once it is back the same service process answers 201 again,
// without a restart; and every create that was acknowledged is stored.
func TestPostgresKilledMidStream(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the service and kills PostgreSQL")
	}
	c := newCluster(t)
	bin := buildService(t)
	s := start(t, bin, c.URL())
	createURL := "http://" + s.addr + "/unified/ticketing/users?integrated_account_id=" + demoDixa

	// Requests are counted under a phase when they were sent and
	// answered in it; killing and restarting are the moments in between.
	const (
		up, killing, down, restarting, back = 0, 1, 2, 3, 4
	)
	var (
		phase    atomic.Int32
		stop     atomic.Bool
		issued   atomic.Int64
		mu       sync.Mutex
		acked    []string
		statuses = map[int]map[int]int{up: {}, killing: {}, down: {}, restarting: {}, back: {}} // phase -> status -> count
		mixed    int                                                                            // sent in one phase, answered in another
		problems []string
		wg       sync.WaitGroup
	)
	client := crashClient()
	for w := range crashWriter {
		wg.Go(func() {
			for !stop.Load() {
				n := issued.Add(1)
				sent := phase.Load()
				body := fmt.Sprintf(`{"name": "kill %d-%d", "emails": [{"email": "k%d@example.com", "type": "primary"}]}`, w, n, n)
				status, raw, err := callService(client, "POST", createURL, body)
				got := phase.Load()
				mu.Lock()
				switch {
				case err != nil:
					problems = append(problems, fmt.Sprintf("create %d (phase %d): %v", n, sent, err))
				case sent != got:
					mixed++
				default:
					statuses[int(sent)][status]++
				}
				if err == nil && status == http.StatusCreated {
					var created struct{ ID string }
					if json.Unmarshal(raw, &created) != nil || created.ID == "" {
						problems = append(problems, fmt.Sprintf("create %d: 201 without an id: %.200s", n, raw))
					} else {
						acked = append(acked, created.ID)
					}
				}
				mu.Unlock()
				if status == http.StatusServiceUnavailable {
					time.Sleep(5 * time.Millisecond) // a client backing off a little
				}
			}
		})
	}
	ackedCount := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor := func(what string, limit time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for !cond() {
			if time.Now().After(deadline) {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("%s: not within %v\n%s", what, limit, s.stderr)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	waitFor("200 creates acknowledged before the kill", 20*time.Second, func() bool { return ackedCount() >= 200 })
	phase.Store(killing)
	c.kill()
	// Requests sent from now on, until the restart begins, find it down.
	phase.Store(down)
	time.Sleep(1500 * time.Millisecond)
	beforeRestart := ackedCount()
	phase.Store(restarting)
	c.start()
	phase.Store(back)
	restarted := time.Now()
	waitFor("creates acknowledged again after the restart", 30*time.Second, func() bool { return ackedCount() >= beforeRestart+200 })
	recovered := time.Since(restarted)
	stop.Store(true)
	wg.Wait()
	client.CloseIdleConnections()

	for i, p := range problems {
		if i == 10 {
			t.Errorf("and %d more", len(problems)-i)
			break
		}
		t.Error(p)
	}
	if s.cmd.ProcessState != nil {
		t.Fatalf("the service exited: %v", s.cmd.ProcessState)
	}
	t.Logf("answers by phase (status: count): up %v, down %v, back %v; %d straddled a phase change; after the restart 200 more creates in %v",
		statuses[up], statuses[down], statuses[back], mixed, recovered.Round(time.Millisecond))
	if statuses[down][http.StatusServiceUnavailable] < 10 {
		t.Errorf("only %d requests were answered while PostgreSQL was down; the test proves nothing", statuses[down][http.StatusServiceUnavailable])
	}
	for status, n := range statuses[down] {
		if status != http.StatusServiceUnavailable {
			t.Errorf("while PostgreSQL was down, %d requests were answered %d; want only 503", n, status)
		}
	}
	for status, n := range statuses[up] {
		if status != http.StatusCreated {
			t.Errorf("before the kill, %d requests were answered %d", n, status)
		}
	}

	// Everything acknowledged is stored, checked in a store of the test's
	// own.
	ctx := context.Background()
	st, err := store.Open(ctx, c.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lost := 0
	for _, id := range acked {
		if _, err := st.Record(ctx, demoDixa, "ticketing/users", id); err != nil {
			lost++
			if lost <= 10 {
				t.Errorf("acknowledged record %s: %v", id, err)
			}
		}
	}
	n, err := st.Count(ctx, demoDixa, "ticketing/users")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d creates issued, %d acknowledged, %d lost, %d stored", issued.Load(), len(acked), lost, n)
	if lost > 0 || n < len(acked) {
		t.Errorf("%d of %d acknowledged creates lost (%d stored)", lost, len(acked), n)
	}
	s.stop(t)
}
