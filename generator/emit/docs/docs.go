// Package docs emits one Markdown support-matrix page per operation, from
// the same model as the validators, so the docs cannot drift from the code.
package docs

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/unifiedgen/unifiedgen/generator/emit"
	"github.com/unifiedgen/unifiedgen/generator/model"
	"github.com/unifiedgen/unifiedgen/templates"
)

// Dir is the output directory this package owns.
const Dir = "docs"

var page = template.Must(template.ParseFS(templates.FS, "matrix.md.tmpl"))

type section struct {
	Title, Kind string
	Rows        []row
}

type row struct {
	Name   string
	Levels []string
	Total  string
}

type enumRow struct{ Path, Integration, Values string }

type byIntegration struct {
	ID, Name                    string
	Requires, Supports, Returns string
}

// Emit renders docs/<operationId>.md for every operation.
func Emit(api *model.API, specName string) ([]emit.File, error) {
	var files []emit.File
	for _, op := range api.Operations {
		var ins []model.Integration
		var names []string
		for _, id := range op.Integrations {
			in, _ := api.Integration(id)
			ins = append(ins, in)
			names = append(names, in.Name)
		}
		data := map[string]any{
			"Header":           fmt.Sprintf(emit.Header, specName),
			"Op":               op,
			"Integrations":     ins,
			"IntegrationNames": strings.Join(names, ", "),
		}
		var sections []section
		if len(op.Query) > 0 {
			var rows []row
			for _, p := range op.Query {
				rows = append(rows, matrixRow(p.Name, p.Cells, op.Integrations))
			}
			sections = append(sections, section{Title: "Query parameters", Kind: "parameter", Rows: rows})
		}
		for _, s := range []struct {
			title  string
			fields []model.Field
		}{{"Request body", op.Request}, {"Response body", op.Response}} {
			if len(s.fields) == 0 {
				continue
			}
			var rows []row
			for _, f := range s.fields {
				rows = append(rows, matrixRow(f.Name, f.Cells, op.Integrations))
			}
			sections = append(sections, section{Title: s.title, Kind: "field", Rows: rows})
		}
		data["Sections"] = sections
		var enums []enumRow
		for _, e := range op.Enums {
			in, _ := api.Integration(e.Integration)
			enums = append(enums, enumRow{Path: e.Path, Integration: in.Name, Values: "`" + strings.Join(e.Values, "`, `") + "`"})
		}
		data["Enums"] = enums
		var per []byIntegration
		for _, in := range ins {
			req, sup := levels(in.ID, op.Query, op.Request)
			per = append(per, byIntegration{ID: in.ID, Name: in.Name, Requires: list(req), Supports: list(sup), Returns: list(returned(in.ID, op.Response))})
		}
		data["ByIntegration"] = per
		var buf bytes.Buffer
		if err := page.Execute(&buf, data); err != nil {
			return nil, fmt.Errorf("docs for %s: %w", op.ID, err)
		}
		files = append(files, emit.File{Path: Dir + "/" + op.ID + ".md", Content: buf.Bytes()})
	}
	return files, nil
}

func matrixRow(name string, cells []model.Cell, integrations []string) row {
	r := row{Name: name}
	req := 0
	for _, id := range integrations {
		switch model.CellLevel(cells, id) {
		case model.Required:
			r.Levels = append(r.Levels, "**R**")
			req++
		case model.Supported:
			r.Levels = append(r.Levels, "S")
		default:
			r.Levels = append(r.Levels, "")
		}
	}
	r.Total = fmt.Sprintf("%d supported", len(cells))
	if req > 0 {
		r.Total += fmt.Sprintf(", %d required", req)
	}
	return r
}

func levels(id string, query []model.Param, request []model.Field) (req, sup []string) {
	for _, p := range query {
		switch model.CellLevel(p.Cells, id) {
		case model.Required:
			req = append(req, "`"+p.Name+"` (query)")
		case model.Supported:
			sup = append(sup, "`"+p.Name+"` (query)")
		}
	}
	for _, f := range request {
		switch model.CellLevel(f.Cells, id) {
		case model.Required:
			req = append(req, "`"+f.Name+"`")
		case model.Supported:
			sup = append(sup, "`"+f.Name+"`")
		}
	}
	return req, sup
}

func returned(id string, response []model.Field) []string {
	var out []string
	for _, f := range response {
		if model.CellLevel(f.Cells, id) != model.Unsupported {
			out = append(out, "`"+f.Name+"`")
		}
	}
	return out
}

func list(items []string) string {
	if len(items) == 0 {
		return "nothing"
	}
	return strings.Join(items, ", ")
}
