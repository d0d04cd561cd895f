#!/usr/bin/env bash
# Runs every test of sefleet from a fresh Debian 12 machine (as root): installs the Debian packages,
# builds the release tree (GCC -O2: the product, then `sefleet demo` runs from it)
# and the asan tree (clang, ASan+UBSan: libraries, tests and libFuzzer targets), starts the servers the
# tests need (a private PostgreSQL; the PC/SC tests start their own isolated pcscd), runs the whole
# suite in the asan tree (the fuzz targets are ctest tests there) and ends with ctest's summary. Every
# test runs once, under the sanitizers. Exit status 0 only if everything passed. docs/ci.md has the
# order, the time of each phase and how to reproduce one.
#
#   scripts/test.sh            everything (what .ci/run does)
#   scripts/test.sh --quick    release build and its tests only (for development)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

step() { printf '\n==== %s (at %d s) ====\n' "$*" "$SECONDS"; }
jobs=$(nproc 2>/dev/null || echo 2)

# Packages in three groups, one apt at a time: what the release tree needs first, then in the
# background, while it compiles, the clang tree's compilers and frameworks and the tools the tests
# run. Each wait below names what the next phase needs. --quick installs everything first.
step "packages"
apt_log=$(mktemp /tmp/sefleet-setup.XXXXXX)
sanitizer_ready=$apt_log.sanitizer
# An install still running when the run stops is left to finish (stopping dpkg midway would leave
# the machine's packages half-configured).
trap 'rm -f "$apt_log" "$sanitizer_ready"' EXIT
if [ "$quick" -eq 1 ]; then
  scripts/setup.sh || { echo "setup failed" >&2; exit 1; }
else
  scripts/setup.sh --group product || { echo "setup failed" >&2; exit 1; }
  (scripts/setup.sh --group sanitizer && touch "$sanitizer_ready" && scripts/setup.sh --group tools) \
    >"$apt_log" 2>&1 &
  background_setup=$!
fi
# wait_for_packages <what>: returns once the background install has reached <what> (sanitizer) or
# finished (tools); a failed install stops the run with its output.
wait_for_packages() {
  [ -n "${background_setup:-}" ] || return 0
  step "waiting for packages: $1"
  while [ "$1" = sanitizer ] && [ ! -e "$sanitizer_ready" ] && kill -0 "$background_setup" 2>/dev/null; do
    sleep 1
  done
  if [ "$1" = sanitizer ] && [ -e "$sanitizer_ready" ]; then
    return 0
  fi
  if ! wait "$background_setup"; then
    cat "$apt_log" >&2
    echo "setup failed" >&2
    exit 1
  fi
  cat "$apt_log"
  background_setup=
}

# The full run builds the release tree without its tests (they run in the asan tree) and without the
# benchmarks (nothing runs them in CI; every other release build, --quick included, compiles them);
# --quick builds the tests and runs them in the release tree.
build_tree() {
  local preset=$1
  shift
  step "configure and build: $preset"
  cmake --preset "$preset" "$@" >/dev/null || { echo "configure $preset failed" >&2; exit 1; }
  cmake --build --preset "$preset" -j "$jobs" || { echo "build $preset failed" >&2; exit 1; }
}
if [ "$quick" -eq 1 ]; then
  suites=(release)
  build_tree release -DSEFLEET_BUILD_TESTS=ON -DSEFLEET_BUILD_BENCH=ON
else
  suites=(asan)
  build_tree release -DSEFLEET_BUILD_TESTS=OFF -DSEFLEET_BUILD_BENCH=OFF
  step "sefleet demo (release tree)"
  build/release/apps/sefleet/sefleet demo --report "" >/dev/null || { echo "sefleet demo failed" >&2; exit 1; }
  echo "sefleet demo: ok"
  wait_for_packages sanitizer
  build_tree asan
fi
wait_for_packages tools

# Servers the tests use. PostgreSQL refuses to run as root and must reach its directory.
work=$(mktemp -d /tmp/sefleet-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  scripts/pg-sandbox.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
  rm -f "$apt_log" "$sanitizer_ready"
}
trap cleanup EXIT
port=55432
while ss -ltnH "( sport = :$port )" 2>/dev/null | grep -q .; do port=$((port + 1)); done
step "PostgreSQL on 127.0.0.1:$port"
SEFLEET_TEST_PG_URL=$(scripts/pg-sandbox.sh start "$work/pg" "$port") || { echo "PostgreSQL did not start" >&2; exit 1; }
export SEFLEET_TEST_PG_URL
echo "$SEFLEET_TEST_PG_URL"

failed=()
run_suite() {
  local preset=$1
  step "tests: $preset"
  local dir=build/$preset
  if [ "$preset" = asan ]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp
  fi
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 900) || failed+=("$preset")
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
}
for preset in "${suites[@]}"; do
  run_suite "$preset"
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "FAILED suites: ${failed[*]}" >&2
  exit 1
fi
exit 0
