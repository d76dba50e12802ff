package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/config"
	"github.com/unifiedgen/unifiedgen/internal/logbuf"
	"github.com/unifiedgen/unifiedgen/internal/store"
)

// App is what a service built from a generated package brings to Main:
// the OpenAPI document it serves and, optionally, the configuration to
// load into a new database when no other is given.
type App struct {
	// Name prefixes error messages ("unifiedapi: ...").
	Name string
	// Spec is the OpenAPI document served at /openapi.yaml.
	Spec []byte
	// Demo is a configuration file (see internal/config) that serve
	// applies to a database without tenants when it is given no -config;
	// nil for none. Its tokens are exempt from the strength checks
	// (config.ParseDemo), so they must be public anyway.
	Demo []byte
}

// Main runs the service's command line: serve (the default) or apply,
// with the process's arguments, until SIGINT or SIGTERM. It exits the
// process with status 1 on failure.
func Main(app App) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, app, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, app.Name+":", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Run is Main without the process: it runs one command with args, writing
// to stdout and stderr, until ctx is done.
func Run(ctx context.Context, app App, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "apply") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet(app.Name+" "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("UNIFIED_ADDR", "127.0.0.1:8080"), "listen address")
	dbPath := fs.String("db", env("UNIFIED_DB", "data/unified.db"), "SQLite database file (created if missing)")
	cfgPath := fs.String("config", env("UNIFIED_CONFIG", ""), "configuration of tenants, tokens and integrated accounts to apply")
	sync := fs.String("sync", "FULL", "SQLite synchronous mode: FULL (every commit fsynced) or NORMAL")
	maxBody := fs.Int64("max-body", DefaultOptions.MaxBody, "largest request body in bytes")
	rateLimit := fs.Float64("rate", DefaultOptions.Rate, "requests per second per tenant (0: unlimited)")
	burst := fs.Int("burst", DefaultOptions.Burst, "request burst per tenant")
	debugAddr := fs.String("debug-addr", env("UNIFIED_DEBUG_ADDR", ""), "if set, serve net/http/pprof on this separate address (keep it private, e.g. 127.0.0.1:6060)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cmd == "apply" && *cfgPath == "" {
		return errors.New("apply needs -config")
	}

	var cfg *config.Config
	if *cfgPath != "" {
		data, err := os.ReadFile(*cfgPath)
		if err != nil {
			return err
		}
		if cfg, err = config.Parse(*cfgPath, data); err != nil {
			return err
		}
	}
	// The database holds token hashes and every tenant's users: the
	// directories created for it and the file itself (store.Open) are
	// private to the service's user.
	if err := os.MkdirAll(filepath.Dir(*dbPath), 0o700); err != nil {
		return err
	}
	permWarning := othersCanRead(*dbPath)
	st, err := store.Open(ctx, *dbPath, store.Options{Synchronous: *sync})
	if err != nil {
		return err
	}
	defer st.Close()

	// The demo is for a server started without a configuration on a new
	// database: one without tenants, whatever became of an earlier start
	// (deciding by the file's existence made a start that failed after
	// creating it leave a database that never got the demo).
	var demo *config.Config
	if cmd == "serve" && cfg == nil && app.Demo != nil {
		if demo, err = config.ParseDemo(app.Demo); err != nil {
			return err
		}
		applied, err := demo.ApplyIfNew(ctx, st)
		if err != nil {
			return err
		}
		if !applied {
			demo = nil
		}
	}
	if cfg != nil {
		if err := cfg.Apply(ctx, st); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %s to %s\n", *cfgPath, *dbPath)
	}
	if cmd == "apply" {
		if permWarning != "" {
			fmt.Fprintln(stderr, "warning:", permWarning)
		}
		return nil
	}

	// One line per request: buffered, flushed every 100 ms and at exit.
	logOut := logbuf.New(stderr, 100*time.Millisecond)
	defer logOut.Close()
	log := slog.New(slog.NewJSONHandler(logOut, nil))
	handler, err := New(st, backend.Local{}, log, app.Spec, Options{MaxBody: *maxBody, Rate: *rateLimit, Burst: *burst, Now: time.Now})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// Above the query parser's 64 KiB limit, so that an over-long
		// query gets the service's JSON 400 naming the problem rather
		// than net/http's plain-text 431.
		MaxHeaderBytes: 256 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if demo != nil {
		printDemo(stdout, ln.Addr().String(), *dbPath, demo)
	}
	if *debugAddr != "" {
		// Profiles on their own listener, never on the API's port.
		dbg := http.NewServeMux()
		dbg.HandleFunc("/debug/pprof/", pprof.Index)
		dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
		dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)
		dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		go func() {
			err := (&http.Server{Addr: *debugAddr, Handler: dbg, ReadHeaderTimeout: 5 * time.Second}).ListenAndServe()
			log.Error("debug listener", "err", err)
		}()
	}
	if permWarning != "" {
		log.Warn(permWarning, "db", *dbPath)
	}
	log.Info("listening", "addr", ln.Addr().String(), "db", *dbPath)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish; new connections are refused.
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	return nil
}

// printDemo tells a newcomer how to call the service they just started.
func printDemo(w io.Writer, addr, db string, demo *config.Config) {
	token, account, integration := "", "", ""
	if len(demo.Tenants) > 0 && len(demo.Tenants[0].Tokens) > 0 {
		token = demo.Tenants[0].Tokens[0]
	}
	for _, a := range demo.Accounts {
		if account == "" || a.Integration == "dixa" {
			account, integration = a.ID, a.Integration
		}
	}
	fmt.Fprintf(w, `Created %s with the demo configuration (config/demo.yaml).
Try it (the %s account; every integration has one, listed in config/demo.yaml):

  curl -s -X POST 'http://%s/unified/ticketing/users?integrated_account_id=%s' \
    -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
    -d '{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}]}'

`, db, integration, addr, account, token)
}

// othersCanRead describes the problem when an existing database file can be
// read by users other than its owner, or returns "". New files are created
// 0600; an existing one keeps its mode, since the operator may have chosen
// it, but they are told.
func othersCanRead(path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("the database file has mode %v: other users can read token hashes and users; run chmod 600 on it and its -wal and -shm files", fi.Mode().Perm())
}
