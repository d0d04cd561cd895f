#!/usr/bin/env bash
# A real campaign as docs/operations.md tells an operator to run it, every role its own process:
# keystores with `sefleet hsm`, the package with `sefleet campaign build`, `sefleet server` (SQLite),
# two virtual SEs with `sefleet card run --listen`, the upload and the terminal token with curl, and
# `sefleet terminal` delivering over TCP; the SEs are personalized with `sefleet hsm derive-scp03` on
# the server's keystore, so every authenticated report shows the SE and the server's HSM hold the same
# keys. Then the refusals an operator meets (wrong token, bad upload, unknown campaign), HTTPS with
# --tls-cert/--tls-key, a graceful stop on SIGTERM, and the next version through a server whose HSM is
# a PKCS#11 token (SoftHSM2), with a terminal payload (PMOB).
set -uo pipefail
bin=${SEFLEET_BIN:?}
py=/usr/bin/python3
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { timeout 60 "$bin" "$@"; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
secret() { (umask 077; printf '%s\n' "$2" >"$work/$1"); }

# --- keys: the platform keystore (design system) and the HSM's keystore (server) -----------------
master=000102030405060708090A0B0C0D0E0F
kos=404142434445464748494A4B4C4D4E4F
kmac=505152535455565758595A5B5C5D5E5F
secret pass "operations test passphrase"
secret master.hex "$master"
secret kos.hex "$kos"
secret kmac.hex "$kmac"
export SEFLEET_PASSPHRASE="operations test passphrase"
platform=software:$work/platform.sfks
hsm=software:$work/hsm.sfks
run hsm init --keystore "$platform" >/dev/null || fail "hsm init (platform)"
run hsm import --keystore "$platform" --label kos --value-file "$work/kos.hex" --usage wrap,encrypt >/dev/null ||
  fail "import kos"
run hsm import --keystore "$platform" --label kmac --value-file "$work/kmac.hex" --usage mac >/dev/null ||
  fail "import kmac"
run hsm init --keystore "$hsm" >/dev/null || fail "hsm init (server)"
run hsm import --keystore "$hsm" --label master --value-file "$work/master.hex" --usage mac >/dev/null ||
  fail "import master"
run hsm list --keystore "$hsm" | grep -q master || fail "hsm list does not show the master key"

# --- the campaign package ---------------------------------------------------------------------------
head -c 20000 /dev/urandom >"$work/body.bin"
run campaign build --keystore "$platform" --body "$work/body.bin" --type application \
  --platform 0102030405060708 --version 2.1 --name wallet --profile 3 --kos kos \
  --platform-key-version 1 --chunk-size 200 -o "$work/wallet.sfcp" >"$work/build.txt" ||
  fail "campaign build: $(cat "$work/build.txt")"

# --- two SEs, personalized with SCP03 keys the server's HSM derives from the master (kdf3) ---------
cards=()
se_ids=()
for n in 1 2; do
  kdd=0011223344556677880$n
  se_id=5345464C4F50530$n
  run hsm derive-scp03 --keystore "$hsm" --label master --kdd "$kdd" -o "$work/se$n.keys" >/dev/null ||
    fail "hsm derive-scp03 se$n"
  [ "$(stat -c %a "$work/se$n.keys")" = 600 ] || fail "se$n.keys is not mode 600"
  cat >"$work/se$n.json" <<JSON
{
  "se_id": "$se_id", "kdd": "$kdd", "isd_aid": "A000000151000000", "platform_id": "0102030405060708",
  "scp03": {"i": "70"},
  "platform_keys": {"version": 1, "kos": "$kos", "kmac": "$kmac"},
  "allow_downgrade": false
}
JSON
  run card init --state "$work/se$n" --profile "$work/se$n.json" --scp03-keys "$work/se$n.keys" >/dev/null ||
    fail "card init se$n"
  port=$(free_port)
  "$bin" card run --state "$work/se$n" --listen "127.0.0.1:$port" >"$work/se$n.log" 2>&1 &
  pids+=($!)
  cards+=(--tcp "127.0.0.1:$port")
  se_ids+=("$se_id")
done

# --- the server -------------------------------------------------------------------------------------
secret admin.token "admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
admin=$(cat "$work/admin.token")
port=$(free_port)
url=http://127.0.0.1:$port
"$bin" server --listen "127.0.0.1:$port" --db "sqlite:$work/server.db" --keystore "$hsm" \
  --admin-token-file "$work/admin.token" >"$work/server.log" 2>&1 &
server_pid=$!
pids+=($server_pid)
for _ in $(seq 100); do curl -fsS "$url/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$url/v1/health" | grep -q ok || fail "server did not come up: $(cat "$work/server.log")"

api() {  # api METHOD PATH [JSON] -> body on stdout, HTTP status in $work/status
  local method=$1 path=$2 body=${3:-}
  curl -sS -o "$work/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' ${body:+--data-binary "$body"} "$url$path" >"$work/status"
  cat "$work/body"
}
# Upload: the package (base64), the master key's label, the targets, and the waves of docs/operations.md
# (10 %, 50 %, 100 %: with two SEs, one is admitted first and the other once that one is final).
# The same shell as docs/operations.md: the package as base64 inside a JSON heredoc.
cat >"$work/upload.json" <<JSON
{"name": "wallet 2.1", "package": "$(base64 -w0 "$work/wallet.sfcp")",
 "master_key": "master", "targets": ["${se_ids[0]}", "${se_ids[1]}"],
 "rollout": {"waves": [10, 50, 100], "max_failure_rate": 0.2, "min_reports": 5},
 "max_attempts": 3, "activation": {"mode": "immediate"}}
JSON
created=$(api POST /v1/campaigns "@$work/upload.json")
[ "$(cat "$work/status")" = 201 ] || fail "upload answered $(cat "$work/status"): $created"
campaign=$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created")
token_json=$(api POST /v1/tokens "{\"name\": \"workshop terminal\", \"campaigns\": [\"$campaign\"]}")
[ "$(cat "$work/status")" = 201 ] || fail "token answered $(cat "$work/status"): $token_json"
secret terminal.token "$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$token_json")"

