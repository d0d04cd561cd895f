#!/usr/bin/env bash
# `sefleet dk`: the fixed JSON shape (docs/digital-key.md), the SVG file and its legend, determinism of
# the virtual-time output, a table within 100 columns (--wide: every column) that defines its terms
# and totals, --no-defer and --repeat, and refusals of bad options, driving the real binary.
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" dk --json --svg "$work/dk.svg" >"$work/a.json" || fail "dk --json exited $?"
"$bin" dk --json >"$work/b.json" || fail "second dk --json exited $?"
python3 - "$work/a.json" "$work/b.json" <<'PY' || fail "JSON shape or determinism"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert set(a) == {"runs", "wall"}, a.keys()
runs = a["runs"]
assert set(runs) == {"deferred", "baseline"}, runs.keys()
names = None
for key in ("deferred", "baseline"):
    r = runs[key]
    assert set(r) == {"commands", "total_ms"}, r.keys()
    for c in r["commands"]:
        assert set(c) == {"name", "hwt_ms", "seht_ms", "sewt_ms", "hpt_ms", "deferred_ms", "waited_ms"}, c.keys()
        assert all(isinstance(c[k], (int, float)) for k in c if k != "name")
    n = [c["name"] for c in r["commands"]]
    assert names is None or n == names, (names, n)
    names = n
assert names == ["SELECT", "AUTH0", "AUTH1", "EXCHANGE", "CONTROL FLOW"], names
assert all(c["deferred_ms"] == 0 for c in runs["baseline"]["commands"])
assert runs["deferred"]["commands"][2]["deferred_ms"] > 0
assert set(a["wall"]) == {"deferred", "baseline"}
# Virtual time is deterministic: everything but the wall clock is identical byte for byte.
assert json.dumps(a["runs"], sort_keys=True) == json.dumps(b["runs"], sort_keys=True)
PY
head -c 200 "$work/dk.svg" | grep -q "<svg" || fail "SVG does not start with <svg"
python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$work/dk.svg" || fail "SVG is not well-formed XML"

# The table is deterministic too.
t1=$("$bin" dk) || fail "dk exited $?"
t2=$("$bin" dk) || fail "dk exited $?"
[ "$(grep -v 'wall clock' <<<"$t1")" == "$(grep -v 'wall clock' <<<"$t2")" ] || fail "table differs between runs"
grep -q "AUTH1" <<<"$t1" || fail "no AUTH1 row: $t1"
# 100 columns by default (table, path table, terms); --wide has every column of both runs.
long=$(awk 'length($0) > 100' <<<"$t1")
[ -z "$long" ] || fail "default output wider than 100 columns: $long"
wide=$("$bin" dk --wide) || fail "dk --wide exited $?"
[ -n "$(awk 'length($0) > 100' <<<"$wide")" ] || fail "--wide is not wider: $wide"
for term in HWT SEHT SEWT HPT deferred waited change sum "transaction total"; do
  grep -q "^$term " <<<"$t1" || grep -q "^$term:" <<<"$t1" || fail "term '$term' not defined under the table: $t1"
done
# The transaction total is worked out as the HWT sum plus the HPT between commands, for both runs.
[ "$(grep -cE '^  [0-9]+\.[0-9]{3} \+ [0-9]+\.[0-9]{3} = [0-9]+\.[0-9]{3} ms (with deferral|baseline)$' <<<"$t1")" -eq 2 ] ||
  fail "transaction totals not worked out: $t1"
grep -q 'class="legend"' "$work/dk.svg" || fail "SVG without a legend"

# Other profiles and links, --repeat, --no-defer.
"$bin" dk --json --profile older_chip --link ble --repeat 2 >"$work/c.json" || fail "older_chip/ble exited $?"
python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['runs']
assert len(r['deferred']['commands']) == 10 and r['deferred']['commands'][5]['name'] == 'SELECT #2'
" "$work/c.json" || fail "--repeat 2 did not give 10 commands"
"$bin" dk --no-defer --json >"$work/d.json" || fail "--no-defer --json exited $?"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['no_defer'] is True and d['runs']['deferred'] == d['runs']['baseline']
" "$work/d.json" || fail "--no-defer JSON"
out=$("$bin" dk --no-defer) || fail "--no-defer exited $?"
grep -q "baseline only" <<<"$out" || fail "--no-defer table: $out"

# Bad options: message on stderr, non-zero exit, nothing on stdout.
for args in "--profile no_such_chip" "--link no_such_link" "--repeat 0" "--repeat x" "--bogus" "--svg $work/missing/dir/x.svg"; do
  # shellcheck disable=SC2086
  out=$("$bin" dk $args 2>"$work/err"); status=$?
  [ "$status" -ne 0 ] || fail "dk $args exited 0"
  [ -s "$work/err" ] || fail "dk $args: no message on stderr"
done
echo '{"name": "broken"' >"$work/bad.json"
"$bin" dk --profile "$work/bad.json" 2>"$work/err" >/dev/null && fail "malformed profile accepted"
[ -s "$work/err" ] || fail "malformed profile: no message"
echo "dk_cli: ok"
