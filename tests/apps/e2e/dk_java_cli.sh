#!/usr/bin/env bash
# `sefleet dk --vm java`: the Java vehicle applet on the card's Java Card VM gives the JSON shape of
# docs/digital-key.md with only "vm": "java" added (the default output has no "vm"), the same command
# names and APDU flow, deterministic virtual time, AUTH1 answering earlier with deferral, the table
# within 100 columns (--wide wider), --no-defer, and a refusal of an unknown --vm.
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" dk --vm java --json >"$work/java.json" || fail "dk --vm java --json exited $?"
"$bin" dk --vm java --json >"$work/java2.json" || fail "second dk --vm java --json exited $?"
"$bin" dk --json >"$work/cpp.json" || fail "dk --json exited $?"
"$bin" dk --vm cpp --json >"$work/cpp2.json" || fail "dk --vm cpp --json exited $?"
python3 - "$work/java.json" "$work/java2.json" "$work/cpp.json" "$work/cpp2.json" <<'PY' || fail "JSON shape"
import json, sys
java, java2, cpp, cpp2 = (json.load(open(p)) for p in sys.argv[1:5])
assert set(cpp) == {"runs", "wall"}, cpp.keys()
assert set(java) == {"runs", "wall", "vm"} and java["vm"] == "java", java.keys()
assert json.dumps(cpp["runs"], sort_keys=True) == json.dumps(cpp2["runs"], sort_keys=True), "--vm cpp is the default"
for doc in (java, cpp):
    runs = doc["runs"]
    assert set(runs) == {"deferred", "baseline"}
    for key in ("deferred", "baseline"):
        r = runs[key]
        assert set(r) == {"commands", "total_ms"}, r.keys()
        for c in r["commands"]:
            assert set(c) == {"name", "hwt_ms", "seht_ms", "sewt_ms", "hpt_ms", "deferred_ms", "waited_ms"}, c.keys()
        assert [c["name"] for c in r["commands"]] == ["SELECT", "AUTH0", "AUTH1", "EXCHANGE", "CONTROL FLOW"]
    assert set(doc["wall"]) == {"deferred", "baseline"}
d, b = java["runs"]["deferred"]["commands"], java["runs"]["baseline"]["commands"]
assert all(c["deferred_ms"] == 0 for c in b)
assert d[2]["deferred_ms"] > 0 and d[3]["deferred_ms"] > 0
assert d[2]["hwt_ms"] < b[2]["hwt_ms"], (d[2]["hwt_ms"], b[2]["hwt_ms"])
assert java["runs"]["deferred"]["total_ms"] <= java["runs"]["baseline"]["total_ms"]
# The same virtual-time figures every run; different figures from the C++ applet (its bytecodes count).
assert json.dumps(java["runs"], sort_keys=True) == json.dumps(java2["runs"], sort_keys=True)
assert java["runs"] != cpp["runs"]
PY

t=$("$bin" dk --vm java) || fail "dk --vm java exited $?"
grep -q "Java vehicle applet on the Java Card VM" <<<"$t" || fail "title does not name the Java applet: $t"
grep -q "^AUTH1" <<<"$t" || fail "no AUTH1 row: $t"
grep -q "door: unlocked, transactions counted by the applet: 1" <<<"$t" || fail "applet state: $t"
long=$(awk 'length($0) > 100' <<<"$t")
[ -z "$long" ] || fail "--vm java output wider than 100 columns: $long"
wide=$("$bin" dk --vm java --wide) || fail "dk --vm java --wide exited $?"
[ -n "$(awk 'length($0) > 100' <<<"$wide")" ] || fail "--wide is not wider"
"$bin" dk --vm java --repeat 2 | grep -q "transactions counted by the applet: 2" || fail "--repeat 2"

"$bin" dk --vm java --no-defer --json >"$work/nd.json" || fail "--vm java --no-defer --json exited $?"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {'runs', 'wall', 'no_defer', 'vm'} and d['vm'] == 'java' and d['no_defer'] is True
assert d['runs']['deferred'] == d['runs']['baseline']
" "$work/nd.json" || fail "--vm java --no-defer JSON"
out=$("$bin" dk --vm java --no-defer) || fail "--vm java --no-defer exited $?"
grep -q "Java vehicle applet on the Java Card VM, baseline only" <<<"$out" || fail "--no-defer table: $out"

out=$("$bin" dk --vm python 2>"$work/err"); status=$?
[ "$status" -ne 0 ] || fail "dk --vm python exited 0"
[ -s "$work/err" ] && [ -z "$out" ] || fail "dk --vm python: no message on stderr, or output on stdout"
echo "dk_java_cli: ok"
