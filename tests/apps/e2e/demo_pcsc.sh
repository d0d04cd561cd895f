#!/usr/bin/env bash
# `sefleet demo --pcsc`: the main job with the SEs reached through pcscd (a private pcscd with a vpcd
# reader, tests/support/pcsc_sandbox.sh) instead of in process. Six SEs, including the planned faults
# (wrong platform -> quarantined; power cut mid-stream -> retried, then updated); the JSON summary is
# checked against the plan and against the server's own count.
set -uo pipefail
bin=${SEFLEET_BIN:?}
work=$(mktemp -d)
# shellcheck source=../../support/pcsc_sandbox.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/pcsc_sandbox.sh"
trap 'pcsc_sandbox_stop; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

pcsc_sandbox_start "$work/pcsc" >/dev/null || fail "cannot start the PC/SC sandbox"
timeout 300 "$bin" demo --pcsc --vpcd "127.0.0.1:$PCSC_SANDBOX_PORT" --ses 6 --json --report "$work/report.html" \
  >"$work/summary.json" 2>"$work/demo.err" || fail "demo --pcsc exited $?: $(tail -20 "$work/demo.err")"
/usr/bin/python3 - "$work/summary.json" <<'PY' || fail "summary: $(head -c 2000 "$work/summary.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["as_planned"] is True, s
assert s["ses"] == 6, s["ses"]
assert s["finals"] == {"quarantined": 3, "updated": 3}, s["finals"]
assert s["attempts"] == 8, s["attempts"]  # two power cuts cost one extra attempt each
PY
[ -s "$work/report.html" ] || fail "no HTML report"

# Without a reachable vpcd port the command says so and fails.
if timeout 60 "$bin" demo --pcsc --vpcd 127.0.0.1:1 --ses 2 >"$work/bad.out" 2>&1; then
  fail "demo --pcsc succeeded without pcscd"
fi
[ -s "$work/bad.out" ] || fail "no message without pcscd"
echo "PASS demo --pcsc"
