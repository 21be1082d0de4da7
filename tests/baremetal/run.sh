#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: run.sh SOURCE_DIR BUILD_DIR [CPU MACHINE]
#   CPU cortex-m3 (default) or cortex-m7: arm-none-eabi, QEMU mps2-an385 / mps2-an500;
#   CPU cortex-a53: aarch64-linux-gnu toolchain used bare metal, QEMU virt (MACHINE ignored).
#
# vplat on bare metal, end to end (bounded: one cross build of ~25 files, one image and five
# QEMU runs of a few seconds each, every run with a 60 s timeout):
#  1. cross-build vplat-core with cmake/toolchains/<toolchain>.cmake (-DVPLAT_FREESTANDING=ON,
#     -Os, with -fstack-usage -fcallgraph-info=su) for CPU and install it into BUILD_DIR/prefix;
#  2. build the test image tests/baremetal/ against that install (find_package);
#  3. run its CTest tests: the image under QEMU must print "RESULT: PASS", and with each
#     injected fault it must print "RESULT: FAIL";
#  4. compute the worst-case stack depth of every public entry point (tools/stack-depth.py on
#     the call-graph files of the cross build) and fail above the stated limit (docs/stack.md:
#     1152 bytes on Cortex-M, 2048 on AArch64; VPLAT_STACK_LIMIT overrides);
#  5. print the code size (.text/.data/.bss) per object and per device (tools/code-size.py).
set -euo pipefail
mkdir -p "$2"
src=$(cd "$1" && pwd) b=$(cd "$2" && pwd) cpu=${3:-cortex-m3} machine=${4:-mps2-an385}
case "$cpu" in
cortex-a53)
	tc=$src/cmake/toolchains/aarch64-linux-gnu.cmake cross=aarch64-linux-gnu qemu=qemu-system-aarch64
	# MMU off at EL1: every access is to Device memory, so no unaligned accesses, no FP/SIMD.
	extra=(-DCMAKE_C_FLAGS="-mstrict-align -mgeneral-regs-only")
	limit=${VPLAT_STACK_LIMIT:-2048} ;;
*)
	tc=$src/cmake/toolchains/arm-none-eabi.cmake cross=arm-none-eabi qemu=qemu-system-arm
	extra=(-DVPLAT_ARM_CPU="$cpu")
	limit=${VPLAT_STACK_LIMIT:-1152} ;;
esac
command -v $cross-gcc >/dev/null || { echo "run.sh: $cross-gcc missing (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-aarch64-linux-gnu)" >&2; exit 1; }
command -v $qemu >/dev/null || { echo "run.sh: $qemu missing (apt-get install qemu-system-arm)" >&2; exit 1; }
cmake -S "$src" -B "$b/core" -DCMAKE_TOOLCHAIN_FILE="$tc" -DVPLAT_FREESTANDING=ON \
	-DCMAKE_BUILD_TYPE=MinSizeRel "${extra[@]}" \
	-DCMAKE_C_FLAGS_MINSIZEREL="-Os -DNDEBUG -fstack-usage -fcallgraph-info=su" >/dev/null
cmake --build "$b/core" -j"$(nproc)"
rm -rf "$b/prefix"
cmake --install "$b/core" --prefix "$b/prefix" >/dev/null
cfgdir=$(dirname "$(find "$b/prefix" -name vplatConfig.cmake | head -1)")
cmake -S "$src/tests/baremetal" -B "$b/fw" -DCMAKE_TOOLCHAIN_FILE="$tc" -DVPLAT_ARM_CPU="$cpu" \
	-DFW_MACHINE="$machine" -Dvplat_DIR="$cfgdir" >/dev/null
cmake --build "$b/fw"
$cross-size "$b/fw/vplat-fw.elf"
ctest --test-dir "$b/fw" --output-on-failure
# Worst-case stack per public entry point from the call graph, against the limit docs/stack.md
# states (fails on a larger depth, recursion, an unresolvable indirect call, a dynamic frame).
python3 "$src/tools/stack-depth.py" --src "$src" --limit "$limit" \
	--target "$cpu, -Os" --markdown "$b/stack.md" "$b/core" | tail -n 1
python3 "$src/tools/code-size.py" --size $cross-size "$(find "$b/prefix" -name libvplat-core.a | head -1)"
