package unified

// This test runs against the golden files of this case (TestGoldenCompiles
// copies it beside them): the decoders of the types no other case has,
// date-time, uuid and float32, nested objects and lists, read the way the
// schema in spec.yaml means them.

import (
	"strings"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

func decode(t *testing.T, body string) (*CreateOrderRequest, *validation.Report) {
	t.Helper()
	var v CreateOrderRequest
	var r validation.Report
	DecodeCreateOrderRequest([]byte(body), &v, &r)
	return &v, &r
}

func TestDecodeValid(t *testing.T) {
	v, r := decode(t, `{
		"customer_id": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
		"due_at": "2026-11-30T12:00:00+01:00",
		"paid": true,
		"total": 12.5,
		"items": [
			{"kind": "physical", "quantity": 2, "sku": "ab\u00e7", "tags": ["a", "b"], "dimensions": {"width": 1.25, "height": 3}},
			{"kind": "service", "quantity": 1.0}
		]
	}`)
	if !r.OK() {
		t.Fatalf("failures: %+v", r.Failures)
	}
	if v.CustomerId == nil || strings.ToUpper(v.CustomerId.String()) != "6F9619FF-8B86-D011-B42D-00C04FC964FF" {
		t.Errorf("customer_id = %v", v.CustomerId)
	}
	if want := time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC); v.DueAt == nil || !v.DueAt.Equal(want) {
		t.Errorf("due_at = %v, want %v", v.DueAt, want)
	}
	if v.Paid == nil || !*v.Paid || v.Total == nil || *v.Total != 12.5 {
		t.Errorf("paid = %v, total = %v", v.Paid, v.Total)
	}
	if len(v.Items) != 2 {
		t.Fatalf("items = %+v", v.Items)
	}
	first, second := v.Items[0], v.Items[1]
	if first.Kind != "physical" || first.Quantity != 2 || first.Sku == nil || *first.Sku != "abç" ||
		strings.Join(first.Tags, ",") != "a,b" || first.Dimensions == nil || first.Dimensions.Width != 1.25 ||
		first.Dimensions.Height == nil || *first.Dimensions.Height != 3 {
		t.Errorf("items[0] = %+v (dimensions %+v)", first, first.Dimensions)
	}
	if second.Kind != "service" || second.Quantity != 1 || second.Dimensions != nil || second.Tags != nil {
		t.Errorf("items[1] = %+v", second)
	}
}

func TestDecodeFailures(t *testing.T) {
	_, r := decode(t, `{
		"customer_id": "6f9619ff8b86d011b42d00c04fc964ff",
		"due_at": "2026-11-30",
		"total": 1e39,
		"items": [
			{"kind": "bulk", "quantity": 1.5, "sku": "ab", "dimensions": {"height": 2, "depth": 1}},
			{"quantity": 1, "kind": "digital", "kind": "service", "tags": "x"}
		],
		"extra": null
	}`)
	want := map[string]string{
		"customer_id":               "must be a uuid string",
		"due_at":                    "must be a date-time (RFC 3339) string",
		"total":                     "is out of range for a 32-bit float",
		"items[0].kind":             `"bulk" is not one of "physical", "digital", "service"`,
		"items[0].quantity":         "must be an integer, got 1.5",
		"items[0].sku":              "must be at least 3 characters long",
		"items[0].dimensions.width": "is required",
		"items[0].dimensions.depth": "is not a field of the unified model",
		"items[1].kind":             "appears more than once",
		"items[1].tags":             "must be an array of strings, got string",
		"extra":                     "is not a field of the unified model",
	}
	got := map[string]string{}
	for _, f := range r.Failures {
		got[f.Field] = f.Message
	}
	for field, msg := range want {
		if got[field] != msg {
			t.Errorf("%s: failure %q, want %q", field, got[field], msg)
		}
	}
	if len(r.Failures) != len(want) {
		t.Errorf("%d failures, want %d: %+v", len(r.Failures), len(want), r.Failures)
	}
}

func TestDecodeSyntaxError(t *testing.T) {
	_, r := decode(t, `{"items": [{"kind": "physical", "quantity": 1,}]}`)
	if len(r.Failures) != 1 || r.Failures[0].Rule != validation.RuleSyntax || !strings.Contains(r.Failures[0].Message, "byte offset 46") || r.Failures[0].Field != "items[0]" {
		t.Errorf("failures: %+v", r.Failures)
	}
}

