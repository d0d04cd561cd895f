#!/usr/bin/env bash
# SCP03 figures for docs/benchmarks.md, with the `openssl speed` baseline measured in the same run.
#   bench/scripts/scp03_throughput.sh [path/to/bench_gp_scp03]
# Prints: the round-trip median, the card-unwrap throughput, openssl's AES-128-CBC encrypt
# throughput (16 KB blocks), and the ratio, each pinned to one core with taskset when available.
set -euo pipefail
bench=${1:-build/release/bench/bench_gp_scp03}
[ -x "$bench" ] || { echo "no benchmark binary at $bench (build the release preset first)" >&2; exit 2; }
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

json=$(mktemp)
trap 'rm -f "$json"' EXIT
"${pin[@]}" "$bench" --benchmark_format=json --benchmark_out="$json" --benchmark_out_format=json >/dev/null
openssl_line=$("${pin[@]}" openssl speed -evp aes-128-cbc -bytes 16384 -seconds 3 2>/dev/null | grep -i '^aes-128-cbc' | tail -1)
openssl_kbps=$(echo "$openssl_line" | awk '{print $NF}' | tr -d 'k')

# Median rows of the JSON report: name, real_time (ns or us) and bytes_per_second.
median() {  # $1 = benchmark name prefix, $2 = field
  awk -v want="$1" -v field="$2" '
    /"name":/ { name = $0; gsub(/.*"name": "|",$/, "", name) }
    index(name, want) == 1 && name ~ /_median$/ && $0 ~ "\"" field "\":" {
      value = $0; gsub(/.*: |,$/, "", value); print value; exit }' "$json"
}
rt16=$(median "BM_RoundTrip16Level33/16/" real_time)
rt32=$(median "BM_RoundTrip16Level33/32/" real_time)
unwrap03=$(median "BM_CardUnwrap64K/3/" bytes_per_second)
unwrap33=$(median "BM_CardUnwrap64K/51/" bytes_per_second)
baseline=$(median "BM_BaselineAes128CbcEncrypt64K" bytes_per_second)

awk -v rt16="$rt16" -v rt32="$rt32" -v u03="$unwrap03" -v u33="$unwrap33" -v base="$baseline" -v ossl="$openssl_kbps" 'BEGIN {
  ossl_bps = ossl * 1000
  printf "round trip, 16 B command + 16 B response, level 33, AES-128: median %.2f us (target <= 3 us)\n", rt16 / 1000
  printf "round trip, 16 B command + 16 B response, level 33, AES-256: median %.2f us\n", rt32 / 1000
  printf "card unwrap of 64 KB commands, level 03: %.0f MB/s\n", u03 / 1e6
  printf "card unwrap of 64 KB commands, level 33: %.0f MB/s\n", u33 / 1e6
  printf "baseline openssl speed -evp aes-128-cbc (16 KB blocks): %.0f MB/s\n", ossl_bps / 1e6
  printf "baseline in-process AES-128-CBC encrypt (64 KB): %.0f MB/s\n", base / 1e6
  printf "unwrap / openssl speed: %.0f %% (level 03), %.0f %% (level 33) (target >= 60 %%)\n", 100 * u03 / ossl_bps, 100 * u33 / ossl_bps
}'
