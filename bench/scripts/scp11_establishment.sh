#!/usr/bin/env bash
# SCP11 session establishment figures for docs/benchmarks.md, with the `openssl speed ecdhp256`
# baseline measured in the same run:
#   bench/scripts/scp11_establishment.sh [build dir, default build/release] [rounds, default $ROUNDS or 3]
# Each round runs `openssl speed -seconds 3 ecdhp256`, then bench_gp_scp11 (the SCP11 protocol of both
# roles) and bench_card_scp11 (the card's commands through the whole virtual SE), all pinned to the
# same core, and prints each figure as a multiple of two ECDH of that round's openssl speed (target for
# SCP11b, card and host: <= 2.5). The median of the rounds is the figure. Times are CPU time per
# operation on both sides (openssl speed's default and Google Benchmark's cpu_time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/machine.sh"
target=${1:-build/release}
rounds=${2:-${ROUNDS:-3}}
gp_bench=$target/bench/bench_gp_scp11
card_bench=$target/bench/bench_card_scp11
for bench in "$gp_bench" "$card_bench"; do
  [ -x "$bench" ] || { echo "no benchmark binary at $bench (build bench_gp_scp11 and bench_card_scp11 of the release preset first)" >&2; exit 2; }
done
command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 2; }
read -r -a pin <<<"$(pin_command)"

json=$(mktemp)
trap 'rm -f "$json"' EXIT
# The cpu_time (microseconds) of one benchmark in the last JSON report.
cpu_us() {
  awk -v want="$1" '
    /"name":/ { name = $0; gsub(/.*"name": "|",$/, "", name) }
    name == want && /"cpu_time":/ { value = $0; gsub(/.*: |,$/, "", value); print value; exit }' "$json"
}
# openssl speed -mr prints "+F5:<n>:256:<ECDH op/s>:<seconds per op>" for ecdhp256.
openssl_ecdh_per_s() {
  "${pin[@]}" openssl speed -mr -seconds 3 ecdhp256 2>/dev/null | awk -F: '/^\+F5:/ && $3 == 256 {print $4; exit}'
}
run() {  # $1 = benchmark binary; leaves its JSON report in $json
  "${pin[@]}" "$1" --benchmark_min_time=2 --benchmark_format=json --benchmark_out="$json" \
    --benchmark_out_format=json >/dev/null
}

echo "$(machine_line) at the start; pinned: ${pin[*]:-no}; $(openssl version)"
card=() host=() isd=() card_a=() isd_a=()
for round in $(seq 1 "$rounds"); do
  ops=$(openssl_ecdh_per_s)
  [ -n "$ops" ] || { echo "could not read openssl speed's ECDH rate" >&2; exit 1; }
  run "$gp_bench"
  c=$(cpu_us BM_CardScp11bEstablish) h=$(cpu_us BM_HostScp11bEstablish) ca=$(cpu_us BM_CardScp11aEstablish)
  b=$(cpu_us BM_BaselineEcdhP256)
  run "$card_bench"
  i=$(cpu_us BM_IsdScp11bEstablish) ia=$(cpu_us BM_IsdScp11aEstablish)
  two=$(awk -v o="$ops" 'BEGIN {printf "%.3f", 2e6 / o}')  # two ECDH, microseconds
  ratio() { awk -v t="$1" -v two="$two" 'BEGIN {printf "%.2f", t / two}'; }
  card+=("$(ratio "$c")") host+=("$(ratio "$h")") isd+=("$(ratio "$i")") card_a+=("$(ratio "$ca")") isd_a+=("$(ratio "$ia")")
  printf 'round %d: openssl speed ecdhp256 %.0f op/s (two ECDH %.1f us; in-process ECDH %.1f us)\n' "$round" "$ops" "$two" "$b"
  printf '  SCP11b card (gp::scp11)  %7.1f us  %5sx\n' "$c" "${card[-1]}"
  printf '  SCP11b card (whole SE)   %7.1f us  %5sx\n' "$i" "${isd[-1]}"
  printf '  SCP11b host              %7.1f us  %5sx\n' "$h" "${host[-1]}"
  printf '  SCP11a card (gp::scp11)  %7.1f us  %5sx  (2 certificates + MUTUAL AUTHENTICATE, information)\n' "$ca" "${card_a[-1]}"
  printf '  SCP11a card (whole SE)   %7.1f us  %5sx  (information)\n' "$ia" "${isd_a[-1]}"
done
echo "median of $rounds rounds, as multiples of two ECDH of openssl speed (target for SCP11b: <= 2.5):"
echo "  SCP11b card (gp::scp11) $(median "${card[@]}"), card (whole SE) $(median "${isd[@]}"), host $(median "${host[@]}")"
echo "  SCP11a card (gp::scp11) $(median "${card_a[@]}"), card (whole SE) $(median "${isd_a[@]}")"
echo "$(machine_line) at the end"
