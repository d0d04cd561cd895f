#!/usr/bin/env bash
# SCP03 figures for docs/benchmarks.md, with the `openssl speed -evp aes-128-cbc` baseline measured in
# the same run:
#   bench/scripts/scp03_throughput.sh [build dir | path/to/bench_gp_scp03] [rounds, default 3]
# Each round runs openssl speed and then the card-unwrap benchmark on the same pinned core, so that
# a busy machine slows both alike; the ratio of each round is printed and the median is the figure.
# Then the round-trip latency once. Byte rates are per CPU second on both sides.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/machine.sh"
target=${1:-build/release}
rounds=${2:-3}
bench=$target
[ -d "$target" ] && bench=$target/bench/bench_gp_scp03
[ -x "$bench" ] || { echo "no benchmark binary at $bench (build bench_gp_scp03 of the release preset first)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 2; }
read -r -a pin <<<"$(pin_command)"

json=$(mktemp)
trap 'rm -f "$json"' EXIT
# The median row of one benchmark in the JSON report: $1 = name prefix, $2 = field.
field() {
  awk -v want="$1" -v field="$2" '
    /"name":/ { name = $0; gsub(/.*"name": "|",$/, "", name) }
    index(name, want) == 1 && name ~ /_median$/ && $0 ~ "\"" field "\":" {
      value = $0; gsub(/.*: |,$/, "", value); print value; exit }' "$json"
}

echo "$(machine_line) at the start; pinned: ${pin[*]:-no}"
ratios03=() ratios33=()
for round in $(seq 1 "$rounds"); do
  ossl=$(openssl_aes128cbc_bps 2)
  "${pin[@]}" "$bench" --benchmark_filter='BM_CardUnwrap64K|BM_BaselineAes128CbcEncrypt64K' \
    --benchmark_format=json --benchmark_out="$json" --benchmark_out_format=json >/dev/null
  u03=$(field "BM_CardUnwrap64K/3/" bytes_per_second)
  u33=$(field "BM_CardUnwrap64K/51/" bytes_per_second)
  base=$(field "BM_BaselineAes128CbcEncrypt64K" bytes_per_second)
  r03=$(awk -v u="$u03" -v o="$ossl" 'BEGIN {printf "%.3f", u / o}')
  r33=$(awk -v u="$u33" -v o="$ossl" 'BEGIN {printf "%.3f", u / o}')
  ratios03+=("$r03") ratios33+=("$r33")
  awk -v n="$round" -v o="$ossl" -v u03="$u03" -v u33="$u33" -v b="$base" -v r03="$r03" -v r33="$r33" 'BEGIN {
    printf "round %d: openssl speed %.0f MB/s, in-process AES-128-CBC %.0f MB/s, unwrap level 03 %.0f MB/s (%.1f %%), level 33 %.0f MB/s (%.1f %%)\n",
      n, o / 1e6, b / 1e6, u03 / 1e6, 100 * r03, u33 / 1e6, 100 * r33 }'
done
m03=$(median "${ratios03[@]}")
m33=$(median "${ratios33[@]}")
awk -v a="$m03" -v b="$m33" 'BEGIN {
  printf "card unwrap (C-MAC verify + C-DECRYPTION) of 64 KB commands / openssl speed -evp aes-128-cbc, median of the rounds: %.1f %% (level 03), %.1f %% (level 33) (target >= 70 %%)\n", 100 * a, 100 * b }'

"${pin[@]}" "$bench" --benchmark_filter='BM_RoundTrip16Level33' \
  --benchmark_format=json --benchmark_out="$json" --benchmark_out_format=json >/dev/null
awk -v a="$(field "BM_RoundTrip16Level33/16/" real_time)" -v b="$(field "BM_RoundTrip16Level33/32/" real_time)" 'BEGIN {
  printf "round trip, 16 B command + 16 B response, level 33: median %.2f us with AES-128 (target <= 3 us), %.2f us with AES-256\n", a / 1000, b / 1000 }'
echo "$(machine_line) at the end"
