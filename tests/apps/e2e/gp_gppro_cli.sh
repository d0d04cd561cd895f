#!/usr/bin/env bash
# `sefleet gp` as GlobalPlatformPro users type it, against the virtual SE over TCP: -i, -l, the key
# options under GlobalPlatformPro's names (--key-enc/--key-mac/--key-dek, --key-ver, --key-kdf, --mode,
# --key default), keys from --key-file and $SEFLEET_KEY, --put-key/--lock/--unlock/--replace-key,
# --lock-card/--unlock-card, --delete, and the card's refusals explained (exit 1) next to the usage
# errors (exit 2).
set -uo pipefail
# shellcheck source=../../support/host_card_env.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/host_card_env.sh"
test_key=404142434445464748494A4B4C4D4E4F

# expect STATUS PATTERN -- command...: exit status and a stderr line matching PATTERN.
expect() {
  local want=$1 pattern=$2; shift 3
  local err status
  err=$(timeout 30 "$bin" "$@" 2>&1 >/dev/null); status=$?
  [ "$status" -eq "$want" ] || fail "'$*': exit $status, expected $want ($err)"
  grep -qiE -- "$pattern" <<<"$err" || fail "'$*': message does not match '$pattern': $err"
}

# -i is `gp info`; -l the registry alone.
out=$(run gp -i --tcp "$tcp") || fail "gp -i exited $?: $out"
grep -q "^CIN  *5345464C45455430$" <<<"$out" || fail "gp -i: $out"
out=$(run gp -l --tcp "$tcp" --key-enc "$enc" --key-mac "$mac" --key-dek "$dek" --key-ver 30) || fail "gp -l: $out"
grep -q "^Card life cycle  *OP_READY" <<<"$out" || fail "gp -l life cycle: $out"
grep -q "^  ISD  *A000000151000000  *OP_READY" <<<"$out" || fail "gp -l registry: $out"
grep -q "^CIN" <<<"$out" && fail "gp -l printed the card data: $out"
run gp --list --tcp "$tcp" --key "$master" --key-kdf kdf3 | grep -q "^  ISD" || fail "--key-kdf kdf3"

# --mode names the security level.
for pair in clr:00 mac:01 enc:03 rmac:11 renc:33 RMAC:11; do
  level=$(run gp info --tcp "$tcp" --kdf3 "$master" --mode "${pair%%:*}" --json |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["secure_channel"]["level"])') ||
    fail "--mode ${pair%%:*}"
  [ "$level" = "${pair##*:}" ] || fail "--mode ${pair%%:*} opened level $level"
done

# Keys from a file (0600: a key as hex, or the JSON of hsm derive-scp03) and from $SEFLEET_KEY.
(umask 077; printf '{"kvn": "30", "enc": "%s", "mac": "%s", "dek": "%s"}\n' "$enc" "$mac" "$dek" >"$work/card.keys")
run gp -l --tcp "$tcp" --key-file "$work/card.keys" | grep -q "^  ISD" || fail "--key-file with a key set"
chmod 644 "$work/card.keys"
expect 1 "chmod 600" -- gp -l --tcp "$tcp" --key-file "$work/card.keys"
expect 1 "no such|not found|does not exist" -- gp -l --tcp "$tcp" --key-file "$work/none.keys"
(umask 077; echo "not a key" >"$work/bad.keys")
expect 1 "expected one AES key" -- gp -l --tcp "$tcp" --key-file "$work/bad.keys"

# --put-key adds a version (the default test key, given as --key default); $SEFLEET_KEY opens it.
out=$(run gp --put-key "$test_key" --new-keyver 32 --tcp "$tcp" "${keys[@]}") || fail "--put-key: $out"
grep -q "^added key version 32" <<<"$out" || fail "--put-key output: $out"
err=$(run gp -l --tcp "$tcp" --key default --key-ver 32 2>&1 >/dev/null) || fail "--key default: $err"
grep -q "warning: --key default is the GlobalPlatform test key" <<<"$err" || fail "--key default warns: $err"
SEFLEET_KEY=$test_key run gp -l --tcp "$tcp" --key-ver 32 2>/dev/null | grep -q "^  ISD" || fail "\$SEFLEET_KEY"
(umask 077; echo "$test_key" >"$work/test.key")
run gp -l --tcp "$tcp" --key-file "$work/test.key" --key-ver 32 | grep -q "^  ISD" || fail "--key-file with hex"

