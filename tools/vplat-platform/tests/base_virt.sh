#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# guest-dtb --base on QEMU's Arm virt tree (dumped by qemu-system-aarch64 when it is installed,
# else tests/qemu-virt.dts, a dump of QEMU 7.2's): a device on one of virt's own virtio-mmio
# windows is refused in words naming the node and a free window; then on a free window but
# virt's SPI, refused naming the node and a free SPI; on both free, written next to virt's nodes.
# Usage: base_virt.sh VPLAT_PLATFORM ECU_DTS
set -u
PF=$1 ECU=$2
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/pf-base.XXXXXX")
trap 'rm -rf "$W"' EXIT
if command -v qemu-system-aarch64 >/dev/null && (cd "$W" && qemu-system-aarch64 -M virt,dumpdtb=virt.dtb) >/dev/null 2>&1; then
	echo "base: QEMU's virt tree, dumped now"
else
	dtc -q -I dts -O dtb "$HERE/qemu-virt.dts" -o "$W/virt.dtb" || exit 1
	echo "base: tests/qemu-virt.dts (no qemu-system-aarch64 here)"
fi
fail=0
expect() { # NAME WANT_RC PATTERN... (stdout+stderr of the last run in $W/out)
	local name=$1 want=$2; shift 2
	[ "$rc" -eq "$want" ] || { echo "FAIL: $name: exit $rc, want $want"; fail=1; }
	for p in "$@"; do grep -qF -- "$p" "$W/out" || { echo "FAIL: $name: no '$p'"; fail=1; }; done
	grep -q "FDT_ERR" "$W/out" && { echo "FAIL: $name: raw libfdt error"; fail=1; }
	sed "s/^/  $name: /" "$W/out"
}
rc=0; "$PF" guest-dtb "$ECU" --vm infotainment --base "$W/virt.dtb" -o "$W/a.dtb" >"$W/out" 2>&1 || rc=$?
expect ecu 1 "/vms/infotainment/rng@a000000: its window 0xa000000-0xa0001ff overlaps /virtio_mmio@a000000" \
	"own virtio-mmio transports" "free window such as 0xa004000"
mk() { # FILE BASE IRQ: a VM with rng and blk virtio-mmio devices at BASE, BASE+0x200
	cat >"$1" <<DTS
/dts-v1/;
/ { compatible = "vplat,platform";
  vms { vm { #address-cells = <2>; #size-cells = <2>; guest-interrupt-style = "gic";
    guest-interrupt-parent = <0x8002>;
    rng@$2 { compatible = "vplat,virtio-rng"; transport = "virtio-mmio";
      reg = <0x0 0x$2 0x0 0x200>; interrupts = <$3>; };
    blk@$2 { compatible = "vplat,virtio-blk"; transport = "virtio-mmio";
      reg = <0x0 0x$(printf %x $((0x$2 + 0x200))) 0x0 0x200>; interrupts = <$(($3 + 1))>;
      image = "d.img"; image-size = /bits/ 64 <0x100000>; };
  }; }; };
DTS
}
mk "$W/spi.dts" a004000 16
rc=0; "$PF" guest-dtb "$W/spi.dts" --base "$W/virt.dtb" -o "$W/b.dtb" >"$W/out" 2>&1 || rc=$?
expect spi 1 "/vms/vm/rng@a004000: its interrupt (GIC SPI 16) is also /virtio_mmio@a000000's" \
	"cannot be shared" "such as 48"
mk "$W/ok.dts" a004000 48
rc=0; "$PF" guest-dtb "$W/ok.dts" --base "$W/virt.dtb" -o "$W/c.dtb" >"$W/out" 2>&1 || rc=$?
expect free 0 "guest device tree of VM vm"
dtc -q -I dtb -O dts "$W/c.dtb" > "$W/c.dts" 2>/dev/null
for n in "virtio_mmio@a004000 {" "virtio_mmio@a004200 {" "interrupts = <0x00 0x31 0x01>;" \
	"virtio_mmio@a000000 {" "pl011@9000000 {"; do
	grep -qF "$n" "$W/c.dts" || { echo "FAIL: free: merged tree lacks '$n'"; fail=1; }
done
exit $fail
