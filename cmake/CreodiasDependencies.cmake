# Every dependency is a Debian 12 package (see scripts/setup.sh). All link PRIVATE:
# no dependency type appears in a public header.
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(GDAL CONFIG REQUIRED)
find_package(GEOS CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(pugixml CONFIG REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
# Debian's libzip CMake config requires the zipcmp/zipmerge/ziptool binaries; the
# pkg-config file does not.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
if(NOT TARGET libzip::zip)
  add_library(libzip::zip INTERFACE IMPORTED)
  target_link_libraries(libzip::zip INTERFACE PkgConfig::LIBZIP)
endif()
find_package(SpatiaLite)
# Tiles: PNG (libspng), JPEG (libjpeg-turbo), WebP (libwebp); the HTTP server (libmicrohttpd).
pkg_check_modules(SPNG REQUIRED IMPORTED_TARGET spng)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
find_package(JPEG REQUIRED)
