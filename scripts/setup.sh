#!/usr/bin/env bash
# Installs the Debian 12 packages sefleet needs. Idempotent: packages already present are skipped by
# apt; safe to run on every build.
#
#   scripts/setup.sh          everything to build, test, benchmark and run the demo (what CI needs)
#   scripts/setup.sh --demo   only what building the `sefleet` program and running its demo need
#   scripts/setup.sh --demo --pcsc   the same, plus pcscd and vpcd for `sefleet demo --pcsc`
set -euo pipefail
demo_only=0
pcsc=0
for arg in "$@"; do
  case "$arg" in
    --demo) demo_only=1 ;;
    --pcsc) pcsc=1 ;;
    *) echo "setup: unknown option $arg (use --demo, --pcsc)" >&2; exit 2 ;;
  esac
done

# Building the product: the toolchain, the libraries it links, javac and jar (the Java Card API
# stubs and the VM's ROM classes are compiled during the build).
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libssl-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libsqlite3-dev libpq-dev
  libboost1.81-dev libcpp-httplib-dev libp11-kit-dev libpcsclite-dev
  default-jdk-headless
)
if [ "$pcsc" -eq 1 ]; then
  PACKAGES+=(pcscd vsmartcard-vpcd)
fi
if [ "$demo_only" -eq 0 ]; then
  PACKAGES+=(
    # the sanitizer and fuzzing tree, formatting and lint
    clang clang-tidy clang-format libclang-rt-14-dev lld
    # test and benchmark frameworks
    libgtest-dev libgmock-dev libbenchmark-dev
    # PC/SC stack and clients used by the interoperability tests
    pcscd vsmartcard-vpcd opensc pcsc-tools python3 python3-pyscard python3-cryptography
    # servers and tools used by tests and benchmarks
    softhsm2 postgresql sqlite3 chromium wrk openssl iproute2 util-linux procps curl
    # the DevTools client of the dashboard test (tests/apps/e2e/dashboard_actions.py)
    python3-websocket
  )
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
