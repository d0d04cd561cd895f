#!/usr/bin/env bash
# `sefleet apdu` against the virtual SE over TCP: raw APDUs, scripts, --json, SCP03 at every level with
# explicit and kdf3-derived keys, -v wire output, --expect-ok, and authentication failures.
set -uo pipefail
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

# Raw APDUs, spaces allowed; every exchange printed with its status word name.
out=$(run apdu --tcp "$tcp" '00 A4 04 00 08 A0 00 00 01 51 00 00 00' 80CA006600) || fail "raw apdu exited $?: $out"
grep -q "^> 00A4040008A000000151000000$" <<<"$out" || fail "command line missing: $out"
grep -q "^< 6F.* 9000" <<<"$out" || fail "SELECT response missing: $out"
grep -q "^< 66.*2A864886FC6B040370 9000" <<<"$out" || fail "card recognition data (SCP03 i=70) missing: $out"

# An error status word is printed, not a failure; --expect-ok makes it one.
out=$(run apdu --tcp "$tcp" 00A4040008A000000151000000 80CA00FE00) || fail "error SW made apdu fail: $out"
grep -q "^< 6A88" <<<"$out" || fail "6A88 not shown: $out"
run apdu --tcp "$tcp" --expect-ok 00A4040008A000000151000000 80CA00FE00 80CA004500 >"$work/out" 2>"$work/err"
[ $? -eq 1 ] || fail "--expect-ok with 6A88 did not exit 1"
grep -q "argument 2 answered 6A88" "$work/err" || fail "--expect-ok message: $(cat "$work/err")"
grep -q "80CA004500" "$work/out" && fail "--expect-ok went on after the failure"

# --json shape.
json=$(run apdu --tcp "$tcp" --json 00A4040008A000000151000000 80CA004500) || fail "--json exited $?"
/usr/bin/python3 - "$json" "$tcp" <<'PY' || fail "--json shape: $json"
import json, sys
j = json.loads(sys.argv[1])
assert j["reader"] == "tcp:" + sys.argv[2], j["reader"]
assert len(j["atr"]) >= 4 and j["secure_channel"] is None
e = j["exchanges"]
assert [x["command"] for x in e] == ["00A4040008A000000151000000", "80CA004500"], e
assert e[1]["response"] == "45085345464C45455430" and e[1]["sw"] == "9000", e
PY

# SCP03 at every level, explicit keys and kdf3; GET STATUS needs the session and answers the ISD.
for level in 00 01 03 11 13 33; do
  for how in explicit kdf3; do
    if [ "$how" = explicit ]; then k=("${keys[@]}"); else k=(--kdf3 "$master"); fi
    json=$(run apdu --tcp "$tcp" "${k[@]}" --level "$level" --json 80F28002024F0000) || fail "level $level $how exited $?"
    /usr/bin/python3 - "$json" "$level" <<'PY' || fail "level $level $how: $json"
import json, sys
j = json.loads(sys.argv[1])
s = j["secure_channel"]
assert s["level"] == sys.argv[2] and s["kvn"] == "30" and s["i"] == "70", s
e = j["exchanges"][0]
assert e["sw"] == "9000" and e["response"].startswith("E3") and "A000000151000000" in e["response"], e
PY
  done
done

# Without a session the same GET STATUS is refused by the card (printed, exit 0).
out=$(run apdu --tcp "$tcp" 00A4040008A000000151000000 80F28002024F0000) || fail "plain GET STATUS exited $?"
grep -q "^< 6982" <<<"$out" || fail "GET STATUS without a session was not refused: $out"

# A script file; -v shows the protected wire form (CLA 84) on stderr, the plain exchanges stay on stdout.
cat >"$work/script.apdu" <<'APDU'
# GET DATA in a session
80CA00E000      # key information

80 CA 00 C1 00  # sequence counter
APDU
out=$(run apdu --tcp "$tcp" "${keys[@]}" -v -f "$work/script.apdu" 2>"$work/wire") || fail "script exited $?: $out"
grep -q "^> 80CA00E000$" <<<"$out" || fail "plain command not printed: $out"
grep -q "^>> 84CA00E0" "$work/wire" || fail "wire command not on stderr with -v: $(cat "$work/wire")"
grep -q "^>>" <<<"$out" && fail "-v wrote the wire trace to stdout: $out"
json=$(run apdu --tcp "$tcp" "${keys[@]}" -v --json 80CA00C100 2>"$work/wire") || fail "-v --json exited $?"
/usr/bin/python3 -c 'import json,sys; json.loads(sys.argv[1])' "$json" || fail "-v --json: stdout is not JSON: $json"
grep -q "^<< " "$work/wire" || fail "-v --json: no wire trace on stderr"
grep -q "^< E0.* 9000" <<<"$out" || fail "key information not unwrapped: $out"
grep -q "^< C103.* 9000" <<<"$out" || fail "sequence counter not shown: $out"

# Failed authentication: wrong key, unknown key version, level the card cannot run. Exit 1, clear message.
run apdu --tcp "$tcp" --key 00112233445566778899AABBCCDDEEFF 80CA00C100 >/dev/null 2>"$work/err"
[ $? -eq 1 ] || fail "wrong key: exit not 1"
grep -q "authentication failed" "$work/err" || fail "wrong key message: $(cat "$work/err")"
run apdu --tcp "$tcp" "${keys[@]}" --kvn 45 80CA00C100 >/dev/null 2>"$work/err"
[ $? -eq 1 ] || fail "unknown kvn: exit not 1"
grep -q "INITIALIZE UPDATE (key version 45) refused: 6A88" "$work/err" || fail "unknown kvn message: $(cat "$work/err")"
run apdu --tcp "$tcp" "${keys[@]}" --aid A0000000030000 80CA00C100 >/dev/null 2>"$work/err"
[ $? -eq 1 ] || fail "unknown SD: exit not 1"
grep -q "SELECT A0000000030000 refused" "$work/err" || fail "unknown SD message: $(cat "$work/err")"

# The card stays usable after all of that.
run apdu --tcp "$tcp" "${keys[@]}" --expect-ok 80CA00C100 >/dev/null || fail "card unusable after refusals"
echo "ok"
