#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build (once, cached) what the vhost-user guest tests boot: an uncompressed vmlinux of the
# Debian linux-image-amd64 kernel (PVH boot skips the slow XZ decompression under TCG) and a
# busybox-static initramfs with the virtio modules, the I2C client drivers the I2C test
# instantiates (lm75, at24), the optional out-of-tree modules (gpio-virtio, i2c-virtio:
# every CACHE_DIR/oot/*.ko, see vhu-oot-module.sh) and tests/guest/vhu-init as /init.
#
# Usage: vhu-guest-image.sh CACHE_DIR [INIT [MODULES [PROGRAMS]]]
#     prints "KERNEL=... INITRD=..." on success. INIT replaces tests/guest/vhu-init, MODULES
#     (space-separated) are added to the virtio modules, PROGRAMS (host paths, e.g.
#     /usr/bin/lsblk) are copied with the shared libraries ldd(1) lists (the demo guest).
# Exit status: 0 built or cached; 77 when QEMU, the kernel or busybox-static is missing
# (the caller skips); 1 on a build failure.
set -euo pipefail
CACHE=${1:?usage: vhu-guest-image.sh CACHE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
INIT=${2:-$SRC/tests/guest/vhu-init}
MORE_MODS=${3:-}
PROGS=${4:-}
mkdir -p "$CACHE"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64" >&2; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: no busybox-static" >&2; exit 77; }
. "$(dirname "$0")/vmlinux.sh" # vplat_guest_kver, vplat_guest_vmlinux
KVER=$(vplat_guest_kver)
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] && [ -d "/lib/modules/$KVER" ] \
	|| { echo "SKIP: no linux-image-amd64 kernel in /boot" >&2; exit 77; }
# An uncompressed ELF boots through PVH and skips 2 s of XZ decompression under TCG.
VMLINUX=$(vplat_guest_vmlinux "$KVER" "$CACHE")
MODS="virtio_pci virtio_blk virtio_net virtio_console virtio-rng lm75 at24 $MORE_MODS"
EXTRA_KO=$(ls "$CACHE"/oot/*.ko 2>/dev/null | sort | tr '\n' ' ' || true)
KEY=$( (cat "$INIT"; echo "$KVER $MODS $EXTRA_KO $PROGS"; for k in $EXTRA_KO $PROGS; do md5sum "$k"; done) | md5sum | cut -c1-12)
INITRD=$CACHE/initrd-vhu-$KEY.cpio.gz
if [ ! -s "$INITRD" ]; then
	ST=$(mktemp -d "$CACHE/stage.XXXX")
	mkdir -p "$ST"/{bin,sbin,proc,sys,dev,tmp,lib/modules/$KVER}
	cp /bin/busybox "$ST/bin/busybox"
	ln -s busybox "$ST/bin/sh"
	install -m755 "$INIT" "$ST/init"
	for prog in $PROGS; do
		for f in "$prog" $(ldd "$prog" 2>/dev/null | grep -o '/[^ ]*'); do
			mkdir -p "$ST$(dirname "$f")"
			cp -L "$f" "$ST$f"
		done
	done
	for m in $MODS; do
		modprobe -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
	done | sort -u | while read -r ko; do
		rel=${ko#/lib/modules/$KVER/}
		mkdir -p "$ST/lib/modules/$KVER/$(dirname "$rel")"
		cp "$ko" "$ST/lib/modules/$KVER/$rel"
	done
	for ko in $EXTRA_KO; do mkdir -p "$ST/lib/modules/$KVER/extra"; cp "$ko" "$ST/lib/modules/$KVER/extra/"; done
	cp /lib/modules/"$KVER"/modules.order /lib/modules/"$KVER"/modules.builtin* "$ST/lib/modules/$KVER/" 2>/dev/null || true
	depmod -b "$ST" "$KVER"
	(cd "$ST" && find . | cpio -o -H newc --quiet | gzip -6 > "$INITRD.tmp")
	rm -rf "$ST"
	mv "$INITRD.tmp" "$INITRD"
fi
echo "KERNEL=$VMLINUX INITRD=$INITRD"
