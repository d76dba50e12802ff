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
	"github.com/unifiedgen/unifiedgen/generator/emit/gotypes"
	"github.com/unifiedgen/unifiedgen/generator/emit/oapi"
	"github.com/unifiedgen/unifiedgen/generator/emit/support"
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
	return Emit(api, fresh, cfg)
}

// Emit runs every emitter over api. doc is handed to oapi-codegen, which
// modifies it. Every emitter produces gofmt'd source (jennifer and
// oapi-codegen format their output), so nothing is formatted twice;
// TestOutputIsGofmtd holds them to it.
func Emit(api *model.API, doc *openapi3.T, cfg Config) ([]emit.File, error) {
	specName := displayPath(cfg.Spec)
	models, err := oapi.Emit(doc, cfg.Package, specName)
	if err != nil {
		return nil, err
	}
	idx, err := gotypes.Parse(models.Content)
	if err != nil {
		return nil, err
	}
	files := []emit.File{models}
	dec, err := decode.Emit(api, idx, cfg.Package, specName)
	if err != nil {
		return nil, fmt.Errorf("decoders: %w", err)
	}
	val, err := validate.Emit(api, idx, cfg.Package, specName)
	if err != nil {
		return nil, fmt.Errorf("validators: %w", err)
	}
	sup, err := support.Emit(api, cfg.Package, specName)
	if err != nil {
		return nil, fmt.Errorf("support matrix: %w", err)
	}
	bnd, err := bind.Emit(api, idx, cfg.Package, specName)
	if err != nil {
		return nil, fmt.Errorf("binders: %w", err)
	}
	files = append(files, dec, val, sup, bnd)
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
