package main_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/internal/emulator"
)

// TestRemoteAccount runs the service with an account connected to Dixa
// (its emulator, driven by spec/integrations/dixa/contract.yaml, stands in
// for dev.dixa.io) and calls it as a client would: the create reaches the
// provider with the account's credentials and comes back mapped, raw is
// the provider's body byte for byte, an Idempotency-Key retry does not
// call the provider again, a provider 401 marks the account as needing
// re-authentication, and the credentials are nowhere in the database.
func TestRemoteAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the service")
	}
	const apiKey = "dixa-secret-9b1f6c3e2d7a4058"
	contract, err := emulator.Load("../../spec/integrations/dixa/contract.yaml")
	if err != nil {
		t.Fatal(err)
	}
	emu := emulator.New(contract, emulator.Options{Credentials: map[string]string{"api_key": apiKey}})
	provider := httptest.NewServer(emu)
	t.Cleanup(provider.Close)

	dir := t.TempDir()
	key := make([]byte, 32)
	rand.Read(key)
	token := hex.EncodeToString(key[:16]) + hex.EncodeToString(key[16:])
	rand.Read(key)
	const account = "00000000-0000-4000-8000-0000000000d1"
	cfg := writeFile(t, dir, "accounts.yaml", "tenants:\n  - {id: acme, name: Acme, tokens: ["+token+"]}\n"+
		"accounts:\n  - id: "+account+"\n    tenant: acme\n    integration: dixa\n    name: Dixa\n"+
		"    backend: remote\n    base_url: "+provider.URL+"\n    credentials:\n      api_key: \"${DIXA_API_KEY}\"\n")
	bin := buildService(t)
	db := filepath.Join(dir, "u.db")
	env := []string{"DIXA_API_KEY=" + apiKey, "UNIFIED_SECRET_KEY=" + hex.EncodeToString(key)}
	s := startEnv(t, bin, db, env, "-config", cfg)

	call := func(method, path, body string, header ...string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+s.addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		return res.StatusCode, res.Header, b.String()
	}
	create := "/unified/ticketing/users?integrated_account_id=" + account
	body := `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane"}`

	status, _, out := call("POST", create, body, "Idempotency-Key", "k-1")
	if status != 201 || !strings.Contains(out, `"name":"Jane Doe"`) || !strings.Contains(out, `"remote_data"`) {
		t.Fatalf("create: %d %s", status, out)
	}
	reqs := emu.Requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Header.Get("Authorization") != apiKey {
		t.Fatalf("the provider got %d requests: %v", len(reqs), reqs)
	}
	// The retry is answered from the key, without calling Dixa again.
	status, h, again := call("POST", create, body, "Idempotency-Key", "k-1")
	if status != 201 || again != out || h.Get("Idempotent-Replayed") != "true" || len(emu.Requests()) != 1 {
		t.Fatalf("retry: %d %v %s; provider calls %d", status, h, again, len(emu.Requests()))
	}
	// raw is the provider's body as it sent it.
	status, h, raw := call("POST", create+"&truto_response_format=raw", body)
	if status != 201 || !strings.Contains(raw, `"data"`) || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("raw: %d %v %s", status, h, raw)
	}
	// A provider 401 is Truto's remote error, and the account needs
	// re-authenticating until new credentials are applied.
	emu.FailNext(1, 401, nil, "")
	status, _, out = call("POST", create, body)
	if status != 401 || !strings.Contains(out, `"truto_is_remote_error":true`) {
		t.Fatalf("provider 401: %d %s", status, out)
	}
	calls := len(emu.Requests())
	status, _, out = call("POST", create, body)
	if status != 401 || !strings.Contains(out, "re-authenticated") || len(emu.Requests()) != calls {
		t.Fatalf("after the 401: %d %s (provider calls %d, were %d)", status, out, len(emu.Requests()), calls)
	}
	// The metadata shows it.
	status, _, out = call("GET", "/unified/ticketing/users/meta/create?integrated_account_id="+account, "")
	if status != 200 || !strings.Contains(out, `"needs_reauth":true`) || !strings.Contains(out, `"backend":"remote"`) {
		t.Fatalf("metadata of the account: %d %s", status, out)
	}
	// Neither the credentials nor the token are stored in plaintext.
	for _, f := range []string{db, db + "-wal"} {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte(apiKey)) || bytes.Contains(data, []byte(token)) {
			t.Fatalf("%s holds a secret in plaintext", f)
		}
	}
	// The same account without the key to open its credentials cannot
	// call the provider, and says why without showing them.
	s.cmd.Process.Kill()
	s.cmd.Wait()
	cmd := exec.Command(bin, "apply", "-db", db, "-config", cfg)
	cmd.Env = append(os.Environ(), "DIXA_API_KEY="+apiKey)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "UNIFIED_SECRET_KEY") || strings.Contains(string(out), apiKey) {
		t.Fatalf("apply without a key: %v %s", err, out)
	}
	// Applied again with the key, the account is usable; a service
	// given another key cannot open its credentials: a 503 naming the
	// account, for the operator to mend, which is no storage failure.
	cmd = exec.Command(bin, "apply", "-db", db, "-config", cfg)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("apply: %v %s", err, out)
	}
	rand.Read(key)
	s = startEnv(t, bin, db, []string{"UNIFIED_SECRET_KEY=" + hex.EncodeToString(key)})
	status, _, out = call("POST", create, body)
	if status != 503 || !strings.Contains(out, account) || !strings.Contains(out, "credentials") ||
		strings.Contains(out, "truto_is_remote_error") || strings.Contains(out, apiKey) {
		t.Fatalf("credentials that cannot be opened: %d %s", status, out)
	}
	if status, _, out = call("GET", "/readyz", ""); status != 200 {
		t.Fatalf("readyz: %d %s", status, out)
	}
}
