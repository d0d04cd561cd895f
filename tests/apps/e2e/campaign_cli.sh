#!/usr/bin/env bash
# `sefleet campaign build` and `show` on a software platform keystore (profiles 3 and 4) and on a
# SoftHSM2 token (profile 3), plus refusals: unknown key, wrong usage, bad manifest fields, missing
# passphrase, existing output; the package never contains the image body in clear.
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
# shellcheck source=../../support/cli_expect.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/cli_expect.sh"
run() { timeout 60 "$bin" "$@" || fail "'$*' failed"; }

head -c 3000 /dev/urandom >"$work/body.bin"
printf 'platform pass\n' >"$work/pass"
sw="software:$work/platform.sfks"
run hsm init --keystore "$sw" --passphrase-file "$work/pass" >/dev/null
export SEFLEET_PASSPHRASE="platform pass"
run hsm generate --keystore "$sw" --label kos --size 16 --usage wrap,encrypt >/dev/null
run hsm generate --keystore "$sw" --label kmac --size 16 --usage mac >/dev/null
common=(--keystore "$sw" --body "$work/body.bin" --type application --platform 504C4154464F524D --version 2.1 --name wallet)

out=$(run campaign build "${common[@]}" --profile 3 --kos kos -o "$work/p3.sfcp")
grep -q "campaign_key (3)" <<<"$out" || fail "summary lacks the profile: $out"
grep -q "version 131073" <<<"$out" || fail "summary lacks the version 2.1: $out"
show=$(run campaign show "$work/p3.sfcp")
grep -q "wallet" <<<"$show" || fail "show lacks the name: $show"
json=$(run campaign show "$work/p3.sfcp" --json)
grep -q '"profile": 3' <<<"$json" || fail "show --json: $json"
# The body never appears in clear in the package (a 32-byte window of it).
needle=$(head -c 32 "$work/body.bin" | od -An -tx1 | tr -d ' \n')
od -An -tx1 "$work/p3.sfcp" | tr -d ' \n' | grep -q "$needle" && fail "the image body is in the package in clear"

run campaign build "${common[@]}" --profile 4 --kos kos@v1 --kmac kmac -o "$work/p4.sfcp" | grep -q "platform_key (4)" ||
  fail "profile 4 build"

expect 1 "no key 'ghost'" -- campaign build "${common[@]}" --kos ghost -o "$work/x.sfcp"
expect 1 "may not be used for" -- campaign build "${common[@]}" --kos kmac -o "$work/x.sfcp"
expect 1 "exists" -- campaign build "${common[@]}" --kos kos -o "$work/p3.sfcp"
expect 2 "profile 4 needs --kmac" -- campaign build "${common[@]}" --profile 4 --kos kos -o "$work/x.sfcp"
expect 2 "platform id is 8 bytes" -- campaign build --keystore "$sw" --body "$work/body.bin" --type os --platform 0102 --version 1 --name x --kos kos -o "$work/x.sfcp"
expect 2 "use os, application" -- campaign build --keystore "$sw" --body "$work/body.bin" --type firmware --platform 504C4154464F524D --version 1 --name x --kos kos -o "$work/x.sfcp"
expect 2 "MAJOR.MINOR" -- campaign build "${common[@]/2.1/v2}" --kos kos -o "$work/x.sfcp"
expect 1 "cannot read the image body file .*none.bin: No such file" -- campaign build --keystore "$sw" --body "$work/none.bin" --type os --platform 504C4154464F524D --version 1 --name x --kos kos -o "$work/x.sfcp"
# A directory opens for reading on Linux and reads as empty: refused, not taken as an empty body.
expect 1 "cannot read the image body file .*: it is a directory" -- campaign build --keystore "$sw" --body "$work" --type os --platform 504C4154464F524D --version 1 --name x --kos kos -o "$work/x.sfcp"
[ -e "$work/x.sfcp" ] && fail "a refused build left an output file"
expect 1 "parse|not|SFCF|magic" -- campaign show "$work/body.bin"
unset SEFLEET_PASSPHRASE
expect 1 "passphrase" -- campaign build "${common[@]}" --kos kos -o "$work/x.sfcp"

# Profile 3 with Kos on a SoftHSM2 token.
module=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
softhsm2-util --init-token --free --label platform --pin 123456 --so-pin 654321 >/dev/null || fail "token init"
printf '123456\n' >"$work/pin"
p11="pkcs11:$module?token=platform&pin-file=$work/pin"
run hsm generate --keystore "$p11" --label kos --size 16 --usage wrap >/dev/null
run campaign build --keystore "$p11" --body "$work/body.bin" --type os --platform 504C4154464F524D --version 0x10 \
  --name os-16 --kos kos -o "$work/hsm.sfcp" | grep -q "campaign_key (3)" || fail "build on the token"
echo "campaign_cli: ok"
