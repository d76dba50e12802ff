// Command unifiedgen generates typed models, a net/http server, request
// decoders, per-integration validators and support-matrix data and docs from
// an OpenAPI document with x-unified-* extensions (see spec/EXTENSIONS.md).
//
//	unifiedgen -spec spec/openapi.yaml -out generated/unified -package unified
//
// Exit status: 0 on success, 1 when the spec has problems (all listed, one
// per line, as file:line:col: path: message) or -check finds stale output,
// 2 on bad usage.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/unifiedgen/unifiedgen/generator"
	"github.com/unifiedgen/unifiedgen/generator/write"
)

func main() {
	var cfg generator.Config
	flag.StringVar(&cfg.Spec, "spec", "spec/openapi.yaml", "OpenAPI document to generate from")
	flag.StringVar(&cfg.Out, "out", "generated/unified", "output directory")
	flag.StringVar(&cfg.Package, "package", "unified", "Go package name of the output")
	check := flag.Bool("check", false, "write nothing; exit 1 if the output directory is not up to date")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(cfg, *check); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(cfg generator.Config, check bool) error {
	if !check {
		return generator.Run(cfg)
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		return err
	}
	stale, err := write.Diff(cfg.Out, files)
	if err == nil && len(stale) > 0 {
		err = fmt.Errorf("%s is stale; run go generate ./... (differs: %v)", cfg.Out, stale)
	}
	return err
}
