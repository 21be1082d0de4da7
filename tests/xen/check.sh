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
	# The first domU's RAM (128 MiB: 64 chunks of 2 MiB) was mapped on demand: the chunks its
	# devices touched, not all 64 (the whole-RAM mapping before the cache would show 64), and
	# nothing refused.
	has 'DOM0_VXLOG .*dom1 RAM bank 0 0x40000000 \+128 MiB: mapped on demand, 2048 KiB chunks'
	has 'DOM0_VXLOG .*dom1 RAM: ([1-9]|[1-5][0-9]|6[0-3]) chunk\(s\) of 2048 KiB mapped, [0-9]+ mapping call\(s\), 0 failed, 0 page\(s\) refused'
	grep -E 'DOMU_DD_(WRITE|READ)|DOM0_VXLOG .*dom1 RAM' <<<"$C";;
rng)
	has 'DOMU_RNG_CURRENT virtio_rng'; has 'DOMU_RNG_BYTES 64 [0-9a-f]{32}';;
console)
	has 'DOMU_HVC_GOT HOST-TO-GUEST-LINE-0815'; has 'DOM0_HVC_GOT GUEST-TO-HOST-LINE-4711'
	# MULTIPORT: port 1's name reached the driver, its line reached the port's log file.
	has 'DOMU_VPORT /dev/vport[0-9]+p1 '; has 'DOMU_VPORT_WROTE'
	has 'DOM0_VPORT_GOT GUEST-PORT1-LINE-2342';;
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
recreate) # vplat-xen outlived the first domU (and the hostile one) and served the third.
	has 'DOM0_VPLAT_XEN_ALIVE'; has 'DOMU2_BLK_PATTERN_OK'; has 'DOMU2_FS_OK'
	has 'DOMU2_RNG_BYTES 32'; has 'DOM0_VPLAT_XEN_EXIT rc=0'
	has 'DOM0_VXLOG .*dom1 is gone'; has 'DOM0_VXLOG .*dom2 is gone'
	has 'DOM0_VXLOG .*dom3: ioreq server';;
net) # The domU's virtio_net on vplat's device, a port of vplat's switch; dom0's tap the peer.
	has 'DOM0_TAP_UP vx0'; has 'DOMU_DRIVER device=0x0001 vendor=0x0*6c7076 driver=virtio_net'
	has 'DOMU_PING 4 packets transmitted, [1-4] packets received'
	# TCP both ways through the switch: the domU fetched dom0's 1 MiB (same SHA-256 as dom0's
	# file) and posted 1 MiB that dom0 received whole (same SHA-256 as the domU's file).
	src=$(sed -n 's/^DOM0_TCP_SRC \([0-9a-f]\{64\}\)$/\1/p' <<<"$C" | head -1)
	has "DOMU_TCP_DOWN rc=0 1048576 ${src:-no-DOM0_TCP_SRC} "
	up=$(sed -n 's/^DOMU_TCP_UP rc=0 1048576 \([0-9a-f]\{64\}\) .*/\1/p' <<<"$C" | head -1)
	has "DOM0_TCP_UP 1048576 ${up:-no-DOMU_TCP_UP}\$"
	# The offered MAC and MTU taken, the control queue negotiated, the driver's RX-mode
	# commands accepted (no "Failed to set" from virtio_net), the link still passing frames.
	has 'DOMU_NET_INFO mac=52:54:00:58:45:4e mtu=1500 ctrl_vq=1'
	has 'DOMU_NET_AFTER_RXMODE [12] packets received'
	if grep -qiE 'DOMU_NET_DMESG .*fail' <<<"$C"; then
		echo "virtio_net logged a failure:"; grep -iE 'DOMU_NET_DMESG .*fail' <<<"$C"; bad=1
	fi
	grep -E 'DOMU_TCP_|DOM0_TCP_|DOMU_NET_' <<<"$C";;
