#!/usr/bin/env bash
# `sefleet admin` as an operator uses it against a real `sefleet server` (SQLite) and two virtual SEs
# (`sefleet card run --listen`): upload a package, create a terminal token, pause and resume, watch the
# terminal's delivery to the end, list, search and page devices, read one SE's history, revoke the
# token. Then the refusals: usage errors exit 2 before anything is sent (bad ids, no token, a token on the
# command line), the server's refusals exit 1 with its reason (unknown campaign, wrong state, release of
# an updated SE, a revoked token). Every JSON answer is compared with what the API itself returns.
set -uo pipefail
bin=${SEFLEET_BIN:?}
py=/usr/bin/python3
source "$(dirname "$0")/../../support/e2e_processes.sh"
source "$(dirname "$0")/../../support/campaign_fixture.sh"
run() { timeout 60 "$bin" "$@"; }
expect_exit() {  # expect_exit CODE WHAT -- command...
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" = "$want" ] || fail "$what: exit $got, expected $want: $(cat "$work/out" "$work/err")"
}

# --- keys, package, two SEs and the server (as docs/operations.md) -----------------------------------
make_keystores
build_package 2.1 "$work/wallet.sfcp"
cards=()
for n in 1 2; do
  start_se "se$n" "AD4D494E0000000$n" "0011223344556677880$n"
  cards+=(--tcp "127.0.0.1:$se_port")
done
start_server server "sqlite:$work/server.db"
url=$server_url
wait_healthy "$url"
api() { curl -fsS -H "Authorization: Bearer $(cat "$work/admin.token")" "$url$1"; }
same_json() {  # same_json FILE_A FILE_B WHAT
  "$py" -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); sys.exit(a != b)' "$1" "$2" ||
    fail "$3: the CLI's JSON differs from the API's: $(cat "$1") vs $(cat "$2")"
}
admin() { run admin "$@" --server "$url" --token-file "$work/admin.token"; }

# --- upload ----------------------------------------------------------------------------------------
admin campaign upload "$work/wallet.sfcp" --master-key master --target AD4D494E00000001 \
  --target ad4d494e00000002 --name "wallet 2.1" --waves 50,100 --json >"$work/upload.json" ||
  fail "upload: $(cat "$work/upload.json")"
campaign=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")
upper=$(tr a-f A-F <<<"$campaign")
api "/v1/campaigns/$campaign" >"$work/api-campaign.json" || fail "GET campaign"
same_json "$work/upload.json" "$work/api-campaign.json" "campaign upload"
grep -q '"version_text": *"2.1"' "$work/api-campaign.json" || fail "no version_text 2.1 in $(cat "$work/api-campaign.json")"
admin campaign show "$upper" --json >"$work/show.json" || fail "show (upper-case id)"
same_json "$work/show.json" "$work/api-campaign.json" "campaign show"
admin campaign show "$campaign" >"$work/show.txt" || fail "show"
grep -q "application 2.1 (wallet-2.1)" "$work/show.txt" || fail "show does not print the version as 2.1: $(cat "$work/show.txt")"
admin campaign list >"$work/list.txt" || fail "list"
grep -q "$campaign" "$work/list.txt" || fail "list does not show the campaign: $(cat "$work/list.txt")"

# --- token (campaign id in upper case), pause and resume -------------------------------------------
admin token create --name "line 3" --campaign "$upper" --json >"$work/token.json" || fail "token create: $(cat "$work/token.json")"
"$py" - "$work/token.json" "$campaign" >"$work/terminal.token" <<'PY' || fail "token answer: $(cat "$work/token.json")"
import json, sys
t = json.load(open(sys.argv[1]))
assert t["campaigns"] == [sys.argv[2]] and t["token"].startswith("sft_"), t
print(t["token"])
PY
chmod 600 "$work/terminal.token"
token_id=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/token.json")
admin token list >"$work/tokens.txt" || fail "token list"
grep -q "line 3" "$work/tokens.txt" || fail "token list: $(cat "$work/tokens.txt")"
grep -q "sft_" "$work/tokens.txt" && fail "token list shows a token"
admin campaign pause "$campaign" >"$work/pause.txt" || fail "pause: $(cat "$work/pause.txt")"
grep -q "is paused (operator)" "$work/pause.txt" || fail "pause: $(cat "$work/pause.txt")"
# A second pause is the server's refusal (409): exit 1 with its reason.
expect_exit 1 "pause of a paused campaign" -- admin campaign pause "$campaign"
grep -q "409\|invalid_state\|paused" "$work/err" || fail "pause refusal unclear: $(cat "$work/err")"
admin campaign resume "$campaign" --json >"$work/resume.json" || fail "resume"
grep -q '"state": *"active"' "$work/resume.json" || fail "resume: $(cat "$work/resume.json")"
expect_exit 1 "activate of an immediate campaign" -- admin campaign activate "$campaign"

# --- delivery, watched -----------------------------------------------------------------------------
run terminal --server "$url" --token-file "$work/terminal.token" --campaign "$campaign" "${cards[@]}" \
  --cache "$work/cache" >"$work/terminal.out" 2>&1 || fail "terminal: $(cat "$work/terminal.out")"
admin campaign watch "$campaign" --interval 0.2 --timeout 30 >"$work/watch.txt" || fail "watch: $(cat "$work/watch.txt")"
grep -q "2/2 completed" "$work/watch.txt" || fail "watch did not end on 2/2 completed: $(cat "$work/watch.txt")"

