# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Sourced by end-to-end scripts that start their own sefleet processes (tests/apps/e2e/
# listen_port_in_use.sh, terminal_https.sh): a scratch directory $work, the PIDs in $pids killed and
# waited for at exit, fail MESSAGE, and free_port (a port nothing listens on, from the kernel).
bin=${SEFLEET_BIN:?}
py=/usr/bin/python3
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
