#!/usr/bin/env bash
# The main job from a fresh Debian 12 machine (as root): installs the Debian packages, builds the
# release configuration and runs the main job on embedded defaults: `sefleet demo`, a broadcast
# campaign to 100 virtual SEs through the in-process management server (see README.md).
# Extra arguments go to the command (e.g. --json, --profile 4, --keep-server).
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the program needs: the test tools (Chromium, wrk, PostgreSQL, the PC/SC stack) are
# installed by the test command, and the demo build leaves the tests and benchmarks out.
setup_args=(--demo)
for arg in "$@"; do [ "$arg" = --pcsc ] && setup_args+=(--pcsc); done
scripts/setup.sh "${setup_args[@]}"
cmake --preset release -DSEFLEET_BUILD_TESTS=OFF -DSEFLEET_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target sefleet
exec build/release/apps/sefleet/sefleet demo "$@"
