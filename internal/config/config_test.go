package config

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/internal/store/storetest"
)

// integrationIDs are the ids of the generated service's integrations, the
// list the server passes to Parse.
func integrationIDs() []string {
	ids := make([]string, len(unified.Service.Integrations))
	for i, in := range unified.Service.Integrations {
		ids[i] = in.ID
	}
	return ids
}

// TestDemoCoversEveryIntegration keeps config/demo.yaml in step with the
// integration registry generated from the spec.
func TestDemoCoversEveryIntegration(t *testing.T) {
	cfg, err := ParseDemo(Demo, integrationIDs())
	if err != nil {
		t.Fatalf("the demo configuration does not parse:\n%v", err)
	}
	if len(cfg.Tenants) != 1 || len(cfg.Tenants[0].Tokens) != 1 {
		t.Fatalf("%s: want exactly one tenant with one token, got %+v", DemoName, cfg.Tenants)
	}
	byIntegration := map[string][]Account{}
	for _, a := range cfg.Accounts {
		byIntegration[a.Integration] = append(byIntegration[a.Integration], a)
		u := uuid.MustParse(a.ID)
		if u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Errorf("%s: account %s (%s) does not have the UUID v4 layout xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx", DemoName, a.ID, a.Integration)
		}
		if a.Tenant != cfg.Tenants[0].ID {
			t.Errorf("%s: account %s belongs to %q, want the demo tenant", DemoName, a.ID, a.Tenant)
		}
	}
	// Suggest the id after the highest 00000000-0000-4000-8000-NNNNNNNNNNNN.
	next := 1
	for _, a := range cfg.Accounts {
		var n int
		if _, err := fmt.Sscanf(a.ID, "00000000-0000-4000-8000-%012d", &n); err == nil && n >= next {
			next = n + 1
		}
	}
	for _, in := range unified.Service.Integrations {
		switch n := len(byIntegration[in.ID]); {
		case n == 0:
			t.Errorf("%s has no account for integration %q (%s), which is in the registry.\n"+
				"Append one to its accounts, e.g.:\n"+
				"  - id: 00000000-0000-4000-8000-%012d\n    tenant: %s\n    integration: %s\n    name: %q",
				DemoName, in.ID, in.Name, next, cfg.Tenants[0].ID, in.ID, in.Name+" (demo)")
		case n > 1:
			t.Errorf("%s has %d accounts for integration %q; want one", DemoName, n, in.ID)
		}
	}
}

// TestDemoApply applies the demo twice and checks the store serves it.
func TestDemoApply(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg, err := ParseDemo(Demo, integrationIDs())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // idempotent
		if _, err := cfg.Apply(ctx, s); err != nil {
			t.Fatalf("apply #%d: %v", i+1, err)
		}
	}
	tn, err := s.TenantByToken(ctx, cfg.Tenants[0].Tokens[0])
	if err != nil || tn.ID != cfg.Tenants[0].ID || tn.Name != cfg.Tenants[0].Name {
		t.Fatalf("TenantByToken = %+v, %v", tn, err)
	}
	for _, a := range cfg.Accounts {
		got, err := s.Account(ctx, tn.ID, a.ID)
		if err != nil || got != (store.Account{ID: a.ID, TenantID: a.Tenant, Integration: a.Integration, Name: a.Name}) {
			t.Errorf("account %s: %+v, %v", a.ID, got, err)
		}
	}
}

