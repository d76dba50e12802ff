package remote

import (
	"log/slog"
	"strconv"

	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

// Func is a compiled mapping: func(in any) (any, error) over decoded JSON
// (see generator/mapping). Its result is mapping.Undefined when the
// expression has no value.
type Func func(in any) (any, error)

// AuthKind is how an integration authenticates requests.
type AuthKind uint8

// The auth schemes of integration.yaml.
const (
	// AuthBearer sends Authorization: Bearer <Value>.
	AuthBearer AuthKind = iota + 1
	// AuthHeader sends the header Name with Value (which may carry a
	// prefix, "Token {api_key}").
	AuthHeader
	// AuthBasic sends Authorization: Basic base64(Username:Password).
	AuthBasic
	// AuthQuery sends the query parameter Name=Value.
	AuthQuery
)

// Auth is an integration's auth scheme. Value, Username and Password are
// templates over the account's credentials ("{api_key}").
type Auth struct {
	Kind     AuthKind
	Name     string
	Value    string
	Username string
	Password string
}

// Header is a fixed request header; Value is a template over the
// credentials.
type Header struct {
	Name, Value string
}

// ResetUnit says how a rate-limit reset header counts.
type ResetUnit uint8

// The units of a reset header.
const (
	// ResetSeconds: seconds from now.
	ResetSeconds ResetUnit = iota + 1
	// ResetEpoch: a Unix time in seconds.
	ResetEpoch
)

// RateLimit is how an integration signals that it is throttling.
type RateLimit struct {
	// Status lists the statuses meaning "rate limited" (default 429).
	Status []int
	// RetryAfter names the header giving the wait, in seconds or as an
	// HTTP date ("" when the provider documents none; Retry-After is
	// read anyway).
	RetryAfter string
	// ResetHeader and ResetUnit name a header saying when the window
	// resets, used when there is no Retry-After.
	ResetHeader string
	ResetUnit   ResetUnit
	// Forward lists further headers passed back to the client with the
	// provider's errors (limit, remaining, ...).
	Forward []string
}

// Integration is an integration's definition (integration.yaml).
type Integration struct {
	ID, Name string
	// BaseURL is a template over the credentials:
	// https://{subdomain}.gorgias.com/api.
	BaseURL string
	// Credentials are the keys an account must give.
	Credentials []string
	Auth        Auth
	// Headers are sent with every request, after Accept and Content-Type
	// (so they may replace them) and before auth.
	Headers []Header
	// Query are fixed query parameters (templates), sent with every
	// request.
	Query []Header
	// RateLimit names the throttling signals.
	RateLimit RateLimit
	// ErrorMessage and ErrorFields read the provider's error body: the
	// message (a string), and the field errors (a list of {field,
	// message} objects, or an object keyed by the provider's field name
	// whose values are a message or a list of messages). Either may be
	// nil.
	ErrorMessage Func
	ErrorFields  Func
}

// Mapping is one operation of one integration: how a unified request
// becomes the provider's request and its answer a unified record.
type Mapping struct {
	OperationID string
	Kind        matrix.Kind
	Integration *Integration
	// Method and Path are the provider's; Path is a template over the
	// record's {id} and the credentials, relative to the base URL.
	Method, Path string
	// Body maps the unified request body to the provider's body (nil:
	// no body); Query maps the operation's query parameters to the
	// provider's (nil: none).
	Body, Query Func
	// QueryReads are the query parameters Query reads, or every one with
	// QueryReadsAll; a request's others are reported as ignored.
	QueryReads    []string
	QueryReadsAll bool
	// Record selects the record in the provider's success body (nil:
	// the whole body); for a list, the array of records.
	Record Func
	// Unified maps the provider's record to the unified record.
	Unified Func
	// NextCursor reads a list's next cursor from the whole success body.
	NextCursor Func
	// Fields maps the provider's field names to unified ones, for the
	// field errors of a failed request.
	Fields map[string]string
}

// Credentials are an account's credentials, by the keys integration.yaml
// declares. They format as a count of keys, never as their values, so a
// log line or an error that prints one by mistake shows nothing.
type Credentials map[string]string

// CredentialKeys are the credential names an integration may declare and
// an account may give (spec/EXTENSIONS.md, "integration.yaml").
var CredentialKeys = []string{"api_key", "email", "subdomain", "site", "datacenter", "workspace_id", "user_id"}

// String hides the values.
func (c Credentials) String() string { return "[" + strconv.Itoa(len(c)) + " credentials, not shown]" }

// GoString hides the values from %#v.
func (c Credentials) GoString() string { return c.String() }

// LogValue hides the values from log/slog.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Account is what a call needs to know of an integrated account.
type Account struct {
	ID          string
	Integration string
	// BaseURL, when set, replaces the scheme, host and port of the
	// integration's base URL (the provider's paths stay): a provider's
	// regional host, or an emulator. http is refused except for loopback
	// hosts.
	BaseURL     string
	Credentials Credentials
}
