-- wrk script: POST create of a Dixa user with emails[0].type "bogus" (400
-- every time). Also the request of the bare baseline, byte for byte.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")

wrk.method = "POST"
wrk.path = bench.users .. bench.query
bench.headers()
wrk.body = bench.invalid
