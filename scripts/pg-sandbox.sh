#!/usr/bin/env bash
# A private PostgreSQL server for tests and benchmarks, started from Debian's binaries without systemd.
#   scripts/pg-sandbox.sh start DIR [PORT]   -> prints the connection URL (postgresql://...)
#   scripts/pg-sandbox.sh url DIR            -> prints the URL of a running sandbox
#   scripts/pg-sandbox.sh stop DIR
# The cluster lives in DIR (owned by the postgres user, since the server refuses to run as root)
# and listens on 127.0.0.1:PORT only.
set -euo pipefail
cmd=${1:?usage: pg-sandbox.sh start|stop|url DIR [PORT]}
dir=${2:?usage: pg-sandbox.sh start|stop|url DIR [PORT]}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/pg_ctl" ] || { echo "pg-sandbox: PostgreSQL server binaries not found (install 'postgresql')" >&2; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$dir"
      runuser -u postgres -- test -w "$dir" ||
        { echo "pg-sandbox: user postgres cannot reach $dir (a parent directory is not world-traversable)" >&2; exit 1; }
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    echo "$port" >"$dir/port"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/port"
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    fi
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sefleet_test'" |
      grep -q 1 || as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres sefleet_test
    echo "postgresql://postgres@127.0.0.1:$port/sefleet_test"
    ;;
  url)
    echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/sefleet_test"
    ;;
  stop)
    if [ -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *) echo "pg-sandbox: unknown command $cmd" >&2; exit 2 ;;
esac
