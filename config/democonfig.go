// Package democonfig embeds demo.yaml, the configuration of the local demo:
// one tenant with a public token and one integrated account per integration.
// It lives next to the YAML file because //go:embed cannot reach files
// outside the package directory; internal/config re-exports it as
// config.Demo.
package democonfig

import _ "embed"

// Demo is the content of config/demo.yaml. It is shared: do not modify it.
//
//go:embed demo.yaml
var Demo []byte
