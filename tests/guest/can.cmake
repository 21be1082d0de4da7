# SPDX-License-Identifier: BSD-3-Clause
# Real peer for the CAN device's SocketCAN host end: a static test program inside a QEMU TCG
# Linux guest attaches a vplat CAN device to vcan0 and checks frames both ways against a raw
# CAN socket (tests/guest/can_vcan.sh). Skipped (77) without QEMU, the kernel or busybox-static.
# Static linking does not mix with the sanitizer runtimes: plain builds only.
if(NOT VPLAT_SANITIZE)
  add_executable(can_vcan_guest ${PROJECT_SOURCE_DIR}/tests/guest/can_vcan_guest.c)
  target_link_libraries(can_vcan_guest PRIVATE vplat_val_static)
  target_compile_options(can_vcan_guest PRIVATE ${VPLAT_WARNINGS})
  target_link_options(can_vcan_guest PRIVATE -static)
  add_test(NAME guest.can_vcan
           COMMAND ${PROJECT_SOURCE_DIR}/tests/guest/can_vcan.sh $<TARGET_FILE:can_vcan_guest>
                   ${PROJECT_BINARY_DIR}/guest-cache)
  set_tests_properties(guest.can_vcan PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 90 RUN_SERIAL TRUE
                        LABELS guest)
endif()
