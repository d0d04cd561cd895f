#!/usr/bin/env bash
# `sefleet apdu --reader` and `sefleet gp info --reader` through the real PC/SC stack (a private pcscd
# with a vpcd reader, the virtual SE as its card): reader listing, selection by exact name, index and
# unique substring, the refusals for unknown and ambiguous names, and SCP03 at level 33 with GET STATUS.
set -uo pipefail
host_card_link=vpcd
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

out=$(run apdu --list-readers) || fail "--list-readers exited $?: $out"
grep -qF "0: $PCSC_READER0" <<<"$out" || fail "--list-readers: $out"
json=$(run apdu --list-readers --json) || fail "--list-readers --json exited $?"
/usr/bin/python3 -c 'import json,sys; assert sys.argv[2] in json.loads(sys.argv[1])["readers"]' "$json" "$PCSC_READER0" ||
  fail "--list-readers --json: $json"

# Exact name, index and unique substring reach the same card.
for spec in "$PCSC_READER0" 0 "PCD 00 00"; do
  out=$(run apdu --reader "$spec" 00A4040008A000000151000000 80CA004500) || fail "--reader '$spec' exited $?: $out"
  grep -q "^< 45085345464C45455430 9000" <<<"$out" || fail "--reader '$spec': $out"
done
# An ambiguous substring and an unknown name are refused with the readers listed.
run apdu --reader "Virtual PCD" 00A4040000 >/dev/null 2>"$work/err" && fail "ambiguous reader accepted"
grep -qF "$PCSC_READER1" "$work/err" || fail "ambiguous reader message: $(cat "$work/err")"
run apdu --reader "no such reader" 00A4040000 >/dev/null 2>"$work/err" && fail "unknown reader accepted"
grep -qF "$PCSC_READER0" "$work/err" || fail "unknown reader message does not list the readers: $(cat "$work/err")"

# SCP03 at level 33 through pcscd: GET STATUS answers the ISD entry.
json=$(run apdu --reader "$reader" "${keys[@]}" --level 33 --json 80F28002024F0000) || fail "SCP03 over PC/SC exited $?"
/usr/bin/python3 - "$json" <<'PY' || fail "SCP03 over PC/SC: $json"
import json, sys
j = json.loads(sys.argv[1])
assert j["reader"].startswith("pcsc:") and j["secure_channel"]["level"] == "33", j
e = j["exchanges"][0]
assert e["sw"] == "9000" and "A000000151000000" in e["response"], e
PY
out=$(run gp info --reader "$reader" --kdf3 "$master") || fail "gp info over PC/SC exited $?: $out"
grep -q "^  ISD  *A000000151000000" <<<"$out" || fail "gp info over PC/SC: $out"
echo "ok"
