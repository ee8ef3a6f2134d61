-- wrk script: POSTs the bodies listed in FLOOD_BODIES (colon-separated files) in turn.
local bodies = {}
for path in string.gmatch(os.getenv("FLOOD_BODIES") or "", "[^:]+") do
  local f = assert(io.open(path, "rb"))
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/graphql", nil, bodies[i])
end
