#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAME
#     net_stream.sh - a QEMU guest's virtio-net pings a vplat net device through the vplat switch
#
# SYNOPSIS
#     tests/guest/net_stream.sh NET_PEER CACHE_DIR [stream|dgram]
#
# DESCRIPTION
#     Starts NET_PEER (tests/guest/net_peer.c): a vplat switch whose ports are a unix socket in
#     QEMU 7.2 `-netdev stream` format and a vplat virtio-net device driven in-process by the
#     validation driver as host 10.0.9.1. Boots a QEMU TCG guest (q35, Linux virtio_net over
#     virtio-pci) connected to that socket; the guest pings 10.0.9.1 and the peer pings the
#     guest. Passes when the guest saw its replies and the peer saw the guest's. With "dgram"
#     the socket is a unix datagram pair in `-netdev dgram` format instead. The environment
#     variable VPLAT_NET_VARIANT (0..3: bit 0 PCI, bit 1 packed) picks the transport and ring
#     layout of the vplat device.
#
# EXIT STATUS
#     0 pass, 1 fail, 77 skipped (no QEMU, kernel or busybox-static).
set -uo pipefail
PEER=${1:?usage: net_stream.sh NET_PEER CACHE_DIR}
CACHE=${2:?usage: net_stream.sh NET_PEER CACHE_DIR}
MODE=${3:-stream}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
img=$("$SRC/tools/guest/net-guest-image.sh" "$CACHE" "$HERE/net-init") ; rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -ne 0 ] && { echo "net_stream: guest image build failed" >&2; exit 1; }
eval "$img"
W=$(mktemp -d "${TMPDIR:-/tmp}/vplat-netstream.XXXXXX")
trap 'kill $PEER_PID 2>/dev/null; rm -rf "$W"' EXIT
SOCK=$W/net.sock
if [ "$MODE" = dgram ]; then
	QSOCK=$W/qemu.sock
	"$PEER" "$SOCK" 60 "${VPLAT_NET_VARIANT:-0}" "$QSOCK" > "$W/peer.log" 2>&1 &
	NETDEV="dgram,id=n0,local.type=unix,local.path=$QSOCK,remote.type=unix,remote.path=$SOCK"
else
	"$PEER" "$SOCK" 60 "${VPLAT_NET_VARIANT:-0}" > "$W/peer.log" 2>&1 &
	NETDEV="stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK"
fi
PEER_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { echo "net_stream: net_peer did not listen"; cat "$W/peer.log"; exit 1; }
# -accel tcg: /dev/kvm on these hosts is PVM and cannot run stock kernels (see NOTES.md).
timeout 60 qemu-system-x86_64 -M q35 -accel tcg -nographic -no-reboot -m 256M -smp 1 \
	-kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 no_timer_check loglevel=4 panic=-1" \
	-netdev "$NETDEV" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 > "$W/guest.log" 2>&1
qrc=$?
for _ in $(seq 20); do kill -0 $PEER_PID 2>/dev/null || break; sleep 0.1; done
kill -TERM $PEER_PID 2>/dev/null
wait $PEER_PID; prc=$?
grep -E "NETGUEST|bytes from|packet" "$W/guest.log"
cat "$W/peer.log"
if [ $qrc -ne 0 ]; then echo "net_stream: QEMU exited with $qrc"; tail -n 30 "$W/guest.log"; exit 1; fi
grep -q "NETGUEST-PING: PASS" "$W/guest.log" || { echo "net_stream: guest ping failed"; exit 1; }
[ $prc -eq 0 ] || { echo "net_stream: net_peer failed ($prc)"; exit 1; }
echo "net_stream ($MODE): PASS"
