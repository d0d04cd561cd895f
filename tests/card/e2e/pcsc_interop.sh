#!/usr/bin/env bash
# Interoperability through the real PC/SC stack: a private pcscd with the vsmartcard vpcd reader,
# `sefleet card run --vpcd` as its card, and off-the-shelf clients (opensc-tool, pyscard) plus
# `sefleet apdu --reader` with SCP03 at level 33. A restart of the card keeps keys and counter.
# Every client call runs under `timeout`. Needs root (pcscd sandbox) and the packages of setup.sh.
set -uo pipefail
bin=${SEFLEET_BIN:?}
src=${SEFLEET_SOURCE_DIR:?}
fail() { echo "FAIL: $*" >&2; [ -n "${PCSC_SANDBOX_DIR:-}" ] && tail -20 "$PCSC_SANDBOX_DIR/pcscd.log" >&2; exit 1; }
PY=/usr/bin/python3
KEY=404142434445464748494A4B4C4D4E4F

# shellcheck source=../../support/pcsc_sandbox.sh
source "$src/tests/support/pcsc_sandbox.sh"
work=$(mktemp -d)
card_pid=
stop_card() {
  [ -n "$card_pid" ] || return 0
  kill -TERM "$card_pid" 2>/dev/null
  wait "$card_pid" 2>/dev/null
  card_pid=
}
cleanup() { stop_card; pcsc_sandbox_stop; rm -rf "$work"; }
trap cleanup EXIT

pcsc_sandbox_start "$work/pcsc" || fail "cannot start a private pcscd"
reader=$PCSC_READER0
start_card() {
  "$bin" --log-level info card run --state "$work/state" --vpcd "127.0.0.1:$PCSC_SANDBOX_PORT" >>"$work/card.log" 2>&1 &
  card_pid=$!
  pcsc_wait_card "$reader" present 15 || { cat "$work/card.log" >&2; fail "card did not appear in '$reader'"; }
}

"$bin" card init --state "$work/state" --profile "$src/examples/card-profile.json" || fail "card init"
start_card

# opensc-tool lists the card and exchanges raw APDUs.
out=$(timeout 20 opensc-tool -l) || fail "opensc-tool -l: $out"
grep -q "Yes.*$reader" <<<"$out" || fail "opensc-tool -l does not show a card in '$reader': $out"
out=$(timeout 20 opensc-tool -r 0 -a) || fail "opensc-tool -a: $out"
grep -qi "3b:8b:81:01" <<<"$out" || fail "ATR not the profile's: $out"
out=$(timeout 20 opensc-tool -c default -r 0 -s 00A4040008A00000015100000000 -s 80CA006600) || fail "opensc-tool -s: $out"
[ "$(grep -c 'SW1=0x90, SW2=0x00' <<<"$out")" -eq 2 ] || fail "opensc-tool SELECT/GET DATA not 9000: $out"
grep -qi "66 " <<<"$out" || fail "opensc-tool: no card recognition data: $out"
# opensc's own card-driver probing (no -c default) must not upset the card.
timeout 20 opensc-tool -r 0 -n >/dev/null 2>&1
out=$(timeout 20 opensc-tool -c default -r 0 -s 00A4040008A00000015100000000) || fail "card unusable after opensc probing: $out"
grep -q 'SW1=0x90, SW2=0x00' <<<"$out" || fail "SELECT after probing: $out"

# pyscard (Debian's python3) through the same reader.
out=$(timeout 20 "$PY" "$src/tests/card/e2e/pyscard_isd.py" "$reader" 2>&1) || fail "pyscard: $out"
grep -q "SCP03 i = 70" <<<"$out" || fail "pyscard: SCP03 i not 70: $out"

# sefleet apdu opens SCP03 at level 33 through PC/SC and reads GET STATUS (ISD, then load files).
apdu() { timeout 30 "$bin" apdu --reader "$reader" "$@"; }
out=$(apdu --key "$KEY" --kvn 30 --level 33 --json 80F28002024F0000 80F22002024F0000) || fail "sefleet apdu level 33: $out"
"$PY" - "$out" <<'PY' || fail "GET STATUS over SCP03: $out"
import json, sys
doc = json.loads(sys.argv[1])
ex = doc["exchanges"]
assert ex[0]["sw"] == "9000", ex[0]
assert "A000000151000000" in ex[0]["response"], ex[0]
assert ex[1]["sw"] in ("9000", "6A88"), ex[1]
PY
# pySim's GET STATUS with a tag list (4F00 5C05 4F9F70C5CC), and PUT KEY as GPShell and yubikit
# send it (key component blocks without a length byte): key set 31 with 000102..0F as ENC, MAC and
# DEK (KCV C35280), encrypted under the DEK of set 30, then a session with set 31.
block=$("$PY" - "$KEY" <<'PY'
import sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
enc = Cipher(algorithms.AES(bytes.fromhex(sys.argv[1])), modes.CBC(bytes(16))).encryptor()
print("8810" + (enc.update(bytes(range(16))) + enc.finalize()).hex().upper() + "03C35280")
PY
) || fail "cannot encrypt the key block"
out=$(apdu --key "$KEY" --kvn 30 --level 33 --json 80F28002094F005C054F9F70C5CC00 "80D800814331$block$block$block") ||
  fail "pySim GET STATUS / GPShell PUT KEY: $out"
"$PY" - "$out" <<'PY' || fail "pySim GET STATUS / GPShell PUT KEY: $out"
import json, re, sys
ex = json.loads(sys.argv[1])["exchanges"]
# E3 { 4F ISD AID, 9F70 <card life cycle>, C5 9C0000 }: the listed objects the ISD has, in list order.
assert ex[0]["sw"] == "9000" and re.fullmatch("E3134F08A0000001510000009F7001..C5039C0000", ex[0]["response"]), ex[0]
assert ex[1]["sw"] == "9000" and ex[1]["response"] == "31C35280C35280C35280", ex[1]
PY
apdu --key 000102030405060708090A0B0C0D0E0F --kvn 31 --level 33 80F28002024F0000 >/dev/null ||
  fail "no session with the key set PUT KEY added"

counter() {  # the ISD's sequence counter (GET DATA 00C1), as hex
  apdu --json 00A4040008A00000015100000000 80CA00C100 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["exchanges"][1]["response"])'
}
before=$(counter) || fail "GET DATA 00C1"
[ -n "$before" ] || fail "empty sequence counter"

# Restart the card process: keys and the sequence counter persist.
stop_card
pcsc_wait_card "$reader" absent 15 || fail "card did not leave '$reader'"
start_card
after=$(counter) || fail "GET DATA 00C1 after restart"
[ "$after" = "$before" ] || fail "sequence counter changed across restart: $before -> $after"
apdu --key "$KEY" --kvn 30 --level 33 80F28002024F0000 >/dev/null || fail "SCP03 with the same keys after restart"
next=$(counter)
[ $((16#$next)) -eq $((16#$before + 1)) ] || fail "counter did not advance by one per session: $before -> $next"

# A wrong key fails authentication with a clear error and a non-zero exit; the card stays usable.
if err=$(apdu --key 00112233445566778899AABBCCDDEEFF --kvn 30 --level 33 80F28002024F0000 2>&1); then
  fail "authentication with a wrong key succeeded: $err"
fi
apdu 00A4040008A00000015100000000 >/dev/null || fail "card unusable after a failed authentication"
echo "PASS: PC/SC interoperability (opensc-tool, pyscard, sefleet apdu at level 33, pySim GET STATUS, GPShell PUT KEY, restart persistence)"
