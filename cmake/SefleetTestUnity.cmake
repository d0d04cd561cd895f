# Unity batches for the test executables (docs/ci.md "Compile time"), under SEFLEET_UNITY_BUILD like the
# CLI's groups. The test files of one executable parse the same project headers, GoogleTest and often
# cpp-httplib or Boost; in batches of SEFLEET_TEST_UNITY_BATCH_SIZE sources (in file name order) that
# happens once per batch instead of once per file, and GoogleTest's templates are instantiated once.
#
# Batches are automatic (UNITY_BUILD_MODE BATCH), so a new test file joins one: its file-local names
# (anonymous namespace helpers, constants, fixtures, test names) must not repeat a name of another file
# of the same directory. Give them names specific to the file (kTearingPackageAid, not kPackageAid), or
# share one definition through a header. `-DSEFLEET_UNITY_BUILD=OFF` compiles every file alone: the way
# to check that a file includes what it uses.
set(SEFLEET_TEST_UNITY_BATCH_SIZE 8 CACHE STRING "Test sources per unity batch (with SEFLEET_UNITY_BUILD)")

# sefleet_test_unity_batches(<target>...): the given test executables compiled in unity batches.
function(sefleet_test_unity_batches)
  if(NOT SEFLEET_UNITY_BUILD)
    return()
  endif()
  foreach(target ${ARGN})
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH
                                               UNITY_BUILD_BATCH_SIZE ${SEFLEET_TEST_UNITY_BATCH_SIZE})
  endforeach()
endfunction()
