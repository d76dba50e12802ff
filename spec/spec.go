// Package spec embeds the OpenAPI document that everything under generated/ is
// produced from, so the service can serve the exact contract it enforces.
package spec

import _ "embed"

// OpenAPI is spec/openapi.yaml as committed.
//
//go:embed openapi.yaml
var OpenAPI []byte
