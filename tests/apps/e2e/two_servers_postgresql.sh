#!/usr/bin/env bash
# Two `sefleet server` processes on one PostgreSQL database serve one campaign together: both start at
# the same moment on an empty schema (their migrations take turns), the campaign is uploaded through one,
# two terminals deliver to 20 SEs (`sefleet card run --listen`), ten through each server; every SE is
# updated once, both servers show the same counts, and a pause made through one server is obeyed
# through the other at once (no process-local state decides it); B serves the PSE of the campaign
# uploaded through A with the same bytes and ETag, and refuses within 1 s a terminal token revoked through
# A that it had just accepted (docs/operations.md "Running several servers"). Needs SEFLEET_TEST_PG_URL
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

# --- the campaign uploaded through A is served by B: the same PSE bytes under the same ETag -------------
pse_from() {  # pse_from URL NAME: the PSE into $work/NAME.pse, its headers into $work/NAME.headers
  curl -fsS -D "$work/$2.headers" -o "$work/$2.pse" -H "Authorization: Bearer $(cat "$work/terminal.token")" \
    "$1/v1/campaigns/$campaign/pse" || fail "PSE through $2"
  tr -d '\r' <"$work/$2.headers" | awk 'tolower($1) == "etag:" {print $2}'
}
etag_a=$(pse_from "$url_a" pse-a)
etag_b=$(pse_from "$url_b" pse-b)
[ -n "$etag_a" ] && [ "$etag_a" = "$etag_b" ] || fail "PSE ETag through A '$etag_a', through B '$etag_b'"
cmp -s "$work/pse-a.pse" "$work/pse-b.pse" || fail "the two servers serve different PSE bytes"
[ "$etag_a" = "\"$(sha256sum "$work/pse-a.pse" | cut -d' ' -f1)\"" ] || fail "ETag $etag_a is not the PSE's SHA-256"

# --- a token revoked through A is refused by B (which had just accepted it) within its 1 s cache ------
admin "$url_a" token create --name "to revoke" --campaign "$campaign" --json >"$work/revoked.json" ||
  fail "token through A"
revoked_id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/revoked.json")
revoked=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/revoked.json")
status_with() {  # status_with URL TOKEN: the status of GET campaign
  curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" "$1/v1/campaigns/$campaign"
}
[ "$(status_with "$url_b" "$revoked")" = 200 ] || fail "server B refused a fresh token"
admin "$url_a" token revoke "$revoked_id" >/dev/null || fail "revoke through A"
revoked_at=$(date +%s%N)
[ "$(status_with "$url_a" "$revoked")" = 401 ] || fail "server A still accepts the token it revoked"
until [ "$(status_with "$url_b" "$revoked")" = 401 ]; do
  [ $(($(date +%s%N) - revoked_at)) -lt 3000000000 ] || fail "server B still accepts a token revoked through A after 3 s"
  sleep 0.1
done
waited_ms=$((($(date +%s%N) - revoked_at) / 1000000))
# The cache keeps a token at most 1 s; the rest is the margin for a loaded machine.
[ "$waited_ms" -le 2000 ] || fail "server B refused the revoked token only after $waited_ms ms"

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
