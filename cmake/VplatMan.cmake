# SPDX-License-Identifier: BSD-3-Clause
# Man pages generated from each program's --help text by help2man (Debian package help2man),
# so the OPTIONS can never drift from the program. The hand-written sections (DESCRIPTION
# additions, EXAMPLES, SEE ALSO) live in docs/man/NAME.h2m (help2man --include format).
# Output: BUILD/man/NAME.SECTION, built by the 'man' target (part of ALL when help2man is
# found), installed under share/man/manSECTION. The test 'docs.man' checks them. A cross build
# runs the programs under CMAKE_CROSSCOMPILING_EMULATOR (qemu-aarch64, docs/arm64.md).
find_program(HELP2MAN help2man)
set(VPLAT_MAN_PAGES "" CACHE INTERNAL "generated man pages")
set(VPLAT_MAN_DIR ${PROJECT_BINARY_DIR}/man)

# vplat_man(TARGET SECTION "one-line name" [EXTRA_HELP arg...])
# EXTRA_HELP: sub-commands whose own --help text is appended as a section (e.g. the device
# types of vplat-device), generated at build time like the main text.
function(vplat_man target section name)
  cmake_parse_arguments(M "" "" "EXTRA_HELP" ${ARGN})
  if(NOT HELP2MAN)
    return()
  endif()
  set(_out ${VPLAT_MAN_DIR}/${target}.${section})
  set(_inc ${PROJECT_SOURCE_DIR}/docs/man/${target}.h2m)
  string(REPLACE ";" "|" _extra "${M_EXTRA_HELP}")
  add_custom_command(OUTPUT ${_out}
    COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${HELP2MAN} -DPROG=$<TARGET_FILE:${target}>
            "-DEMU=${CMAKE_CROSSCOMPILING_EMULATOR}"
            -DNAME=${target} -DSECTION=${section} "-DDESC=${name}" -DINCLUDE=${_inc}
            "-DEXTRA=${_extra}" -DOUT=${_out} -DVERSION=${PROJECT_VERSION}
            -P ${PROJECT_SOURCE_DIR}/cmake/run-help2man.cmake
    DEPENDS ${target} ${_inc} ${PROJECT_SOURCE_DIR}/cmake/run-help2man.cmake
    COMMENT "help2man ${target}.${section}" VERBATIM)
  add_custom_target(man-${target} ALL DEPENDS ${_out})
  install(FILES ${_out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT hosted)
  set(VPLAT_MAN_PAGES "${VPLAT_MAN_PAGES};${target}:${section}:$<TARGET_FILE:${target}>:${_extra}"
      CACHE INTERNAL "generated man pages")
endfunction()
