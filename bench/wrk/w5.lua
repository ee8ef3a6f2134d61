-- bench/wrk/w5.lua: W5, W1-shaped requests spread over many tenants (our server only). Each
-- request picks a tenant at random from BENCH_TENANTS (lines "<token> <id> <id> …": the
-- tenant admin's bearer token, then that tenant's seeded opportunity ids) and one of its ids.
local lib = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
local tenants

function init(args)
  lib.seed_random()
  tenants = {}
  for _, line in ipairs(lib.read_lines(os.getenv("BENCH_TENANTS"))) do
    local t = {}
    for word in line:gmatch("%S+") do t[#t + 1] = word end
    tenants[#tenants + 1] = { token = t[1], ids = { (unpack or table.unpack)(t, 2) } }
  end
end

function request()
  local t = tenants[math.random(#tenants)]
  return lib.post(lib.body('{"id":"' .. t.ids[math.random(#t.ids)] .. '"}'), t.token)
end
