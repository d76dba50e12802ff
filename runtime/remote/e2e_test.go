package remote_test

// End to end, per integration and operation: a unified request is bound,
// decoded and validated by the generated code, mapped by the compiled
// mapping of spec/integrations/<id>/integration.yaml, sent to an emulator
// of the provider driven by its contract.yaml (never by the mapping: the
// emulator rejects, in the provider's error format, whatever breaks the
// documented contract), and its answer is mapped back to the unified
// record.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/internal/backend"
	"github.com/unifiedgen/unifiedgen/internal/emulator"
	"github.com/unifiedgen/unifiedgen/internal/store"
	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/qs"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

const e2eKey = "e2e-key-6f1c0a9b7d2e4c8f"

// e2eCredentials are every credential any integration declares.
var e2eCredentials = map[string]string{
	"api_key": e2eKey, "email": "agent@example.com", "subdomain": "acme",
	"datacenter": "iad1", "workspace_id": "ws-123", "user_id": "u-42",
}

// e2eCase is one integration and operation: the unified request, and the
// unified fields the answer must carry.
type e2eCase struct {
	integration string
	op          *api.Operation
	body        string
	query       string
	// seed is a provider record to update (update operations).
	seed map[string]any
	// want are unified fields the answer must have, with their values.
	want map[string]any
	// sent are provider body paths (a.b) the provider must have received.
	sent map[string]any
}

var e2eCases = []e2eCase{
	{integration: "dixa", op: &unified.CreateUserOperation,
		body: `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe", "avatar": "https://example.com/j.png"}`,
		want: map[string]any{"name": "Jane Doe", "first_name": "Jane", "avatar": "https://example.com/j.png", "emails": []any{map[string]any{"email": "jane@example.com", "type": "primary"}}},
		sent: map[string]any{"displayName": "Jane Doe", "email": "jane@example.com", "lastName": "Doe"}},
	{integration: "dixa", op: &unified.UpdateUserOperation,
		seed: map[string]any{"displayName": "Old", "email": "jane@example.com"},
		body: `{"name": "Jane Q. Doe", "last_name": "Q"}`,
		want: map[string]any{"name": "Jane Q. Doe", "last_name": "Q"},
		sent: map[string]any{"displayName": "Jane Q. Doe", "lastName": "Q"}},
	{integration: "freshchat", op: &unified.CreateUserOperation,
		body: `{"emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe", "avatar": "https://example.com/j.png", "team_ids": ["g1"]}`,
		want: map[string]any{"first_name": "Jane", "name": "Jane Doe", "avatar": "https://example.com/j.png", "team_ids": []any{"g1"}},
		sent: map[string]any{"email": "jane@example.com", "avatar.url": "https://example.com/j.png", "groups": []any{"g1"}}},
	{integration: "gorgias", op: &unified.CreateUserOperation,
		body: `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}], "roles": [{"id": "owner"}]}`,
		want: map[string]any{"name": "Jane Doe", "roles": []any{map[string]any{"id": "admin", "name": "admin"}}},
		sent: map[string]any{"name": "Jane Doe", "email": "jane@example.com", "role.name": "admin"}},
	{integration: "hive", op: &unified.CreateUserOperation,
		body: `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}]}`,
		want: map[string]any{"emails": []any{map[string]any{"email": "jane@example.com", "type": "primary"}}},
		sent: map[string]any{"email": "jane@example.com", "fullName": "Jane Doe"}},
	{integration: "hive", op: &unified.UpdateUserOperation,
		seed: map[string]any{"email": "jane@example.com", "fullName": "Jane Doe", "profile": map[string]any{"firstName": "Jane", "lastName": "Doe"}},
		body: `{"first_name": "Janet", "last_name": "Doe"}`,
		want: map[string]any{"first_name": "Janet"},
		sent: map[string]any{"profile.firstName": "Janet"}},
	{integration: "planhat", op: &unified.CreateUserOperation,
		body: `{"emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe", "nick_name": "jd", "custom_fields": {"department": "Support"}}`,
		want: map[string]any{"first_name": "Jane", "name": "Jane Doe"},
		sent: map[string]any{"nickName": "jd", "custom.department": "Support"}},
	{integration: "planhat", op: &unified.UpdateUserOperation,
		seed: map[string]any{"email": "jane@example.com", "nickName": "jd", "firstName": "Jane", "lastName": "Doe"},
		body: `{"last_name": "Doe-Smith"}`,
		want: map[string]any{"last_name": "Doe-Smith"},
		sent: map[string]any{"lastName": "Doe-Smith"}},
	{integration: "qualtrics_corexm", op: &unified.CreateUserOperation,
		body: `{"emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe", "languages": ["en"], "password": "p4ssw0rd!", "user_type": "UT_012345678912345", "username": "jane"}`,
		want: map[string]any{},
		sent: map[string]any{"password": "p4ssw0rd!", "language": "en", "userType": "UT_012345678912345"}},
	{integration: "reamaze", op: &unified.CreateUserOperation,
		body: `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}]}`,
		want: map[string]any{"id": "jane@example.com", "name": "Jane Doe"},
		sent: map[string]any{"staff.name": "Jane Doe", "staff.email": "jane@example.com"}},
	{integration: "solarwinds_service_desk", op: &unified.CreateUserOperation,
		body: `{"name": "Jane Doe", "emails": [{"email": "jane@example.com", "type": "primary"}], "roles": [{"id": "member", "name": "Requester"}]}`,
		want: map[string]any{"name": "Jane Doe"},
		sent: map[string]any{"user.email": "jane@example.com", "user.role.name": "Requester"}},
	{integration: "solarwinds_service_desk", op: &unified.UpdateUserOperation,
		seed: map[string]any{"name": "Jane", "email": "jane@example.com"},
		body: `{"name": "Jane Doe"}`,
		want: map[string]any{"name": "Jane Doe"},
		sent: map[string]any{"user.name": "Jane Doe"}},
	{integration: "teamwork_project_management", op: &unified.CreateUserOperation,
		body: `{"first_name": "Jane", "last_name": "Doe", "remote_data": {"person": {"email-address": "jane@example.com"}}}`,
		want: map[string]any{},
		sent: map[string]any{"person.first-name": "Jane", "person.email-address": "jane@example.com"}},
}

