#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vplat-xen --platform: the devices of a description's VM with served-by = "xen" are taken in
# node order (their host ends built by the platform), xen,domid becomes the domain to serve; a
# description without such a VM, a --vm that is not served by Xen, and --platform with --dev
# are refused. Without Xen (no xenstore here) vplat-xen stops at "opening xenstore" after
# loading the description, which is as far as this host test goes (the Xen group runs the
# daemon for real). usage: check-platform.sh VPLAT_XEN WORKDIR; exit 77 without dtc.
set -u
VX=${1:?usage: check-platform.sh VPLAT_XEN WORKDIR}; W=${2:?}
command -v dtc >/dev/null || { echo "SKIP: no dtc"; exit 77; }
mkdir -p "$W"; cd "$W" || exit 1
cat > xen.dts <<'DTS'
/dts-v1/;
/ { compatible = "vplat,platform";
    vms {
        local { rng@a000000 { compatible = "vplat,virtio-rng"; transport = "virtio-mmio";
                              reg = <0 0xa000000 0x200>; interrupts = <16>; }; };
        domu { served-by = "xen"; xen,domid = <7>;
               blk@2000000 { compatible = "vplat,virtio-blk"; transport = "virtio-mmio";
                             reg = <0 0x2000000 0x200>; interrupts = <33>;
                             image = "domu.img"; image-size = /bits/ 64 <0x100000>; };
               rng@2000200 { compatible = "vplat,virtio-rng"; transport = "virtio-mmio";
                             reg = <0 0x2000200 0x200>; interrupts = <34>; }; };
    }; };
DTS
cat > none.dts <<'DTS'
/dts-v1/;
/ { compatible = "vplat,platform";
    vms { local { rng@a000000 { compatible = "vplat,virtio-rng"; transport = "virtio-mmio";
                                reg = <0 0xa000000 0x200>; interrupts = <16>; }; }; }; };
DTS
dtc -q -I dts -O dtb -o xen.dtb xen.dts && dtc -q -I dts -O dtb -o none.dtb none.dts || exit 1
bad=0
# expect RC REGEX ARGS...: exit status and a line of standard error
expect() {
	local want=$1 re=$2; shift 2
	"$VX" "$@" > out.txt 2>&1; local rc=$?
	if [ "$rc" != "$want" ] || ! grep -qE -e "$re" out.txt; then
		echo "FAIL: vplat-xen $*: exit $rc (want $want), output:"; cat out.txt; bad=1
	else
		echo "ok: vplat-xen $* -> $rc: $(grep -E -e "$re" out.txt | head -1)"
	fi
}
expect 1 '--platform: VM domu, 2 device\(s\)' --platform xen.dtb
grep -q 'opening xenstore' out.txt || { echo "FAIL: did not get as far as xenstore"; bad=1; }
[ -f domu.img ] || { echo "FAIL: the platform did not build the blk device's image"; bad=1; }
expect 1 'VM domu, 2 device' --platform xen.dtb --vm domu
expect 1 'that VM is not in the description or not served-by = "xen"' --platform xen.dtb --vm local
expect 1 'no VM has served-by = "xen"' --platform none.dtb
expect 2 '--platform and --dev exclude each other' --platform xen.dtb --dev rng
expect 2 '--vm needs --platform' --vm domu --dev rng
exit $bad
