package main_test

// The end-to-end test of the example: build the service from the generated
// package, start it, and call every operation as a client would.

import (
	"bufio"
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
)

const (
	token    = "2f1d0c9b8a7e6d5c4b3a29180f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
	contoso  = "11111111-1111-4111-8111-111111111111"
	fabrikam = "22222222-2222-4222-8222-222222222222"
	northwnd = "33333333-3333-4333-8333-333333333333"
)

const config = `tenants:
  - id: acme
    name: Acme
    tokens: [` + token + `]
accounts:
  - {id: ` + contoso + `, tenant: acme, integration: contoso, name: Contoso}
  - {id: ` + fabrikam + `, tenant: acme, integration: fabrikam, name: Fabrikam}
  - {id: ` + northwnd + `, tenant: acme, integration: northwind, name: Northwind}
`

type client struct {
	t    *testing.T
	base string
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (c client) do(method, path, body string, header ...string) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (c client) must(r reply, status int, what string) reply {
	c.t.Helper()
	if r.status != status {
		c.t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.raw)
	}
	return r
}

func TestEveryOperation(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "crmapi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "accounts.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "-addr", addr, "-db", filepath.Join(dir, "crm.db"), "-config", cfg, "-rate", "0")
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
	c := client{t: t, base: "http://" + addr}
	q := func(account string) string { return "?integrated_account_id=" + account }

	// list: empty, then paged.
	empty := c.must(c.do("GET", "/unified/crm/contacts"+q(contoso), ""), 200, "empty list")
	if res, _ := empty.body["result"].([]any); res == nil || len(res) != 0 || empty.body["next_cursor"] != nil {
		t.Fatalf("empty list: %s", empty.raw)
	}
	// create: required fields per integration, enums per integration.
	if r := c.do("POST", "/unified/crm/contacts"+q(fabrikam), `{"first_name": "Ada", "email": "ada@example.com"}`); r.status != 400 ||
		!strings.Contains(r.raw, `"missing_required_body_fields"`) || !strings.Contains(r.raw, "last_name") {
		t.Fatalf("fabrikam without last_name: %d %s", r.status, r.raw)
	}
	if r := c.do("POST", "/unified/crm/contacts"+q(contoso), `{"first_name": "Ada", "email": "ada@example.com", "lifecycle": "churned"}`); r.status != 400 ||
		!strings.Contains(r.raw, `"integration_enum"`) {
		t.Fatalf("contoso with lifecycle churned: %d %s", r.status, r.raw)
	}
	if r := c.do("POST", "/unified/crm/contacts"+q(contoso), `{"first_name": "Ada", "email": "not an address"}`); r.status != 400 || !strings.Contains(r.raw, "email") {
		t.Fatalf("bad email: %d %s", r.status, r.raw)
	}
	var ids []string
	for _, name := range []string{"Ada", "Grace", "Linus"} {
		r := c.must(c.do("POST", "/unified/crm/contacts"+q(contoso), `{"first_name": "`+name+`", "email": "`+strings.ToLower(name)+`@example.com", "lifecycle": "lead", "phone": "+1"}`), 201, "create")
		if r.body["first_name"] != name || r.body["lifecycle"] != "lead" || r.body["phone"] != nil || r.header.Get("X-Ignored-Fields") != "phone" ||
			r.header.Get("ETag") != `W/"1"` || r.body["etag"] != `W/"1"` {
			t.Fatalf("create: %v %s", r.header, r.raw)
		}
		ids = append(ids, r.body["id"].(string))
	}
	// list pages through every record once, in order.
	var seen []string
	cursor := ""
	for page := 0; page < 5; page++ {
		r := c.must(c.do("GET", "/unified/crm/contacts"+q(contoso)+"&limit=2&next_cursor="+cursor, ""), 200, "list")
		for _, it := range r.body["result"].([]any) {
			seen = append(seen, it.(map[string]any)["id"].(string))
		}
		next, _ := r.body["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(seen, ",") != strings.Join(ids, ",") {
		t.Fatalf("paged list %v, created %v", seen, ids)
	}
	if r := c.do("GET", "/unified/crm/contacts"+q(contoso)+"&next_cursor=garbage", ""); r.status != 400 || !strings.Contains(r.raw, "next_cursor") {
		t.Fatalf("bad cursor: %d %s", r.status, r.raw)
	}
	// limit is 1 to 1000; an explicit 0 is not taken for an absent limit.
	for _, bad := range []string{"0", "-1", "1001"} {
		// The spec gives limit a default of 50, and the message says so.
		if r := c.do("GET", "/unified/crm/contacts"+q(contoso)+"&limit="+bad, ""); r.status != 400 || !strings.Contains(r.raw, "between 1 and 1000 (default 50)") {
			t.Fatalf("limit=%s: %d %s", bad, r.status, r.raw)
		}
	}
	if r := c.must(c.do("GET", "/unified/crm/contacts"+q(contoso), ""), 200, "list without limit"); len(r.body["result"].([]any)) != 3 {
		t.Fatalf("list without limit: %s", r.raw)
	}
	// A list's filters keep the records whose field equals the value, or
	// one of the values; one naming no field (a date to compare with) is
	// answered without filtering, and named as ignored.
	for _, tt := range []struct {
		query   string
		want    []string
		ignored string
	}{
		{"&email=grace%40example.com", []string{"Grace"}, ""},
		{"&lifecycle=lead&lifecycle=customer", []string{"Ada", "Grace", "Linus"}, ""},
		{"&lifecycle[]=customer", nil, ""},
		{"&lifecycle=lead&email=linus%40example.com", []string{"Linus"}, ""},
		{"&updated_after=2020-01-01T00:00:00Z&email=ada%40example.com", []string{"Ada"}, "updated_after"},
	} {
		r := c.must(c.do("GET", "/unified/crm/contacts"+q(contoso)+tt.query, ""), 200, "filtered list")
		var got []string
		for _, it := range r.body["result"].([]any) {
			got = append(got, it.(map[string]any)["first_name"].(string))
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || r.header.Get("X-Ignored-Query-Parameters") != tt.ignored {
			t.Fatalf("list%s: %v (ignored %q), want %v (ignored %q)", tt.query, got, r.header.Get("X-Ignored-Query-Parameters"), tt.want, tt.ignored)
		}
	}
	if r := c.do("GET", "/unified/crm/contacts"+q(contoso)+"&lifecycle=lead&lifecycle=gone", ""); r.status != 400 || !strings.Contains(r.raw, "lifecycle[1]") {
		t.Fatalf("a filter outside the enum: %d %s", r.status, r.raw)
	}
	// The stream format writes one item per line.
	stream := c.must(c.do("GET", "/unified/crm/contacts"+q(contoso)+"&truto_response_format=stream", ""), 200, "stream")
	lines := 0
	for sc := bufio.NewScanner(strings.NewReader(stream.raw)); sc.Scan(); lines++ {
		var item map[string]any
		if err := json.Unmarshal(sc.Bytes(), &item); err != nil || item["id"] == nil {
			t.Fatalf("stream line %q: %v", sc.Text(), err)
		}
	}
	if lines != 3 || stream.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("stream: %d lines, %v", lines, stream.header)
	}
	// get, update with If-Match, conditional get, delete.
	one := c.must(c.do("GET", "/unified/crm/contacts/"+ids[0]+q(contoso), ""), 200, "get")
	if one.body["first_name"] != "Ada" || one.header.Get("ETag") != `W/"1"` {
		t.Fatalf("get: %v %s", one.header, one.raw)
	}
	c.must(c.do("GET", "/unified/crm/contacts/"+ids[0]+q(contoso), "", "If-None-Match", `W/"1"`), 304, "conditional get")
	upd := c.must(c.do("PATCH", "/unified/crm/contacts/"+ids[0]+q(contoso), `{"last_name": "Lovelace", "lifecycle": "customer"}`, "If-Match", `W/"1"`), 200, "update")
	if upd.body["last_name"] != "Lovelace" || upd.body["first_name"] != "Ada" || upd.header.Get("ETag") != `W/"2"` {
		t.Fatalf("update: %v %s", upd.header, upd.raw)
	}
	c.must(c.do("PATCH", "/unified/crm/contacts/"+ids[0]+q(contoso), `{"last_name": "Byron"}`, "If-Match", `W/"1"`), 412, "stale If-Match")
	c.must(c.do("PATCH", "/unified/crm/contacts/"+ids[0]+q(northwnd), `{"last_name": "Byron"}`), 405, "update on northwind")
	c.must(c.do("GET", "/unified/crm/contacts/nope"+q(contoso), ""), 404, "get unknown")
	del := c.must(c.do("DELETE", "/unified/crm/contacts/"+ids[1]+q(contoso), ""), 200, "delete")
	if del.body["id"] != ids[1] || del.body["first_name"] != "Grace" {
		t.Fatalf("delete answers the deleted record: %s", del.raw)
	}
	c.must(c.do("GET", "/unified/crm/contacts/"+ids[1]+q(contoso), ""), 404, "get deleted")
	c.must(c.do("DELETE", "/unified/crm/contacts/"+ids[1]+q(contoso), ""), 404, "delete again")
	// custom method: {"result": ...}, only where implemented.
	merge := c.must(c.do("POST", "/unified/crm/contacts/merge"+q(contoso), `{"primary_id": "`+ids[0]+`", "duplicate_ids": ["`+ids[2]+`"]}`), 201, "merge")
	result, _ := merge.body["result"].(map[string]any)
	if result == nil || result["primary_id"] != ids[0] || result["id"] == nil {
		t.Fatalf("merge: %s", merge.raw)
	}
	c.must(c.do("POST", "/unified/crm/contacts/merge"+q(fabrikam), `{"primary_id": "a", "duplicate_ids": ["b"]}`), 405, "merge on fabrikam")
	// A second resource; its write-only field reaches nothing it answers.
	note := c.must(c.do("POST", "/unified/crm/notes"+q(northwnd), `{"contact_id": "c1", "body": "Called", "private_token": "s3cr3t-value", "remote_data": {"private_token": "s3cr3t-value", "x": 1}}`), 201, "create note")
	if strings.Contains(note.raw, "s3cr3t-value") {
		t.Fatalf("a write-only value was echoed: %s", note.raw)
	}
	notes := c.must(c.do("GET", "/unified/crm/notes"+q(northwnd), ""), 200, "list notes")
	if strings.Contains(notes.raw, "s3cr3t-value") || len(notes.body["result"].([]any)) != 1 {
		t.Fatalf("notes: %s", notes.raw)
	}
	// Methods the spec does not define: 405 naming what the resource has.
	if r := c.do("PUT", "/unified/crm/contacts/"+ids[0]+q(contoso), `{}`); r.status != 405 || r.header.Get("Allow") != "DELETE, GET, PATCH" ||
		!strings.Contains(r.raw, "merge (POST /unified/crm/contacts/merge)") {
		t.Fatalf("PUT: %d %v %s", r.status, r.header, r.raw)
	}
	if r := c.do("GET", "/unified/crm/deals"+q(contoso), ""); r.status != 404 || !strings.Contains(r.raw, "/unified/crm/notes") {
		t.Fatalf("unknown resource: %d %s", r.status, r.raw)
	}
	// Metadata for every method of every resource.
	for _, m := range []string{"contacts/meta/list", "contacts/meta/get", "contacts/meta/create", "contacts/meta/update", "contacts/meta/delete", "contacts/meta/merge", "notes/meta/list", "notes/meta/create"} {
		r := c.must(c.do("GET", "/unified/crm/"+m+q(contoso), ""), 200, "meta "+m)
		if r.body["integration"] == nil && !strings.HasSuffix(m, "delete") && !strings.HasSuffix(m, "merge") && !strings.HasPrefix(m, "notes") {
			t.Fatalf("meta %s: %s", m, r.raw)
		}
	}
	meta := c.must(c.do("GET", "/unified/crm/notes/meta/create", ""), 200, "meta")
	if !strings.Contains(meta.raw, `"writeOnly":true`) {
		t.Fatalf("meta does not mark the write-only field: %s", meta.raw)
	}
	c.must(c.do("GET", "/unified/crm/contacts/meta/archive", ""), 404, "meta of an unknown method")
	// Nothing secret reached the database file.
	if db, err := os.ReadFile(filepath.Join(dir, "crm.db")); err != nil || bytes.Contains(db, []byte("s3cr3t-value")) {
		t.Fatalf("the database holds a write-only value (or cannot be read: %v)", err)
	}
	if wal, err := os.ReadFile(filepath.Join(dir, "crm.db-wal")); err == nil && bytes.Contains(wal, []byte("s3cr3t-value")) {
		t.Fatalf("the WAL holds a write-only value")
	}
}
