# SPDX-License-Identifier: BSD-3-Clause
#
# Cross toolchain for bare-metal Arm with Debian's gcc-arm-none-eabi + libnewlib-arm-none-eabi.
# Use with the freestanding build of vplat-core:
#
#   cmake -S . -B build/arm -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi.cmake \
#         -DVPLAT_FREESTANDING=ON [-DVPLAT_ARM_CPU=cortex-m7]
#   cmake --build build/arm && cmake --install build/arm --prefix /opt/vplat-arm
#
# VPLAT_ARM_CPU picks the core (default cortex-m3, Thumb-2); VPLAT_ARM_FLAGS overrides the
# whole machine flag set (e.g. "-mcpu=cortex-r5 -marm -mfloat-abi=soft").
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar CACHE FILEPATH "archiver")
set(CMAKE_RANLIB arm-none-eabi-ranlib CACHE FILEPATH "ranlib")
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "size")
set(CMAKE_OBJCOPY arm-none-eabi-objcopy CACHE FILEPATH "objcopy")
# No OS to link a test program against: try_compile builds a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(VPLAT_ARM_CPU cortex-m3 CACHE STRING "Arm core for -mcpu (Thumb-2)")
set(VPLAT_ARM_FLAGS "-mcpu=${VPLAT_ARM_CPU} -mthumb -mfloat-abi=soft" CACHE STRING
    "machine flags for the Arm cross build")
set(CMAKE_C_FLAGS_INIT "${VPLAT_ARM_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${VPLAT_ARM_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${VPLAT_ARM_FLAGS} -Wl,--gc-sections")
# Shared libraries and PIC mean nothing on bare metal.
set(CMAKE_POSITION_INDEPENDENT_CODE OFF)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH) # CMAKE_PREFIX_PATH = a vplat-core install
