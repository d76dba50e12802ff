package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// The demo configuration's Dixa account and token (config/demo.yaml), which
// the service loads into a fresh database.
const (
	demoToken   = "demo-token-change-me"
	demoDixa    = "00000000-0000-4000-8000-000000000001"
	crashWriter = 4 // concurrent clients
)

func crashClient() *http.Client {
	return &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: crashWriter * 2, DisableCompression: true},
	}
}

func callService(c *http.Client, method, url, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+demoToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err // the body was cut off: not acknowledged
	}
	return res.StatusCode, raw, nil
}

// crashFigures is what one crash run observed.
type crashFigures struct {
	acknowledged int // creates answered 201 before the kill
	inFlight     int // creates sent before the kill that got no answer
	found        int // acknowledged users updated after the restart
	stored       int // users of the account in the database at the end
}

// crashRun streams creates into a service started on db (a SQLite file
// with -sync mode, or a PostgreSQL URL, mode ""), kills it with SIGKILL
// while creates are in flight, restarts it on the same database and checks
// that every create it acknowledged is there.
func crashRun(t *testing.T, db, mode string, duration time.Duration, maxRequests int) crashFigures {
	bin := buildService(t)
	var flags []string
	if mode != "" {
		flags = []string{"-sync", mode}
	} else {
		mode = "(PostgreSQL)"
	}
	s := start(t, bin, db, flags...)
	createURL := "http://" + s.addr + "/unified/ticketing/users?integrated_account_id=" + demoDixa

	var (
		issued   atomic.Int64
		killed   atomic.Bool
		inFlight atomic.Int64
		mu       sync.Mutex
		acked    []string
		problems []string
		wg       sync.WaitGroup
	)
	client := crashClient()
	for w := range crashWriter {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !killed.Load() {
				n := issued.Add(1)
				if n > int64(maxRequests) {
					return
				}
				body := fmt.Sprintf(`{"name": "crash %d-%d", "emails": [{"email": "c%d@example.com", "type": "primary"}]}`, w, n, n)
				status, raw, err := callService(client, "POST", createURL, body)
				if err != nil {
					if killed.Load() {
						// Sent before the kill (the loop checked), cut
						// off by it.
						inFlight.Add(1)
						return
					}
					mu.Lock()
					problems = append(problems, fmt.Sprintf("create %d before the kill: %v", n, err))
					mu.Unlock()
					return
				}
				var created struct {
					ID string `json:"id"`
				}
				if status != http.StatusCreated || json.Unmarshal(raw, &created) != nil || created.ID == "" {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("create %d: %d %.200s", n, status, raw))
					mu.Unlock()
					return
				}
				mu.Lock()
				acked = append(acked, created.ID)
				mu.Unlock()
			}
		}()
	}

	// Kill mid-stream: after duration, or just before the writers run out
	// of requests, whichever comes first.
	deadline := time.Now().Add(duration)
	for time.Now().Before(deadline) && issued.Load() < int64(maxRequests-2*crashWriter) {
		time.Sleep(5 * time.Millisecond)
	}
	killed.Store(true)
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := s.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the service did not die of SIGKILL: %v", err)
	}
	wg.Wait()
	client.CloseIdleConnections()
	for _, p := range problems {
		t.Error(p)
	}
	if len(acked) == 0 {
		t.Fatalf("no create was acknowledged before the kill:\n%s", s.stderr)
	}
	if inFlight.Load() == 0 {
		t.Logf("no create was in flight at the kill (issued %d)", issued.Load())
	}

	// Restart on the same database: every acknowledged user must be
	// there, which an update proves.
	s = start(t, bin, db, flags...)
	var found atomic.Int64
	ids := make(chan string)
	for range crashWriter {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				url := "http://" + s.addr + "/unified/ticketing/users/" + id + "?integrated_account_id=" + demoDixa
				status, raw, err := callService(client, "PATCH", url, `{"name": "after-crash"}`)
				if err == nil && status == http.StatusOK && bytes.Contains(raw, []byte(`"name":"after-crash"`)) {
					found.Add(1)
					continue
				}
				mu.Lock()
				problems = append(problems, fmt.Sprintf("acknowledged user %s after the restart: %d %v %.200s", id, status, err, raw))
				mu.Unlock()
			}
		}()
	}
	for _, id := range acked {
		ids <- id
	}
	close(ids)
	wg.Wait()
	s.stop(t)
	for i, p := range problems {
		if i == 20 {
			t.Errorf("and %d more", len(problems)-i)
			break
		}
		t.Error(p)
	}

	// Nothing appeared that was neither acknowledged nor in flight.
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored, err := st.Count(ctx, demoDixa, "ticketing/users")
	if err != nil {
		t.Fatal(err)
	}
	fig := crashFigures{acknowledged: len(acked), inFlight: int(inFlight.Load()), found: int(found.Load()), stored: stored}
	t.Logf("-sync %s: %d creates issued, %d acknowledged, %d in flight at the SIGKILL, %d found after the restart, %d stored",
		mode, min(issued.Load(), int64(maxRequests)), fig.acknowledged, fig.inFlight, fig.found, fig.stored)
	if fig.found != fig.acknowledged {
		t.Errorf("-sync %s: %d of %d acknowledged creates lost", mode, fig.acknowledged-fig.found, fig.acknowledged)
	}
	if fig.stored < fig.acknowledged || fig.stored > fig.acknowledged+fig.inFlight {
		t.Errorf("-sync %s: %d users stored; want between %d acknowledged and %d acknowledged + in flight",
			mode, fig.stored, fig.acknowledged, fig.acknowledged+fig.inFlight)
	}
	return fig
}

// TestCrashKeepsAcknowledgedCreates: with the default -sync FULL every
// commit is fsynced before the 201 goes out, so a SIGKILL in the middle of
// a stream of creates loses none of the acknowledged ones.
func TestCrashKeepsAcknowledgedCreates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the service and kills it")
	}
	crashRun(t, filepath.Join(t.TempDir(), "data", "unified.db"), "FULL", 2*time.Second, 5000)
}

// TestCrashKeepsAcknowledgedCreatesPostgres: the same on PostgreSQL,
// where a 201 goes out only after the transaction's commit returned, so
// after the WAL flush (synchronous_commit on, the default).
func TestCrashKeepsAcknowledgedCreatesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the service and kills it")
	}
	crashRun(t, storetest.Postgres(t), "", 2*time.Second, 5000)
}

// TestCrashKeepsAcknowledgedCreatesNormalSync: -sync NORMAL survives a
// process crash too. In WAL mode, NORMAL means a commit is write(2)n to the
// WAL file without an fsync; the WAL is fsynced only at checkpoints. Once
// write(2) has returned, the bytes are in the kernel's page cache, which
// belongs to the operating system, not to the process: SIGKILL (or a
// panic, or an OOM kill) ends the process but the kernel still writes the
// pages out, and the next open replays the WAL. What NORMAL gives up is
// power loss and kernel crashes: the page cache is gone with the machine,
// so the commits since the last fsync may be rolled back (the database
// stays consistent, but acknowledged creates can disappear). FULL fsyncs
// the WAL at every commit and survives both.
func TestCrashKeepsAcknowledgedCreatesNormalSync(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the service and kills it")
	}
	crashRun(t, filepath.Join(t.TempDir(), "data", "unified.db"), "NORMAL", time.Second, 2000)
}
