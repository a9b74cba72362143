#!/usr/bin/env bash
# Runs every example against a fresh server on loopback (part of `make test`), so the code in
# docs/api.md and examples/ cannot rot, then the document-standards check on the same server
# (scripts/document-standards-test.py: PDF/A, attachments, tagging, glyph coverage). Prints "N passed, N failed".
#   examples/run.sh [path/to/craftkit]
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/craftkit}
dir=$(mktemp -d /tmp/craftkit-examples.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BASE=http://127.0.0.1:$port ADMIN_KEY=examples-admin-key-0123456789
CRAFTKIT_DATA_DIR=$dir CRAFTKIT_PORT=$port CRAFTKIT_ADMIN_KEY=$ADMIN_KEY CRAFTKIT_LOG_LEVEL=error CRAFTKIT_ALLOW_PRIVATE_FETCH=1 \
  "$bin" serve >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.1; done
passed=0 failed=0
for example in examples/*.py examples/*.mjs scripts/document-standards-test.py; do
  case $example in *.py) runner=python3 ;; *) runner=node ;; esac
  if timeout 60 "$runner" "$example"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $example" >&2; fi
done
echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