// TestApplyIsAtomic: a configuration the store refuses leaves no trace.
func TestApplyIsAtomic(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "a.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const tok = "5e0c8b3f1a7d4e9c2b6f0a8d3e7c1b5f"
	if err := s.PutTenant(ctx, store.Tenant{ID: "other", Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, "other", tok); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("a.yaml", []byte(`
tenants:
  - {id: acme, name: Acme, tokens: [`+tok+`]}
accounts:
  - {id: 00000000-0000-4000-8000-000000000001, tenant: acme, integration: dixa, name: D}
`), integrationIDs())
	if err != nil {
		t.Fatal(err)
	}
	// The token is applied before the account, so the account insert
	// never runs; and the tenant insert, which did run, is rolled back.
	_, err = cfg.Apply(ctx, s)
	if err == nil {
		t.Fatal("applied a token that belongs to another tenant")
	}
	if strings.Contains(err.Error(), tok) {
		t.Fatalf("the error leaks the token: %v", err)
	}
	if _, err := s.Account(ctx, "acme", "00000000-0000-4000-8000-000000000001"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("account after failed apply: %v", err)
	}
	if err := s.AddToken(ctx, "acme", "probe-token-0123456789-abcdefghij"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("tenant acme exists after failed apply: %v", err)
	}
}

func TestParseCanonicalisesUUIDs(t *testing.T) {
	for _, id := range []string{
		"0A0E0000-0000-4000-8000-00000000000F",
		"{0a0e0000-0000-4000-8000-00000000000f}",
		"urn:uuid:0a0e0000-0000-4000-8000-00000000000f",
		"0a0e0000000040008000" + "00000000000f",
	} {
		cfg, err := Parse("u.yaml", []byte(fmt.Sprintf(`
tenants: [{id: t, name: T}]
accounts: [{id: %q, tenant: t, integration: hive, name: H}]
`, id)), integrationIDs())
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got := cfg.Accounts[0].ID; got != "0a0e0000-0000-4000-8000-00000000000f" {
			t.Errorf("%s canonicalised to %s", id, got)
		}
	}
}

// strongToken is a token the strength checks accept (openssl rand -hex 32).
const strongToken = "3c9f1e7a5b2d8c4f6a0e9d3b7c1f5a8e2d6b0c4f8a3e7d1b5c9f2a6e0d4b8c3f"

// TestParseErrors checks each error, with its file, line and key path.
func TestParseErrors(t *testing.T) {
	const head = "tenants:\n  - id: demo\n    name: Demo\n    tokens: [" + strongToken + "]\naccounts:\n" // accounts start at line 6
	acct := func(fields string) string { return head + "  - {" + fields + "}\n" }
	const ok = "id: 00000000-0000-4000-8000-000000000001, tenant: demo, integration: dixa, name: D"
	for _, tc := range []struct {
		name, in string
		want     []string // each must appear, in order, one per error line
	}{
		{"empty", "", []string{"x.yaml:1: empty configuration"}},
		{"comments only", "# nothing\n", []string{"x.yaml:1: empty configuration"}},
		{"two documents", "tenants: []\n---\ntenants: []\n", []string{"x.yaml:2: a second document"}},
		{"top level list", "- a\n", []string{"x.yaml:1: (top level): expected a mapping, got a list"}},
		{"unknown top key", "tenants: []\ntenant: []\n", []string{`x.yaml:2: tenant: unknown key; did you mean "tenants"?`}},
		{"unknown top key far", "tenants: []\nzzz: 1\n", []string{"x.yaml:2: zzz: unknown key; expected tenants, accounts"}},
		{"missing tenants", "accounts: []\n", []string{"x.yaml:1: tenants: missing (required)"}},
		{"tenants not a list", "tenants: {a: b}\n", []string{"x.yaml:1: tenants: expected a list, got a mapping"}},
		{"tenants null", "tenants:\n", []string{"x.yaml:1: tenants: expected a list, got nothing (null)"}},
		{"duplicate key", "tenants: []\ntenants: []\n", []string{"x.yaml:2: tenants: duplicate key (first at line 1)"}},
		{"tenant unknown key", "tenants:\n  - {id: a, name: A, token: [x]}\n", []string{`x.yaml:2: tenants[0].token: unknown key; did you mean "tokens"?`}},
		{"tenant missing name", "tenants:\n  - id: a\n", []string{"x.yaml:2: tenants[0].name: missing (required)"}},
		{"tenant bad id", "tenants:\n  - {id: Demo Tenant, name: A}\n", []string{`x.yaml:2: tenants[0].id: "Demo Tenant" is not a valid tenant id`}},
		{"tenant empty name", "tenants:\n  - {id: a, name: ''}\n", []string{"x.yaml:2: tenants[0].name: must not be empty"}},
		{"tenant null name", "tenants:\n  - {id: a, name: ~}\n", []string{"x.yaml:2: tenants[0].name: expected a string, got nothing (null)"}},
		{"tenant name list", "tenants:\n  - {id: a, name: [x]}\n", []string{"x.yaml:2: tenants[0].name: expected a string, got a list"}},
		{"tenant name padded", "tenants:\n  - {id: a, name: ' A'}\n", []string{"x.yaml:2: tenants[0].name: leading or trailing whitespace"}},
		{"duplicate tenant", "tenants:\n  - {id: a, name: A}\n  - {id: a, name: B}\n", []string{"x.yaml:3: tenants[1].id: duplicate tenant id \"a\" (first defined at line 2, tenants[0])"}},
		{"short token", "tenants:\n  - {id: a, name: A, tokens: [secret]}\n", []string{"x.yaml:2: tenants[0].tokens[0]: token too short (6 characters); use a random token of at least 32 characters, e.g. the output of 'openssl rand -hex 32'"}},
		{"token with space", "tenants:\n  - id: a\n    name: A\n    tokens:\n      - 'has a space in it 12345'\n", []string{"x.yaml:5: tenants[0].tokens[0]: not usable as a bearer token"}},
		{"duplicate token", "tenants:\n  - {id: a, name: A, tokens: [" + strongToken + "]}\n  - {id: b, name: B, tokens: [" + strongToken + "]}\n",
			[]string{"x.yaml:3: tenants[1].tokens[0]: duplicate token (same as tenants[0].tokens[0] at line 2)"}},
		{"tokens not a list", "tenants:\n  - {id: a, name: A, tokens: abcdefghijklmnopq}\n", []string{"x.yaml:2: tenants[0].tokens: expected a list, got a scalar"}},
		{"account unknown key", acct(ok + ", nme: x"), []string{`x.yaml:6: accounts[0].nme: unknown key; did you mean "name"?`}},
		{"account missing keys", head + "  - {name: x}\n", []string{
			"x.yaml:6: accounts[0].id: missing (required)",
			"x.yaml:6: accounts[0].tenant: missing (required)",
			"x.yaml:6: accounts[0].integration: missing (required)"}},
		{"bad uuid", acct("id: 1234, tenant: demo, integration: dixa, name: D"), []string{`x.yaml:6: accounts[0].id: "1234" is not a UUID`}},
		{"unknown tenant near", acct("id: 00000000-0000-4000-8000-000000000001, tenant: dem0, integration: dixa, name: D"),
			[]string{`x.yaml:6: accounts[0].tenant: unknown tenant "dem0"; did you mean "demo"?`}},
		{"unknown tenant far", acct("id: 00000000-0000-4000-8000-000000000001, tenant: zzzzzz, integration: dixa, name: D"),
			[]string{`x.yaml:6: accounts[0].tenant: unknown tenant "zzzzzz"; tenants defined in this file: demo`}},
		{"integration typo", acct("id: 00000000-0000-4000-8000-000000000001, tenant: demo, integration: dixaa, name: D"),
			[]string{`x.yaml:6: accounts[0].integration: unknown integration "dixaa"; did you mean "dixa"?`}},
		{"integration dash", acct("id: 00000000-0000-4000-8000-000000000001, tenant: demo, integration: pivotal-tracker, name: D"),
			[]string{`x.yaml:6: accounts[0].integration: unknown integration "pivotal-tracker"; did you mean "pivotal_tracker"?`}},
		{"integration unknown", acct("id: 00000000-0000-4000-8000-000000000001, tenant: demo, integration: salesforce, name: D"),
			[]string{`x.yaml:6: accounts[0].integration: unknown integration "salesforce"; valid integrations: dixa, freshchat,`}},
		{"duplicate account", head + "  - {" + ok + "}\n  - {id: 00000000-0000-4000-8000-000000000001, tenant: demo, integration: hive, name: H}\n",
			[]string{"x.yaml:7: accounts[1].id: duplicate account id 00000000-0000-4000-8000-000000000001 (first defined at line 6, accounts[0])"}},
		{"duplicate account other case", head + "  - {" + ok + "}\n  - {id: 00000000-0000-4000-8000-00000000000A, tenant: demo, integration: hive, name: H}\n  - {id: 00000000-0000-4000-8000-00000000000a, tenant: demo, integration: hive, name: H}\n",
			[]string{"x.yaml:8: accounts[2].id: duplicate account id 00000000-0000-4000-8000-00000000000a (first defined at line 7, accounts[1])"}},
		{"several errors", "tenants:\n  - {id: a, name: A, tokens: [short]}\naccounts:\n  - {id: x, tenant: a, integration: dixaa, name: D}\n",
			[]string{"x.yaml:2: tenants[0].tokens[0]: token too short", "x.yaml:4: accounts[0].id:", "x.yaml:4: accounts[0].integration: unknown integration"}},
		{"alias to bad value", "tenants:\n  - &t {id: a, name: A}\n  - *t\n", []string{`x.yaml:2: tenants[1].id: duplicate tenant id "a"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("x.yaml", []byte(tc.in), integrationIDs())
			if err == nil {
				t.Fatalf("parsed:\n%s\ninto %+v; want an error", tc.in, cfg)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("error %d:\n got %s\nwant %s...", i, lines[i], w)
				}
			}
			if strings.Contains(err.Error(), strongToken) || strings.Contains(err.Error(), "secret") ||
				strings.Contains(err.Error(), "has a space") {
				t.Errorf("an error shows a token: %v", err)
			}
		})
	}
}

// TestParseUsesGivenIntegrations: the ids passed to Parse, and only they,
// are valid integrations, and the error lists them.
func TestParseUsesGivenIntegrations(t *testing.T) {
	const doc = `
tenants: [{id: t, name: T}]
accounts: [{id: 00000000-0000-4000-8000-000000000001, tenant: t, integration: %s, name: A}]
`
	ids := []string{"alpha", "beta_gamma"}
	cfg, err := Parse("i.yaml", fmt.Appendf(nil, doc, "beta_gamma"), ids)
	if err != nil {
		t.Fatalf("an integration in the list was refused: %v", err)
	}
	if got := cfg.Accounts[0].Integration; got != "beta_gamma" {
		t.Fatalf("integration = %q", got)
	}
	// dixa is a real integration of the generated service, but not in ids.
	_, err = Parse("i.yaml", fmt.Appendf(nil, doc, "dixa"), ids)
	if err == nil {
		t.Fatal("an integration outside the given list was accepted")
	}
	if want := `i.yaml:3: accounts[0].integration: unknown integration "dixa"; valid integrations: alpha, beta_gamma`; !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	_, err = Parse("i.yaml", fmt.Appendf(nil, doc, "beta-gamma"), ids)
	if err == nil || !strings.Contains(err.Error(), `did you mean "beta_gamma"?`) {
		t.Fatalf("near miss: %v", err)
	}
	// With no integrations at all, no account can be valid.
	if _, err := Parse("i.yaml", fmt.Appendf(nil, doc, "alpha"), nil); err == nil {
		t.Fatal("an account was accepted with no integrations")
	}
}

// TestSyntaxErrorLines: a YAML syntax error is reported at the line and
// column where it is, not where the YAML library's enclosing collection
// began: the stray character, the opening quote or bracket left open at the
// end of a line, the last value before a missing separator.
func TestSyntaxErrorLines(t *testing.T) {
	const tenant = "tenants:\n  - id: a\n    name: A\n" // lines 1-3
	const rest = "accounts:\n  - id: 00000000-0000-4000-8000-000000000001\n    tenant: a\n    integration: dixa\n    name: D\n"
	for _, tc := range []struct {
		name, in string
		want     string // prefix of the one error
	}{
		{"unclosed flow list at the end", "tenants: [\n", "x.yaml:1:10: invalid YAML: did not find expected node content"},
		{"unclosed flow list, second line", "tenants: []\naccounts: [\n", "x.yaml:2:11: accounts: invalid YAML: did not find expected node content"},
		{"tab indentation", "tenants: []\n\taccounts: []\n", "x.yaml:2:1: invalid YAML: found character that cannot start any token"},
		{"stray ] after a flow list", tenant + "    tokens: [x]]\n" + rest, "x.yaml:4:16: tenants[0].tokens: invalid YAML: did not find expected key"},
		{"stray ] on its own line", tenant + "]\n" + rest, "x.yaml:4:1: invalid YAML: did not find expected key"},
		{"stray } in a block list", tenant + "    tokens: []\n  }\n" + rest, "x.yaml:5:3: tenants: invalid YAML: did not find expected '-' indicator"},
		{"unclosed flow list, more lines", tenant + "    tokens: [x\n" + rest, "x.yaml:4:14: tenants[0].tokens: invalid YAML: did not find expected ',' or ']'"},
		{"unclosed flow mapping", "tenants:\n  - {id: a, name: A\n\n\n" + rest, "x.yaml:2:19: tenants: invalid YAML: did not find expected ',' or '}'"},
		{"misindented key", "tenants:\n  - id: a\n   name: A\n" + rest, "x.yaml:3:4: tenants: invalid YAML: did not find expected '-' indicator"},
		{"key without colon", tenant + "  bad\n" + rest, "x.yaml:4:3: tenants: invalid YAML: could not find expected ':'"},
		{"unterminated quote", tenant + "    tokens: ['abc\n" + rest, "x.yaml:4:14: tenants[0].tokens: invalid YAML: found unexpected end of stream"},
		{"two colons", tenant + rest + "  - id: a: b\n", "x.yaml:9:10: accounts: invalid YAML: mapping values are not allowed in this context"},
		{"unknown alias", tenant + "accounts: *nope\n", "x.yaml:4:15: accounts: invalid YAML: unknown anchor 'nope' referenced"},
		{"error in a list closed later", "tenants: [\n  a,\n  b]\n" + "accounts: [\n", "x.yaml:4:11: accounts: invalid YAML: did not find expected node content"},
		{"stray ] on line 1", "]\n" + tenant, "x.yaml:1:1: invalid YAML: did not find expected node content"},
		{"no final newline", tenant + "    tokens: [x]]", "x.yaml:4:16: tenants[0].tokens: invalid YAML: did not find expected key"},
		{"stray ] after a multi-line flow mapping", "tenants:\n  - {id: a,\n     name: A}\n  - id: b\n    name: B\n    tokens: [x]]\n", "x.yaml:6:16: tenants[1].tokens: invalid YAML: did not find expected key"},
		{"missing comma in a multi-line flow list", "tenants: [\n  {id: a, name: A},\n  {id: b, name: B}\n  {id: c, name: C}\n]\n", "x.yaml:3:18: invalid YAML: did not find expected ',' or ']'"},
		{"misindented list item", tenant + "    tokens:\n      - x\n     - y\n", "x.yaml:6:6: tenants[0].tokens: invalid YAML: did not find expected key"},
		{"stray ] at the top level", "tenants: []\naccounts: []\n\n]\n", "x.yaml:4:1: invalid YAML: did not find expected key"},
		{"unclosed list, blank lines, then a key", "tenants: [a, b\n\n# comment\naccounts: []\n", "x.yaml:4:1: invalid YAML: did not find expected ',' or ']'"},
		{"unknown directive", "%YAML 1.1\n%FOO\n---\ntenants: []\n", "x.yaml:2:2: invalid YAML: found unknown directive name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.in), integrationIDs())
			if err == nil {
				t.Fatalf("parsed:\n%s", tc.in)
			}
			if !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("input:\n%s\n got %v\nwant %s...", tc.in, err, tc.want)
			}
		})
	}
}

// TestSyntaxErrorLineLargeFile: in a long file (the line is found by
// bisection) the line is still right.
func TestSyntaxErrorLineLargeFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("tenants:\n  - {id: a, name: A}\naccounts:\n")
	line, want := 3, 0
	for i := 0; b.Len() <= 64<<10; i++ {
		fmt.Fprintf(&b, "  - id: 00000000-0000-4000-8000-%012d\n    tenant: a\n    integration: dixa\n    name: D\n", i+1)
		line += 4
		if i == 200 {
			b.WriteString("    tokens: [x]]\n")
			line++
			want = line
		}
	}
	_, err := Parse("x.yaml", []byte(b.String()), integrationIDs())
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("x.yaml:%d:16: accounts[200].tokens: invalid YAML: did not find expected key", want)) {
		t.Errorf("got %v, want line %d", err, want)
	}
}

// TestErrorsNeverShowTokens: a token typed into the wrong place is not
// echoed by the error that place gets.
func TestErrorsNeverShowTokens(t *testing.T) {
	const tok = "k4b1d9e7a2c6f0b3e8d5a1c7f9e2b6dz" // 32 characters, all allowed in a tenant id too, not hex (not a UUID)
	const good = "9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4"
	for _, tc := range []struct{ name, in string }{
		{"key of a flow mapping", "tenants:\n  - {id: a, name: A, tokens: [" + good + "], " + tok + "}\n"},
		{"key of a block mapping", "tenants:\n  - id: a\n    name: A\n    " + tok + ": x\n"},
		{"top-level key", "tenants: []\n" + tok + ": 1\n"},
		{"tenant id too long", "tenants:\n  - {id: " + tok + tok + ", name: A}\n"},
		{"tenant id with upper case", "tenants:\n  - {id: " + strings.ToUpper(tok) + ", name: A}\n"},
		{"account id", "tenants: [{id: a, name: A}]\naccounts: [{id: " + tok + ", tenant: a, integration: dixa, name: D}]\n"},
		{"account tenant", "tenants: [{id: a, name: A}]\naccounts: [{id: 00000000-0000-4000-8000-000000000001, tenant: " + tok + ", integration: dixa, name: D}]\n"},
		{"account integration", "tenants: [{id: a, name: A}]\naccounts: [{id: 00000000-0000-4000-8000-000000000001, tenant: a, integration: " + tok + ", name: D}]\n"},
		{"alias", "tenants: *" + tok + "\n"},
		{"token as a tenant", "tenants:\n  - " + tok + "\n"},
		{"tokens as a mapping", "tenants:\n  - {id: a, name: A, tokens: {" + tok + ": x}}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.in), integrationIDs())
			if err == nil {
				t.Fatalf("parsed:\n%s", tc.in)
			}
			if strings.Contains(strings.ToLower(err.Error()), tok) {
				t.Errorf("the error shows the token:\n%v", err)
			}
			if !strings.HasPrefix(err.Error(), "x.yaml:") {
				t.Errorf("the error does not say where: %v", err)
			}
		})
	}
	// Short values are still shown: they help, and cannot be tokens.
	_, err := Parse("x.yaml", []byte("tenants: [{id: a, name: A}]\naccounts: [{id: 1234, tenant: a, integration: dixa, name: D}]\n"), integrationIDs())
	if err == nil || !strings.Contains(err.Error(), `"1234" is not a UUID`) {
		t.Errorf("short bad UUID: %v", err)
	}
}

// TestTokenStrength: configured tokens must be long and random-looking;
// the demo's public token is accepted only from the demo.
func TestTokenStrength(t *testing.T) {
	cfgWith := func(tok string) []byte {
		return []byte("tenants:\n  - id: a\n    name: A\n    tokens:\n      - '" + tok + "'\n")
	}
	for _, tc := range []struct{ name, tok, want string }{
		{"demo token", "demo-token-change-me", "this is the public token of the demo configuration"},
		{"16 characters", "0123456789abcdef", "token too short (16 characters)"},
		{"31 characters", strongToken[:31], "token too short (31 characters)"},
		{"one character repeated", strings.Repeat("a", 40), "only 1 distinct characters"},
		{"few distinct", "abcabcabcabcabcabcabcabcabcabcab0123", "only 7 distinct characters"},
		{"repeated pattern", strings.Repeat("k3x9q2m7", 5), "it repeats a 8-character pattern"},
		{"repeated half", strongToken[:16] + strongToken[:16], "it repeats a 16-character pattern"},
		{"alphabet", "abcdefghijklmnopqrstuvwxyz012345", "repeated or consecutive characters"},
		{"run inside", "f3a9c1e7b5d2" + "00000000" + "4e8a6c0b2d9f", "repeated or consecutive characters"},
		{"descending", "9f3e1c7a" + "zyxwvuts" + "5b2d8e4a6c0f7193", "repeated or consecutive characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", cfgWith(tc.tok), integrationIDs())
			if err == nil {
				t.Fatalf("token %q accepted", tc.tok)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "x.yaml:5: tenants[0].tokens[0]: ") || !strings.Contains(msg, tc.want) ||
				!strings.Contains(msg, "openssl rand -hex 32") {
				t.Errorf("got %v\nwant x.yaml:5: tenants[0].tokens[0]: ...%s... openssl rand -hex 32", msg, tc.want)
			}
			if strings.Contains(msg, tc.tok) {
				t.Errorf("the error shows the token: %v", msg)
			}
		})
	}
	for _, tok := range []string{
		strongToken,      // openssl rand -hex 32
		strongToken[:32], // openssl rand -hex 16
		"q2J8vX4mZ7rT1kW9nB5cY3hL6dF0sG8pA4eU2iO7tR1=", // openssl rand -base64 32
		"8d3a6f0e-2b7c-4e19-a5d4-c0f81b63e297",         // a UUID (uuidgen)
		"abcdefg" + strongToken[:25],                   // a run of 7 is allowed
	} {
		if _, err := Parse("x.yaml", cfgWith(tok), integrationIDs()); err != nil {
			t.Errorf("strong token rejected: %v", err)
		}
	}
	// The demo keeps its public token, but only when parsed as the demo.
	if _, err := ParseDemo(Demo, integrationIDs()); err != nil {
		t.Errorf("the demo: %v", err)
	}
	if _, err := Parse(DemoName, Demo, integrationIDs()); err == nil || !strings.Contains(err.Error(), "public token of the demo") {
		t.Errorf("the demo parsed as a configuration: %v", err)
	}
}

// TestApplyIfNew: a configuration applied only to a database without
// tenants, in one transaction with that check.
func TestApplyIfNew(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "n.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	demo, err := ParseDemo(Demo, integrationIDs())
	if err != nil {
		t.Fatal(err)
	}
	// A first start that fails half-way (here: on its last account)
	// leaves no tenant behind...
	broken := &Config{
		Tenants:  []Tenant{{ID: "demo", Name: "Demo", Tokens: demo.Tenants[0].Tokens}},
		Accounts: []Account{demo.Accounts[0], {ID: "not-a-uuid", Tenant: "demo", Integration: "dixa", Name: "X"}},
	}
	if applied, err := broken.ApplyIfNew(ctx, s); err == nil || applied {
		t.Fatalf("broken configuration: applied=%v, %v", applied, err)
	}
	if _, err := s.TenantByToken(ctx, demo.Tenants[0].Tokens[0]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed first start left its token: %v", err)
	}
	// ...so the next start still counts as the first.
	if applied, err := demo.ApplyIfNew(ctx, s); err != nil || !applied {
		t.Fatalf("demo after a failed start: applied=%v, %v", applied, err)
	}
	if _, err := s.TenantByToken(ctx, demo.Tenants[0].Tokens[0]); err != nil {
		t.Fatalf("demo token: %v", err)
	}
	// Once there are tenants, nothing more is applied.
	other, err := Parse("o.yaml", []byte("tenants:\n  - {id: other, name: O, tokens: ["+strongToken+"]}\n"), integrationIDs())
	if err != nil {
		t.Fatal(err)
	}
	if applied, err := other.ApplyIfNew(ctx, s); err != nil || applied {
		t.Fatalf("second configuration: applied=%v, %v", applied, err)
	}
	if _, err := s.TenantByToken(ctx, strongToken); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("applied to a database with tenants: %v", err)
	}
}

// TestApplyConcurrently: replicas starting at once on one new database
// load the demo once, and apply one configuration at once without
// failing (on PostgreSQL, apply takes a lock; on SQLite the write lock).
func TestApplyConcurrently(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		dsn := e.DSN(t)
		demo, err := ParseDemo(Demo, integrationIDs())
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Parse("c.yaml", []byte("tenants:\n  - {id: other, name: O, tokens: ["+strongToken+"]}\n"), integrationIDs())
		if err != nil {
			t.Fatal(err)
		}
		const replicas = 4
		stores := make([]store.Store, replicas)
		for i := range stores {
			if stores[i], err = store.Open(ctx, dsn, store.Options{}); err != nil {
				t.Fatal(err)
			}
			defer stores[i].Close()
		}
		var wg sync.WaitGroup
		var applied atomic.Int64
		for _, s := range stores {
			wg.Go(func() {
				ok, err := demo.ApplyIfNew(ctx, s)
				if err != nil {
					t.Errorf("ApplyIfNew: %v", err)
				}
				if ok {
					applied.Add(1)
				}
				if _, err := cfg.Apply(ctx, s); err != nil {
					t.Errorf("Apply: %v", err)
				}
			})
		}
		wg.Wait()
		if applied.Load() != 1 {
			t.Errorf("the demo was loaded %d times, want once", applied.Load())
		}
		if tn, err := stores[0].TenantByToken(ctx, strongToken); err != nil || tn.ID != "other" {
			t.Errorf("configured token: %+v, %v", tn, err)
		}
	})
}

// TestApplyNamesEveryAccountMistake: the account checks (backend, base
// URL, credentials) run over the whole file before anything is written,
// and one apply names each mistake with its line.
func TestApplyNamesEveryAccountMistake(t *testing.T) {
	const file = `tenants:
  - {id: acme, name: Acme, tokens: ["7f3c9a1e5b2d8f4a6c0e9b3d7a1f5c8e2b6d0a4f8c3e7b1d5a9f2c6e0b4d8a3f"]}
accounts:
  - id: 00000000-0000-4000-8000-000000000001
    tenant: acme
    integration: dixa
    name: Local with a URL
    base_url: https://dev.dixa.io
  - id: 00000000-0000-4000-8000-000000000002
    tenant: acme
    integration: pivotal_tracker
    name: Remote without a definition
    backend: remote
  - id: 00000000-0000-4000-8000-000000000003
    tenant: acme
    integration: dixa
    name: Remote without credentials
    backend: remote
    base_url: https://dev.dixa.io
  - id: 00000000-0000-4000-8000-000000000004
    tenant: acme
    integration: dixa
    name: Fine
`
	cfg, err := Parse("accounts.yaml", []byte(file), integrationIDs())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Remote = unified.RemoteIntegrations
	cfg.Seal = func(string, map[string]string) (string, error) { return "sealed", nil }
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = cfg.Apply(context.Background(), s)
	if err == nil {
		t.Fatal("apply accepted three bad accounts")
	}
	for _, want := range []string{
		"accounts.yaml:4: account 00000000-0000-4000-8000-000000000001: credentials and base_url are for backend: remote",
		"accounts.yaml:9: account 00000000-0000-4000-8000-000000000002: pivotal_tracker has no provider definition",
		"accounts.yaml:14: account 00000000-0000-4000-8000-000000000003: backend: remote needs credentials",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if _, err := s.Account(context.Background(), "acme", "00000000-0000-4000-8000-000000000004"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the good account was written from a refused file: %v", err)
	}
}