// TestValidatePerIntegration runs each operation's dispatcher
// (validate.gen.go) into each integration's validators (their own files):
// the rules are spec.yaml's x-unified-support for createOrder.
func TestValidatePerIntegration(t *testing.T) {
	body := `{"due_at": "2026-11-30T12:00:00Z", "items": [{"kind": "digital", "quantity": 1}]}`
	for _, tt := range []struct {
		integration string
		want        map[string]validation.Rule // field: rule
		dueAtKept   bool
	}{
		// Shopify requires customer_id, takes digital items, ignores due_at.
		{"shopify", map[string]validation.Rule{"customer_id": validation.RuleIntegrationRequired}, false},
		// WooCommerce requires total, takes physical items only, uses due_at.
		{"woo_commerce", map[string]validation.Rule{"total": validation.RuleIntegrationRequired, "items[0].kind": validation.RuleIntegrationEnum}, true},
	} {
		v, r := decode(t, body)
		if !r.OK() {
			t.Fatalf("decode: %+v", r.Failures)
		}
		var p CreateOrderParams
		if !validateCreateOrder(tt.integration, &p, v, r) {
			t.Fatalf("%s: createOrder not implemented", tt.integration)
		}
		got := map[string]validation.Rule{}
		for _, f := range r.Failures {
			if f.Integration != tt.integration {
				t.Errorf("%s: failure names integration %q: %+v", tt.integration, f.Integration, f)
			}
			got[f.Field] = f.Rule
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: failures %+v, want %v", tt.integration, r.Failures, tt.want)
		}
		for field, rule := range tt.want {
			if got[field] != rule {
				t.Errorf("%s: %s: rule %q, want %q", tt.integration, field, got[field], rule)
			}
		}
		if (v.DueAt != nil) != tt.dueAtKept {
			t.Errorf("%s: due_at kept = %v, want %v", tt.integration, v.DueAt != nil, tt.dueAtKept)
		}
	}
	var p CreateOrderParams
	v, r := decode(t, body)
	if validateCreateOrder("magento", &p, v, r) {
		t.Error("an integration the operation does not list was validated")
	}
}

// bindQuery binds the query string raw with the generated binder, and
// returns what it bound and its failures as "field: rule: message".
func bindQuery(t *testing.T, raw string) (*CreateOrderParams, []string) {
	t.Helper()
	var r validation.Report
	q, ok := validation.ParseQuery(raw, &r)
	if !ok {
		t.Fatalf("ParseQuery(%q): %+v", raw, r.Failures)
	}
	var p CreateOrderParams
	bindCreateOrderParams(q, &p, &r)
	var failures []string
	for _, f := range r.Failures {
		failures = append(failures, f.Field+": "+string(f.Rule)+": "+f.Message)
	}
	return &p, failures
}

const account = "integrated_account_id=6f9619ff-8b86-d011-b42d-00c04fc964ff"

func TestBindDateQueryParameters(t *testing.T) {
	p, failures := bindQuery(t, account+"&not_before=2026-12-01T08:00:00%2B01:00&ship_on=2026-12-02")
	if len(failures) > 0 {
		t.Fatalf("failures: %v", failures)
	}
	if want := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC); p.NotBefore == nil || !p.NotBefore.Equal(want) {
		t.Errorf("not_before = %v, want %v", p.NotBefore, want)
	}
	if p.ShipOn == nil || p.ShipOn.Format(time.DateOnly) != "2026-12-02" {
		t.Errorf("ship_on = %v", p.ShipOn)
	}

	p, failures = bindQuery(t, account)
	if len(failures) > 0 || p.NotBefore != nil || p.ShipOn != nil {
		t.Errorf("absent: %v, %v, %v", failures, p.NotBefore, p.ShipOn)
	}

	_, failures = bindQuery(t, account+"&not_before=yesterday&ship_on=2026-02-30")
	want := []string{
		`not_before: format: must be an RFC 3339 date-time such as 2024-05-01T09:30:00Z, got "yesterday"`,
		`ship_on: format: must be a date such as 2024-05-01, got "2026-02-30"`,
	}
	if strings.Join(failures, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(failures, "\n"), strings.Join(want, "\n"))
	}
}

func TestBindListQueryParameters(t *testing.T) {
	for _, raw := range []string{"kinds=digital&kinds=service&line_numbers=3&line_numbers=1", "kinds[]=digital&kinds[]=service&line_numbers[]=3&line_numbers[]=1"} {
		p, failures := bindQuery(t, account+"&"+raw)
		if len(failures) > 0 {
			t.Fatalf("%s: %v", raw, failures)
		}
		if len(p.Kinds) != 2 || p.Kinds[0] != LineKindDigital || p.Kinds[1] != LineKindService {
			t.Errorf("%s: kinds = %v", raw, p.Kinds)
		}
		if len(p.LineNumbers) != 2 || p.LineNumbers[0] != 3 || p.LineNumbers[1] != 1 {
			t.Errorf("%s: line_numbers = %v", raw, p.LineNumbers)
		}
	}
	// A single value is a list of one.
	if p, failures := bindQuery(t, account+"&kinds=physical"); len(failures) > 0 || len(p.Kinds) != 1 || p.Kinds[0] != LineKindPhysical {
		t.Errorf("one kind: %v, %v", p.Kinds, failures)
	}
	_, failures := bindQuery(t, account+"&kinds=digital&kinds=gift&line_numbers[x]=2")
	want := []string{
		`kinds[1]: enum: "gift" is not one of "physical", "digital", "service"`,
		`line_numbers: type: must be a list of values, got an object`,
	}
	if strings.Join(failures, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(failures, "\n"), strings.Join(want, "\n"))
	}
	_, failures = bindQuery(t, account+"&line_numbers=1&line_numbers=two")
	if want := `line_numbers[1]: type: must be an integer, got "two"`; strings.Join(failures, "\n") != want {
		t.Errorf("failures: %v, want %s", failures, want)
	}
}

