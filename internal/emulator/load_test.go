package emulator_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/internal/emulator"
)

// acme is a small contract exercising what the real ones do not: per-field
// errors as a list of objects, an error body that repeats its status, a
// nullable field, an integer id.
const acme = `provider: acme
name: Acme
docs: https://acme.example/docs
base_url:
  template: https://{subdomain}.acme.example/api/v2
  source: https://acme.example/docs/base
credentials: [api_key, subdomain]
auth:
  scheme: bearer
  header: Authorization
  prefix: "Bearer "
  source: https://acme.example/docs/auth
rate_limit:
  status: 429
  retry_after_header: Retry-After
  reset_headers: [X-Remaining]
  header_values: {X-Remaining: remaining}
  source: https://acme.example/docs/limits
errors:
  content_type: application/json
  message_path: error.message
  field_errors_path: error.fields
  field_error_field: name
  field_error_message: problem
  validation_status: 422
  examples:
    - status: 422
      body: {"error": {"code": 422, "status": "422 Unprocessable Entity", "message": "Validation failed", "fields": []}}
      source: https://acme.example/docs/errors
endpoints:
  - name: create_user
    method: POST
    path: /users
    source: https://acme.example/docs/users/create
    request:
      content_type: application/json
      wrapper: user
      fields:
        email: {type: string, required: true}
        age: {type: integer}
        bio: {type: string, nullable: true}
        tags: {type: array, items: string}
    response:
      status: 201
      wrapper: user
      example: {"user": {"id": 100, "email": "a@example.com", "age": 30, "bio": null, "tags": [], "created": "2024-01-01"}}
      source: https://acme.example/docs/users/create
  - name: get_user
    method: GET
    path: /users/{id}
    source: https://acme.example/docs/users/get
    response:
      status: 200
      wrapper: user
      example: {"user": {"id": 100, "email": "a@example.com", "age": 30}}
      source: https://acme.example/docs/users/get
`

// lineOf is the 1-based line of the first occurrence of s in text.
func lineOf(text, s string) int {
	return strings.Count(text[:strings.Index(text, s)], "\n") + 1
}

// TestLoadRejects checks that Load is strict, and says where and why.
func TestLoadRejects(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		at             string // where the error is, as text of the changed contract
		want           string
	}{
		{"unknown top-level key", "endpoints:", "endpoint:", "endpoint:", `unknown key "endpoint"; did you mean "endpoints"?`},
		{"unknown key in auth", "  prefix:", "  prefx:", "prefx:", `unknown key "prefx"; did you mean "prefix"?`},
		{"unknown key in a field", "{type: integer}", "{type: integer, requird: true}", "requird", `unknown key "requird"; did you mean "required"?`},
		{"endpoint without source", "    source: https://acme.example/docs/users/get\n    response:", "    response:", "- name: get_user", `endpoint "get_user" has no source URL`},
		{"endpoint without method", "    method: GET\n", "", "- name: get_user", `method "" is not one of GET`},
		{"endpoint without path", "    path: /users/{id}\n", "", "- name: get_user", `path template "" does not start with /`},
		{"unknown verb", "name: get_user", "name: fetch_user", "fetch_user", "is not <verb>_<resource>"},
		{"placeholder that is no credential", "/users/{id}", "/users/{userId}", "/users/{userId}", "placeholder {userId} is neither {id} nor a credential"},
		{"get without an id", "path: /users/{id}", "path: /users/me", "/users/me", "get needs {id} in its path"},
		{"unknown auth scheme", "scheme: bearer", "scheme: oauth", "scheme: oauth", `auth scheme "oauth" is not one of`},
		{"unknown field type", "{type: integer}", "{type: int}", "type: int}", `type "int" is not one of`},
		{"unknown credential", "[api_key, subdomain]", "[api_key, subdomian]", "subdomian", `unknown credential "subdomian"; did you mean "subdomain"?`},
		{"rate-limit header of unknown meaning", "{X-Remaining: remaining}", "{X-Remaining: left}", "X-Remaining: left", `"left" is not one of`},
		{"wrapper missing from the example", "      wrapper: user\n      example: {\"user\": {\"id\": 100, \"email\": \"a@example.com\", \"age\": 30}}", "      wrapper: data\n      example: {\"user\": {\"id\": 100, \"email\": \"a@example.com\", \"age\": 30}}", "wrapper: data", `the example has nothing at "data"`},
		{"same method and path twice", "- name: get_user\n    method: GET\n    path: /users/{id}", "- name: create_account\n    method: POST\n    path: /users # again", "# again", `POST /users is also endpoint "create_user"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(acme, tc.old) {
				t.Fatalf("the test contract has no %q", tc.old)
			}
			text := strings.Replace(acme, tc.old, tc.new, 1)
			_, err := emulator.Parse("acme.yaml", []byte(text))
			if err == nil {
				t.Fatal("accepted")
			}
			if want := fmt.Sprintf("acme.yaml:%d: ", lineOf(text, tc.at)); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant %q at %q", err, tc.want, want)
			}
		})
	}
}

func TestLoadAcceptsTheTestContract(t *testing.T) {
	c, err := emulator.Parse("acme.yaml", []byte(acme))
	if err != nil {
		t.Fatal(err)
	}
	if c.BasePath() != "/api/v2" {
		t.Errorf("base path %q", c.BasePath())
	}
}

func TestLoadSyntaxError(t *testing.T) {
	if _, err := emulator.Parse("bad.yaml", []byte("provider: [unclosed\n")); err == nil || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("error %v", err)
	}
}
