// Command unifiedapi runs the unified API generated from spec/openapi.yaml
// (package generated/unified).
//
//	unifiedapi [serve] [-addr 127.0.0.1:8080] [-db data/unified.db] [-config file.yaml]
//	unifiedapi apply -db data/unified.db -config file.yaml
//
// serve (the default) creates the SQLite database on first start and, when
// no configuration is given, loads the embedded demo configuration into it
// (one tenant, one token, one integrated account per integration); -config
// applies a configuration file of tenants, tokens and integrated accounts
// at every start. apply does the same without starting the server. Flags
// can also be set with UNIFIED_ADDR, UNIFIED_DB and UNIFIED_CONFIG.
package main

import (
	democonfig "github.com/unifiedgen/unifiedgen/config"
	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/runtime/server"
)

func main() {
	server.Main(server.App{Name: "unifiedapi", Service: unified.Service, Demo: democonfig.Demo})
}