hostile) # tests/xen/hostile.c in the second domU against the rng window (node 1): every case
	# answered as it should, vplat-xen logged the errors and stayed up, the domU's blk device
	# (node 0) went on working, and the next domU was served (xen.recreate).
	for c in width1 width2 width8 width_writes past_regs qsize3 desc_out_of_ram \
		desc_unmapped_gfn desc_huge_len ring_out_of_ram still_there; do
		has "HOSTILE $c ok"
	done
	has 'HOSTILE done ok'; has 'HOSTILE unowned_window child signal'
	has 'DOMUH_HOSTILE_RC 0'
	has 'DOMUH_BLK_BEFORE_OK'; has 'DOMUH_BLK_AFTER_OK'; has 'DOMUH_BLK_WRITE_AFTER_OK'
	has 'DOM0_VPLAT_XEN_ALIVE_AFTER_HOSTILE'
	# a malformed xenstore node: refused once with the reason, not served
	has "DOM0_VXBAD .*dom77 node '51712': malformed \\(state '1', base '0x2000zz', irq '33'"
	[ "$(grep -c 'DOM0_VXBAD .*dom77 node .*malformed' <<<"$C")" = 1 ] || { echo "dom77's node: not exactly one message"; bad=1; }
	grep -q 'DOM0_VXBAD .*dom77: virtio-mmio node' <<<"$C" && { echo "dom77's malformed node was served"; bad=1; }
	has 'DOM0_VXERR .*dom2: device 1 \(rng, window 0x2000200\) set DEVICE_NEEDS_RESET'
	has 'DOM0_VXERR .*dom2: read of 1 byte\(s\) at 0x2000200 refused by the virtio-mmio model'
	has 'DOM0_VXERR .*dom2: served [0-9]+, rejected [1-9]'
	has 'DOM0_VXLOG .*dom3: ioreq server';;
conform) # vplat-conform (arm64, static) in the third domU against all seven windows through
	# Xen: a complete report, the seven devices found, and its FAIL/ERROR/SKIP set equal to
	# tests/xen/expected-conform.txt in both directions (a new FAIL or SKIP fails this check,
	# and so does an expected one that now passes; VPLAT_UPDATE_EXPECTED=1 rewrites the file).
	J=$B/conformance/reports/xen/report.json
	[ -s "$J" ] || { echo "no $J (the domU's report did not come back)"; exit 1; }
	python3 - "$J" "$(dirname "$0")/../../spec/requirements.tsv" "$(dirname "$0")/expected-conform.txt" \
		"${VPLAT_UPDATE_EXPECTED:-}" <<'PY' || bad=1
import json, os, sys
r = json.load(open(sys.argv[1]))
path, update = sys.argv[3], sys.argv[4]
chap = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    if len(f) > 2 and f[0].startswith("VPLAT-"):
        chap[f[0]] = f[2]
per = {}
for x in r["results"]:
    ids = (x.get("requirements") or "").split()
    c = chap.get(ids[0], "?") if ids else "(none)"
    per.setdefault(c, {}).setdefault(x["result"], 0)
    per[c][x["result"]] += 1
print("| chapter | tests | PASS | FAIL | SKIP | ERROR |")
for c in sorted(per):
    d = per[c]
    print("| %s | %d | %d | %d | %d | %d |" % (c, sum(d.values()), d.get("PASS", 0), d.get("FAIL", 0),
                                           d.get("SKIP", 0), d.get("ERROR", 0)))
res = r["results"]
devs = sorted({x["device"] for x in res})
types = {d.split("@")[0] for d in devs}
cnt = {}
for x in res:
    cnt[x["result"]] = cnt.get(x["result"], 0) + 1
print("devices %s; %s" % (devs, ", ".join("%s %d" % kv for kv in sorted(cnt.items()))))
bad = []
# the seven windows of tests/xen/domu-init
if types != {"blk", "rng", "console", "net", "input", "sound", "gpio"} or len(devs) != 7:
    bad.append("devices found: %s" % devs)
seen = {}
for x in res:
    if x["result"] in ("FAIL", "ERROR", "SKIP"):
        seen["%s %s %s" % (x["result"], x["device"], x["test"])] = x.get("detail", "")
