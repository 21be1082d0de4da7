#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vplat-platform run --once in serving mode: with two served devices, the server keeps running
# after the first device's front end has come and gone, and exits by itself (status 0) once
# the second one's has too.
# Usage: serve_once.sh VPLAT_PLATFORM VPLAT_CONFORM
set -u
PF=$1 CONFORM=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/pf-once.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
cat >"$W/p.dts" <<'DTS'
/dts-v1/;
/ { compatible = "vplat,platform";
  vms { vm {
    rng@0 { compatible = "vplat,virtio-rng"; transport = "virtio-pci"; pci-slot = <1>;
      vhost-user-socket = "rng.sock"; };
    gpio@1 { compatible = "vplat,virtio-gpio"; transport = "virtio-pci"; pci-slot = <2>;
      ngpios = <4>; vhost-user-socket = "gpio.sock"; };
  }; }; };
DTS
"$PF" run --once "$W/p.dts" >"$W/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$W/gpio.sock" ] && break; sleep 0.05; done
one() { "$CONFORM" --pal vhost-user --pal-arg socket="$W/$1.sock" --pal-arg device=$1 \
	--tests 'ring_features_offered' --timeout 3000 2>&1 | tail -1; }
one rng
sleep 0.5
kill -0 $pid 2>/dev/null || { echo "FAIL: exited before every device had a front end"; cat "$W/server.log"; exit 1; }
one gpio
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
if kill -0 $pid 2>/dev/null; then echo "FAIL: still running after both front ends left"; cat "$W/server.log"; exit 1; fi
rc=0; wait $pid || rc=$?
cat "$W/server.log"
[ $rc -eq 0 ] && grep -q "every front end has disconnected" "$W/server.log" || { echo "FAIL: status $rc"; exit 1; }
