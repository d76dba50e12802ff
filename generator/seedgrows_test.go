package generator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestSeedSpecGrows is the promise of issue "every operation the spec
// declares is generated and served", run as a user would: a fresh module
// takes unifiedgen as a tool (go get -tool), a copy of the seed spec gains
// get, list and delete of users and a new resource with its own matrix,
// `go generate` runs `go tool unifiedgen`, a main of one line serves the
// generated package, and every new method answers as Truto does. No Go is
// written for any operation.
func TestSeedSpecGrows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module and a service")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	var doc map[string]any
	data, err := os.ReadFile(filepath.Join(root, "spec", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	item := paths["/unified/ticketing/users/{id}"].(map[string]any)
	collection := paths["/unified/ticketing/users"].(map[string]any)
	create := collection["post"].(map[string]any)
	createSup := create["x-unified-support"].(map[string]any)
	// The response matrix of create, reused for get, list and delete.
	response := createSup["response"]
	account := map[string]any{"$ref": "#/components/parameters/IntegratedAccountId"}
	userID := map[string]any{"$ref": "#/components/parameters/UserId"}
	ok := func(schema string) map[string]any {
		return map[string]any{"200": map[string]any{"description": "ok", "content": map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + schema}}}}}
	}
	support := func(method string, integrations []any, query map[string]any) map[string]any {
		return map[string]any{"model": "ticketing", "resource": "users", "method": method, "integrations": integrations,
			"query": query, "response": response}
	}
	all := createSup["integrations"].([]any)
	accountOnly := map[string]any{"integrated_account_id": map[string]any{"*": "supported"}}
	item["get"] = map[string]any{"operationId": "getUser", "parameters": []any{userID, account}, "responses": ok("User"),
		"x-unified-support": support("get", all, accountOnly)}
	item["delete"] = map[string]any{"operationId": "deleteUser", "parameters": []any{userID, account}, "responses": ok("User"),
		"x-unified-support": support("delete", all, accountOnly)}
	collection["get"] = map[string]any{"operationId": "listUsers",
		"parameters": []any{account,
			map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer"}},
			map[string]any{"name": "next_cursor", "in": "query", "schema": map[string]any{"type": "string"}}},
		"responses": ok("UserPage"),
		"x-unified-support": support("list", all, map[string]any{
			"integrated_account_id": map[string]any{"*": "supported"}, "limit": map[string]any{"*": "supported"}, "next_cursor": map[string]any{"*": "supported"}})}
	// A new resource, tickets, with its own matrix: Dixa requires a
	// subject, Hive does not take a priority.
	paths["/unified/ticketing/tickets"] = map[string]any{"post": map[string]any{
		"operationId": "createTicket", "parameters": []any{account},
		"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/TicketInput"}}}},
		"responses": map[string]any{"201": ok("Ticket")["200"]},
		"x-unified-support": map[string]any{"model": "ticketing", "resource": "tickets", "method": "create",
			"integrations": []any{"dixa", "hive"}, "query": accountOnly,
			"request":  map[string]any{"subject": map[string]any{"dixa": "required", "hive": "supported"}, "priority": map[string]any{"dixa": "supported"}},
			"response": map[string]any{"id": map[string]any{"*": "supported"}, "subject": map[string]any{"*": "supported"}, "priority": map[string]any{"dixa": "supported"}}},
	}}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	schemas["UserPage"] = map[string]any{"type": "object", "properties": map[string]any{
		"result":      map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/User"}},
		"next_cursor": map[string]any{"type": "string"}}}
	schemas["TicketInput"] = map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
		"subject": map[string]any{"type": "string"}, "priority": map[string]any{"type": "string", "enum": []any{"low", "high"}}}}
	schemas["Ticket"] = map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{
		"id": map[string]any{"type": "string"}, "subject": map[string]any{"type": "string"}, "priority": map[string]any{"type": "string"}}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"spec/openapi.yaml":     string(out),
		"generated/generate.go": "package generated\n\n//go:generate go tool unifiedgen -spec ../spec/openapi.yaml -out ticketing -package ticketing\n",
		"main.go": "package main\n\nimport (\n\t\"grows/generated/ticketing\"\n\n\t\"github.com/unifiedgen/unifiedgen/runtime/server\"\n)\n\n" +
			"func main() { server.Main(server.App{Name: \"grows\", Service: ticketing.Service}) }\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The integration definition files the registry names, beside it.
	if err := os.CopyFS(filepath.Join(dir, "spec", "integrations"), os.DirFS(filepath.Join(root, "spec", "integrations"))); err != nil {
		t.Fatal(err)
	}
	// A fresh module that takes the generator as a tool, as the README
	// says. The replace stands in for a released version, which `go get
	// -tool` would add; with a replace it is go.mod's tool line it adds.
	writeModule(t, root, dir, "grows")
	goCmd(t, dir, "mod", "edit", "-tool=github.com/unifiedgen/unifiedgen/cmd/unifiedgen")
	goCmd(t, dir, "generate", "./...")
	bin := filepath.Join(dir, "grows")
	goCmd(t, dir, "build", "-o", bin, ".")

	const token = "9f3b2a71c4e05d86b1f7a0c3e9d24b58a6c1f03e7b92d54a8c0e6f1b3d7a2c94"
	const dixa, hive = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000004"
	cfg := filepath.Join(dir, "accounts.yaml")
	if err := os.WriteFile(cfg, []byte("tenants:\n  - {id: t, name: T, tokens: ["+token+"]}\naccounts:\n"+
		"  - {id: "+dixa+", tenant: t, integration: dixa, name: D}\n  - {id: "+hive+", tenant: t, integration: hive, name: H}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "-addr", addr, "-db", filepath.Join(dir, "g.db"), "-config", cfg, "-rate", "0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service did not start: %s", stderr.String())
		}
	}
	call := func(method, path, body string) (int, map[string]any, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return res.StatusCode, m, string(raw)
	}
	users := "/unified/ticketing/users"
	status, created, raw := call("POST", users+"?integrated_account_id="+dixa, `{"name": "Jane", "emails": [{"email": "j@example.com", "type": "primary"}]}`)
	if status != 201 {
		t.Fatalf("create: %d %s", status, raw)
	}
	id := created["id"].(string)
	if status, got, raw := call("GET", users+"/"+id+"?integrated_account_id="+dixa, ""); status != 200 || got["name"] != "Jane" {
		t.Fatalf("get: %d %s", status, raw)
	}
	if status, page, raw := call("GET", users+"?integrated_account_id="+dixa+"&limit=10", ""); status != 200 || len(page["result"].([]any)) != 1 || page["next_cursor"] != nil {
		t.Fatalf("list: %d %s", status, raw)
	}
	if status, _, raw := call("GET", users+"/"+id+"?integrated_account_id="+hive, ""); status != 404 {
		t.Fatalf("another account's record: %d %s", status, raw)
	}
	if status, got, raw := call("DELETE", users+"/"+id+"?integrated_account_id="+dixa, ""); status != 200 || got["id"] != id {
		t.Fatalf("delete: %d %s", status, raw)
	}
	if status, _, raw := call("GET", users+"/"+id+"?integrated_account_id="+dixa, ""); status != 404 {
		t.Fatalf("get after delete: %d %s", status, raw)
	}
	tickets := "/unified/ticketing/tickets"
	if status, got, raw := call("POST", tickets+"?integrated_account_id="+dixa, `{"priority": "high"}`); status != 400 || !strings.Contains(raw, `"missing_required_body_fields"`) || got["integration"] != "dixa" {
		t.Fatalf("ticket without subject on Dixa: %d %s", status, raw)
	}
	if status, got, raw := call("POST", tickets+"?integrated_account_id="+hive, `{"subject": "Help", "priority": "high"}`); status != 201 || got["priority"] != nil || got["subject"] != "Help" {
		t.Fatalf("ticket on Hive: %d %s", status, raw)
	}
	if status, _, raw := call("GET", "/unified/ticketing/tickets/meta/create", ""); status != 200 || !strings.Contains(raw, `"resource":"tickets"`) {
		t.Fatalf("meta of the new resource: %d %s", status, raw)
	}
	if status, _, raw := call("PATCH", tickets+"/x?integrated_account_id="+dixa, `{}`); status != 405 || !strings.Contains(raw, "create (POST /unified/ticketing/tickets)") {
		t.Fatalf("a method tickets does not have: %d %s", status, raw)
	}
}
