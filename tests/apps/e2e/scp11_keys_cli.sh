#!/usr/bin/env bash
# SCP11 key management with `sefleet gp` against a virtual SE (`sefleet card run --listen`): a new SD
# key pair generated on the host and put over SCP11a, then an SCP11b session opened with it; an SD key
# pair from a private key file put over SCP03; a CA key put and its allowlist stored over SCP11a; the
# key list with the types; DELETE; a new certificate chain of the SD key stored, read back (GET DATA
# BF21) and checked by an SCP11b session under its new CA; CA issuer identifiers stored and listed
# (GET DATA FF33 / FF34). Refusals: no session, SCP11b (6982), a missing / world-readable / malformed
# key file, a wrong KID, deleting twice (6A88), a chain that does not certify the key (6A80), a bad
# identifier. Keys and certificates are made with python3-cryptography, independently of sefleet.
set -uo pipefail
# shellcheck source=../../support/scp11_card.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/scp11_card.sh"

/usr/bin/python3 - "$work" <<'PY' || fail "making the test PKI"
import os, sys
sys.path.insert(0, os.path.join(os.environ["SEFLEET_SOURCE_DIR"], "tests", "support"))
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from test_pki import cert, key, point, scp11_profile
work = sys.argv[1]
def write(path, data):
    with open(f"{work}/{path}", "wb") as f:
        f.write(data)