# --- devices ---------------------------------------------------------------------------------------
admin device list --campaign "$upper" --json >"$work/devices.json" || fail "device list"
api "/v1/devices?campaign=$campaign&limit=50&offset=0" >"$work/api-devices.json" || fail "GET devices"
same_json "$work/devices.json" "$work/api-devices.json" "device list"
"$py" - "$work/devices.json" <<'PY' || fail "device list: $(cat "$work/devices.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total"] == 2 and len(d["devices"]) == 2 and all(x["state"] == "updated" for x in d["devices"]), d
PY
admin device list --search 4E00000002 --json >"$work/search.json" || fail "device search"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [x["se_id"] for x in d["devices"]]==["ad4d494e00000002"] and d["total"]==1, d' \
  "$work/search.json" || fail "search: $(cat "$work/search.json")"
# --prefix: the start of the id only (4E00000002 is inside one id, at the start of none).
admin device list --search AD4D494E --prefix --json >"$work/prefix.json" || fail "device prefix search"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["total"]==2 and len(d["devices"])==2, d' \
  "$work/prefix.json" || fail "prefix search: $(cat "$work/prefix.json")"
admin device list --search 4E00000002 --prefix --json >"$work/prefix-none.json" || fail "device prefix search"
grep -q '"total": *0' "$work/prefix-none.json" || fail "prefix search matched inside the id: $(cat "$work/prefix-none.json")"
for bad in "limit=0" "limit=10001" "offset=-1" "q=zz" "q=" "state=sleeping" "campaign=12" "q=ad&match=start"; do
  status=$(curl -s -o "$work/bad.json" -w '%{http_code}' -H "Authorization: Bearer $(cat "$work/admin.token")" \
    "$url/v1/devices?$bad")
  [ "$status" = 400 ] && grep -q invalid_field "$work/bad.json" || fail "GET /v1/devices?$bad answered $status: $(cat "$work/bad.json")"
done
admin device list --limit 1 --offset 1 >"$work/page.txt" || fail "device page"
grep -q "^2-2 of 2" "$work/page.txt" || fail "second page: $(cat "$work/page.txt")"
admin device list --state quarantined --json >"$work/none.json" || fail "device list by state"
grep -q '"total": *0' "$work/none.json" || fail "quarantined filter: $(cat "$work/none.json")"
admin device show AD4D494E00000001 >"$work/device.txt" || fail "device show"
grep -q "activated (authenticated) -> updated" "$work/device.txt" || fail "device history: $(cat "$work/device.txt")"
grep -q "application *2.1" "$work/device.txt" || fail "device image version: $(cat "$work/device.txt")"
admin device show ad4d494e00000001 --json >"$work/device.json" || fail "device show --json"
api /v1/devices/ad4d494e00000001 >"$work/api-device.json"
same_json "$work/device.json" "$work/api-device.json" "device show"
expect_exit 1 "release of an updated SE" -- admin device release AD4D494E00000001 --campaign "$campaign"
grep -q "invalid_state\|409" "$work/err" || fail "release refusal unclear: $(cat "$work/err")"

# --- revoke, then the token no longer works --------------------------------------------------------
admin token revoke "$token_id" >"$work/revoke.txt" || fail "revoke"
grep -q "token $token_id revoked" "$work/revoke.txt" || fail "revoke: $(cat "$work/revoke.txt")"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$work/terminal.token")" \
  "$url/v1/campaigns/$campaign")
[ "$status" = 401 ] || fail "a revoked token answered $status"
expect_exit 1 "revoke of an unknown token" -- admin token revoke 99999

# --- refusals: usage (exit 2, nothing sent) and the server's (exit 1) --------------------------------
expect_exit 2 "malformed campaign id" -- admin campaign show 1234
grep -q "32 hex" "$work/err" || fail "bad id message: $(cat "$work/err")"
expect_exit 2 "bad state filter" -- admin device list --state sleeping
expect_exit 2 "search not hex" -- admin device list --search xyz
expect_exit 2 "--prefix without --search" -- admin device list --prefix
expect_exit 2 "malformed SE id" -- admin device show 123
expect_exit 2 "no token" -- env -u SEFLEET_ADMIN_TOKEN "$bin" admin campaign list --server "$url"
grep -q "token-file" "$work/err" || fail "no-token message: $(cat "$work/err")"
expect_exit 2 "token on the command line" -- "$bin" admin campaign list --server "$url" --token x
SEFLEET_ADMIN_TOKEN=$(cat "$work/admin.token") run admin campaign list --server "$url" --json >"$work/env.json" ||
  fail "token from the environment"
secret open.token "$(cat "$work/admin.token")"
chmod 644 "$work/open.token"
expect_exit 1 "token file readable by others" -- "$bin" admin campaign list --server "$url" --token-file "$work/open.token"
grep -q "chmod" "$work/err" || fail "open token file: $(cat "$work/err")"
secret wrong.token "not-the-admin-token"
expect_exit 1 "wrong admin token" -- "$bin" admin campaign list --server "$url" --token-file "$work/wrong.token"
expect_exit 1 "unknown campaign" -- admin campaign show 00000000000000000000000000000000
grep -q "not_found\|404" "$work/err" || fail "unknown campaign message: $(cat "$work/err")"
expect_exit 1 "unreachable server" -- "$bin" admin campaign list --server "http://127.0.0.1:$(free_port)" \
  --token-file "$work/admin.token"
admin campaign cancel "$campaign" >/dev/null 2>&1 && fail "cancel of a completed campaign succeeded"
expect_exit 2 "upload without targets" -- admin campaign upload "$work/wallet.sfcp" --master-key master
expect_exit 1 "upload with an unknown master key" -- admin campaign upload "$work/wallet.sfcp" --master-key nokey \
  --target 0102030405060708
echo "admin cli: ok"
