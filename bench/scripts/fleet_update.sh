#!/usr/bin/env bash
# Fleet update through the real management server: `sefleet demo` with N virtual SEs and an
# image of SIZE bytes (SQLite, software keystore, terminals over HTTP on loopback, all in one process),
# under /usr/bin/time -v for the process's peak memory. Baseline in the same run:
# bench_sim_broadcast_ingest (one SE ingesting the broadcast stream in process, no server, no HTTP),
# turned into the SEs/s one core would reach if ingesting the PSE were the only cost.
#   bench/scripts/fleet_update.sh [build dir, default build/release] [SEs, default 1000] [image bytes, default 262144]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/scripts/lib/machine.sh"
build=${1:-$root/build/release}
# Absolute, because the demo runs in a temporary directory (a relative build dir would name nothing there).
[ -d "$build" ] || { echo "no build directory $build" >&2; exit 2; }
build=$(cd "$build" && pwd)
ses=${2:-1000}
size=${3:-262144}
bin=$build/apps/sefleet/sefleet
bench=$build/bench/bench_sim_broadcast_ingest
[ -x "$bin" ] || { echo "missing $bin (build the release preset first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (Debian package time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && /usr/bin/time -v "$bin" demo --ses "$ses" --image-size "$size" --terminals 4 --json --report "" \
  >"$work/summary.json" 2>"$work/time.txt")
peak_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$work/time.txt")
cpu=$(awk -F: '/User time|System time/ {s += $2} END {print s}' "$work/time.txt")
echo "$(machine_line) after the fleet run"
/usr/bin/python3 - "$work/summary.json" "$peak_kb" "$wall" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"fleet update: {s['ses']} SEs, image {s['image_size']} B, PSE {s['pse_bytes']} B / {s['pse_commands']} commands, "
      f"{s['terminals']} terminals")
print(f"  finals {s['finals']}, attempts {s['attempts']}, as planned: {s['as_planned']}")
print(f"  campaign {s['campaign_seconds']:.2f} s (target <= 60 s), setup {s['setup_seconds']:.2f} s, "
      f"{s['ses_per_second']:.1f} SEs/s; process wall {sys.argv[3]}")
print(f"  peak RSS of the process (server + terminals + {s['ses']} virtual SEs): {int(sys.argv[2]) / 1024:.0f} MiB")
PY
if [ -x "$bench" ]; then
  "$bench" --benchmark_format=json --benchmark_out="$work/bench.json" --benchmark_out_format=json >/dev/null
  ingest_bps=$(awk '/"bytes_per_second":/ {v = $2; gsub(/,/, "", v); print v; exit}' "$work/bench.json")
  /usr/bin/python3 - "$work/summary.json" "$ingest_bps" "$cpu" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); bps = float(sys.argv[2]); cpu = float(sys.argv[3])
ideal = bps / s["pse_bytes"]
per_core = s["ses"] / cpu
print(f"baseline: SE ingest in process {bps / 1e6:.0f} MB/s = {ideal:.1f} SEs/s per core if ingest were the only cost")
print(f"  fleet through the server / baseline (one core): {s['ses_per_second'] / ideal:.3f}")
print(f"  fleet per core: {s['ses']} SEs in {cpu:.2f} s of CPU time (user + system, setup included) = "
      f"{per_core:.1f} SEs per CPU second = {per_core / ideal:.3f} of the baseline (target >= 0.10)")
PY
else
  echo "baseline skipped: $bench missing (configure with SEFLEET_BUILD_BENCH=ON)"
fi
