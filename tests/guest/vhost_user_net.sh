#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (TCG) with -netdev vhost-user + virtio-net-pci,vectors=0 served by
# `vplat-device net --tap`, all inside a private network namespace: the guest pings the host
# end of the tap and fetches a file over TCP from an HTTP server there (frames in and out).
if [ -z "${VHU_IN_NETNS:-}" ]; then
	command -v unshare >/dev/null && command -v ip >/dev/null ||
		{ echo "SKIP: needs unshare and ip (util-linux, iproute2)"; exit 77; }
	unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
	VHU_IN_NETNS=1 exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/vhu_lib.sh"
guest_image
ip link set lo up
SOCK=$W/net.sock
start_daemon "$W/daemon.log" net --socket "$SOCK" --tap vhut0 --log-level info
ip addr add 192.168.77.2/24 dev vhut0 && ip link set vhut0 up || { echo "FAIL: tap setup"; cat "$W/daemon.log"; exit 1; }
mkdir -p "$W/www" && echo vplat-vhost-user-net-hello > "$W/www/hello.txt"
(cd "$W/www" && exec python3 -m http.server 8099 --bind 192.168.77.2) >/dev/null 2>&1 &
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null; cleanup' EXIT
run_qemu "$W/console.log" "vhutest=net" \
	-chardev socket,id=c0,path="$SOCK" -netdev vhost-user,id=n0,chardev=c0 \
	-device virtio-net-pci,netdev=n0,vectors=0,mac=52:54:00:12:34:56
qrc=$?
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
ip -s link show vhut0 | sed -n "3,6p" | sed "s/^/host tap: /"
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
grep -E "started|stopped|tap" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user net"
