#!/usr/bin/env bash
# Authorization requests per second with one and with several `sefleet server` processes on one
# PostgreSQL database. For each server count K of SERVERS (default "1 2", so one server is the baseline
# of the same run), on a fresh private schema of the database at PG_URL: K servers start (software
# keystore holding the kdf3 master key), a profile-3 campaign of TARGETS SEs (4 KiB image) is uploaded
# through the first, then one wrk per server runs at the same time (CONNECTIONS / K connections
# each, one thread), POSTing authorization requests that cycle through the SE identities; each server
# answers the SEs of its own slice. Printed per K: the sum of the rates, each wrk's p50 and p99, and the
# CPU seconds per authorization of the servers, of PostgreSQL (every process of the cluster: the
# postmaster's own and reaped children's time plus its living children's; the cluster must serve
# nothing else during the run) and of the wrk processes: on a 2-core machine the three share the cores.
# A first line `GET /v1/health` against one server (no database, no keystore) shows the HTTP ceiling.
#   PG_URL=postgresql://... bench/scripts/server_authorizations_pg.sh [BUILD_DIR] [DURATION_S, 10] [CONNECTIONS, 8] [TARGETS, 10000]
# Environment: SERVERS="1 2" (server counts, in order; "1 2 1 2" alternates them, so that a machine
# other work also loads spreads that load over both); SERVER_URLS="http://A http://B" measures servers
# already running instead (ADMIN_TOKEN_FILE and a master key labelled MASTER_KEY, default "master", in
# their keystore; then PG_URL is only used for the CPU of the cluster and may be empty); PG_DATA
# (the cluster's data directory, default: found from the URL's port).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/scripts/lib/machine.sh"
build=${1:-$root/build/release}
duration=${2:-10}
connections=${3:-8}
targets=${4:-10000}
counts=${SERVERS:-1 2}
external=${SERVER_URLS:-}
pg_url=${PG_URL:-}
[ -d "$build" ] || { echo "no build directory $build" >&2; exit 2; }
bin=$(cd "$build" && pwd)/apps/sefleet/sefleet
[ -x "$bin" ] || { echo "missing $bin" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (Debian package time)" >&2; exit 2; }
[ -n "$external" ] || [ -n "$pg_url" ] || { echo "set PG_URL (scripts/pg-sandbox.sh start DIR PORT) or SERVER_URLS" >&2; exit 2; }

postmaster=
if [ -n "$pg_url" ]; then
  pg_port=$(echo "$pg_url" | sed -n 's|.*@[^:/]*:\([0-9]*\)/.*|\1|p')
  pg_data=${PG_DATA:-$(ps -eo args | awk -v p="$pg_port" '$0 ~ "postgres .*-p " p "( |$)" {for (i = 1; i < NF; i++) if ($i == "-D") print $(i + 1)}' | head -n 1)}
  [ -f "$pg_data/postmaster.pid" ] && postmaster=$(head -n 1 "$pg_data/postmaster.pid")
fi
ticks=$(getconf CLK_TCK)
cpu_of() { awk -v hz="$ticks" -v all="${2:-}" '{ s = $14 + $15; if (all == "all") s += $16 + $17; print s / hz }' "/proc/$1/stat"; }
pg_cpu() {  # CPU seconds of the whole cluster so far (0 when it is not on this machine)
  [ -n "$postmaster" ] || { echo 0; return; }
  local total child
  total=$(cpu_of "$postmaster" all)
  for child in $(ps -o pid= --ppid "$postmaster"); do
    [ -r "/proc/$child/stat" ] && total=$(awk -v a="$total" -v b="$(cpu_of "$child" 2>/dev/null || echo 0)" 'BEGIN {print a + b}')
  done
  echo "$total"
}
sum_cpu() { local t=0 p; for p in "$@"; do t=$(awk -v a="$t" -v b="$(cpu_of "$p")" 'BEGIN {print a + b}'); done; echo "$t"; }

work=$(mktemp -d)
server_pids=()
schemas=()
stop_servers() {
  local pid
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  server_pids=()
}
cleanup() {
  stop_servers
  local s
  for s in "${schemas[@]}"; do psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

master=${MASTER_KEY:-master}
export SEFLEET_PASSPHRASE="authorization benchmark"
if [ -n "$external" ]; then
  cp "${ADMIN_TOKEN_FILE:?ADMIN_TOKEN_FILE is needed with SERVER_URLS}" "$work/admin.token"
else
  (umask 077
   head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/master.hex"
   echo "admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/admin.token")
  "$bin" hsm init --keystore "software:$work/hsm.sfks" >/dev/null
  "$bin" hsm import --keystore "software:$work/hsm.sfks" --label master --value-file "$work/master.hex" --usage mac >/dev/null
fi
# The design system's platform key (Kos) for the package; the SEs are never run here.
(umask 077; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/kos.hex")
"$bin" hsm init --keystore "software:$work/platform.sfks" >/dev/null
"$bin" hsm import --keystore "software:$work/platform.sfks" --label kos --value-file "$work/kos.hex" --usage wrap,encrypt >/dev/null
head -c 4096 /dev/urandom >"$work/body.bin"
"$bin" campaign build --keystore "software:$work/platform.sfks" \
  --body "$work/body.bin" --type application --platform 0102030405060708 --version 2.0 --name auth-bench --profile 3 \
  --kos kos --platform-key-version 1 -o "$work/package.sfcp" >/dev/null
awk -v n="$targets" 'BEGIN {for (i = 0; i < n; i++) printf "53454e4c%08x\n", i}' >"$work/targets.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_healthy() {
  for _ in $(seq 300); do curl -fsS "$1/v1/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server $1 did not come up" >&2
  exit 1
}
# lua FILE CAMPAIGN FIRST COUNT: a wrk script POSTing authorizations for SE numbers FIRST..FIRST+COUNT-1.
lua() {
  cat >"$1" <<LUA
local first, count, n = $3, $4, 0
wrk.method = "POST"
wrk.path = "/v1/campaigns/$2/authorizations"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $(cat "$work/admin.token")"
request = function()
  n = (n + 1) % count
  local body = string.format('{"se_id":"53454e4c%08x","kdd":"00112233445566778899","kvn":48,"i":112,"sequence_counter":5}', first + n)
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA
}

echo "# $(machine_line) at the start; wrk for ${duration}s, $connections connections in all, $targets targets"
results=()
run=0
for k in $counts; do
  run=$((run + 1))
  urls=()
  server_pids=()
  if [ -n "$external" ]; then
    read -r -a all_urls <<<"$external"
    urls=("${all_urls[@]:0:$k}")
    [ "${#urls[@]}" -eq "$k" ] || { echo "SERVER_URLS lists fewer than $k servers" >&2; exit 2; }
  else
    schema="auth_bench_$$_$run"
    schemas+=("$schema")
    psql -q "$pg_url" -c "CREATE SCHEMA $schema"
    db_url="$pg_url?options=-csearch_path%3D$schema"
    for s in $(seq "$k"); do
      port=$(free_port)
      "$bin" server --listen "127.0.0.1:$port" --db "$db_url" --keystore "software:$work/hsm.sfks" \
        --admin-token-file "$work/admin.token" >"$work/server-$k-$s.log" 2>&1 &
      server_pids+=($!)
      urls+=("http://127.0.0.1:$port")
    done
  fi
  for u in "${urls[@]}"; do wait_healthy "$u"; done
  "$bin" admin campaign upload "$work/package.sfcp" --master-key "$master" --targets-file "$work/targets.txt" \
    --name "auth-bench-$k" --json --server "${urls[0]}" --token-file "$work/admin.token" >"$work/upload-$k.json"
  campaign=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload-$k.json")
  if [ "$run" = 1 ]; then
    echo "-- GET /v1/health, one server, wrk -t1 -c$connections"
    /usr/bin/time -f "%U %S" -o "$work/health.time" wrk -t1 -c"$connections" -d"${duration}s" --latency "${urls[0]}/v1/health" >"$work/health.txt"
    echo "health: $(awk '/Requests\/sec/ {print $2}' "$work/health.txt")/s, p50 $(awk '$1 == "50%" {print $2}' "$work/health.txt"), p99 $(awk '$1 == "99%" {print $2}' "$work/health.txt")"
  fi
  per=$((connections / k))
  [ "$per" -ge 1 ] || per=1
  slice=$((targets / k))
  server_cpu0=$([ "${#server_pids[@]}" -gt 0 ] && sum_cpu "${server_pids[@]}" || echo 0)
  pg_cpu0=$(pg_cpu)
  wrk_pids=()
  for s in $(seq "$k"); do
    lua "$work/auth-$k-$s.lua" "$campaign" $(((s - 1) * slice)) "$slice"
    /usr/bin/time -f "%U %S" -o "$work/wrk-$k-$s.time" wrk -t1 -c"$per" -d"${duration}s" --latency \
      -s "$work/auth-$k-$s.lua" "${urls[$((s - 1))]}" >"$work/wrk-$k-$s.txt" &
    wrk_pids+=($!)
  done
  for p in "${wrk_pids[@]}"; do wait "$p"; done
  server_cpu=$([ "${#server_pids[@]}" -gt 0 ] && awk -v a="$server_cpu0" -v b="$(sum_cpu "${server_pids[@]}")" 'BEGIN {print b - a}' || echo 0)
  pg_used=$(awk -v a="$pg_cpu0" -v b="$(pg_cpu)" 'BEGIN {print b - a}')
  line=$(python3 - "$work" "$k" "$server_cpu" "$pg_used" "$duration" <<'PY'
import re, sys
work, k, server_cpu, pg_cpu, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rate = requests = errors = wrk_cpu = 0.0
parts = []
def ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
for s in range(1, k + 1):
    text = open(f"{work}/wrk-{k}-{s}.txt").read()
    rate += float(re.search(r"Requests/sec:\s*([0-9.]+)", text).group(1))
    requests += int(re.search(r"([0-9]+) requests in", text).group(1))
    errors += int(re.search(r"non-2xx: ([0-9]+)", text).group(1))
    p50 = ms(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1))
    p99 = ms(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1))
    parts.append(f"p50 {p50:.1f} ms p99 {p99:.1f} ms")
    u, sy = open(f"{work}/wrk-{k}-{s}.time").read().split()[-2:]
    wrk_cpu += float(u) + float(sy)
per = lambda c: c / requests * 1e6 if requests else 0
print(f"{k} server(s): {rate:.0f} authorizations/s ({int(requests)} in {duration:.0f} s, non-2xx {int(errors)}); "
      + "; ".join(f"server {i + 1}: {p}" for i, p in enumerate(parts))
      + f"; CPU per authorization: servers {per(server_cpu):.0f} µs, PostgreSQL {per(pg_cpu):.0f} µs, wrk {per(wrk_cpu):.0f} µs"
      + f" (CPU used {(server_cpu + pg_cpu + wrk_cpu) / duration:.2f} cores of the run's {duration:.0f} s)")
PY
)
  echo "$line"
  results+=("$line")
  stop_servers
done
echo "== summary ($(machine_line) at the end)"
printf '%s\n' "${results[@]}"
if [ "$(echo "$counts" | wc -w)" -ge 2 ]; then
  # The ratio of each server count's summed rates to the first count's (over its runs).
  printf '%s\n' "${results[@]}" | awk '{r[$1] += $3; n[$1]++; if (!($1 in seen)) {seen[$1] = 1; order[++m] = $1}}
    END {for (i = 2; i <= m; i++) printf "%s servers / %s: %.3f (mean %.0f/s vs %.0f/s)\n", order[i], order[1],
         (r[order[i]] / n[order[i]]) / (r[order[1]] / n[order[1]]), r[order[i]] / n[order[i]], r[order[1]] / n[order[1]]}'
fi
