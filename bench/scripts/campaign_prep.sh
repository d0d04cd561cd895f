#!/usr/bin/env bash
# Campaign preparation for 1,000 SEs and a 1 MiB image: broadcast (one PSE + 1,000 PAUTs)
# against the per-SE alternative (one SCP03-wrapped copy of the image per SE), measured in one run.
#   bench/scripts/campaign_prep.sh [build dir, default build/release]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
bench=$build/bench/bench_offcard_campaign_prep
[ -x "$bench" ] || { echo "missing $bench (build the release preset first)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bench" --benchmark_format=json --benchmark_out="$work/bench.json" --benchmark_out_format=json >/dev/null
time_of() {  # $1 benchmark name prefix -> real_time in ms
  awk -v want="$1" '
    /"name":/ { name = $0; gsub(/.*"name": "|",$/, "", name) }
    index(name, want) == 1 && /"real_time":/ { v = $2; gsub(/,/, "", v); print v; exit }' "$work/bench.json"
}
broadcast=$(time_of BM_PrepareBroadcastCampaign)
per_se=$(time_of BM_PreparePerSeCopies)
awk -v b="$broadcast" -v p="$per_se" 'BEGIN {
  printf "broadcast: one PSE + 1000 PAUTs:         %8.1f ms\n", b
  printf "per SE: 1000 SCP03-wrapped image copies: %8.1f ms\n", p
  printf "per-SE / broadcast: %.0fx (target >= 100x)\n", p / b
}'