// TestEveryMappingHasAnEndToEndCase keeps the table complete.
func TestEveryMappingHasAnEndToEndCase(t *testing.T) {
	for op, byInt := range unified.Remotes {
		for in := range byInt {
			if !slices.ContainsFunc(e2eCases, func(c e2eCase) bool { return c.op.OperationID == op && c.integration == in }) {
				t.Errorf("%s for %s has a mapping but no end-to-end case", op, in)
			}
		}
	}
}

func loadContract(t testing.TB, integration string) *emulator.Contract {
	t.Helper()
	c, err := emulator.Load(filepath.Join("..", "..", "spec", "integrations", integration, "contract.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// decode runs the generated pipeline on a request body: bind, decode,
// validate for the integration. It fails the test on any failure.
func decode(t testing.TB, op *api.Operation, integration, body, query string) api.Input {
	t.Helper()
	in := op.New()
	var rep validation.Report
	q, err := qs.Parse(query, qs.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	in.Bind(q, &rep)
	in.DecodeBody([]byte(body), &rep)
	if !in.Validate(integration, &rep) {
		t.Fatalf("%s does not implement %s", integration, op.OperationID)
	}
	if len(rep.Failures) > 0 {
		t.Fatalf("the request is not valid for %s: %v", integration, rep.Failures)
	}
	return in
}

func lookup(v any, path string) (any, bool) {
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// emulate starts an emulator of integration's contract.
func emulate(t testing.TB, integration string, opts emulator.Options) (*emulator.Emulator, *httptest.Server) {
	t.Helper()
	if opts.Credentials == nil {
		opts.Credentials = e2eCredentials
	}
	emu := emulator.New(loadContract(t, integration), opts)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv
}

func newBackend(t testing.TB, srv *httptest.Server, opt remote.Options) *remote.Backend {
	t.Helper()
	c := remote.NewClient(opt)
	t.Cleanup(c.CloseIdleConnections)
	return &remote.Backend{Client: c, Mappings: unified.Remotes,
		Account: func(ctx context.Context, a store.Account) (remote.Account, error) {
			return remote.Account{ID: a.ID, Integration: a.Integration, BaseURL: srv.URL, Credentials: e2eCredentials}, nil
		}}
}

func call(op *api.Operation, integration string, in api.Input, id string) *backend.Call {
	return &backend.Call{Op: op, Account: store.Account{ID: "00000000-0000-4000-8000-0000000000aa", Integration: integration},
		ID: id, Input: in, Params: in.Params(), Body: in.AppendBody(nil, false)}
}

func TestEndToEnd(t *testing.T) {
	for _, tc := range e2eCases {
		t.Run(tc.op.OperationID+"/"+tc.integration, func(t *testing.T) {
			emu, srv := emulate(t, tc.integration, emulator.Options{})
			id := ""
			if tc.seed != nil {
				id = emu.Seed("user", tc.seed)
			}
			in := decode(t, tc.op, tc.integration, tc.body, "integrated_account_id=00000000-0000-4000-8000-0000000000aa&"+tc.query)
			b := newBackend(t, srv, remote.Options{})
			res, err := b.Do(context.Background(), call(tc.op, tc.integration, in, id))
			reqs := emu.Requests()
			if err != nil {
				t.Fatalf("%v\nrequests: %v", err, reqs)
			}
			if len(reqs) != 1 || reqs[0].Endpoint == "" {
				t.Fatalf("the emulator got %v; want one request to a documented endpoint", reqs)
			}
			var sent map[string]any
			if err := json.Unmarshal(reqs[0].Body, &sent); err != nil {
				t.Fatalf("sent body %q: %v", reqs[0].Body, err)
			}
			for path, want := range tc.sent {
				if got, ok := lookup(sent, path); !ok || !jsonEqual(got, want) {
					t.Errorf("sent %s = %v, want %v (body %s)", path, got, want, reqs[0].Body)
				}
			}
			rec := res.Record
			if s, _ := rec.Unified["id"].(string); s == "" || rec.ID != s {
				t.Errorf("unified record has no id: %v", rec.Unified)
			}
			if id != "" && rec.ID != id {
				t.Errorf("updated record id %q, want %q", rec.ID, id)
			}
			for k, want := range tc.want {
				if got := rec.Unified[k]; !jsonEqual(got, want) {
					t.Errorf("unified %s = %v, want %v (record %v)", k, got, want, rec.Unified)
				}
			}
			// Every unified field is one the response matrix lists.
			for k := range rec.Unified {
				f := slices.IndexFunc(tc.op.Response, func(f matrixField) bool { return f.Name == k })
				if f < 0 || tc.op.Response[f].Level(tc.integration) == 0 {
					t.Errorf("unified field %q is not in %s's response matrix for %s", k, tc.op.OperationID, tc.integration)
				}
			}
			if len(rec.Raw) == 0 || rec.Remote == nil || rec.RawType == "" {
				t.Errorf("raw %q (%q), remote %v", rec.Raw, rec.RawType, rec.Remote)
			}
			if strings.Contains(string(rec.Raw), e2eKey) {
				t.Errorf("the answer holds the key")
			}
		})
	}
}

// TestEndToEndProviderValidation sends what the provider's contract
// refuses and wants the provider's status, raw_response and message back.
func TestEndToEndProviderValidation(t *testing.T) {
	// Gorgias requires an email; a client that sends remote_data
	// overriding it with a number breaks the contract's types.
	_, srv := emulate(t, "gorgias", emulator.Options{})
	in := decode(t, &unified.CreateUserOperation, "gorgias", `{"emails": [{"email": "jane@example.com", "type": "primary"}], "remote_data": {"email": 42}}`, "integrated_account_id=00000000-0000-4000-8000-0000000000aa")
	_, err := newBackend(t, srv, remote.Options{}).Do(context.Background(), call(&unified.CreateUserOperation, "gorgias", in, ""))
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != http.StatusBadRequest || !e.Remote || e.Raw == nil || e.Message == "" {
		t.Fatalf("%#v", err)
	}
	if len(e.Failures) == 0 || e.Failures[0].Field != "emails" {
		t.Errorf("failures %+v: Gorgias' email error should name the unified emails", e.Failures)
	}
	// A wrong key is the provider's 401: re-authentication.
	emu, srv2 := emulate(t, "dixa", emulator.Options{})
	_ = emu
	b := newBackend(t, srv2, remote.Options{})
	b.Account = func(ctx context.Context, a store.Account) (remote.Account, error) {
		return remote.Account{BaseURL: srv2.URL, Credentials: remote.Credentials{"api_key": "wrong-key-123456"}}, nil
	}
	in = decode(t, &unified.CreateUserOperation, "dixa", `{"name": "J", "emails": [{"email": "j@example.com", "type": "primary"}]}`, "integrated_account_id=00000000-0000-4000-8000-0000000000aa")
	_, err = b.Do(context.Background(), call(&unified.CreateUserOperation, "dixa", in, ""))
	if !errorAs(err, &e) || e.Status != http.StatusUnauthorized || !e.NeedsReauth {
		t.Fatalf("%#v", err)
	}
}

type matrixField = matrix.Field

func errorAs(err error, e **remote.Error) bool { return errors.As(err, e) }
