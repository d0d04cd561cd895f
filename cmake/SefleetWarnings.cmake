# One interface target carries the project's warning and sanitizer flags; every sefleet target links it.
add_library(sefleet_build_flags INTERFACE)
# No -Wnull-dereference: GCC 12 reports false positives inside libstdc++'s std::string when CLI11 is
# inlined at -O2, and a warning we must suppress at random is worse than none. For the same reason the
# release preset builds at -O2, not CMake's -O3: GCC 12 reports false -Wrestrict and -Wstringop-overflow
# inside libstdc++ (std::string and std::vector copies) only at -O3.
target_compile_options(sefleet_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(sefleet_build_flags INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wuseless-cast> -Wduplicated-cond -Wlogical-op)
endif()
if(SEFLEET_WERROR)
  target_compile_options(sefleet_build_flags INTERFACE -Werror)
endif()
if(SEFLEET_SANITIZE OR SEFLEET_FUZZ)
  target_compile_options(sefleet_build_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined
                         -fno-omit-frame-pointer)
  target_link_options(sefleet_build_flags INTERFACE -fsanitize=address,undefined)
  # GCC 12 with -fsanitize=address reports false -Wmaybe-uninitialized inside libstdc++'s <regex>
  # (std::function members of its NFA states, instantiated by cpp-httplib's route patterns). The
  # release build keeps the warning (and -Werror), so real cases are still caught there.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(sefleet_build_flags INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()
if(SEFLEET_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SEFLEET_FUZZ needs clang (libFuzzer): configure with the asan or fuzz preset")
endif()
# With SEFLEET_FUZZ the layer libraries get libFuzzer's coverage instrumentation (sefleet_add_layer) and
# only the fuzz_* executables link the libFuzzer main (fuzz/CMakeLists.txt), so one sanitizer tree
# builds the tests and the fuzz targets together.