# PUT KEY of a version that exists: refused by the card, explained with the versions it holds.
expect 1 "PUT KEY refused: 6A80.*key version 32 exists already.*30 and 32" -- \
  gp --put-key "$test_key" --new-keyver 32 --tcp "$tcp" "${keys[@]}"
expect 1 "PUT KEY refused.*key version 32 exists already" -- \
  gp put-key --tcp "$tcp" "${keys[@]}" --new-kvn 32 --new-key "$test_key"

# --lock replaces the set the session opened with; --unlock puts the test key back; --replace-key.
new=00112233445566778899AABBCCDDEEFF
out=$(run gp --lock "$new" --tcp "$tcp" --key default --key-ver 32 2>/dev/null) || fail "--lock: $out"
grep -q "^replaced key version 32 by key version 32" <<<"$out" || fail "--lock output: $out"
run gp -l --tcp "$tcp" --key default --key-ver 32 >/dev/null 2>&1 && fail "the test key still opens version 32"
err=$(run gp --unlock --tcp "$tcp" --key "$new" --key-ver 32 2>&1 >/dev/null) || fail "--unlock: $err"
grep -q "warning: --unlock puts the GlobalPlatform test key" <<<"$err" || fail "--unlock warns: $err"
run gp -l --tcp "$tcp" --key default --key-ver 32 >/dev/null 2>&1 || fail "--unlock did not restore the test key"
run gp --replace-key "$new" --new-keyver 32 --tcp "$tcp" --key default --key-ver 32 >/dev/null 2>&1 ||
  fail "--replace-key"
run gp -l --tcp "$tcp" --key "$new" --key-ver 32 >/dev/null || fail "--replace-key did not install the key"

# Life cycle: OP_READY cannot be locked; the refusal says where the card is and where it may go.
expect 1 "SET STATUS refused: 6985.*card is OP_READY; from OP_READY SET STATUS allows INITIALIZED or TERMINATED, not CARD_LOCKED" -- \
  gp --lock-card --tcp "$tcp" "${keys[@]}"
run gp --initialize-card --tcp "$tcp" "${keys[@]}" >/dev/null || fail "--initialize-card"
run gp --secure-card --tcp "$tcp" "${keys[@]}" >/dev/null || fail "--secure-card"
run gp --lock-card --tcp "$tcp" "${keys[@]}" >/dev/null || fail "--lock-card"
run gp -l --tcp "$tcp" "${keys[@]}" | grep -q "^Card life cycle  *CARD_LOCKED" || fail "not CARD_LOCKED"
run gp --unlock-card --tcp "$tcp" "${keys[@]}" >/dev/null || fail "--unlock-card"
run gp -l --tcp "$tcp" "${keys[@]}" | grep -q "^Card life cycle  *SECURED" || fail "not SECURED again"

# --delete AID: what is not there is refused with the card's status word.
expect 1 "DELETE refused: 6A88" -- gp --delete F0534600010199 --tcp "$tcp" "${keys[@]}"
expect 1 "DELETE refused: 6A88" -- gp delete F0534600010199 --tcp "$tcp" "${keys[@]}"

# Usage errors: exit 2, before the card is touched.
expect 2 "one action at a time" -- gp -i -l --tcp "$tcp"
expect 2 "needs an SCP03 session" -- gp -l --tcp "$tcp"
expect 2 "--new-keyver" -- gp --put-key "$new" --tcp "$tcp" "${keys[@]}"
expect 2 "--new-keyver.*goes with" -- gp -l --new-keyver 31 --tcp "$tcp" "${keys[@]}"
expect 2 "--lock.*invalid hex" -- gp --lock 00112233XX --tcp "$tcp" "${keys[@]}"
expect 2 "--lock-enc.*go together" -- gp --lock-enc "$new" --tcp "$tcp" "${keys[@]}"
expect 2 "--delete.*5 to 16" -- gp --delete A000 --tcp "$tcp" "${keys[@]}"
expect 2 "-f|--force" -- gp -f -l --tcp "$tcp" "${keys[@]}"
expect 2 "go after 'info'" -- gp --key "$new" info --tcp "$tcp"
expect 2 "--mode" -- gp -l --tcp "$tcp" "${keys[@]}" --mode full
expect 2 "excludes" -- gp -l --tcp "$tcp" "${keys[@]}" --mode enc --level 03
expect 2 "--key-kdf" -- gp -l --tcp "$tcp" --key "$master" --key-kdf emv
expect 2 "--key.*invalid hex" -- gp -l --tcp "$tcp" --key 4041XX
expect 2 "give a subcommand" -- gp --tcp "$tcp"
echo "ok"
