package mapping_test

import (
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generator/mapping"
	"github.com/unifiedgen/unifiedgen/generator/model"
)

func scalar(k model.JSONKind) *model.Schema { return &model.Schema{Kind: k} }

func object(props ...model.Property) *model.Schema {
	return &model.Schema{Kind: model.KindObject, Properties: props}
}

func prop(name string, s *model.Schema) model.Property { return model.Property{Name: name, Schema: s} }

func array(items *model.Schema) *model.Schema {
	return &model.Schema{Kind: model.KindArray, Items: items}
}

var (
	str     = scalar(model.KindString)
	integer = scalar(model.KindInteger)
	boolean = scalar(model.KindBoolean)

	// userIn is a provider's user record, the input of a response mapping.
	userIn = object(
		prop("age", integer),
		prop("custom_fields", &model.Schema{Kind: model.KindObject, Free: true, Properties: []model.Property{prop("department", str)}}),
		prop("emails", array(object(prop("email", str), prop("type", str)))),
		prop("is_active", boolean),
		prop("meta", scalar(model.KindAny)),
		prop("name", str),
		prop("roles", array(object(prop("id", str)))),
		prop("team_ids", array(str)),
	)
	// userOut is the unified user, the output it must fit.
	userOut = object(
		prop("active", boolean),
		prop("age", integer),
		prop("displayName", str),
		prop("email", str),
		prop("emails", array(object(prop("address", str)))),
		prop("extra", &model.Schema{Kind: model.KindObject, Free: true}),
		prop("roles", array(str)),
		prop("tags", array(str)),
	)
)

// TestCheckAccepts lists mappings that are fine, some only because
// JSONata is dynamic: the checker must not reject them.
func TestCheckAccepts(t *testing.T) {
	for _, src := range []string{
		`{"displayName": name, "email": emails[0].email, "roles": $map(roles, function($r){ $r.id = "owner" ? "ADMIN" : "AGENT" })}`,
		`{"displayName": name & " (" & $string(age) & ")", "age": age, "active": is_active}`,
		`{"email": emails.email}`, // one email is a string by the singleton rule
		`{"tags": emails.email}`,  // two are an array
		`{"tags": [emails.type, "x"], "roles": [$map(roles, function($r) { $r.id })]}`,
		`{"emails": emails.{"address": $lowercase(email)}}`,
		`{"extra": {"anything": meta.deep.path, "more": custom_fields.whatever}}`,
		`{"displayName": null, "age": $count(roles), "tags": team_ids}`,
		`{"age": is_active ? age : 0}`,
		`meta[0].x`,
		`$substring(name, 0, 3) & $join(team_ids, ",") & $join(roles.id)`,
		`$merge([custom_fields, {"a": 1}])`,
		`$number(name) + age`,
		`emails[0].email < "m"`,
		`$.name`,
		`$$.emails[0].email`,
	} {
		e, err := mapping.Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		var out *model.Schema
		if strings.HasPrefix(src, "{") {
			out = userOut
		}
		if errs := mapping.Check(e, userIn, out); len(errs) > 0 {
			t.Errorf("Check(%q) rejected it: %v", src, errs)
		}
	}
}

