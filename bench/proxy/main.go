// Command proxy measures what the service adds to a call of a provider: it
// runs the Dixa emulator (driven by spec/integrations/dixa/contract.yaml)
// on 127.0.0.1, starts the service binary with one account connected to
// it, and sends creates at a fixed rate twice, straight to the emulator
// and through the service, reporting latency percentiles of each and the
// difference. A third run goes through a bare net/http reverse proxy
// (httputil.ReverseProxy in a process of its own, this program started
// again with -bare-proxy): the least any Go service in between adds on
// this machine, so the service's own share is what it adds beyond that.
// With -delay the emulator answers each call that much later
// (a slow provider): the throughput line shows whether concurrency, not
// the service, bounds it.
//
//	go build -o /tmp/unifiedapi ./cmd/unifiedapi
//	go run ./bench/proxy -bin /tmp/unifiedapi -rate 1000 -duration 10s
//	go run ./bench/proxy -bin /tmp/unifiedapi -rate 200 -duration 10s -delay 200ms
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/unifiedgen/unifiedgen/bench/internal/serve"
	"github.com/unifiedgen/unifiedgen/internal/emulator"
)

const account = "00000000-0000-4000-8000-0000000000b1"

func main() {
	bin := flag.String("bin", "", "the unifiedapi binary (go build -o FILE ./cmd/unifiedapi)")
	rate := flag.Int("rate", 1000, "calls per second")
	duration := flag.Duration("duration", 10*time.Second, "how long each run sends")
	delay := flag.Duration("delay", 0, "how long the emulated provider takes to answer")
	bareProxy := flag.String("bare-proxy", "", "run as the baseline instead: a bare reverse proxy listening on this address, to -target")
	target := flag.String("target", "", "with -bare-proxy, the provider's URL")
	flag.Parse()
	if *bareProxy != "" {
		fmt.Fprintln(os.Stderr, "proxy:", serveBareProxy(*bareProxy, *target))
		os.Exit(1)
	}
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "proxy: -bin is required")
		os.Exit(2)
	}
	if err := run(*bin, *rate, *duration, *delay); err != nil {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(1)
	}
}

func run(bin string, rate int, duration, delay time.Duration) error {
	apiKey := random(16)
	contract, err := emulator.Load("spec/integrations/dixa/contract.yaml")
	if err != nil {
		return err
	}
	emu := emulator.New(contract, emulator.Options{Credentials: map[string]string{"api_key": apiKey}})
	if delay > 0 {
		emu.Slow(delay)
	}
	provider := httptest.NewServer(emu)
	defer provider.Close()

	dir, err := os.MkdirTemp("", "unified-proxy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	token := random(32)
	cfg := filepath.Join(dir, "accounts.yaml")
	if err := os.WriteFile(cfg, []byte("tenants:\n  - {id: bench, name: Bench, tokens: ["+token+"]}\naccounts:\n"+
		"  - id: "+account+"\n    tenant: bench\n    integration: dixa\n    name: Dixa\n    backend: remote\n"+
		"    base_url: "+provider.URL+"\n    credentials:\n      api_key: \"${DIXA_API_KEY}\"\n"), 0o600); err != nil {
		return err
	}
	addr, err := serve.FreeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "-addr", addr, "-db", filepath.Join(dir, "u.db"), "-config", cfg, "-rate", "0", "-sync", "NORMAL")
	cmd.Env = append(os.Environ(), "DIXA_API_KEY="+apiKey, "UNIFIED_SECRET_KEY="+random(32))
	cmd.Stderr = io.Discard
	svc, err := serve.Start(cmd, addr, 20*time.Millisecond)
	if err != nil {
		return err
	}
	defer svc.Stop()

	unifiedBody := []byte(`{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane"}`)
	// What the mapping sends Dixa for that body (the same request, so the
	// provider's own cost is the same in both runs).
	providerBody := []byte(`{"displayName":"Jane Doe","email":"jane@example.com","firstName":"Jane"}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}}

	direct := load(client, rate, duration, func() *http.Request {
		req, _ := http.NewRequest("POST", provider.URL+"/v1/agents", bytes.NewReader(providerBody))
		req.Header.Set("Authorization", apiKey)
		req.Header.Set("Content-Type", "application/json")
		return req
	}, 201)
	through := load(client, rate, duration, func() *http.Request {
		req, _ := http.NewRequest("POST", "http://"+addr+"/unified/ticketing/users?integrated_account_id="+account, bytes.NewReader(unifiedBody))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		return req
	}, 201)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bareAddr, err := serve.FreeAddr()
	if err != nil {
		return err
	}
	bare, err := serve.Start(exec.Command(self, "-bare-proxy", bareAddr, "-target", provider.URL), bareAddr, 20*time.Millisecond)
	if err != nil {
		return err
	}
	defer bare.Stop()
	viaBare := load(client, rate, duration, func() *http.Request {
		req, _ := http.NewRequest("POST", "http://"+bareAddr+"/v1/agents", bytes.NewReader(providerBody))
		req.Header.Set("Authorization", apiKey)
		req.Header.Set("Content-Type", "application/json")
		return req
	}, 201)

	fmt.Printf("rate %d/s for %v each, provider delay %v\n", rate, duration, delay)
	fmt.Printf("%-22s %8s %8s %8s %8s %10s %8s\n", "", "p50", "p90", "p99", "max", "done/s", "errors")
	direct.print("direct")
	viaBare.print("through a bare proxy")
	through.print("through the service")
	added := func(name string, a, b *result) {
		fmt.Printf("%-22s %8s %8s %8s\n", name, ms(a.pct(50)-b.pct(50)), ms(a.pct(90)-b.pct(90)), ms(a.pct(99)-b.pct(99)))
	}
	added("added by a bare proxy", viaBare, direct)
	added("added by the service", through, direct)
	added("service beyond bare", through, viaBare)
	return nil
}

// serveBareProxy forwards every request to target with net/http's own
// reverse proxy and nothing else: no authentication, no decoding, no
// mapping, and a /healthz of its own for the benchmark to wait on.
func serveBareProxy(addr, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	// The same pool size as the service's client (runtime/remote).
	rp.Transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 64}
	mux := http.NewServeMux()
	mux.Handle("/", rp)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {})
	return http.ListenAndServe(addr, mux)
}

type result struct {
	lat    []time.Duration
	errors int
	span   time.Duration
}

func (r *result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p/100))]
}

func (r *result) print(name string) {
	fmt.Printf("%-22s %8s %8s %8s %8s %10.0f %8d\n", name, ms(r.pct(50)), ms(r.pct(90)), ms(r.pct(99)), ms(r.pct(100)),
		float64(len(r.lat))/r.span.Seconds(), r.errors)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d.Microseconds())/1000) }

// load sends requests at a fixed rate (open loop: a slow answer does not
// delay the next request) and records each one's latency.
func load(client *http.Client, rate int, duration time.Duration, newReq func() *http.Request, want int) *result {
	var mu sync.Mutex
	res := &result{}
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for next := start; time.Since(start) < duration; next = next.Add(interval) {
		time.Sleep(time.Until(next))
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			resp, err := client.Do(newReq())
			ok := err == nil && resp.StatusCode == want
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			d := time.Since(t0)
			mu.Lock()
			if ok {
				res.lat = append(res.lat, d)
			} else {
				res.errors++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.span = time.Since(start)
	slices.Sort(res.lat)
	return res
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
