#!/usr/bin/env bash
# SE ingest of the broadcast stream (issue 4), next to its baseline in the same run:
#   `openssl speed -evp aes-128-cbc` encrypt throughput at 16 KiB blocks (one core), and
#   bench_sim_broadcast_ingest (16 MiB in 64 KB extended WRITE BLOCKs into a virtual SE, in-process).
#   bench/scripts/broadcast_ingest.sh [build dir, default build/release]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
bench=$build/bench/bench_sim_broadcast_ingest
[ -x "$bench" ] || { echo "missing $bench (build the release preset first)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# openssl speed -mr prints "+F:<n>:<alg>:<rate per block size in bytes/s>..." per algorithm.
openssl speed -mr -seconds 3 -bytes 16384 -evp aes-128-cbc >"$work/openssl.txt" 2>/dev/null
openssl_bps=$(awk -F: '/^\+F:/ {print $4; exit}' "$work/openssl.txt")
"$bench" --benchmark_format=json --benchmark_out="$work/bench.json" --benchmark_out_format=json >/dev/null
ingest_bps=$(awk '/"bytes_per_second":/ {v = $2; gsub(/,/, "", v); print v; exit}' "$work/bench.json")
awk -v o="$openssl_bps" -v i="$ingest_bps" 'BEGIN {
  printf "openssl speed -evp aes-128-cbc (16 KiB blocks, encrypt): %.0f MB/s\n", o / 1e6
  printf "SE ingest, 16 MiB stream in 64 KB extended WRITE BLOCKs:  %.0f MB/s\n", i / 1e6
  printf "ingest / openssl aes-128-cbc: %.2f (target >= 0.50)\n", i / o
}'
