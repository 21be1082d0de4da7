# SPDX-License-Identifier: BSD-3-Clause
#
# Cross toolchain for the whole hosted project (vplat-core, vplat, vplat-val, the daemons,
# vplat-conform, the Check unit tests) on an AArch64 Linux host, with Debian's
# gcc-aarch64-linux-gnu and the arm64 -dev packages installed by multiarch (tools/deps.sh:
# check:arm64, liburing-dev:arm64, libgpiod-dev:arm64, libfdt1:arm64 + libfdt.a). Programs built here run
# under qemu-aarch64 user mode (CMAKE_CROSSCOMPILING_EMULATOR), so CTest runs the unit tests on
# an x86-64 build machine (docs/arm64.md):
#
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu-hosted.cmake
#   cmake --build build/arm64 && ctest --test-dir build/arm64 -LE 'guest|host-only|uring|xen'
#
# (cmake/toolchains/aarch64-linux-gnu.cmake is the bare-metal / freestanding one.)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_AR aarch64-linux-gnu-ar CACHE FILEPATH "archiver")
set(CMAKE_RANLIB aarch64-linux-gnu-ranlib CACHE FILEPATH "ranlib")
set(CMAKE_STRIP aarch64-linux-gnu-strip CACHE FILEPATH "strip")
# Multiarch: the arm64 libraries live in /usr/lib/aarch64-linux-gnu, the headers in /usr/include
# (shared with the build machine's packages, identical for Multi-Arch: same packages).
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# pkg-config (Check) must read the arm64 .pc files, not the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
# libfdt-dev is not Multi-Arch: same (it cannot be installed for amd64 and arm64 at once):
# tools/deps.sh installs libfdt1:arm64 and puts libfdt-dev:arm64's libfdt.a and a libfdt.so
# link in /usr/local/lib/aarch64-linux-gnu, searched below; the headers are the same files.
# Run target programs (CTest, generators) under qemu-aarch64 user mode; the arm64 loader and
# libc come from libc6:arm64 (multiarch), so no -L sysroot is needed.
find_program(VPLAT_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(VPLAT_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${VPLAT_QEMU_AARCH64})
endif()
