package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

type server struct {
	cmd    *exec.Cmd
	addr   string
	stdout *syncBuffer
	stderr *syncBuffer
}

// syncBuffer is written by the process's output copier while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// buildService compiles the command under test.
func buildService(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "unifiedapi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the service on a free port with db, unlimited rate and any
// more flags, and waits until it answers.
func start(t *testing.T, bin, db string, args ...string) *server {
	t.Helper()
	return startEnv(t, bin, db, nil, args...)
}

// startEnv is start with more environment variables (NAME=value).
func startEnv(t *testing.T, bin, db string, env []string, args ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	s.cmd = exec.Command(bin, append([]string{"-addr", s.addr, "-db", db, "-rate", "0"}, args...)...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not come up: %s", s.stderr)
	return nil
}

// stop sends SIGTERM and expects a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit 10s after SIGTERM")
	}
	if !strings.Contains(s.stderr.String(), `"msg":"shutting down"`) {
		t.Errorf("no graceful shutdown logged: %s", s.stderr)
	}
}

type block struct {
	expect int
	script string
}

// readmeCalls returns the README's sh blocks that declare an expected status.
func readmeCalls(t *testing.T) []block {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []block
	re := regexp.MustCompile("(?s)```sh\n# expect (\\d{3})\n(.*?)```")
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		var code int
		fmt.Sscan(m[1], &code)
		out = append(out, block{expect: code, script: m[2]})
	}
	if len(out) < 5 {
		t.Fatalf("found %d README calls", len(out))
	}
	return out
}

// runCall runs a README block verbatim in bash; a curl wrapper appends each
// call's status so the block's last status can be read.
func runCall(t *testing.T, addr, script string) (status int, output string) {
	t.Helper()
	wrapper := "curl() { command curl -w '\\n%{http_code}\\n' \"$@\"; }\n"
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", wrapper+strings.ReplaceAll(script, "127.0.0.1:8080", addr))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, script, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	fmt.Sscan(lines[len(lines)-1], &status)
	return status, string(out)
}

// TestServiceEndToEnd runs the README's calls against the service on
// each engine, restarts it and checks the data and keys are still there.
func TestServiceEndToEnd(t *testing.T) { storetest.Run(t, testServiceEndToEnd) }

