#!/usr/bin/env bash
# The main job from a fresh Debian 12 machine (as root): installs the Debian packages, builds the
# release configuration and runs it on embedded defaults. Until `sefleet demo` lands (issue 5), the
# main job is `sefleet selftest`: every public SCP03 vector through both protocol roles.
# Extra arguments go to the command (e.g. --verbose, --json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target sefleet
exec build/release/apps/sefleet/sefleet selftest "$@"
