// Command bare is the baseline of the load test (bench/load.sh): a net/http
// server on the same ServeMux routing as the service that reads the request
// body and answers a fixed 400 JSON error of the same size and headers as
// the service's answer to the rejected scenario's request. It does no
// authentication, lookup, decoding, validation or logging, so its
// throughput is the ceiling for a request that ends on the validation path.
//
//	go run ./bench/bare -addr 127.0.0.1:18480
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// errorBody is the service's answer to the rejected scenario's request
// (emails[0].type "bogus" for Dixa), byte for byte, with a fixed request id.
const errorBody = `{"statusCode":400,"error":"Bad Request","message":"body field \"emails[0].type\": \"bogus\" is not one of \"primary\", \"other\"","integration":"dixa","failures":[{"location":"body","field":"emails[0].type","rule":"enum","message":"\"bogus\" is not one of \"primary\", \"other\"","allowed":["primary","other"]}],"request_id":"000000000000000000000000"}` + "\n"

func main() {
	addr := flag.String("addr", "127.0.0.1:18480", "listen address")
	maxBody := flag.Int64("max-body", 1<<20, "largest request body in bytes")
	flag.Parse()

	body := []byte(errorBody)
	reject := func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(http.MaxBytesReader(w, r.Body, *maxBody)); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-Request-Id", "000000000000000000000000")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /unified/ticketing/users", reject)
	mux.HandleFunc("PATCH /unified/ticketing/users/{id}", reject)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	// The same timeouts as cmd/unifiedapi's server.
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}
