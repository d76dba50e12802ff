// Package config reads the declarative configuration of tenants, their
// bearer tokens and their integrated accounts, and applies it to a store.
//
// The format (see config/demo.yaml) is deliberately strict: unknown keys,
// duplicates, unknown integrations and malformed UUIDs are all errors, each
// reported as "file:line: path: message" so that a typo is found at start-up
// rather than as a mysterious 404 later. Tokens must be long and random
// (the store keeps unsalted SHA-256 hashes); only the demo's public token
// is exempt ([ParseDemo]). No error ever shows a token.
//
// Applying a configuration makes it the whole truth about the tenants it
// names: their tokens it does not list are revoked ([Config.Apply]).
package config

import (
	"github.com/unifiedgen/unifiedgen/diag"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
	"os"

	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"

	democonfig "github.com/unifiedgen/unifiedgen/config"
	"github.com/unifiedgen/unifiedgen/internal/store"
)

// Demo is config/demo.yaml: one tenant with a public demo token and one
// account per integration. For local demos only.
var Demo = democonfig.Demo

// DemoName is the file name [ParseDemo] gives errors, so they point at the
// file to edit.
const DemoName = "config/demo.yaml"

// Config is a parsed and validated configuration.
type Config struct {
	Tenants  []Tenant
	Accounts []Account
	// Seal seals an account's credentials for the store (package
	// secrets); Apply refuses credentials when it is nil.
	Seal func(accountID string, credentials map[string]string) (string, error)
	// Getenv resolves ${NAME} in credential values at Apply; nil is
	// os.Getenv.
	Getenv func(string) string
	// Remote are the integrations the service can call (the generated
	// RemoteIntegrations): Apply checks a remote account against its
	// integration's definition.
	Remote map[string]*remote.Integration
	// File is the file the configuration came from, for messages.
	File string
}

// Tenant is a tenant and the bearer tokens it authenticates with.
type Tenant struct {
	ID, Name string
	// Tokens are the raw tokens; the store keeps only their hashes.
	Tokens []string
}

// Account is an integrated account.
type Account struct {
	// ID is the canonical lowercase UUID.
	ID          string
	Tenant      string
	Integration string
	Name        string
	// Backend is "local" (the default) or "remote" (the provider's API).
	Backend string
	// BaseURL replaces the scheme, host and port of the integration's
	// base URL (remote accounts).
	BaseURL string
	// Credentials are as written in the file: a value may be ${NAME},
	// resolved from the environment when the file is applied.
	Credentials map[string]string
	// Line is where the account is defined, for later checks' messages.
	Line int
}

// Token strength. The store keeps SHA-256(token), unsalted: fine for long
// random tokens (nobody can search 2^128 candidates, salt or not), useless
// for guessable ones (a leaked hash of "acme-prod-token" is found by a
// dictionary run). The checks below cannot prove a token random; they
// reject the placeholders and patterns people type, and say what to use.
const (
	// minTokenLen is 32: 128 bits as hex, the least of the generators the
	// error suggests (openssl rand -hex 16), and 190 bits as base64.
	minTokenLen = 32
	// minDistinct: 32 random hex characters have fewer than 8 distinct
	// characters with probability about 4e-8; "aaaa...ab" has 2.
	minDistinct = 8
	// maxRun is the longest run of repeated or consecutive characters
	// ("aaaa", "1234", "dcba") allowed; a random hex token has a run of 8
	// with probability below 1e-6.
	maxRun = 7
	// tokenAdvice ends every token strength error.
	tokenAdvice = "use a random token of at least 32 characters, e.g. the output of 'openssl rand -hex 32'"
)

// weakToken says why tok is too weak to be a token, or returns "". The
// message never contains tok.
func weakToken(tok string) string {
	if slices.Contains(demoTokens(), tok) {
		return "this is the public token of the demo configuration (config/demo.yaml): anyone can use it; " + tokenAdvice
	}
	if len(tok) < minTokenLen {
		return fmt.Sprintf("token too short (%d characters); %s", len(tok), tokenAdvice)
	}
	distinct := map[byte]bool{}
	for i := range len(tok) {
		distinct[tok[i]] = true
	}
	if len(distinct) < minDistinct {
		return fmt.Sprintf("token too guessable: only %d distinct characters; %s", len(distinct), tokenAdvice)
	}
	if p := period(tok); p <= len(tok)/2 {
		return fmt.Sprintf("token too guessable: it repeats a %d-character pattern; %s", p, tokenAdvice)
	}
	if longestRun(tok) > maxRun {
		return fmt.Sprintf("token too guessable: more than %d repeated or consecutive characters in a row (such as aaaa or 1234); %s", maxRun, tokenAdvice)
	}
	return ""
}

