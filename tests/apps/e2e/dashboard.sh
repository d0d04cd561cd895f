#!/usr/bin/env bash
# The web dashboard in a real browser: `sefleet demo --keep-server` runs a campaign and leaves its
# server up; headless Chromium loads the dashboard from that server, and the numbers in the rendered
# page are compared with what the API answers for the same data. A screenshot is saved in the test's
# work directory (and copied next to the build, dashboard-screenshot.png, for people to look at).
set -euo pipefail
bin=${SEFLEET_BIN:?SEFLEET_BIN must point to the sefleet binary}
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "FAIL: chromium not installed (Debian package chromium)" >&2; exit 1; }

work=$(mktemp -d /tmp/sefleet-dashboard.XXXXXX)
source "$(dirname "$0")/../../support/demo_server.sh"

# 1. Data: a demo campaign over 30 SEs (a few fail on purpose), server kept running.
start_demo_server 30
# The summary comes when the campaign ends, before the server is held open (not only after Ctrl-C).
grep -q "delivery attempts in" "$work/demo.log" || { cat "$work/demo.log" >&2; fail "no summary before the server is held"; }
grep -q "every SE ended as planned" "$work/demo.log" || { cat "$work/demo.log" >&2; fail "the demo did not end as planned"; }

# 2. What the API says (the reference the page must agree with).
get() { curl -fsS -H "Authorization: Bearer $token" "$url$1"; }
get /v1/campaigns >"$work/campaigns.json"
get /v1/devices >"$work/devices.json"
get "/v1/campaigns/$campaign" >"$work/campaign.json"
get "/v1/campaigns/$campaign/timeline" >"$work/timeline.json"
get "/v1/campaigns/$campaign/events" >"$work/events.json"
get "/v1/campaigns/$campaign/events?decision=retry,quarantined,unreachable" >"$work/failures.json"
# The page itself is served without a token, the API is not.
page=$(curl -fsS "$url/") || fail "GET / failed"
grep -q '<title>sefleet dashboard</title>' <<<"$page" || fail "GET / does not serve the dashboard"
status=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/campaigns")
[ "$status" = 401 ] || fail "GET /v1/campaigns without a token answered $status, expected 401"

browse() {  # browse ADDRESS OUTPUT [extra chromium flags...]
  local address=$1 out=$2
  shift 2
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
    --user-data-dir="$work/profile-$RANDOM" --virtual-time-budget=20000 --window-size=1280,1800 "$@" \
    "$address" >"$out" 2>"$work/chromium.log" || { tail -n 20 "$work/chromium.log" >&2; fail "chromium failed on $address"; }
}

# 3. Without a token: the sign-in form, and no data.
browse "$url/" "$work/anonymous.html" --dump-dom
# 4. With the token (handed over in the fragment, which never reaches the server).
browse "$url/#token=$token" "$work/dashboard.html" --dump-dom
# 5. With a wrong token: refused, back to the sign-in form.
browse "$url/#token=not-the-token" "$work/wrong.html" --dump-dom

python3 - "$work" "$campaign" <<'PY'
import json, sys
from html.parser import HTMLParser

work, campaign = sys.argv[1], sys.argv[2]

class Page(HTMLParser):
    """Collects, per element id, its attributes and text, plus the body's attributes."""
    def __init__(self):
        super().__init__()
        self.by_id, self.stack, self.body, self.polylines, self.classes = {}, [], {}, [], set()
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body = attrs
        if tag == "polyline":
            self.polylines.append(attrs)
        if "class" in attrs:
            self.classes.add(attrs["class"])
        if "id" in attrs:
            self.by_id[attrs["id"]] = {"attrs": attrs, "text": ""}
        if tag not in ("meta", "link", "input", "br", "img", "rect", "line", "polyline"):
            self.stack.append(attrs.get("id"))
    def handle_endtag(self, tag):
        if tag not in ("meta", "link", "input", "br", "img", "rect", "line", "polyline") and self.stack:
            self.stack.pop()
    def handle_data(self, data):
        for open_id in self.stack:
            if open_id:
                self.by_id[open_id]["text"] += data

def parse(name):
    page = Page()
    with open(f"{work}/{name}") as f:
        page.feed(f.read())
    return page

def load(name):
    with open(f"{work}/{name}") as f:
        return json.load(f)

errors = []
def check(condition, message):
    if not condition:
        errors.append(message)

def text(page, element_id):
    element = page.by_id.get(element_id)
    return None if element is None else element["text"].strip()

def hidden(page, element_id):
    element = page.by_id.get(element_id)
    return element is not None and "hidden" in element["attrs"]

# Signed in: every campaign's counts, devices by state, the chart and the failures match the API.
page = parse("dashboard.html")
check(page.body.get("data-loaded") == "true", "the page did not finish loading")
check(not hidden(page, "overview") and hidden(page, "sign-in"), "signed-in page still shows the sign-in form")
campaigns = load("campaigns.json")["campaigns"]
check(len(campaigns) >= 1, "the API lists no campaign")
states = ["pending", "authorized", "updated", "staged", "retry", "quarantined", "unreachable"]
for c in campaigns:
    check(text(page, f"campaign-{c['id']}-targets") == str(c["targets"]), f"targets of {c['id']}")
    for s in states:
        shown = text(page, f"campaign-{c['id']}-{s}")
        check(shown == str(c["progress"].get(s, 0)), f"campaign {c['id']} {s}: page {shown}, API {c['progress'].get(s, 0)}")
