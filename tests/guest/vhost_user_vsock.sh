#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (TCG) with vhost-user-vsock-pci served by `vplat-device vsock`
# (guest CID 3, hybrid UNIX socket PATH) and the stock Debian vsock modules (vsock,
# vmw_vsock_virtio_transport_common, vmw_vsock_virtio_transport). A static guest program
# (tests/guest/vsock_guest.c) connects to host CID 2 port 5000, which reaches the echo listener
# on PATH_5000, and sends 1 MiB (four times the 256 KiB credit window) while checking the echo;
# then it listens on port 6000 and the host connects through PATH with "CONNECT 6000\n", reads
# "OK <port>\n" and sends 1 MiB the other way, checking the echo. A connection to a host port
# without a listener must be refused. Both ends print MB/s; the same program's echo over a
# UNIX socketpair on the host is the reference.
. "$(dirname "$0")/vhu_lib.sh"
PROG=${VSOCK_GUEST_PROG:-}
[ -x "$PROG" ] || { echo "SKIP: no static vsock_guest program (sanitizer build?)"; exit 77; }
BYTES=1048576
out=$("$VPLAT_SRC/tools/guest/vhu-guest-image.sh" "$CACHE" "$VPLAT_SRC/tests/guest/vhu-init" \
	vmw_vsock_virtio_transport "$PROG") && rc=0 || rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: guest image build"; exit 1; }
eval "$out"
SOCK=$W/vhu.sock
UDS=$W/v.sock
"$PROG" uds-echo "${UDS}_5000" > "$W/echo.log" 2>&1 &
ECHO_PID=$!
trap 'kill $ECHO_PID 2>/dev/null; cleanup' EXIT
start_daemon "$W/daemon.log" vsock --socket "$SOCK" --guest-cid 3 --uds-path "$UDS" --log-level info
QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} run_qemu "$W/console.log" \
	"vhutest=vsock vsockprog=$PROG vsockbytes=$BYTES" \
	-chardev socket,id=v0,path="$SOCK" -device vhost-user-vsock-pci,chardev=v0 &
QPID=$!
for _ in $(seq 2400); do
	grep -q 'VSOCK-LISTEN' "$W/console.log" 2>/dev/null && break
	kill -0 $QPID 2>/dev/null || break
	sleep 0.1
done
hrc=1
if grep -q 'VSOCK-LISTEN' "$W/console.log"; then
	timeout 120 "$PROG" uds-connect "$UDS" 6000 $BYTES > "$W/host.log" 2>&1 && hrc=0
fi
wait $QPID
qrc=$?
sed 's/\r$//' "$W/console.log" | grep -E '^VSOCK-' | sed 's/^/guest: /'
sed 's/^/host: /' "$W/host.log" 2>/dev/null
"$PROG" uds-pair $BYTES | sed 's/^/reference: /'
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $hrc -eq 0 ] || { echo "FAIL: host side of the host -> guest connection"; cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
grep -E "started|stopped|vsock" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-vsock-pci"
