# SPDX-License-Identifier: BSD-3-Clause
# Installation of vplat's libraries as package components (see lib/CMakeLists.txt):
#   core    vplat::core, vplat::core_shared         headers include/vplat/*.h, spec/
#   hosted  vplat::vplat, vplat::vplat_shared       headers host/ fabric/ backend/ platform/
#   val     vplat::val, vplat::val_shared           headers val/
# Each component has its own export file, pkg-config file and install component
# (cmake --install BUILD --component core|hosted|val). The freestanding build installs core.

# vplat_install_component(COMPONENT TARGET...)
function(vplat_install_component comp)
  install(TARGETS ${ARGN} EXPORT vplat-${comp}-targets COMPONENT ${comp}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT vplat-${comp}-targets NAMESPACE vplat:: COMPONENT ${comp}
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vplat)
  set(_inc ${PROJECT_SOURCE_DIR}/include/vplat)
  if(comp STREQUAL "core")
    file(GLOB _h ${_inc}/*.h)
    list(REMOVE_ITEM _h ${_inc}/vplat.h)
    install(FILES ${_h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vplat COMPONENT core)
    install(DIRECTORY ${_inc}/spec DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vplat COMPONENT core)
    set(_pc vplat-core)
    set(VPLAT_PC_NAME "vplat-core")
    set(VPLAT_PC_DESC "vplat portable layers: virtqueues, transports, device models (freestanding)")
    set(VPLAT_PC_REQUIRES "")
    set(VPLAT_PC_LIB "-lvplat-core")
    set(VPLAT_PC_PRIVATE "")
  elseif(comp STREQUAL "hosted")
    install(FILES ${_inc}/vplat.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vplat COMPONENT hosted)
    foreach(d host fabric backend platform)
      install(DIRECTORY ${_inc}/${d} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vplat COMPONENT hosted)
    endforeach()
    set(_pc vplat)
    set(VPLAT_PC_NAME "vplat")
    set(VPLAT_PC_DESC "vplat hosted library: host ends, inter-VM fabrics, vhost-user back end, platform descriptions")
    set(VPLAT_PC_REQUIRES "vplat-core = ${PROJECT_VERSION}")
    set(VPLAT_PC_LIB "-lvplat")
    set(VPLAT_PC_PRIVATE "${VPLAT_PC_LIBS_PRIVATE}")
  else()
    install(DIRECTORY ${_inc}/val DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vplat COMPONENT val)
    set(_pc vplat-val)
    set(VPLAT_PC_NAME "vplat-val")
    set(VPLAT_PC_DESC "vplat validation driver, loopback backend, vhost-user front end, conformance framework")
    set(VPLAT_PC_REQUIRES "vplat = ${PROJECT_VERSION}")
    set(VPLAT_PC_LIB "-lvplat-val")
    set(VPLAT_PC_PRIVATE "")
  endif()
  # Relocatable: paths relative to where the .pc file is installed.
  file(RELATIVE_PATH VPLAT_PC_RELPREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/vplat.pc.in ${PROJECT_BINARY_DIR}/${_pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${_pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
          COMPONENT ${comp})
endfunction()

# The package files, in every component (a core-only install is a complete package).
function(vplat_install_package)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vplatConfig.cmake.in
    ${PROJECT_BINARY_DIR}/vplatConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vplat)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/vplatConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
  foreach(comp core hosted val)
    install(FILES ${PROJECT_BINARY_DIR}/vplatConfig.cmake ${PROJECT_BINARY_DIR}/vplatConfigVersion.cmake
            DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vplat COMPONENT ${comp})
  endforeach()
endfunction()
