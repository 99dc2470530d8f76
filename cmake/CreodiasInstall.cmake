include(CMakePackageConfigHelpers)
set(CREODIAS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/creodias)
install(TARGETS creodias EXPORT creodiasTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT creodiasTargets NAMESPACE creodias:: DESTINATION ${CREODIAS_CMAKE_DIR})
export(EXPORT creodiasTargets NAMESPACE creodias:: FILE ${PROJECT_BINARY_DIR}/creodiasTargets.cmake)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/creodiasConfig.cmake.in
  ${PROJECT_BINARY_DIR}/creodiasConfig.cmake INSTALL_DESTINATION ${CREODIAS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/creodiasConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/creodiasConfig.cmake ${PROJECT_BINARY_DIR}/creodiasConfigVersion.cmake
        DESTINATION ${CREODIAS_CMAKE_DIR})
configure_file(${PROJECT_SOURCE_DIR}/cmake/creodias.pc.in ${PROJECT_BINARY_DIR}/creodias.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/creodias.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(CREODIAS_BUILD_CLI)
  install(TARGETS creodias_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
