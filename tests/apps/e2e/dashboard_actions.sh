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
source "$(dirname "$0")/../../support/demo_server.sh"

# 60 SEs: more than one page of the device list (50 a page); the demo's wrong-platform SEs refuse the
# image and end quarantined.
start_demo_server 60

artifacts=${SEFLEET_BINARY_DIR:-$work}
[ -d "$artifacts" ] || artifacts=$work
SEFLEET_URL=$url SEFLEET_TOKEN=$token SEFLEET_CAMPAIGN=$campaign SEFLEET_CHROMIUM=$chromium \
  SEFLEET_WORK=$work SEFLEET_ARTIFACTS=$artifacts \
  timeout 600 /usr/bin/python3 "$here/dashboard_actions.py" || fail "dashboard actions (see above)"
echo "PASS dashboard_actions"
