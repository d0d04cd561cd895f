#!/usr/bin/env bash
# Bytes per SE, broadcast against per-SE encryption, for 64 KiB, 1 MiB and 16 MiB images and fleets of
# 1, 1,000 and 100,000 SEs: bench_offcard_bytes_per_se builds the real packages (the PSE file the server
# serves, one SE's PAUT, one SE's SCP03-wrapped copy) and counts their bytes. The HTTP bytes per SE
# around the PAUT (requests, answers, reports) come from bench/scripts/fleet_scale.sh.
#   bench/scripts/bytes_per_se.sh [build dir, default build/release] [--sizes B,B,...] [--ses N,N,...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/scripts/lib/machine.sh"
build=${1:-$root/build/release}
shift || true
bench=$build/bench/bench_offcard_bytes_per_se
[ -x "$bench" ] || { echo "missing $bench (build target bench_offcard_bytes_per_se)" >&2; exit 2; }
echo "# $(machine_line) (byte counts do not depend on the machine)"
"$bench" "$@"
