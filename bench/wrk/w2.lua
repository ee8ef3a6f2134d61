-- bench/wrk/w2.lua: W2, the first page of 100 opportunities with customer, stage, owner and
-- each one's first 10 activities with their assignee: the same document (BENCH_QUERY) on
-- every request, no variables. Failures are counted by lib.lua.
local lib = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
local req

function init(args)
  req = lib.post(lib.body(nil))
end

function request()
  return req
end