if update:
    with open(path, "w") as f:
        f.write("# xen.conform: every FAIL/ERROR/SKIP of vplat-conform in the domU under Xen, as\n"
                "# RESULT DEVICE TEST, then the reason (docs/conformance-results.md). Pinned both\n"
                "# ways by tests/xen/check.sh conform; VPLAT_UPDATE_EXPECTED=1 rewrites it.\n")
        for k in sorted(seen):
            f.write("%s  # %s\n" % (k, " ".join(seen[k].split())[:100]))
    print("wrote %s (%d entries)" % (path, len(seen)))
want = set()
for line in open(path) if os.path.exists(path) else []:
    line = line.split("#", 1)[0].split()
    if line:
        want.add(" ".join(line[:3]))
for k in sorted(set(seen) - want):
    bad.append("NEW %s: %s" % (k, seen[k]))
for k in sorted(want - set(seen)):
    bad.append("expected %s no longer happens: update %s and docs/conformance-results.md"
               % (k, os.path.basename(path)))
if set(seen) == want:
    print("FAIL/ERROR/SKIP set matches %s (%d entries)" % (os.path.basename(path), len(want)))
if cnt.get("PASS", 0) == 0:
    bad.append("no test passed")
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY
	;;
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
gpio) # The stock gpio-virtio (built out of tree) on vplat-xen's GPIO device (simulated lines,
	# tests/xen/gpio.c both ends): the chip and its 12 named lines listed through
	# /dev/gpiochipN; inputs the host drove read in the domU; outputs the domU set read back
	# by the host; a falling and a rising edge the host made on input 3 arrive in the domU as
	# edge events, i.e. by interrupt (VIRTIO_GPIO_F_IRQ offered by vplat, the eventq buffer
	# returned, the SPI injected by Xen).
	if grep -q 'DOMU_GPIO_SKIP' <<<"$C"; then
		grep 'DOMU_GPIO_SKIP' <<<"$C"; echo "SKIP: no gpio-virtio module for the domU"; exit 77
	fi
	has 'DOMU_DRIVER device=0x0029 vendor=0x0*6c7076 driver=gpio_virtio'
	has 'DOMU_GPIO_CHIP /dev/gpiochip[0-9]+ name=gpiochip[0-9]+ label=virtio[0-9]+ lines=12'
	for l in 0 1 2 3 4 5 6 7; do has "DOMU_GPIO_LINE $l name=c0l$l "; done
	# lines 8..11: the two loopback wires (loop-wires=2) the conformance suite drives
	has 'DOMU_GPIO_LINE 8 name=loop-out0 '; has 'DOMU_GPIO_LINE 11 name=loop-in1 '
	has 'DOM0_GPIO_DROVE 3=1 4=0'; has 'DOMU_GPIO_IN 3=1 4=0'
	has 'DOMU_GPIO_EDGE_ARMED line=3 both'; has 'DOMU_GPIO_OUT_SET 5=1 6=0'
	has 'DOM0_GPIO_OUTPUTS 5=1 6=0'; has 'DOM0_GPIO_DROVE 3=0'
	has 'DOMU_GPIO_EDGE falling line=3 '; has 'DOMU_GPIO_AFTER_FALL 3=0'
	has 'DOMU_GPIO_ACK_SET 6=1'; has 'DOM0_GPIO_ACK 6=1'; has 'DOM0_GPIO_DROVE 3=1'
	has 'DOMU_GPIO_EDGE rising line=3 '
	has 'DOMU_GPIO_RESULT ok'; has 'DOM0_GPIO_RESULT ok'
	grep -E 'DOMU_GPIO_|DOM0_GPIO_' <<<"$C" | grep -v 'DOMU_GPIO_LINE ';;
