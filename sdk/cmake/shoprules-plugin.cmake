# shoprules_add_plugin(NAME SOURCES src... [OUTPUT_DIRECTORY dir])
#
# Builds a shoprules plugin: a MODULE library named NAME.so, C++20 (the standard is part of the
# ABI key the host checks), hidden visibility so only the plugin's entry is exported, and linked
# with -z defs so an undefined symbol fails the build rather than the load. Set
# SHOPRULES_PLUGIN_NO_UNDEFINED to OFF for a clang sanitizer build, whose runtime lives in the
# executable and so is undefined in the plugin until it is loaded.
function(shoprules_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "shoprules_add_plugin(${name}): no SOURCES given")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE shoprules::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(NOT DEFINED SHOPRULES_PLUGIN_NO_UNDEFINED OR SHOPRULES_PLUGIN_NO_UNDEFINED)
    target_link_options(${name} PRIVATE -Wl,-z,defs)
  endif()
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
endfunction()
