# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Sourced by the SCP11 CLI end-to-end scripts (tests/apps/e2e/scp11_cli.sh, scp11_keys_cli.sh): a
# scratch directory $work (files created private), fail MESSAGE, run ARGS (the CLI with a timeout),
# the expect helpers of cli_expect.sh, and start_scp11_card, which personalizes a virtual SE from
# $work/profile.json (written by the script's own PKI, test_pki.scp11_profile) and runs it with
# `sefleet card run --listen` on a free local port named by $tcp. The card is stopped at exit.
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
card_pid=""
stop_card() {
  if [ -n "$card_pid" ]; then kill "$card_pid" 2>/dev/null; wait "$card_pid" 2>/dev/null; card_pid=""; fi
}
trap 'stop_card; rm -rf "$work"' EXIT
umask 077

start_scp11_card() {
  local port
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  tcp=127.0.0.1:$port
  timeout 20 "$bin" card init --state "$work/state" --profile "$work/profile.json" >/dev/null || fail "card init failed"
  "$bin" card run --state "$work/state" --listen "$tcp" >>"$work/card.log" 2>&1 &
  card_pid=$!
  for _ in $(seq 100); do
    timeout 5 "$bin" apdu --tcp "$tcp" >/dev/null 2>&1 && return 0
    kill -0 "$card_pid" 2>/dev/null || fail "card run exited: $(cat "$work/card.log")"
    sleep 0.1
  done
  fail "the card on $tcp did not answer"
}

run() { timeout 30 "$bin" "$@"; }
# shellcheck source=cli_expect.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/cli_expect.sh"
