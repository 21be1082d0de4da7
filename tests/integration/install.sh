#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install vplat from BUILD_DIR into a temporary prefix, then build and run a consumer with
# find_package(vplat) (static and shared) and with pkg-config.
set -euo pipefail
src=$1 build=$2 cc=${3:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/tests/integration/consumer" -B "$tmp/c" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
	-DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$tmp/c" >/dev/null
"$tmp/c/consumer_static"
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64:$tmp/prefix/lib/x86_64-linux-gnu" "$tmp/c/consumer_shared"
export PKG_CONFIG_PATH=$(dirname "$(find "$tmp/prefix" -name vplat.pc)")
# shellcheck disable=SC2046
"$cc" -std=c11 -o "$tmp/pc" "$src/tests/integration/consumer/main.c" $(pkg-config --cflags vplat) \
	$(pkg-config --libs --static vplat) -Wl,-Bstatic -lvplat -Wl,-Bdynamic 2>/dev/null ||
	"$cc" -std=c11 -o "$tmp/pc" "$src/tests/integration/consumer/main.c" $(pkg-config --cflags --libs vplat)
LD_LIBRARY_PATH=$(dirname "$(find "$tmp/prefix" -name 'libvplat.so*' | head -1)") "$tmp/pc"
echo "install: find_package and pkg-config consumers work"
