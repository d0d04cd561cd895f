#!/usr/bin/env bash
# A Java Card applet from source to a PC/SC client, as an applet developer does it: compiled by javac
# against `sefleet javacard api`, packed with `sefleet javacard pack`, loaded and installed with
# `sefleet gp load` / `sefleet gp install --params` over a private pcscd + vpcd reader, then used by
# independent clients (pyscard, opensc-tool) that know nothing of sefleet. Also over PC/SC: the
# install parameters reach install(), select() returning false answers 6999, the registry lists the
# package and its module (GET STATUS P1 10), the applet's objects survive a restart of the card
# process, DELETE of the package is refused while an instance exists and succeeds with --related.
# The applet is the ISD tests' one (tests/card/javacard/gp: 80 10 returns the install parameters,
# 80 20 counts in a persistent object; parameters E3: select() returns false).
set -uo pipefail
host_card_link=vpcd
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

package=F053464A4301
applet=F053464A430101
instance=F053464A43010101
refusing=F053464A43010102

src=$SEFLEET_SOURCE_DIR/tests/card/javacard/gp/org/sefleet/test/gp
run javacard api -o "$work/api.jar" >/dev/null || fail "javacard api exited $?"
mkdir -p "$work/classes"
timeout 120 javac --release 8 -nowarn -cp "$work/api.jar" -d "$work/classes" "$src/GpApplet.java" "$src/Counter.java" \
  >"$work/javac.log" 2>&1 || fail "javac: $(cat "$work/javac.log")"
out=$(run javacard pack --classes "$work/classes" --package-aid "$package" \
  --applet "org.sefleet.test.gp.GpApplet=$applet" -o "$work/gp.sfjc") || fail "javacard pack exited $?: $out"

out=$(run gp load "$work/gp.sfjc" --reader "$reader" "${keys[@]}" --block-size 100) || fail "gp load exited $?: $out"
grep -q "^loaded org\.sefleet\.test\.gp 1\.0 as $package (.* in [0-9]* LOAD blocks)" <<<"$out" || fail "gp load: $out"
out=$(run gp install --reader "$reader" "${keys[@]}" --package "$package" --applet "$applet" --instance "$instance" \
  --params 0102A0) || fail "gp install exited $?: $out"
grep -q "^installed $instance (SELECTABLE)" <<<"$out" || fail "gp install: $out"
out=$(run gp install --reader "$reader" "${keys[@]}" --package "$package" --applet "$applet" --instance "$refusing" \
  --params E3) || fail "gp install (select() false) exited $?: $out"
# A second instance under a taken AID: refused by the card, exit 1 naming the status word.
out=$(run gp install --reader "$reader" "${keys[@]}" --package "$package" --applet "$applet" --instance "$instance" 2>&1)
{ [ $? = 1 ] && grep -q "6985" <<<"$out"; } || fail "INSTALL under a taken AID: $out"

# The registry (GET STATUS P1 40 and P1 10 inside SCP03): the package with its module, the instances.
json=$(run gp info --reader "$reader" "${keys[@]}" --json) || fail "gp info exited $?"
/usr/bin/python3 - "$json" "$package" "$applet" "$instance" "$refusing" <<'PY' || fail "registry: $json"
import json, sys
j = json.loads(sys.argv[1])
package, applet, instance, refusing = sys.argv[2:]
entries = {e["aid"]: e for e in j["registry"]}
assert package in entries and entries[package]["kind"] != "ISD", entries
assert applet in entries[package].get("modules", []), entries[package]
assert entries[package].get("version") in ("0100", "1.0"), entries[package]
for aid in (instance, refusing):
    assert aid in entries and entries[aid]["life_cycle"] == "SELECTABLE", entries.get(aid)
    assert entries[aid].get("load_file") == package, entries[aid]
PY

# pyscard: plain ISO commands, no secure channel, no sefleet code.
client() {
  timeout 60 /usr/bin/python3 - "$reader" "$@" <<'PY'
import sys
from smartcard.System import readers
name, steps = sys.argv[1], sys.argv[2:]
connection = [r for r in readers() if str(r) == name][0].createConnection()
connection.connect()
for step in steps:  # APDU=EXPECTED (EXPECTED: response data + SW in hex)
    apdu, expected = step.split("=")
    data, sw1, sw2 = connection.transmit(list(bytes.fromhex(apdu)))
    got = (bytes(data) + bytes([sw1, sw2])).hex().upper()
    assert got == expected, f"{apdu}: {got}, expected {expected}"
    print(f"{apdu} -> {got}")
connection.disconnect()
PY
}
select_apdu() { echo "00A40400$(printf %02X $((${#1} / 2)))$1"; }
client "$(select_apdu "$instance")=9000" "8010000000=0102A09000" "8020000000=00019000" "8020000000=00029000" \
  "807F000000=6D00" "$(select_apdu "$refusing")=6999" "$(select_apdu "$instance")=9000" "8020000000=00039000" ||
  fail "pyscard client"

# The card process restarts: the object graph and the registry are reloaded from the state file.
stop_card
pcsc_wait_card "$reader" absent 10 || fail "the card did not leave $reader"
start_card
# opensc-tool, another independent client: the counter object continues.
reader_index=$(pcsc_list_readers | grep -nx "$reader" | cut -d: -f1)
out=$(timeout 30 opensc-tool -r "$((reader_index - 1))" -s "$(select_apdu "$instance")" -s 8020000000 -s 8010000000 2>&1) ||
  fail "opensc-tool exited $?: $out"
[ "$(grep -c "^Received (SW1=0x90, SW2=0x00)" <<<"$out")" = 3 ] || fail "opensc-tool: status words: $out"
grep -q "^00 04 " <<<"$out" || fail "opensc-tool: counter after restart: $out"
grep -q "^01 02 A0 " <<<"$out" || fail "opensc-tool: install parameters after restart: $out"

# DELETE of the package: refused while its instances exist (exit 1, 6985), then with --related.
out=$(run gp delete --reader "$reader" "${keys[@]}" "$package" 2>&1)
{ [ $? = 1 ] && grep -q "6985" <<<"$out"; } || fail "DELETE of a package with instances: $out"
client "$(select_apdu "$instance")=9000" "8020000000=00059000" || fail "the refused DELETE changed the applet"
out=$(run gp delete --reader "$reader" "${keys[@]}" --related "$package") || fail "gp delete --related exited $?: $out"
grep -q "^deleted $package" <<<"$out" || fail "gp delete --related: $out"
client "$(select_apdu "$instance")=6A82" "$(select_apdu "$refusing")=6A82" || fail "instances after DELETE"
json=$(run gp info --reader "$reader" "${keys[@]}" --json) || fail "gp info exited $?"
/usr/bin/python3 -c '
import json, sys
aids = {e["aid"] for e in json.loads(sys.argv[1])["registry"]}
assert not aids & set(sys.argv[2:]), aids' "$json" "$package" "$instance" "$refusing" || fail "registry after DELETE: $json"
# Loaded again after the deletion: the package AID is free.
out=$(run gp load "$work/gp.sfjc" --reader "$reader" "${keys[@]}") || fail "gp load after delete exited $?: $out"
echo "PASS a Java Card applet loaded with sefleet gp and used over PC/SC"
