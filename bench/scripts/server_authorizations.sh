#!/usr/bin/env bash
# Authorization requests per second against the management server with SQLite:
# bench_offcard_server_authorizations --serve starts the real server (SQLite WAL in a temp dir, software
# keystore in memory) with one profile-4 campaign of TARGETS SEs; wrk then POSTs authorization
# requests cycling through the SE identities over loopback (each one a fresh PAUT through the keystore,
# stored in one transaction). Baseline in the same run: GET /v1/health (no database, no keystore).
#   bench/scripts/server_authorizations.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [TARGETS]
# Environment:
#   IDLE=N        also measure the authorizations with N idle keep-alive connections held open
#                 alongside (bench/scripts/idle_connections.py); default 0 (skip)
#   BASELINE=BIN  another build's bench_offcard_server_authorizations, measured first in the same run
#                 with the same settings (e.g. the build before a change), for a ratio
#   ROUNDS=N      measure baseline and build alternately N times (default 1): on a machine other work
#                 also loads, interleaving spreads that load over both; the ratios use the sums of rates
set -euo pipefail
build=${1:-build}
duration=${2:-10}
connections=${3:-8}
targets=${4:-10000}
idle=${IDLE:-0}
baseline=${BASELINE:-}
rounds=${ROUNDS:-1}
here=$(cd "$(dirname "$0")" && pwd)
bench="$build/bench/bench_offcard_server_authorizations"
[ -x "$bench" ] || { echo "missing $bench (build target bench_offcard_server_authorizations)" >&2; exit 1; }
[ -z "$baseline" ] || [ -x "$baseline" ] || { echo "BASELINE=$baseline is not an executable" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 1; }
work=$(mktemp -d)
server_pid=
idle_pid=
stop() {
  [ -z "$idle_pid" ] || { kill "$idle_pid" 2>/dev/null; wait "$idle_pid" 2>/dev/null || true; }
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  idle_pid= server_pid=
}
trap 'stop; rm -rf "$work"' EXIT

# The server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)
# wrk_run NAME ARGS...: wrk with latency output into $work/NAME.txt (and on the terminal), and the
# server's CPU time during the run into $work/NAME.cpu (µs per request: a machine shared with other
# work changes the rate more than the cost).
wrk_run() {
  local name=$1
  shift
  local before
  before=$(cpu_ticks)
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" | tee "$work/$name.txt"
  awk -v t="$(($(cpu_ticks) - before))" -v hz="$ticks_per_second" '/^ *[0-9]+ requests in/ {
        printf "%.0f", t / hz * 1e6 / ($1 > 0 ? $1 : 1) }' "$work/$name.txt" >"$work/$name.cpu"
}
cpu() { cat "$work/$1.cpu"; }
rate() { awk '/Requests\/sec/ {print $2}' "$work/$1.txt"; }
p99() { awk '$1 == "99%" {print $2}' "$work/$1.txt"; }
# "non-2xx N, timeouts T": refused answers (the Lua script's count) and requests wrk gave up on.
errors() {
  awk '/^non-2xx:/ {n = $2} /Socket errors/ {for (i = 1; i < NF; i++) if ($i == "timeout") t = $(i + 1)}
       END {printf "non-2xx %d, timeouts %d", n, t}' "$work/$1.txt"
}

# measure LABEL BINARY: one server, health then authorizations (then with idle connections).
measure() {
  local label=$1 binary=$2 dir=$work/$1
  mkdir -p "$dir"
  "$binary" --serve "$dir" --targets "$targets" &
  server_pid=$!
  for _ in $(seq 1 600); do [ -s "$dir/ready" ] && break; sleep 0.1; done
  [ -s "$dir/ready" ] || { echo "$label: server did not start" >&2; exit 1; }
  local port campaign token
  read -r port campaign token <"$dir/ready"
  echo "== $label ($binary): server 127.0.0.1:$port, $targets targets; wrk -t2 -c$connections -d${duration}s"
  echo "-- GET /v1/health"
  wrk_run "$label-health" "http://127.0.0.1:$port/v1/health"
  echo "-- POST /v1/campaigns/$campaign/authorizations"
  wrk_run "$label-auth" -s "$dir/wrk_authorizations.lua" "http://127.0.0.1:$port"
  local summary="$label: authorizations/s $(rate "$label-auth") p99 $(p99 "$label-auth") ($(errors "$label-auth")), server CPU $(cpu "$label-auth") µs/request; health/s $(rate "$label-health") ($(cpu "$label-health") µs/request)"
  if [ "$idle" -gt 0 ]; then
    "$here/idle_connections.py" "$port" "$idle" "$dir/idle_ready" &
    idle_pid=$!
    for _ in $(seq 1 200); do [ -s "$dir/idle_ready" ] && break; sleep 0.1; done
    local answered opened
    read -r answered opened <"$dir/idle_ready" || { echo "$label: idle connections not set up" >&2; exit 1; }
    echo "-- POST .../authorizations with $opened idle keep-alive connections open ($answered answered their GET)"
    wrk_run "$label-auth-idle" --timeout 5s -s "$dir/wrk_authorizations.lua" "http://127.0.0.1:$port" || true
    summary+="; with $idle idle: authorizations/s $(rate "$label-auth-idle") p99 $(p99 "$label-auth-idle") ($(errors "$label-auth-idle"), idle answered $answered/$opened), $(cpu "$label-auth-idle") µs/request"
  fi
  stop
  echo "$summary" >>"$work/summary"
}

for round in $(seq 1 "$rounds"); do
  [ -z "$baseline" ] || measure "baseline-$round" "$baseline"
  measure "build-$round" "$bench"
done
echo "== summary (CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
cat "$work/summary"
# sum_rates KIND: the sum over the rounds of KIND's rate (KIND e.g. build-auth, baseline-auth-idle).
sum_rates() {
  local kind=$1 total=0 round
  for round in $(seq 1 "$rounds"); do
    total=$(awk -v t="$total" -v r="$(rate "${kind%%-*}-$round-${kind#*-}")" 'BEGIN {print t + r}')
  done
  echo "$total"
}
if [ -n "$baseline" ]; then
  for round in $(seq 1 "$rounds"); do
    awk -v a="$(rate "build-$round-auth")" -v b="$(rate "baseline-$round-auth")" -v r="$round" \
      'BEGIN {printf "round %d: authorizations/s build/baseline: %.3f\n", r, a / b}'
  done
  awk -v a="$(sum_rates build-auth)" -v b="$(sum_rates baseline-auth)" -v n="$rounds" \
    'BEGIN {printf "authorizations/s build/baseline over %d round(s): %.3f (%.0f/s vs %.0f/s)\n", n, a / b, a / n, b / n}'
fi
if [ "$idle" -gt 0 ]; then
  awk -v a="$(sum_rates build-auth-idle)" -v b="$(sum_rates build-auth)" -v n="$rounds" \
    'BEGIN {printf "build: with idle / without over %d round(s): %.3f\n", n, a / b}'
fi
