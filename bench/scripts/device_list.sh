#!/usr/bin/env bash
# The admin device list (GET /v1/devices) at fleet size: one campaign of TARGETS SEs (random 8-byte SE
# ids) uploaded through the API (POST /v1/campaigns), a spread of device states written into the
# targets table with SQL (the list reads states only from there; the campaign's counters are left as
# they were), then each query asked REPEAT times with curl, the median wall time printed in ms:
#   first page       limit=50
#   last page        limit=50&offset=TARGETS-50
#   state            state=quarantined&limit=50 (1 % of the SEs)
#   campaign+state   campaign=<id>&state=retry&limit=50 (10 %)
#   contains 4       q=<4 hex digits of one SE id>&limit=50 (anywhere in the id)
#   prefix 4         q=<its first 4 hex digits>&match=prefix&limit=50
#   contains id      q=<a whole SE id>&limit=50
#   prefix id        q=<a whole SE id>&match=prefix&limit=50
# and GET /v1/health (no database) as the floor. On SQLite, and on PostgreSQL when PG_URL is set (a
# private schema, dropped at the end).
#   bench/scripts/device_list.sh [BUILD_DIR] [TARGETS] [REPEAT]
# Environment:
#   PG_URL=postgresql://...   also measure PostgreSQL (e.g. from scripts/pg-sandbox.sh)
#   BASELINE=BIN              another sefleet binary (e.g. the build before a change), measured on the same
#                             data in the same run, each query's ratio baseline / build printed. A baseline
#                             that does not know match=prefix answers 400 to those queries: shown as "-".
set -euo pipefail
build=${1:-build}
targets=${2:-100000}
repeat=${3:-7}
baseline=${BASELINE:-}
pg_url=${PG_URL:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/machine.sh"
bin="$build/apps/sefleet/sefleet"
[ -x "$bin" ] || { echo "missing $bin (build target sefleet)" >&2; exit 1; }
[ -z "$baseline" ] || [ -x "$baseline" ] || { echo "BASELINE=$baseline is not an executable" >&2; exit 1; }
work=$(mktemp -d)
server_pid=
schemas=()
stop_server() {
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  server_pid=
}
cleanup() {
  stop_server
  for schema in "${schemas[@]}"; do psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- keys and a small package (profile 3), as the end-to-end tests make them -----------------------
export SEFLEET_PASSPHRASE="device list bench"
(umask 077; echo 000102030405060708090A0B0C0D0E0F >"$work/master.hex"; echo 404142434445464748494A4B4C4D4E4F >"$work/kos.hex"
 echo "admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/admin.token")
platform=software:$work/platform.sfks
hsm=software:$work/hsm.sfks
"$bin" hsm init --keystore "$platform" >/dev/null
"$bin" hsm import --keystore "$platform" --label kos --value-file "$work/kos.hex" --usage wrap,encrypt >/dev/null
"$bin" hsm init --keystore "$hsm" >/dev/null
"$bin" hsm import --keystore "$hsm" --label master --value-file "$work/master.hex" --usage mac >/dev/null
head -c 3000 /dev/urandom >"$work/body.bin"
"$bin" campaign build --keystore "$platform" --body "$work/body.bin" --type application --platform 0102030405060708 \
  --version 1.0 --name bench --profile 3 --kos kos --platform-key-version 1 --chunk-size 200 -o "$work/bench.sfcp" \
  >/dev/null
python3 -c 'import os,sys; [print(os.urandom(8).hex()) for _ in range(int(sys.argv[1]))]' "$targets" >"$work/targets.txt"
python3 - "$work" <<'PY'
import base64, json, sys
work = sys.argv[1]
targets = open(f"{work}/targets.txt").read().split()
package = base64.b64encode(open(f"{work}/bench.sfcp", "rb").read()).decode()
json.dump({"name": "bench", "package": package, "master_key": "master", "targets": targets},
          open(f"{work}/upload-body.json", "w"))
PY
probe=$(sed -n "$((targets / 2))p" "$work/targets.txt")  # an SE id from the middle of the file
contains4=${probe:6:4}
prefix4=${probe:0:4}

# start BIN DB_URL: a server on a free port; sets $url.
start() {
  local port
  port=$(free_port)
  url=http://127.0.0.1:$port
  "$1" server --listen "127.0.0.1:$port" --db "$2" --keystore "$hsm" --admin-token-file "$work/admin.token" \
    >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do curl -fsS "$url/v1/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server did not come up: $(tail -n 5 "$work/server.log")" >&2
  exit 1
}

# median_ms PATH: the median of REPEAT timed GETs, in ms; "-" when the answer is not 200.
median_ms() {
  local times=() status t
  for _ in $(seq "$repeat"); do
    read -r status t < <(curl -s -o "$work/answer.json" -w '%{http_code} %{time_total}\n' \
      -H "Authorization: Bearer $(cat "$work/admin.token")" "$url$1")
    [ "$status" = 200 ] || { echo "-"; return; }
    times+=("$t")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.1f\n", a[int((NR + 1) / 2)] * 1000}'
}

# measure NAME BIN DB_URL STATE_SQL_RUNNER: upload, spread the states, time every query into $work/NAME.
measure() {
  local name=$1 binary=$2 db=$3 sql=$4
  start "$binary" "$db"
  # curl rather than `sefleet admin campaign upload`: inserting 100,000 targets on a loaded machine may take
  # longer than the admin client's 30 s read timeout.
  curl -fsS --max-time 900 -H "Authorization: Bearer $(cat "$work/admin.token")" -H 'Content-Type: application/json' \
    --data-binary "@$work/upload-body.json" "$url/v1/campaigns" >"$work/upload.json"
  local campaign
  campaign=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")
  $sql "UPDATE targets SET state = CASE WHEN rank % 100 = 1 THEN 'quarantined' WHEN rank % 10 = 0 THEN 'retry'
        WHEN rank % 2 = 0 THEN 'updated' ELSE 'pending' END"
  : >"$work/$name"
  local query
  for query in "/v1/health" "/v1/devices?limit=50" "/v1/devices?limit=50&offset=$((targets - 50))" \
    "/v1/devices?state=quarantined&limit=50" "/v1/devices?campaign=$campaign&state=retry&limit=50" \
    "/v1/devices?q=$contains4&limit=50" "/v1/devices?q=$prefix4&match=prefix&limit=50" \
    "/v1/devices?q=$probe&limit=50" "/v1/devices?q=$probe&match=prefix&limit=50"; do
    median_ms "$query" >>"$work/$name"
  done
  stop_server
}

labels=("health (floor)" "first page" "last page" "state (1 %)" "campaign+state (10 %)" "contains 4 digits"
  "prefix 4 digits" "contains whole id" "prefix whole id")
# report NAME [BASELINE_NAME]
report() {
  local k=0 value base
  while read -r value; do
    if [ -n "${2:-}" ]; then
      base=$(sed -n "$((k + 1))p" "$work/$2")
      printf '  %-24s %9s ms   baseline %9s ms   ratio %s\n' "${labels[$k]}" "$value" "$base" \
        "$(awk -v b="$base" -v v="$value" 'BEGIN {if (b == "-" || v == "-" || v == 0) print "-"; else printf "%.1f", b / v}')"
    else
      printf '  %-24s %9s ms\n' "${labels[$k]}" "$value"
    fi
    k=$((k + 1))
  done <"$work/$1"
}

sqlite_sql() { sqlite3 "$sqlite_path" "$1"; }
echo "device list at $targets targets, median of $repeat requests (curl over loopback)"
machine_line
for backend in sqlite postgresql; do
  [ "$backend" = sqlite ] || [ -n "$pg_url" ] || continue
  for which in build baseline; do
    [ "$which" = build ] || [ -n "$baseline" ] || continue
    binary=$bin
    [ "$which" = build ] || binary=$baseline
    if [ "$backend" = sqlite ]; then
      sqlite_path=$work/$which.db
      measure "$backend-$which" "$binary" "sqlite:$sqlite_path" sqlite_sql
    else
      schema="device_list_${which}_$$"
      schemas+=("$schema")
      psql -q "$pg_url" -c "CREATE SCHEMA $schema"
      pg_db="$pg_url?options=-csearch_path%3D$schema"
      pg_sql() { psql -q "$pg_db" -c "$1" >/dev/null && psql -q "$pg_db" -c "VACUUM ANALYZE targets" >/dev/null; }
      measure "$backend-$which" "$binary" "$pg_db" pg_sql
    fi
  done
  echo "$backend:"
  if [ -n "$baseline" ]; then report "$backend-build" "$backend-baseline"; else report "$backend-build"; fi
done
machine_line
