// Package generator runs the pipeline: load the spec, build the model, run
// every emitter, and (only if all of that succeeded) write the output.
package generator

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/unifiedgen/unifiedgen/generator/build"
	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/emit/bind"
	"github.com/unifiedgen/unifiedgen/generator/emit/decode"
	"github.com/unifiedgen/unifiedgen/generator/emit/docs"
	"github.com/unifiedgen/unifiedgen/generator/emit/encode"
	"github.com/unifiedgen/unifiedgen/generator/emit/oapi"
	"github.com/unifiedgen/unifiedgen/generator/emit/remote"
	"github.com/unifiedgen/unifiedgen/generator/emit/service"
	"github.com/unifiedgen/unifiedgen/generator/emit/validate"
	"github.com/unifiedgen/unifiedgen/generator/load"
	"github.com/unifiedgen/unifiedgen/generator/model"
	"github.com/unifiedgen/unifiedgen/generator/write"
)

// Config says what to generate.
type Config struct {
	Spec    string // path of the OpenAPI document
	Out     string // output directory (a Go package)
	Package string // Go package name of the output
}

// Generate runs the pipeline in memory and returns the files, sorted by
// path. A problem in the spec is returned as a diag.List.
func Generate(cfg Config) ([]emit.File, error) {
	spec, err := load.File(cfg.Spec)
	if err != nil {
		return nil, err
	}
	api, err := build.Model(spec)
	if err != nil {
		return nil, err
	}
	// oapi-codegen rewrites the document it is given; give it its own copy.
	fresh, err := spec.Fresh()
	if err != nil {
		return nil, err
	}
	return Emit(api, fresh, spec.Data(), cfg)
}

// Emit runs every emitter over api. doc is handed to oapi-codegen, which
// modifies it; spec is the document's text. Every emitter produces
// gofmt'd source (jennifer and oapi-codegen format their output), so
// nothing is formatted twice; TestOutputIsGofmtd holds them to it.
func Emit(api *model.API, doc *openapi3.T, spec []byte, cfg Config) ([]emit.File, error) {
	specName := displayPath(cfg.Spec)
	types := make([]string, len(api.Types))
	for i, t := range api.Types {
		types[i] = t.Name
	}
	models, err := oapi.Emit(doc, types, cfg.Package, specName)
	if err != nil {
		return nil, err
	}
	files := []emit.File{models}
	for _, e := range []struct {
		what string
		run  func() (emit.File, error)
	}{
		{"decoders", func() (emit.File, error) { return decode.Emit(api, cfg.Package, specName) }},
		{"encoders", func() (emit.File, error) { return encode.Emit(api, cfg.Package, specName) }},
		{"validators", func() (emit.File, error) { return validate.Emit(api, cfg.Package, specName) }},
		{"binders", func() (emit.File, error) { return bind.Emit(api, cfg.Package, specName) }},
		{"descriptors", func() (emit.File, error) { return service.Emit(api, cfg.Package, specName, spec) }},
	} {
		f, err := e.run()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.what, err)
		}
		files = append(files, f)
	}
	if rf, ok, err := remote.Emit(api, cfg.Package, specName); err != nil {
		return nil, fmt.Errorf("remote definitions: %w", err)
	} else if ok {
		files = append(files, rf)
	}
	md, err := docs.Emit(api, specName)
	if err != nil {
		return nil, err
	}
	files = append(files, md...)
	slices.SortFunc(files, func(a, b emit.File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// displayPath is how generated headers name the spec: slash-separated,
// without the leading ./ and ../ that only say where the generator ran.
func displayPath(p string) string {
	p = filepath.ToSlash(filepath.Clean(p))
	for {
		switch {
		case strings.HasPrefix(p, "../"):
			p = p[3:]
		case strings.HasPrefix(p, "./"):
			p = p[2:]
		default:
			return p
		}
	}
}

// Run generates and writes cfg.Out. Nothing is written unless every step
// succeeded.
func Run(cfg Config) error {
	files, err := Generate(cfg)
	if err != nil {
		return err
	}
	return write.Dir(cfg.Out, files)
}