devices = load("devices.json")["devices"]
for s in states:
    expected = sum(1 for d in devices if d["state"] == s)
    shown = text(page, f"devices-{s}")
    check(shown == str(expected), f"devices {s}: page {shown}, API {expected}")
check(sum(int(text(page, f"devices-{s}") or 0) for s in states) == len(devices), "device total")

detail = load("campaign.json")
check(text(page, "detail-state") == detail["state"], "detail state")
# Versions as people write them (MAJOR.MINOR), in the list and on the campaign page.
image = detail["image"]
check(text(page, "detail-image") == f"{image['type']} {image['version_text']} ({image['name']})",
      f"detail image: {text(page, 'detail-image')}, API version_text {image['version_text']}")
check(f"v{image['version']}" not in (text(page, "campaigns") or ""), "a raw version number is shown")
check(f"{image['type']} {image['version_text']}" in (text(page, "campaigns") or ""), "version_text not in the list")
# States as coloured badges; one legend entry per device state; the chart's axes have titles.
for c in campaigns:
    check(text(page, f"campaign-{c['id']}-state") == c["state"], f"state of {c['id']}")
check(all(s in (text(page, "state-legend") or "") for s in states), "state legend incomplete")
check(text(page, "chart-x-title") == "time (UTC)" and text(page, "chart-y-title") == "devices", "chart axis titles")
for s in states:
    check(f"badge state-{s}" in page.classes, f"no badge coloured for {s}")
check(text(page, "detail-targets") == str(detail["targets"]), "detail targets")
samples = load("timeline.json")["samples"]
chart = page.by_id.get("chart")
svg_samples = [e for e in page.by_id.values() if e["attrs"].get("aria-label") == "progress over time"]
check(len(svg_samples) == 1 and svg_samples[0]["attrs"].get("data-samples") == str(len(samples)),
      f"chart samples: API {len(samples)}")
if samples:
    check(len(page.polylines) == 5, f"chart has {len(page.polylines)} series, expected 5")
    last = samples[-1]
    for key in ("updated", "in_progress", "failed", "quarantined", "unreachable"):
        shown = text(page, f"chart-last-{key}")
        check(shown is not None and shown.endswith(f": {last[key]}"), f"chart legend {key}: {shown}, API {last[key]}")
# The page reads only the failure events (the server filters by decision): that answer must be exactly
# the failures among all events, and the table exactly that answer.
events = load("events.json")["events"]
failures = load("failures.json")["events"]
check(failures == [e for e in events if e.get("decision") in ("retry", "quarantined", "unreachable")],
      "events?decision= differs from the failures among all events")
check(page.by_id.get("failures", {}).get("attrs", {}).get("data-count") == str(len(failures)),
      f"failures: API {len(failures)}")
for e in failures:
    if e.get("detail"):
        check(e["detail"] in text(page, "failures"), f"failure reason missing: {e['detail']}")
    if e.get("se_id"):
        check(e["se_id"] in text(page, "failures"), f"failing SE missing: {e['se_id']}")
# The demo makes some SEs fail on purpose: the page must have something to show.
check(len(failures) >= 1, "the demo produced no failure to display")

# No token: sign-in form, nothing loaded.
anonymous = parse("anonymous.html")
check(not hidden(anonymous, "sign-in") and hidden(anonymous, "overview"), "anonymous page shows data")
check(not any(k.startswith("campaign-") for k in anonymous.by_id), "anonymous page rendered campaigns")
# Wrong token: refused and said so.
wrong = parse("wrong.html")
check(not hidden(wrong, "sign-in") and "refused" in (text(wrong, "sign-in-error") or ""), "wrong token not reported")
check(not any(k.startswith("campaign-") for k in wrong.by_id), "wrong-token page rendered campaigns")

if errors:
    print("dashboard check FAILED:\n  " + "\n  ".join(errors), file=sys.stderr)
    sys.exit(1)
print(f"dashboard matches the API: {len(campaigns)} campaign(s), {len(devices)} device rows, "
      f"{len(samples)} timeline samples, {len(failures)} failures")
PY

# 6. Screenshot of the signed-in page.
browse "$url/#token=$token" "$work/screenshot.log" --screenshot="$work/dashboard.png" --hide-scrollbars
[ "$(head -c 8 "$work/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "no PNG screenshot"
size=$(stat -c %s "$work/dashboard.png")
[ "$size" -gt 20000 ] || fail "screenshot suspiciously small ($size bytes)"
if [ -n "${SEFLEET_BINARY_DIR:-}" ] && [ -d "$SEFLEET_BINARY_DIR" ]; then
  cp "$work/dashboard.png" "$SEFLEET_BINARY_DIR/dashboard-screenshot.png"
  echo "screenshot: $SEFLEET_BINARY_DIR/dashboard-screenshot.png ($size bytes)"
fi
echo "PASS dashboard"
