#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# One check of the Xen group's run (tests/xen/run.sh): usage check.sh BUILD WHAT.
# Exit 0 if the console shows it, 1 if not, 77 if the run was skipped on this machine.
B=${1:?usage: check.sh BUILD WHAT}; W=${2:?}
LOG=$B/xen-run.log
[ "$(cat "$B/xen-run.status" 2>/dev/null)" = skip ] && { echo "SKIP: the Xen run was skipped"; exit 77; }
[ -f "$LOG" ] || { echo "no $LOG (xen.boot did not run)"; exit 1; }
C=$(tr -d '\r' < "$LOG")
has() { grep -qE "$1" <<<"$C" || { echo "missing in the console: $1"; bad=1; }; }
bad=0
case $W in
drivers) # The stock drivers bound to vplat's three devices (virtio IDs 2, 4, 3).
	has 'DOMU_DRIVER device=0x0002 vendor=0x0*6c7076 driver=virtio_blk'
	has 'DOMU_DRIVER device=0x0004 vendor=0x0*6c7076 driver=virtio_rng'
	has 'DOMU_DRIVER device=0x0003 vendor=0x0*6c7076 driver=virtio_console';;
blk)
	has 'DOMU_BLK_FS_OK'; has 'DOM0_IMAGE_PATTERN_OK'; has 'DOM0_IMAGE_FS_OK'
	grep -E 'DOMU_DD_(WRITE|READ)' <<<"$C";;
rng)
	has 'DOMU_RNG_CURRENT virtio_rng'; has 'DOMU_RNG_BYTES 64 [0-9a-f]{32}';;
console)
	has 'DOMU_HVC_GOT HOST-TO-GUEST-LINE-0815'; has 'DOM0_HVC_GOT GUEST-TO-HOST-LINE-4711';;
sound) # The domU played a tone through virtio_snd; vplat's WAV sink holds it, checked by
       # content in dom0 (snd-tone check: header, every frame the guest wrote once and in
       # order, 440 Hz within 2 %). No timing gate: frames inserted by the guest's own underruns
       # (stale periods replayed) are accepted only when the guest reported xruns; the period
       # intervals vplat measured are printed as a figure.
	if grep -q 'DOMU_SND_SKIP' <<<"$C"; then
		grep 'DOMU_SND_SKIP' <<<"$C"; echo "SKIP: no virtio_snd module for the domU"; exit 77
	fi
	has 'DOMU_DRIVER device=0x0019 vendor=0x0*6c7076 driver=virtio_snd'
	has 'DOMU_SND_PLAY_DONE frames=96000 '
	xr=$(sed -n 's/^DOMU_SND_PLAY_DONE .* xruns=\([0-9]*\).*/\1/p' <<<"$C" | head -1)
	if grep -qE 'DOM0_SND_CHECK header=ok .* TONE_OK$' <<<"$C"; then :
	elif [ "${xr:-0}" -gt 0 ] && grep -qE 'DOM0_SND_CHECK header=ok .* TONE_OK_WITH_INSERTS$' <<<"$C"; then
		echo "the guest underran $xr times: the stale periods it replayed are in the file"
	else
		echo "missing in the console: DOM0_SND_CHECK ... TONE_OK"; bad=1
	fi
	grep -E 'DOMU_SND_|DOM0_SND_|DOM0_VXLOG .*sound: .*period interval' <<<"$C";;
recreate) # vplat-xen outlived the first domU and served the second, then exited cleanly.
	has 'DOM0_VPLAT_XEN_ALIVE'; has 'DOMU2_BLK_PATTERN_OK'; has 'DOMU2_FS_OK'
	has 'DOMU2_RNG_BYTES 32'; has 'DOM0_VPLAT_XEN_EXIT rc=0'
	has 'DOM0_VXLOG .*dom1 is gone'; has 'DOM0_VXLOG .*dom2: ioreq server';;
input) # The stock virtio_input + evdev read exactly the scripted events of vplat-xen's input
	# device (tests/xen/input-events, in order); the reader's LED answers reached the script's
	# wait-status steps (no update comes without one).
	has 'DOMU_DRIVER device=0x0012 vendor=0x0*6c7076 driver=virtio_input'
	has 'DOMU_INPUT_DEVICE N: Name="vplat-xen-input"'
	has 'DOMU_INPUT_READER rc=0'; has 'DOM0_VXINPUT .*input: script done: '
	want=$(grep -v '^#' "$(dirname "$0")/input-events" | while read -r op code value; do
		case $op in syn) echo "0 0 0";; key) echo "1 $((code)) $value";; abs) echo "3 $((code)) $value";; esac
	done)
	got=$(sed -n 's/^DOMU_INPUT_EV //p' <<<"$C")
	if [ "$want" != "$got" ]; then
		echo "the domU read other events than the script sent:"
		diff <(echo "$want") <(echo "$got") | head -20; bad=1
	else
		echo "the domU read all $(wc -l <<<"$want") scripted events in order"
	fi
	grep -E 'DOM0_VXINPUT' <<<"$C";;
*) echo "unknown check $W"; exit 2;;
esac
if grep -qE 'Unable to handle kernel|Internal error: Oops|DOMU_DMESG .*(BUG|Oops)' <<<"$C"; then
	echo "a kernel oops in the console"; bad=1
fi
exit $bad
