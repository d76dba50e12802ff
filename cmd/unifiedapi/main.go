// Command unifiedapi runs the unified API generated from spec/openapi.yaml
// (package generated/unified).
//
//	unifiedapi [serve] [-addr 127.0.0.1:8080] [-db data/unified.db] [-config file.yaml]
//	unifiedapi apply -db data/unified.db -config file.yaml
//	unifiedapi revoke -db data/unified.db (-tenant ID | -token-stdin)
//	unifiedapi migrate -db postgres://unified@127.0.0.1:5432/unified
//
// -db names a SQLite file (the default, created if missing) or a
// PostgreSQL database by URL, which several replicas may share. Every
// command brings the schema up to date first; migrate does only that.
//
// serve (the default) creates the SQLite database if needed and, when it is
// given no configuration and the database has no tenant, loads the embedded
// demo configuration (one tenant, a public token, one integrated account
// per integration); -config applies a configuration file of tenants,
// tokens and integrated accounts at every start. apply does the same
// without starting the server; revoke revokes tokens. Flags can also be
// set with UNIFIED_ADDR, UNIFIED_DB and UNIFIED_CONFIG.
package main

import (
	democonfig "github.com/unifiedgen/unifiedgen/config"
	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/server"
)

func main() {
	server.Main(server.App{
		Name:    "unifiedapi",
		Service: unified.Service,
		Demo:    democonfig.Demo,
		Remote:  &server.Remote{Integrations: unified.RemoteIntegrations, Mappings: unified.Remotes},
	})
}
