#!/usr/bin/env bash
# Deferred execution of a Java Card applet over PC/SC: the deferred test applet
# (tests/card/javacard/deferred) is compiled against `sefleet javacard api` exactly as a user's applet
# is, packed, loaded and installed with `sefleet gp load` / `sefleet gp install`, and driven by a plain
# PC/SC client (pyscard through a private pcscd + vpcd reader). INCREMENT LATER, SLOWLY (80 2C, its
# org.sefleet.deferred task first spins for a while) must be answered with the new value before the task
# has run; the READ sent right after it must wait for the task and see its effect: nothing lost or
# reordered, as for the built-in C++ applet (deferred_pcsc.sh).
set -uo pipefail
host_card_link=vpcd
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

package=F05345464C45540C01
applet=F05345464C45540C0101
instance=F05345464C45540C010101

run javacard api -o "$work/api.jar" >/dev/null || fail "javacard api exited $?"
mkdir -p "$work/classes"
timeout 120 javac --release 8 -nowarn -cp "$work/api.jar" -d "$work/classes" \
  "$SEFLEET_SOURCE_DIR/tests/card/javacard/deferred/DeferredTestApplet.java" >"$work/javac.log" 2>&1 ||
  fail "javac: $(cat "$work/javac.log")"
out=$(run javacard pack --classes "$work/classes" --package-aid "$package" \
  --applet "sefleet.test.deferred.DeferredTestApplet=$applet" -o "$work/deferred.sfjc") ||
  fail "javacard pack exited $?: $out"
out=$(run gp load "$work/deferred.sfjc" --reader "$reader" "${keys[@]}") || fail "gp load exited $?: $out"
out=$(run gp install --reader "$reader" "${keys[@]}" --package "$package" --applet "$applet" \
  --instance "$instance") || fail "gp install exited $?: $out"

timeout 120 /usr/bin/python3 - "$reader" "$instance" <<'PY' || fail "Java deferred ordering over PC/SC"
import sys, time
from smartcard.System import readers
name, aid = sys.argv[1], bytes.fromhex(sys.argv[2])
connection = [r for r in readers() if str(r) == name][0].createConnection()
connection.connect()
def tx(hex_apdu):
    start = time.monotonic()
    data, sw1, sw2 = connection.transmit(list(bytes.fromhex(hex_apdu)))
    return bytes(data).hex().upper(), (sw1 << 8) | sw2, time.monotonic() - start
_, sw, _ = tx("00A40400" + f"{len(aid):02X}" + aid.hex())
assert sw == 0x9000, hex(sw)
for round_ in range(3):
    data, sw, answered = tx("802CFF0000")  # INCREMENT LATER, SLOWLY: 255 x 32767 loop rounds after the reply
    assert (data, sw) == (f"{round_ + 1:04X}", 0x9000), (data, hex(sw))
    data, sw, waited = tx("8012000000")    # READ, sent at once: counter, resumed, pending, persist, resume
    assert sw == 0x9000, hex(sw)
    assert data[:4] == f"{round_ + 1:04X}", ("the READ did not see the deferred write", data)
    assert data[8:10] == "00" and data[10:12] == "02", ("not pending, persist DONE", data)
    print(f"round {round_}: INCREMENT LATER answered in {answered * 1000:.1f} ms, READ in {waited * 1000:.1f} ms")
    # The reply left before the task ran: the READ carried the task's run time, the INCREMENT did not.
    assert waited > 4 * answered, f"the response waited for the deferred work ({answered:.3f} s vs {waited:.3f} s)"
# The check on the next command: the task that ended since the previous one (none: the READ took it).
data, sw, _ = tx("8018000000")
assert (data, sw) == ("", 0x9000), (data, hex(sw))
connection.disconnect()
PY
echo "PASS deferred execution of a Java Card applet over PC/SC"
