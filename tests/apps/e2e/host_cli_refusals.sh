#!/usr/bin/env bash
# `sefleet apdu` and `sefleet gp`: every refusal that needs no card. Usage errors (bad hex or sizes in
# arguments, bad option values) exit 2; bad input read from files and unreachable cards exit 1, each
# with a message naming the problem; nothing is sent before the arguments are checked (the TCP port
# used below has no listener).
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key=404142434445464748494A4B4C4D4E4F
# A port nobody listens on: bind, note it, close.
dead=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# expect STATUS PATTERN -- command...: exit status and a stderr line matching PATTERN.
expect() {
  local want=$1 pattern=$2; shift 3
  local err status
  err=$(timeout 20 "$bin" "$@" 2>&1 >/dev/null); status=$?
  [ "$status" -eq "$want" ] || fail "'$*': exit $status, expected $want ($err)"
  grep -qiE -- "$pattern" <<<"$err" || fail "'$*': message does not match '$pattern': $err"
}

# Connection options.
expect 2 "--reader NAME or --tcp" -- apdu 00A4040000
expect 2 "excludes" -- apdu --reader x --tcp 127.0.0.1:1 00A4040000
expect 1 "127.0.0.1:$dead" -- apdu --tcp "127.0.0.1:$dead" 00A4040000
expect 1 "port" -- apdu --tcp 127.0.0.1 00A4040000
expect 2 "--reader NAME or --tcp" -- gp info
expect 2 "excludes" -- gp info --reader x --tcp 127.0.0.1:1

# APDUs: bad hex and malformed APDUs are refused before connecting (so the dead port is never tried):
# as arguments a usage error, in a script file bad input.
expect 2 "argument 1.*not an APDU.*invalid hex" -- apdu --tcp "127.0.0.1:$dead" 00A4G4
expect 2 "argument 2.*not an APDU" -- apdu --tcp "127.0.0.1:$dead" 00A40400 00A4
expect 2 "argument 1.*Lc" -- apdu --tcp "127.0.0.1:$dead" 00A404000500
printf '# select the ISD\n00A4040008A000000151000000\n\n80CA00 66 # get data, missing Le is fine\n80CA00ZZ\n' >"$work/bad.apdu"
expect 1 "bad.apdu:5.*not an APDU" -- apdu --tcp "127.0.0.1:$dead" -f "$work/bad.apdu"
expect 2 "script|exist" -- apdu --tcp "127.0.0.1:$dead" -f "$work/missing.apdu"

# Keys and levels.
expect 2 "level" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --level 02 00A4040000
expect 2 "level" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --level 3 00A4040000
expect 2 "only one of" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --kdf3 "$key" 00A4040000
expect 2 "go together" -- apdu --tcp "127.0.0.1:$dead" --enc "$key" --mac "$key" 00A4040000
expect 2 "kvn" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --kvn 80 00A4040000
expect 2 "kvn" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --kvn 1G 00A4040000
expect 2 "--key.*16, 24 or 32" -- apdu --tcp "127.0.0.1:$dead" --key 0011 00A4040000
expect 2 "--key.*invalid hex" -- apdu --tcp "127.0.0.1:$dead" --key 404142434445464748494A4B4C4D4EZZ 00A4040000
expect 2 "--kdf3.*invalid hex" -- apdu --tcp "127.0.0.1:$dead" --kdf3 XY 00A4040000
expect 2 "--enc.*invalid hex" -- apdu --tcp "127.0.0.1:$dead" --key-enc XY --key-mac "$key" --key-dek "$key" 00A4040000
expect 2 "--aid.*5 to 16" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --aid A000 00A4040000
expect 2 "--aid.*hex" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --aid A0000001510000QQ 00A4040000
expect 2 "--mode" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --mode cmac 00A4040000
expect 2 "excludes" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --mode mac --level 01 00A4040000
expect 2 "--key-kdf" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --key-kdf emv 00A4040000
expect 2 "--key-kdf.*master" -- apdu --tcp "127.0.0.1:$dead" --key-enc "$key" --key-mac "$key" --key-dek "$key" --key-kdf kdf3 00A4040000
expect 2 "only one of" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --key-file /dev/null 00A4040000
expect 2 "key version number is 00..7F" -- apdu --tcp "127.0.0.1:$dead" --key "$key" --key-ver 80 00A4040000
SEFLEET_KEY=0011 expect 2 "SEFLEET_KEY.*16, 24 or 32" -- apdu --tcp "127.0.0.1:$dead" 00A4040000
printf '%s\n' "$key" >"$work/open.key"
chmod 644 "$work/open.key"
expect 1 "chmod 600" -- apdu --tcp "127.0.0.1:$dead" --key-file "$work/open.key" 00A4040000
chmod 600 "$work/open.key"
expect 1 "127.0.0.1:$dead" -- apdu --tcp "127.0.0.1:$dead" --key-file "$work/open.key" 00A4040000
err=$(timeout 20 "$bin" apdu --tcp "127.0.0.1:$dead" --key default 00A4040000 2>&1 >/dev/null)
grep -q "warning: --key default is the GlobalPlatform test key" <<<"$err" || fail "--key default: no warning: $err"
expect 1 "127.0.0.1:$dead" -- apdu --tcp "127.0.0.1:$dead" --key "$key" 00A4040000