# Refusals an operator meets: a malformed upload, a wrong token, an unknown campaign.
api POST /v1/campaigns '{"name": "x", "package": "not base64!", "master_key": "master", "targets": []}' >/dev/null
[ "$(cat "$work/status")" = 400 ] || fail "malformed upload answered $(cat "$work/status")"
secret wrong.token "not-a-token"
if run terminal --server "$url" --token-file "$work/wrong.token" --campaign "$campaign" "${cards[@]}" \
  >"$work/wrong.out" 2>&1; then fail "terminal with a wrong token succeeded"; fi
grep -qi "401\|token" "$work/wrong.out" || fail "wrong token: unclear message: $(cat "$work/wrong.out")"
if run terminal --server "$url" --token-file "$work/terminal.token" --campaign 00000000000000000000000000000000 \
  "${cards[@]}" >"$work/unknown.out" 2>&1; then fail "terminal on an unknown campaign succeeded"; fi

# --- the terminal delivers to both SEs, one wave after the other, in one run without stalling --------
t0=$(date +%s)
run terminal --server "$url" --token-file "$work/terminal.token" --campaign "$campaign" "${cards[@]}" \
  --cache "$work/cache" --json >"$work/terminal.json" 2>"$work/terminal.err" ||
  fail "terminal exited $?: $(cat "$work/terminal.err")"
[ $(($(date +%s) - t0)) -lt 25 ] || fail "the terminal took $(($(date +%s) - t0)) s for two SEs in two waves"
"$py" - "$work/terminal.json" <<'PY' || fail "terminal results: $(cat "$work/terminal.json")"
import json, sys
results = json.load(open(sys.argv[1]))
results = results["results"] if isinstance(results, dict) else results
assert len(results) == 2, results
assert all(r["final"] == "updated" for r in results), results
assert all(r["final_line"].startswith("updated: image activated") for r in results), results
PY
detail=$(api GET "/v1/campaigns/$campaign")
"$py" - "$detail" <<'PY' || fail "campaign after delivery: $detail"
import json, sys
c = json.loads(sys.argv[1])
assert c["progress"]["updated"] == 2, c
assert c["state"] == "completed", c
PY
device=$(api GET "/v1/devices/${se_ids[0]}")
[ "$(cat "$work/status")" = 200 ] || fail "device answered $(cat "$work/status")"
grep -q "updated" <<<"$device" || fail "device record: $device"

# Running the terminal again changes nothing: the SEs are final (409 already_updated, reported per SE).
run terminal --server "$url" --token-file "$work/terminal.token" --campaign "$campaign" "${cards[@]}" \
  --cache "$work/cache" --json >"$work/again.json" 2>&1 || true
api GET "/v1/campaigns/$campaign" | grep -q '"updated":2' || fail "a second run changed the counts"

# --- graceful stop ----------------------------------------------------------------------------------
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
[ "$rc" = 0 ] || fail "server exited $rc on SIGTERM: $(tail -5 "$work/server.log")"

# --- HTTPS: the same server with a certificate ---------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null ||
  fail "openssl could not make a test certificate"
port=$(free_port)
"$bin" server --listen "127.0.0.1:$port" --db "sqlite:$work/server.db" --keystore "$hsm" \
  --admin-token-file "$work/admin.token" --tls-cert "$work/tls.pem" --tls-key "$work/tls.key" \
  >"$work/tls.log" 2>&1 &
