#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vplat-platform run in serving mode: a description whose rng, blk, gpio and CAN devices have
# vhost-user sockets is served by one process; the conformance suite (vplat-conform, PAL
# vhost-user) certifies each device through its socket, then SIGTERM stops the server.
# Usage: serve.sh VPLAT_PLATFORM VPLAT_CONFORM
set -u
PF=$1 CONFORM=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/pf-serve.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
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
"$PF" run "$W/p.dts" >"$W/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$W/can.sock" ] && break; sleep 0.05; done
fail=0
for dev in rng blk gpio can; do
	out=$("$CONFORM" --pal vhost-user --pal-arg socket="$W/$dev.sock" --pal-arg device="$dev" \
		--timeout 3000 2>&1)
	rc=$?
	echo "$out" | grep -E '^(\[ *[0-9]+/[0-9]+\] )?(FAIL|ERROR)'
	echo "$dev: $(echo "$out" | tail -1)"
	[ $rc -eq 0 ] || fail=1
done
kill -TERM $pid
wait $pid || { echo "server did not exit cleanly"; fail=1; }
[ $fail -eq 0 ] || cat "$W/server.log"
exit $fail
