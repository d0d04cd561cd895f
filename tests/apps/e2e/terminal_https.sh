#!/usr/bin/env bash
# `sefleet terminal` against an HTTPS server whose certificate a test CA (made here with openssl)
# signed: refused cleanly (exit 1 with a message, never a SIGPIPE death) without --cacert or with
# another CA, accepted with --cacert; the token only from a private file or $SEFLEET_TOKEN (--token is
# refused with what to use); and SEs of two waves, met second wave first, all served in one run
# without waiting for Retry-After, each with a final line. The server closes idle keep-alive
# connections after 1 s, so the terminal's connection is closed under it while it delivers.
set -uo pipefail
# shellcheck source=../../support/e2e_processes.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/e2e_processes.sh"
secret() { (umask 077; printf '%s\n' "$2" >"$work/$1"); }

# --- a test CA and a server certificate it signs (and a second CA that signed nothing here) --------
ssl() { openssl "$@" 2>/dev/null || fail "openssl $1"; }
for ca in ca other-ca; do
  ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=sefleet test $ca" \
    -keyout "$work/$ca.key" -out "$work/$ca.pem"
done
ssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 -keyout "$work/server.key" \
  -out "$work/server.csr"
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/san.ext"
ssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
  -extfile "$work/san.ext" -out "$work/server.pem"

# --- keys, a campaign package and two SEs over TCP (as in campaign_operations.sh) -------------------
master=000102030405060708090A0B0C0D0E0F
kos=404142434445464748494A4B4C4D4E4F
secret master.hex "$master"
secret kos.hex "$kos"
export SEFLEET_PASSPHRASE="https test passphrase"
platform=software:$work/platform.sfks
hsm=software:$work/hsm.sfks
"$bin" hsm init --keystore "$platform" >/dev/null || fail "hsm init (platform)"
"$bin" hsm import --keystore "$platform" --label kos --value-file "$work/kos.hex" --usage wrap,encrypt >/dev/null ||
  fail "import kos"
"$bin" hsm init --keystore "$hsm" >/dev/null || fail "hsm init (server)"
"$bin" hsm import --keystore "$hsm" --label master --value-file "$work/master.hex" --usage mac >/dev/null ||
  fail "import master"
# 120 kB: the delivery (600 WRITE BLOCKs, each one committed by the card) outlasts the 1 s idle timeout.
head -c 120000 /dev/urandom >"$work/body.bin"
"$bin" campaign build --keystore "$platform" --body "$work/body.bin" --type application \
  --platform 0102030405060708 --version 2.1 --name wallet --profile 3 --kos kos --platform-key-version 1 \
  --chunk-size 200 -o "$work/wallet.sfcp" >/dev/null || fail "campaign build"
kdf3() {
  "$py" - "$master" "$2" "$1" <<'PY'
import sys
from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.ciphers import algorithms
master, t, kdd = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
c = CMAC(algorithms.AES(master)); c.update(b"\x01\x00\x00\x00" + t + b"\x00" + kdd)
print(c.finalize().hex().upper())
PY
}
declare -A tcp_of
se_ids=()
for n in 1 2; do
  kdd=0011223344556677880$n
  se_id=5345464C4F50530$n
  cat >"$work/se$n.json" <<JSON
{"se_id": "$se_id", "kdd": "$kdd", "isd_aid": "A000000151000000", "platform_id": "0102030405060708",
 "scp03": {"kvn": "30", "i": "70", "enc": "$(kdf3 $kdd 01)", "mac": "$(kdf3 $kdd 02)", "dek": "$(kdf3 $kdd 03)"},
 "platform_keys": {"version": 1, "kos": "$kos", "kmac": "$kos"}, "allow_downgrade": false}
JSON
  "$bin" card init --state "$work/se$n" --profile "$work/se$n.json" >/dev/null || fail "card init se$n"
  port=$(free_port)
  "$bin" card run --state "$work/se$n" --listen "127.0.0.1:$port" >"$work/se$n.log" 2>&1 &
  pids+=($!)
  tcp_of[$(tr 'A-F' 'a-f' <<<"$se_id")]="127.0.0.1:$port"
  se_ids+=("$se_id")
done

# --- the HTTPS server -----------------------------------------------------------------------------
secret admin.token "admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
admin=$(cat "$work/admin.token")
port=$(free_port)
url=https://127.0.0.1:$port
"$bin" server --listen "127.0.0.1:$port" --db "sqlite:$work/server.db" --keystore "$hsm" \
  --admin-token-file "$work/admin.token" --tls-cert "$work/server.pem" --tls-key "$work/server.key" \
  --idle-timeout 1 >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fsS --cacert "$work/ca.pem" "$url/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS --cacert "$work/ca.pem" "$url/v1/health" | grep -q ok || fail "server did not come up: $(cat "$work/server.log")"
