# The Java side of the Java Card VM (docs/javacard.md "Build"):
#   sefleet_javacard_rom(<library>)            javac of javacard/api + javacard/rom, ROM classes embedded
#                                              in <library>, api.jar written to SEFLEET_JAVACARD_API_JAR
#   sefleet_javacard_embed_api_jar(<target>)   the api.jar bytes compiled into <target>
# (both embed through sefleet_embed_files, cmake/SefleetEmbedAssets.cmake)
#   sefleet_add_javacard_applet(<name> DIR <dir>)
#                                              javac --release 8 -cp api.jar of every .java under <dir>
#                                              into ${SEFLEET_JAVACARD_APPLETS_DIR}/<name>/classes
set(SEFLEET_JAVACARD_DIR ${PROJECT_BINARY_DIR}/javacard)
set(SEFLEET_JAVACARD_API_JAR ${SEFLEET_JAVACARD_DIR}/api.jar)
set(SEFLEET_JAVACARD_ROM_CLASSES ${SEFLEET_JAVACARD_DIR}/rom-classes)
set(SEFLEET_JAVACARD_APPLETS_DIR ${SEFLEET_JAVACARD_DIR}/applets)
set(SEFLEET_JAVACARD_STAMP ${SEFLEET_JAVACARD_DIR}/rom-classes.stamp)

function(sefleet_javacard_rom library)
  file(GLOB_RECURSE java_sources CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/javacard/api/src/*.java ${PROJECT_SOURCE_DIR}/javacard/rom/src/*.java
       ${PROJECT_SOURCE_DIR}/javacard/api/compile-only/*.java)
  add_custom_command(
    OUTPUT ${SEFLEET_JAVACARD_STAMP} ${SEFLEET_JAVACARD_API_JAR}
    COMMAND ${CMAKE_COMMAND} -DJAVAC=${Java_JAVAC_EXECUTABLE} -DJAR=${Java_JAR_EXECUTABLE}
            -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/javacard -DCLASSES=${SEFLEET_JAVACARD_ROM_CLASSES}
            -DJAR_FILE=${SEFLEET_JAVACARD_API_JAR} -DSTAMP=${SEFLEET_JAVACARD_STAMP}
            -P ${PROJECT_SOURCE_DIR}/cmake/SefleetJavaCardBuild.cmake
    DEPENDS ${java_sources} ${PROJECT_SOURCE_DIR}/cmake/SefleetJavaCardBuild.cmake
    COMMENT "Compiling the Java Card API and ROM classes (javac)"
    VERBATIM)
  add_custom_target(sefleet_javacard_classes DEPENDS ${SEFLEET_JAVACARD_STAMP} ${SEFLEET_JAVACARD_API_JAR})

  # A library of its own (LIBRARY), so that <library>'s own objects do not wait for javac.
  sefleet_embed_files(${library} DIR ${SEFLEET_JAVACARD_ROM_CLASSES} RECURSIVE PATTERNS *.class
                      DEPENDS ${SEFLEET_JAVACARD_STAMP} HEADER card/javacard/vm/rom_image.hpp
                      NAMESPACE sefleet::card::javacard::vm::detail TABLE kRomClassFiles COUNT kRomClassFileCount
                      LIBRARY sefleet_javacard_rom)
endfunction()

function(sefleet_javacard_embed_api_jar target)
  sefleet_embed_files(${target} DIR ${SEFLEET_JAVACARD_DIR} PATTERNS api.jar DEPENDS ${SEFLEET_JAVACARD_API_JAR}
                      HEADER javacard_api_jar.hpp NAMESPACE sefleet::cli::detail TABLE kApiJarFiles
                      COUNT kApiJarFileCount)
  # api.jar is the output of a command of another directory: the file dependency alone is not enough.
  add_dependencies(${target} sefleet_javacard_classes)
endfunction()

# Java applets of the tests (and of sefleet itself) compile exactly as a user's would: javac for Java 8
# class files against the public jar only.
function(sefleet_add_javacard_applet name)
  cmake_parse_arguments(ARG "" "DIR" "" ${ARGN})
  if(NOT ARG_DIR)
    message(FATAL_ERROR "sefleet_add_javacard_applet(${name}): DIR is required")
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARG_DIR}/*.java)
  if(NOT sources)
    message(FATAL_ERROR "sefleet_add_javacard_applet(${name}): no .java file under ${ARG_DIR}")
  endif()
  set(out ${SEFLEET_JAVACARD_APPLETS_DIR}/${name})
  add_custom_command(
    OUTPUT ${out}/classes.stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${out}/classes
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/classes
    COMMAND ${Java_JAVAC_EXECUTABLE} --release 8 -encoding UTF-8 -cp ${SEFLEET_JAVACARD_API_JAR} -d ${out}/classes
            ${sources}
    COMMAND ${CMAKE_COMMAND} -E touch ${out}/classes.stamp
    DEPENDS ${sources} ${SEFLEET_JAVACARD_API_JAR}
    COMMENT "Compiling the Java Card applet ${name} (javac --release 8)"
    VERBATIM)
  add_custom_target(javacard_applet_${name} DEPENDS ${out}/classes.stamp)
  add_dependencies(javacard_applet_${name} sefleet_javacard_classes)
endfunction()
