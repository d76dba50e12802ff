-- wrk script: POST create of a valid Dixa user (201, persisted).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")

wrk.method = "POST"
wrk.path = bench.users .. bench.query
bench.headers()
wrk.body = bench.valid
