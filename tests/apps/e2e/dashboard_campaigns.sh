#!/usr/bin/env bash
# The dashboard's campaign list with more than one campaign, on a server of its own (no SE needed): a
# campaign paused elsewhere moves to the top with its reason highlighted, a deferred campaign is
# activated by a click on "Activate now" (the API then says activated), and campaign ids are taken in
# upper case in the address. Clicks go through headless Chromium's DevTools protocol (cdp_browser.py).
set -uo pipefail
source "$(dirname "$0")/../../support/e2e_processes.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || fail "chromium not installed (Debian package chromium)"
"$py" -c 'import websocket' 2>/dev/null || fail "python3-websocket not installed (Debian package)"
run() { timeout 60 "$bin" "$@"; }
secret() { (umask 077; printf '%s\n' "$2" >"$work/$1"); }

secret master.hex 000102030405060708090A0B0C0D0E0F
secret kos.hex 404142434445464748494A4B4C4D4E4F
secret kmac.hex 505152535455565758595A5B5C5D5E5F
export SEFLEET_PASSPHRASE="dashboard test passphrase"
platform=software:$work/platform.sfks
hsm=software:$work/hsm.sfks
run hsm init --keystore "$platform" >/dev/null || fail "hsm init (platform)"
run hsm import --keystore "$platform" --label kos --value-file "$work/kos.hex" --usage wrap,encrypt >/dev/null || fail "kos"
run hsm import --keystore "$platform" --label kmac --value-file "$work/kmac.hex" --usage mac >/dev/null || fail "kmac"
run hsm init --keystore "$hsm" >/dev/null || fail "hsm init (server)"
run hsm import --keystore "$hsm" --label master --value-file "$work/master.hex" --usage mac >/dev/null || fail "master"
head -c 3000 /dev/urandom >"$work/body.bin"
for v in 2.1 3.0; do
  run campaign build --keystore "$platform" --body "$work/body.bin" --type application --platform 0102030405060708 \
    --version "$v" --name "wallet-$v" --profile 3 --kos kos --platform-key-version 1 --chunk-size 200 \
    -o "$work/wallet-$v.sfcp" >/dev/null || fail "campaign build $v"
done
secret admin.token "admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=$(free_port)
url=http://127.0.0.1:$port
"$bin" server --listen "127.0.0.1:$port" --db "sqlite:$work/server.db" --keystore "$hsm" \
  --admin-token-file "$work/admin.token" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do curl -fsS "$url/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$url/v1/health" >/dev/null || fail "server did not come up: $(cat "$work/server.log")"
admin() { run admin "$@" --server "$url" --token-file "$work/admin.token"; }
id_of() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$1"; }
# The deferred one first: the server lists by creation time (seconds), then id, so a second apart the
# immediate one is listed last and has to move up when it is paused.
admin campaign upload "$work/wallet-3.0.sfcp" --master-key master --target AD4D494E00000001 --name "wallet 3.0 deferred" \
  --deferred --json >"$work/second.json" || fail "upload 3.0: $(cat "$work/second.json")"
sleep 1.1
admin campaign upload "$work/wallet-2.1.sfcp" --master-key master --target AD4D494E00000001 --target AD4D494E00000002 \
  --name "wallet 2.1" --json >"$work/first.json" || fail "upload 2.1: $(cat "$work/first.json")"
immediate=$(id_of "$work/first.json")
deferred=$(id_of "$work/second.json")

artifacts=${SEFLEET_BINARY_DIR:-$work}
[ -d "$artifacts" ] || artifacts=$work
PYTHONPATH=$here timeout 300 "$py" - "$work" "$chromium" "$artifacts" "$url" "$(cat "$work/admin.token")" \
  "$immediate" "$deferred" <<'PY' || fail "dashboard campaigns (see above)"
import json, sys, urllib.request
from cdp_browser import Browser, check

work, chromium, artifacts, url, token, immediate, deferred = sys.argv[1:8]

def api(path, body=None):
    request = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + token})
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.load(answer)

rows = "Array.from(document.querySelectorAll('#campaigns tbody tr')).map(r => r.dataset.campaign)"
b = Browser(chromium, work, artifacts, "dashboard-campaigns")
try:
    b.send("Page.navigate", url=f"{url}/#token={token}&campaign={deferred.upper()}")
    b.wait(f"document.querySelector('#detail').hidden === false && "
           f"document.querySelector('#campaign-row-{deferred}') !== null && "
           f"document.querySelector('#campaign-row-{deferred}').classList.contains('selected')",
           "the deferred campaign's page from an upper-case id")
    listed = [c["id"] for c in api("/v1/campaigns")["campaigns"]]
    check(b.js(rows) == listed, f"order {b.js(rows)} before any pause, API {listed}")
    check(b.text("#detail-image") == "application 3.0 (wallet-3.0)", f"image {b.text('#detail-image')}")

    # Paused elsewhere: first in the list, reason highlighted, after the next poll.
    api(f"/v1/campaigns/{immediate}/pause", {})
    check(listed[0] != immediate, f"the campaign to pause is already first: {listed}")
    b.wait(f"{rows}[0] === '{immediate}' && document.querySelector('#campaign-{immediate}-pause-reason') !== null",
           "the paused campaign to come first", seconds=15)
    reason = b.text(f"#campaign-{immediate}-pause-reason")
    check(reason == "paused: operator", f"pause reason shown as {reason!r}, API {api(f'/v1/campaigns/{immediate}')['pause_reason']!r}")
    check(b.js(f"document.querySelector('#campaign-row-{immediate}').classList.contains('campaign-paused')"),
          "paused row not marked")
    check(b.js("location.hash") == f"#campaign={deferred.upper()}", "the poll moved the page")
    b.screenshot("paused-first")

    # Activate the deferred campaign with a click.
    check(not api(f"/v1/campaigns/{deferred}")["activation"]["activated"], "activated before the click")
    b.click("#action-activate")
    b.wait("document.querySelector('#action-result').className === 'ok' && "
           "document.querySelector('#action-activate').hidden === true", "the activation")
    activation = api(f"/v1/campaigns/{deferred}")["activation"]
    check(activation["mode"] == "deferred" and activation["activated"], f"after Activate the API says {activation}")
    check("(activated)" in b.text("#detail-facts"), "the page does not say activated")

    # An immediate campaign offers no activation.
    b.click(f"#campaign-row-{immediate} a")
    b.wait(f"location.hash === '#campaign={immediate}' && document.querySelector('#action-resume').hidden === false",
           "the paused campaign's page")
    check(b.js("document.querySelector('#action-activate').hidden"), "Activate offered for an immediate campaign")
finally:
    b.close()
print("dashboard campaigns: paused first with its reason, deferred campaign activated by a click, upper-case id")
PY
echo "PASS dashboard_campaigns"
