# SPDX-License-Identifier: BSD-3-Clause
# Negative control: run the image with fault FAULT injected; pass only if the image reports
# "RESULT: FAIL" and QEMU exits non-zero (the check that the fault defeats is the one named).
execute_process(COMMAND ${QEMU},arg=${FAULT} -kernel ${ELF}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 50)
message("${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "fault ${FAULT}: the image exited 0; it must fail")
endif()
if(NOT "${out}${err}" MATCHES "RESULT: FAIL")
  message(FATAL_ERROR "fault ${FAULT}: no 'RESULT: FAIL' line")
endif()
message("fault ${FAULT}: the image failed as it must (exit ${rc})")
