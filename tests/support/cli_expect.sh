# shellcheck shell=bash
# expect STATUS PATTERN -- ARGS...: runs "$bin" ARGS (60 s at most) and fails the test (the script's
# `fail`) unless it exits with STATUS and its stderr matches the extended regular expression PATTERN
# (case-insensitive). For the CLI's refusals: exit 2 for usage errors, 1 for refused operations.
# Needs `bin` (the sefleet binary) and `fail` from the sourcing script.
expect() {
  local want=$1 pattern=$2
  shift 3
  local err status
  err=$(timeout 60 "$bin" "$@" 2>&1 >/dev/null)
  status=$?
  [ "$status" -eq "$want" ] || fail "'$*': exit $status, expected $want ($err)"
  grep -qiE -- "$pattern" <<<"$err" || fail "'$*': message does not match '$pattern': $err"
}
