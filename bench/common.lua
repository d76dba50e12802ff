-- Shared by the wrk scripts of bench/load.sh: the demo tenant's token, the
-- demo Dixa account (config/demo.yaml), the Dixa request bodies, and a done()
-- that prints one machine-readable BENCH line after wrk's own report.
-- The scenario scripts load it with dofile; BENCH_DIR (set by load.sh) is
-- where it lives, "bench" (run from the repository root) otherwise.

bench = {}

bench.token = os.getenv("TOKEN") or "demo-token-change-me"
bench.account = os.getenv("ACCOUNT") or "00000000-0000-4000-8000-000000000001" -- Dixa (demo)
bench.users = "/unified/ticketing/users"
bench.query = "?integrated_account_id=" .. bench.account

-- A valid Dixa create: name, two emails, first and last name, one role,
-- two team ids.
bench.valid = '{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"primary"},{"email":"jane.doe@example.org","type":"other"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001","1002"]}'

-- The same with emails[0].type outside the enum: a 400 every time.
bench.invalid = '{"name":"Jane Doe","emails":[{"email":"jane@example.com","type":"bogus"},{"email":"jane.doe@example.org","type":"other"}],"first_name":"Jane","last_name":"Doe","roles":[{"id":"member","name":"Member"}],"team_ids":["1001","1002"]}'

function bench.headers()
   wrk.headers["Authorization"] = "Bearer " .. bench.token
   wrk.headers["Content-Type"] = "application/json"
end

-- done runs once, after the threads have finished. Latencies are in
-- microseconds; non2xx is wrk's count of responses with a status >= 400.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.status, e.connect, e.read, e.write, e.timeout))
end