func testServiceEndToEnd(t *testing.T, e storetest.Engine) {
	if testing.Short() {
		t.Skip("builds and runs the service")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed to run the README's calls (CI installs it)")
	}
	db := filepath.Join(t.TempDir(), "data", "unified.db")
	if e.Name != "sqlite" {
		db = e.DSN(t)
	}
	bin := buildService(t)

	s := start(t, bin, db)
	if !strings.Contains(s.stdout.String(), "Bearer demo-token-change-me") {
		t.Errorf("first start does not say how to call it:\n%s", s.stdout)
	}
	for i, b := range readmeCalls(t) {
		status, out := runCall(t, s.addr, b.script)
		if status != b.expect {
			t.Errorf("README call %d: status %d, want %d\n%s\n%s", i, status, b.expect, b.script, out)
		}
	}
	// The printed example works too.
	for _, line := range strings.Split(s.stdout.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			printed := strings.TrimSpace(s.stdout.String()[strings.Index(s.stdout.String(), "curl "):])
			if status, out := runCall(t, s.addr, printed); status != 200 {
				t.Errorf("printed example: %d %s", status, out)
			}
			break
		}
	}
	// An over-long query is the service's JSON 400, not net/http's 431.
	long := exec.Command("curl", "-s", "-w", "\n%{http_code}", "http://"+s.addr+"/unified/ticketing/users/meta/create?x="+strings.Repeat("a", 70<<10),
		"-H", "Authorization: Bearer demo-token-change-me")
	if out, err := long.Output(); err != nil || !strings.HasSuffix(string(out), "\n400") || !strings.Contains(string(out), `"statusCode":400`) {
		t.Errorf("70 KiB query: %v %.200s", err, out)
	}
	s.stop(t)
	for _, secret := range []string{"demo-token-change-me", "Bearer"} {
		if strings.Contains(s.stderr.String(), secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
	// One access-log line per request, each a JSON object; the 70 KiB
	// query's names its request, its tenant, its status and duration.
	requests, sawLong := 0, false
	for line := range strings.Lines(s.stderr.String()) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Errorf("a log line is not JSON: %v\n%s", err, line)
			continue
		}
		if l["msg"] != "request" {
			continue
		}
		requests++
		if l["path"] == "/unified/ticketing/users/meta/create" && l["status"] == float64(400) && l["method"] == "GET" &&
			l["tenant"] != nil && len(l["request_id"].(string)) == 24 && l["duration_ms"].(float64) > 0 {
			sawLong = true
		}
	}
	if calls := len(readmeCalls(t)) + 2; requests < calls || !sawLong {
		t.Errorf("access log: %d request lines for at least %d requests, the 70 KiB query's line found: %v\n%s", requests, calls, sawLong, s.stderr)
	}

	// After a restart the data and the idempotency keys are still there:
	// the README's keyed create is answered from the first response.
	s = start(t, bin, db)
	if strings.Contains(s.stdout.String(), "demo configuration") {
		t.Error("the demo configuration was loaded again on restart")
	}
	replay := exec.Command("curl", "-s", "-D", "-", "-X", "POST",
		"http://"+s.addr+"/unified/ticketing/users?integrated_account_id=00000000-0000-4000-8000-000000000006",
		"-H", "Authorization: Bearer demo-token-change-me", "-H", "Content-Type: application/json",
		"-H", "Idempotency-Key: planhat-jane-1",
		"-d", `{"emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe", "nick_name": "jd"}`)
	out, err := replay.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("Idempotent-Replayed: true")) {
		t.Errorf("keyed create after restart was not replayed:\n%s", out)
	}
	id := regexp.MustCompile(`"id":"([^"]+)"`).FindSubmatch(out)
	if id == nil {
		t.Fatalf("no id in %s", out)
	}
	patch := exec.Command("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PATCH",
		"http://"+s.addr+"/unified/ticketing/users/"+string(id[1])+"?integrated_account_id=00000000-0000-4000-8000-000000000006",
		"-H", "Authorization: Bearer demo-token-change-me", "-H", "Content-Type: application/json", "-d", `{"first_name": "J"}`)
	if code, _ := patch.Output(); string(code) != "200" {
		t.Errorf("update of a user created before the restart: %s", code)
	}
	s.stop(t)
}

func TestApplyConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the service")
	}
	dir := t.TempDir()
	bin := buildService(t)
	cfg := filepath.Join(dir, "acme.yaml")
	os.WriteFile(cfg, []byte(acmeConfig), 0o644)
	db := filepath.Join(dir, "u.db")
	if out, err := exec.Command(bin, "apply", "-db", db, "-config", cfg).CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	s := start(t, bin, db)
	req, _ := http.NewRequest("POST", "http://"+s.addr+"/unified/ticketing/users?integrated_account_id=11111111-1111-4111-8111-111111111111",
		strings.NewReader(`{"name": "Road Runner"}`))
	req.Header.Set("Authorization", "Bearer "+acmeToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Errorf("account from the applied config: %d", res.StatusCode)
	}
	s.stop(t)

	// A bad config names file, line and key and changes nothing.
	os.WriteFile(cfg, []byte("tenants:\n  - id: acme\n    name: Acme\naccounts:\n  - id: 22222222-2222-4222-8222-222222222222\n    tenant: acme\n    integration: dixaa\n    name: x\n"), 0o644)
	out, err := exec.Command(bin, "apply", "-db", db, "-config", cfg).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "acme.yaml:7") || !strings.Contains(string(out), `did you mean "dixa"`) {
		t.Errorf("bad config: %v\n%s", err, out)
	}
}
