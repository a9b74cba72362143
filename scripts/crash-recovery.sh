#!/usr/bin/env bash
# Crash recovery check (issue 4): queue N renders, kill -9 the server while they are queued or
# rendering, start it again, and check that every render succeeds exactly once.
#   scripts/crash-recovery.sh [N]    (default 200; uses .build/release/craftkit if present, else debug)
set -euo pipefail
count=${1:-200}
bin=.build/release/craftkit
[ -x "$bin" ] || bin=.build/debug/craftkit
dir=$(mktemp -d /tmp/craftkit-crash.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CRAFTKIT_DATA_DIR=$dir CRAFTKIT_PORT=$port CRAFTKIT_ADMIN_KEY=crash-test-admin-key-0123 CRAFTKIT_LOG_LEVEL=warning CRAFTKIT_WORKERS=1 CRAFTKIT_RATE_LIMIT_PER_KEY=0
base=http://127.0.0.1:$port
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

start() { "$bin" serve >>"$dir/server.log" 2>&1 & pid=$!; for _ in $(seq 100); do curl -fs "$base/health" >/dev/null && return; sleep 0.1; done; echo "server did not start"; exit 1; }

start
key=$(curl -fs -X POST "$base/v1/admin/provision" -H "Authorization: Bearer $CRAFTKIT_ADMIN_KEY" -d '{"externalOrgId":"crash"}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["apiKey"])')
rows=$(python3 -c 'import json; print(json.dumps([{"description": f"Line {i}", "qty": i} for i in range(2000)]))')
curl -fs -X POST "$base/v1/templates" -H "Authorization: Bearer $key" -d '{"name":"Crash","manifest":{"variables":[{"key":"n","label":"N","dataType":"number","required":true}],"loops":[{"key":"items","label":"Items","itemFields":[{"key":"description","label":"Item","dataType":"text"},{"key":"qty","label":"Qty","dataType":"number"}]}]}}' >/dev/null
for i in $(seq "$count"); do
  curl -fs -X POST "$base/v1/templates/crash/render" -H "Authorization: Bearer $key" -H "Idempotency-Key: crash-$i" \
    -d "{\"data\":{\"n\":$i,\"items\":$rows}}" >/dev/null
done
sleep 0.3
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
before=$(sqlite3 "$dir/craftkit.sqlite" "SELECT status, COUNT(*) FROM renders GROUP BY status" 2>/dev/null | tr '\n' ' ')
echo "killed with: $before"
start
for _ in $(seq 600); do
  left=$(curl -fs "$base/v1/renders?limit=200" -H "Authorization: Bearer $key" | python3 -c 'import sys, json; print(sum(r["status"] != "succeeded" for r in json.load(sys.stdin)["data"]))')
  [ "$left" = 0 ] && break
  sleep 0.2
done
python3 - "$base" "$key" "$count" "$dir/craftkit.sqlite" <<'PY'
import json, sqlite3, sys, urllib.request
base, key, count, db = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
req = urllib.request.Request(f"{base}/v1/renders?limit=200", headers={"Authorization": f"Bearer {key}"})
renders = json.load(urllib.request.urlopen(req))["data"]
con = sqlite3.connect(db)
jobs = con.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
statuses = {r["status"] for r in renders}
print(f"renders: {len(renders)}, statuses: {statuses}, jobs: {jobs}")
assert len(renders) == count, "render count changed"
assert statuses == {"succeeded"}, "not every render succeeded"
assert jobs == [("done", count)], "a job is not done exactly once"
print(f"crash-recovery: {count} passed, 0 failed")
PY
