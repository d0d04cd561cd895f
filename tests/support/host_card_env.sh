# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Sourced by the host-toolkit e2e scripts (tests/apps/e2e/apdu_cli.sh, gp_cli.sh, apdu_pcsc_cli.sh):
# personalizes a virtual SE and runs it with `sefleet card run --listen` on a free local port. The
# profile is one heredoc below (fields as docs/card-state.md fixes them). Its SCP03 keys are derived with GlobalPlatformPro's kdf3 from $master and
# the profile's KDD, computed here independently with python3-cryptography, so that `--kdf3` and the
# explicit keys both open sessions.
# With host_card_link=vpcd set before sourcing, the card runs behind a private pcscd + vpcd reader
# (tests/support/pcsc_sandbox.sh) instead, and $reader names it.
# shellcheck source=../../support/listening_card.sh  # as seen from the e2e scripts that source this file
source "${SEFLEET_SOURCE_DIR:?}/tests/support/listening_card.sh"
host_card_link=${host_card_link:-tcp}
if [ "$host_card_link" = vpcd ]; then
  # shellcheck source=pcsc_sandbox.sh
  source "${SEFLEET_SOURCE_DIR:?}/tests/support/pcsc_sandbox.sh"
  trap 'stop_card; pcsc_sandbox_stop; rm -rf "$work"' EXIT
  pcsc_sandbox_start "$work/pcsc" >/dev/null || fail "cannot start the PC/SC sandbox"
  reader=$PCSC_READER0
else
  trap 'stop_card; rm -rf "$work"' EXIT
fi

master=000102030405060708090A0B0C0D0E0F
kdd=00112233445566778899
kdf3() {  # kdf3 TYPE -> 16-byte key in hex (TYPE 01 ENC, 02 MAC, 03 DEK)
  /usr/bin/python3 - "$master" "$1" "$kdd" <<'PY'
import sys
from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.ciphers import algorithms
master, t, kdd = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
c = CMAC(algorithms.AES(master)); c.update(b"\x01\x00\x00\x00" + t + b"\x00" + kdd)
print(c.finalize().hex().upper())
PY
}
enc=$(kdf3 01); mac=$(kdf3 02); dek=$(kdf3 03)
keys=(--enc "$enc" --mac "$mac" --dek "$dek")

cat >"$work/profile.json" <<JSON
{
  "se_id": "5345464C45455430",
  "kdd": "$kdd",
  "isd_aid": "A000000151000000",
  "platform_id": "0102030405060708",
  "scp03": {"kvn": "30", "i": "70", "enc": "$enc", "mac": "$mac", "dek": "$dek"},
  "allow_downgrade": false
}
JSON

mkdir -p "$work/pcsc"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tcp=127.0.0.1:$port

start_card() {
  if [ "$host_card_link" = vpcd ]; then
    "$bin" card run --state "$work/state" --vpcd "127.0.0.1:$PCSC_SANDBOX_PORT" >>"$work/card.log" 2>&1 &
    card_pid=$!
    pcsc_wait_card "$reader" present 10 || fail "no card in $reader: $(cat "$work/card.log")"
    return 0
  fi
  run_listening_card "$tcp"
}

timeout 20 "$bin" card init --state "$work/state" --profile "$work/profile.json" >/dev/null ||
  fail "card init failed"
start_card

# run ARGS...: the CLI under a timeout (a hung card must not hang the test).
run() { timeout 30 "$bin" "$@"; }
