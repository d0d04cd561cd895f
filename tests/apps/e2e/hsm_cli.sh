#!/usr/bin/env bash
# `sefleet hsm` on both keystores: a software file and a fresh SoftHSM2 token made here. Good paths
# (init, generate, import, list, rotate, delete) and refusals (bad label, missing passphrase, wrong
# PIN, unknown key, a PIN on the command line, a world-readable secret file): non-zero exit + message.
# `list` must never print a key value.
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

# shellcheck source=../../support/cli_expect.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/cli_expect.sh"
run() { timeout 60 "$bin" "$@" || fail "'$*' failed"; }

value=000102030405060708090A0B0C0D0E0F
printf '%s\n' "$value" >"$work/master.hex"
printf 'correct horse battery\n' >"$work/pass"

# --- software keystore ---------------------------------------------------------------------------
sw="software:$work/keys.sfks"
expect 1 "passphrase" -- hsm init --keystore "$sw"                       # none given
run hsm init --keystore "$sw" --passphrase-file "$work/pass" >/dev/null
[ "$(stat -c %a "$work/keys.sfks")" = 600 ] || fail "keystore file is not mode 600"
expect 1 "exists" -- hsm init --keystore "$sw" --passphrase-file "$work/pass"
export SEFLEET_PASSPHRASE="correct horse battery"
run hsm import --keystore "$sw" --label master --value-file "$work/master.hex" --usage mac >/dev/null
run hsm generate --keystore "$sw" --label kek --size 32 --usage wrap >/dev/null
run hsm rotate --keystore "$sw" --label kek >/dev/null
out=$(run hsm list --keystore "$sw")
grep -q "master" <<<"$out" || fail "list lacks master: $out"
grep -q "v2  current" <<<"$out" || fail "list lacks the rotated version: $out"
grep -qi "$value" <<<"$out" && fail "list printed a key value"
kcv=$(/usr/bin/python3 -c "from cryptography.hazmat.primitives.ciphers import Cipher,algorithms,modes;e=Cipher(algorithms.AES(bytes.fromhex('$value')),modes.ECB()).encryptor();print((e.update(b'\x01'*16)+e.finalize())[:3].hex().upper())")
grep -q "KCV $kcv" <<<"$out" || fail "list does not show the KCV $kcv: $out"
json=$(run hsm list --keystore "$sw" --json)
grep -q '"usage": "mac"' <<<"$json" || fail "json list: $json"
expect 1 "invalid key label" -- hsm generate --keystore "$sw" --label "-bad" --size 16
expect 1 "no key 'nope'" -- hsm rotate --keystore "$sw" --label nope
expect 1 "already exists" -- hsm generate --keystore "$sw" --label master
expect 2 "size" -- hsm generate --keystore "$sw" --label x --size 20
expect 1 "unknown key usage" -- hsm generate --keystore "$sw" --label x --usage sign
SEFLEET_PASSPHRASE=wrong expect 1 "wrong passphrase" -- hsm list --keystore "$sw"
printf 'zz\n' >"$work/bad.hex"
expect 1 "hex" -- hsm import --keystore "$sw" --label bad --value-file "$work/bad.hex"
chmod 644 "$work/master.hex"
expect 1 "chmod 600" -- hsm import --keystore "$sw" --label other --value-file "$work/master.hex"
chmod 600 "$work/master.hex"
run hsm delete --keystore "$sw" --label kek --version 1 >/dev/null
expect 1 "current" -- hsm delete --keystore "$sw" --label kek --version 2
run hsm delete --keystore "$sw" --label kek >/dev/null
run hsm list --keystore "$sw" | grep -q "kek" && fail "kek still listed after delete"
unset SEFLEET_PASSPHRASE

# --- PKCS#11 keystore on a fresh SoftHSM2 token ------------------------------------------------------
module=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
softhsm2-util --init-token --free --label e2e --pin 123456 --so-pin 654321 >/dev/null || fail "token init"
printf '123456\n' >"$work/pin"
p11="pkcs11:$module?token=e2e&pin-file=$work/pin"
out=$(run hsm init --keystore "$p11")
grep -q "CKM_AES_CMAC yes" <<<"$out" || fail "init does not list CMAC: $out"
run hsm import --keystore "$p11" --label master --value-file "$work/master.hex" --usage mac >/dev/null
run hsm generate --keystore "$p11" --label kos --size 16 --usage wrap,encrypt >/dev/null
run hsm rotate --keystore "$p11" --label master --value-file "$work/master.hex" >/dev/null
out=$(run hsm list --keystore "$p11")
grep -q "KCV $kcv" <<<"$out" || fail "pkcs11 list lacks the KCV: $out"
grep -qi "$value" <<<"$out" && fail "pkcs11 list printed a key value"
SEFLEET_PKCS11_PIN=123456 run hsm list --keystore "pkcs11:$module?token=e2e" | grep -q kos || fail "pin from env"
printf '999999\n' >"$work/wrong-pin"
expect 1 "CKR_PIN_INCORRECT" -- hsm list --keystore "pkcs11:$module?token=e2e&pin-file=$work/wrong-pin"
expect 1 "no PKCS#11 token labelled 'nope'" -- hsm list --keystore "pkcs11:$module?token=nope&pin-file=$work/pin"
expect 1 "never given on the command line" -- hsm list --keystore "pkcs11:$module?token=e2e&pin=123456"
expect 1 "PIN is missing" -- hsm list --keystore "pkcs11:$module?token=e2e"
expect 1 "not found" -- hsm list --keystore "pkcs11:/nonexistent.so?token=e2e&pin-file=$work/pin"
expect 1 "no key 'ghost'" -- hsm delete --keystore "$p11" --label ghost
expect 1 "unknown keystore kind" -- hsm list --keystore "vault:x"
run hsm delete --keystore "$p11" --label kos >/dev/null
run hsm list --keystore "$p11" | grep -q "kos" && fail "kos still listed after delete"
echo "hsm_cli: ok"
