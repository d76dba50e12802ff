// Command crmapi serves the example CRM unified API of spec/openapi.yaml.
//
//	go run ./cmd/crmapi -addr 127.0.0.1:8081 -db data/crm.db -config accounts.yaml
package main

import (
	"example.com/crm/generated/crm"

	"github.com/unifiedgen/unifiedgen/runtime/server"
)

func main() {
	server.Main(server.App{Name: "crmapi", Service: crm.Service})
}
