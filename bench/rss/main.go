// Command rss measures the memory the service takes to serve large bodies
// at once: it starts a built unifiedapi on 127.0.0.1 with a new database
// (the demo configuration, -rate 0), sends N concurrent creates of a
// ~940 KiB body (a Dixa user with a large remote_data, the body of
// BenchmarkLargeBody in runtime/server), each on its own connection, and
// reads the server's peak resident set (VmHWM in /proc/<pid>/status).
// Each run starts a fresh server; the figures of every run are printed.
//
//	go build -o /tmp/unifiedapi ./cmd/unifiedapi
//	go run ./bench/rss -bin /tmp/unifiedapi            # 50 at once, 3 runs
//	go run ./bench/rss -bin /tmp/unifiedapi -n 10 -runs 1
//
// With -startup it measures start-up instead: it creates a database with
// one server, then starts the server -runs times on that existing file and
// reports the time from starting the process to the first 200 from
// /healthz (polled every 200 µs), the resident set then, and the resident
// set after one authenticated request (a create of a small user for the
// demo Dixa account) and a second of idleness.
//
//	go run ./bench/rss -bin /tmp/unifiedapi -startup -runs 20
//
// With -pages as well, it shows after the last run where the executable's
// resident pages come from, by package (from /proc/<pid>/pagemap and the
// binary's symbol table).
//
// It works with any build of cmd/unifiedapi that loads the demo into a new
// database and takes -addr, -db and -rate, such as the server before the
// pipeline was rewritten (commit e8a0208). Linux only (/proc).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/unifiedgen/unifiedgen/bench/internal/serve"
)

const (
	token   = "demo-token-change-me"                 // config/demo.yaml
	account = "00000000-0000-4000-8000-000000000001" // Dixa, config/demo.yaml
)

func main() {
	bin := flag.String("bin", "", "the unifiedapi binary to measure (go build -o FILE ./cmd/unifiedapi)")
	n := flag.Int("n", 50, "concurrent creates")
	size := flag.Int("size", 940<<10, "bytes per body")
	shape := flag.String("shape", "items", "remote_data: items (an array of small objects), members (one object of many short members) or numbers (an array of small numbers)")
	runs := flag.Int("runs", 3, "fresh servers to measure, one after the other")
	extra := flag.String("args", "", "more arguments for the server, space-separated (e.g. \"-max-body 2097152\")")
	startup := flag.Bool("startup", false, "measure start-up time and idle RSS on an existing database instead")
	pages := flag.Bool("pages", false, "with -startup, show after the last run which packages the executable's resident pages belong to")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "rss: -bin is required")
		os.Exit(2)
	}
	if *startup {
		if err := startups(*bin, strings.Fields(*extra), *runs, *pages); err != nil {
			fmt.Fprintln(os.Stderr, "rss:", err)
			os.Exit(1)
		}
		return
	}
	switch *shape {
	case "items", "members", "numbers":
	default:
		fmt.Fprintln(os.Stderr, "rss: -shape is items, members or numbers")
		os.Exit(2)
	}
	body := largeBody(*shape, *size)
	fmt.Printf("binary %s, %d concurrent creates of %d bytes (%.0f KiB, remote_data of %s), %d runs\n", *bin, *n, len(body), float64(len(body))/1024, *shape, *runs)
	var peaks []int64
	for i := range *runs {
		r, err := run(*bin, strings.Fields(*extra), *n, body)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rss:", err)
			os.Exit(1)
		}
		fmt.Printf("run %d: statuses %s; RSS before %s, peak (VmHWM) %s; %s per request above the idle server; %.2fs for all\n",
			i+1, r.statuses, mib(r.before), mib(r.peak), mib((r.peak-r.before)/int64(*n)), r.elapsed.Seconds())
		peaks = append(peaks, r.peak)
	}
	slices.Sort(peaks)
	fmt.Printf("peak RSS: median %s, min %s, max %s\n", mib(peaks[len(peaks)/2]), mib(peaks[0]), mib(peaks[len(peaks)-1]))
}

type result struct {
	statuses     string
	before, peak int64 // bytes
	elapsed      time.Duration
}

func run(bin string, extra []string, n int, body []byte) (result, error) {
	dir, err := os.MkdirTemp("", "unifiedapi-rss-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return result{}, err
	}
	defer logf.Close()
	srv, err := startServer(bin, filepath.Join(dir, "u.db"), extra, logf, 50*time.Millisecond)
	if err != nil {
		tail, _ := os.ReadFile(logf.Name())
		return result{}, fmt.Errorf("%w\n%s", err, tail)
	}
	defer srv.Stop()
	base, pid := srv.Base, srv.PID
	var r result
	if r.before, err = procStatus(pid, "VmRSS"); err != nil {
		return result{}, err
	}

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: n, MaxIdleConnsPerHost: n, DisableCompression: true}, Timeout: 5 * time.Minute}
	url := base + "/unified/ticketing/users?integrated_account_id=" + account
	statuses := make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			<-start
			res, err := client.Do(req)
			if err != nil {
				statuses[i] = "error"
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses[i] = strconv.Itoa(res.StatusCode)
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	r.elapsed = time.Since(t0)
	if r.peak, err = procStatus(pid, "VmHWM"); err != nil {
		return result{}, err
	}
	counts := map[string]int{}
	for _, s := range statuses {
		counts[s]++
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s×%d", s, counts[s]))
	}
	r.statuses = strings.Join(parts, " ")
	return r, nil
}

// startServer starts bin on db (-rate 0 and extra) and waits for /healthz,
// polling it every poll. Its standard error goes to stderr.
func startServer(bin, db string, extra []string, stderr io.Writer, poll time.Duration) (*serve.Process, error) {
	addr, err := serve.FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"-addr", addr, "-db", db, "-rate", "0"}, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	return serve.Start(cmd, addr, poll)
}

// procStatus reads a "kB" field of /proc/<pid>/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// largeBody is a valid Dixa create of about size bytes, nearly all of it
// remote_data, in one of three shapes (the bodies of BenchmarkLargeBody in
// runtime/server):
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