// The bounds spec.yaml declares (maxLength, pattern, minimum, maximum and
// their exclusive forms, minItems, maxItems) hold in the body, with the
// value at each bound accepted and the one past it refused.
func TestDecodeBounds(t *testing.T) {
	const items = `"items": [{"kind": "digital", "quantity": 1}]`
	v, r := decode(t, `{`+items+`, "coupon": "SAVE10AB", "priority": 9, "discount": 0.5, "notes": ["a", "exactly twenty chars"]}`)
	if !r.OK() {
		t.Fatalf("at the bounds: %+v", r.Failures)
	}
	if v.Coupon == nil || *v.Coupon != "SAVE10AB" || v.Priority == nil || *v.Priority != 9 || v.Discount == nil || *v.Discount != 0.5 || len(v.Notes) != 2 {
		t.Errorf("decoded %+v", v)
	}
	if _, r := decode(t, `{`+items+`, "priority": 0, "discount": 0, "notes": ["x"]}`); !r.OK() {
		t.Errorf("at the lower bounds: %+v", r.Failures)
	}
	for _, tt := range []struct{ member, field, rule, msg string }{
		{`"coupon": "SAVE10ABC"`, "coupon", "format", "must be at most 8 characters long"},
		{`"coupon": "save10"`, "coupon", "format", `must match the pattern "^[A-Z0-9]+$"`},
		{`"priority": 10`, "priority", "range", "must be less than 10"},
		{`"priority": -1`, "priority", "range", "must be at least 0"},
		{`"priority": 3000000000`, "priority", "type", "is out of range for a 32-bit integer"},
		{`"discount": 0.51`, "discount", "range", "must be at most 0.5"},
		{`"discount": -0.01`, "discount", "range", "must be at least 0"},
		{`"notes": []`, "notes", "range", "must have at least 1 item"},
		{`"notes": ["a", "b", "c"]`, "notes", "range", "must have at most 2 items"},
		{`"notes": ["a", "more than twenty chars"]`, "notes[1]", "format", "must be at most 20 characters long"},
	} {
		_, r := decode(t, `{`+items+`, `+tt.member+`}`)
		if len(r.Failures) != 1 || r.Failures[0].Field != tt.field || string(r.Failures[0].Rule) != tt.rule || r.Failures[0].Message != tt.msg {
			t.Errorf("%s: failures %+v, want %s %s: %s", tt.member, r.Failures, tt.field, tt.rule, tt.msg)
		}
	}
}

// The same in the query string, for a parameter and for each item of a
// list.
func TestBindBounds(t *testing.T) {
	p, failures := bindQuery(t, account+"&line_numbers=1&line_numbers=2&line_numbers=3&ref=R12345&weight=0.25&notify_email=jane%40example.com")
	if len(failures) > 0 || len(p.LineNumbers) != 3 || p.Ref == nil || *p.Ref != "R12345" || p.Weight == nil || *p.Weight != 0.25 || p.NotifyEmail == nil || *p.NotifyEmail != "jane@example.com" {
		t.Errorf("at the bounds: %+v, %v", p, failures)
	}
	for _, tt := range []struct{ query, want string }{
		{"line_numbers=1&line_numbers=0", "line_numbers[1]: range: must be at least 1"},
		{"line_numbers=1&line_numbers=2&line_numbers=3&line_numbers=4", "line_numbers: range: must have at most 3 items"},
		{"ref=R123456", "ref: format: must be at most 6 characters long"},
		{"ref=X1", `ref: format: must match the pattern "^R[0-9]+$"`},
		{"weight=0", "weight: range: must be greater than 0"},
		{"weight=1e39", "weight: type: is out of range for a 32-bit float"},
		{"notify_email=jane", "notify_email: format: must be an email string"},
	} {
		if _, failures := bindQuery(t, account+"&"+tt.query); len(failures) != 1 || failures[0] != tt.want {
			t.Errorf("%s: failures %q, want %q", tt.query, failures, tt.want)
		}
	}
}

// A parameter left out takes its schema's default; one sent keeps its
// value.
func TestBindDefaults(t *testing.T) {
	bind := func(raw string) *CreateOrderParams {
		t.Helper()
		p, failures := bindQuery(t, raw)
		if len(failures) > 0 {
			t.Fatalf("%s: %v", raw, failures)
		}
		return p
	}
	p := bind(account)
	if p.Weight == nil || *p.Weight != 1.5 || p.Channel == nil || *p.Channel != "web" || p.SendCopy == nil || !*p.SendCopy || p.LineLimit == nil || *p.LineLimit != 10 {
		t.Errorf("defaults: %+v", p)
	}
	if p.Ref != nil || p.Kinds != nil {
		t.Errorf("parameters without a default: %+v", p)
	}
	p = bind(account + "&weight=2&channel=phone&send_copy=false&line_limit=3")
	if *p.Weight != 2 || *p.Channel != "phone" || *p.SendCopy || *p.LineLimit != 3 {
		t.Errorf("sent: %+v", p)
	}
}
