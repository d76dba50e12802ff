package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// smallUser is a valid Dixa create (bench/common.lua's).
const smallUser = `{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001"]}`

// startups starts the server runs+1 times on one database: the first run
// creates it (migrations, the demo configuration) and is not counted.
func startups(bin string, extra []string, runs int) error {
	dir, err := os.MkdirTemp("", "unifiedapi-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "u.db")
	fmt.Printf("binary %s, %d starts on an existing database\n", bin, runs)
	var took []time.Duration
	var idle, after, anon []int64
	for i := range runs + 1 {
		t, rss, rssAfter, rssAnon, err := startOnce(bin, extra, db)
		if err != nil {
			return err
		}
		if i == 0 {
			continue // created the database
		}
		fmt.Printf("run %d: first /healthz 200 after %.2f ms; RSS %s, after one request and 1 s %s (anonymous %s, the rest file pages)\n",
			i, float64(t.Microseconds())/1000, mib(rss), mib(rssAfter), mib(rssAnon))
		took, idle, after, anon = append(took, t), append(idle, rss), append(after, rssAfter), append(anon, rssAnon)
	}
	slices.Sort(took)
	slices.Sort(idle)
	slices.Sort(after)
	slices.Sort(anon)
	fmt.Printf("start-up: median %.2f ms, min %.2f, max %.2f; RSS at start: median %s; after one request: median %s, max %s, anonymous median %s\n",
		float64(took[len(took)/2].Microseconds())/1000, float64(took[0].Microseconds())/1000, float64(took[len(took)-1].Microseconds())/1000,
		mib(idle[len(idle)/2]), mib(after[len(after)/2]), mib(after[len(after)-1]), mib(anon[len(anon)/2]))
	return nil
}

func startOnce(bin string, extra []string, db string) (took time.Duration, rss, rssAfter, rssAnon int64, err error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, 0, 0, 0, err
	}
	cmd := exec.Command(bin, append([]string{"-addr", addr, "-db", db, "-rate", "0"}, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	base := "http://" + addr
	if err := waitHealthy(base, exited, 200*time.Microsecond); err != nil {
		return 0, 0, 0, 0, err
	}
	took = time.Since(t0)
	pid := cmd.Process.Pid
	if rss, err = procStatus(pid, "VmRSS"); err != nil {
		return 0, 0, 0, 0, err
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/unified/ticketing/users?integrated_account_id="+account, strings.NewReader(smallUser))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return 0, 0, 0, 0, fmt.Errorf("create: status %d", res.StatusCode)
	}
	time.Sleep(time.Second)
	if rssAfter, err = procStatus(pid, "VmRSS"); err != nil {
		return 0, 0, 0, 0, err
	}
	rssAnon, err = procStatus(pid, "RssAnon")
	return took, rss, rssAfter, rssAnon, err
}
