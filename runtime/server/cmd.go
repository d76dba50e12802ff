package server

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/config"
	"github.com/unifiedgen/unifiedgen/internal/logbuf"
	"github.com/unifiedgen/unifiedgen/internal/secrets"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/api"
)

// App is what a service built from a generated package brings to Main:
// the generated Service and, optionally, the configuration to load into a
// new database when no other is given.
type App struct {
	// Name prefixes error messages ("unifiedapi: ...").
	Name string
	// Service is the generated package's Service.
	Service *api.Service
	// Demo is a configuration file (see internal/config) that serve
	// applies to a database without tenants when it is given no -config;
	// nil for none. Its tokens are exempt from the strength checks
	// (config.ParseDemo), so they must be public anyway.
	Demo []byte
	// Remote, when the spec defines providers to call (the generated
	// package's RemoteIntegrations and Remotes), lets accounts with
	// `backend: remote` call them.
	Remote *Remote
}

// Main runs the service's command line: serve (the default), apply or
// revoke, with the process's arguments, until SIGINT or SIGTERM. It exits
// the process with status 1 on failure.
func Main(app App) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, app, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
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

// dbUsage describes -db.
const dbUsage = "database: a SQLite file (created if missing), or a PostgreSQL URL, postgres://USER[:PASSWORD]@HOST:PORT/DB (better: the password in PGPASSWORD or ~/.pgpass)"

// usage is the head of -h's answer: the commands, before the flags.
const usage = `Usage:
  %[1]s [serve] [flags]
    	serve the unified API (the default command)
  %[1]s apply -config FILE [flags]
    	apply a configuration of tenants, tokens and integrated accounts, then exit
  %[1]s migrate [flags]
    	bring the database's schema up to date, then exit
  %[1]s revoke (-tenant ID | -token-stdin) [-db DB]
    	revoke tokens (%[1]s revoke -h)
`

// maxAuthCache bounds -auth-cache, and so how long a revoked token can keep
// working on a server other than the one that revoked it.
const maxAuthCache = time.Minute