platform) # vplat-xen --platform (tests/xen/plat.dts): the VM "plat" names the domid libxl gave
	# the platform domU (run.sh put it in); its vplat-xen serves that domain's two nodes
	# with the description's blk and rng, and the domU's stock drivers use them. The VM
	# "other" names another domid: its vplat-xen sees the nodes and leaves them alone.
	[ -f "$B/xen-plat.skip" ] && { cat "$B/xen-plat.skip"; echo "SKIP: no platform description"; exit 77; }
	want=$(sed -n 's/^DOM0_PLAT_START .*xen,domid=\([0-9]*\).*/\1/p' <<<"$C" | head -1)
	got=$(sed -n 's/^DOM0_DOMID plat \([0-9]*\).*/\1/p' <<<"$C" | head -1)
	echo "description xen,domid ${want:-?}, libxl gave the platform domU domid ${got:-?}"
	[ -n "$want" ] && [ "$want" = "$got" ] || { echo "the description's domid is not the domain's"; bad=1; }
	has 'DOM0_VXPLAT .*--platform: VM plat, 2 device\(s\)$'
	has "DOM0_VXPLAT .*dom$want: blk at 0x2000000 irq 33"
	has "DOM0_VXPLAT .*dom$want: rng at 0x2000200 irq 34"
	has "DOM0_VXPLAT .*dom$want RAM bank 0 0x40000000 \\+128 MiB: mapped on demand, 2048 KiB chunks"
	has "DOM0_VXPLAT .*dom$want is gone"; has 'DOM0_PLAT_VX_EXIT rc=0'
	has 'DOMUP_DRIVER device=0x0002 vendor=0x0*6c7076 driver=virtio_blk'
	has 'DOMUP_DRIVER device=0x0004 vendor=0x0*6c7076 driver=virtio_rng'
	has 'DOMUP_BLK_OK'; has 'DOM0_PLAT_IMAGE_OK'
	has 'DOMUP_RNG_CURRENT virtio_rng'; has 'DOMUP_RNG_BYTES 64'
	has 'DOM0_VXOTHER .*--platform: VM other, 1 device\(s\)$'
	has "DOM0_VXOTHER .*dom$want: virtio-mmio node\(s\) appeared, not served: serving dom99 only \(the description's xen,domid\)"
	if grep -qE "DOM0_VXOTHER .*dom$want: (rng at|ioreq server)" <<<"$C"; then
		echo "the other VM's vplat-xen served the platform domU"; bad=1
	fi
	has 'DOM0_OTHER_VX_EXIT rc=0'
	grep -E 'DOM0_(PLAT|DOMID plat|VXPLAT .*(warn|dom[0-9]+:)|VXOTHER .*appeared)|DOMUP_' <<<"$C" | head -30;;
bank2) # A domU of 3328 MiB: libxl gives it a second RAM bank (256 MiB at 0x200000000);
	# vplat-xen maps the chunks its device touches, in both banks; the domU's virtio_blk DMA goes to and from pages of
	# the second bank (tests/xen/bank2.c: O_DIRECT through locked pages whose guest frame
	# is at or above 0x200000000), and dom0 finds the pattern in the image.
	has 'DOMUB_IOMEM +200000000-20fffffff : System RAM'
	has 'DOMUB_DRIVER device=0x0002 vendor=0x0*6c7076 driver=virtio_blk'
	has 'DOM0_VXBANK2 .*RAM bank 0 0x40000000 \+3072 MiB: mapped on demand, 2048 KiB chunks'
	has 'DOM0_VXBANK2 .*RAM bank 1 0x200000000 \+256 MiB: mapped on demand, 2048 KiB chunks'
	has 'DOM0_VXBANK2 .*RAM: [1-9][0-9]* chunk\(s\) of 2048 KiB mapped, [0-9]+ mapping call\(s\), 0 failed, 0 page\(s\) refused'
	has 'DOMUB_BANK2_WRITE_PAGE gpa=0x20[0-9a-f]{7}$'
	has 'DOMUB_BANK2_READ_PAGE gpa=0x20[0-9a-f]{7}$'
	has 'DOMUB_BANK2_DIRECT_IO_OK'
	has 'DOM0_BANK2_IMAGE VPLAT-XEN-BANK2 VPLAT-XEN-BANK2 '
	has 'DOM0_BANK2_VX_EXIT rc=0'
	grep -E 'DOM0_BANK2|DOMUB_|DOM0_DOMID bank2|DOM0_DOMU_END bank2|DOM0_VXBANK2 .*(RAM|served)' <<<"$C";;
*) echo "unknown check $W"; exit 2;;
esac
if grep -qE 'Unable to handle kernel|Internal error: Oops|DOMU_DMESG .*(BUG|Oops)' <<<"$C"; then
	echo "a kernel oops in the console"; bad=1
fi
exit $bad
