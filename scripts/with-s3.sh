#!/usr/bin/env bash
# Runs a command with a throwaway S3 API server on loopback: moto's server (PyPI), installed on first use
# into a venv under ~/.cache/craftkit/, started on a free port, exported as CRAFTKIT_TEST_S3_ENDPOINT,
# stopped when "$@" ends. Composes with scripts/with-postgres.sh: `scripts/with-s3.sh scripts/with-postgres.sh swift test`.
# moto keeps objects in memory and accepts any credentials: it checks requests' shape, not signatures
# (the signing is pinned by AWS's published vectors in Tests/OutboundTests/SigV4Tests.swift).
#   scripts/with-s3.sh COMMAND…    run COMMAND with the server
#   scripts/with-s3.sh --install   only install moto (scripts/install-deps.sh test does this)
set -euo pipefail

moto_version=5.2.5
venv=${CRAFTKIT_MOTO_VENV:-$HOME/.cache/craftkit/moto-$moto_version}
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "with-s3: installing moto[server]==$moto_version (PyPI) into $venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "moto[server]==$moto_version"
fi
[ "${1:-}" = "--install" ] && exit 0

dir=$(mktemp -d /tmp/craftkit-s3.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 &
pid=$!

cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  if python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$dir/server.log" >&2; echo "with-s3: moto_server exited" >&2; exit 1; fi
  sleep 0.1
done

export CRAFTKIT_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
echo "with-s3: moto $moto_version S3 API server on $CRAFTKIT_TEST_S3_ENDPOINT"
set +e
"$@"
status=$?
set -e
echo "with-s3: stopping the S3 API server"
exit $status
