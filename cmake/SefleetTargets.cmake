# Conventions that let each area add files without touching shared build files:
#  - src/<layer>/**.cpp           -> static library sefleet_<layer>
#  - tests/<layer>/<label>/*.cpp  -> test_<layer>_<label>, ctest label <label> (unit|integration|e2e)
#  - bench/<layer>_<name>.cpp     -> bench_<layer>_<name>, linked with sefleet_<layer>
#  - fuzz/<layer>_<name>.cpp      -> fuzz_<layer>_<name> (SEFLEET_FUZZ only), linked with sefleet_<layer>

function(sefleet_add_layer layer)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT sources)
    # A layer with no code yet still exists, so the layers above can name it.
    add_library(sefleet_${layer} INTERFACE)
    target_include_directories(sefleet_${layer} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(sefleet_${layer} INTERFACE sefleet_build_flags ${ARG_DEPS})
    return()
  endif()
  add_library(sefleet_${layer} STATIC ${sources})
  target_include_directories(sefleet_${layer} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(sefleet_${layer} PUBLIC sefleet_build_flags ${ARG_DEPS})
  target_compile_definitions(sefleet_${layer} PUBLIC SEFLEET_VERSION="${PROJECT_VERSION}")
  sefleet_precompile_common_headers(sefleet_${layer})
  if(SEFLEET_FUZZ)
    # Coverage feedback for libFuzzer where the fuzz targets explore: the library code. PRIVATE, so the
    # tests and the CLI that link these libraries are not slowed by comparison tracing of their own code.
    target_compile_options(sefleet_${layer} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# The public test vectors the tests read: the repository's copy under tests/vectors (each vector
# names its public source). A canonical vectors directory beside the checkout, when there is one,
# takes precedence, and core.VectorsCopy fails if it differs from the repository's copy.
# SEFLEET_VECTORS_DIR in a test's environment points the tests at any other copy.
if(EXISTS ${PROJECT_SOURCE_DIR}/../shared/vectors/scp03.json)
  get_filename_component(SEFLEET_VECTORS_DIR ${PROJECT_SOURCE_DIR}/../shared/vectors ABSOLUTE)
else()
  set(SEFLEET_VECTORS_DIR ${PROJECT_SOURCE_DIR}/tests/vectors)
endif()

function(sefleet_add_tests layer)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  set(test_env "SEFLEET_VECTORS_DIR=${SEFLEET_VECTORS_DIR};SEFLEET_SOURCE_DIR=${PROJECT_SOURCE_DIR};SEFLEET_BINARY_DIR=${PROJECT_BINARY_DIR};SEFLEET_BIN=$<TARGET_FILE:sefleet>")
  foreach(label unit integration e2e)
    set(dir ${CMAKE_CURRENT_SOURCE_DIR}/${layer}/${label})
    if(NOT IS_DIRECTORY ${dir})
      continue()
    endif()
    file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
    if(sources)
      set(target test_${layer}_${label})
      add_executable(${target} ${sources})
      target_link_libraries(${target} PRIVATE ${ARG_LIBS} sefleet_testsupport GTest::gtest GTest::gmock GTest::gtest_main)
      sefleet_unoptimized_under_sanitizers(${target})
      # Precompiled GoogleTest and the common headers (docs/ci.md "Compile time"): worth it from three
      # sources on. Unity batches as for the libraries (SefleetUnityBatches.cmake): the test files of
      # the folder, a few at a time, parse GoogleTest and the project's headers once per batch.
      list(LENGTH sources source_count)
      if(source_count GREATER 2)
        sefleet_precompile_common_headers(${target} <fmt/format.h> <nlohmann/json.hpp> <gtest/gtest.h>)
      endif()
      sefleet_unity_batches(${target})
      # gtest_discover_tests cannot pass list-valued properties; paths reach the tests through
      # sefleet_testsupport's compile definitions instead, and the layer is the test name prefix.
      gtest_discover_tests(${target}
        TEST_PREFIX "${layer}."
        DISCOVERY_TIMEOUT 60
        PROPERTIES LABELS ${label})
    endif()
    # Shell tests drive the real binary (and real daemons); each script is one ctest test.
    file(GLOB scripts CONFIGURE_DEPENDS ${dir}/*.sh)
    foreach(script ${scripts})
      get_filename_component(name ${script} NAME_WE)
      add_test(NAME ${layer}.${name} COMMAND bash ${script})
      set_tests_properties(${layer}.${name} PROPERTIES LABELS ${label} ENVIRONMENT "${test_env}"
                           TIMEOUT 900)
    endforeach()
  endforeach()
endfunction()

# The layer a bench/ or fuzz/ source belongs to is the prefix of its file name before the first '_'.
function(sefleet_layer_of_file source out_var)
  get_filename_component(name ${source} NAME_WE)
  string(FIND ${name} "_" underscore)
  if(underscore LESS 1)
    message(FATAL_ERROR "${source}: name must be <layer>_<name>.cpp")
  endif()
  string(SUBSTRING ${name} 0 ${underscore} layer)
  if(NOT TARGET sefleet_${layer})
    message(FATAL_ERROR "${source}: no layer '${layer}'")
  endif()
  set(${out_var} ${layer} PARENT_SCOPE)
endfunction()
