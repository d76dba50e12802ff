-- wrk script: PATCH of one existing Dixa user, USER_ID (created by load.sh
-- before the run), with a body that changes on every request: the valid
-- create body with a counter in name and last_name (Dixa requires name on
-- update).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/common.lua")

local id = os.getenv("USER_ID")
if id == nil or id == "" then
   error("update.lua: set USER_ID to the id of an existing Dixa user")
end

wrk.method = "PATCH"
wrk.path = bench.users .. "/" .. id .. bench.query
bench.headers()

local n = 0
local template = bench.valid:gsub('"name":"Jane Doe"', '"name":"Jane Doe %%d"', 1)
                            :gsub('"last_name":"Doe"', '"last_name":"Doe-%%d"', 1)

function request()
   n = n + 1
   return wrk.format(nil, nil, nil, string.format(template, n, n))
end
