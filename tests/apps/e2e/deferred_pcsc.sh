#!/usr/bin/env bash
# Deferred execution over PC/SC (docs/deferred-execution.md §6.1-6.2): the built-in counter
# applet, installed with `sefleet gp install`, is driven by a plain PC/SC client (pyscard through a
# private pcscd + vpcd reader). INCREMENT LATER (80 24, P1 = 100: its deferred task first takes 1 s of
# wall-clock time) must be answered at once, with the old value: the R-APDU leaves before the deferred
# work starts. The READ sent right after it must wait for the task (the card does not dispatch a
# command while deferred work is pending) and must see its effect: nothing lost or reordered.
set -uo pipefail
host_card_link=vpcd
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

instance=F0534600010101
out=$(run gp install --reader "$reader" "${keys[@]}" --load-file F053460001 --module F05346000101 \
  --instance "$instance" --params 00000007) || fail "gp install exited $?: $out"

timeout 60 /usr/bin/python3 - "$reader" "$instance" <<'PY' || fail "deferred ordering over PC/SC"
import sys, time
from smartcard.System import readers
name, aid = sys.argv[1], bytes.fromhex(sys.argv[2])
connection = [r for r in readers() if str(r) == name][0].createConnection()
connection.connect()
def tx(hex_apdu):
    start = time.monotonic()
    data, sw1, sw2 = connection.transmit(list(bytes.fromhex(hex_apdu)))
    return bytes(data).hex().upper(), (sw1 << 8) | sw2, time.monotonic() - start
_, sw, _ = tx("00A4040007" + aid.hex() + "00")
assert sw == 0x9000, hex(sw)
for round_ in range(2):
    before = 7 + round_
    data, sw, answered = tx("8024640000")   # INCREMENT LATER, 1 s of deferred work
    assert (data, sw) == (f"{before:08X}", 0x9000), (data, hex(sw))
    data, sw, waited = tx("8022000000")     # READ, sent at once
    assert (data, sw) == (f"{before + 1:08X}", 0x9000), ("the READ did not see the deferred increment", data, hex(sw))
    print(f"round {round_}: INCREMENT LATER answered in {answered * 1000:.1f} ms, READ in {waited * 1000:.1f} ms")
    # The reply left before the 1 s task ran; the next command waited for it.
    assert answered < 0.7, f"the response waited for the deferred work ({answered:.3f} s)"
    assert answered + waited >= 0.95, f"the READ did not wait for the deferred work ({answered + waited:.3f} s)"
# Refusal: a delay outside 0..100.
_, sw, _ = tx("8024650000")
assert sw == 0x6A86, hex(sw)
connection.disconnect()
PY
echo "PASS deferred execution over PC/SC"
