#!/usr/bin/env bash
# The multi-node test (issue 16.2, part of `make test` as `make test-multinode`): two API nodes with
# workers off and two `craftkit worker` processes over one PostgreSQL database and one S3 bucket (plus
# two more API nodes with a small per-key rate limit), checked by scripts/multi-node-test.py: 1,000
# renders round-robin succeed exactly once and download from either node, a session refreshes across
# nodes and renew-token reuse is caught across them, each webhook event is delivered once, kill -9 of
# a worker mid-render loses nothing, a rate limit holds across nodes, a key revoked on one node is
# refused on the other within 2 s. Topology: docs/operations.md#two-or-more-nodes.
#   scripts/multi-node-test.sh [path/to/craftkit]
# Uses CRAFTKIT_TEST_POSTGRES_URL and CRAFTKIT_TEST_S3_ENDPOINT when both are set (a fresh database in
# that cluster, a fresh prefix in a bucket there); otherwise runs itself under scripts/with-s3.sh and
# scripts/with-postgres.sh. The binary is copied first, so a rebuild while it runs changes nothing.
# Environment: MULTINODE_RENDERS (1000), MULTINODE_SLOW_RENDERS (120), MULTINODE_RATE_LIMIT (100),
# MULTINODE_LEASE_MS (8000: CRAFTKIT_RENDER_LEASE_MS of every process).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/craftkit}
[ -x "$bin" ] || { echo "multinode: $bin not found (make build)" >&2; exit 1; }
if [ -z "${CRAFTKIT_TEST_POSTGRES_URL:-}" ] || [ -z "${CRAFTKIT_TEST_S3_ENDPOINT:-}" ]; then
  exec scripts/with-s3.sh scripts/with-postgres.sh "$PWD/scripts/multi-node-test.sh" "$bin"
fi
command -v psql >/dev/null || { echo "multinode: psql not found (apt-get install postgresql-client)" >&2; exit 1; }

# Paths without "craftkit": on a shared machine all four API nodes once stopped together mid-run with a
# clean exit (SIGTERM from outside, the workers untouched), as a `pkill -f 'craftkit serve'` cleaning up
# someone else's server would do; named like this, no such pattern hits the test's processes.
dir=$(mktemp -d /tmp/ckmn.XXXXXX)
database=multinode_$(date +%s)_$$
pids=$dir/pids
touch "$pids"
cleanup() {
  # Every process the test started (the Python script stops them itself; this catches the rest).
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$pids"
  psql "$CRAFTKIT_TEST_POSTGRES_URL" -X -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$dir/bin"
cp "$bin" "$dir/bin/ckmn-node"
cp -r "$(dirname "$bin")"/*.resources "$dir/bin/" 2>/dev/null || true

psql "$CRAFTKIT_TEST_POSTGRES_URL" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database" >/dev/null
database_url=$(python3 -c '
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))' "$CRAFTKIT_TEST_POSTGRES_URL" "$database")

# moto checks no signatures: an unsigned PUT creates the bucket (200, or 409 when it already exists).
bucket=craftkit-multinode
python3 - "$CRAFTKIT_TEST_S3_ENDPOINT/$bucket" <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="PUT"), timeout=10)
except urllib.error.HTTPError as error:
    if error.code != 409:
        raise
PY

echo "multinode: database $database, bucket s3://$bucket/$database on $CRAFTKIT_TEST_S3_ENDPOINT, binary copied from $bin"
# In the background and waited for, so a signal to this script runs the cleanup at once.
MULTINODE_BIN=$dir/bin/ckmn-node MULTINODE_DIR=$dir MULTINODE_PIDS=$pids MULTINODE_DATABASE_URL=$database_url \
  MULTINODE_STORAGE_URL="s3://$bucket/$database?endpoint=$CRAFTKIT_TEST_S3_ENDPOINT&region=us-east-1&path_style=1" \
  python3 scripts/multi-node-test.py &
echo $! >>"$pids"
status=0
wait $! || status=$?
exit $status