// period is the length of the shortest p such that s[i] == s[i-p] for
// every i >= p: len(s) for a string that repeats nothing, 3 for
// "abcabcab".
func period(s string) int {
	// Knuth-Morris-Pratt failure function: the longest proper border of
	// s has length fail[n-1], and the shortest period is n minus it.
	n := len(s)
	fail := make([]int, n)
	for i, k := 1, 0; i < n; i++ {
		for k > 0 && s[i] != s[k] {
			k = fail[k-1]
		}
		if s[i] == s[k] {
			k++
		}
		fail[i] = k
	}
	return n - fail[n-1]
}

// longestRun is the length of the longest substring of s whose characters
// are all equal, or each one more than the one before, or each one less.
func longestRun(s string) int {
	best := min(len(s), 1)
	for _, step := range []int{0, 1, -1} {
		run := 1
		for i := 1; i < len(s); i++ {
			if int(s[i])-int(s[i-1]) == step {
				run++
				best = max(best, run)
			} else {
				run = 1
			}
		}
	}
	return best
}

// demoTokens returns the tokens of the embedded demo configuration, which
// no other configuration may use. (ParseDemo does not call it: demo tokens
// are not checked.)
func demoTokens() []string {
	demoOnce.Do(func() {
		// Only the tokens matter here, whatever integrations the
		// service has.
		cfg, err := parse(&parser{file: DemoName, demo: true, anyIntegration: true}, Demo)
		if err != nil {
			return // the demo's own tests report it
		}
		for _, t := range cfg.Tenants {
			demoToks = append(demoToks, t.Tokens...)
		}
	})
	return demoToks
}

var (
	demoOnce sync.Once
	demoToks []string
)

var (
	// tenantIDRe keeps tenant ids safe to show in logs and URLs.
	tenantIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	// tokenRe is RFC 6750's b64token: anything else cannot be sent in an
	// "Authorization: Bearer" header, so such a token could never be used.
	tokenRe = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)
)

// Parse parses and validates the configuration in data. name is the file
// name used in error messages. All problems found are returned, joined, one
// per line; tokens never appear in them.
// integrations are the ids of the service's integrations, which accounts
// must name.
func Parse(name string, data []byte, integrations []string) (*Config, error) {
	return parse(&parser{file: name, integrations: integrations}, data)
}

// ParseDemo parses a demo configuration, such as [Demo], which the service
// loads into a new database when it is given no configuration. Its tokens
// are public on purpose, so they are exempt from the strength checks that
// [Parse] applies; nothing else is.
func ParseDemo(data []byte, integrations []string) (*Config, error) {
	return parse(&parser{file: DemoName, demo: true, integrations: integrations}, data)
}

func parse(p *parser, data []byte) (*Config, error) {
	name := p.file
	doc, err := decode(data)
	var syn *syntaxError
	if errors.As(err, &syn) {
		line, col, msg := diag.YAMLError(data, syn.err, func(b []byte) error {
			_, err := decode(b)
			if errors.As(err, &syn) {
				return syn.err
			}
			return err
		})
		d := diag.Diagnostic{File: name, Line: line, Col: col, Path: diag.FormatPath(diag.YAMLPathBefore(data, line)...), Msg: "invalid YAML: " + redact(msg)}
		return nil, errors.New(d.String())
	}
	var second *secondDocument
	if errors.As(err, &second) {
		return nil, fmt.Errorf("%s:%d: a second document; put everything in one", name, second.line)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("%s:1: empty configuration", name)
	}
	cfg := p.config(doc)
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	cfg.File = name
	return cfg, nil
}

// syntaxError is a syntax error of the YAML library (diag.YAMLError
// locates it).
type syntaxError struct{ err error }

func (e *syntaxError) Error() string { return e.err.Error() }

// secondDocument is a second YAML document in the file, at line.
type secondDocument struct{ line int }

func (e *secondDocument) Error() string { return fmt.Sprintf("line %d: a second document", e.line) }