pem = serialization.Encoding.PEM
card_ca, sd, oce_ca, oce, new_ca, file_sd = key(), key(), key(), key(), key(), key()
write("card_ca.pem", cert(card_ca, "card CA", card_ca, "card CA").public_bytes(pem))
sd_cert = cert(sd, "SD", card_ca, "card CA")
write("oce.pem", cert(oce, "OCE", oce_ca, "OCE CA").public_bytes(pem))
write("oce.key", oce.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
write("new_ca_pub.pem", new_ca.public_key().public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo))
write("file_sd.key", file_sd.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
write("file_sd_point.hex", point(file_sd).encode())
# A second chain of the SD key: card CA 2 -> intermediate -> SD, stored with --store-certs.
der = serialization.Encoding.DER
card_ca2, intermediate = key(), key()
write("card_ca2.pem", cert(card_ca2, "card CA 2", card_ca2, "card CA 2").public_bytes(pem))
chain2 = [cert(intermediate, "card intermediate", card_ca2, "card CA 2"), cert(sd, "SD 2", intermediate, "card intermediate")]
write("chain2.pem", b"".join(c.public_bytes(pem) for c in chain2))
write("chain2.hex", b"".join(c.public_bytes(der) for c in chain2).hex().upper().encode())
for name, k in (("oce_ca", oce_ca), ("card_ca2", card_ca2)):
    write(f"{name}.ski", x509.SubjectKeyIdentifier.from_public_key(k.public_key()).digest.hex().upper().encode())
write("profile.json", scp11_profile(sd, sd_cert, oce_ca))
PY

start_scp11_card
scp11a=(--tcp "$tcp" --scp 11a --card-ca "$work/card_ca.pem" --oce-key "$work/oce.key" --oce-cert "$work/oce.pem")
scp03=(--tcp "$tcp" --key default)

# A new SCP11b key pair (KID 13, KVN 02) generated on the host, put over SCP11a; SCP11b opens with it.
out=$(run gp --new-sd-key 13/02 "${scp11a[@]}") || fail "gp --new-sd-key exited $?: $out"
point=$(sed -n 's/^PK.SD.ECKA //p' <<<"$out")
[ ${#point} -eq 130 ] || fail "no public key printed: $out"
out=$(run apdu --tcp "$tcp" --scp 11b --scp11-kvn 02 --card-key "$point" --expect-ok 80CA006600) ||
  fail "SCP11b with the new key pair exited $?: $out"
grep -q "SCP11b session open" <<<"$out" || fail "no SCP11b session with the new key: $out"

# An SD key pair from a PEM file (mode 0600), over SCP03; then replaced by itself under the same KVN.
run gp --put-sd-key 13/03 "$work/file_sd.key" "${scp03[@]}" >/dev/null || fail "gp --put-sd-key over SCP03"
run gp --put-sd-key 13/03 "$work/file_sd.key" --replace "${scp03[@]}" >/dev/null || fail "gp --put-sd-key --replace"
out=$(run apdu --tcp "$tcp" --scp 11b --scp11-kvn 03 --card-key "$(cat "$work/file_sd_point.hex")" \
  --expect-ok 80CA006600) || fail "SCP11b with the key pair from the file exited $?: $out"

# A CA key (KID 20, KVN 05) from a PEM public key and its allowlist, over SCP11a.
run gp --put-ca-key 20/05 "$work/new_ca_pub.pem" "${scp11a[@]}" >/dev/null || fail "gp --put-ca-key"
run gp --allowlist 20/05 8002 01 "${scp11a[@]}" >/dev/null || fail "gp --allowlist"

# The list: SCP03 AES keys and the ECC keys with their types.
out=$(run gp --list-keys "${scp03[@]}") || fail "gp --list-keys exited $?: $out"
grep -q "^KID 13  KVN 02  ECC-private 32 bytes, P-256" <<<"$out" || fail "--list-keys lacks 13/02: $out"
grep -q "^KID 20  KVN 05  ECC-public 65 bytes, P-256" <<<"$out" || fail "--list-keys lacks 20/05: $out"
grep -q "^KID 01  KVN 30  AES-128" <<<"$out" || fail "--list-keys lacks the SCP03 keys: $out"
json=$(run gp --list-keys --json "${scp03[@]}") || fail "gp --list-keys --json"
grep -q '"kid": "13"' <<<"$json" || fail "--list-keys --json: $json"

# DELETE; a second time the card has no such key.
run gp --delete-key 13/02 "${scp11a[@]}" >/dev/null || fail "gp --delete-key"
out=$(run gp --list-keys "${scp03[@]}")
grep -q "^KID 13  KVN 02" <<<"$out" && fail "13/02 still listed after DELETE: $out"
expect 1 "6A88" -- gp --delete-key 13/02 "${scp11a[@]}"

# A new chain of the SD key (KID 13, KVN 01): stored, read back as stored, checked by SCP11b under the
# new card CA; the old card CA no longer verifies it.
out=$(run gp --store-certs 13/01 "$work/chain2.pem" "${scp11a[@]}") || fail "gp --store-certs exited $?: $out"
grep -q "stored 2 certificate(s) for KID 13 KVN 01" <<<"$out" || fail "gp --store-certs: $out"
json=$(run apdu --tcp "$tcp" --json 00CABF2106A6048302130100) || fail "GET DATA BF21 exited $?: $json"
/usr/bin/python3 - "$json" "$(cat "$work/chain2.hex")" <<'PY' || fail "GET DATA BF21 is not the stored chain: $json"
import json, sys
exchange = json.loads(sys.argv[1])["exchanges"][0]
assert exchange["sw"] == "9000" and exchange["response"].upper() == sys.argv[2], exchange
PY
out=$(run apdu --tcp "$tcp" --scp 11b --card-ca "$work/card_ca2.pem" --expect-ok 80CA006600) ||
  fail "SCP11b under the new chain's CA exited $?: $out"
grep -q "SCP11b session open" <<<"$out" || fail "no SCP11b session under the new chain: $out"
expect 1 "verif" -- apdu --tcp "$tcp" --scp 11b --card-ca "$work/card_ca.pem" 80CA006600
expect 1 "6A80" -- gp --store-certs 13/01 "$work/oce.pem" "${scp11a[@]}"

# CA issuer identifiers: KLOC for the OCE CA key (GET DATA FF33), KLCC for the SD key (FF34).
oce_ski=$(cat "$work/oce_ca.ski")
card_ski=$(cat "$work/card_ca2.ski")
out=$(run gp --store-ca-issuer 10/10 "$oce_ski" "${scp11a[@]}") || fail "gp --store-ca-issuer 10/10 exited $?: $out"
grep -q "stored the KLOC CA issuer identifier of KID 10 KVN 10" <<<"$out" || fail "gp --store-ca-issuer: $out"
run gp --store-ca-issuer 13/01 "$card_ski" "${scp03[@]}" >/dev/null || fail "gp --store-ca-issuer 13/01"
out=$(run apdu --tcp "$tcp" --expect-ok 00CAFF3300 00CAFF3400) || fail "GET DATA FF33 / FF34 exited $?: $out"
grep -q "^< 4214${oce_ski}83021010 9000" <<<"$out" || fail "GET DATA FF33 lacks the OCE CA: $out"
grep -q "^< 4214${card_ski}83021301 9000" <<<"$out" || fail "GET DATA FF34 lacks the card CA: $out"
expect 1 "6A88" -- gp --store-ca-issuer 20/07 "$oce_ski" "${scp11a[@]}"
expect 2 "store-ca-issuer.*hex" -- gp --store-ca-issuer 10/10 XYZ "${scp11a[@]}"
expect 2 "store-ca-issuer.*KID 11, 13, 15" -- gp --store-ca-issuer 12/01 "$oce_ski" "${scp11a[@]}"

# Refusals.
expect 2 "needs an SCP03 session" -- gp --put-ca-key 20/06 "$work/new_ca_pub.pem" --tcp "$tcp"
expect 1 "6982" -- gp --delete-key 20/05 --tcp "$tcp" --scp 11b --card-ca "$work/card_ca2.pem"
expect 1 "put-sd-key .*not found" -- gp --put-sd-key 13/04 "$work/missing.key" "${scp03[@]}"
chmod 0644 "$work/file_sd.key"
expect 1 "group or others" -- gp --put-sd-key 13/04 "$work/file_sd.key" "${scp03[@]}"
printf 'not a key\n' >"$work/bad.key"
expect 1 "PEM private key" -- gp --put-sd-key 13/04 "$work/bad.key" "${scp03[@]}"
expect 1 "put-ca-key .*bad.key" -- gp --put-ca-key 20/06 "$work/bad.key" "${scp03[@]}"
expect 2 "KID 11 .*13.*15" -- gp --new-sd-key 12/01 "${scp03[@]}"
expect 2 "KID 10 or 20..2F" -- gp --put-ca-key 13/01 "$work/new_ca_pub.pem" "${scp03[@]}"
expect 2 "one action at a time" -- gp --list-keys -l "${scp03[@]}"
kill -0 "$card_pid" 2>/dev/null || fail "the card died: $(cat "$work/card.log")"
echo "SCP11 key management CLI: ok"
