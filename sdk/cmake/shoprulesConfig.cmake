# The shoprules SDK as installed inside the Python package: find_package(shoprules CONFIG) with
# -Dshoprules_DIR=$(shoprules --cmake-dir) gives shoprules::sdk and shoprules_add_plugin().
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74 CONFIG)

if(NOT TARGET shoprules::sdk)
  get_filename_component(_shoprules_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
  add_library(shoprules::sdk INTERFACE IMPORTED)
  set_target_properties(shoprules::sdk PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_shoprules_root}/include"
    INTERFACE_COMPILE_DEFINITIONS BOOST_DLL_USE_STD_FS
    INTERFACE_COMPILE_FEATURES cxx_std_20
    INTERFACE_LINK_LIBRARIES Boost::headers)
  unset(_shoprules_root)
endif()

include("${CMAKE_CURRENT_LIST_DIR}/shoprules-plugin.cmake")