// decode reads exactly one YAML document. It returns nil for an empty input.
func decode(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, &syntaxError{err}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, &syntaxError{err}
	default:
		return nil, &secondDocument{line: max(extra.Line, 1)}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// Apply makes s hold c, in one transaction: either all of it is applied
// or none. Applying the same configuration again changes nothing.
//
// The file is the whole truth about the tenants it names: each such tenant
// ends up with exactly the tokens the file lists, and any other token it
// had is revoked (deleted) in the same transaction, so removing a token
// from the file and applying it again revokes the token, and `tokens: []`
// (or no tokens key) revokes them all. Tenants the file does not name keep
// their tokens. Tenants and accounts are added or renamed, never deleted:
// an account's users would go with it.
//
// Servers using s see a revocation at once; servers in other processes
// within their lookup cache's TTL (see store.DefaultCacheTTL).
func (c *Config) Apply(ctx context.Context, s store.Store) (Applied, error) {
	accounts, err := c.accounts()
	if err != nil {
		return Applied{}, fmt.Errorf("config: apply: %w", err)
	}
	var done Applied
	_, _, err = s.Write(ctx, nil, func(tx store.Tx) (store.Saved, error) {
		var err error
		done, err = c.apply(tx, accounts)
		return store.Saved{}, err
	})
	if err != nil {
		return Applied{}, fmt.Errorf("config: apply: %w", err)
	}
	return done, nil
}

// Applied is what [Config.Apply] changed that the operator should hear
// about.
type Applied struct {
	// Revoked is, by tenant id, how many tokens were revoked because the
	// file does not list them; tenants without any are absent.
	Revoked map[string]int
}

// ApplyIfNew applies c as [Config.Apply] does, but only to a database
// without tenants, and reports whether it did. The check and the whole
// application are one transaction: a failure leaves the database without
// tenants, so the next attempt applies c again, and two processes starting
// on the same new file apply it once.
func (c *Config) ApplyIfNew(ctx context.Context, s store.Store) (applied bool, err error) {
	accounts, err := c.accounts()
	if err != nil {
		return false, fmt.Errorf("config: apply: %w", err)
	}
	_, _, err = s.Write(ctx, nil, func(tx store.Tx) (store.Saved, error) {
		has, err := tx.HasTenants()
		applied = err == nil && !has // fn may run twice (Store.Write): say what this run did
		if !applied {
			return store.Saved{}, err
		}
		_, err = c.apply(tx, accounts)
		return store.Saved{}, err
	})
	if err != nil {
		return false, fmt.Errorf("config: apply: %w", err)
	}
	return applied, nil
}

func (c *Config) apply(tx store.Tx, accounts []store.Account) (Applied, error) {
	done := Applied{Revoked: map[string]int{}}
	// Revocations first: a token the file moves from one tenant to
	// another is deleted from the first before it is added to the second.
	for _, t := range c.Tenants {
		if err := tx.PutTenant(store.Tenant{ID: t.ID, Name: t.Name}); err != nil {
			return Applied{}, err
		}
		n, err := tx.RevokeTokensExcept(t.ID, t.Tokens)
		if err != nil {
			return Applied{}, err
		}
		if n > 0 {
			done.Revoked[t.ID] = n
		}
	}
	for _, t := range c.Tenants {
		for _, tok := range t.Tokens {
			if err := tx.AddToken(t.ID, tok); err != nil {
				return Applied{}, err
			}
		}
	}
	for _, a := range accounts {
		if err := tx.PutAccount(a); err != nil {
			return Applied{}, err
		}
	}
	return done, nil
}

// accounts checks every account of the file and returns them as the store
// keeps them, credentials resolved and sealed. Every account is checked
// before any is refused, so that one run names every mistake in the file;
// none of this needs the database, so it happens before the write
// transaction, which it would otherwise hold while sealing.
func (c *Config) accounts() ([]store.Account, error) {
	out := make([]store.Account, 0, len(c.Accounts))
	var errs []error
	for _, a := range c.Accounts {
		sa, err := c.account(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, sa)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// account checks one account and seals its credentials.
func (c *Config) account(a Account) (store.Account, error) {
	sa := store.Account{ID: a.ID, TenantID: a.Tenant, Integration: a.Integration, Name: a.Name, Backend: a.Backend, BaseURL: a.BaseURL}
	if err := c.checkBackend(a); err != nil {
		return store.Account{}, err
	}
	if len(a.Credentials) == 0 {
		return sa, nil
	}
	creds, err := c.Resolve(a)
	if err != nil {
		return store.Account{}, err
	}
	if errs := c.Remote[a.Integration].CheckAccount(remote.Account{ID: a.ID, Integration: a.Integration, BaseURL: a.BaseURL, Credentials: creds}); len(errs) > 0 {
		return store.Account{}, fmt.Errorf("%s:%d: account %s: %w", c.File, a.Line, a.ID, errors.Join(errs...))
	}
	if c.Seal == nil {
		return store.Account{}, fmt.Errorf("account %s has credentials, which are kept encrypted: set UNIFIED_SECRET_KEY (32 bytes, hex or base64) or -secret-key-file", a.ID)
	}
	if sa.Credentials, err = c.Seal(a.ID, creds); err != nil {
		return store.Account{}, fmt.Errorf("account %s: %w", a.ID, err)
	}
	return sa, nil
}

// checkBackend refuses what cannot work: a remote account of an
// integration the service cannot call, or credentials or a base URL on a
// local account (they would be kept and never used).
func (c *Config) checkBackend(a Account) error {
	where := fmt.Sprintf("%s:%d: account %s", c.File, a.Line, a.ID)
	if a.Backend != "remote" {
		if len(a.Credentials) > 0 || a.BaseURL != "" {
			return fmt.Errorf("%s: credentials and base_url are for backend: remote; this account is served locally", where)
		}
		return nil
	}
	if c.Remote[a.Integration] == nil {
		var ids []string
		for id := range c.Remote {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return fmt.Errorf("%s: %s has no provider definition to call, so it can only be served locally; the integrations that can be remote are %s", where, a.Integration, strings.Join(ids, ", "))
	}
	if len(a.Credentials) == 0 && len(c.Remote[a.Integration].Credentials) > 0 {
		return fmt.Errorf("%s: backend: remote needs credentials: %s", where, strings.Join(c.Remote[a.Integration].Credentials, ", "))
	}
	return nil
}

// envRef is a credential value that names an environment variable.
var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// Resolve returns a's credentials with every ${NAME} replaced by the
// environment variable's value. An unset or empty variable is an error
// naming the variable and the key, never a value.
func (c *Config) Resolve(a Account) (map[string]string, error) {
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	out := make(map[string]string, len(a.Credentials))
	for k, v := range a.Credentials {
		if m := envRef.FindStringSubmatch(v); m != nil {
			if v = getenv(m[1]); v == "" {
				return nil, fmt.Errorf("account %s: credentials.%s names the environment variable %s, which is not set", a.ID, k, m[1])
			}
		}
		out[k] = v
	}
	return out, nil
}

// parser walks the YAML tree, collecting every error instead of stopping at
// the first, so one run shows everything to fix.
type parser struct {
	file         string
	integrations []string
	// demo exempts tokens from the strength checks (ParseDemo).
	demo bool
	// anyIntegration skips the check of accounts' integrations.
	anyIntegration bool
	errs           []error
}

// errorf records an error at n's line for the key path.
func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d: %s: %s", p.file, n.Line, path, fmt.Sprintf(format, args...)))
}

// seen remembers where a value was first defined, to report duplicates.
type seen struct {
	line int
	path string
}

func (p *parser) config(root *yaml.Node) *Config {
	cfg := &Config{}
	top := p.mapping(root, "", []string{"tenants", "accounts"}, []string{"tenants"})
	if top == nil {
		return cfg
	}
	tenants := map[string]seen{}
	tokens := map[string]seen{}
	if n := top["tenants"]; n != nil {
		for i, item := range p.sequence(n, "tenants") {
			if t, ok := p.tenant(item, fmt.Sprintf("tenants[%d]", i), tenants, tokens); ok {
				cfg.Tenants = append(cfg.Tenants, t)
			}
		}
	}
	accounts := map[string]seen{}
	if n := top["accounts"]; n != nil {
		for i, item := range p.sequence(n, "accounts") {
			if a, ok := p.account(item, fmt.Sprintf("accounts[%d]", i), tenants, accounts); ok {
				cfg.Accounts = append(cfg.Accounts, a)
			}
		}
	}
	return cfg
}

func (p *parser) tenant(n *yaml.Node, path string, tenants, tokens map[string]seen) (Tenant, bool) {
	m := p.mapping(n, path, []string{"id", "name", "tokens"}, []string{"id", "name"})
	if m == nil {
		return Tenant{}, false
	}
	ok := true
	var t Tenant
	if v := m["id"]; v != nil {
		var good bool
		t.ID, good = p.nonEmpty(v, path+".id")
		switch {
		case !good:
			ok = false
		case !tenantIDRe.MatchString(t.ID):
			p.errorf(v, path+".id", "%s is not a valid tenant id: use lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters", Quote(t.ID))
			ok = false
		case tenants[t.ID] != (seen{}):
			first := tenants[t.ID]
			p.errorf(v, path+".id", "duplicate tenant id %q (first defined at line %d, %s)", t.ID, first.line, first.path)
			ok = false
		default:
			tenants[t.ID] = seen{v.Line, path}
		}
	}
	if v := m["name"]; v != nil {
		var good bool
		if t.Name, good = p.nonEmpty(v, path+".name"); !good {
			ok = false
		}
	}
	if v := m["tokens"]; v != nil {
		for i, tn := range p.sequence(v, path+".tokens") {
			tp := fmt.Sprintf("%s.tokens[%d]", path, i)
			// Messages below never include the token: config errors end
			// up in terminals and logs.
			tok, good := p.nonEmpty(tn, tp)
			switch {
			case !good:
				ok = false
			case !tokenRe.MatchString(tok):
				p.errorf(tn, tp, "not usable as a bearer token: only letters, digits and -._~+/ are allowed, optionally followed by '='")
				ok = false
			case !p.demo && weakToken(tok) != "":
				p.errorf(tn, tp, "%s", weakToken(tok))
				ok = false
			case tokens[tok] != (seen{}):
				first := tokens[tok]
				p.errorf(tn, tp, "duplicate token (same as %s at line %d)", first.path, first.line)
				ok = false
			default:
				tokens[tok] = seen{tn.Line, tp}
				t.Tokens = append(t.Tokens, tok)
			}
		}
	}
	return t, ok
}

func (p *parser) account(n *yaml.Node, path string, tenants, accounts map[string]seen) (Account, bool) {
	m := p.mapping(n, path, []string{"id", "tenant", "integration", "name", "backend", "base_url", "credentials"}, []string{"id", "tenant", "integration", "name"})
	if m == nil {
		return Account{}, false
	}
	ok := true
	a := Account{Line: n.Line}
	if v := m["backend"]; v != nil {
		b, good := p.nonEmpty(v, path+".backend")
		if good && b != "local" && b != "remote" {
			p.errorf(v, path+".backend", "must be local (records kept by the service) or remote (the provider's API), got %s", Quote(b))
			good = false
		}
		a.Backend, ok = b, ok && good
	}
	if v := m["base_url"]; v != nil {
		var good bool
		a.BaseURL, good = p.nonEmpty(v, path+".base_url")
		ok = ok && good
	}
	if v := m["credentials"]; v != nil {
		cm := p.mapping(v, path+".credentials", remote.CredentialKeys, nil)
		if cm == nil {
			ok = false
		} else {
			a.Credentials = map[string]string{}
			for k, cv := range cm {
				val, good := p.nonEmpty(cv, path+".credentials."+k)
				a.Credentials[k], ok = val, ok && good
			}
		}
	}
	if v := m["id"]; v != nil {
		raw, good := p.nonEmpty(v, path+".id")
		if good {
			if u, err := uuid.Parse(raw); err != nil {
				p.errorf(v, path+".id", "%s is not a UUID (want the form 0a0e0000-0000-4000-8000-000000000001)", Quote(raw))
				good = false
			} else {
				a.ID = u.String()
			}
		}
		switch {
		case !good:
			ok = false
		case accounts[a.ID] != (seen{}):
			first := accounts[a.ID]
			p.errorf(v, path+".id", "duplicate account id %s (first defined at line %d, %s)", a.ID, first.line, first.path)
			ok = false
		default:
			accounts[a.ID] = seen{v.Line, path}
		}
	}
	if v := m["tenant"]; v != nil {
		var good bool
		a.Tenant, good = p.nonEmpty(v, path+".tenant")
		if good && tenants[a.Tenant] == (seen{}) {
			known := sortedKeys(tenants)
			msg := "unknown tenant " + Quote(a.Tenant)
			if s := nearest(a.Tenant, known); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else if len(known) > 0 {
				msg += "; tenants defined in this file: " + strings.Join(known, ", ")
			}
			p.errorf(v, path+".tenant", "%s", msg)
			good = false
		}
		ok = ok && good
	}
	if v := m["integration"]; v != nil {
		var good bool
		a.Integration, good = p.nonEmpty(v, path+".integration")
		if good {
			if !p.anyIntegration && !slices.Contains(p.integrations, a.Integration) {
				p.errorf(v, path+".integration", "%s", unknownIntegration(a.Integration, p.integrations))
				good = false
			}
		}
		ok = ok && good
	}
	if v := m["name"]; v != nil {
		var good bool
		a.Name, good = p.nonEmpty(v, path+".name")
		ok = ok && good
	}
	return a, ok
}

// unknownIntegration explains an unknown integration id: the nearest valid
// id when there is a plausible one, otherwise the list of valid ids.
func unknownIntegration(id string, ids []string) string {
	msg := "unknown integration " + Quote(id)
	if s := nearest(id, ids); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + "; valid integrations: " + strings.Join(ids, ", ")
}

// mapping checks that n is a mapping whose keys are all in allowed, none
// repeated, and that every key of required is present. It returns the
// values by key, or nil if n is not a mapping.
func (p *parser) mapping(n *yaml.Node, path string, allowed, required []string) map[string]*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, orRoot(path), "expected a mapping, got %s", describe(n))
		return nil
	}
	m := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		kp := join(path, k.Value) // k.Value is an allowed key, or quoted below
		switch {
		case k.Kind != yaml.ScalarNode:
			p.errorf(k, orRoot(path), "keys must be plain strings, got %s", describe(k))
		case !slices.Contains(allowed, k.Value):
			msg := "unknown key"
			if s := nearest(k.Value, allowed); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; expected " + strings.Join(allowed, ", ")
			}
			p.errorf(k, join(path, quoteKey(k.Value)), "%s", msg)
		case m[k.Value] != nil:
			p.errorf(k, kp, "duplicate key (first at line %d)", m[k.Value].Line)
		default:
			m[k.Value] = v
		}
	}
	for _, r := range required {
		if m[r] == nil {
			p.errorf(n, join(path, r), "missing (required)")
		}
	}
	return m
}

