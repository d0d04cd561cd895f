#!/usr/bin/env bash
# One `sefleet terminal` run over a mixed fleet on one server (SQLite) started with a card CA key, a
# session KEK and an OCE key (in its keystore) with its certificate: two SEs with SCP03 keys only
# (offline PAUTs) and two that also hold an SCP11 SD key certified by the card CA, SE 3 without and
# SE 4 with the OCE CA key (online authorization over SCP11b and SCP11a). All four are updated once,
# the SCP11 ones online in their variant; a second run finds them all already updated; a rollback
# image (an older version) relayed online is refused by the SEs and counted by no one. The card CA,
# the SD keys and their X.509 certificates (subject CN "sefleet SD <SE id>"), the OCE CA, key and
# certificate are made here with python3-cryptography.
set -uo pipefail
source "$(dirname "$0")/../../support/e2e_processes.sh"
source "$(dirname "$0")/../../support/campaign_fixture.sh"
run() { timeout 60 "$bin" "$@"; }

make_keystores
secret session_kek.hex 606162636465666768696A6B6C6D6E6F
run hsm import --keystore "$hsm" --label session-kek --value-file "$work/session_kek.hex" --usage wrap >/dev/null ||
  fail "hsm import session-kek"
build_package 3.0 "$work/wallet-3.sfcp"
build_package 2.0 "$work/wallet-2.sfcp"

