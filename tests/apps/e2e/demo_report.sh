#!/usr/bin/env bash
# The demo's HTML report as people read it: both charts have axes with titles and a legend, and the
# per-SE table filters by final state without any script (CSS radio buttons). The filter is clicked in
# headless Chromium over the DevTools protocol (cdp_browser.py) and the visible rows are counted against
# the JSON summary of the same run. A screenshot goes next to the build (demo-report-filtered.png).
set -euo pipefail
bin=${SEFLEET_BIN:?SEFLEET_BIN must point to the sefleet binary}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "FAIL: chromium not installed (Debian package chromium)" >&2; exit 1; }
/usr/bin/python3 -c 'import websocket' 2>/dev/null || { echo "FAIL: python3-websocket not installed (Debian package)" >&2; exit 1; }
work=$(mktemp -d /tmp/sefleet-demo-report.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$work" && "$bin" demo --ses 20 --image-size 4096 --terminals 2 --json --report "$work/report.html") \
  >"$work/summary.json" || fail "demo exited $?"
artifacts=${SEFLEET_BINARY_DIR:-$work}
[ -d "$artifacts" ] || artifacts=$work

PYTHONPATH=$here timeout 300 /usr/bin/python3 - "$work" "$chromium" "$artifacts" <<'PY' || fail "demo report (see above)"
import json, sys, xml.etree.ElementTree as ET
from cdp_browser import Browser, check

work, chromium, artifacts = sys.argv[1:4]
summary = json.load(open(f"{work}/summary.json"))
text = open(f"{work}/report.html", encoding="utf-8").read()
root = ET.fromstring(text[len("<!DOCTYPE html>"):])
ns = "{http://www.w3.org/2000/svg}"
charts = {svg.get("aria-label"): svg for svg in root.iter(f"{ns}svg")}
for label in ("SEs updated over time", "delivery attempts per SE"):
    chart = charts.get(label)
    check(chart is not None, f"no chart {label!r}")
    words = [t.text or "" for t in chart.iter(f"{ns}text")]
    check("seconds since the terminals started" in words, f"{label}: no x axis title")
    check(any(w.startswith("SEs (") for w in words), f"{label}: no y axis title")
    check(sum(1 for w in words if w.endswith(" s")) == 5, f"{label}: x axis ticks")
    legend = [g for g in chart.iter(f"{ns}g") if g.get("class") == "legend"]
    check(len(legend) == 1 and len(list(legend[0].iter(f"{ns}rect"))) >= 3, f"{label}: no legend")
check("updated / staged" in text and "quarantined" in text, "attempts legend entries")
finals = summary["finals"]
check(set(finals) >= {"updated", "quarantined"}, f"finals {finals}")

b = Browser(chromium, work, artifacts, "demo-report")
try:
    b.send("Page.navigate", url=f"file://{work}/report.html")
    b.wait("document.readyState === 'complete' && document.querySelector('#every-se') !== null", "the report")
    visible = "Array.from(document.querySelectorAll('#every-se tr.se')).filter(r => r.offsetParent !== null).length"
    check(b.js(visible) == summary["ses"], f"all rows: {b.js(visible)}, expected {summary['ses']}")
    for state, count in finals.items():
        b.click(f"label[for='final-{state}']")
        b.wait(f"document.querySelector('#final-{state}').checked", f"the {state} filter")
        check(b.js(visible) == count, f"{state}: {b.js(visible)} rows shown, summary says {count}")
        shown = b.js("Array.from(document.querySelectorAll('#every-se tr.se')).filter(r => r.offsetParent !== null)"
                     ".map(r => r.children[2].textContent.trim())")
        check(set(shown) == {state}, f"{state} filter shows {set(shown)}")
    b.screenshot("filtered")
    b.click("label[for='final-all']")
    check(b.js(visible) == summary["ses"], "'all' does not show every row again")
finally:
    b.close()
print(f"demo report: axes, titles and legends on both charts; filter by {sorted(finals)} matches the summary")
PY
echo "PASS demo_report"
