#!/usr/bin/env bash
# Every #include of src/ and apps/ respects the layer table of docs/architecture.md
# (scripts/check_layers.py), and the checker does refuse what the table forbids.
set -euo pipefail
root=${SEFLEET_SOURCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)}
check=$root/scripts/check_layers.py
fail() { echo "FAIL: $*" >&2; exit 1; }

# The tree itself.
python3 "$check" --root "$root" || fail "the source tree breaks the layer table (violations above)"

# A small tree with the same table: allowed includes pass, forbidden ones are named.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/docs" "$work/src/core" "$work/src/gp" "$work/src/card/javacard" "$work/src/offcard" "$work/apps/sefleet"
cp "$root/docs/architecture.md" "$work/docs/"
printf '#include <vector>\n#include "core/bytes.hpp"\n' >"$work/src/core/bytes.hpp"
printf '#include "core/bytes.hpp"\n#include "crypto/aes.hpp"\n#include "iso7816/apdu.hpp"\n' >"$work/src/gp/ok.cpp"
printf '#include "gp/ok.hpp"\n#include "transport/card_endpoint.hpp"\n' >"$work/src/card/javacard/vm.cpp"
printf '#include "sim/demo.hpp"\n#include "command.hpp"\n' >"$work/apps/sefleet/cmd.cpp"
python3 "$check" --root "$work" >"$work/out.txt" 2>&1 || fail "allowed includes refused: $(cat "$work/out.txt")"

printf '#include "crypto/aes.hpp"\n' >"$work/src/core/up.cpp"
printf '\n#include "offcard/keystore.hpp"\n' >"$work/src/card/javacard/bad.cpp"
printf '#include "card/x.hpp"\n' >"$work/src/offcard/bad.hpp"
printf '#include "nowhere/x.hpp"\n' >"$work/src/gp/bad.cpp"
set +e
python3 "$check" --root "$work" >"$work/out.txt" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || fail "violations gave exit status $status, not 1"
grep -q '^src/core/up.cpp:1: core includes crypto' "$work/out.txt" || fail "core -> crypto not reported: $(cat "$work/out.txt")"
grep -q '^src/card/javacard/bad.cpp:2: card includes offcard' "$work/out.txt" || fail "card -> offcard not reported"
grep -q '^src/offcard/bad.hpp:1: offcard includes card' "$work/out.txt" || fail "offcard -> card not reported"
grep -q '^src/gp/bad.cpp:1: includes "nowhere/x.hpp" of no layer' "$work/out.txt" || fail "unknown folder not reported"
[ "$(grep -c '^src/' "$work/out.txt")" -eq 4 ] || fail "expected exactly 4 violations: $(cat "$work/out.txt")"

# Without the table the check cannot run, and says so.
printf '# Architecture\n\nno table\n' >"$work/docs/architecture.md"
set +e
python3 "$check" --root "$work" >"$work/out.txt" 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && grep -q "no layer table" "$work/out.txt" || fail "a missing table gave $status: $(cat "$work/out.txt")"
echo "layer includes: ok"
