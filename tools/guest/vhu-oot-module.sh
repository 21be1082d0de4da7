#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build one virtio driver module out of tree (Debian's 6.1 kernel leaves some virtio drivers
# unset: CONFIG_GPIO_VIRTIO, CONFIG_I2C_VIRTIO) into CACHE_DIR/oot/MODULE.ko, from the file
# SOURCE of linux-source-6.1 (apt-get download, the tarball is kept in CACHE_DIR/oot/src for
# the next module) against linux-headers-$KVER. Cached; vhu-guest-image.sh puts every
# CACHE_DIR/oot/*.ko into the initramfs. Each module gets its own build directory.
# Usage: vhu-oot-module.sh CACHE_DIR MODULE SOURCE   e.g. i2c-virtio drivers/i2c/busses/i2c-virtio.c
# SOURCE ending in / is a directory: every .c and .h of it is taken and the .c files make up
# MODULE (e.g. virtio_snd sound/virtio/). Further arguments name more files of the tree that
# the build needs beside SOURCE: headers, and .c files linked into MODULE with SOURCE (code
# the kernel leaves out of its image, e.g. gpio-sim drivers/gpio/gpio-sim.c
# drivers/gpio/gpiolib.h kernel/irq/irq_sim.c: Debian's kernel has no CONFIG_IRQ_SIM).
# Other kernels and architectures (the Xen group's arm64 domU): VPLAT_OOT_KDIR is the kernel
# build directory (default /lib/modules/KVER/build), VPLAT_OOT_MAKEFLAGS extra make arguments
# (e.g. "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"), VPLAT_GUEST_KVER the release.
# VPLAT_OOT_SED: a sed program applied to the extracted .c files before the build (to replace
# a call of a symbol the kernel does not export by an exported equivalent).
# Exit status: 0 built or cached; 77 when headers or sources cannot be had; 1 on a build error.
set -euo pipefail
CACHE=${1:?usage: vhu-oot-module.sh CACHE_DIR MODULE SOURCE}
MOD=${2:?module name}
SRCF=${3:?source path in the kernel tree}
shift 3
EXTRA=("$@")
OOT=$CACHE/oot
mkdir -p "$OOT"
[ -s "$OOT/$MOD.ko" ] && exit 0
KVER=${VPLAT_GUEST_KVER:-$(ls /boot/vmlinuz-*-amd64 2>/dev/null | grep -v cloud | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)}
KDIR=${VPLAT_OOT_KDIR:-/lib/modules/$KVER/build}
[ -n "$KVER" ] && [ -d "$KDIR" ] || { echo "SKIP: no linux-headers-$KVER" >&2; exit 77; }
SRCVER=$(echo "$KVER" | cut -d. -f1-2)
B=$OOT/build-$MOD
mkdir -p "$B"
if [ ! -e "$B/.src-ok" ]; then
	DEB=$(ls "$OOT"/src/linux-source-"$SRCVER"_*.deb 2>/dev/null | head -1 || true)
	if [ -z "$DEB" ]; then
		D=$(mktemp -d "$CACHE/src.XXXX")
		(cd "$D" && apt-get download -q "linux-source-$SRCVER" >/dev/null 2>&1) \
			|| { rm -rf "$D"; echo "SKIP: cannot download linux-source-$SRCVER" >&2; exit 77; }
		mkdir -p "$OOT/src"
		mv "$D"/linux-source-"$SRCVER"_*.deb "$OOT/src/"
		rm -rf "$D"
		DEB=$(ls "$OOT"/src/linux-source-"$SRCVER"_*.deb | head -1)
	fi
	case $SRCF in
	*/)	dpkg-deb --fsys-tarfile "$DEB" \
			| tar -xO "./usr/src/linux-source-$SRCVER.tar.xz" \
			| tar -xJ -C "$B" --strip-components=$(($(echo "$SRCF" | tr -cd / | wc -c) + 1)) \
				--wildcards "linux-source-$SRCVER/$SRCF*.[ch]"
		ls "$B"/*.c >/dev/null 2>&1 || { echo "vhu-oot-module: $SRCF not in linux-source-$SRCVER" >&2; exit 1; }
		;;
	*)	dpkg-deb --fsys-tarfile "$DEB" \
			| tar -xO "./usr/src/linux-source-$SRCVER.tar.xz" \
			| tar -xJO "linux-source-$SRCVER/$SRCF" > "$B/$MOD.c.tmp"
		[ -s "$B/$MOD.c.tmp" ] || { echo "vhu-oot-module: $SRCF not in linux-source-$SRCVER" >&2; exit 1; }
		mv "$B/$MOD.c.tmp" "$B/$MOD.c";;
	esac
	for x in "${EXTRA[@]}"; do
		dpkg-deb --fsys-tarfile "$DEB" \
			| tar -xO "./usr/src/linux-source-$SRCVER.tar.xz" \
			| tar -xJO "linux-source-$SRCVER/$x" > "$B/$(basename "$x")"
		[ -s "$B/$(basename "$x")" ] || { echo "vhu-oot-module: $x not in linux-source-$SRCVER" >&2; exit 1; }
	done
	touch "$B/.src-ok"
fi
case $SRCF in
*/)	{ echo "obj-m := $MOD.o"
	  echo "$MOD-objs := $(cd "$B" && ls *.c | grep -vx "$MOD.mod.c" | sed 's/\.c$/.o/' | tr '\n' ' ')"; } > "$B/Makefile";;
*)	X=$(for x in "${EXTRA[@]}"; do case $x in *.c) basename "$x" .c;; esac; done)
	if [ -z "$X" ]; then
		echo "obj-m := $MOD.o" > "$B/Makefile"
	else # MOD.o is then the composite: SOURCE compiles as MOD-main.o
		cp "$B/$MOD.c" "$B/$MOD-main.c"
		rm -f "$B/$MOD.c"
		{ echo "obj-m := $MOD.o"
		  echo "$MOD-objs := $MOD-main.o $(echo "$X" | sed 's/$/.o/' | tr '\n' ' ')"; } > "$B/Makefile"
	fi;;
esac
[ -n "${VPLAT_OOT_SED:-}" ] && sed -i -e "$VPLAT_OOT_SED" "$B"/*.c
# shellcheck disable=SC2086
make -s -C "$KDIR" M="$B" ${VPLAT_OOT_MAKEFLAGS:-} modules >/dev/null
[ -s "$B/$MOD.ko" ] || exit 1
cp "$B/$MOD.ko" "$OOT/$MOD.ko"
