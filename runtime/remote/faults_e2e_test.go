package remote_test

// Fault tests against the providers' emulators: throttling, failures,
// slow answers, resets and oversize answers, counting what reached the
// provider. TestMain (client_test.go) checks that no goroutine, and so no
// pooled connection, outlives the tests (go.uber.org/goleak).

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/unifiedgen/unifiedgen/generated/unified"
	"github.com/unifiedgen/unifiedgen/internal/emulator"
	"github.com/unifiedgen/unifiedgen/runtime/remote"
)

const planhatAccount = "integrated_account_id=00000000-0000-4000-8000-0000000000aa"

// planhatCreate is a valid Planhat create (POST: never retried once sent).
func planhatCreate(t *testing.T, b *remote.Backend) error {
	t.Helper()
	in := decode(t, &unified.CreateUserOperation, "planhat", `{"emails": [{"email": "jane@example.com", "type": "primary"}], "first_name": "Jane", "last_name": "Doe", "nick_name": "jd"}`, planhatAccount)
	_, err := b.Do(context.Background(), call(&unified.CreateUserOperation, "planhat", in, ""))
	return err
}

// planhatUpdate is a valid Planhat update (PUT: idempotent, retried).
func planhatUpdate(t *testing.T, b *remote.Backend, id string) error {
	t.Helper()
	in := decode(t, &unified.UpdateUserOperation, "planhat", `{"last_name": "Smith"}`, planhatAccount)
	_, err := b.Do(context.Background(), call(&unified.UpdateUserOperation, "planhat", in, id))
	return err
}

func seedPlanhat(emu *emulator.Emulator) string {
	return emu.Seed("user", map[string]any{"email": "jane@example.com", "nickName": "jd", "firstName": "Jane", "lastName": "Doe"})
}

func fast() remote.Options {
	return remote.Options{BackoffBase: 10 * time.Millisecond}
}

func TestFault429RetryAfterOnPut(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	id := seedPlanhat(emu)
	emu.FailNext(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "1"}, "")
	start := time.Now()
	if err := planhatUpdate(t, newBackend(t, srv, fast()), id); err != nil {
		t.Fatal(err)
	}
	if n := len(emu.Requests()); n != 2 {
		t.Fatalf("%d requests, want 2 (one 429, one retry)", n)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %v; Retry-After said 1s", waited)
	}
}

func TestFault429OnCreateIsAnsweredNotRetried(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	emu.FailNext(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "7", "X-Rate-Limit-Remaining": "0"}, "")
	err := planhatCreate(t, newBackend(t, srv, fast()))
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != 429 || e.Header.Get("Retry-After") != "7" || e.Header.Get("X-Rate-Limit-Remaining") != "0" {
		t.Fatalf("%#v", err)
	}
	if n := len(emu.Requests()); n != 1 || len(emu.Records("user")) != 0 {
		t.Fatalf("%d requests, %d records", n, len(emu.Records("user")))
	}
}

func TestFault429PastBudget(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	id := seedPlanhat(emu)
	emu.FailNext(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "120"}, "")
	start := time.Now()
	err := planhatUpdate(t, newBackend(t, srv, fast()), id)
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != 429 || e.Header.Get("Retry-After") != "120" || time.Since(start) > time.Second {
		t.Fatalf("%#v after %v: a wait past the budget is answered at once", err, time.Since(start))
	}
}

// The emulator's own rate limit, with Teamwork's reset header (a Unix
// time): a create over the limit is answered 429 with a Retry-After
// computed from it.
func TestFaultRateLimitResetHeader(t *testing.T) {
	emu, srv := emulate(t, "teamwork_project_management", emulator.Options{RateLimit: &emulator.RateLimit{Limit: 1, Window: time.Minute}})
	b := newBackend(t, srv, fast())
	create := func() error {
		in := decode(t, &unified.CreateUserOperation, "teamwork_project_management", `{"first_name": "J", "last_name": "D", "remote_data": {"person": {"email-address": "j@example.com"}}}`, planhatAccount)
		_, err := b.Do(context.Background(), call(&unified.CreateUserOperation, "teamwork_project_management", in, ""))
		return err
	}
	if err := create(); err != nil {
		t.Fatal(err)
	}
	err := create()
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != 429 || !e.RateLimited {
		t.Fatalf("%#v", err)
	}
	s, convErr := strconv.Atoi(e.Header.Get("Retry-After"))
	if convErr != nil || s < 1 || s > 61 || e.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("headers %v", e.Header)
	}
	if n := len(emu.Requests()); n != 2 || len(emu.Records("user")) != 1 {
		t.Fatalf("%d requests, %d records", n, len(emu.Records("user")))
	}
}

