#!/usr/bin/env bash
# Virtual SE figures for docs/benchmarks.md, all in one run on this machine:
#  - PC/SC round trip of a 10-byte APDU (SELECT by partial ISD AID) through pcscd + vpcd to
#    `sefleet card run --vpcd`, against the same round trip to a bare echo card (the baseline: pcscd,
#    vpcd and our link without the card OS);
#  - resident memory of the idle card process (VmRSS after it has served those APDUs and idled 2 s).
#   bench/scripts/card_pcsc.sh [build dir, default build/release]     (root: starts a private pcscd)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
bin=$build/apps/sefleet/sefleet
bench=$build/bench/bench_transport_pcsc_rtt
for f in "$bin" "$bench"; do [ -x "$f" ] || { echo "missing $f (build the release preset first)" >&2; exit 2; }; done

# shellcheck source=../../tests/support/pcsc_sandbox.sh
source "$root/tests/support/pcsc_sandbox.sh"
work=$(mktemp -d)
card_pid=
cleanup() { [ -n "$card_pid" ] && kill -TERM "$card_pid" 2>/dev/null && wait "$card_pid" 2>/dev/null; pcsc_sandbox_stop; rm -rf "$work"; }
trap cleanup EXIT
pcsc_sandbox_start "$work/pcsc" >/dev/null

"$bin" card init --state "$work/state" --profile "$root/examples/card-profile.json" >/dev/null
"$bin" card run --state "$work/state" --vpcd "127.0.0.1:$PCSC_SANDBOX_PORT" >"$work/card.log" 2>&1 &
card_pid=$!
pcsc_wait_card "$PCSC_READER0" present 15

json=$work/bench.json
SEFLEET_BENCH_CARD_READER=$PCSC_READER0 SEFLEET_BENCH_ECHO_READER=$PCSC_READER1 \
  SEFLEET_BENCH_ECHO_VPCD="127.0.0.1:$PCSC_SANDBOX_PORT1" \
  "$bench" --benchmark_format=json --benchmark_out="$json" --benchmark_out_format=json >/dev/null
sleep 2
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$card_pid/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$card_pid/status")

field() {  # $1 benchmark name, $2 counter
  awk -v want="$1" -v field="$2" '
    /"name":/ { name = $0; gsub(/.*"name": "|",$/, "", name) }
    name == want && $0 ~ "\"" field "\":" { value = $0; gsub(/.*: |,$/, "", value); print value; exit }' "$json"
}
card_p50=$(field BM_PcscRoundTripVirtualSe/iterations:5000 p50_us)
card_p90=$(field BM_PcscRoundTripVirtualSe/iterations:5000 p90_us)
echo_p50=$(field BM_PcscRoundTripEchoCardBaseline/iterations:5000 p50_us)
echo_p90=$(field BM_PcscRoundTripEchoCardBaseline/iterations:5000 p90_us)
awk -v c50="$card_p50" -v c90="$card_p90" -v e50="$echo_p50" -v e90="$echo_p90" -v rss="$rss_kb" -v hwm="$hwm_kb" 'BEGIN {
  printf "PC/SC round trip, 10-byte SELECT, virtual SE: median %.0f us, p90 %.0f us (target median <= 150 us)\n", c50, c90
  printf "PC/SC round trip, 10-byte APDU, echo card baseline: median %.0f us, p90 %.0f us\n", e50, e90
  printf "virtual SE / echo baseline (median): %.2f\n", c50 / e50
  printf "idle card process resident memory: %.1f MiB (peak %.1f MiB) (target <= 8 MB)\n", rss / 1024, hwm / 1024
}'
