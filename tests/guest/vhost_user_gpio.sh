#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (TCG) with vhost-user-gpio-pci served by `vplat-device gpio`, and
# the gpio-virtio module built out of tree (Debian's kernel lacks it). The host drives two
# input lines through the simulator's control socket before boot; the guest reads them via
# sysfs and drives two outputs, which the host reads back and acknowledges on an input line. QEMU 7.2
# does not pass VIRTIO_GPIO_F_IRQ to the guest, so interrupts are not tested here.
. "$(dirname "$0")/vhu_lib.sh"
rc=0; "$VPLAT_SRC/tools/guest/vhu-gpio-module.sh" "$CACHE" || rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: gpio-virtio module build"; exit 1; }
guest_image
SOCK=$W/gpio.sock
CTL=$W/gpio-ctl.sock
ctl() {
	python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])
s.sendall((sys.argv[2]+"\n").encode()); print(s.recv(200).decode().strip())' "$CTL" "$1"
}
start_daemon "$W/daemon.log" gpio --socket "$SOCK" --lines 8 --control "$CTL" --log-level info
[ "$(ctl 'set 0 3 1')" = ok ] && [ "$(ctl 'set 0 4 0')" = ok ] || { echo "FAIL: control socket"; cat "$W/daemon.log"; exit 1; }
( # read the guest's outputs while it waits
	while [ ! -e "$W/qemu-done" ]; do
		a=$(ctl 'get 0 5' 2>/dev/null); b=$(ctl 'get 0 6' 2>/dev/null)
		if [ "$a" = "ok 1 out" ] && [ "$b" = "ok 0 out" ]; then
			echo "$a / $b" > "$W/outputs"
			ctl 'set 0 3 0' > /dev/null # the acknowledgement the guest waits for
			exit 0
		fi
		sleep 0.1
	done
) &
POLLER=$!
run_qemu "$W/console.log" "vhutest=gpio" \
	-chardev socket,id=g0,path="$SOCK" -device vhost-user-gpio-pci,chardev=g0
qrc=$?
touch "$W/qemu-done"
wait $POLLER
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
[ -s "$W/outputs" ] || { echo "FAIL: host never saw output 5 high and 6 low"; exit 1; }
echo "host read the guest's outputs: line 5 $(cut -d/ -f1 "$W/outputs"), line 6 $(cut -d/ -f2 "$W/outputs")"
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
grep -E "started|stopped" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-gpio-pci"
