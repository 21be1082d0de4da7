#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (TCG) with vhost-user-blk-pci served by `vplat-device blk`: the
# guest reads a host marker, writes 1 MiB of random data with fsync, reads it back with
# O_DIRECT; the host then checks the same bytes in the image file.
. "$(dirname "$0")/vhu_lib.sh"
guest_image
SOCK=$W/blk.sock
IMG=$W/disk.img
truncate -s 64M "$IMG"
printf 'vplat-host-mark!' | dd of="$IMG" conv=notrunc status=none
start_daemon "$W/daemon.log" blk --socket "$SOCK" --file "$IMG" --log-level ${VHU_LOG_LEVEL:-info}
run_qemu "$W/console.log" "vhutest=blk vhublk_seek=1" \
	-chardev socket,id=b0,path="$SOCK" -device vhost-user-blk-pci,chardev=b0,num-queues=1
qrc=$?
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
want=$(sed -n 's/^VHU-BLK-MD5: \([0-9a-f]*\).*/\1/p' "$W/console.log")
have=$(dd if="$IMG" bs=1M skip=1 count=1 status=none | md5sum | cut -d' ' -f1)
echo "guest wrote md5 $want; host image has md5 $have"
[ -n "$want" ] && [ "$want" = "$have" ] || { echo "FAIL: image content differs"; exit 1; }
grep -E "${VHU_LOG_GREP:-started|stopped|inflight}" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-blk-pci (split ring, one queue)"

# Second boot: packed rings, a device with two request queues (MQ), 1 MiB further on.
start_daemon "$W/daemon2.log" blk --socket "$SOCK" --file "$IMG" --num-queues 2 --log-level debug
run_qemu "$W/console2.log" "vhutest=blk vhublk_seek=2" \
	-chardev socket,id=b0,path="$SOCK" -device vhost-user-blk-pci,chardev=b0,num-queues=2,packed=on
qrc=$?
expect_pass "$W/console2.log" || { cat "$W/daemon2.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc (packed)"; exit 1; }
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon2.log"; exit 1; }
want=$(sed -n 's/^VHU-BLK-MD5: \([0-9a-f]*\).*/\1/p' "$W/console2.log")
have=$(dd if="$IMG" bs=1M skip=2 count=1 status=none | md5sum | cut -d' ' -f1)
echo "packed: guest wrote md5 $want; host image has md5 $have"
[ -n "$want" ] && [ "$want" = "$have" ] || { echo "FAIL: image content differs (packed)"; exit 1; }
grep -q "packed" "$W/daemon2.log" || { echo "FAIL: rings were not packed"; exit 1; }
grep -E "started|stopped" "$W/daemon2.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-blk-pci (packed rings; device with two queues, the 1-CPU guest uses one)"

# Third boot: 2 guest CPUs and a device with 2 queues served by 2 daemon threads (--threads 2):
# the stock virtio_blk driver maps one queue per CPU; a writer pinned to each CPU sends its
# requests down its own queue, both at once, and reads them back.
start_daemon "$W/daemon3.log" blk --socket "$SOCK" --file "$IMG" --num-queues 2 --threads 2 --log-level debug
run_qemu "$W/console3.log" "vhutest=blk vhublk_seek=4 vhublk_mq=1" -smp 2 \
	-chardev socket,id=b0,path="$SOCK" -device vhost-user-blk-pci,chardev=b0,num-queues=2
qrc=$?
expect_pass "$W/console3.log" || { cat "$W/daemon3.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc (two queues, two threads)"; exit 1; }
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon3.log"; exit 1; }
grep -q "2 queue threads" "$W/daemon3.log" || { echo "FAIL: no queue threads"; exit 1; }
grep -q "VHU-OK: two hardware queues" "$W/console3.log" || { echo "FAIL: the guest did not use two queues"; exit 1; }
# GET_VRING_BASE at the guest's shutdown: ring 1 stopped past index 0 = the daemon took requests there.
grep -Eq "ring 1 stopped at 0x0*[1-9a-f][0-9a-f]* after" "$W/daemon3.log" || { echo "FAIL: queue 1 served no request"; exit 1; }
grep -E "queue thread|started|stopped" "$W/daemon3.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-blk-pci, 2 guest CPUs, 2 queues served by 2 daemon threads"
