# SPDX-License-Identifier: BSD-3-Clause
# cmake -DHELP2MAN= -DPROG= [-DEMU=emulator] -DNAME= -DSECTION= -DDESC= -DINCLUDE= -DEXTRA=a|b -DOUT= -P run-help2man.cmake
# Runs help2man on PROG; for each sub-command in EXTRA appends "PROG SUB --help" verbatim as
# a sub-section of OPTIONS, so every option any --help prints is in the page.
set(_incs --include=${INCLUDE})
if(EXTRA)
  string(REPLACE "|" ";" _subs "${EXTRA}")
  set(_x "[>OPTIONS]\n")
  foreach(s ${_subs})
    execute_process(COMMAND ${EMU} ${PROG} ${s} --help OUTPUT_VARIABLE _h RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "${PROG} ${s} --help: exit ${_rc}")
    endif()
    # The common options and exit status are in the main page already.
    string(REGEX REPLACE "\nCOMMON OPTIONS\n.*" "\n" _h "${_h}")
    string(REPLACE "\\" "\\e" _h "${_h}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" _h "${_h}")
    string(APPEND _x ".SS \"${NAME} ${s}\"\n.nf\n${_h}.fi\n")
  endforeach()
  get_filename_component(_dir ${OUT} DIRECTORY)
  file(WRITE ${_dir}/${NAME}.extra.h2m "${_x}")
  list(APPEND _incs --include=${_dir}/${NAME}.extra.h2m)
endif()
# help2man runs a wrapper that passes --help through cmake/help2man-filter.awk.
set(_wrap ${OUT}.help.sh)
if(EMU) # a cross build: the program runs under its emulator (qemu-aarch64)
  string(REPLACE ";" "' '" _emu "${EMU}")
  set(_emu "'${_emu}' ")
endif()
file(WRITE ${_wrap} "#!/bin/sh\nif [ \"$1\" = --version ]; then exec ${_emu}'${PROG}' --version; fi\n"
     "h=$(${_emu}'${PROG}' --help) || exit 1\n"
     "printf '%s\\n' \"$h\" | awk -f '${CMAKE_CURRENT_LIST_DIR}/help2man-filter.awk'\n")
file(CHMOD ${_wrap} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
     WORLD_READ WORLD_EXECUTE)
execute_process(COMMAND ${HELP2MAN} --no-info --section=${SECTION}
                        --name=${DESC} --source=vplat --version-option=--version
                        ${_incs} --output=${OUT}.tmp ${_wrap}
                RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "help2man ${NAME}: ${_err}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