api() {  # api METHOD PATH [JSON] -> body
  curl -sS --cacert "$work/ca.pem" -X "$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} "$url$2"
}
"$py" - "$work/wallet.sfcp" "${se_ids[@]}" >"$work/upload.json" <<'PY'
import base64, json, sys
print(json.dumps({"name": "wallet 2.1", "package": base64.b64encode(open(sys.argv[1], "rb").read()).decode(),
                  "master_key": "master", "targets": sys.argv[2:], "rollout": {"waves": [50, 100]}}))
PY
campaign=$(api POST /v1/campaigns "@$work/upload.json" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["id"])') ||
  fail "upload"
api POST /v1/tokens "{\"name\": \"line 1\", \"campaigns\": [\"$campaign\"]}" |
  "$py" -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$work/token.raw" || fail "token"
secret terminal.token "$(cat "$work/token.raw")"
# The SEs in wave order (GET /v1/devices lists a campaign's SEs by rank): the terminal meets the second first.
mapfile -t ranked < <(api GET "/v1/devices?campaign=$campaign" |
  "$py" -c 'import json,sys; [print(d["se_id"]) for d in json.load(sys.stdin)["devices"]]')
[ ${#ranked[@]} = 2 ] || fail "devices: ${ranked[*]}"
cards=(--tcp "${tcp_of[${ranked[1]}]}" --tcp "${tcp_of[${ranked[0]}]}")

terminal() {  # terminal ARGS...: runs with a 60 s bound; output in $work/out, status in $status
  timeout 60 "$bin" terminal --server "$url" --campaign "$campaign" --cache "$work/cache" "$@" >"$work/out" 2>&1
  status=$?
}

# --- the token: never on the command line; only from a private file or the environment --------------
terminal --token "$(cat "$work/token.raw")" --cacert "$work/ca.pem" "${cards[@]}"
[ $status = 2 ] && grep -q -- "--token-file" "$work/out" || fail "--token: exit $status: $(cat "$work/out")"
cp "$work/terminal.token" "$work/open.token" && chmod 644 "$work/open.token"
terminal --token-file "$work/open.token" --cacert "$work/ca.pem" "${cards[@]}"
[ $status = 1 ] && grep -q "chmod 600 $work/open.token" "$work/out" || fail "0644 token file: exit $status: $(cat "$work/out")"
(unset SEFLEET_TOKEN; terminal --cacert "$work/ca.pem" "${cards[@]}"; exit $status)
status=$?
[ $status = 1 ] && grep -q "SEFLEET_TOKEN" "$work/out" || fail "no token: exit $status: $(cat "$work/out")"

# --- TLS: without the CA, or with another one, a clean refusal (exit 1, a message, no SIGPIPE) ------
t0=$(date +%s)
terminal --token-file "$work/terminal.token" "${cards[@]}"
[ $status = 1 ] || fail "no --cacert: exit $status (141 = SIGPIPE): $(cat "$work/out")"
grep -q "does not verify" "$work/out" && grep -q -- "--cacert" "$work/out" || fail "no --cacert: unclear: $(cat "$work/out")"
terminal --token-file "$work/terminal.token" --cacert "$work/other-ca.pem" "${cards[@]}"
[ $status = 1 ] && grep -q "does not verify" "$work/out" || fail "another CA: exit $status: $(cat "$work/out")"
[ $(($(date +%s) - t0)) -lt 20 ] || fail "the TLS refusals took $(($(date +%s) - t0)) s (retried instead of refused?)"
api GET "/v1/campaigns/$campaign" | grep -q '"authorized":0' || fail "a refused terminal got PAUTs"

# --- with --cacert: both waves in one run: the held-back SE is served as soon as the other is done --
t0=$(date +%s)
SEFLEET_TOKEN=$(cat "$work/token.raw") terminal --cacert "$work/ca.pem" --json "${cards[@]}"
elapsed=$(($(date +%s) - t0))
[ $status = 0 ] || fail "terminal exited $status: $(cat "$work/out")"
"$py" - "$work/out" <<'PY' || fail "terminal results: $(cat "$work/out")"
import json, sys
text = open(sys.argv[1]).read()
results = json.loads(text[text.index("{"):])["results"]
held, admitted = results  # the order the terminal was given: the second wave's SE first
assert all(r["final"] == "updated" and r["final_line"].startswith("updated: image activated") for r in results), results
assert held["history"][0]["label"] == "refused:not_in_wave", held["history"]
assert held["history"][-1]["label"] == "updated", held["history"]
# Asked again as soon as the admitted SE was done, not after Retry-After (30 s).
gap = held["history"][-1]["started"] - admitted["finished"]
assert gap < 5, f"the held-back SE waited {gap:.1f} s after its wave began"
PY
[ $elapsed -lt 120 ] || fail "the run took $elapsed s"
api GET "/v1/campaigns/$campaign" | "$py" -c '
import json, sys
c = json.load(sys.stdin)
assert c["state"] == "completed" and c["progress"]["updated"] == 2 and c["current_wave"] == 1, c' ||
  fail "campaign after the run: $(api GET "/v1/campaigns/$campaign")"

echo "PASS terminal over HTTPS ($elapsed s for two waves of one SE each)"