func TestFault5xx(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	id := seedPlanhat(emu)
	emu.FailNext(2, http.StatusServiceUnavailable, nil, "")
	if err := planhatUpdate(t, newBackend(t, srv, fast()), id); err != nil {
		t.Fatalf("a PUT after two 503s: %v", err)
	}
	if n := len(emu.Requests()); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	emu.FailNext(1, http.StatusInternalServerError, nil, "")
	err := planhatCreate(t, newBackend(t, srv, fast()))
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != http.StatusBadGateway || e.ProviderStatus != 500 || !e.Remote {
		t.Fatalf("%#v", err)
	}
	if n := len(emu.Requests()); n != 4 {
		t.Fatalf("%d requests: a failed POST is not retried", n)
	}
}

func TestFaultSlowCreateIsNotSentTwice(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	emu.Slow(2 * time.Second)
	opt := fast()
	opt.AttemptTimeout, opt.Budget = 200*time.Millisecond, 500*time.Millisecond
	start := time.Now()
	err := planhatCreate(t, newBackend(t, srv, opt))
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != http.StatusGatewayTimeout {
		t.Fatalf("%#v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("answered after %v", d)
	}
	if n := len(emu.Requests()); n != 1 {
		t.Fatalf("%d requests: a create that may have reached the provider was sent again", n)
	}
	// A slow provider behind an idempotent update is retried within the
	// budget, then answered 504 within it.
	emu.Slow(0)
	id := seedPlanhat(emu)
	emu.Slow(2 * time.Second)
	start = time.Now()
	err = planhatUpdate(t, newBackend(t, srv, opt), id)
	if !errorAs(err, &e) || e.Status != http.StatusGatewayTimeout || time.Since(start) > time.Second {
		t.Fatalf("%#v after %v", err, time.Since(start))
	}
	if n := len(emu.Requests()); n < 3 {
		t.Fatalf("%d requests: the PUT was not retried", n)
	}
	emu.Slow(0)
}

func TestFaultReset(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	id := seedPlanhat(emu)
	b := newBackend(t, srv, fast())
	emu.ResetNext(1)
	if err := planhatUpdate(t, b, id); err != nil {
		t.Fatalf("a PUT after a reset: %v", err)
	}
	before := len(emu.Requests())
	emu.ResetNext(1)
	err := planhatCreate(t, b)
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != http.StatusBadGateway {
		t.Fatalf("%#v", err)
	}
	if n := len(emu.Requests()) - before; n != 1 || len(emu.Records("user")) != 1 {
		t.Fatalf("%d requests, %d records: a reset POST must not be sent again", n, len(emu.Records("user")))
	}
}

func TestFaultOversize(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	opt := fast()
	opt.MaxResponse = 1 << 20
	emu.OversizeNext(1, 64<<20)
	start := time.Now()
	err := planhatCreate(t, newBackend(t, srv, opt))
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != http.StatusBadGateway || time.Since(start) > 2*time.Second {
		t.Fatalf("%#v after %v", err, time.Since(start))
	}
	if n := len(emu.Requests()); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestFaultRefusedConnectionNeverReachedSoRetried(t *testing.T) {
	_, srv := emulate(t, "planhat", emulator.Options{})
	b := newBackend(t, srv, fast())
	srv.Close() // nothing listens: the POST provably never reached it
	err := planhatCreate(t, b)
	var e *remote.Error
	if !errorAs(err, &e) || e.Status != http.StatusBadGateway || e.Attempts != remote.DefaultMaxAttempts {
		t.Fatalf("%#v", err)
	}
}

// A slow provider (200 ms per answer) does not limit throughput below
// what concurrency allows: the pool opens a connection per concurrent
// call instead of queueing them.
func TestSlowProviderConcurrency(t *testing.T) {
	emu, srv := emulate(t, "planhat", emulator.Options{})
	ids := make([]string, 32)
	for i := range ids {
		ids[i] = seedPlanhat(emu)
	}
	emu.Slow(200 * time.Millisecond)
	defer emu.Slow(0)
	b := newBackend(t, srv, fast())
	start := time.Now()
	errs := make(chan error, len(ids))
	for _, id := range ids {
		go func() { errs <- planhatUpdate(t, b, id) }()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("32 concurrent 200 ms calls took %v: they were serialised", d)
	}
}
