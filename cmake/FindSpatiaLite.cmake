# SpatiaLite 5 ships only a pkg-config file; wrap it as SpatiaLite::SpatiaLite.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PC_SPATIALITE QUIET IMPORTED_TARGET spatialite)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SpatiaLite REQUIRED_VARS PC_SPATIALITE_FOUND VERSION_VAR PC_SPATIALITE_VERSION)
if(SpatiaLite_FOUND AND NOT TARGET SpatiaLite::SpatiaLite)
  add_library(SpatiaLite::SpatiaLite INTERFACE IMPORTED)
  target_link_libraries(SpatiaLite::SpatiaLite INTERFACE PkgConfig::PC_SPATIALITE)
endif()
