-- bench/wrk/w1.lua: W1, one opportunity by id. Each request picks an id at random from
-- BENCH_IDS (one seeded opportunity id per line) and sends the server's W1 document
-- (BENCH_QUERY) with variables {"id": <id>}. Failures are counted by lib.lua.
local lib = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
local ids

function init(args)
  lib.seed_random()
  ids = lib.read_lines(os.getenv("BENCH_IDS"))
end

function request()
  return lib.post(lib.body('{"id":"' .. ids[math.random(#ids)] .. '"}'))
end
