#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tests/guest/ivshmem_qemu.sh - a QEMU ivshmem-doorbell guest against the vplat server
#
# SYNOPSIS
#     ivshmem_qemu.sh HOST_PROGRAM GUEST_PROGRAM CACHE_DIR
#
# DESCRIPTION
#     Starts HOST_PROGRAM (tests/guest/ivshmem_host.c): the vplat shared-memory server and a
#     vplat client (peer 0). Boots the Debian linux-image-amd64 kernel under
#     qemu-system-x86_64 -accel tcg with `-device ivshmem-doorbell,chardev=...,vectors=1`
#     connected to that server and an initramfs holding the static GUEST_PROGRAM
#     (tests/guest/ivshmem_guest.c). The host writes a pattern into the region and rings the
#     guest; the guest sees the doorbell (MSI-X pending bit), checks the pattern through BAR2,
#     writes a reply and rings the host through the Doorbell register; the host checks the
#     reply. PASS when both "VPLAT-GUEST-RESULT: PASS" and "VPLAT-HOST-RESULT: PASS" appear.
#
# EXIT STATUS
#     0 pass; 1 fail; 77 skipped (no qemu-system-x86_64, kernel or busybox-static).
set -euo pipefail
HOSTP=${1:?usage: ivshmem_qemu.sh HOST_PROGRAM GUEST_PROGRAM CACHE_DIR}
PROG=${2:?usage: ivshmem_qemu.sh HOST_PROGRAM GUEST_PROGRAM CACHE_DIR}
CACHE=${3:?usage: ivshmem_qemu.sh HOST_PROGRAM GUEST_PROGRAM CACHE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
qemu-system-x86_64 -device help 2>/dev/null | grep -q ivshmem-doorbell || skip "QEMU has no ivshmem-doorbell"
. "$SRC/tools/guest/vmlinux.sh" # vplat_guest_kver, vplat_guest_vmlinux
KVER=$(vplat_guest_kver)
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] || skip "no linux-image-amd64 kernel in /boot"
mkdir -p "$CACHE"
# An uncompressed ELF boots through PVH and skips 2 s of XZ decompression under TCG.
VMLINUX=$(vplat_guest_vmlinux "$KVER" "$CACHE")
INITRD=$CACHE/initrd-ivshmem-$$.cpio.gz
SOCK=$CACHE/ivshmem-$$.sock
HLOG=$CACHE/ivshmem_host.log
LOG=$CACHE/ivshmem_qemu.log
HPID=
cleanup() {
	[ -n "$HPID" ] && kill "$HPID" 2>/dev/null || true
	rm -f "$INITRD" "$SOCK"
}
trap cleanup EXIT
rc=0
"$SRC/tools/guest/mkinitramfs.sh" -o "$INITRD" -i "$HERE/ivshmem-init" -b "$PROG" || rc=$?
[ $rc -eq 77 ] && skip "initramfs tools missing"
[ $rc -eq 0 ] || { echo "FAIL: initramfs build failed ($rc)"; exit 1; }
"$HOSTP" "$SOCK" >"$HLOG" 2>&1 &
HPID=$!
for _ in $(seq 100); do
	grep -q '^READY' "$HLOG" && break
	kill -0 "$HPID" 2>/dev/null || break
	sleep 0.1
done
grep -q '^READY' "$HLOG" || { echo "FAIL: host program did not start"; cat "$HLOG"; exit 1; }
t0=$(date +%s%N)
timeout 55 qemu-system-x86_64 -M q35 -accel tcg -nographic -no-reboot -m 256M -smp 1 \
	-kernel "$VMLINUX" -initrd "$INITRD" \
	-chardev socket,path="$SOCK",id=ivs -device ivshmem-doorbell,chardev=ivs,vectors=1 \
	-append "console=ttyS0 no_timer_check loglevel=3 panic=-1" </dev/null >"$LOG" 2>&1 || true
t1=$(date +%s%N)
# The host program ends on its own once the guest rang it (or on its timeout).
for _ in $(seq 50); do
	kill -0 "$HPID" 2>/dev/null || break
	sleep 0.1
done
grep -E '^(ok|FAIL|guest|VPLAT-GUEST)' "$LOG" | tr -d '\r' || true
sed 's/^/[host] /' "$HLOG"
echo "guest run: $(( (t1 - t0) / 1000000 )) ms (logs: $LOG $HLOG)"
if grep -q 'VPLAT-GUEST-RESULT: PASS' "$LOG" && grep -q 'VPLAT-HOST-RESULT: PASS' "$HLOG"; then
	exit 0
fi
echo "FAIL: missing PASS marker; last console lines:"
tail -n 20 "$LOG" | tr -d '\r'
exit 1
