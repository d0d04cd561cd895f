# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Sourced by the browser tests (tests/apps/e2e/dashboard.sh, dashboard_actions.sh): `sefleet demo
# --keep-server` in the background, stopped with Ctrl-C (then killed) at exit together with $work.
# start_demo_server N: a demo campaign to N SEs; sets $url, $token and $campaign from its summary.
demo_pid=
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start_demo_server() {
  "$bin" demo --ses "$1" --keep-server >"$work/demo.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 900); do
    grep -q "press Ctrl-C to stop" "$work/demo.log" && break
    kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; fail "sefleet demo exited early"; }
    sleep 0.2
  done
  grep -q "press Ctrl-C to stop" "$work/demo.log" || { cat "$work/demo.log" >&2; fail "the demo server did not come up"; }
  url=$(sed -n 's/^server left running at \(http[^ ]*\).*/\1/p' "$work/demo.log" | tail -n 1)
  token=$(sed -n 's/^admin token: \([^ ]*\)$/\1/p' "$work/demo.log" | tail -n 1)
  campaign=$(sed -n 's/^campaign: \([0-9a-f]*\)$/\1/p' "$work/demo.log" | tail -n 1)
  [ -n "$url" ] && [ -n "$token" ] && [ -n "$campaign" ] ||
    { cat "$work/demo.log" >&2; fail "could not read URL/token/campaign"; }
}
