#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tools/guest/mkinitramfs.sh - build a busybox initramfs for a QEMU test guest
#
# SYNOPSIS
#     mkinitramfs.sh -o OUT.cpio.gz -i INIT [-k KVER] [-r MODROOT] [-m MODULE]...
#                    [-b BINARY]... [-f SRC:DST]...
#
# DESCRIPTION
#     Writes a gzip'd newc cpio archive holding busybox-static (/bin/busybox, with /bin/sh),
#     the init script INIT as /init, each static BINARY as /bin/<name>, each extra file SRC at
#     DST, and the kernel modules MODULE... of kernel KVER together with everything they
#     depend on (resolved with `modprobe --show-depends`), indexed with depmod so that
#     `modprobe MODULE` works inside the guest. A dynamically linked BINARY (e.g. can-utils'
#     cansend) gets its shared libraries and loader, found with ldd, copied to the same paths.
#
#     INIT runs as PID 1 with nothing mounted: it should start with
#         #!/bin/busybox sh
#         /bin/busybox --install -s /bin
#         mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev
#     load its modules (`modprobe vcan`), run its test, print a result marker on the console
#     and end with `poweroff -f` (boot QEMU with -no-reboot).
#
# OPTIONS
#     -o OUT      output file (required)
#     -i INIT     init script (required)
#     -k KVER     kernel version whose modules to take (default: the newest in MODROOT)
#     -r MODROOT  module tree root holding lib/modules/KVER (default: /)
#     -m MODULE   a module name as modprobe knows it (vcan, can_raw, virtio_net); repeatable
#     -b BINARY   an executable (static, or dynamic with its libraries); repeatable
#     -f SRC:DST  any file, installed at DST (absolute path in the guest); repeatable
#
# EXAMPLE
#     tools/guest/mkinitramfs.sh -o /tmp/t.cpio.gz -i tests/guest/init.sh \
#         -m vcan -m can_raw -b build/tests/guest/can_vcan_guest
#     qemu-system-x86_64 -M q35 -accel tcg -nographic -no-reboot -m 256M \
#         -kernel /boot/vmlinuz-$KVER -initrd /tmp/t.cpio.gz -append "console=ttyS0 panic=-1"
#
# EXIT STATUS
#     0 on success; 1 on a usage error or a missing input; 77 if a tool it needs (busybox,
#     cpio, depmod, modprobe) is absent, so callers that are tests can report SKIP.
set -euo pipefail
usage() { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }
OUT= INIT= KVER= MODROOT=/
MODS=() BINS=() FILES=()
while getopts "o:i:k:r:m:b:f:h" opt; do
	case $opt in
	o) OUT=$OPTARG ;; i) INIT=$OPTARG ;; k) KVER=$OPTARG ;; r) MODROOT=$OPTARG ;;
	m) MODS+=("$OPTARG") ;; b) BINS+=("$OPTARG") ;; f) FILES+=("$OPTARG") ;;
	*) usage ;;
	esac
done
[ -n "$OUT" ] && [ -n "$INIT" ] || usage
[ -f "$INIT" ] || { echo "mkinitramfs: no init script $INIT" >&2; exit 1; }
for t in cpio gzip; do
	command -v $t >/dev/null || { echo "mkinitramfs: $t missing" >&2; exit 77; }
done
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || { echo "mkinitramfs: busybox missing (busybox-static)" >&2; exit 77; }
static() { ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'INTERP'; }
static "$BUSYBOX" || { echo "mkinitramfs: $BUSYBOX is not static (install busybox-static)" >&2; exit 77; }

ST=$(mktemp -d "${TMPDIR:-/tmp}/vplat-initramfs.XXXXXX")
trap 'rm -rf "$ST"' EXIT
mkdir -p "$ST"/{bin,sbin,proc,sys,dev,tmp,etc,lib/modules}
cp "$BUSYBOX" "$ST/bin/busybox"
ln -s busybox "$ST/bin/sh"
install -m 755 "$INIT" "$ST/init"
for b in "${BINS[@]}"; do
	[ -x "$b" ] || { echo "mkinitramfs: $b is not an executable" >&2; exit 1; }
	install -m 755 "$b" "$ST/bin/$(basename "$b")"
	static "$b" && continue
	# Dynamic: copy the loader and every library ldd resolves, dereferenced, same paths.
	for lib in $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$ST$(dirname "$lib")"
		cp -L "$lib" "$ST$lib"
	done
done
for f in "${FILES[@]}"; do
	src=${f%%:*} dst=${f#*:}
	mkdir -p "$ST$(dirname "$dst")"
	cp "$src" "$ST$dst"
done
if [ ${#MODS[@]} -gt 0 ]; then
	for t in modprobe depmod; do
		command -v $t >/dev/null || [ -x /sbin/$t ] || { echo "mkinitramfs: $t missing (kmod)" >&2; exit 77; }
	done
	PATH=$PATH:/sbin:/usr/sbin
	if [ -z "$KVER" ]; then
		KVER=$(ls "${MODROOT%/}/lib/modules" 2>/dev/null | sort -V | tail -n1)
	fi
	MD="${MODROOT%/}/lib/modules/$KVER"
	[ -d "$MD" ] || { echo "mkinitramfs: no modules for '$KVER' under $MODROOT" >&2; exit 77; }
	for m in "${MODS[@]}"; do
		modprobe -d "$MODROOT" -S "$KVER" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | sort -u | while read -r ko; do
		rel=${ko#*/lib/modules/"$KVER"/}
		mkdir -p "$ST/lib/modules/$KVER/$(dirname "$rel")"
		cp "$ko" "$ST/lib/modules/$KVER/$rel"
	done
	cp "$MD"/modules.order "$MD"/modules.builtin* "$ST/lib/modules/$KVER/" 2>/dev/null || true
	depmod -b "$ST" "$KVER"
fi
(cd "$ST" && find . | cpio -o -H newc --quiet | gzip -6) >"$OUT"
