#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAME
#     net_switch_2vm.sh - two QEMU guests ping each other through the vplat-switch daemon
#
# SYNOPSIS
#     tests/guest/net_switch_2vm.sh VPLAT_SWITCH CACHE_DIR
#
# DESCRIPTION
#     Starts VPLAT_SWITCH (examples/vplat_switch.c) with a stream port and a shaped dgram
#     port, boots two QEMU TCG guests at once (Linux virtio_net over virtio-pci), one on
#     `-netdev stream`, one on `-netdev dgram`, and has each ping the other. Passes when both
#     guests got their replies; prints the switch's port counters.
#
# EXIT STATUS
#     0 pass, 1 fail, 77 skipped (no QEMU, kernel or busybox-static).
set -uo pipefail
SWITCH=${1:?usage: net_switch_2vm.sh VPLAT_SWITCH CACHE_DIR}
CACHE=${2:?usage: net_switch_2vm.sh VPLAT_SWITCH CACHE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
img=$("$SRC/tools/guest/net-guest-image.sh" "$CACHE" "$HERE/net-init") ; rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -ne 0 ] && { echo "net_switch_2vm: guest image build failed" >&2; exit 1; }
eval "$img"
W=$(mktemp -d "${TMPDIR:-/tmp}/vplat-net2vm.XXXXXX")
trap 'kill $SW_PID 2>/dev/null; rm -rf "$W"' EXIT
"$SWITCH" --stream "$W/a.sock" --dgram "$W/b.sock:$W/qb.sock,rate=10000000" --duration 90 \
	> "$W/switch.log" 2>&1 &
SW_PID=$!
for _ in $(seq 50); do [ -S "$W/a.sock" ] && [ -S "$W/b.sock" ] && break; sleep 0.1; done
[ -S "$W/a.sock" ] || { echo "net_switch_2vm: switch did not start"; cat "$W/switch.log"; exit 1; }
boot() { # NAME MAC IP PEER NETDEV
	timeout 60 qemu-system-x86_64 -M q35 -accel tcg -nographic -no-reboot -m 256M -smp 1 \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 no_timer_check loglevel=4 panic=-1 netip=$3 netpeer=$4 netlinger=12" \
		-netdev "$5" -device virtio-net-pci,netdev=n0,mac=$2 > "$W/$1.log" 2>&1
}
boot a 52:54:00:00:0a:01 10.0.9.11 10.0.9.12 "stream,id=n0,server=off,addr.type=unix,addr.path=$W/a.sock" &
A=$!
boot b 52:54:00:00:0b:01 10.0.9.12 10.0.9.11 \
	"dgram,id=n0,local.type=unix,local.path=$W/qb.sock,remote.type=unix,remote.path=$W/b.sock" &
B=$!
wait $A; ra=$?
wait $B; rb=$?
kill -TERM $SW_PID 2>/dev/null; wait $SW_PID
for g in a b; do echo "--- guest $g"; grep -E "NETGUEST|bytes from|packets" "$W/$g.log"; done
echo "--- switch"; cat "$W/switch.log"
[ $ra -eq 0 ] && [ $rb -eq 0 ] || { echo "net_switch_2vm: QEMU failed ($ra, $rb)"; exit 1; }
grep -q "NETGUEST-PING: PASS" "$W/a.log" && grep -q "NETGUEST-PING: PASS" "$W/b.log" \
	|| { echo "net_switch_2vm: ping failed"; exit 1; }
echo "net_switch_2vm: PASS"
