#!/usr/bin/env bash
# API benchmark (issue 4): render enqueue and poll throughput with wrk, enqueue→succeeded latency on
# an idle server, and the server's peak RSS. Prints a Markdown section for BENCHMARKS.md.
#   Benchmarks/api-bench.sh            (builds release if needed; needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .build/release/craftkit ] || swift build -c release --product craftkit >/dev/null
command -v wrk >/dev/null || { echo "api-bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
bin=.build/release/craftkit
dir=$(mktemp -d /tmp/craftkit-bench.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
export CRAFTKIT_DATA_DIR=$dir CRAFTKIT_PORT=$port CRAFTKIT_ADMIN_KEY=bench-admin-key-0123456789 CRAFTKIT_LOG_LEVEL=error
# Rate limits off: this measures raw throughput of one key (the in-memory limiter costs one dictionary update).
export CRAFTKIT_RATE_LIMIT_PER_KEY=0 CRAFTKIT_RATE_LIMIT_PER_SESSION=0
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

serve() { # $1 = workers
  CRAFTKIT_WORKERS=$1 "$bin" serve >"$dir/server.log" 2>&1 & pid=$!
  for _ in $(seq 100); do curl -fs "$base/health" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
rss() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status; }

serve 0
key=$(curl -fs -X POST "$base/v1/admin/provision" -H "Authorization: Bearer $CRAFTKIT_ADMIN_KEY" -d '{"externalOrgId":"bench"}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["apiKey"])')
curl -fs -X POST "$base/v1/templates" -H "Authorization: Bearer $key" -d '{"name":"Invoice","manifest":{"variables":[{"key":"customer.name","label":"Customer","dataType":"text","required":true},{"key":"invoice.total","label":"Total","dataType":"currency","required":true}],"loops":[{"key":"items","label":"Items","itemFields":[{"key":"description","label":"Item","dataType":"text"},{"key":"qty","label":"Qty","dataType":"number"}]}]}}' >/dev/null
cat >"$dir/enqueue.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"data":{"customer":{"name":"Ada Lovelace"},"invoice":{"total":4200},"items":[{"description":"Engine","qty":2},{"description":"Cards","qty":100}]}}'
LUA
cat >"$dir/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $key"
LUA
summary() { # wrk output → "req/s | p50 | p99"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%s | %s | %s", rps, p50, p99}' "$1"
}
wrk -t2 -c32 -d10s --latency -s "$dir/enqueue.lua" "$base/v1/templates/invoice/render" >"$dir/enqueue.txt"
id=$(curl -fs -X POST "$base/v1/templates/invoice/render" -H "Authorization: Bearer $key" -d '{"data":{"customer":{"name":"A"},"invoice":{"total":1}}}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')
wrk -t2 -c32 -d10s --latency -s "$dir/get.lua" "$base/v1/renders/$id" >"$dir/get.txt"
# Embed sessions: mint (partner key), and a session-token request (EdDSA verification + session lookup).
cat >"$dir/mint.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"tenant":{"externalId":"acme","displayName":"Acme"},"actor":{"externalId":"u1","displayName":"Ada"},"scope":{"mode":"fill","templateExternalId":"invoice"}}'
LUA
wrk -t2 -c32 -d10s --latency -s "$dir/mint.lua" "$base/v1/embed/sessions" >"$dir/mint.txt"
session=$(curl -fs -X POST "$base/v1/embed/sessions" -H "Authorization: Bearer $key" -d '{"tenant":{"externalId":"acme","displayName":"Acme"},"actor":{"externalId":"u1"},"scope":{"mode":"fill","templateExternalId":"invoice"}}')
token=$(echo "$session" | python3 -c 'import sys, json; print(json.load(sys.stdin)["session_token"])')
sid=$(echo "$session" | python3 -c 'import sys, json; print(json.load(sys.stdin)["session_id"])')
form_render=$(curl -fs -X POST "$base/v1/embed/form-submit/$sid" -H "Authorization: Bearer $token" -d '{"data":{"customer":{"name":"A"},"invoice":{"total":1}}}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')
cat >"$dir/jwt.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
wrk -t2 -c32 -d10s --latency -s "$dir/jwt.lua" "$base/v1/embed/renders/$form_render" >"$dir/jwt.txt"
rss_load=$(rss)
stop

# Enqueue → succeeded on an idle server with workers: server-side completedAt − createdAt.
rm -f "$dir"/craftkit.sqlite*
serve 2
key=$(curl -fs -X POST "$base/v1/admin/provision" -H "Authorization: Bearer $CRAFTKIT_ADMIN_KEY" -d '{"externalOrgId":"bench"}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["apiKey"])')
curl -fs -X POST "$base/v1/templates" -H "Authorization: Bearer $key" -d '{"name":"Invoice","manifest":{"variables":[{"key":"customer.name","label":"Customer","dataType":"text","required":true}],"loops":[{"key":"items","label":"Items","itemFields":[{"key":"description","label":"Item","dataType":"text"}]}]}}' >/dev/null
latency=$(python3 - "$base" "$key" <<'PY'
import json, sys, time, urllib.request
from datetime import datetime
base, key = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=body and json.dumps(body).encode(), headers={"Authorization": f"Bearer {key}"})
    return json.load(urllib.request.urlopen(req))
def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
samples, wall = [], []
for i in range(100):
    start = time.perf_counter()
    r = call("POST", "/v1/templates/invoice/render", {"data": {"customer": {"name": f"Ada {i}"}, "items": [{"description": "Engine"}] * 12}})
    while r["status"] not in ("succeeded", "failed"):
        time.sleep(0.002)
        r = call("GET", f"/v1/renders/{r['id']}")
    wall.append((time.perf_counter() - start) * 1000)
    samples.append((ts(r["completedAt"]) - ts(r["createdAt"])) * 1000)
    time.sleep(0.02)
samples.sort(); wall.sort()
print(f"{samples[49]:.1f} ms | {samples[94]:.1f} ms | {wall[49]:.1f} ms")
PY
)
rss_idle=$(rss)
stop
# Token verification in process (no HTTP): first sight of each token, then repeated checks.
tokens=$(CRAFTKIT_DATA_DIR=$dir/tokens "$bin" bench tokens --sessions 4000 --seconds 3 2>/dev/null)

cat <<MD
## API (issues 4 and 5) — $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), release build, SQLite
Command: \`Benchmarks/api-bench.sh\` (wrk -t2 -c32 -d10s on the same machine; the load generator shares the 2 cores).

| measurement | req/s | p50 | p99 |
|---|---|---|---|
| \`POST /v1/templates/:slug/render\` (enqueue, workers off) | $(summary "$dir/enqueue.txt") |
| \`GET /v1/renders/:id\` | $(summary "$dir/get.txt") |
| \`POST /v1/embed/sessions\` (mint: tenant/actor upsert, session + renew token, EdDSA sign) | $(summary "$dir/mint.txt") |
| \`GET /v1/embed/renders/:id\` with the session token (EdDSA verify + session and render lookups) | $(summary "$dir/jwt.txt") |

| enqueue → succeeded (12-row invoice, 2 workers, idle server, 100 sequential renders) | value |
|---|---|
| server-side p50 / p95 (completedAt − createdAt), client-observed p50 (includes 2 ms polling) | $latency |
| peak server RSS through the load run / the latency run | $rss_load / $rss_idle |

| session-token verification (\`craftkit bench tokens\`, in process, 2 cores) | rate |
|---|---|
$tokens
MD
