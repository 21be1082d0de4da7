#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (TCG) with vhost-user-i2c-pci served by `vplat-device i2c` on the
# simulated bus (an LM75 at 0x48 set to 23.5 C, a 24c02 EEPROM at 0x50 backed by a file), and
# the i2c-virtio module built out of tree (Debian's kernel lacks it). The guest instantiates
# its stock lm75 and at24 drivers through new_device, reads temp1_input (must equal what the
# host set), reads the EEPROM's host-written head and writes 16 bytes, which the host then
# finds in the file.
. "$(dirname "$0")/vhu_lib.sh"
rc=0; "$VPLAT_SRC/tools/guest/vhu-oot-module.sh" "$CACHE" i2c-virtio drivers/i2c/busses/i2c-virtio.c || rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: i2c-virtio module build"; exit 1; }
guest_image
SOCK=$W/i2c.sock
EE=$W/eeprom.bin
{ printf 'vplat-host-eeprom'; head -c 239 /dev/zero | tr '\0' '\377'; } > "$EE"
start_daemon "$W/daemon.log" i2c --socket "$SOCK" --lm75 0x48,temp=23.5 \
	--eeprom "0x50,file=$EE" --log-level info
run_qemu "$W/console.log" "vhutest=i2c vhui2c_temp=23500" \
	-chardev socket,id=i0,path="$SOCK" -device vhost-user-i2c-pci,chardev=i0
qrc=$?
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
got=$(dd if="$EE" bs=16 skip=2 count=1 2>/dev/null)
[ "$got" = "guest-wrote-this" ] || { echo "FAIL: EEPROM file holds '$got' at 32, not the guest's bytes"; exit 1; }
echo "host read the guest's EEPROM write from $EE: '$got'"
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
grep -E "started|stopped" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-i2c-pci"
