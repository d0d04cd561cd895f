#!/usr/bin/env bash
# Installs the Debian 12 packages sefleet needs. Idempotent: packages already present are skipped by
# apt; safe to run on every build.
#
#   scripts/setup.sh                  everything to build, test, benchmark and run the demo (what CI needs)
#   scripts/setup.sh --demo           only what building the `sefleet` program and running its demo need
#   scripts/setup.sh --demo --pcsc    the same, plus pcscd and vpcd for `sefleet demo --pcsc`
#   scripts/setup.sh --group NAME...  only the named groups: product (the release build), sanitizer (the
#                                     clang tree and the test frameworks), tools (what the tests run)
#
# scripts/test.sh installs the groups one at a time so that the later ones download and unpack while
# the release tree compiles (docs/ci.md).
set -euo pipefail

# Building the product: the toolchain, the libraries it links, javac and jar (the Java Card API
# stubs and the VM's ROM classes are compiled during the build).
product=(
  build-essential cmake ninja-build pkg-config
  libssl-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libsqlite3-dev libpq-dev
  libboost1.81-dev libcpp-httplib-dev libp11-kit-dev libpcsclite-dev
  default-jdk-headless
)
# The sanitizer and fuzzing tree, and the test and benchmark frameworks it and the release tests link.
sanitizer=(clang lld libclang-rt-14-dev libgtest-dev libgmock-dev libbenchmark-dev)
# What the tests run: formatting and lint, the PC/SC stack and clients of the interoperability
# tests, the servers and tools of the tests and benchmarks, the DevTools client of the dashboard
# test (tests/apps/e2e/dashboard_actions.py).
tools=(
  clang-tidy clang-format
  pcscd vsmartcard-vpcd opensc pcsc-tools python3 python3-pyscard python3-cryptography
  softhsm2 postgresql sqlite3 chromium wrk openssl iproute2 util-linux procps curl
  python3-websocket
)
pcsc_packages=(pcscd vsmartcard-vpcd)

usage() {
  echo "usage: $0 [--demo [--pcsc] | --group product|sanitizer|tools ...]" >&2
  exit 2
}
PACKAGES=()
demo_only=0
pcsc=0
groups=()
while [ $# -gt 0 ]; do
  case "$1" in
    --demo) demo_only=1 ;;
    --pcsc) pcsc=1 ;;
    --group)
      [ $# -ge 2 ] || usage
      groups+=("$2")
      shift
      ;;
    *) echo "setup: unknown option $1" >&2; usage ;;
  esac
  shift
done
if [ "${#groups[@]}" -ne 0 ]; then
  [ "$demo_only" -eq 0 ] && [ "$pcsc" -eq 0 ] || usage
  for group in "${groups[@]}"; do
    case "$group" in
      product) PACKAGES+=("${product[@]}") ;;
      sanitizer) PACKAGES+=("${sanitizer[@]}") ;;
      tools) PACKAGES+=("${tools[@]}") ;;
      *) echo "setup: unknown group $group" >&2; usage ;;
    esac
  done
elif [ "$demo_only" -eq 1 ]; then
  PACKAGES=("${product[@]}")
  [ "$pcsc" -eq 1 ] && PACKAGES+=("${pcsc_packages[@]}")
else
  PACKAGES=("${product[@]}" "${sanitizer[@]}" "${tools[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# One index download per run of scripts/test.sh, which calls this script once per group: lists
# fetched in the last hour are used as they are.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -1)" ]; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
