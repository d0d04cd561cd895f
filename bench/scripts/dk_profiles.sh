#!/usr/bin/env bash
# The digital-key scenario for every SE profile x link profile: HWT of AUTH1 (the command
# whose persistence work is deferred) and the transaction total, with and without deferral, from
# `sefleet dk --json` (virtual time, deterministic). Prints a Markdown table for docs/benchmarks.md.
#   bench/scripts/dk_profiles.sh [path/to/sefleet]
set -euo pipefail
bin=${1:-${SEFLEET_BIN:-sefleet}}
echo "| SE profile | link | AUTH1 HWT baseline ms | AUTH1 HWT deferred ms | AUTH1 change | total baseline ms | total deferred ms | total change | waited ms (deferred run) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for profile in jcop4 older_chip; do
  for link in iso14443_106 iso14443_212 iso14443_424 iso14443_848 ble uwb; do
    "$bin" dk --json --profile "$profile" --link "$link" | /usr/bin/python3 -c '
import json, sys
profile, link = sys.argv[1], sys.argv[2]
runs = json.load(sys.stdin)["runs"]
d, b = runs["deferred"], runs["baseline"]
def auth1(r): return next(c for c in r["commands"] if c["name"] == "AUTH1")["hwt_ms"]
waited = sum(c["waited_ms"] for c in d["commands"])
pct = lambda new, old: f"{(new - old) / old * 100:+.1f} %"
tb, td = b["total_ms"], d["total_ms"]
print(f"| {profile} | {link} | {auth1(b):.3f} | {auth1(d):.3f} | {pct(auth1(d), auth1(b))} | "
      f"{tb:.3f} | {td:.3f} | {pct(td, tb)} | {waited:.3f} |")
' "$profile" "$link"
  done
done
