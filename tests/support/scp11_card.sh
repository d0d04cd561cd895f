# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Sourced by the SCP11 CLI end-to-end scripts (tests/apps/e2e/scp11_cli.sh, scp11_keys_cli.sh): a
# scratch directory $work (files created private), fail MESSAGE, run ARGS (the CLI with a timeout),
# the expect helpers of cli_expect.sh, and start_scp11_card, which personalizes a virtual SE from
# $work/profile.json (written by the script's own PKI, test_pki.scp11_profile) and runs it with
# `sefleet card run --listen` on a free local port named by $tcp. The card is stopped at exit.
# shellcheck source=../../support/listening_card.sh  # as seen from the e2e scripts that source this file
source "${SEFLEET_SOURCE_DIR:?}/tests/support/listening_card.sh"
trap 'stop_card; rm -rf "$work"' EXIT
umask 077

start_scp11_card() {
  local port
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  tcp=127.0.0.1:$port
  timeout 20 "$bin" card init --state "$work/state" --profile "$work/profile.json" >/dev/null || fail "card init failed"
  run_listening_card "$tcp"
}

run() { timeout 30 "$bin" "$@"; }
# shellcheck source=cli_expect.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/cli_expect.sh"
