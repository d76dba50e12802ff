package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// smallUser is a valid Dixa create, smaller than bench/common.lua's.
const smallUser = `{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001"]}`

// startups starts the server runs+1 times on one database: the first run
// creates it (migrations, the demo configuration) and is not counted.
func startups(bin string, extra []string, runs int, pages bool) error {
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
		st, err := startOnce(bin, extra, db, pages && i == runs)
		if err != nil {
			return err
		}
		if i == 0 {
			continue // created the database
		}
		fmt.Printf("run %d: first /healthz 200 after %.2f ms; RSS %s, after one request and 1 s %s (anonymous %s, the rest file pages)\n",
			i, float64(st.took.Microseconds())/1000, mib(st.rss), mib(st.rssAfter), mib(st.rssAnon))
		took, idle, after, anon = append(took, st.took), append(idle, st.rss), append(after, st.rssAfter), append(anon, st.rssAnon)
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

// startup is what one start measured.
type startup struct {
	took     time.Duration // from exec to the first 200 from /healthz
	rss      int64         // resident set then, in bytes
	rssAfter int64         // after one create and a second of idleness
	rssAnon  int64         // of rssAfter, anonymous memory (heap, stacks)
}

func startOnce(bin string, extra []string, db string, pages bool) (startup, error) {
	var st startup
	srv, err := startServer(bin, db, extra, io.Discard, 200*time.Microsecond)
	if err != nil {
		return st, err
	}
	defer srv.Stop()
	if st.rss, err = procStatus(srv.PID, "VmRSS"); err != nil {
		return st, err
	}
	req, _ := http.NewRequest(http.MethodPost, srv.Base+"/unified/ticketing/users?integrated_account_id="+account, strings.NewReader(smallUser))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return st, fmt.Errorf("create: status %d", res.StatusCode)
	}
	time.Sleep(time.Second)
	if st.rssAfter, err = procStatus(srv.PID, "VmRSS"); err != nil {
		return st, err
	}
	if st.rssAnon, err = procStatus(srv.PID, "RssAnon"); err != nil {
		return st, err
	}
	if pages {
		if err := printResidentPages(os.Stdout, srv.PID, bin); err != nil {
			return st, err
		}
	}
	st.took = srv.Took
	return st, nil
}
