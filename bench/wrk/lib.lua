-- bench/wrk/lib.lua: what every workload script shares (loaded with dofile by w1/w2/w3/w5.lua).
--
-- * reads the environment the harness sets:
--     BENCH_SERVER  ours | v4 | v5 | floor       (which dialect the script speaks)
--     BENCH_QUERY   file holding the GraphQL document (bench/graphql/<server>/<workload>.graphql)
--     BENCH_TOKEN   bearer token (ours; empty for the others)
--     BENCH_REPORT  file the `done` hook writes its JSON report to
-- * counts, per thread, non-200 responses and 200 bodies containing "errors", and keeps the
--   first bad body as a sample (the harness fails the run when either count is not zero);
-- * writes one JSON report per run: requests, duration, socket errors, latency percentiles
--   (microseconds), the two failure counts and the sample.

local M = {}

function M.read_file(path)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

function M.read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

-- A Lua string as a JSON string literal.
function M.json(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n'):gsub('\r', '\\r'):gsub('\t', '\\t')
  s = s:gsub('[%z\1-\31]', function(c) return string.format('\\u%04x', c:byte()) end)
  return '"' .. s .. '"'
end

M.server = os.getenv("BENCH_SERVER") or "ours"
M.token = os.getenv("BENCH_TOKEN") or ""

-- {"query": <the document>, "variables": <vars_json>} with the document read once.
local query_json = nil
function M.body(vars_json)
  if query_json == nil then
    query_json = M.json(M.read_file(assert(os.getenv("BENCH_QUERY"), "BENCH_QUERY unset")))
  end
  if vars_json == nil then
    return '{"query":' .. query_json .. '}'
  end
  return '{"query":' .. query_json .. ',"variables":' .. vars_json .. '}'
end

function M.headers(token)
  local h = { ["Content-Type"] = "application/json" }
  token = token or M.token
  if token ~= "" then h["Authorization"] = "Bearer " .. token end
  return h
end

function M.post(body, token)
  return wrk.format("POST", "/graphql", M.headers(token), body)
end

-- Failure counting (per thread; globals so thread:get can read them).
bad_status = 0
bad_errors = 0
sample = ""

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
    if sample == "" then sample = "HTTP " .. status .. ": " .. (body or "") end
  elseif body and body:find('"errors"', 1, true) then
    bad_errors = bad_errors + 1
    if sample == "" then sample = body end
  end
end

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
  threads[#threads + 1] = thread
end

-- Seeds the thread's random numbers (call from the script's init).
function M.seed_random()
  math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919 + math.floor(os.clock() * 1e6))
  for _ = 1, 10 do math.random() end
end

function done(summary, latency, requests)
  local st, er, smp = 0, 0, ""
  for _, t in ipairs(threads) do
    st = st + (t:get("bad_status") or 0)
    er = er + (t:get("bad_errors") or 0)
    local s = t:get("sample") or ""
    if smp == "" and s ~= "" then smp = s end
  end
  local e = summary.errors
  local parts = {
    '"requests":' .. summary.requests,
    '"duration_us":' .. summary.duration,
    '"bytes":' .. summary.bytes,
    '"socket_errors":{"connect":' .. e.connect .. ',"read":' .. e.read .. ',"write":' .. e.write
      .. ',"status":' .. e.status .. ',"timeout":' .. e.timeout .. '}',
    '"non200":' .. st,
    '"graphql_errors":' .. er,
    '"sample":' .. M.json(smp:sub(1, 2000)),
    '"latency_us":{"mean":' .. latency.mean .. ',"max":' .. latency.max
      .. ',"p50":' .. latency:percentile(50) .. ',"p90":' .. latency:percentile(90)
      .. ',"p99":' .. latency:percentile(99) .. '}',
  }
  local path = os.getenv("BENCH_REPORT")
  local f = assert(io.open(path, "w"), "cannot write " .. tostring(path))
  f:write("{" .. table.concat(parts, ",") .. "}\n")
  f:close()
end

return M
