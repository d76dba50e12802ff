// Package emulator serves a fake provider API, driven by a contract file
// (spec/integrations/<id>/contract.yaml) written from the provider's own
// documentation, so that integration tests check our mappings against what
// the provider documents rather than against themselves.
//
// [Load] reads and validates a contract; [New] makes an http.Handler, to be
// run with net/http/httptest, that enforces it: method and path template,
// auth scheme, documented required headers, request content type, body
// wrapper, required fields, field types and enums. It keeps the records it
// is given in memory, one collection per resource (create_user, get_user,
// ... share "user"), and answers the documented statuses and body shapes,
// built from the documented examples with the stored record applied.
// Errors are answered in the provider's documented error format. Tests can
// inject faults (FailNext, ResetNext, OversizeNext, Slow), turn on rate
// limiting (Options.RateLimit) and read back every request received
// (Requests).
//
// # Contract format
//
// The format is the contract authors' CONTRACT-FORMAT.md, with these
// additions, which [Load] accepts and the engine uses:
//
//   - notes: free text, on base_url, auth, rate_limit, errors, an error
//     example, request and response; source_alt on rate_limit. Ignored.
//   - field keys: description (ignored), enum (a list of allowed values),
//     nullable (null is accepted; otherwise null is a type error), and
//     fields on an object (its documented keys, checked like the top
//     level's). A field may be written as its bare type name ("string"), as
//     items usually is.
//   - request.query: the documented query parameters, as fields; values
//     are checked against integer, number, boolean and enum.
//   - request.id_field: for a get/update/delete whose path has no {id}, the
//     body field that names the record (Hive's DELETE body carries userId).
//   - request.rejected_fields: fields the provider documents as rejected
//     (any other undocumented field is accepted and ignored).
//   - required_headers: [{name, value, source, notes}]: headers every
//     request must carry. For Accept the value must be one of the listed
//     media types; otherwise the header must equal value.
//   - rate_limit.header_values: what each header of reset_headers holds:
//     limit, remaining, used/limit ("10/40"), reset_seconds (seconds until
//     the window ends) or reset_epoch (Unix time at which it ends).
//   - errors.not_found_status: the status of an unknown record, when the
//     provider does not use 404.
//
// Endpoint names are <verb>_<resource> with verb create, get, update, list
// or delete; list names use the plural (list_users). A path placeholder is
// either {id} (the record's id) or a credential name such as
// {workspace_id}, which must equal that credential.
package emulator
