package remote

import (
	"encoding/base64"
	"errors"
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// hostLabel is what a credential placed in the host must look like (a DNS
// label): "acme", not "evil.example/x?" that would move the request, and
// its credentials, to another host.
var hostLabel = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// Placeholders returns the {names} of a template, in order, without
// repeats.
func Placeholders(tmpl string) []string {
	var out []string
	for rest := tmpl; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return out
		}
		name := rest[i+1 : i+j]
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
		rest = rest[i+j+1:]
	}
}

// expand replaces every {name} of tmpl by escape(value). A name without a
// value is an error naming it (never a value).
func expand(tmpl string, vals func(string) (string, bool), escape func(name, v string) (string, error)) (string, error) {
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		b.WriteString(rest[:i])
		name := rest[i+1 : i+j]
		v, ok := vals(name)
		if !ok || v == "" {
			return "", &missingError{name: name}
		}
		if escape != nil {
			var err error
			if v, err = escape(name, v); err != nil {
				return "", err
			}
		}
		b.WriteString(v)
		rest = rest[i+j+1:]
	}
}

type missingError struct{ name string }

func (e *missingError) Error() string { return "has no " + strconv.Quote(e.name) + " credential" }

// credentialError is an account whose credentials cannot make a request:
// missing or malformed. It says which key, never the value.
type credentialError struct {
	key, why string
}

func (e *credentialError) Error() string { return "credential " + strconv.Quote(e.key) + " " + e.why }

// baseURL is the integration's base URL for the account: the template
// expanded with the credentials (those in the host must be DNS labels),
// then, when the account has an override, its scheme, host and port.
func baseURL(in *Integration, a *Account) (*url.URL, error) {
	s, err := expand(in.BaseURL, a.cred, nil)
	if err != nil {
		return nil, credErr(err)
	}
	// Placeholders in the host must be DNS labels, those in the path
	// path segments.
	host, path := baseCredentials(in.BaseURL)
	for _, name := range host {
		if v, _ := a.cred(name); !hostLabel.MatchString(v) {
			return nil, &credentialError{key: name, why: "is not a valid host name label (letters, digits and -)"}
		}
	}
	for _, name := range path {
		if v, _ := a.cred(name); strings.ContainsAny(v, "/?#%\\") || v == "." || v == ".." {
			return nil, &credentialError{key: name, why: "is not a valid path segment"}
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, &credentialError{key: "base_url", why: "does not make a valid URL"}
	}
	if a.BaseURL != "" {
		o, err := CheckBaseURL(a.BaseURL)
		if err != nil {
			return nil, err
		}
		u.Scheme, u.Host = o.Scheme, o.Host
	}
	return u, nil
}

// baseSplits holds, per base URL template, the credentials it places in
// its host and in its path: one entry per integration, found on first use
// rather than on every call.
var baseSplits sync.Map // template → [2][]string{host, path}

// baseCredentials returns the credentials the base URL template tmpl
// places in its host (they must be DNS labels) and in its path (path
// segments).
func baseCredentials(tmpl string) (host, path []string) {
	if v, ok := baseSplits.Load(tmpl); ok {
		split := v.([2][]string)
		return split[0], split[1]
	}
	_, h, p := SplitTemplate(tmpl)
	split := [2][]string{Placeholders(h), Placeholders(p)}
	baseSplits.Store(tmpl, split)
	return split[0], split[1]
}

// SplitTemplate splits a base URL template into scheme, host (with port)
// and path, which url.Parse cannot do while the host holds {placeholders}.
func SplitTemplate(t string) (scheme, host, path string) {
	scheme, rest, ok := strings.Cut(t, "://")
	if !ok {
		return "", "", t
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return scheme, rest[:i], rest[i:]
	}
	return scheme, rest, ""
}

// CheckBaseURL validates an account's base_url override: an absolute
// https URL (or http to a loopback host) with no path beyond "/", no
// query, no fragment and no user info. The configuration should call it
// when an account is applied.
func CheckBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return nil, &credentialError{key: "base_url", why: "must be an absolute URL such as https://eu.example.com"}
	case u.User != nil:
		return nil, &credentialError{key: "base_url", why: "must not carry user info; credentials go under credentials"}
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
		return nil, &credentialError{key: "base_url", why: "replaces only the scheme, host and port: leave out the path, query and fragment (the provider's paths are kept)"}
	case u.Scheme == "https":
		return u, nil
	case u.Scheme == "http":
		if isLoopback(u.Hostname()) {
			return u, nil
		}
		return nil, &credentialError{key: "base_url", why: "uses plain http, which is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost): credentials would cross the network in clear"}
	}
	return nil, &credentialError{key: "base_url", why: "must use https"}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cred returns the account's credential key.
