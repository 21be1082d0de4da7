#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hostile front-ends that change memory under live rings (tests/vhost-user/hostile_mem.c)
# against every `vplat-device` subcommand and against `vplat-platform run` serving rng, blk,
# gpio and CAN devices: memory file truncated or shrunk under the mapping (SIGBUS), the region
# removed or replaced while ring 0 points into it, a second front-end mid-session. After each,
# the daemon must still run and serve the next front-end; at the end it must exit cleanly on
# SIGTERM.
# Usage: hostile_mem.sh HOSTILE_MEM VPLAT_DEVICE [VPLAT_PLATFORM]
set -u
HM=$(realpath "$1") VDEV=$(realpath "$2") PF=${3:+$(realpath "$3")}
W=$(mktemp -d "${TMPDIR:-/tmp}/vhu-hostile.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
truncate -s 16M "$W/disk.img"
fail=0
"$HM" --foreign-sigbus || fail=1
run() { # NAME DEVICE_ID DEVICE DEVICE-ARGS...
	local name=$1 id=$2; shift 2
	local sock=$W/$name.sock log=$W/$name.log
	"$VDEV" "$@" --socket "$sock" --log-level warn 2>"$log" &
	local pid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	echo "== vplat-device $*"
	"$HM" "$id" "$sock" $pid "$log" || fail=1
	kill -TERM $pid
	wait $pid || { echo "FAIL $name: daemon did not exit cleanly (status $?)"; fail=1; }
	grep -c SIGBUS "$log" | sed "s/^/$name: SIGBUS faults caught and logged: /"
}
run rng 4 rng
run blk 2 blk --file "$W/disk.img"
run blk-async 2 blk --file "$W/disk.img" --async
run blk-threads 2 blk --file "$W/disk.img" --async-threads
# one thread per queue: the fault is caught on the queue thread, the main thread disconnects
run blk-qthreads 2 blk --file "$W/disk.img" --num-queues 2 --threads 2
run blk-qthreads-busy 2 blk --file "$W/disk.img" --num-queues 2 --threads 2 --busy-poll
run net 1 net --sink
run console 3 console --log "$W/console.out"
HOSTILE_CONSOLE_INPUT=$W/console.in run console-listen 3 console --listen "$W/console.in"
run gpio 41 gpio --lines 8
run can 36 can --virtual
run watchdog 35 watchdog --min-timeout 1000
if [ -n "$PF" ] && command -v dtc >/dev/null; then
	cat >"$W/p.dts" <<'DTS'
/dts-v1/;
/ {
	compatible = "vplat,platform";
	can-buses { bus { }; };
	vms {
		vm {
			#address-cells = <2>;
			#size-cells = <2>;
			rng@a000000 { compatible = "vplat,virtio-rng"; transport = "virtio-pci"; pci-slot = <1>;
				vhost-user-socket = "rng.sock"; };
			blk@a000200 { compatible = "vplat,virtio-blk"; transport = "virtio-pci"; pci-slot = <2>;
				image = "disk.img"; image-size = /bits/ 64 <0x1000000>;
				vhost-user-socket = "blk.sock"; };
			gpio@a000400 { compatible = "vplat,virtio-gpio"; transport = "virtio-pci"; pci-slot = <3>;
				ngpios = <8>; vhost-user-socket = "gpio.sock"; };
			can@a000600 { compatible = "vplat,virtio-can"; transport = "virtio-pci"; pci-slot = <4>;
				can-bus = "bus"; vhost-user-socket = "can.sock"; };
		};
	};
};
DTS
	"$PF" run "$W/p.dts" >"$W/pf.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -S "$W/can.sock" ] && break; sleep 0.05; done
	for d in rng:4 blk:2 gpio:41 can:36; do
		echo "== vplat-platform run: ${d%%:*}"
		HOSTILE_SECOND=refused "$HM" "${d#*:}" "$W/${d%%:*}.sock" $pid || fail=1
	done
	kill -TERM $pid
	wait $pid || { echo "FAIL vplat-platform: did not exit cleanly (status $?)"; fail=1; }
	grep -E "front end (gone|dropped)" "$W/pf.log" | sort | uniq -c | sed 's/^/vplat-platform: /'
	[ $fail -eq 0 ] || cat "$W/pf.log"
else
	echo "vplat-platform run: not tested (no vplat-platform or no dtc)"
fi
exit $fail
