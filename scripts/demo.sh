#!/usr/bin/env bash
# The main job from a fresh Debian 12 machine (as root): installs the Debian packages, builds the
# release configuration and runs `sefleet demo` on its embedded defaults. Extra arguments go to
# `sefleet demo` (e.g. --pcsc).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target sefleet
exec build/release/apps/sefleet/sefleet demo "$@"