tls_pid=$!
pids+=($tls_pid)
for _ in $(seq 100); do curl -fsS --cacert "$work/tls.pem" "https://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS --cacert "$work/tls.pem" -H "Authorization: Bearer $admin" "https://127.0.0.1:$port/v1/campaigns/$campaign" |
  grep -q '"updated":2' || fail "HTTPS: campaign not readable: $(cat "$work/tls.log")"
if curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1; then fail "HTTPS server answered plain HTTP"; fi
kill -TERM "$tls_pid"; wait "$tls_pid"

# --- the next version, with the server's HSM on a PKCS#11 token (SoftHSM2) and a terminal payload ---
export SOFTHSM2_CONF=$work/softhsm2.conf
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label operations --pin 1234 --so-pin 5678 >/dev/null || fail "softhsm2-util"
secret pin 1234
p11="pkcs11:/usr/lib/softhsm/libsofthsm2.so?token=operations&pin-file=$work/pin"
run hsm init --keystore "$p11" >/dev/null || fail "hsm init (token)"
run hsm import --keystore "$p11" --label master --value-file "$work/master.hex" --usage mac >/dev/null ||
  fail "import master (token)"
# The token derives the same SE keys (its CMACs run inside it): the same KCVs as the software keystore.
run hsm derive-scp03 --keystore "$p11" --label master --kdd 00112233445566778801 -o "$work/se1-token.keys" \
  >/dev/null || fail "hsm derive-scp03 (token)"
kcvs() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["kcv"])' "$1"; }
[ "$(kcvs "$work/se1-token.keys")" = "$(kcvs "$work/se1.keys")" ] || fail "the token derived other keys for se1"
run campaign build --keystore "$platform" --body "$work/body.bin" --type application \
  --platform 0102030405060708 --version 2.2 --name wallet --profile 3 --kos kos \
  --platform-key-version 1 --chunk-size 200 -o "$work/wallet-2.2.sfcp" >/dev/null || fail "campaign build 2.2"
port=$(free_port)
url=http://127.0.0.1:$port
"$bin" server --listen "127.0.0.1:$port" --db "sqlite:$work/server.db" --keystore "$p11" \
  --admin-token-file "$work/admin.token" >"$work/p11-server.log" 2>&1 &
p11_pid=$!
pids+=($p11_pid)
for _ in $(seq 100); do curl -fsS "$url/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
printf 'reader firmware 4.2 for the workshop terminals\n' >"$work/pmob.bin"
"$py" - "$work/wallet-2.2.sfcp" "$work/pmob.bin" "${se_ids[@]}" >"$work/upload2.json" <<'PY'
import base64, json, sys
b64 = lambda path: base64.b64encode(open(path, "rb").read()).decode()
print(json.dumps({"name": "wallet 2.2", "package": b64(sys.argv[1]), "pmob": b64(sys.argv[2]),
                  "master_key": "master", "targets": sys.argv[3:]}))
PY
created=$(api POST /v1/campaigns "@$work/upload2.json")
[ "$(cat "$work/status")" = 201 ] || fail "upload 2.2 answered $(cat "$work/status"): $created"
campaign2=$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created")
token_json=$(api POST /v1/tokens "{\"name\": \"workshop terminal\", \"campaigns\": [\"$campaign2\"]}")
secret terminal2.token "$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$token_json")"
# The first campaign's token does not reach the second campaign.
if run terminal --server "$url" --token-file "$work/terminal.token" --campaign "$campaign2" "${cards[@]}" \
  >"$work/scope.out" 2>&1; then fail "a token of another campaign was accepted"; fi
run terminal --server "$url" --token-file "$work/terminal2.token" --campaign "$campaign2" "${cards[@]}" \
  --cache "$work/cache" >"$work/terminal2.out" 2>&1 || fail "terminal (token HSM) exited $?: $(cat "$work/terminal2.out")"
grep -q "PMOB $(stat -c %s "$work/pmob.bin") bytes verified" "$work/terminal2.out" ||
  fail "the terminal did not verify the PMOB: $(cat "$work/terminal2.out")"
api GET "/v1/campaigns/$campaign2" | grep -q '"updated":2' || fail "campaign 2.2 through the token HSM: $(cat "$work/body")"
kill -TERM "$p11_pid"; wait "$p11_pid" || fail "token-HSM server exited non-zero on SIGTERM"

# A server that cannot open its database says so and exits non-zero.
if run server --listen "127.0.0.1:$(free_port)" --db "sqlite:$work/missing-dir/x.db" --keystore "$hsm" \
  --admin-token-file "$work/admin.token" >"$work/baddb.log" 2>&1; then fail "server started on a bad database"; fi
[ -s "$work/baddb.log" ] || fail "no message for a bad database"

echo "PASS campaign operations"
