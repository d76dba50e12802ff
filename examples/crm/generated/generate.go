// Package generated holds only code produced from spec/openapi.yaml.
// Regenerate with `go generate ./...`.
package generated

//go:generate go tool unifiedgen -spec ../spec/openapi.yaml -out crm -package crm
