-- bench/wrk/w3.lua: W3, create an opportunity. Each request creates one for a customer chosen
-- at random from BENCH_CUSTOMERS (one seeded customer id per line), with a unique title.
--   ours:   createOpportunity(input: {title, customerId, amount: {amount, currency}}); the
--           server picks the id, the first stage, the owner (the caller), status, timestamps.
--   v4, v5: createOpportunity(input: {opportunity: {...}}) (v5 names the id column rowId):
--           PostGraphile fills in nothing the table has no default for, so the client sends
--           what our server derives: a UUIDv7 id, stage BENCH_STAGE (the first), owner
--           BENCH_OWNER (the admin), status OPEN, version 1 and the timestamps.
local lib = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
local customers
local stage = os.getenv("BENCH_STAGE") or ""
local owner = os.getenv("BENCH_OWNER") or ""
local n = 0

function init(args)
  lib.seed_random()
  customers = lib.read_lines(os.getenv("BENCH_CUSTOMERS"))
end

-- A UUIDv7: 48-bit Unix milliseconds, version 7, random bits, variant 10.
local function uuid7()
  local ms = math.floor(os.time() * 1000 + (os.clock() * 1000) % 1000)
  local hex = string.format("%012x", ms)
  local r = function(bits) return math.random(0, 2 ^ bits - 1) end
  return string.format("%s-%s-7%03x-%04x-%04x%04x%04x", hex:sub(1, 8), hex:sub(9, 12),
    r(12), 0x8000 + r(14), r(16), r(16), r(16))
end

function request()
  n = n + 1
  local title = string.format("W3 %s-%d-%d", lib.server, thread_no or 0, n)
  local customer = customers[math.random(#customers)]
  local amount_minor = math.random(1000, 9999999) * 100
  local vars
  if lib.server == "ours" then
    vars = string.format('{"input":{"title":"%s","customerId":"%s","amount":{"amount":"%d.00","currency":"USD"}}}',
      title, customer, math.floor(amount_minor / 100))
  else
    local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
    local id_field = lib.server == "v5" and "rowId" or "id"  -- v5 (amber) names the column rowId
    vars = string.format('{"input":{"opportunity":{"%s":"%s","title":"%s","customerId":"%s","amountMinor":"%d","currency":"USD","stageId":"%s","ownerId":"%s","status":"OPEN","version":1,"createdAt":"%s","updatedAt":"%s"}}}',
      id_field, uuid7(), title, customer, amount_minor, stage, owner, now, now)
  end
  return lib.post(lib.body(vars))
end
