#!/usr/bin/env bash
# The dashboard driven as an operator would: headless Chromium with a DevTools port, real mouse clicks and
# typing sent over the DevTools protocol (dashboard_actions.py, next to this script), and after each action the API
# asked with curl whether the server did it. Covers the device list (state filter, SE id search, server
# pages), a device page (history, release with a note, a refused release with the server's reason),
# pause / resume / cancel behind its confirmation, and the live update of a change made elsewhere.
# Screenshots go next to the build (dashboard-actions-*.png) for people to look at.
set -euo pipefail
bin=${SEFLEET_BIN:?SEFLEET_BIN must point to the sefleet binary}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "FAIL: chromium not installed (Debian package chromium)" >&2; exit 1; }
/usr/bin/python3 -c 'import websocket' 2>/dev/null || { echo "FAIL: python3-websocket not installed (Debian package)" >&2; exit 1; }

work=$(mktemp -d /tmp/sefleet-dashboard-actions.XXXXXX)
demo_pid=
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 60 SEs: more than one page of the device list (50 a page); the demo's wrong-platform SEs refuse the
# image and end quarantined.
"$bin" demo --ses 60 --keep-server >"$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 900); do
  grep -q "press Ctrl-C to stop" "$work/demo.log" && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; fail "sefleet demo exited early"; }
  sleep 0.2
done
grep -q "press Ctrl-C to stop" "$work/demo.log" || { cat "$work/demo.log" >&2; fail "the demo server did not come up"; }
url=$(sed -n 's/^server left running at \(http[^ ]*\).*/\1/p' "$work/demo.log" | tail -n 1)
token=$(sed -n 's/^admin token: \([^ ]*\)$/\1/p' "$work/demo.log" | tail -n 1)
campaign=$(sed -n 's/^campaign: \([0-9a-f]*\)$/\1/p' "$work/demo.log" | tail -n 1)
[ -n "$url" ] && [ -n "$token" ] && [ -n "$campaign" ] || { cat "$work/demo.log" >&2; fail "could not read URL/token/campaign"; }

artifacts=${SEFLEET_BINARY_DIR:-$work}
[ -d "$artifacts" ] || artifacts=$work
SEFLEET_URL=$url SEFLEET_TOKEN=$token SEFLEET_CAMPAIGN=$campaign SEFLEET_CHROMIUM=$chromium \
  SEFLEET_WORK=$work SEFLEET_ARTIFACTS=$artifacts \
  timeout 600 /usr/bin/python3 "$here/dashboard_actions.py" || fail "dashboard actions (see above)"
echo "PASS dashboard_actions"
