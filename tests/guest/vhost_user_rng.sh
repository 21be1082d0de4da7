#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (TCG) with vhost-user-rng-pci served by `vplat-device rng`:
# the guest's virtio-rng driver must become the current hwrng and deliver random bytes.
. "$(dirname "$0")/vhu_lib.sh"
guest_image
SOCK=$W/rng.sock
start_daemon "$W/daemon.log" rng --socket "$SOCK" --log-level info
run_qemu "$W/console.log" "vhutest=rng" \
	-chardev socket,id=r0,path="$SOCK" -device vhost-user-rng-pci,chardev=r0
qrc=$?
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
grep -q "ring 0 started" "$W/daemon.log" || { echo "FAIL: no ring start logged"; cat "$W/daemon.log"; exit 1; }
grep -E "started|stopped|memory table" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-rng-pci"
