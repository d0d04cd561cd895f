#!/usr/bin/env bash
# Resident memory of `sefleet card run` (TCP card) with three Java applets installed and idle, against
# the same card process without any Java package (the baseline, same run). Target: <= 16 MB.
# The three packages (the interpreter benchmark's applet, tests/card/javacard/applet and the 64 KB
# tests/card/javacard/security) are packed with `sefleet javacard pack`, loaded and installed with
# `sefleet gp load/install` in SCP03 sessions; then the card process is restarted (it reloads their
# object graph from the state file), each applet is selected once, and the process idles 2 s.
#   bench/scripts/card_javacard_rss.sh [build dir, default build/release]
#   (needs the targets sefleet and bench_card_javacard_interpreter, which compiles the applets)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
bin=$build/apps/sefleet/sefleet
applets=$build/javacard/applets
[ -x "$bin" ] || { echo "missing $bin (build the target sefleet)" >&2; exit 2; }
for d in bench_interpreter bench_load_applet bench_load_security; do
  [ -d "$applets/$d/classes" ] || { echo "missing $applets/$d/classes (build bench_card_javacard_interpreter)" >&2; exit 2; }
done

work=$(mktemp -d)
card_pid=
stop_card() {
  if [ -n "$card_pid" ]; then
    kill -TERM "$card_pid" 2>/dev/null || true
    wait "$card_pid" 2>/dev/null || true
    card_pid=
  fi
}
cleanup() { stop_card; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key=404142434445464748494A4B4C4D4E4F
start_card() {
  "$bin" card run --state "$work/state" --listen "127.0.0.1:$port" >>"$work/card.log" 2>&1 &
  card_pid=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "the card did not start listening on $port" >&2
  cat "$work/card.log" >&2
  exit 1
}
rss_kb() { sleep 2; awk '/^VmRSS:/ {print $2}' "/proc/$card_pid/status"; }
apdu() { "$bin" apdu --tcp "127.0.0.1:$port" --expect-ok "$@" >/dev/null; }

"$bin" card init --state "$work/state" --profile "$root/examples/card-profile.json" >/dev/null

# Baseline: the same card process, no Java package, after a SELECT of the ISD.
start_card
apdu 00A4040008A000000151000000
base_kb=$(rss_kb)

# package-dir package-aid applet-class applet-aid instance-aid
packages=(
  "bench_interpreter F0000000FF com.sefleet.bench.BenchApplet F0000000FF01 F0000000FF0101"
  "bench_load_applet F000000002 com.sefleet.test.applet.TestApplet F00000000201 F0000000020101"
  "bench_load_security F05345464C45540A01 sefleet.test.security.SecurityTestApplet F05345464C45540A0101 F05345464C45540A010101"
)
total_bytes=0
for entry in "${packages[@]}"; do
  read -r dir package class class_aid instance <<<"$entry"
  "$bin" javacard pack --classes "$applets/$dir/classes" --package-aid "$package" --applet "$class=$class_aid" \
    -o "$work/$dir.sfjc" >/dev/null
  total_bytes=$((total_bytes + $(stat -c %s "$work/$dir.sfjc")))
  "$bin" gp load "$work/$dir.sfjc" --tcp "127.0.0.1:$port" --key "$key" >/dev/null
  "$bin" gp install --package "$package" --applet "$class_aid" --instance "$instance" --tcp "127.0.0.1:$port" \
    --key "$key" >/dev/null
done
stop_card

# A fresh process over the state with the three applets: each selected once, then idle.
start_card
for entry in "${packages[@]}"; do
  read -r _ _ _ _ instance <<<"$entry"
  apdu "00A40400$(printf '%02X' $((${#instance} / 2)))$instance"
done
java_kb=$(rss_kb)
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$card_pid/status")

awk -v java="$java_kb" -v base="$base_kb" -v hwm="$hwm_kb" -v bytes="$total_bytes" 'BEGIN {
  printf "card process, 3 Java applets installed (load files %.1f KB in all), idle: %.1f MiB resident (peak %.1f MiB) (target <= 16 MB)\n", bytes / 1024, java / 1024, hwm / 1024
  printf "same card process without Java packages (baseline): %.1f MiB resident\n", base / 1024
  printf "with / without: %.2f (+%.1f MiB)\n", java / base, (java - base) / 1024
}'
