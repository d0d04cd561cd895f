#!/usr/bin/env bash
# An applet installed with `sefleet gp install` over PC/SC and reached by a plain PC/SC client: the
# card (behind a private pcscd + vpcd reader) lists its built-in load files (`card applets`), the
# counter applet is installed inside an SCP03 session, then pyscard selects it and talks to it
# through pcscd; the instance and its counter survive a restart of the card; a second INSTALL of the
# same AID and a DELETE of the ROM load file are refused with their status words; DELETE removes it.
set -uo pipefail
host_card_link=vpcd
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

load_file=F053460001
module=F05346000101
instance=F0534600010101

out=$(run card applets) || fail "card applets exited $?: $out"
grep -q "^load file $load_file" <<<"$out" || fail "card applets: $out"
grep -q "^  module $module" <<<"$out" || fail "card applets: $out"
json=$(run card applets --json) || fail "card applets --json exited $?"
/usr/bin/python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j[0]["modules"][0]["aid"]==sys.argv[2], j' \
  "$json" "$module" || fail "card applets --json: $json"

out=$(run gp install --reader "$reader" "${keys[@]}" --load-file "$load_file" --module "$module" \
  --instance "$instance" --params 00000005) || fail "gp install exited $?: $out"
grep -q "^installed $instance (SELECTABLE)" <<<"$out" || fail "gp install: $out"
# GET STATUS (gp info) lists the ROM load file and the new instance.
out=$(run gp info --reader "$reader" "${keys[@]}") || fail "gp info exited $?: $out"
grep -q "APP .*$instance" <<<"$out" || fail "gp info does not list the instance: $out"
grep -q "$load_file" <<<"$out" || fail "gp info does not list the load file: $out"
# The same AID again: the card refuses (6985), the CLI exits 1 naming it.
run gp install --reader "$reader" "${keys[@]}" --load-file "$load_file" --module "$module" \
  --instance "$instance" >/dev/null 2>"$work/err" && fail "a second INSTALL of $instance was accepted"
grep -q "6985" "$work/err" || fail "duplicate INSTALL message: $(cat "$work/err")"
# A usage error never reaches the card.
run gp install --reader "$reader" "${keys[@]}" --module "$module" --instance "$instance" >/dev/null 2>&1
[ $? -eq 2 ] || fail "gp install without --load-file should be a usage error (exit 2)"
run gp delete --reader "$reader" "${keys[@]}" --instance "$load_file" >/dev/null 2>"$work/err" &&
  fail "DELETE of the ROM load file was accepted"
grep -q "6985" "$work/err" || fail "DELETE of the load file: $(cat "$work/err")"

# talk EXPECTED_COUNTER_AFTER_INCREMENT: pyscard through pcscd, no sefleet code on the host side.
talk() {
  timeout 20 /usr/bin/python3 - "$reader" "$instance" "$1" <<'PY'
import sys
from smartcard.System import readers
name, aid, expected = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3]
connection = [r for r in readers() if str(r) == name][0].createConnection()
connection.connect()
def tx(apdu):
    data, sw1, sw2 = connection.transmit(list(apdu))
    return bytes(data), (sw1 << 8) | sw2
data, sw = tx(bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid + b"\x00")
assert sw == 0x9000 and aid in data, ("SELECT", data.hex(), hex(sw))
data, sw = tx(bytes.fromhex("8010000004CAFEBABE00"))
assert (data, sw) == (bytes.fromhex("CAFEBABE"), 0x9000), ("ECHO", data.hex(), hex(sw))
data, sw = tx(bytes.fromhex("8020000000"))
assert (data.hex().upper(), sw) == (expected, 0x9000), ("INCREMENT", data.hex(), hex(sw))
data, sw = tx(bytes.fromhex("8022000000"))
assert (data.hex().upper(), sw) == (expected, 0x9000), ("READ", data.hex(), hex(sw))
connection.disconnect()
PY
}
talk 00000006 || fail "pyscard could not talk to the installed applet"

# A restart of the card: the instance is re-created from its record and keeps its counter.
stop_card
pcsc_wait_card "$reader" absent 10 || fail "the card did not leave $reader"
start_card
talk 00000007 || fail "the applet or its counter did not survive a restart"

out=$(run gp delete --reader "$reader" "${keys[@]}" --instance "$instance") || fail "gp delete exited $?: $out"
grep -q "^deleted $instance" <<<"$out" || fail "gp delete: $out"
timeout 20 /usr/bin/python3 - "$reader" "$instance" <<'PY' || fail "the deleted applet is still selectable"
import sys
from smartcard.System import readers
name, aid = sys.argv[1], bytes.fromhex(sys.argv[2])
connection = [r for r in readers() if str(r) == name][0].createConnection()
connection.connect()
data, sw1, sw2 = connection.transmit(list(bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid + b"\x00"))
assert (sw1, sw2) == (0x6A, 0x82), hex((sw1 << 8) | sw2)
PY
echo "ok"
