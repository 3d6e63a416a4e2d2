#!/usr/bin/env bash
# Print a PostgreSQL URL for the test suite, starting a private server when none is given.
# Uses TEST_DATABASE_URL when set and reachable; otherwise installs Debian's postgresql if missing
# (CI runs as root) and runs a throwaway cluster on 127.0.0.1:${PGPORT:-54329}.
set -euo pipefail
if [ -n "${TEST_DATABASE_URL:-}" ]; then echo "$TEST_DATABASE_URL"; exit 0; fi
port="${PGPORT:-54329}"
data="${PGDATA_DIR:-/tmp/shanet-pgdata-$port}"
url="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  echo "installing PostgreSQL (Debian package)..." >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    echo "PostgreSQL is not installed: install Debian's postgresql or set TEST_DATABASE_URL" >&2; exit 1
  fi
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then echo "$url"; exit 0; fi
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
  as_pg "$bindir/initdb -D '$data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >&2
fi
as_pg "$bindir/pg_ctl -D '$data' -l '$data/server.log' -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -w start" >&2
echo "$url"
