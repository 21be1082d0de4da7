#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (TCG) with vhost-user-rng-pci served by `vplat-device rng`:
# the guest's virtio-rng driver must become the current hwrng and deliver random bytes.
. "$(dirname "$0")/vhu_lib.sh"
guest_image
SOCK=$W/rng.sock
start_daemon "$W/daemon.log" rng --socket "$SOCK" --log-level debug
run_qemu "$W/console.log" "vhutest=rng" \
	-chardev socket,id=r0,path="$SOCK" -device vhost-user-rng-pci,chardev=r0
qrc=$?
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
grep -q "ring 0 started" "$W/daemon.log" || { echo "FAIL: no ring start logged"; cat "$W/daemon.log"; exit 1; }
grep -E "started|stopped|memory table" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-rng-pci (daemon listens)"

# Second boot: QEMU listens (server=on) and the daemon connects (--client), exiting when the
# guest is gone (--once).
rm -f "$SOCK"
"$VPLAT_DEVICE" rng --socket "$SOCK" --client --once --log-level debug 2>"$W/daemon2.log" &
DAEMON_PID=$!
run_qemu "$W/console2.log" "vhutest=rng" \
	-chardev socket,id=r0,path="$SOCK",server=on,wait=on -device vhost-user-rng-pci,chardev=r0
qrc=$?
expect_pass "$W/console2.log" || { cat "$W/daemon2.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc (client mode)"; exit 1; }
drc=0
for _ in $(seq 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
wait "$DAEMON_PID" || drc=$?
DAEMON_PID=
[ $drc -eq 0 ] || { echo "FAIL: client daemon exit $drc"; cat "$W/daemon2.log"; exit 1; }
grep -q "ring 0 started" "$W/daemon2.log" || { echo "FAIL: no ring start (client mode)"; cat "$W/daemon2.log"; exit 1; }
echo "PASS: vhost-user-rng-pci (daemon connects to QEMU, exits with it)"
