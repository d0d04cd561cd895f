#!/usr/bin/env bash
# `sefleet gp info | put-key | set-status` against the virtual SE over TCP, including a restart of the
# card process in between (keys and counters persist).
set -uo pipefail
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

# Without keys: identity, card data and key information; the registry needs a session.
out=$(run gp info --tcp "$tcp") || fail "gp info exited $?: $out"
grep -q "^CIN  *5345464C45455430$" <<<"$out" || fail "CIN: $out"
grep -q "^Secure channels  *SCP03 i=70$" <<<"$out" || fail "SCP03 i: $out"
grep -q "^Key version 30  *01 AES-128, 02 AES-128, 03 AES-128$" <<<"$out" || fail "key information: $out"
grep -q "^Registry .*needs an SCP03 session" <<<"$out" || fail "registry note: $out"

# With keys: life cycle and registry; JSON for programs.
json=$(run gp info --tcp "$tcp" --kdf3 "$master" --json) || fail "gp info --json exited $?"
/usr/bin/python3 - "$json" <<'PY' || fail "gp info --json: $json"
import json, sys
j = json.loads(sys.argv[1])
assert j["cin"] == "5345464C45455430", j
assert j["card_recognition"]["secure_channels"] == [{"scp": "03", "i": "70"}], j
assert j["secure_channel"]["kvn"] == "30" and j["secure_channel"]["level"] == "33", j
assert j["card_life_cycle"] in ("OP_READY", "INITIALIZED", "SECURED"), j
isd = [e for e in j["registry"] if e["kind"] == "ISD"]
assert len(isd) == 1 and isd[0]["aid"] == "A000000151000000" and "SecurityDomain" in isd[0]["privileges"], j
assert isinstance(j["sequence_counter"], int), j
PY
counter=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sequence_counter"])' "$json")

# PUT KEY: add key version 31, checked KCVs; the new keys open a session, the old ones still do.
new=00112233445566778899AABBCCDDEEFF
out=$(run gp put-key --tcp "$tcp" "${keys[@]}" --new-kvn 31 --new-key "$new") || fail "put-key exited $?: $out"
grep -q "^added key version 31 (AES-128)" <<<"$out" || fail "put-key output: $out"
kcv=$(/usr/bin/python3 -c '
import sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
e = Cipher(algorithms.AES(bytes.fromhex(sys.argv[1])), modes.ECB()).encryptor()
print((e.update(b"\x01" * 16) + e.finalize())[:3].hex().upper())' $new)
grep -q "KCV ENC $kcv  MAC $kcv  DEK $kcv" <<<"$out" || fail "KCVs (expected $kcv): $out"
run apdu --tcp "$tcp" --key "$new" --kvn 31 --expect-ok 80CA00C100 >/dev/null || fail "new key set does not open a session"
run apdu --tcp "$tcp" "${keys[@]}" --kvn 30 --expect-ok 80CA00C100 >/dev/null || fail "old key set no longer works"
run gp info --tcp "$tcp" | grep -q "^Key version 31  *01 AES-128" || fail "gp info does not list key version 31"

# Replacing 31 needs keys that open a session; the wrong ones change nothing.
run gp put-key --tcp "$tcp" --key "$new" --kvn 30 --replace-kvn 31 --new-kvn 31 --new-key "$enc" >/dev/null 2>&1 &&
  fail "put-key with wrong current keys succeeded"
json=$(run gp put-key --tcp "$tcp" --key "$new" --kvn 31 --replace-kvn 31 --new-kvn 31 --new-enc "$enc" --new-mac "$mac" \
  --new-dek "$dek" --json) || fail "put-key replace exited $?"
grep -q '"checked": true' <<<"$json" || fail "put-key --json: $json"
run apdu --tcp "$tcp" "${keys[@]}" --kvn 31 --expect-ok 80CA00C100 >/dev/null || fail "replaced set does not open a session"

# The card process restarts: keys and the sequence counter survive.
stop_card
start_card
after=$(run gp info --tcp "$tcp" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["sequence_counter"])') ||
  fail "gp info after restart"
[ "$after" -gt "$counter" ] || fail "sequence counter went from $counter to $after across sessions and a restart"
run apdu --tcp "$tcp" --key "$new" --kvn 31 80CA00C100 >/dev/null 2>&1 && fail "key version 31 has the old keys after restart"
run apdu --tcp "$tcp" "${keys[@]}" --kvn 31 --expect-ok 80CA00C100 >/dev/null || fail "key version 31 lost at restart"

# SET STATUS along the life cycle; CARD_LOCKED is reversible, TERMINATED is final.
for state in INITIALIZED SECURED CARD_LOCKED SECURED; do
  out=$(run gp set-status --tcp "$tcp" "${keys[@]}" --card "$state") || fail "set-status $state exited $?: $out"
  grep -q "^card life cycle set to $state" <<<"$out" || fail "set-status $state: $out"
  life=$(run gp info --tcp "$tcp" "${keys[@]}" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["card_life_cycle"])')
  [ "$life" = "$state" ] || fail "after set-status $state the card reports $life"
done
run gp set-status --tcp "$tcp" "${keys[@]}" --card OP_READY >/dev/null 2>"$work/err" && fail "SECURED -> OP_READY accepted"
grep -q "SET STATUS refused: 6985 .*: the card is SECURED; from SECURED SET STATUS allows CARD_LOCKED or TERMINATED, not OP_READY" \
  "$work/err" || fail "backwards transition message: $(cat "$work/err")"
out=$(run gp set-status --tcp "$tcp" "${keys[@]}" --card TERMINATED --yes) || fail "TERMINATED exited $?: $out"
run apdu --tcp "$tcp" "${keys[@]}" 80CA00C100 >/dev/null 2>&1 && fail "a TERMINATED card still opens a session"
echo "ok"