// Run is Main without the process: it runs one command with args, reading
// stdin (revoke -token-stdin) and writing to stdout and stderr, until ctx
// is done.
func Run(ctx context.Context, app App, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "serve", "apply", "revoke", "migrate":
			cmd, args = args[0], args[1:]
		default:
			return fmt.Errorf("unknown command %s; the commands are serve (the default), apply, migrate and revoke (%s -h)", config.Quote(args[0]), app.Name)
		}
	}
	if cmd == "revoke" {
		return revoke(ctx, app, args, stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet(app.Name+" "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), usage, app.Name)
		fmt.Fprintf(fs.Output(), "\nFlags of %s %s (serve, apply and migrate share them):\n", app.Name, cmd)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", env("UNIFIED_ADDR", "127.0.0.1:8080"), "listen address")
	dbPath := fs.String("db", env("UNIFIED_DB", "data/unified.db"), dbUsage)
	cfgPath := fs.String("config", env("UNIFIED_CONFIG", ""), "configuration of tenants, tokens and integrated accounts to apply; it is the whole truth about the tenants it names: their tokens it does not list are revoked")
	sync := fs.String("sync", "FULL", "SQLite synchronous mode: FULL (every commit fsynced) or NORMAL")
	maxBody := fs.Int64("max-body", DefaultOptions.MaxBody, "largest request body in bytes")
	bodyBudget := fs.Int64("body-budget", 0, "bytes of request bodies read at once over all requests; past it, 503 with Retry-After (0: 32 times -max-body). Each body byte costs several times its size while the request is served")
	rateLimit := fs.Float64("rate", DefaultOptions.Rate, "requests per second per tenant, and per integrated account (0: unlimited)")
	burst := fs.Int("burst", DefaultOptions.Burst, "request burst per tenant and per integrated account")
	accountRate := fs.Float64("account-rate", 0, "requests per second per integrated account, when lower than -rate (0: -rate; an account's requests are its tenant's too, so only a lower rate ever applies)")
	accountBurst := fs.Int("account-burst", 0, "request burst per integrated account, when lower than -burst (0: -burst)")
	authFailures := fs.Float64("auth-failures", DefaultOptions.AuthFailures, "failed authentications per second allowed per client address (a burst of 10 times it); past it, 429")
	adminAddr := fs.String("admin-addr", env("UNIFIED_ADMIN_ADDR", ""), "if set, serve the admin endpoints on this separate address (keep it private, e.g. 127.0.0.1:9090): /metrics (Prometheus), /healthz, /readyz and /debug/pprof/")
	fs.StringVar(adminAddr, "debug-addr", *adminAddr, "the former name of -admin-addr")
	secretKeyFile := fs.String("secret-key-file", env("UNIFIED_SECRET_KEY_FILE", ""), "a file of keys sealing accounts' credentials (one per line, the first seals; else UNIFIED_SECRET_KEY)")
	authCache := fs.Duration("auth-cache", store.DefaultCacheTTL, "how long token and account lookups are cached in memory, and so how long a token revoked by another process keeps working here (0: no cache; at most "+maxAuthCache.String()+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %s", config.Quote(fs.Arg(0)))
	}
	if cmd == "apply" && *cfgPath == "" {
		return errors.New("apply needs -config")
	}
	if *authCache < 0 || *authCache > maxAuthCache {
		return fmt.Errorf("-auth-cache %v: want 0 (no cache) to %v", *authCache, maxAuthCache)
	}
	cacheTTL := *authCache
	if cacheTTL == 0 {
		cacheTTL = -1 // store.Options: negative is no cache, 0 the default
	}

	var cfg *config.Config
	if *cfgPath != "" {
		data, err := os.ReadFile(*cfgPath)
		if err != nil {
			return err
		}
		if cfg, err = config.Parse(*cfgPath, data, integrationIDs(app.Service)); err != nil {
			return err
		}
		if app.Remote != nil {
			cfg.Remote = app.Remote.Integrations
		}
	}
	// Credentials are sealed with keys from the environment or a key file;
	// without any, a configuration with credentials is refused at apply
	// and remote accounts cannot open theirs.
	keyring, err := secrets.FromEnv(*secretKeyFile)
	if err != nil && !errors.Is(err, secrets.ErrNoKey) {
		return err
	}
	if cfg != nil && keyring != nil {
		cfg.Seal = keyring.SealMap
	}
	// The database holds token hashes and every tenant's users: the
	// directories created for a SQLite file and the file itself
	// (store.Open) are private to the service's user.
	pg := store.IsPostgres(*dbPath)
	dbName := store.Redact(*dbPath) // a URL's password is never shown
	permWarning := ""
	if !pg {
		if err := os.MkdirAll(filepath.Dir(*dbPath), 0o700); err != nil {
			return err
		}
		permWarning = othersCanRead(*dbPath)
	}
	// Opening migrates: every command brings the schema up to date, and
	// replicas starting at once on one PostgreSQL database migrate once.
	st, err := store.Open(ctx, *dbPath, store.Options{Synchronous: *sync, CacheTTL: cacheTTL})
	if err != nil {
		return err
	}
	defer st.Close()
	if cmd == "migrate" {
		fmt.Fprintf(stdout, "%s is at schema version %d\n", dbName, store.SchemaVersion())
		return nil
	}

	// The demo is for a server started without a configuration on a new
	// database: one without tenants, whatever became of an earlier start
	// (deciding by the file's existence made a start that failed after
	// creating it leave a database that never got the demo).
	var demo *config.Config
	newDB := false
	if cmd == "serve" && cfg == nil && app.Demo != nil {
		// Asked with a read first, so that an ordinary start parses no
		// demo and opens no write transaction; ApplyIfNew asks again in
		// its own, which decides.
		has, err := st.HasTenants(ctx)
		if err != nil {
			return err
		}
		newDB = !has
	}
	if newDB {
		if demo, err = config.ParseDemo(app.Demo, integrationIDs(app.Service)); err != nil {
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
		done, err := cfg.Apply(ctx, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %s to %s\n", *cfgPath, dbName)
		for _, id := range slices.Sorted(maps.Keys(done.Revoked)) {
			fmt.Fprintf(stdout, "revoked %s of tenant %s (not in %s)\n", tokens(done.Revoked[id]), id, *cfgPath)
		}
		if len(done.Revoked) > 0 && cmd == "apply" {
			fmt.Fprintln(stdout, revokedElsewhere(st))
		}
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
	// The service's own metrics go to a registry of their own; the Go
	// runtime's and the process's are the ones the client library
	// registers by default when it is loaded, gathered from there rather
	// than built a second time.
	reg := prometheus.NewRegistry()
	var be backend.Backend = backend.Local{Store: st}
	if app.Remote != nil {
		be = accounts{local: be, remote: newRemoteBackend(app.Remote, keyring)}
	}
	handler, err := New(app.Service, st, be, log, Options{MaxBody: *maxBody, BodyBudget: *bodyBudget, Rate: *rateLimit, Burst: *burst,
		AccountRate: *accountRate, AccountBurst: *accountBurst, AuthFailures: *authFailures, Now: time.Now, AccessLog: logOut, Registerer: reg})
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
		printDemo(stdout, ln.Addr().String(), dbName, app.Service, demo)
	}
	if *adminAddr != "" {
		// Metrics, health and profiles on their own listener, never on
		// the API's port: profiles and metrics are for operators only.
		adm, err := net.Listen("tcp", *adminAddr)
		if err != nil {
			return fmt.Errorf("-admin-addr: %w", err)
		}
		admin := &http.Server{Handler: adminHandler(reg, handler), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := admin.Serve(adm); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("admin listener", "err", err)
			}
		}()
		defer admin.Close()
		log.Info("admin listening", "addr", adm.Addr().String())
	}
	if permWarning != "" {
		log.Warn(permWarning, "db", *dbPath)
	}
	log.Info("listening", "addr", ln.Addr().String(), "db", dbName, "engine", st.Engine())

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

// adminHandler serves the admin listener: Prometheus metrics, the API's
// own /healthz and /readyz, and net/http/pprof.
func adminHandler(reg *prometheus.Registry, api http.Handler) http.Handler {
	mux := http.NewServeMux()
	gather := prometheus.Gatherers{prometheus.DefaultGatherer, reg}
	mux.Handle("GET /metrics", promhttp.HandlerFor(gather, promhttp.HandlerOpts{Registry: reg}))
	mux.Handle("GET /healthz", api)
	mux.Handle("GET /readyz", api)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	return mux
}

func integrationIDs(svc *api.Service) []string {
	ids := make([]string, len(svc.Integrations))
	for i, in := range svc.Integrations {
		ids[i] = in.ID
	}
	return ids
}

// revokedElsewhere tells whoever revoked tokens from a separate process
// when running servers stop accepting them.
func revokedElsewhere(st store.Store) string {
	if st.Engine() == "postgres" {
		return fmt.Sprintf("every server on this database refuses them within %v", store.RevocationBound)
	}
	return fmt.Sprintf("servers running on this database refuse them within their -auth-cache (default %v, at most %v)", store.DefaultCacheTTL, maxAuthCache)
}

func tokens(n int) string {
	if n == 1 {
		return "1 token"
	}
	return fmt.Sprintf("%d tokens", n)
}

// revoke runs "revoke": it deletes every token of a tenant (-tenant), or
// one token read from stdin (-token-stdin), so that the token is never on
// a command line, where ps and shell histories show it.
func revoke(ctx context.Context, app App, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(app.Name+" revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", env("UNIFIED_DB", "data/unified.db"), dbUsage)
	sync := fs.String("sync", "FULL", "SQLite synchronous mode: FULL (every commit fsynced) or NORMAL")
	tenant := fs.String("tenant", "", "revoke every token of this tenant; with -token-stdin, only a token of this tenant")
	fromStdin := fs.Bool("token-stdin", false, "revoke the one token on the first line of standard input")
	// -token-stdin=TOKEN would make the flag package quote TOKEN in its
	// error; say what is wrong without it.
	for _, a := range args {
		if v, ok := strings.CutPrefix(strings.TrimLeft(a, "-"), "token-stdin="); ok && strings.HasPrefix(a, "-") {
			if _, err := strconv.ParseBool(v); err != nil {
				return errors.New("-token-stdin takes no value: write the token to standard input, e.g. printf '%s\\n' \"$TOKEN\" | ... revoke -token-stdin")
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		// Not shown: it is likely the token.
		return errors.New("revoke takes no argument: a token on the command line is visible to every local user (ps); use -token-stdin")
	}
	if *tenant == "" && !*fromStdin {
		return errors.New("revoke needs -tenant ID (all its tokens) or -token-stdin (one token, read from standard input)")
	}
	var token string
	if *fromStdin {
		var err error
		if token, err = readToken(stdin); err != nil {
			return err
		}
	}
	// Revoking in a database that does not exist is a mistake (a wrong
	// -db), not a reason to create one.
	pg := store.IsPostgres(*dbPath)
	dbName := store.Redact(*dbPath)
	if !pg {
		if _, err := os.Stat(*dbPath); err != nil {
			return fmt.Errorf("no database at %s: %w", dbName, err)
		}
		if w := othersCanRead(*dbPath); w != "" {
			fmt.Fprintln(stderr, "warning:", w)
		}
	}
	st, err := store.Open(ctx, *dbPath, store.Options{Synchronous: *sync})
	if err != nil {
		return err
	}
	defer st.Close()
	// The messages name the tenant with config.Quote: a token pasted
	// after -tenant by mistake is not repeated.
	if *fromStdin {
		owner, err := st.RevokeToken(ctx, *tenant, token)
		switch {
		case errors.Is(err, store.ErrNotFound) && *tenant != "":
			return fmt.Errorf("the token is not a token of tenant %s in %s (revoked already?); nothing revoked", config.Quote(*tenant), dbName)
		case errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("no such token in %s (revoked already?)", dbName)
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "revoked 1 token of tenant %s\n%s\n", owner, revokedElsewhere(st))
		return nil
	}
	n, err := st.RevokeTenantTokens(ctx, *tenant)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no tenant %s in %s", config.Quote(*tenant), dbName)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %s of tenant %s\n", tokens(n), *tenant)
	if n > 0 {
		fmt.Fprintln(stdout, revokedElsewhere(st))
	}
	return nil
}

// readToken reads a token from the first line of r (at most 4 KiB), without
// the surrounding spaces and line end.
func readToken(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("-token-stdin: %w", err)
	}
	token := strings.TrimSpace(line)
	if token == "" {
		return "", errors.New("-token-stdin: no token on the first line of standard input")
	}
	return token, nil
}

// printDemo tells a newcomer how to call the service they just started:
// the metadata of its first operation, for the demo's first account whose
// integration implements it. Nothing here knows what the spec holds.
func printDemo(w io.Writer, addr, db string, svc *api.Service, demo *config.Config) {
	token := ""
	if len(demo.Tenants) > 0 && len(demo.Tenants[0].Tokens) > 0 {
		token = demo.Tenants[0].Tokens[0]
	}
	if len(svc.Operations) == 0 {
		return
	}
	op := svc.Operations[0]
	account, integration := "", ""
	for _, a := range demo.Accounts {
		if op.Implements(a.Integration) {
			account, integration = a.ID, a.Integration
			break
		}
	}
	fmt.Fprintf(w, `Loaded the demo configuration into %s: its token is public.
What the %s account (%s) takes for %s/%s %s:

  curl -s 'http://%s/unified/%s/%s/meta/%s?integrated_account_id=%s' \
    -H 'Authorization: Bearer %s'

`, db, integration, svc.IntegrationName(integration), op.Model, op.Resource, op.Method, addr, op.Model, op.Resource, op.Method, account, token)
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
