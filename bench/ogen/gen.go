// Package ogen holds the baseline the service's hot paths are measured
// against: ogen's generated server for createUser (api/), from
// openapi.yaml. That document is spec/openapi.yaml's createUser as ogen
// can take it: the same request body schema, and only the query
// parameters ogen accepts (integrated_account_id, truto_response_format,
// truto_ignore_remote_data, truto_exclude_fields; it refuses the
// deepObject collections and remote_query). ogen knows nothing of the
// per-integration matrix, so it checks the schema alone.
//
// Its own module, so that the product does not depend on ogen.
package ogen

//go:generate go tool ogen --config ogen.yml --target api --package api --clean openapi.yaml
