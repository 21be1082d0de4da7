# SPDX-License-Identifier: BSD-3-Clause
#
# Cross toolchain for 64-bit Arm with Debian's gcc-aarch64-linux-gnu. Builds either the hosted
# library for an AArch64 Linux target, or (with -DVPLAT_FREESTANDING=ON) vplat-core for an
# AArch64 RTOS / bare-metal image (the freestanding build uses -ffreestanding -nostdinc, so the
# Linux sysroot is not used by the library itself):
#
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DVPLAT_FREESTANDING=ON
#   cmake --build build/aarch64 && cmake --install build/aarch64 --prefix /opt/vplat-aarch64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_AR aarch64-linux-gnu-ar CACHE FILEPATH "archiver")
set(CMAKE_RANLIB aarch64-linux-gnu-ranlib CACHE FILEPATH "ranlib")
set(CMAKE_SIZE aarch64-linux-gnu-size CACHE FILEPATH "size")
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
