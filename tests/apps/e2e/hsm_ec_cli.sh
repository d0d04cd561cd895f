#!/usr/bin/env bash
# `sefleet hsm` with P-256 key pairs on both keystores (a software file and a fresh SoftHSM2 token):
# generate --ec / --algorithm ec-p256, import --ec-private (SEC1 PEM, PKCS#8 PEM, hex scalar), public
# (hex and PEM, compared with openssl's view of the same key), list with the algorithm, rotate, and the
# refusals (bad or world-readable key file, another curve, AES flags with --ec, public of an AES key).
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

# shellcheck source=../../support/cli_expect.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/cli_expect.sh"
run() { timeout 60 "$bin" "$@" || fail "'$*' failed"; }

openssl ecparam -name prime256v1 -genkey -noout -out "$work/sec1.pem" 2>/dev/null || fail "openssl ecparam"
openssl pkcs8 -topk8 -nocrypt -in "$work/sec1.pem" -out "$work/pkcs8.pem" || fail "openssl pkcs8"
openssl pkey -in "$work/sec1.pem" -pubout -out "$work/expected_pub.pem" || fail "openssl pkey"
scalar=$(/usr/bin/python3 - "$work/sec1.pem" <<'PY'
import sys
from cryptography.hazmat.primitives import serialization
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
print(key.private_numbers().private_value.to_bytes(32, "big").hex())
PY
)
[ ${#scalar} -eq 64 ] || fail "scalar from openssl: '$scalar'"
printf '%s\n' "$scalar" >"$work/scalar.hex"
openssl ecparam -name secp384r1 -genkey -noout -out "$work/p384.pem" 2>/dev/null || fail "openssl p384"
printf 'correct horse battery\n' >"$work/pass"

check_store() {  # check_store SPEC
  local ks=$1 out
  run hsm generate --keystore "$ks" --label oce --ec >/dev/null
  run hsm generate --keystore "$ks" --label ca --algorithm ec-p256 >/dev/null
  run hsm generate --keystore "$ks" --label master --size 16 --usage mac >/dev/null
  run hsm import --keystore "$ks" --label sec1 --ec-private "$work/sec1.pem" >/dev/null
  run hsm import --keystore "$ks" --label pkcs8 --ec-private "$work/pkcs8.pem" >/dev/null
  run hsm import --keystore "$ks" --label raw --ec-private "$work/scalar.hex" >/dev/null
  run hsm public --keystore "$ks" sec1 --pem >"$work/pub.pem"
  cmp -s "$work/pub.pem" "$work/expected_pub.pem" || fail "$ks: public --pem differs from openssl's"
  local a b c
  a=$(run hsm public --keystore "$ks" sec1); b=$(run hsm public --keystore "$ks" pkcs8)
  c=$(run hsm public --keystore "$ks" --label raw)
  [ "$a" = "$b" ] && [ "$a" = "$c" ] || fail "$ks: the three imports differ: $a $b $c"
  [[ $a =~ ^04[0-9A-Fa-f]{128}$ ]] || fail "$ks: public is not an uncompressed point: $a"
  out=$(run hsm list --keystore "$ks")
  grep -qE "oce +EC-P256 +usage agree,sign" <<<"$out" || fail "$ks: list lacks the EC key: $out"
  grep -qE "master +AES-128" <<<"$out" || fail "$ks: list lacks the AES key: $out"
  grep -qi "$scalar" <<<"$out" && fail "$ks: list printed a private scalar"
  run hsm list --keystore "$ks" --json | grep -qi "\"public_key\": \"$a\"" || fail "$ks: json list lacks public_key"
  run hsm rotate --keystore "$ks" --label oce >/dev/null
  [ "$(run hsm public --keystore "$ks" oce@v1)" != "$(run hsm public --keystore "$ks" oce)" ] ||
    fail "$ks: rotation kept the key pair"
  expect 1 "already exists" -- hsm generate --keystore "$ks" --label oce --ec
  expect 1 "is an AES key" -- hsm public --keystore "$ks" master
  expect 1 "no key 'nope'" -- hsm public --keystore "$ks" nope
  expect 1 "P-256" -- hsm import --keystore "$ks" --label p384 --ec-private "$work/p384.pem"
  printf '%s\n' "${scalar:0:62}" >"$work/short.hex"
  expect 1 "32-byte scalar" -- hsm import --keystore "$ks" --label short --ec-private "$work/short.hex"
  chmod 644 "$work/sec1.pem"
  expect 1 "chmod 600" -- hsm import --keystore "$ks" --label open --ec-private "$work/sec1.pem"
  chmod 600 "$work/sec1.pem"
  expect 2 "excludes" -- hsm generate --keystore "$ks" --label x --ec --size 32
  expect 2 "ec-p256" -- hsm generate --keystore "$ks" --label x --algorithm rsa
  expect 2 "--value-file|--ec-private" -- hsm import --keystore "$ks" --label x
}

export SEFLEET_PASSPHRASE="correct horse battery"
run hsm init --keystore "software:$work/keys.sfks" >/dev/null
check_store "software:$work/keys.sfks"
unset SEFLEET_PASSPHRASE

module=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
softhsm2-util --init-token --free --label e2e --pin 123456 --so-pin 654321 >/dev/null || fail "token init"
printf '123456\n' >"$work/pin"
p11="pkcs11:$module?token=e2e&pin-file=$work/pin"
run hsm init --keystore "$p11" | grep -q "CKM_ECDH1_DERIVE yes" || fail "hsm init does not list CKM_ECDH1_DERIVE"
check_store "$p11"
echo "hsm EC CLI: ok"