// TestCheckRejects pins every error the checker reports for each
// expression, in order, with positions.
func TestCheckRejects(t *testing.T) {
	for _, tc := range []struct {
		src  string
		out  *model.Schema
		want []string
	}{
		{`nmae`, nil, []string{`1:1: the input has no field "nmae"; did you mean "name"?`}},
		{`emails.emial`, nil, []string{`1:8: "emails[]" has no field "emial"; did you mean "email"?`}},
		{`emails[0].kind`, nil, []string{`1:11: "emails[]" has no field "kind" (it has email, type)`}},
		{`$map(roles, function($r) { $r.name })`, nil, []string{`1:31: "roles[]" has no field "name" (it has id)`}},
		{`$map(roles, function($r) { $r.idd })`, nil, []string{`1:31: "roles[]" has no field "idd"; did you mean "id"?`}},
		{`name.first`, nil, []string{`1:6: field "first" of "name" (a string): a string has no fields`}},
		{`age.value`, nil, []string{`1:5: field "value" of "age" (a number): a number has no fields`}},
		{`name[0]`, nil, []string{`1:1: [0] indexes "name" (a string), which is not an array`}},
		{`custom_fields[-1]`, nil, []string{`1:1: [-1] indexes "custom_fields" (an object), which is not an array`}},
		{`emails.email[1]`, nil, []string{`1:8: [1] indexes "emails[].email" (a string), which is not an array`}},
		{`$substring(name)`, nil, []string{`1:1: $substring takes 2 or 3 arguments ($substring(str, start[, length])), found 1`}},
		{`$string()`, nil, []string{`1:1: $string takes 1 argument ($string(value)), found 0`}},
		{`$map(roles)`, nil, []string{`1:1: $map takes 2 arguments ($map(array, function($v[, $i]) { ... })), found 1`}},
		{`$map(roles, roles)`, nil, []string{`1:13: the second argument of $map must be a function, as in function($v) { ... }`}},
		{`$map(roles, function() { 1 })`, nil, []string{`1:13: the function given to $map takes 1 or 2 parameters (the item, then its index), found 0`}},
		{`$uppercase(age)`, nil, []string{`1:12: argument 1 of $uppercase must be a string, found "age" (a number); convert it with $string(...)`}},
		{`$substring(name, "1")`, nil, []string{`1:18: argument 2 of $substring must be a number, found a string`}},
		{`$join(roles, ",")`, nil, []string{`1:7: argument 1 of $join must be an array of strings, found "roles" (an array)`}},
		{`$merge(name)`, nil, []string{`1:8: argument 1 of $merge must be an object or an array of objects, found "name" (a string)`}},
		{`$number(emails)`, nil, []string{`1:9: argument 1 of $number must be a string, a number or a boolean, found "emails" (an array)`}},
		{`name + 1`, nil, []string{`1:1: the left side of + must be a number, found "name" (a string); convert it with $number(...), or join strings with &`}},
		{`-is_active`, nil, []string{`1:2: the operand of unary - must be a number, found "is_active" (a boolean)`}},
		{`name < 3`, nil, []string{`1:6: < compares "name" (a string) with a number; convert one side with $string(...) or $number(...)`}},
		{`is_active > 1`, nil, []string{`1:1: the left side of > must be a number or a string, found "is_active" (a boolean)`}},
		{`{"displayName": name, "emial": emails[0].email}`, userOut, []string{`1:23: the output has no field "emial"; did you mean "email"?`}},
		{`{"age": name}`, userOut, []string{`1:9: this is "name" (a string), but the output field "age" is an integer; convert it with $number(...)`}},
		{`{"displayName": age}`, userOut, []string{`1:17: this is "age" (a number), but the output field "displayName" is a string; convert it with $string(...)`}},
		{`{"displayName": $count(roles) + 1}`, userOut, []string{`1:31: this is a number, but the output field "displayName" is a string; convert it with $string(...)`}},
		{`{"roles": $map(roles, function($r) { $r.id = "owner" })}`, userOut, []string{`1:44: this is a boolean, but the output field "roles[]" is a string`}},
		{`{"active": is_active ? "yes" : "no"}`, userOut, []string{
			`1:24: this is a string, but the output field "active" is a boolean`,
			`1:32: this is a string, but the output field "active" is a boolean`,
		}},
		{`{"tags": name}`, userOut, []string{`1:10: this is "name" (a string), but the output field "tags" is an array`}},
		{`{"tags": ["a", 1]}`, userOut, []string{`1:16: this is a number, but the output field "tags[]" is a string; convert it with $string(...)`}},
		{`{"emails": [{"adress": name}]}`, userOut, []string{`1:14: the output field "emails[]" has no field "adress"; did you mean "address"?`}},
		{`{"displayName": {"first": name}}`, userOut, []string{`1:17: this builds an object, but the output field "displayName" is a string`}},
		{`{"displayName": [name]}`, userOut, []string{`1:17: this builds an array, but the output field "displayName" is a string`}},
		{`"x"`, userOut, []string{`1:1: this is a string, but the output is an object`}},
		{"{\n  \"displayName\": nmae,\n  \"age\": $uppercase(name),\n  \"emial\": 1\n}", userOut, []string{
			`2:18: the input has no field "nmae"; did you mean "name"?`,
			`3:10: this is a string, but the output field "age" is an integer; convert it with $number(...)`,
			`4:3: the output has no field "emial"; did you mean "email"?`,
		}},
	} {
		e, err := mapping.Parse(tc.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		errs := mapping.Check(e, userIn, tc.out)
		got := make([]string, len(errs))
		for i, err := range errs {
			got[i] = err.Error()
			checkPosition(t, tc.src, err)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("Check(%q):\n got %s\nwant %s", tc.src, strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "))
		}
	}
}
