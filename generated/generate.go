// Package generated holds only code produced from spec/openapi.yaml; nothing
// here is edited by hand. Regenerate with `go generate ./...` or
// `make generate`.
package generated

//go:generate go tool unifiedgen -spec ../spec/openapi.yaml -out unified -package unified
