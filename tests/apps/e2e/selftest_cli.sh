#!/usr/bin/env bash
# `sefleet selftest` and the CLI's exit statuses, driving the real binary.
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$("$bin" selftest) || fail "selftest exited $?: $out"
grep -q "selftest passed: 98 of 98 vectors" <<<"$out" || fail "unexpected summary: $out"
grep -q "^scp03_session .* 11 *0$" <<<"$out" || fail "no scp03_session row: $out"
grep -q "^synthetic_scp11b .*scp11.json .* 2 *0$" <<<"$out" || fail "no synthetic_scp11b row: $out"
grep -q "^external_verified .*scp11.json .* 1 *0$" <<<"$out" || fail "no external_verified row: $out"

# The same checks on the files in the vectors directory.
"$bin" selftest --vectors "$SEFLEET_VECTORS_DIR" >/dev/null || fail "selftest --vectors failed"
json=$("$bin" selftest --json) || fail "selftest --json exited $?"
grep -q '"failed": 0' <<<"$json" || fail "--json has no failed count"

# A corrupted vector must be reported and fail the command.
cp "$SEFLEET_VECTORS_DIR"/scp03.json "$SEFLEET_VECTORS_DIR"/scp03_checkpoints.json "$work"/
sed -i '0,/"ext_auth_cmd": "8482/s//"ext_auth_cmd": "8483/' "$work"/scp03.json
out=$("$bin" selftest --vectors "$work"); status=$?
[ "$status" -eq 1 ] || fail "corrupted vectors: exit $status, expected 1"
grep -q "FAIL  scp03_session" <<<"$out" || fail "corrupted vector not named: $out"

# SCP11 files of the same layout (scp11*.json) are checked on their own, and a changed one fails.
mkdir "$work"/scp11only
cp "$SEFLEET_VECTORS_DIR"/scp11.json "$work"/scp11only/scp11_heldout.json
out=$("$bin" selftest --vectors "$work"/scp11only) || fail "scp11-only directory: exit $?: $out"
grep -q "selftest passed: 5 of 5 vectors" <<<"$out" || fail "scp11-only directory: $out"
sed -i 's/"receipt": "0B63/"receipt": "1B63/' "$work"/scp11only/scp11_heldout.json
out=$("$bin" selftest --vectors "$work"/scp11only); status=$?
[ "$status" -eq 1 ] || fail "corrupted SCP11 vector: exit $status, expected 1"
grep -q "FAIL  external_verified" <<<"$out" || fail "corrupted SCP11 vector not named: $out"
# A directory without any vector file is refused.
mkdir "$work"/empty
"$bin" selftest --vectors "$work"/empty >/dev/null 2>&1; status=$?
[ "$status" -eq 1 ] || fail "empty directory: exit $status, expected 1"

# Malformed file: message and exit 1.
echo '{"vectors": [' >"$work"/scp03.json
err=$("$bin" selftest --vectors "$work" 2>&1 >/dev/null); status=$?
[ "$status" -eq 1 ] || fail "malformed JSON: exit $status"
grep -q "scp03.json" <<<"$err" || fail "malformed JSON: message does not name the file: $err"

# Usage errors: exit 2 with a message; --version and --help exit 0.
"$bin" selftest --vectors "$work/missing" >/dev/null 2>&1; status=$?
[ "$status" -eq 2 ] || fail "missing directory: exit $status, expected 2"
"$bin" no-such-command >/dev/null 2>&1; status=$?
[ "$status" -eq 2 ] || fail "unknown command: exit $status, expected 2"
version=$("$bin" --version) || fail "--version exited $?"
grep -q "^sefleet " <<<"$version" || fail "--version printed: $version"
help=$("$bin" --help) || fail "--help exited $?"
grep -q selftest <<<"$help" || fail "--help does not list selftest"
echo "ok"
