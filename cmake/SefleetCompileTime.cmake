# Compile time of the two CI trees (docs/ci.md "Compile time"). Both switches change how sources are
# compiled, never what: turn them off to check that every file includes what it uses
# (-DSEFLEET_UNITY_BUILD=OFF -DSEFLEET_PRECOMPILED_HEADERS=OFF).
#  - Unity build of the CLI: its sources all parse the same heavy headers (CLI11, nlohmann-json) and
#    instantiate the same templates; compiled in batches, each batch does that once. The libraries and
#    the tests stay out: their files are many small units with file-local helpers whose names repeat
#    across files (and other work adds files there all the time).
#  - Precompiled headers for the libraries, the CLI and the test executables: the standard library, fmt
#    and nlohmann-json (and CLI11 or GoogleTest) parsed once per target instead of once per source.
option(SEFLEET_UNITY_BUILD "Compile the CLI's sources in batches (unity build)" ON)
option(SEFLEET_PRECOMPILED_HEADERS "Precompile the headers most sources include" ON)
set(SEFLEET_UNITY_BATCH_SIZE 8 CACHE STRING "Sources per unity batch")

# sefleet_unity_build(<target> [SKIP <source>...]): the target's sources compiled in batches of
# SEFLEET_UNITY_BATCH_SIZE; the SKIP sources (paths relative to the repository root) and the
# generated ones (embedded files: large arrays, nothing to share) alone.
function(sefleet_unity_build target)
  cmake_parse_arguments(ARG "" "" "SKIP" ${ARGN})
  if(NOT SEFLEET_UNITY_BUILD)
    return()
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${SEFLEET_UNITY_BATCH_SIZE})
  get_target_property(sources ${target} SOURCES)
  foreach(source ${sources})
    get_source_file_property(generated ${source} GENERATED)
    if(generated)
      set_source_files_properties(${source} TARGET_DIRECTORY ${target} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
  foreach(source ${ARG_SKIP})
    set_source_files_properties(${PROJECT_SOURCE_DIR}/${source} TARGET_DIRECTORY ${target}
                                PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endforeach()
endfunction()

# sefleet_precompile_common_headers(<target> [<header>...]): the headers most sources include (the
# standard library's containers and strings, fmt, nlohmann-json) and the given ones, parsed once for
# the target. Only headers that no source configures with a macro of its own first (so not cpp-httplib,
# Boost or OpenSSL).
function(sefleet_precompile_common_headers target)
  if(NOT SEFLEET_PRECOMPILED_HEADERS)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE
    <algorithm> <array> <chrono> <cstddef> <cstdint> <cstring> <functional> <map> <memory> <optional>
    <span> <string> <string_view> <utility> <vector> <fmt/format.h> <nlohmann/json.hpp> ${ARGN})
endfunction()
