# Profile-guided optimization (SHOPRULES_PGO, GCC only): the host and the bundled plugins are
# built twice. First, in a build of their own (<build>/pgo/build), instrumented, with the training
# program host/pgo/train.cpp, which is then run (the example events, evaluated one at a time and
# replayed as a log) and leaves its counts in <build>/pgo/profile. Then this build compiles them
# with those counts, so the compiler lays out and inlines for the paths a replay takes.
#
# The two builds name each object by its path under their own build folder
# (-fprofile-prefix-path), so one's counts find the other's objects. A function the training
# never ran is optimized as it would be without a profile (-fprofile-partial-training).
#
# The training runs on every build (its own build is incremental; the run takes about a second),
# but an object of this build is compiled again only when its own sources change, not when only
# the counts do: in a long-lived build folder the counts of an unchanged file may lag behind, which
# changes how its code is laid out, never what it does. A fresh build folder is exact.
#
# Included by the top-level CMakeLists.txt. Three modes:
#   SHOPRULES_PGO_GENERATE=<dir>   the training build: instrument everything, write counts to dir
#   SHOPRULES_PGO=ON               this build: run the training build first, then use its counts
#   SHOPRULES_PGO=ON SHOPRULES_PGO_PROFILE=<dir>
#                                  use the counts another build of the same sources left in
#                                  <dir> (its <build>/pgo/profile), without training again: the
#                                  wheels for several Pythons share one training this way

# Compiles `target` with the training's counts, after the training ran. Without counts to use
# (SHOPRULES_PGO off, another compiler than GCC, or the training build itself), does nothing.
function(shoprules_pgo_use target)
  if(NOT _pgo_counts)
    return()
  endif()
  if(TARGET shoprules_pgo_train)
    add_dependencies(${target} shoprules_pgo_train)
  endif()
  target_compile_options(${target} PRIVATE
    -fprofile-use=${_pgo_counts} -fprofile-prefix-path=${CMAKE_BINARY_DIR}
    -fprofile-partial-training
    # Code the training never reaches (the Python bindings, isolation) has no counts.
    -Wno-missing-profile
    # GCC 12 warns, wrongly, of overlapping copies inside std::string once a profile has it
    # inline more (no copy there can overlap); the training build, without counts, does not.
    -Wno-restrict)
endfunction()

if(SHOPRULES_PGO_GENERATE)
  add_compile_options(-fprofile-generate=${SHOPRULES_PGO_GENERATE}
                      -fprofile-prefix-path=${CMAKE_BINARY_DIR} -fprofile-update=atomic)
  add_link_options(-fprofile-generate)
  return()
endif()

if(NOT SHOPRULES_PGO)
  return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(WARNING "SHOPRULES_PGO needs GCC (this is ${CMAKE_CXX_COMPILER_ID}): building without")
  return()
endif()

set(SHOPRULES_PGO_PROFILE "" CACHE PATH "Counts of an earlier training to use (empty: train)")
if(SHOPRULES_PGO_PROFILE)
  if(NOT IS_DIRECTORY "${SHOPRULES_PGO_PROFILE}")
    message(FATAL_ERROR "SHOPRULES_PGO_PROFILE: ${SHOPRULES_PGO_PROFILE} is not a folder")
  endif()
  set(_pgo_counts ${SHOPRULES_PGO_PROFILE})
else()
  set(_pgo_counts ${CMAKE_BINARY_DIR}/pgo/profile)
  include(ExternalProject)
  set(SHOPRULES_PGO_DIR ${CMAKE_BINARY_DIR}/pgo)
  # CMAKE_PREFIX_PATH is a list: passed through with another separator than ";".
  string(REPLACE ";" "|" _pgo_prefix_path "${CMAKE_PREFIX_PATH}")
  ExternalProject_Add(shoprules_pgo_train
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    PREFIX ${SHOPRULES_PGO_DIR}
    BINARY_DIR ${SHOPRULES_PGO_DIR}/build
    LIST_SEPARATOR |
    CMAKE_ARGS
      -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
      -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
      -DCMAKE_PREFIX_PATH=${_pgo_prefix_path}
      -DSHOPRULES_BUILD_PYTHON=OFF
      -DSHOPRULES_BUILD_TESTS=OFF
      -DSHOPRULES_WERROR=${SHOPRULES_WERROR}
      -DSHOPRULES_PGO_GENERATE=${_pgo_counts}
    BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR>
    # Counts add up across runs: each training starts from none.
    INSTALL_COMMAND ${CMAKE_COMMAND} -E rm -rf ${_pgo_counts}
    COMMAND <BINARY_DIR>/shoprules-pgo-train ${PROJECT_SOURCE_DIR}/examples <BINARY_DIR>/plugins
            ${SHOPRULES_PGO_DIR}/work
    # The training build's own rules decide what it recompiles; it always gets the chance.
    BUILD_ALWAYS ON)
endif()

