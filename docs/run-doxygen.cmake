# SPDX-License-Identifier: BSD-3-Clause
# Run Doxygen and fail, printing the warnings, if it wrote any.
file(REMOVE ${LOG})
execute_process(COMMAND ${DOXYGEN} ${DOXYFILE} RESULT_VARIABLE rc)
if(EXISTS ${LOG})
  file(READ ${LOG} warnings)
endif()
if(NOT rc EQUAL 0 OR warnings)
  message(FATAL_ERROR "Doxygen failed (rc=${rc}):\n${warnings}")
endif()