# The card CA (its X.509 DER certificate for --card-ca) and, for SEs 3 and 4, the "scp11" member of their profiles.
"$py" - "$work" 5343414C45000003 5343414C45000004 <<'PY' || fail "making the test PKI"
import os, sys
sys.path.insert(0, os.path.join(os.environ["SEFLEET_SOURCE_DIR"], "tests", "support"))
from cryptography.hazmat.primitives import serialization
from test_pki import cert, key, point
work = sys.argv[1]
ca = key()
open(f"{work}/card_ca.der", "wb").write(cert(ca, "card CA", ca, "card CA").public_bytes(serialization.Encoding.DER))
oce_ca, oce = key(), key()
open(f"{work}/oce.pem", "wb").write(cert(oce, "sefleet server", oce_ca, "OCE CA").public_bytes(serialization.Encoding.PEM))
with open(os.open(f"{work}/oce.key", os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
    out.write(oce.private_numbers().private_value.to_bytes(32, "big").hex() + "\n")
for se_id in sys.argv[2:]:
    sd = key()
    sd_cert = cert(sd, "sefleet SD " + se_id, ca, "card CA")
    scalar = sd.private_numbers().private_value.to_bytes(32, "big").hex()
    der = sd_cert.public_bytes(serialization.Encoding.DER).hex()
    oce_member = ', "oce": {"kvn": "10", "ca_pk": "%s"}' % point(oce_ca) if se_id.endswith("4") else ""
    open(f"{work}/{se_id}.scp11", "w").write(
        '"scp11": {"kvn": "01", "sk_sd_ecka": "%s", "certificates": ["%s"]%s},' % (scalar, der, oce_member))
PY
run hsm import --keystore "$hsm" --label oce --ec-private "$work/oce.key" >/dev/null || fail "hsm import oce"

targets=()
tcp=()
for n in 1 2 3 4; do
  se_id=$(printf '5343414C45%06X' "$n")
  extra=""
  [ -f "$work/$se_id.scp11" ] && extra=$(cat "$work/$se_id.scp11")
  start_se "se$n" "$se_id" "$(printf '00112233445566%06X' "$n")" "$extra"
  targets+=(--target "$se_id")
  tcp+=(--tcp "127.0.0.1:$se_port")
done

start_server server "sqlite:$work/server.db" --card-ca "$work/card_ca.der" --session-kek session-kek \
  --oce-key oce --oce-cert "$work/oce.pem"
wait_healthy "$server_url"
admin() { run admin "$@" --server "$server_url" --token-file "$work/admin.token"; }
upload() {  # upload PACKAGE: the campaign id
  admin campaign upload "$1" --master-key master "${targets[@]}" --name "$(basename "$1")" --json >"$work/upload.json" ||
    fail "upload $1: $(cat "$work/upload.json")"
  "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json"
}
terminal_token() {  # terminal_token CAMPAIGN: $work/terminal.token for it
  admin token create --name "line $1" --campaign "$1" --json >"$work/token.json" || fail "token create"
  "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/token.json" >"$work/terminal.token"
  chmod 600 "$work/terminal.token"
}
terminal() {  # terminal CAMPAIGN OUT: one run over the four SEs, JSON into OUT
  run terminal --server "$server_url" --token-file "$work/terminal.token" --campaign "$1" "${tcp[@]}" \
    --cache "$work/cache" --retries 1 --max-wait 0 --json >"$2" 2>"$2.err"
}

# --- the mixed fleet: SCP03-only SEs offline, SCP11 SEs online (11b, 11a), all updated once ------------
campaign=$(upload "$work/wallet-3.sfcp")
terminal_token "$campaign"
terminal "$campaign" "$work/run1.json" || fail "terminal run: $(cat "$work/run1.json.err")"
"$py" - "$work/run1.json" <<'PY' || fail "first run: $(cat "$work/run1.json")"
import json, sys
runs = {r["se_id"]: r for r in json.load(open(sys.argv[1]))["results"]}
assert len(runs) == 4, runs.keys()
for se_id, r in runs.items():
    assert r["final"] == "updated", (se_id, r["final_line"])
    modes = [a["authorization"] for a in r["history"]]
    expected = "online" if se_id[-1] in "34" else "offline"
    assert modes == [expected], (se_id, modes)
    variants = [a["scp"] for a in r["history"]]
    assert variants == [{"3": "SCP11b", "4": "SCP11a"}.get(se_id[-1])], (se_id, variants)
PY
admin campaign show "$campaign" --json >"$work/show.json" || fail "campaign show"
"$py" -c 'import json,sys; p=json.load(open(sys.argv[1]))["progress"]; assert p["updated"] == 4, p' "$work/show.json" ||
  fail "progress: $(cat "$work/show.json")"
terminal "$campaign" "$work/run2.json"
"$py" - "$work/run2.json" <<'PY' || fail "second run: $(cat "$work/run2.json")"
import json, sys
results = json.load(open(sys.argv[1]))["results"]
assert [r["final"] for r in results] == ["already_updated"] * 4, [r["final_line"] for r in results]
PY

# --- a rollback image relayed online: refused by the SEs, counted updated by no one ----------------------
online_targets=(--target 5343414C45000003 --target 5343414C45000004)
admin campaign upload "$work/wallet-2.sfcp" --master-key master "${online_targets[@]}" --name rollback --json \
  >"$work/upload.json" || fail "upload rollback: $(cat "$work/upload.json")"
rollback=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")
terminal_token "$rollback"
tcp=("${tcp[@]:4}")  # SEs 3 and 4
run terminal --server "$server_url" --token-file "$work/terminal.token" --campaign "$rollback" "${tcp[@]}" \
  --cache "$work/cache" --retries 1 --max-wait 0 --authorization online --json >"$work/run3.json" 2>"$work/run3.err"
"$py" - "$work/run3.json" <<'PY' || fail "rollback run: $(cat "$work/run3.json" "$work/run3.err")"
import json, sys
results = json.load(open(sys.argv[1]))["results"]
assert len(results) == 2
for r in results:
    assert r["final"] != "updated", r["final_line"]
    assert r["history"] and all(a["authorization"] == "online" for a in r["history"]), r["history"]
    assert r["history"][-1]["evidence"] == "authenticated", r["history"]
    assert r["outcome"] != "activated", r
PY
admin campaign show "$rollback" --json >"$work/show.json" || fail "campaign show rollback"
"$py" -c 'import json,sys; p=json.load(open(sys.argv[1]))["progress"]; assert p["updated"] == 0, p' "$work/show.json" ||
  fail "rollback progress: $(cat "$work/show.json")"
echo "terminal online authorization: ok"
