// Package templates holds the text templates emitters render, embedded so
// the generator binary is self-contained.
package templates

import "embed"

// FS holds every template in this directory.
//
//go:embed *.tmpl
var FS embed.FS