// sequence checks that n is a sequence and returns its items.
func (p *parser) sequence(n *yaml.Node, path string) []*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "expected a list, got %s", describe(n))
		return nil
	}
	return n.Content
}

// nonEmpty returns n's text if n is a non-empty scalar. Any scalar tag is
// accepted (an id of 123 is the string "123") since Value keeps the exact
// text written; only null is refused.
func (p *parser) nonEmpty(n *yaml.Node, path string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, path, "expected a string, got %s", describe(n))
		return "", false
	}
	if strings.TrimSpace(n.Value) == "" {
		p.errorf(n, path, "must not be empty")
		return "", false
	}
	if strings.TrimSpace(n.Value) != n.Value {
		p.errorf(n, path, "leading or trailing whitespace")
		return "", false
	}
	return n.Value, true
}

// Values from the file appear in error messages only when they cannot be
// a bearer token: configuration errors end up in terminals, CI logs and
// bug reports, and a token typed into the wrong place (an id field, a key
// of a flow mapping such as {id: a, name: A, tokens: [t1], t2}) must not
// leak through them. Tokens themselves are never formatted into a message.
// Values that passed validation as ids (a tenant id, a canonical UUID, an
// integration) are shown as they are.

// mayBeToken reports whether s could be a bearer token: at least 16
// characters (the shortest token any version of this parser accepted), all
// of them allowed in a token.
func mayBeToken(s string) bool { return len(s) >= 16 && tokenRe.MatchString(s) }

