#!/usr/bin/env bash
# Installs every Debian 12 package sefleet needs to build, test, benchmark and run its demo.
# Idempotent: packages already present are skipped by apt; safe to run on every build.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang clang-tidy clang-format libclang-rt-14-dev lld
  # libraries
  libssl-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libsqlite3-dev libpq-dev libboost1.81-dev libcpp-httplib-dev
  libp11-kit-dev libpcsclite-dev
  # javac and jar: the Java Card API stubs, the VM's ROM classes and Java test applets
  default-jdk-headless
  # PC/SC stack and clients used by the interoperability tests
  pcscd vsmartcard-vpcd opensc pcsc-tools python3 python3-pyscard python3-cryptography
  # servers and tools used by tests and benchmarks
  softhsm2 postgresql sqlite3 chromium wrk openssl iproute2 util-linux procps curl
)

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
