# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Sourced by the support scripts that run a virtual SE for the host-tool end-to-end tests
# (host_card_env.sh, scp11_card.sh): the CLI in $bin, fail MESSAGE, a scratch directory $work, and
# the card process: run_listening_card TCP runs `sefleet card run --listen TCP` on $work/state and
# waits until it answers; stop_card stops it (the sourcing script calls it at exit).
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
card_pid=""
stop_card() {
  if [ -n "$card_pid" ]; then kill "$card_pid" 2>/dev/null; wait "$card_pid" 2>/dev/null; card_pid=""; fi
}

run_listening_card() {
  local tcp=$1
  "$bin" card run --state "$work/state" --listen "$tcp" >>"$work/card.log" 2>&1 &
  card_pid=$!
  for _ in $(seq 100); do
    if timeout 5 "$bin" apdu --tcp "$tcp" >/dev/null 2>&1; then return 0; fi
    kill -0 "$card_pid" 2>/dev/null || fail "card run exited: $(cat "$work/card.log")"
    sleep 0.1
  done
  fail "the card did not accept connections on $tcp: $(cat "$work/card.log")"
}