// Quote shows a value that was got wrong, in an error: quoted, or only
// described when it could be a token, which is never repeated into an
// error or a log.
func Quote(s string) string {
	if mayBeToken(s) {
		return fmt.Sprintf("(%d characters, not shown in case it is a token)", len(s))
	}
	return strconv.Quote(s)
}

// quoteKey shows an unknown key in a path: as is, or described when it
// could be a token.
func quoteKey(k string) string {
	if mayBeToken(k) {
		return fmt.Sprintf("(a %d-character key, not shown in case it is a token)", len(k))
	}
	return k
}

// quotedRe finds the quoted parts of the YAML library's messages (anchor
// names).
var quotedRe = regexp.MustCompile(`'[^']*'`)

// redact hides the quoted parts of a library message that could be tokens.
func redact(msg string) string {
	return quotedRe.ReplaceAllStringFunc(msg, func(q string) string {
		if mayBeToken(q[1 : len(q)-1]) {
			return "'(not shown in case it is a token)'"
		}
		return q
	})
}

// deref follows an alias (*name) to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe names a node's kind for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		return "a scalar"
	}
	return "an unexpected node"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

func sortedKeys(m map[string]seen) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// nearest is the known name s most likely meant, or "".
func nearest(s string, candidates []string) string { return diag.Nearest(s, candidates) }
