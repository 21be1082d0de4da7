#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAME
#     net-guest-image.sh - build (once, cached) the guest the network tests boot
#
# SYNOPSIS
#     tools/guest/net-guest-image.sh CACHE_DIR INIT_SCRIPT
#
# DESCRIPTION
#     Extracts an uncompressed vmlinux from the Debian linux-image-amd64 kernel (PVH boot
#     skips the slow XZ decompression under TCG) and builds a busybox-static initramfs with
#     virtio_pci, virtio_net and their dependencies and INIT_SCRIPT as /init. Both are cached
#     in CACHE_DIR, keyed by the kernel version and the init script's contents. Prints
#     "KERNEL=... INITRD=...".
#
# EXIT STATUS
#     0 built or cached; 77 when qemu-system-x86_64, the kernel or busybox-static is missing
#     (callers skip); 1 on a build failure.
set -euo pipefail
CACHE=${1:?usage: net-guest-image.sh CACHE_DIR INIT_SCRIPT}
INIT=${2:?usage: net-guest-image.sh CACHE_DIR INIT_SCRIPT}
mkdir -p "$CACHE"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64" >&2; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: no busybox-static" >&2; exit 77; }
. "$(dirname "$0")/vmlinux.sh" # vplat_guest_kver, vplat_guest_vmlinux
KVER=$(vplat_guest_kver)
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] && [ -d "/lib/modules/$KVER" ] \
	|| { echo "SKIP: no linux-image-amd64 kernel in /boot" >&2; exit 77; }
# An uncompressed ELF boots through PVH and skips 2 s of XZ decompression under TCG.
VMLINUX=$(vplat_guest_vmlinux "$KVER" "$CACHE")
MODS=${VPLAT_GUEST_MODS:-"virtio_pci virtio_net"} # more modules for a guest that needs them (e.g. 8021q)
KEY=$( (cat "$INIT"; echo "$KVER $MODS") | md5sum | cut -c1-12)
INITRD=$CACHE/initrd-net-$KEY.cpio.gz
if [ ! -s "$INITRD" ]; then
	ST=$(mktemp -d "$CACHE/stage.XXXX")
	mkdir -p "$ST"/{bin,sbin,proc,sys,dev,tmp,lib/modules/$KVER}
	cp /bin/busybox "$ST/bin/busybox"
	ln -s busybox "$ST/bin/sh"
	install -m755 "$INIT" "$ST/init"
	for m in $MODS; do
		modprobe -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
	done | sort -u | while read -r ko; do
		rel=${ko#/lib/modules/$KVER/}
		mkdir -p "$ST/lib/modules/$KVER/$(dirname "$rel")"
		cp "$ko" "$ST/lib/modules/$KVER/$rel"
	done
	cp /lib/modules/"$KVER"/modules.order /lib/modules/"$KVER"/modules.builtin* "$ST/lib/modules/$KVER/" 2>/dev/null || true
	depmod -b "$ST" "$KVER"
	(cd "$ST" && find . | cpio -o -H newc --quiet | gzip -6 > "$INITRD.$$")
	rm -rf "$ST"
	mv "$INITRD.$$" "$INITRD"
fi
echo "KERNEL=$VMLINUX INITRD=$INITRD"
