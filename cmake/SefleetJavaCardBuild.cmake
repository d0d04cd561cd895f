# Compiles the Java Card API stubs and the VM's internal classes (the ROM) and writes the public jar.
# Run at build time as: cmake -DJAVAC=... -DJAR=... -DSOURCE_DIR=<repo>/javacard -DCLASSES=<dir>
#                             -DJAR_FILE=<api.jar> -DSTAMP=<file> -P this file
#   - every class file of javacard/api/src and javacard/rom/src goes to CLASSES (the ROM the VM loads);
#   - only the public packages go into JAR_FILE (what applets compile against);
#   - javacard/api/compile-only holds what javac itself needs (java.lang.String, Class, Error, ...):
#     it is read as source path, never compiled into either output (-implicit:none).
# CLASSES is emptied first so that a deleted source leaves no stale class behind. Lint "overrides"
# is off: it looks for Object.hashCode, which Java Card does not have (javac fails on AID.equals).
foreach(required JAVAC JAR SOURCE_DIR CLASSES JAR_FILE STAMP)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "SefleetJavaCardBuild.cmake: ${required} is required")
  endif()
endforeach()

# The packages of the public API jar (docs/javacard.md "The API jar").
set(public_packages java/lang javacard/framework javacard/security javacardx/crypto javacardx/apdu
                    javacardx/apdu/util org/globalplatform org/sefleet/deferred)

file(GLOB_RECURSE sources ${SOURCE_DIR}/api/src/*.java ${SOURCE_DIR}/rom/src/*.java)
list(SORT sources)
file(REMOVE_RECURSE ${CLASSES})
file(MAKE_DIRECTORY ${CLASSES})
set(empty_boot ${CLASSES}.boot)
file(MAKE_DIRECTORY ${empty_boot})
# The source list goes through an @argfile: a command line of a few hundred paths is fine, but an
# argfile keeps it independent of the platform's limit.
list(JOIN sources "\n" argfile_text)
file(WRITE ${CLASSES}.sources "${argfile_text}\n")
execute_process(
  COMMAND ${JAVAC} -source 8 -target 8 -bootclasspath ${empty_boot} -sourcepath ${SOURCE_DIR}/api/compile-only
          -implicit:none -encoding UTF-8 -Xlint:all,-options,-overrides -Werror -d ${CLASSES} @${CLASSES}.sources
  RESULT_VARIABLE javac_result)
if(NOT javac_result EQUAL 0)
  message(FATAL_ERROR "javac of the Java Card API and ROM failed")
endif()

# The jar: public packages only, with a fixed entry date so that the same sources give the same bytes.
set(jar_stage ${CLASSES}.jar-stage)
file(REMOVE_RECURSE ${jar_stage})
file(MAKE_DIRECTORY ${jar_stage})
foreach(package ${public_packages})
  file(GLOB package_classes ${CLASSES}/${package}/*.class)
  if(package_classes)
    file(COPY ${package_classes} DESTINATION ${jar_stage}/${package})
  endif()
endforeach()
file(REMOVE ${JAR_FILE})
execute_process(COMMAND ${JAR} --create --file ${JAR_FILE} --date=2020-01-01T00:00:00Z -C ${jar_stage} .
                RESULT_VARIABLE jar_result)
if(NOT jar_result EQUAL 0)
  message(FATAL_ERROR "jar of the Java Card API failed")
endif()
file(TOUCH ${STAMP})
