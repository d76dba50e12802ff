// Package config reads the declarative configuration of tenants, their
// bearer tokens and their integrated accounts, and applies it to a store.
//
// The format (see config/demo.yaml) is deliberately strict: unknown keys,
// duplicates, unknown integrations and malformed UUIDs are all errors, each
// reported as "file:line: path: message" so that a typo is found at start-up
// rather than as a mysterious 404 later.
package config

import (
	"github.com/unifiedgen/unifiedgen/diag"

	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"

	democonfig "github.com/unifiedgen/unifiedgen/config"
	"github.com/unifiedgen/unifiedgen/internal/store"
)

// Demo is config/demo.yaml: one tenant with a public demo token and one
// account per integration. For local demos only.
var Demo = democonfig.Demo

// DemoName is the name to pass to [Parse] with [Demo], so errors point at
// the file to edit.
const DemoName = "config/demo.yaml"

// Config is a parsed and validated configuration.
type Config struct {
	Tenants  []Tenant
	Accounts []Account
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
}

// minTokenLen rejects tokens too short to resist guessing. It cannot prove a
// token random, but it catches placeholders such as "test".
const minTokenLen = 16

var (
	// tenantIDRe keeps tenant ids safe to show in logs and URLs.
	tenantIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	// tokenRe is RFC 6750's b64token: anything else cannot be sent in an
	// "Authorization: Bearer" header, so such a token could never be used.
	tokenRe = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)
	// yamlLineRe extracts the line from the YAML library's syntax errors.
	yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// Parse parses and validates the configuration in data. name is the file
// name used in error messages. All problems found are returned, joined, one
// per line; tokens never appear in them.
// integrations are the ids of the service's integrations, which accounts
// must name.
func Parse(name string, data []byte, integrations []string) (*Config, error) {
	p := &parser{file: name, integrations: integrations}
	doc, err := decode(data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 1
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		return nil, fmt.Errorf("%s:%d: %s", name, line, msg)
	}
	if doc == nil {
		return nil, fmt.Errorf("%s:1: empty configuration", name)
	}
	cfg := p.config(doc)
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decode reads exactly one YAML document. It returns nil for an empty input.
func decode(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, err
	default:
		return nil, fmt.Errorf("yaml: line %d: a second document; put everything in one", max(extra.Line, 1))
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// Apply upserts every tenant, token and account of c into s, in one
// transaction: either all of it is applied or none. Applying the same
// configuration again changes nothing.
//
// Apply never deletes: a tenant, token or account removed from the file stays
// in the store. In particular, removing a token from the file does not revoke
// it.
func (c *Config) Apply(ctx context.Context, s *store.Store) error {
	_, _, err := s.Write(ctx, nil, func(tx *store.Tx) (store.Saved, error) {
		for _, t := range c.Tenants {
			if err := tx.PutTenant(store.Tenant{ID: t.ID, Name: t.Name}); err != nil {
				return store.Saved{}, err
			}
			for _, tok := range t.Tokens {
				if err := tx.AddToken(t.ID, tok); err != nil {
					return store.Saved{}, err
				}
			}
		}
		for _, a := range c.Accounts {
			if err := tx.PutAccount(store.Account{ID: a.ID, TenantID: a.Tenant, Integration: a.Integration, Name: a.Name}); err != nil {
				return store.Saved{}, err
			}
		}
		return store.Saved{}, nil
	})
	if err != nil {
		return fmt.Errorf("config: apply: %w", err)
	}
	return nil
}

// parser walks the YAML tree, collecting every error instead of stopping at
// the first, so one run shows everything to fix.
type parser struct {
	file         string
	integrations []string
	errs         []error
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
			p.errorf(v, path+".id", "%q is not a valid tenant id: use lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters", t.ID)
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
			case len(tok) < minTokenLen:
				p.errorf(tn, tp, "token too short (%d characters); use at least %d, ideally a long random string", len(tok), minTokenLen)
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
	m := p.mapping(n, path, []string{"id", "tenant", "integration", "name"}, []string{"id", "tenant", "integration", "name"})
	if m == nil {
		return Account{}, false
	}
	ok := true
	var a Account
	if v := m["id"]; v != nil {
		raw, good := p.nonEmpty(v, path+".id")
		if good {
			if u, err := uuid.Parse(raw); err != nil {
				p.errorf(v, path+".id", "%q is not a UUID (want the form 0a0e0000-0000-4000-8000-000000000001)", raw)
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
			msg := fmt.Sprintf("unknown tenant %q", a.Tenant)
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
			if !slices.Contains(p.integrations, a.Integration) {
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
	msg := fmt.Sprintf("unknown integration %q", id)
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
		kp := join(path, k.Value)
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
			p.errorf(k, kp, "%s", msg)
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
