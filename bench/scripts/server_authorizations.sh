#!/usr/bin/env bash
# Authorization requests per second against the management server with SQLite:
# bench_offcard_server_authorizations --serve starts the real server (SQLite WAL in a temp dir, software
# keystore in memory) with one profile-4 campaign of TARGETS SEs; wrk then POSTs authorization
# requests cycling through the SE identities over loopback (each one a fresh PAUT through the keystore,
# stored in one transaction). Baseline in the same run: GET /v1/health (no database, no keystore).
#   bench/scripts/server_authorizations.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [TARGETS]
set -euo pipefail
build=${1:-build}
duration=${2:-10}
connections=${3:-8}
targets=${4:-10000}
bench="$build/bench/bench_offcard_server_authorizations"
[ -x "$bench" ] || { echo "missing $bench (build target bench_offcard_server_authorizations)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 1; }
dir=$(mktemp -d)
"$bench" --serve "$dir" --targets "$targets" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do [ -s "$dir/ready" ] && break; sleep 0.1; done
[ -s "$dir/ready" ] || { echo "server did not start" >&2; exit 1; }
read -r port campaign token <"$dir/ready"
echo "server 127.0.0.1:$port, campaign $campaign, $targets targets; wrk -t2 -c$connections -d${duration}s"
echo "== baseline: GET /v1/health"
wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/v1/health" | tee "$dir/health.txt"
echo "== POST /v1/campaigns/$campaign/authorizations"
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$dir/wrk_authorizations.lua" "http://127.0.0.1:$port" |
  tee "$dir/auth.txt"
health=$(awk '/Requests\/sec/ {print $2}' "$dir/health.txt")
auth=$(awk '/Requests\/sec/ {print $2}' "$dir/auth.txt")
p99=$(awk '$1 == "99%" {print $2}' "$dir/auth.txt")
echo "authorizations/s: $auth  p99: $p99  health/s: $health  ratio auth/health: $(awk -v a="$auth" -v h="$health" 'BEGIN {printf "%.3f", a / h}')"
