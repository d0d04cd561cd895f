# Every dependency is a Debian 12 package (scripts/setup.sh installs them all).
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
# javac and jar compile the Java Card API, the VM's ROM classes and Java test applets (JDK 17: --release 8
# and reproducible jar dates).
find_package(Java 17 REQUIRED COMPONENTS Development)
# Boost.Beast/Asio (the management server's HTTP layer) and Boost.URL (request targets), header-only;
# Boost.URL's sources are compiled once into sefleet_offcard (server/http/boost_url.cpp).
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS headers)
pkg_check_modules(PCSCLITE REQUIRED IMPORTED_TARGET libpcsclite)
pkg_check_modules(CPPHTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(P11KIT REQUIRED IMPORTED_TARGET p11-kit-1)
if(SEFLEET_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(SEFLEET_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
