package build

import (
	"slices"
	"testing"

	"github.com/unifiedgen/unifiedgen/generator/load"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

func TestModelOfSeedSpec(t *testing.T) {
	spec, err := load.File("../../spec/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api, err := Model(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(api.Integrations, func(a, b model.Integration) int { return cmpString(a.ID, b.ID) }) || len(api.Integrations) != 11 {
		t.Fatalf("registry not sorted or incomplete: %+v", api.Integrations)
	}
	field := func(fs []model.Field, name string) model.Field {
		for _, f := range fs {
			if f.Name == name {
				return f
			}
		}
		t.Fatalf("no field %s", name)
		return model.Field{}
	}
	// Every operation is in the model, sorted, with its kind and names.
	var ids []string
	for _, o := range api.Operations {
		ids = append(ids, o.ID)
	}
	if !slices.Equal(ids, []string{"createUser", "updateUser"}) {
		t.Fatalf("operations %v", ids)
	}
	create, update := api.Operations[0], api.Operations[1]
	if create.Method != "create" || create.Kind != model.Create || create.Model != "ticketing" || create.Resource != "users" ||
		create.HTTPMethod != "POST" || create.SuccessStatus != 201 || create.ResponseSchema.Name != "User" || create.HasID {
		t.Fatalf("create: %+v", create)
	}
	if update.Kind != model.Update || !update.HasID || update.GoName != "UpdateUser" || update.ParamsType() != "UpdateUserParams" {
		t.Fatalf("update: %+v", update)
	}
	if len(api.Resources) != 1 || api.Resources[0].Resource != "users" || !slices.Equal(api.Resources[0].Operations, []int{0, 1}) {
		t.Fatalf("resources %+v", api.Resources)
	}
	if pw := field(create.Request, "password"); !pw.WriteOnly {
		t.Errorf("password is not write-only: %+v", pw)
	}
	// '*' expands to every implementing integration.
	if rd := field(create.Request, "remote_data"); len(rd.Cells) != 10 {
		t.Errorf("remote_data cells %+v", rd.Cells)
	}
	name := field(create.Request, "name")
	if model.CellLevel(name.Cells, "dixa") != model.Required || model.CellLevel(name.Cells, "freshchat") != model.Supported ||
		model.CellLevel(name.Cells, "qualtrics_corexm") != model.Unsupported {
		t.Errorf("name cells %+v", name.Cells)
	}
	if !slices.IsSortedFunc(name.Cells, func(a, b model.Cell) int { return cmpString(a.Integration, b.Integration) }) {
		t.Errorf("cells not sorted: %+v", name.Cells)
	}
	if len(create.Enums) != 2 || create.Enums[0].Path != "roles[].id" || create.Enums[0].Field != "roles" ||
		!slices.Equal(create.Enums[0].Values, []string{"owner", "member", "viewer"}) {
		t.Errorf("enums %+v", create.Enums)
	}
	emails := field(create.Request, "emails").Schema
	if emails.Kind != model.KindArray || emails.Items.Name != "EmailInput" || emails.Items.Free ||
		!emails.Items.Properties[0].Required || !slices.Equal(emails.Items.Properties[1].Schema.Enum, []string{"primary", "other"}) {
		t.Errorf("emails schema %+v", emails.Items)
	}
	if q := create.Query[0]; q.Name != "collections" || q.GoName != "Collections" || model.CellLevel(q.Cells, "pivotal_tracker") != model.Required {
		t.Errorf("query %+v", create.Query)
	}
	// The Go names the emitters print come from the model.
	if emails.Items.GoName != "EmailInput" || emails.Items.Properties[1].Go.Name != "EmailInputType" || emails.Items.Properties[1].GoName != "Type" {
		t.Errorf("Go names of EmailInput: %+v", emails.Items)
	}
	if create.Validators[0] != (model.Validator{Integration: "dixa", Func: "validateCreateUserDixa"}) {
		t.Errorf("validators %+v", create.Validators)
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestSuggest(t *testing.T) {
	cases := []struct{ in, want string }{
		{"dixaa", `; did you mean "dixa"?`},
		{"pivotal", `; did you mean "pivotal_tracker"?`},
		{"requried", `; did you mean "required"?`},
		{"zendesk", ""},
	}
	for _, c := range cases {
		if got := suggest(c.in, []string{"dixa", "pivotal_tracker", "required", "supported", "reamaze"}); got != c.want {
			t.Errorf("suggest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
