#!/usr/bin/env bash
# `sefleet demo`, the main job, driving the real binary: the whole campaign through the in-process
# server over HTTP, the counts of the JSON summary (planned failures included), the HTML report, and
# bad options refused.
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3

# A smaller fleet than the default keeps the test fast under ASan; the defaults run in scripts/demo.sh.
out=$(cd "$work" && "$bin" demo --ses 30 --image-size 8192 --terminals 3 --json --report "$work/report.html") \
  || fail "demo exited $?: $out"
echo "$out" >"$work/summary.json"
"$py" - "$work/summary.json" <<'PY' || fail "summary counts: $(cat "$work/summary.json" | head -c 2000)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["ses"] == 30, s["ses"]
assert s["finals"] == {"updated": 27, "quarantined": 3}, s["finals"]
# 25 normal SEs (1 attempt), 2 power cuts (retry then updated), 3 wrong platforms (quarantined at once).
assert s["decisions"] == {"updated": 27, "retry": 2, "quarantined": 3}, s["decisions"]
assert s["attempts"] == 32, s["attempts"]
assert s["as_planned"] is True and s["unexpected"] == [], s["unexpected"]
assert s["server_progress"].get("updated") == 27 and s["server_progress"].get("quarantined") == 3, s["server_progress"]
assert s["server_state"] == "completed", s["server_state"]
faults = {r["endpoint"]: r for r in s["results"] if r["planned_fault"]}
assert sorted(r["planned_fault"] for r in faults.values()) == ["power_cut"] * 2 + ["wrong_platform"] * 3
for r in faults.values():
    if r["planned_fault"] == "power_cut":
        assert [a["decision"] for a in r["history"]] == ["retry", "updated"], r
        assert r["history"][0]["outcome"] == "interrupted", r
    else:
        assert r["final"] == "quarantined" and r["outcome"] == "manifest_refused", r
assert len({r["se_id"] for r in s["results"]}) == 30
PY

# The report: one self-contained, well-formed page (parsed as XML: every tag closed), no network.
[ -s "$work/report.html" ] || fail "no HTML report"
"$py" - "$work/report.html" <<'PY' || fail "report is not well-formed"
import sys, xml.etree.ElementTree as ET
text = open(sys.argv[1], encoding="utf-8").read()
assert text.startswith("<!DOCTYPE html>")
root = ET.fromstring(text[len("<!DOCTYPE html>"):])
ns = "{http://www.w3.org/2000/svg}"
assert len(root.findall(f".//{ns}svg")) >= 2, "timeline and attempts charts"
assert "http://" not in text.replace("http://www.w3.org/2000/svg", "").replace("http://127.0.0.1", ""), "no external resource"
assert "<script" not in text
assert "wrong_platform" in text and "power_cut" in text
PY

# The human-readable form names the planned failures and why.
out=$(cd "$work" && "$bin" demo --ses 12 --image-size 2048 --terminals 2 --report "") || fail "demo (table) exited $?: $out"
grep -q "wrong_platform" <<<"$out" || fail "table does not name the wrong-platform SEs: $out"
grep -q "power_cut" <<<"$out" || fail "table does not name the power-cut SEs: $out"
grep -q "every SE ended as planned" <<<"$out" || fail "no verdict: $out"

# Bad options: exit 2 (CLI) or 1 (domain) with a message.
"$bin" demo --profile 5 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--profile 5 accepted"
err=$("$bin" demo --ses 3 --wrong-platform 3 --power-cut 2 --report "" 2>&1); [ $? -eq 1 ] || fail "impossible plan accepted: $err"
grep -q "more SEs made to fail" <<<"$err" || fail "impossible plan not explained: $err"
echo "demo e2e ok"
