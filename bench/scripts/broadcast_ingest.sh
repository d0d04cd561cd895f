#!/usr/bin/env bash
# SE ingest of the broadcast stream next to its baseline, `openssl speed -evp aes-128-cbc` (16 KiB
# blocks, encrypt), measured in the same run:
#   bench/scripts/broadcast_ingest.sh [build dir, default build/release] [rounds, default 3]
# bench_sim_broadcast_ingest sends a 16 MiB stream as 64 KB extended WRITE BLOCKs into a whole virtual
# SE, in process. Each round runs openssl speed and then the ingest on the same pinned core; the
# ratio of each round is printed and the median is the figure. Byte rates are per CPU second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/machine.sh"
build=${1:-build/release}
rounds=${2:-3}
bench=$build/bench/bench_sim_broadcast_ingest
[ -x "$bench" ] || { echo "missing $bench (build bench_sim_broadcast_ingest of the release preset first)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 2; }
read -r -a pin <<<"$(pin_command)"

json=$(mktemp)
trap 'rm -f "$json"' EXIT
echo "$(machine_line) at the start; pinned: ${pin[*]:-no}"
ratios=()
for round in $(seq 1 "$rounds"); do
  ossl=$(openssl_aes128cbc_bps 2)
  "${pin[@]}" "$bench" --benchmark_format=json --benchmark_out="$json" --benchmark_out_format=json >/dev/null
  ingest=$(awk '/"bytes_per_second":/ {v = $2; gsub(/,/, "", v); print v; exit}' "$json")
  ratio=$(awk -v i="$ingest" -v o="$ossl" 'BEGIN {printf "%.3f", i / o}')
  ratios+=("$ratio")
  awk -v n="$round" -v o="$ossl" -v i="$ingest" -v r="$ratio" 'BEGIN {
    printf "round %d: openssl speed %.0f MB/s, SE ingest %.0f MB/s, ratio %.2f\n", n, o / 1e6, i / 1e6, r }'
done
awk -v r="$(median "${ratios[@]}")" 'BEGIN {
  printf "SE ingest (16 MiB in 64 KB extended WRITE BLOCKs) / openssl speed -evp aes-128-cbc, median of the rounds: %.2f (target >= 0.60)\n", r }'
echo "$(machine_line) at the end"
