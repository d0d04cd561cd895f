# Unity batches of the layer libraries (docs/ci.md "Compile time"; included by SefleetCompileTime.cmake,
# which declares SEFLEET_UNITY_BUILD).
#
# sefleet_unity_batches(<target> [BATCH_SIZE <n>] [FOLDERS <folder>...] [ALONE <source>...]): the
# target's sources under its source directory compiled in batches, one folder at a time (card/runtime, offcard/server/http, ...):
# the files of a folder include the same headers, so a batch parses them once. A folder of more than
# <n> files (default SEFLEET_UNITY_BATCH_SIZE) is cut into batches of nearly equal size, in name order.
# The batches follow the files on disk: a file added to a folder joins a batch at the next configure,
# and a file-local name it shares with another file of its batch is a compile error that names both
# files (docs/architecture.md "Build conventions"). ALONE names the sources (relative to the source
# directory) that are compiled on their own: those that include the implementation of a library
# (Boost.URL's src.hpp) or configure one with a macro of their own. FOLDERS, when given, names the only
# folders (relative to the source directory, "." for its top) that are batched: the others still
# repeat file-local names across their files. Generated sources stay alone too.
set(SEFLEET_UNITY_BATCH_SIZE 8 CACHE STRING "Most sources of a folder in one unity batch of a layer library")

function(sefleet_unity_batches target)
  if(NOT SEFLEET_UNITY_BUILD)
    return()
  endif()
  cmake_parse_arguments(ARG "" "BATCH_SIZE" "FOLDERS;ALONE" ${ARGN})
  if(NOT ARG_BATCH_SIZE)
    set(ARG_BATCH_SIZE ${SEFLEET_UNITY_BATCH_SIZE})
  endif()
  get_target_property(source_dir ${target} SOURCE_DIR)
  get_target_property(sources ${target} SOURCES)
  list(TRANSFORM ARG_ALONE PREPEND ${source_dir}/)

  # The sources of each folder, by folder (the folder's name as a C identifier is the batch's prefix).
  set(folders)
  foreach(source IN LISTS sources)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${source_dir} NORMALIZE)
    cmake_path(IS_PREFIX source_dir ${source} NORMALIZE inside)
    if(NOT source MATCHES "\\.cpp$" OR NOT inside OR source IN_LIST ARG_ALONE)
      continue()
    endif()
    cmake_path(RELATIVE_PATH source BASE_DIRECTORY ${source_dir} OUTPUT_VARIABLE relative)
    cmake_path(GET relative PARENT_PATH folder)
    if(ARG_FOLDERS)
      set(listed_as "${folder}")
      if(listed_as STREQUAL "")
        set(listed_as ".")
      endif()
      if(NOT listed_as IN_LIST ARG_FOLDERS)
        continue()
      endif()
    endif()
    if(folder STREQUAL "")
      set(key ${target})
    else()
      string(MAKE_C_IDENTIFIER "${target}_${folder}" key)
    endif()
    list(APPEND folders ${key})
    list(APPEND sources_of_${key} ${source})
  endforeach()
  list(REMOVE_DUPLICATES folders)

  foreach(key IN LISTS folders)
    set(folder_sources ${sources_of_${key}})
    list(SORT folder_sources)
    list(LENGTH folder_sources count)
    if(count LESS 2)
      continue()
    endif()
    # ceil(count / batch size) batches, the files spread evenly over them.
    math(EXPR batches "(${count} + ${ARG_BATCH_SIZE} - 1) / ${ARG_BATCH_SIZE}")
    set(index 0)
    foreach(source IN LISTS folder_sources)
      math(EXPR batch "${index} * ${batches} / ${count}")
      set_property(SOURCE ${source} TARGET_DIRECTORY ${target} PROPERTY UNITY_GROUP ${key}_${batch})
      math(EXPR index "${index} + 1")
    endforeach()
  endforeach()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
endfunction()
