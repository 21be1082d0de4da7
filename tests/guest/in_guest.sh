#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tests/guest/in_guest.sh - run one program inside a QEMU guest with kernel modules loaded
#
# SYNOPSIS
#     in_guest.sh NAME CACHE_DIR PROGRAM [-m MODULE]... [-k FILE.ko]... [-t SECONDS]
#                 [-- ARG...]
#
# DESCRIPTION
#     For the checks that need a kernel facility this host (a container) lacks, such as
#     /dev/uinput: boots the Debian linux-image-amd64 kernel under qemu-system-x86_64 -accel
#     tcg with a busybox initramfs (tools/guest/mkinitramfs.sh) holding PROGRAM (static, or
#     dynamic with its libraries) and the MODULEs, loads the modules (then the out-of-tree
#     FILE.ko ones, with insmod), mounts proc, sysfs, devtmpfs, configfs (when the kernel has
#     it) and a tmpfs as the working directory, runs PROGRAM with ARGs as root and reports its
#     exit status. PASS only when PROGRAM exits 0: a program that
#     skips (77) or fails inside the guest fails this test, since the guest exists to give it
#     what it needs.
#
# OPTIONS
#     -m MODULE   a kernel module to load first (repeatable)
#     -k FILE.ko  an out-of-tree module built for that kernel, loaded after the -m ones
#     -t SECONDS  kill QEMU after this long (default 120)
#
# EXIT STATUS
#     0 the program exited 0 in the guest; 1 it did not (or the guest did not finish); 77 no
#     qemu-system-x86_64, linux-image-amd64 kernel, module or busybox-static on this host.
set -euo pipefail
NAME=${1:?usage: in_guest.sh NAME CACHE_DIR PROGRAM [-m MODULE]... [-- ARG...]}
CACHE=${2:?usage}; PROG=${3:?usage}; shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
# shellcheck source=../../tools/guest/vmlinux.sh
. "$SRC/tools/guest/vmlinux.sh"
MODS=() KOS=() QT=120 ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	-m) MODS+=("$2"); shift 2 ;;
	-k) KOS+=("$2"); shift 2 ;;
	-t) QT=$2; shift 2 ;;
	--) shift; ARGS=("$@"); break ;;
	*) echo "in_guest.sh: unknown argument $1" >&2; exit 1 ;;
	esac
done
skip() { echo "SKIP: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
KVER=$(vplat_guest_kver)
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] || skip "no linux-image-amd64 kernel in /boot"
for m in "${MODS[@]}"; do
	modinfo -k "$KVER" "$m" >/dev/null 2>&1 || skip "kernel $KVER has no module $m"
done
[ -x "$PROG" ] || { echo "FAIL: $PROG is not executable"; exit 1; }
mkdir -p "$CACHE"
VMLINUX=$(vplat_guest_vmlinux "$KVER" "$CACHE")
W=$(mktemp -d "$CACHE/in-guest-$NAME.XXXXXX")
trap 'rm -rf "$W"' EXIT
{
	echo '#!/bin/busybox sh'
	echo '/bin/busybox --install -s /bin; export PATH=/bin:/sbin'
	echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev'
	echo 'mkdir -p /tmp; mount -t tmpfs tmpfs /tmp; cd /tmp'
	for m in "${MODS[@]}"; do echo "modprobe $m || echo \"guest: modprobe $m failed\""; done
	for k in "${KOS[@]}"; do
		echo "insmod /lib/modules/extra/$(basename "$k") || echo \"guest: insmod $(basename "$k") failed\""
	done
	echo 'grep -q configfs /proc/filesystems && mount -t configfs none /sys/kernel/config'

	printf '/bin/%s' "$(basename "$PROG")"
	for a in "${ARGS[@]}"; do printf " '%s'" "$a"; done
	echo
	echo 'echo "VPLAT-GUEST-EXIT: $?"'
	echo 'poweroff -f'
} >"$W/init"
MK=()
for m in "${MODS[@]}"; do MK+=(-m "$m"); done
for k in "${KOS[@]}"; do
	[ -s "$k" ] || { echo "FAIL: no module $k"; exit 1; }
	MK+=(-f "$k:/lib/modules/extra/$(basename "$k")")
done
rc=0
"$SRC/tools/guest/mkinitramfs.sh" -o "$W/initrd.gz" -i "$W/init" -k "$KVER" "${MK[@]}" \
	-b "$PROG" || rc=$?
[ $rc -eq 77 ] && skip "initramfs tools missing (busybox-static)"
[ $rc -eq 0 ] || { echo "FAIL: initramfs build failed ($rc)"; exit 1; }
LOG=$CACHE/in-guest-$NAME.log
t0=$(date +%s)
timeout "$QT" qemu-system-x86_64 -M q35 -accel tcg -nographic -no-reboot -m 512M -smp 1 \
	-kernel "$VMLINUX" -initrd "$W/initrd.gz" \
	-append "console=ttyS0 no_timer_check loglevel=3 panic=-1" </dev/null >"$LOG" 2>&1 || true
tr -d '\r' <"$LOG" | sed 's/.*Booting from ROM\.\.//' | grep -avE 'SeaBIOS|iPXE|^ *$' | tail -n 40
echo "guest run: $(($(date +%s) - t0)) s (kernel $KVER; log: $LOG)"
st=$(tr -d '\r' <"$LOG" | sed -n 's/^VPLAT-GUEST-EXIT: \([0-9]*\)$/\1/p' | tail -n1)
[ "$st" = 0 ] && { echo "PASS: $(basename "$PROG") exited 0 in the guest"; exit 0; }
echo "FAIL: $(basename "$PROG") in the guest: $([ -n "$st" ] && echo "exit status $st" || echo "no exit status (it did not finish)")"
exit 1
