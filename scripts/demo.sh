#!/usr/bin/env bash
# `make demo`: the server on :8080 (SQLite + ./data) and the demo partner app on :8081, another origin,
# which provisions a demo org and mounts the builder and the form through the SDK.
set -euo pipefail
BIN=${BIN:-.build/debug/craftkit}
API_PORT=${CRAFTKIT_PORT:-8080}
DEMO_PORT=${DEMO_PORT:-8081}
export CRAFTKIT_PORT=$API_PORT
"$BIN" serve &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
key_args=(--admin-key-file "${CRAFTKIT_DATA_DIR:-./data}/admin-key")
[ -n "${CRAFTKIT_ADMIN_KEY:-}" ] && key_args=()
echo "demo: open http://localhost:$DEMO_PORT — Ctrl-C stops both"
python3 demo/host.py --api "http://127.0.0.1:$API_PORT" --port "$DEMO_PORT" "${key_args[@]}"
