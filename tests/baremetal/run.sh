#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: run.sh SOURCE_DIR BUILD_DIR [CPU MACHINE]
#
# vplat on bare metal, end to end (bounded: two cross builds of ~40 files and five QEMU runs of
# well under a second each, every run with a 60 s timeout):
#  1. cross-build vplat-core with cmake/toolchains/arm-none-eabi.cmake (-DVPLAT_FREESTANDING=ON)
#     for CPU (default cortex-m3, Thumb-2) and install it into BUILD_DIR/prefix;
#  2. build the test image tests/baremetal/ against that install (find_package);
#  3. run its CTest tests: the image under qemu-system-arm -M MACHINE (default mps2-an385)
#     must print "RESULT: PASS", and with each injected fault it must print "RESULT: FAIL";
#  4. compute the worst-case stack depth of every public entry point (tools/stack-depth.py on
#     the -fcallgraph-info=su files of the cross build) and fail above 1024 bytes;
#  5. print the code size (.text/.data/.bss) of each object of libvplat-core.a and per device
#     (tools/code-size.py).
set -euo pipefail
mkdir -p "$2"
src=$(cd "$1" && pwd) b=$(cd "$2" && pwd) cpu=${3:-cortex-m3} machine=${4:-mps2-an385}
command -v arm-none-eabi-gcc >/dev/null || { echo "run.sh: arm-none-eabi-gcc missing (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)" >&2; exit 1; }
command -v qemu-system-arm >/dev/null || { echo "run.sh: qemu-system-arm missing (apt-get install qemu-system-arm)" >&2; exit 1; }
tc=$src/cmake/toolchains/arm-none-eabi.cmake
cmake -S "$src" -B "$b/core" -DCMAKE_TOOLCHAIN_FILE="$tc" -DVPLAT_FREESTANDING=ON \
	-DVPLAT_ARM_CPU="$cpu" -DCMAKE_BUILD_TYPE=MinSizeRel \
	-DCMAKE_C_FLAGS_MINSIZEREL="-Os -DNDEBUG -fstack-usage -fcallgraph-info=su" >/dev/null
cmake --build "$b/core" -j"$(nproc)"
rm -rf "$b/prefix"
cmake --install "$b/core" --prefix "$b/prefix" >/dev/null
cmake -S "$src/tests/baremetal" -B "$b/fw" -DCMAKE_TOOLCHAIN_FILE="$tc" -DVPLAT_ARM_CPU="$cpu" \
	-DFW_MACHINE="$machine" -DCMAKE_PREFIX_PATH="$b/prefix" >/dev/null
cmake --build "$b/fw"
arm-none-eabi-size "$b/fw/vplat-fw.elf"
ctest --test-dir "$b/fw" --output-on-failure
# Worst-case stack per public entry point from the call graph, against the limit docs/stack.md
# states (fails on a larger depth, recursion, an unresolvable indirect call, a dynamic frame).
python3 "$src/tools/stack-depth.py" --src "$src" --limit "${VPLAT_STACK_LIMIT:-1024}" \
	--target "$cpu, -Os" --markdown "$b/stack.md" "$b/core" | tail -n 1
python3 "$src/tools/code-size.py" --size arm-none-eabi-size "$(find "$b/prefix" -name libvplat-core.a | head -1)"
