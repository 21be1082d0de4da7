#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tests/guest/can_vcan.sh - the SocketCAN host end against Linux vcan in a QEMU guest
#
# SYNOPSIS
#     can_vcan.sh GUEST_PROGRAM CACHE_DIR
#
# DESCRIPTION
#     Boots the Debian linux-image-amd64 kernel (as an uncompressed vmlinux, cached in
#     CACHE_DIR) under qemu-system-x86_64 -accel tcg with an initramfs (tools/guest/
#     mkinitramfs.sh) holding busybox-static, the can, can_raw and vcan modules and the static
#     GUEST_PROGRAM (tests/guest/can_vcan_guest.c). The program creates vcan0, attaches a vplat
#     CAN device to it through the SocketCAN host end and checks frames both ways against a
#     raw CAN socket, and, when can-utils is installed on the host, with the real cansend and
#     candump copied into the image. PASS when the console shows "VPLAT-GUEST-RESULT: PASS".
#
# EXIT STATUS
#     0 pass; 1 fail; 77 skipped (no qemu-system-x86_64, kernel, modules or busybox-static).
set -euo pipefail
PROG=${1:?usage: can_vcan.sh GUEST_PROGRAM CACHE_DIR}
CACHE=${2:?usage: can_vcan.sh GUEST_PROGRAM CACHE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
. "$SRC/tools/guest/vmlinux.sh" # vplat_guest_kver, vplat_guest_vmlinux
KVER=$(vplat_guest_kver)
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] || skip "no linux-image-amd64 kernel in /boot"
[ -f "/lib/modules/$KVER/kernel/drivers/net/can/vcan.ko" ] || skip "kernel $KVER has no vcan module"
mkdir -p "$CACHE"
# An uncompressed ELF boots through PVH and skips 2 s of XZ decompression under TCG.
VMLINUX=$(vplat_guest_vmlinux "$KVER" "$CACHE")
INITRD=$CACHE/initrd-can-$$.cpio.gz
trap 'rm -f "$INITRD"' EXIT
# can-utils (Debian can-utils), when installed, check the frames with the real cansend/candump.
CU=()
for t in cansend candump; do
	p=$(command -v $t || true)
	[ -n "$p" ] && CU+=(-b "$p")
done
[ ${#CU[@]} -eq 4 ] || echo "note: can-utils not installed; the guest checks with a raw socket only"
rc=0
"$SRC/tools/guest/mkinitramfs.sh" -o "$INITRD" -i "$HERE/can-init" -k "$KVER" \
	-m can -m can_raw -m vcan -b "$PROG" "${CU[@]}" || rc=$?
[ $rc -eq 77 ] && skip "initramfs tools missing"
[ $rc -eq 0 ] || { echo "FAIL: initramfs build failed ($rc)"; exit 1; }
LOG=$CACHE/can_vcan.log
t0=$(date +%s%N)
timeout 60 qemu-system-x86_64 -M q35 -accel tcg -nographic -no-reboot -m 256M -smp 1 \
	-kernel "$VMLINUX" -initrd "$INITRD" \
	-append "console=ttyS0 no_timer_check loglevel=3 panic=-1" </dev/null >"$LOG" 2>&1 || true
t1=$(date +%s%N)
grep -E '^(ok|FAIL|info|stats|guest|note|  guest->|  ->guest|  bus->|  ->bus|  candump|VPLAT-GUEST)' "$LOG" | tr -d '\r' || true
echo "guest run: $(( (t1 - t0) / 1000000 )) ms (log: $LOG)"
if grep -q 'VPLAT-GUEST-RESULT: PASS' "$LOG"; then
	# A check the guest could not do (no can-utils, no error-frame injection) is a skip.
	if grep -qE '^info: .*(skipped|not checked)' "$LOG"; then
		echo "SKIP: passed, but some checks could not run (see the info: lines above)"
		exit 77
	fi
	exit 0
fi
echo "FAIL: no PASS marker; last console lines:"
tail -n 20 "$LOG" | tr -d '\r'
exit 1
