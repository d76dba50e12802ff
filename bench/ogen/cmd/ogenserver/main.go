// Command ogenserver serves ogen's generated createUser (../../api) for the
// load test (bench/load.sh, scenarios ogen-rejected and ogen-created): a
// body that fails ogen's schema check gets ogen's default 400, a valid one
// a 201 with the user echoed back and an id. It stores nothing, so it is
// the ceiling of a generated server that does no work of its own. GET
// /healthz answers 200 for the load script's readiness check.
//
//	cd bench/ogen && go run ./cmd/ogenserver -addr 127.0.0.1:18480
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/unifiedgen/unifiedgen/bench/ogen/api"
)

type handler struct{}

func (handler) CreateUser(_ context.Context, req *api.CreateUserRequest, _ api.CreateUserParams) (*api.User, error) {
	u := &api.User{ID: "00000000-0000-4000-8000-000000000002", Name: req.Name, FirstName: req.FirstName, LastName: req.LastName, TeamIds: req.TeamIds}
	for _, e := range req.Emails {
		u.Emails = append(u.Emails, api.Email{Email: e.Email, Type: api.NewOptString(string(e.Type))})
	}
	return u, nil
}

func (handler) NewError(_ context.Context, err error) *api.ErrorStatusCode {
	return &api.ErrorStatusCode{StatusCode: http.StatusInternalServerError, Response: api.Error{StatusCode: http.StatusInternalServerError, Error: "Internal Server Error", Message: err.Error()}}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18480", "listen address")
	flag.Parse()
	srv, err := api.NewServer(handler{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ogenserver:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ogenserver:", err)
		os.Exit(1)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.WriteHeader(http.StatusOK)
			return
		}
		srv.ServeHTTP(w, r)
	})
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if err := s.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "ogenserver:", err)
		os.Exit(1)
	}
}
