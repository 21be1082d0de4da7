#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Configure the hosted library with every optional dependency off, build only the libraries,
# check that libvplat.so needs none of them, and run without_deps.c against it.
# usage: without_deps.sh SOURCE_DIR BUILD_DIR [CC]
set -euo pipefail
src=$1 b=$2 cc=${3:-cc}
cmake -S "$src" -B "$b" -DVPLAT_WITH_GPIOD=OFF -DVPLAT_WITH_URING=OFF -DVPLAT_WITH_FDT=OFF \
	-DVPLAT_BUILD_TESTS=OFF -DVPLAT_BUILD_BENCH=OFF -DVPLAT_BUILD_EXAMPLES=OFF -DVPLAT_DOCS=OFF >/dev/null
cmake --build "$b" -j"$(nproc)" --target vplat_shared vplat_static >/dev/null
so=$(find "$b/lib" -name 'libvplat.so.*' -type f | head -1)
if ldd "$so" | grep -Ei 'gpiod|uring|fdt'; then
	echo "without_deps: FAIL $so links an optional dependency that was switched off" >&2
	exit 1
fi
"$cc" -std=c11 -o "$b/without_deps" "$src/tests/integration/without_deps.c" -I"$src/include" \
	-L"$b/lib" -lvplat -lvplat-core -Wl,-rpath,"$b/lib"
"$b/without_deps"
