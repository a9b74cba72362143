#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on loopback: initdb into a temp dir, start on a free
# port, export CRAFTKIT_TEST_POSTGRES_URL, run "$@", then stop the cluster and delete the directory.
# Uses the PostgreSQL already on the machine (Debian's postgresql-15); initdb refuses root, so as root
# the cluster runs as the postgres user.
set -euo pipefail

pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/craftkit-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

cleanup() {
  as_owner "'$pgbin/pg_ctl' -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_owner "'$pgbin/initdb' -D '$dir/data' -A trust -U postgres --no-sync -E UTF8 >'$dir/initdb.log' 2>&1" \
  || { cat "$dir/initdb.log" >&2; exit 1; }
as_owner "'$pgbin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400\" start >/dev/null" \
  || { cat "$dir/server.log" >&2; exit 1; }

export CRAFTKIT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: $("$pgbin/postgres" --version) running on 127.0.0.1:$port (data in $dir)"
set +e
"$@"
status=$?
set -e
echo "with-postgres: stopping PostgreSQL"
exit $status
