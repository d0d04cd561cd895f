# Compile time of the two CI trees (docs/ci.md "Compile time"). Both switches change how sources are
# compiled, never what: turn them off to check that every file includes what it uses
# (-DSEFLEET_UNITY_BUILD=OFF -DSEFLEET_PRECOMPILED_HEADERS=OFF).
#  - Unity groups in the CLI: its sources all parse the same heavy headers (CLI11, nlohmann-json) and
#    instantiate the same templates; compiled as one unit, a group does that once.
#  - Unity batches in the layer libraries core, crypto, iso7816, protocols, gp and transport
#    (SefleetUnityBatches.cmake): the files of one folder compiled together, a few at a time, so the
#    project headers and the libraries they include (OpenSSL, nlohmann-json) are parsed once per batch
#    instead of once per file. card, offcard and sim are not batched yet: many of their files define
#    the same file-local names. The tests stay out for the same reason.
#  - Precompiled headers for the libraries, the CLI and the test executables: the standard library
#    (and for the CLI and the tests fmt, nlohmann-json and CLI11 or GoogleTest) parsed once per target
#    instead of once per source.
option(SEFLEET_UNITY_BUILD "Compile the CLI's sources in unity groups and the libraries' in unity batches" ON)
include(SefleetUnityBatches)
# ccache caches no compilation that uses a precompiled header unless its sloppiness says pch_defines,
# so with ccache as the launcher (development trees) the default is off: cache hits are worth more
# there. CI builds without a launcher.
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
  set(sefleet_pch_default OFF)
else()
  set(sefleet_pch_default ON)
endif()
option(SEFLEET_PRECOMPILED_HEADERS "Precompile the headers most sources include" ${sefleet_pch_default})

# sefleet_unity_group(<target> <group> <source>...): the sources (relative to the current source
# directory) compiled as one unit. Groups are explicit (UNITY_BUILD_MODE GROUP): a source in no group,
# a new file included, is compiled on its own, so a file added with a file-local name that another file
# also defines cannot break the build.
function(sefleet_unity_group target group)
  if(NOT SEFLEET_UNITY_BUILD)
    return()
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
  set_source_files_properties(${ARGN} TARGET_DIRECTORY ${target} PROPERTIES UNITY_GROUP ${group})
endfunction()

# sefleet_precompile_common_headers(<target> [<header>...]): the standard headers most sources include
# and the given ones, parsed once for the target. Only headers that no source configures with a macro
# of its own first (so not cpp-httplib, Boost or OpenSSL). The layer libraries precompile the standard
# headers only: few of their files include nlohmann-json or fmt, and GCC loads a precompiled header
# whole into every compilation.
function(sefleet_precompile_common_headers target)
  if(NOT SEFLEET_PRECOMPILED_HEADERS)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE
    <algorithm> <array> <chrono> <cstddef> <cstdint> <cstring> <functional> <map> <memory> <optional>
    <span> <string> <string_view> <utility> <vector> ${ARGN})
endfunction()

# sefleet_unoptimized_under_sanitizers(<target>): in the sanitizer tree, the target's own sources
# compile at -O0 instead of the tree's -O1. For the CLI and the test executables only: their code is
# glue (option parsing, GoogleTest's assertion bodies, JSON building) whose optimization costs half of
# their compile time under clang (cmd_terminal.cpp 50 -> 24 CPU s, terminal_client_test.cpp 38 -> 22,
# docs/ci.md), while what the tests exercise, the layer libraries and the fuzz targets, keeps -O1.
# The option follows the tree's flags on the command line, so it wins for the target and its
# precompiled header alike.
function(sefleet_unoptimized_under_sanitizers target)
  if(SEFLEET_SANITIZE)
    target_compile_options(${target} PRIVATE -O0)
  endif()
endfunction()
