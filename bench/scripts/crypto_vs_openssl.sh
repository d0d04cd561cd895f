#!/usr/bin/env bash
# The Java Card API algorithms of src/crypto against `openssl speed`, both measured in the same run and
# pinned to one core (taskset) when available, for docs/benchmarks.md.
#   bench/scripts/crypto_vs_openssl.sh [path/to/bench_crypto_primitives]
# Prints one line per figure: ours, openssl's, and ours / openssl's (1.00 = as fast as OpenSSL's own loop).
set -euo pipefail
bench=${1:-build/release/bench/bench_crypto_primitives}
[ -x "$bench" ] || { echo "no benchmark binary at $bench (build the release preset first)" >&2; exit 2; }
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

json=$(mktemp)
speed=$(mktemp)
trap 'rm -f "$json" "$speed"' EXIT
"${pin[@]}" "$bench" --benchmark_filter='Rsa2048|EcdsaP256|Des3|HmacSha256' --benchmark_repetitions=3 \
  --benchmark_format=json --benchmark_out="$json" --benchmark_out_format=json >/dev/null
{
  "${pin[@]}" openssl speed -seconds 3 -mr rsa2048 ecdsap256
  "${pin[@]}" openssl speed -seconds 3 -mr -bytes 16384 -evp des-ede3-cbc
  "${pin[@]}" openssl speed -seconds 3 -mr -bytes 16384 -hmac sha256
  "${pin[@]}" openssl speed -seconds 3 -mr -bytes 32 -hmac sha256
} >"$speed" 2>/dev/null

# Median of a JSON benchmark row: items_per_second or bytes_per_second.
median() {  # $1 = benchmark name, $2 = field
  awk -v want="$1_median" -v field="$2" '
    /"name":/ { name = $0; gsub(/.*"name": "|",$/, "", name) }
    name == want && $0 ~ "\"" field "\":" { value = $0; gsub(/.*: |,$/, "", value); print value; exit }' "$json"
}
# openssl -mr lines: "+F2:<n>:<bits>:<signs/s>:<verifies/s>" (RSA), "+F4:..." (ECDSA), "+F:<n>:<name>:<bytes/s>".
rsa=$(awk -F: '/^\+F2:/ && $3 == 2048 { print $4, $5; exit }' "$speed")
ec=$(awk -F: '/^\+F4:/ && $3 == 256 { print $4, $5; exit }' "$speed")
des=$(awk -F: '/^\+F:/ && tolower($3) ~ /des-ede3-cbc/ { print $NF; exit }' "$speed")
hmac_large=$(awk -F: '/^\+F:/ && tolower($3) ~ /hmac/ { print $NF; exit }' "$speed")
hmac_small=$(awk -F: '/^\+F:/ && tolower($3) ~ /hmac/ { n++; if (n == 2) { print $NF; exit } }' "$speed")

awk -v rs="$(median BM_Rsa2048SignPkcs1Sha256 items_per_second)" -v rv="$(median BM_Rsa2048VerifyPkcs1Sha256 items_per_second)" \
    -v es="$(median BM_EcdsaP256SignHash items_per_second)" -v ev="$(median BM_EcdsaP256VerifyHash items_per_second)" \
    -v d="$(median BM_Des3CbcEncrypt64K bytes_per_second)" -v hl="$(median BM_HmacSha256/65536 bytes_per_second)" \
    -v hs="$(median BM_HmacSha256/32 bytes_per_second)" -v rsa="$rsa" -v ec="$ec" -v des="$des" \
    -v hmac_large="$hmac_large" -v hmac_small="$hmac_small" 'BEGIN {
  split(rsa, r, " "); split(ec, e, " ")
  printf "%-36s %14s %14s %7s\n", "figure", "sefleet", "openssl speed", "ratio"
  printf "%-36s %12.0f/s %12.0f/s %7.2f\n", "RSA-2048 sign (PKCS#1, SHA-256 hash)", rs, r[1], rs / r[1]
  printf "%-36s %12.0f/s %12.0f/s %7.2f\n", "RSA-2048 verify", rv, r[2], rv / r[2]
  printf "%-36s %12.0f/s %12.0f/s %7.2f\n", "ECDSA P-256 sign (hash)", es, e[1], es / e[1]
  printf "%-36s %12.0f/s %12.0f/s %7.2f\n", "ECDSA P-256 verify", ev, e[2], ev / e[2]
  printf "%-36s %10.1f MB/s %10.1f MB/s %7.2f\n", "3DES-CBC encrypt (64 KiB / 16 KiB)", d / 1e6, des / 1e6, d / des
  printf "%-36s %10.1f MB/s %10.1f MB/s %7.2f\n", "HMAC-SHA-256 (64 KiB / 16 KiB)", hl / 1e6, hmac_large / 1e6, hl / hmac_large
  printf "%-36s %10.1f MB/s %10.1f MB/s %7.2f\n", "HMAC-SHA-256, 32-byte messages", hs / 1e6, hmac_small / 1e6, hs / hmac_small
}'