# gp subcommands.
expect 2 "subcommand|required" -- gp
expect 2 "new-kvn.*required" -- gp put-key --tcp "127.0.0.1:$dead" --key "$key" --new-key "$key"
expect 2 "either --new-key" -- gp put-key --tcp "127.0.0.1:$dead" --key "$key" --new-kvn 31
expect 2 "go together" -- gp put-key --tcp "127.0.0.1:$dead" --key "$key" --new-kvn 31 --new-enc "$key"
expect 2 "01..7F" -- gp put-key --tcp "127.0.0.1:$dead" --key "$key" --new-kvn 00 --new-key "$key"
expect 2 "current keys" -- gp put-key --tcp "127.0.0.1:$dead" --new-kvn 31 --new-key "$key"
expect 2 "16, 24 or 32" -- gp put-key --tcp "127.0.0.1:$dead" --key "$key" --new-kvn 31 --new-key 0011
expect 2 "--new-key.*invalid hex" -- gp put-key --tcp "127.0.0.1:$dead" --key "$key" --new-kvn 31 --new-key 00XX
expect 2 "not a card life cycle state" -- gp set-status --tcp "127.0.0.1:$dead" --key "$key" --card LOCKED
expect 2 "--yes" -- gp set-status --tcp "127.0.0.1:$dead" --key "$key" --card TERMINATED
expect 2 "SCP03 session" -- gp set-status --tcp "127.0.0.1:$dead" --card SECURED
expect 2 "required" -- gp set-status --tcp "127.0.0.1:$dead" --key "$key"

# Files named by options: a missing file and a directory are refused by name, before connecting.
expect 1 "cannot read --card-ca .*missing.pem: No such file" -- apdu --tcp "127.0.0.1:$dead" --scp 11b --card-ca "$work/missing.pem" 00A4040000
expect 1 "cannot read --card-ca .*: it is a directory" -- apdu --tcp "127.0.0.1:$dead" --scp 11b --card-ca "$work" 00A4040000
expect 1 "cannot read the load file .*missing.cap: No such file" -- gp load --tcp "127.0.0.1:$dead" --key "$key" "$work/missing.cap"

# PC/SC: an unknown reader is named (when pcscd runs) or pcscd's absence is reported; exit 1 either way.
expect 1 "reader|pcsc|service|no such" -- apdu --reader "no-such-reader-$$" 00A4040000

# Every command documents itself.
for c in "apdu" "gp" "gp info" "gp put-key" "gp set-status" "gp load" "gp install" "gp delete" "hsm derive-scp03" "card init"; do
  # shellcheck disable=SC2086
  out=$("$bin" $c --help) || fail "$c --help exited $?"
  grep -q "Usage" <<<"$out" || fail "$c --help printed no usage"
done
echo "ok"