func (a *Account) cred(key string) (string, bool) {
	v, ok := a.Credentials[key]
	return v, ok
}

// requestURL builds the URL of one call: base URL, the mapping's path with
// the record id and credentials, and the query: the mapping's, the
// integration's fixed parameters, remote_query as is, and auth last (so
// that nothing a client sends replaces the key).
func requestURL(m *Mapping, a *Account, id string, mapped map[string][]string, remoteQuery map[string]any) (*url.URL, error) {
	u, err := baseURL(m.Integration, a)
	if err != nil {
		return nil, err
	}
	path, err := expand(m.Path, func(name string) (string, bool) {
		if name == "id" {
			return id, true
		}
		return a.cred(name)
	}, func(name, v string) (string, error) {
		if v == "." || v == ".." {
			if name == "id" {
				return "", &idError{}
			}
			return "", &credentialError{key: name, why: "is not a valid path segment"}
		}
		return url.PathEscape(v), nil
	})
	if m := (*missingError)(nil); errors.As(err, &m) && m.name == "id" {
		return nil, &idError{}
	} else if err != nil {
		return nil, credErr(err)
	}
	base := strings.TrimSuffix(u.EscapedPath(), "/")
	u.RawPath = ""
	full := base + path
	p, err := url.PathUnescape(full)
	if err != nil {
		return nil, err
	}
	u.Path, u.RawPath = p, full

	q := url.Values{}
	for k, vs := range mapped {
		q[k] = append(q[k], vs...)
	}
	for _, h := range m.Integration.Query {
		v, err := expand(h.Value, a.cred, nil)
		if err != nil {
			return nil, credErr(err)
		}
		q.Set(h.Name, v)
	}
	addRemoteQuery(q, "", remoteQuery)
	if m.Integration.Auth.Kind == AuthQuery {
		v, err := expand(m.Integration.Auth.Value, a.cred, nil)
		if err != nil {
			return nil, credErr(err)
		}
		q.Del(m.Integration.Auth.Name)
		q.Set(m.Integration.Auth.Name, v)
	}
	u.RawQuery = q.Encode()
	return u, nil
}

// credErr turns a missing placeholder value into the credential error
// that names it.
func credErr(err error) error {
	var m *missingError
	if errors.As(err, &m) {
		return &credentialError{key: m.name, why: "is missing"}
	}
	return err
}

type idError struct{}

func (*idError) Error() string { return "the record id is empty or is . or .." }

// addRemoteQuery adds remote_query as the client sent it: scalars as
// their text, arrays as repeated keys, objects in the bracket form they
// arrived in (remote_query[filter][name]=x becomes filter[name]=x).
func addRemoteQuery(q url.Values, prefix string, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if prefix != "" {
			name = prefix + "[" + k + "]"
		}
		addQueryValue(q, name, m[k])
	}
}

func addQueryValue(q url.Values, name string, v any) {
	switch x := v.(type) {
	case map[string]any:
		addRemoteQuery(q, name, x)
	case []any:
		for _, it := range x {
			addQueryValue(q, name, it)
		}
	case []string:
		q[name] = append(q[name], x...)
	case nil:
		q.Add(name, "")
	default:
		if s, ok := scalarText(v); ok {
			q.Add(name, s)
		}
	}
}

// basicToken is the value of a Basic Authorization header.
func basicToken(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// CheckAccount reports what would keep an account from calling the
// integration: a missing credential, a credential the base URL's host
// cannot take, a base_url override that is not allowed, and credentials
// the integration does not declare. The configuration calls it when an
// account is applied, so mistakes surface there and not on the first
// request. Messages name keys, never values.
func (in *Integration) CheckAccount(a Account) []error {
	var errs []error
	for _, k := range in.Credentials {
		if a.Credentials[k] == "" {
			errs = append(errs, &credentialError{key: k, why: "is missing (" + in.Name + " needs " + strings.Join(in.Credentials, ", ") + ")"})
		}
	}
	for k := range a.Credentials {
		if !slices.Contains(in.Credentials, k) {
			errs = append(errs, &credentialError{key: k, why: "is not one " + in.Name + " takes (" + strings.Join(in.Credentials, ", ") + ")"})
		}
	}
	if len(errs) == 0 {
		if _, err := baseURL(in, &a); err != nil {
			errs = append(errs, err)
		}
	} else if a.BaseURL != "" {
		if _, err := CheckBaseURL(a.BaseURL); err != nil {
			errs = append(errs, err)
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}
