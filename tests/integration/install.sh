#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install vplat from BUILD_DIR into a temporary prefix, then, from that prefix:
#  - build the out-of-tree VMM of consumer-core/ (the block device behind the virtio-mmio
#    model) with find_package(vplat COMPONENTS core) and with pkg-config vplat-core, static
#    and shared, and check that nothing but libc (and vplat-core) is in its link: no libgpiod,
#    liburing, libfdt or pthread;
#  - (hosted builds) build consumer/ against the hosted library, find_package and pkg-config;
#  - check the symbols of every installed library (symbols.sh).
# usage: install.sh SOURCE_DIR BUILD_DIR [CC] [--core-only]
set -euo pipefail
src=$1 build=$2 cc=${3:-cc} mode=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=$tmp/prefix
cmake --install "$build" --prefix "$p" >/dev/null
libdir=$(dirname "$(find "$p" -name 'libvplat-core.a' | head -1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
deps_ok() { # binary: fail on any dependency outside libc and vplat-core
	local extra
	extra=$(ldd "$1" | grep -Ei 'gpiod|uring|fdt|pthread|libvplat\.so|vplat-val' || true)
	if [ -n "$extra" ]; then
		echo "FAIL: $1 links more than vplat-core:"; echo "$extra"; exit 1
	fi
	nm "$1" | grep -qE ' [TtDdBbRr] vplat_val_' && { echo "FAIL: $1 contains vplat_val_*"; exit 1; }
	return 0
}
run() { LD_LIBRARY_PATH=$libdir "$@"; }

# vplat-core only, through find_package ...
cmake -S "$src/tests/integration/consumer-core" -B "$tmp/cc" -DCMAKE_PREFIX_PATH="$p" \
	-DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$tmp/cc" >/dev/null
run "$tmp/cc/consumer_core_static"
deps_ok "$tmp/cc/consumer_core_static"
if [ -x "$tmp/cc/consumer_core_shared" ]; then
	run "$tmp/cc/consumer_core_shared"
	deps_ok "$tmp/cc/consumer_core_shared"
fi
# ... and pkg-config
# shellcheck disable=SC2046
"$cc" -std=gnu11 -o "$tmp/pc_core" "$src/tests/integration/consumer-core/main.c" \
	$(pkg-config --cflags vplat-core) "$libdir/libvplat-core.a"
run "$tmp/pc_core"
deps_ok "$tmp/pc_core"
echo "install: vplat-core consumers (find_package, pkg-config) link nothing else"

if [ "$mode" != "--core-only" ]; then
	cmake -S "$src/tests/integration/consumer" -B "$tmp/c" -DCMAKE_PREFIX_PATH="$p" \
		-DCMAKE_C_COMPILER="$cc" >/dev/null
	cmake --build "$tmp/c" >/dev/null
	run "$tmp/c/consumer_static"
	run "$tmp/c/consumer_shared"
	# shellcheck disable=SC2046
	"$cc" -std=c11 -o "$tmp/pc" "$src/tests/integration/consumer/main.c" \
		$(pkg-config --cflags --libs vplat)
	run "$tmp/pc"
	# shellcheck disable=SC2046
	"$cc" -std=c11 -static -o "$tmp/pc_static" "$src/tests/integration/consumer/main.c" \
		$(pkg-config --cflags --libs --static vplat)
	"$tmp/pc_static"
	echo "install: hosted consumers (find_package, pkg-config shared and -static) work"
fi
bash "$src/tests/integration/symbols.sh" "$p"
echo "install: symbols clean"

# The checks can fail: an archive with an unprefixed global, a product library exporting a
# vplat_val_ symbol, and a "core" consumer that links libfdt must each be caught.
mkdir -p "$tmp/bad/lib"
printf 'int fe_set(void) { return 0; }\nint vplat_ok(void) { return 1; }\n' >"$tmp/bad/a.c"
"$cc" -c -o "$tmp/bad/a.o" "$tmp/bad/a.c" && ar rcs "$tmp/bad/lib/libvplat-bad.a" "$tmp/bad/a.o"
if bash "$src/tests/integration/symbols.sh" "$tmp/bad" >/dev/null; then
	echo "FAIL: symbols.sh accepted a global symbol outside vplat_"; exit 1
fi
printf 'int vplat_val_init(void) { return 0; }\n' >"$tmp/bad/b.c"
"$cc" -shared -fPIC -o "$tmp/bad/lib/libvplat.so.9" "$tmp/bad/b.c"
rm "$tmp/bad/lib/libvplat-bad.a"
if bash "$src/tests/integration/symbols.sh" "$tmp/bad" >/dev/null; then
	echo "FAIL: symbols.sh accepted vplat_val_* in a product library"; exit 1
fi
if [ -e /usr/lib/x86_64-linux-gnu/libfdt.so ] || [ -n "$(find /usr/lib -name 'libfdt.so' 2>/dev/null | head -1)" ]; then
	"$cc" -o "$tmp/bad/fdt" "$tmp/bad/a.c" -Wl,--no-as-needed -lfdt -Wl,--as-needed \
		-Wl,-e,vplat_ok -nostartfiles 2>/dev/null || true
	if [ -x "$tmp/bad/fdt" ] && (deps_ok "$tmp/bad/fdt") >/dev/null 2>&1; then
		echo "FAIL: the link check accepted a binary that needs libfdt"; exit 1
	fi
fi
echo "install: the symbol and link checks catch deliberate violations"
