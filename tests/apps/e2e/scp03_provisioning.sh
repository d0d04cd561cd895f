#!/usr/bin/env bash
# Personalizing SEs from the fleet's master key: `sefleet hsm derive-scp03` writes an SE's SCP03 keys
# (kdf3, inside the keystore) to a 0600 file; those keys equal the ones computed independently
# (tests/support/host_card_env.sh) and open a session on the card personalized with them; `card init
# --scp03-keys` personalizes a second SE from such a file, and `--kdf3 MASTER` opens its sessions.
# Then the refusals: a KDD of the wrong size, an existing output file, a master key without mac usage,
# an unknown label, a key file for another SE, a key file readable by others.
set -uo pipefail
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"

# shellcheck source=../../support/cli_expect.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/cli_expect.sh"

(umask 077; printf '%s\n' "$master" >"$work/master.hex")
export SEFLEET_PASSPHRASE="provisioning test"
store=software:$work/hsm.sfks
run hsm init --keystore "$store" >/dev/null || fail "hsm init"
run hsm import --keystore "$store" --label master --value-file "$work/master.hex" --usage mac >/dev/null ||
  fail "hsm import"
run hsm generate --keystore "$store" --label kek --size 16 --usage wrap >/dev/null || fail "hsm generate"

# The running card's keys, derived by the keystore: the same as computed independently.
out=$(run hsm derive-scp03 --keystore "$store" --label master@v1 --kdd "$kdd" -o "$work/card.keys") ||
  fail "derive-scp03 exited $?: $out"
grep -q "^wrote $work/card.keys (mode 0600): SCP03 key set 30 (AES-128) for KDD $kdd, kdf3 from master@v1" <<<"$out" ||
  fail "derive-scp03 output: $out"
grep -qi "$enc" <<<"$out" && fail "derive-scp03 printed a key"
[ "$(stat -c %a "$work/card.keys")" = 600 ] || fail "the key file is not mode 600"
/usr/bin/python3 - "$work/card.keys" "$enc" "$mac" "$dek" "$kdd" <<'PY' || fail "key file: $(cat "$work/card.keys")"
import json, sys
k = json.load(open(sys.argv[1]))
assert (k["enc"], k["mac"], k["dek"], k["kdd"]) == tuple(sys.argv[2:6]), k
assert k["kvn"] == "30" and k["derivation"] == "kdf3" and k["master"] == "master@v1", k
PY
run gp -l --tcp "$tcp" --key-file "$work/card.keys" | grep -q "^  ISD  *A000000151000000" ||
  fail "the derived keys do not open a session"

# A second SE personalized from the file alone: its profile has no keys.
kdd2=00112233445566778801
run hsm derive-scp03 --keystore "$store" --label master --kdd "$kdd2" --kvn 31 -o "$work/se2.keys" --json \
  >"$work/se2.json" || fail "derive-scp03 --json"
grep -q '"master": "master@v1"' "$work/se2.json" || fail "derive-scp03 --json: $(cat "$work/se2.json")"
cat >"$work/se2-profile.json" <<JSON
{"se_id": "5345464C45455432", "kdd": "$kdd2", "platform_id": "0102030405060708", "scp03": {"i": "70"}}
JSON
out=$(run card init --state "$work/se2" --profile "$work/se2-profile.json" --scp03-keys "$work/se2.keys") ||
  fail "card init --scp03-keys: $out"
grep -q "SCP03 key set 31" <<<"$out" || fail "card init output: $out"
port2=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" card run --state "$work/se2" --listen "127.0.0.1:$port2" >"$work/se2.log" 2>&1 &
se2_pid=$!
trap 'kill "$se2_pid" 2>/dev/null; stop_card; rm -rf "$work"' EXIT
for _ in $(seq 100); do timeout 5 "$bin" apdu --tcp "127.0.0.1:$port2" >/dev/null 2>&1 && break; sleep 0.1; done
json=$(run gp info --tcp "127.0.0.1:$port2" --kdf3 "$master" --json) || fail "gp info on se2 with --kdf3"
grep -q '"kdd": "'"$kdd2"'"' <<<"$json" || fail "se2 KDD: $json"
run gp -l --tcp "127.0.0.1:$port2" --key-file "$work/se2.keys" --key-ver 31 >/dev/null || fail "se2 with its file"

# Refusals.
expect 2 "--kdd.*10 bytes" -- hsm derive-scp03 --keystore "$store" --label master --kdd 0011 -o "$work/x.keys"
expect 2 "--kdd.*hex" -- hsm derive-scp03 --keystore "$store" --label master --kdd 00112233445566778X99 -o "$work/x.keys"
expect 2 "--kvn" -- hsm derive-scp03 --keystore "$store" --label master --kdd "$kdd" --kvn 80 -o "$work/x.keys"
expect 2 "--label" -- hsm derive-scp03 --keystore "$store" --label master@v0 --kdd "$kdd" -o "$work/x.keys"
expect 1 "exists.*never overwritten" -- hsm derive-scp03 --keystore "$store" --label master --kdd "$kdd" -o "$work/card.keys"
expect 1 "no key 'ghost'" -- hsm derive-scp03 --keystore "$store" --label ghost --kdd "$kdd" -o "$work/x.keys"
expect 1 "usage|may not be used" -- hsm derive-scp03 --keystore "$store" --label kek --kdd "$kdd" -o "$work/x.keys"
[ -e "$work/x.keys" ] && fail "a refused derive-scp03 left a file"
expect 1 "KDD $kdd2.*profile's kdd is $kdd" -- card init --state "$work/se3" --profile "$work/profile.json" --scp03-keys "$work/se2.keys"
chmod 644 "$work/se2.keys"
expect 1 "chmod 600" -- card init --state "$work/se3" --profile "$work/se2-profile.json" --scp03-keys "$work/se2.keys"
[ -e "$work/se3" ] && fail "a refused card init left a state"
echo "ok"
