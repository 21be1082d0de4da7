#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The conformance suite (vplat-conform, PAL vhost-user, i.e. vplat's front-end) against each
# `vplat-device` subcommand over a real vhost-user socket: rng, blk, console, gpio, can on a
# virtual bus, and can on SocketCAN when a vcan interface can be created in a private netns. This is how console
# and CAN are proven over vhost-user: QEMU 7.2 has no vhost-user device for them. The watchdog
# (device ID 35, which the PAL takes by number: PAL_TYPE) is served with its 1 s minimum timeout
# so the expiry and pre-timeout tests run against the daemon's real clock.
# Usage: conform_daemon.sh VPLAT_DEVICE VPLAT_CONFORM
set -u
VDEV=$1 CONFORM=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/vhu-conform.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
truncate -s 16M "$W/disk.img"
fail=0
run() { # NAME DEVICE DEVICE-ARGS...
	local name=$1 type=$2; shift
	local sock=$W/$name.sock
	"$VDEV" "$@" --socket "$sock" --log-level error 2>"$W/$name.log" &
	local pid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	local out
	out=$("$CONFORM" --pal vhost-user --pal-arg socket="$sock" --pal-arg device="${PAL_TYPE:-$type}" \
		--timeout 3000 2>&1)
	local rc=$?
	echo "$out" | grep -E '^(\[ *[0-9]+/[0-9]+\] )?(FAIL|ERROR)'
	echo "$name: $(echo "$out" | tail -1)"
	kill -TERM $pid; wait $pid || { echo "$name: daemon did not exit cleanly"; fail=1; }
	[ $rc -eq 0 ] || { fail=1; cat "$W/$name.log"; }
}
run rng rng
run blk blk --file "$W/disk.img"
run blk-async blk --file "$W/disk.img" --async
run blk-threads blk --file "$W/disk.img" --async-threads
run console console --log "$W/console.out"
run gpio gpio --lines 8
run can can --virtual
PAL_TYPE=35 run watchdog watchdog --min-timeout 1000
if [ -z "${VHU_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	# CAN needs a vcan interface: make one in a private namespace if the kernel has vcan.
	if VHU_IN_NETNS=1 unshare -n sh -c 'ip link add dev vcan0 type vcan' 2>/dev/null; then
		VHU_IN_NETNS=1 unshare -n bash -c "ip link add dev vcan0 type vcan && ip link set vcan0 up &&
			$(declare -f run); VDEV=$VDEV CONFORM=$CONFORM W=$W fail=0; run can-socketcan can --iface vcan0; exit \$fail" \
			|| fail=1
	else
		echo "can: skipped (no vcan in this kernel)"
	fi
fi
exit $fail
