#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux 6.1 guest under QEMU (KVM) with vhost-user-input-pci served by `vplat-device input` on
# a script (keyboard and a 2-slot multitouch screen). The stock virtio_input and evdev modules
# drive it; the guest's static reader (tests/guest/input_reader.c, argument 1) finds the
# device by the name the config space gives, prints every event it reads and answers each
# update with an LED write (statusq), which the script waits for before the next update. The
# test checks that /proc/bus/input/devices lists the name and that the guest read exactly the
# scripted events (type, code, value, in order), and prints the daemon's round-trip figures
# (SYN_REPORT sent to the guest's LED answer: the input event latency plus the way back).
#
# QEMU 7.2's vhost-user-input-pci is built on its VhostUserBackend object, which refuses to
# start without ioeventfd ("vhost initialization failed: requires kvm"): the test runs under
# KVM and skips where /dev/kvm cannot be opened, where it is PVM's (kvm_pvm runs only PVM guest
# kernels: a stock kernel dies with "emulation failure", ../shared/reference/qemu-guest) or
# where the guest dies of a KVM emulation failure anyway (TCG cannot run this front end; the
# other vhost-user-*-pci devices of the guest tests use vhost_dev_init() and run under TCG).
READER=${1:?usage: input_vhost_user.sh INPUT_READER}
. "$(dirname "$0")/vhu_lib.sh"
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "SKIP: no usable /dev/kvm: QEMU 7.2's vhost-user-input-pci refuses TCG (its vhost-user backend needs ioeventfd, \"requires kvm\")"
	exit 77
fi
if [ -e /sys/module/kvm_pvm ]; then
	echo "SKIP: /dev/kvm is kvm_pvm's, which runs only PVM guest kernels (a stock kernel dies with an emulation failure), and QEMU 7.2's vhost-user-input-pci refuses TCG"
	exit 77
fi
out=$("$VPLAT_SRC/tools/guest/vhu-guest-image.sh" "$CACHE" "" "virtio_input evdev" "$READER") && rc=0 || rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: guest image build"; exit 1; }
eval "$out"
SOCK=$W/input.sock
NAME="vplat scripted input"
PINGS=${VPLAT_INPUT_PINGS:-40}
# The scripted updates: no value repeats the previous one of its code (the guest's input core
# drops unchanged values) and no lock key (the VT keyboard handler would answer with LEDs).
cat > "$W/events" <<'EOS'
key 30 1
syn
key 30 0
syn
key 0x14a 1
abs 0 100
abs 1 200
abs 0x39 7
abs 0x35 100
abs 0x36 200
syn
abs 0x2f 1
abs 0x39 8
abs 0x35 1500
abs 0x36 900
syn
abs 0x39 -1
abs 0x2f 0
abs 0x39 -1
key 0x14a 0
syn
EOS
{
	echo "wait-status # the guest's reader is ready"
	awk '{print} $1 == "syn" {print "wait-status"}' "$W/events"
	for i in $(seq "$PINGS"); do printf 'key 31 %d\nsyn\nwait-status\n' $((i % 2)); done
} > "$W/script"
for i in $(seq "$PINGS"); do printf 'key 31 %d\nsyn\n' $((i % 2)); done >> "$W/events"
updates=$(grep -c '^syn' "$W/events")
start_daemon "$W/daemon.log" input --socket "$SOCK" --keyboard --touch 1920x1080,slots=2 \
	--name "$NAME" --serial vplat-0001 --script "$W/script" --log-level info
t0=$(date +%s)
# run_qemu's machine with KVM instead of TCG (a later -accel is the one QEMU uses).
timeout 120 qemu-system-x86_64 -M q35,memory-backend=mem -accel kvm \
	-m 256M -smp 1 -nographic -no-reboot \
	-object memory-backend-memfd,id=mem,size=256M,share=on \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyS0 loglevel=4 panic=-1 vhutest=input vhuinput_name=${NAME// /_} vhuinput_reader=$READER vhuinput_updates=$updates" \
	-chardev socket,id=in0,path="$SOCK" -device vhost-user-input-pci,chardev=in0 \
	> "$W/console.log" 2>&1
qrc=$?
if grep -q "requires kvm" "$W/console.log"; then
	echo "SKIP: QEMU refused vhost-user-input-pci: $(grep -m1 'requires kvm' "$W/console.log")"
	exit 77
fi
if grep -qE "emulation failure|KVM internal error" "$W/console.log"; then
	echo "SKIP: KVM cannot run this guest here: $(grep -m1 -E 'KVM internal error|emulation failure' "$W/console.log")"
	exit 77
fi
echo "guest run: $(( $(date +%s) - t0 )) s"
expect_pass "$W/console.log" || { cat "$W/daemon.log"; exit 1; }
[ $qrc -eq 0 ] || { echo "FAIL: qemu exit $qrc"; exit 1; }
# What the guest read, against the script (syn = EV_SYN/SYN_REPORT = 0 0 0; hex codes in
# decimal as evtest prints them).
while read -r op code value; do
	case $op in
		syn) echo "0 0 0";;
		key) echo "1 $((code)) $value";;
		abs) echo "3 $((code)) $value";;
	esac
done < "$W/events" > "$W/want"
sed -n 's/\r$//; s/^VHU-EV: //p' "$W/console.log" > "$W/got"
if ! diff -u "$W/want" "$W/got" > "$W/diff"; then
	echo "FAIL: the guest read other events than the script sent:"; head -40 "$W/diff"; exit 1
fi
echo "the guest read all $(wc -l < "$W/want") scripted events ($updates updates) in order"
stop_daemon || { echo "FAIL: daemon did not shut down cleanly on SIGTERM"; cat "$W/daemon.log"; exit 1; }
rtt=$(grep -o 'round trips.*' "$W/daemon.log")
[ -n "$rtt" ] || { echo "FAIL: no round-trip figures in the daemon log"; cat "$W/daemon.log"; exit 1; }
echo "input event latency (TCG guest, SYN_REPORT sent to LED answer): $rtt"
grep -E "started|stopped" "$W/daemon.log" | sed 's/^/daemon: /'
echo "PASS: vhost-user-input-pci"
