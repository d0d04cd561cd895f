#!/usr/bin/env bash
# Two `sefleet server` processes on one PostgreSQL database serve one campaign together: both start at
# the same moment on an empty schema (their migrations take turns), the campaign is uploaded through one,
# two terminals deliver to 20 SEs (`sefleet card run --listen`), ten through each server; every SE is
# updated once, both servers show the same counts, and a pause made through one server is obeyed
# through the other at once (no process-local state decides it). Needs SEFLEET_TEST_PG_URL
# (scripts/test.sh starts a PostgreSQL for the tests); a private schema keeps it apart from other tests.
set -uo pipefail
source "$(dirname "$0")/../../support/e2e_processes.sh"
source "$(dirname "$0")/../../support/campaign_fixture.sh"
run() { timeout 120 "$bin" "$@"; }
pg_url=${SEFLEET_TEST_PG_URL:?SEFLEET_TEST_PG_URL is not set: start one with scripts/pg-sandbox.sh}
schema="two_servers_$$_$RANDOM"
psql -q "$pg_url" -c "CREATE SCHEMA $schema" || fail "cannot create schema $schema"
trap 'psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; cleanup' EXIT
db_url="$pg_url?options=-csearch_path%3D$schema"

# --- keys, the package, 20 SEs personalized from the master key ---------------------------------------
make_keystores
build_package 3.0 "$work/wallet.sfcp"
targets=()
tcp_a=()
tcp_b=()
for n in $(seq 1 20); do
  se_id=$(printf '5343414C45%06X' "$n")
  start_se "se$n" "$se_id" "$(printf '00112233445566%06X' "$n")"
  targets+=(--target "$se_id")
  if [ "$n" -le 10 ]; then tcp_a+=(--tcp "127.0.0.1:$se_port"); else tcp_b+=(--tcp "127.0.0.1:$se_port"); fi
done

# --- two servers, started together on the empty schema ------------------------------------------------
start_server server-a "$db_url"
url_a=$server_url
start_server server-b "$db_url"
url_b=$server_url
wait_healthy "$url_a"
wait_healthy "$url_b"
grep -i "migration.*failed\|already exists" "$work"/server-*.log && fail "a server failed its migrations"

admin() {  # admin URL args...
  local url=$1
  shift
  run admin "$@" --server "$url" --token-file "$work/admin.token"
}
admin "$url_a" campaign upload "$work/wallet.sfcp" --master-key master "${targets[@]}" --name "wallet 3.0" --json \
  >"$work/upload.json" || fail "upload through server A: $(cat "$work/upload.json")"
campaign=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")
admin "$url_b" token create --name "line B" --campaign "$campaign" --json >"$work/token.json" ||
  fail "token through server B"
/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/token.json" >"$work/terminal.token"
chmod 600 "$work/terminal.token"

# --- a pause made through A is obeyed through B -------------------------------------------------------
admin "$url_a" campaign pause "$campaign" >/dev/null || fail "pause through A"
status=$(curl -s -o "$work/refusal.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $(cat "$work/terminal.token")" \
  -H 'Content-Type: application/json' \
  -d '{"se_id": "5343414C45000001", "kdd": "00112233445566000001", "kvn": 48, "i": 112, "sequence_counter": 0}' \
  "$url_b/v1/campaigns/$campaign/authorizations")
[ "$status" = 409 ] && grep -q '"paused"' "$work/refusal.json" ||
  fail "server B authorized during a pause made through A: $status $(cat "$work/refusal.json")"
admin "$url_b" campaign resume "$campaign" >/dev/null || fail "resume through B"

# --- two terminals, one per server, at the same time ----------------------------------------------------
run terminal --server "$url_a" --token-file "$work/terminal.token" --campaign "$campaign" "${tcp_a[@]}" \
  --cache "$work/cache-a" --json >"$work/terminal-a.json" 2>"$work/terminal-a.err" &
term_a=$!
run terminal --server "$url_b" --token-file "$work/terminal.token" --campaign "$campaign" "${tcp_b[@]}" \
  --cache "$work/cache-b" --json >"$work/terminal-b.json" 2>"$work/terminal-b.err" &
term_b=$!
wait "$term_a" || fail "terminal A: $(cat "$work/terminal-a.err")"
wait "$term_b" || fail "terminal B: $(cat "$work/terminal-b.err")"

admin "$url_a" campaign show "$campaign" --json >"$work/show-a.json" || fail "show through A"
admin "$url_b" campaign show "$campaign" --json >"$work/show-b.json" || fail "show through B"
/usr/bin/python3 - "$work/show-a.json" "$work/show-b.json" <<'PY' || fail "counts: $(cat "$work/show-a.json" "$work/show-b.json")"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a == b, "the two servers disagree"
assert a["progress"]["updated"] == 20 and a["state"] == "completed", a["progress"]
PY
# Every SE updated exactly once: one authenticated activation per SE in the events.
admin "$url_b" device list --campaign "$campaign" --limit 100 --json >"$work/devices.json" || fail "device list"
/usr/bin/python3 - "$work/devices.json" <<'PY' || fail "devices: $(cat "$work/devices.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total"] == 20 and all(x["state"] == "updated" for x in d["devices"]), d
PY
activations=$(psql -tA "$db_url" -c "SELECT COUNT(*) FROM events WHERE campaign_id = '$campaign' AND kind = 'report' AND decision = 'updated'")
[ "$activations" = 20 ] || fail "$activations update reports recorded, expected 20"
echo "two servers on one PostgreSQL: ok"
