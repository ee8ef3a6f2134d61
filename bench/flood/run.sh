#!/usr/bin/env bash
# Anonymous flood (issue 7): 16 connections send 1 KB documents of the worst shapes for 10 s
# while one connection measures /health and another a signed-in tenant's query.
# Needs wrk (apt-get install wrk) and a running server (cargo run --release -p api -- serve)
# with the demo tenant. Usage: bench/flood/run.sh [base-url] [shape…]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=${1:-http://127.0.0.1:8080}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/shapes.py" "$work" >&2
shapes=("$@")
[ ${#shapes[@]} -eq 0 ] && shapes=(deep_values nest_31 fragment_bomb introspection wide control_chars)
FLOOD_BODIES=$(printf "$work/%s.json:" "${shapes[@]}")
export FLOOD_BODIES
TOKEN=$(curl -sf "$base/graphql" -H 'content-type: application/json' -d \
  '{"query":"mutation { login(input: { tenant: \"demo\", email: \"lucas.meyer@demo.test\", password: \"demo-password-123\" }) { accessToken } }"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')
export TOKEN
echo "flood: ${shapes[*]}" >&2
wrk -t2 -c16 -d10s -s "$here/flood.lua" "$base/graphql" >"$work/flood.txt" &
flood=$!
sleep 0.5
wrk -t1 -c1 -d9s --latency "$base/health" >"$work/health.txt" &
health=$!
wrk -t1 -c1 -d9s --latency -s "$here/query.lua" "$base/graphql" >"$work/query.txt"
wait "$health" "$flood"
for f in flood health query; do
  echo "== $f"
  grep -E "Requests/sec|Non-2xx|Socket errors|Latency|  (50|90|99)%" "$work/$f.txt" || true
done
