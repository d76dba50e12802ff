// Package gonames gives the Go names oapi-codegen gives things, so that the
// model can own the names of everything the emitters print (and check them
// for collisions) while oapi-codegen's models keep agreeing with it.
//
// oapi-codegen's naming functions read package-level state that its
// Generate sets, so every use of them, Generate included, runs under Lock.
package gonames

import (
	"sync"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

var mu sync.Mutex

// Lock serialises every use of oapi-codegen; Generate must run under it.
func Lock() func() {
	mu.Lock()
	return mu.Unlock
}

// Type is the Go type oapi-codegen names after a schema, property or
// parameter name: "created_at" -> "CreatedAt", "id" -> "Id".
func Type(name string) string {
	defer Lock()()
	return codegen.SchemaNameToTypeName(name)
}

// Camel is oapi-codegen's camel case of an operationId or an id:
// "createUser" -> "CreateUser", "pivotal_tracker" -> "PivotalTracker".
func Camel(s string) string {
	defer Lock()()
	return codegen.ToCamelCase(s)
}

// EnumConstants returns the suffixes oapi-codegen gives the constants of
// an enum with values (the constant is the type name and the suffix).
func EnumConstants(values []string) []string {
	defer Lock()()
	m := codegen.SanitizeEnumNames(nil, values)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
