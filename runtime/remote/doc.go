// Package remote calls an integration's real API for a unified request:
// the types that generated code declares (Integration, Mapping, from the
// spec's integration.yaml files compiled by the generator) and the call
// itself (Client.Call), plus Backend, which serves the service's calls
// with them.
//
// # A call
//
//  1. The unified body (remote_data included, write-only fields included)
//     goes through the compiled body and query mappings; the request's
//     remote_data is then deep-merged into the mapped body (objects member
//     by member, anything else replaced), so a client can send what the
//     unified model lacks, and remote_query is added to the query string
//     as is (remote_query[a][b]=x is sent as a[b]=x).
//  2. The URL is the integration's base URL, a template over the account's
//     credentials (credentials in the host must be DNS labels, so a
//     credential cannot move the request to another host), with the
//     account's base_url override replacing scheme, host and port (https
//     only, except for loopback hosts), and the mapping's path with the
//     record id path-escaped.
//  3. Auth (bearer, a named header with an optional prefix, basic, or a
//     query key, which no remote_query member can replace) and the fixed
//     headers are added.
//  4. The request is sent with one shared, pooled http.Client.
//
// # Time
//
// A call is bounded by the incoming request's context and by a budget
// (Options.Budget, default 10 s: a third of the service's 30 s write
// timeout, so a provider that never answers gets a 504 in time). Dialing
// and TLS take at most ConnectTimeout (3 s), one attempt at most
// AttemptTimeout (8 s), the whole call with its retries and waits at most
// the budget.
//
// # Retries
//
// Only when safe: idempotent methods (GET, PUT, DELETE) are retried after
// a connection error, a timed-out attempt, 429 and 502/503/504, with
// exponential backoff and jitter, honouring Retry-After (seconds or an
// HTTP date) or the integration's reset header; a POST or PATCH only when
// it provably never reached the provider (no request header was written:
// a refused connection, a DNS or TLS failure). A wait that would end past
// the budget is not waited: the provider's 429 is answered at once, with
// its Retry-After. At most MaxAttempts (3) requests per call.
//
// # Answers
//
// A 2xx body is decoded (JSON only; at most MaxResponse bytes, 4 MiB),
// the record is selected (Mapping.Record) and mapped (Mapping.Unified);
// the raw bytes and content type are kept for the raw response format,
// the provider's record for remote_data. An answer without an id (an
// update acknowledged with {"STATUS": "OK"}) keeps the request's record
// id. Everything else is an *Error, as Truto documents errors: a provider
// 4xx keeps its status with truto_is_remote_error, raw_response and the
// provider's rate-limit headers, and the provider's field errors become
// failures with unified field names where the mapping knows them; a 401
// needs re-authentication (ErrNeedsReauth); a 5xx, a malformed answer, a
// redirect to another host, a refused or reset connection are 502; a
// timeout is 504. Never 500.
//
// # Secrets
//
// Credentials never appear in an error or in a log line: Credentials
// format as a count, network errors are described without the URL (which
// may hold a query key), and the account's API key (and Basic token) are
// replaced by [REDACTED] in anything of the provider's answer that is
// kept for an error. Redirects are followed only to the same scheme, host
// and port, so credentials never reach another host.
package remote
