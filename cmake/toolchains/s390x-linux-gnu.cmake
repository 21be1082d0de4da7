# SPDX-License-Identifier: BSD-3-Clause
#
# Cross toolchain for IBM Z (s390x), a big-endian 64-bit Linux target, with Debian's
# gcc-s390x-linux-gnu and check:s390x by multiarch (tools/deps.sh). vplat has no s390x user;
# the build exists to run the unit tests on a big-endian host under qemu-s390x user mode, so
# that every host-endian assumption in the code is a failing test (docs/arm64.md). Optional
# dependencies (libgpiod, liburing, libfdt) are not installed for s390x and build off:
#
#   cmake -S . -B build/s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x-linux-gnu.cmake
#   cmake --build build/s390x && ctest --test-dir build/s390x -LE 'guest|host-only|uring|xen'
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)
set(CMAKE_AR s390x-linux-gnu-ar CACHE FILEPATH "archiver")
set(CMAKE_RANLIB s390x-linux-gnu-ranlib CACHE FILEPATH "ranlib")
set(CMAKE_LIBRARY_ARCHITECTURE s390x-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/s390x-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(VPLAT_WITH_GPIOD OFF CACHE STRING "no libgpiod for s390x")
set(VPLAT_WITH_URING OFF CACHE STRING "no liburing for s390x")
set(VPLAT_WITH_FDT OFF CACHE STRING "no libfdt for s390x")
find_program(VPLAT_QEMU_S390X NAMES qemu-s390x-static qemu-s390x)
if(VPLAT_QEMU_S390X)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${VPLAT_QEMU_S390X})
endif()
