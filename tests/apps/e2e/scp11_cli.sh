#!/usr/bin/env bash
# `sefleet apdu` and `sefleet gp` over SCP11 against a virtual SE (`sefleet card run --listen`) whose
# profile holds an SD key certified by a card CA and an OCE CA key. The certificates and keys are made
# here with python3-cryptography (X.509, P-256), independently of sefleet. Checked: apdu --scp 11b
# (card chain verified under the card CA certificate, and with --card-key), gp -l --scp 11a with the
# OCE key in a file and in a SoftHSM2 token (ECDH on the token), and the refusals: a wrong card CA, an
# OCE certificate from another CA, a missing OCE key, an OCE chain that does not certify the key.
set -uo pipefail
# shellcheck source=../../support/scp11_card.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/scp11_card.sh"

/usr/bin/python3 - "$work" <<'PY' || fail "making the test PKI"
import os, sys
sys.path.insert(0, os.path.join(os.environ["SEFLEET_SOURCE_DIR"], "tests", "support"))
from cryptography.hazmat.primitives import serialization
from test_pki import cert, key, point, scp11_profile
work = sys.argv[1]
def write(path, data):
    with open(f"{work}/{path}", "wb") as f:
        f.write(data)
pem = serialization.Encoding.PEM
card_ca, wrong_ca, sd, oce_ca, other_ca, oce = key(), key(), key(), key(), key(), key()
write("card_ca.pem", cert(card_ca, "card CA", card_ca, "card CA").public_bytes(pem))
write("wrong_ca.pem", cert(wrong_ca, "card CA", wrong_ca, "card CA").public_bytes(pem))
sd_cert = cert(sd, "SD", card_ca, "card CA")
write("oce.pem", cert(oce, "OCE", oce_ca, "OCE CA").public_bytes(pem))
write("oce_other_ca.pem", cert(oce, "OCE", other_ca, "OCE CA").public_bytes(pem))
write("not_oce.pem", cert(key(), "OCE", oce_ca, "OCE CA").public_bytes(pem))
write("oce.key", oce.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
write("sd_point.hex", point(sd).encode())
write("profile.json", scp11_profile(sd, sd_cert, oce_ca))
PY

start_scp11_card
oce=(--oce-key "$work/oce.key" --oce-cert "$work/oce.pem")

# SCP11b: the card's chain verified under the card CA; commands protected.
out=$(run apdu --tcp "$tcp" --scp 11b --card-ca "$work/card_ca.pem" --expect-ok 80CA006600) ||
  fail "apdu --scp 11b exited $?: $out"
grep -q "SCP11b session open" <<<"$out" || fail "no SCP11b session: $out"
grep -q "^< 66.* 9000" <<<"$out" || fail "card recognition data under SCP11b: $out"
json=$(run apdu --tcp "$tcp" --scp 11b --card-key "$(cat "$work/sd_point.hex")" --key-length 32 --json 80CA006600) ||
  fail "apdu --scp 11b --card-key exited $?"
/usr/bin/python3 - "$json" "$(cat "$work/sd_point.hex")" <<'PY' || fail "--json secure_channel: $json"
import json, sys
j = json.loads(sys.argv[1])
sc = j["secure_channel"]
assert sc["scp"] == "11b" and sc["key_length"] == 32 and sc["card_key"].lower() == sys.argv[2].lower(), sc
assert j["exchanges"][0]["sw"] == "9000", j
PY

# SCP11a: the OCE key in a file, then in a SoftHSM2 token.
out=$(run gp -l --tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" "${oce[@]}") || fail "gp -l --scp 11a exited $?: $out"
grep -q "A000000151000000" <<<"$out" || fail "gp -l over SCP11a lists no ISD: $out"
module=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
softhsm2-util --init-token --free --label scp11 --pin 123456 --so-pin 654321 >/dev/null || fail "token init"
printf '123456\n' >"$work/pin"
p11="pkcs11:$module?token=scp11&pin-file=$work/pin"
run hsm import --keystore "$p11" --label oce --ec-private "$work/oce.key" >/dev/null || fail "hsm import of the OCE key"
out=$(run gp -l --tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" --oce-key keystore:oce --keystore "$p11" \
  --oce-cert "$work/oce.pem") || fail "gp -l --scp 11a with the OCE key in SoftHSM2 exited $?: $out"
grep -q "A000000151000000" <<<"$out" || fail "gp -l over SCP11a (token) lists no ISD: $out"

# Refusals.
expect 1 "verif" -- apdu --tcp "$tcp" --scp 11b --card-ca "$work/wrong_ca.pem" 80CA006600
expect 1 "6982" -- gp -l --tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" --oce-key "$work/oce.key" \
  --oce-cert "$work/oce_other_ca.pem"
expect 1 "not the OCE key" -- gp -l --tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" --oce-key "$work/oce.key" \
  --oce-cert "$work/not_oce.pem"
expect 2 "needs the OCE private key" -- gp -l --tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" \
  --oce-cert "$work/oce.pem"
expect 2 "--card-ca" -- apdu --tcp "$tcp" --scp 11b 80CA006600
expect 2 "do not apply" -- apdu --tcp "$tcp" --scp 11b --card-ca "$work/card_ca.pem" --key default 80CA006600
expect 2 "SCP11b does not authenticate the OCE" -- apdu --tcp "$tcp" --scp 11b --card-ca "$work/card_ca.pem" \
  "${oce[@]}" 80CA006600
expect 2 "keystore" -- gp -l --tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" --oce-key keystore:oce \
  --oce-cert "$work/oce.pem"
expect 1 "no key 'nope'" -- gp -l --tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" --oce-key keystore:nope \
  --keystore "$p11" --oce-cert "$work/oce.pem"
kill -0 "$card_pid" 2>/dev/null || fail "the card died: $(cat "$work/card.log")"
echo "SCP11 CLI: ok"
