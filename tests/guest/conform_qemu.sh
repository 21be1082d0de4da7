#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vplat-conform inside a QEMU 7.2 TCG guest against QEMU's own virtio devices (rng, blk, net,
# console), through tools/guest/conform-guest.sh, in four configurations:
#   microvm        virtio-mmio, QEMU's default legacy interface (Version 1)
#   microvm-modern virtio-mmio with -global virtio-mmio.force-legacy=false (Version 2)
#   q35            virtio-pci, transitional devices (QEMU's default)
#   q35-modern     virtio-pci with disable-legacy=on
# and, when VPLAT_DEVICE names the vplat-device binary, q35 with vplat's entropy device served
# over vhost-user (vhost-user-rng-pci) next to QEMU's own virtio-rng-pci.
# Checks that each report came back complete and names every device, that a legacy MMIO
# device is reported as such (mmio_identification FAILs on Version, every other test SKIPs),
# and that the suite itself never ERRORs on a modern device. Test FAILs are findings about
# QEMU (docs/conformance-results.md), each pinned: every configuration's set of FAIL/ERROR
# results ("RESULT DEVICE TEST") must equal tests/guest/expected/conform-qemu-NAME.txt, so a
# new FAIL fails this test, and so does an expected FAIL that now passes (then update the
# file and docs/conformance-results.md; VPLAT_UPDATE_EXPECTED=1 rewrites the files from this
# run). VPLAT_CONFORM_QEMU_ONLY=NAME runs one configuration (microvm, microvm-modern, q35,
# q35-modern, q35-vhost-user), for debugging; the test then exits 77 (it did not check all).
# Usage: conform_qemu.sh VPLAT_CONFORM_STATIC CACHE_DIR [OUT_DIR]
# Exit: 0 pass, 1 fail, 77 skip (no QEMU, kernel or busybox-static).
set -u
BIN=${1:?usage: conform_qemu.sh VPLAT_CONFORM_STATIC CACHE_DIR [OUT_DIR]}
CACHE=${2:?}
OUT=${3:-$CACHE/conform-reports}
HERE=$(cd "$(dirname "$0")" && pwd)
RUN=$HERE/../../tools/guest/conform-guest.sh
EXPECTED=$HERE/expected
ONLY=${VPLAT_CONFORM_QEMU_ONLY:-}
mkdir -p "$OUT"
fail=0
# pin NAME REPORT: compare the report's FAIL/ERROR set with expected/conform-qemu-NAME.txt.
pin() {
	python3 - "$2" "$EXPECTED/conform-qemu-$1.txt" "$1" "${VPLAT_UPDATE_EXPECTED:-}" <<'PY'
import json, os, sys
report, path, name, update = sys.argv[1:5]
r = json.load(open(report))
seen = {}
for x in r["results"]:
    if x["result"] in ("FAIL", "ERROR"):
        seen["%s %s %s" % (x["result"], x["device"], x["test"])] = x.get("detail", "")
if update:
    with open(path, "w") as f:
        f.write("# guest.conform_qemu, configuration %s: every FAIL/ERROR of vplat-conform in the\n"
                "# guest, as RESULT DEVICE TEST (explained in docs/conformance-results.md). Pinned\n"
                "# both ways by tests/guest/conform_qemu.sh; VPLAT_UPDATE_EXPECTED=1 rewrites it.\n" % name)
        for k in sorted(seen):
            f.write(k + "\n")
    print("%s: wrote %s (%d entries)" % (name, path, len(seen)))
    sys.exit(0)
if not os.path.exists(path):
    print("FAIL: %s: no %s (VPLAT_UPDATE_EXPECTED=1 creates it)" % (name, path))
    sys.exit(1)
want = set()
for line in open(path):
    line = line.split("#", 1)[0].split()
    if line:
        want.add(" ".join(line[:3]))
new, gone = sorted(set(seen) - want), sorted(want - set(seen))
for k in new:
    print("FAIL: %s: NEW %s: %s" % (name, k, seen[k]))
for k in gone:
    print("FAIL: %s: expected %s no longer happens: update %s and docs/conformance-results.md"
          % (name, k, path))
if not new and not gone:
    print("%s: FAIL/ERROR set matches %s (%d entries)" % (name, os.path.basename(path), len(want)))
sys.exit(1 if new or gone else 0)
PY
}
for cfg in microvm: microvm-modern:-m q35: q35-modern:-m; do
	name=${cfg%%:*} flag=${cfg#*:} mach=${name%-modern}
	[ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && continue
	rc=0
	"$RUN" -c "$BIN" -o "$OUT/$name.json" -M "$mach" $flag -C "$CACHE" -l "$OUT/$name.log" \
		-T 3000 -q 240 || rc=$?
	[ $rc -eq 77 ] && exit 77
	if [ $rc -ne 0 ]; then echo "FAIL: $name: no complete report"; fail=1; continue; fi
	python3 - "$OUT/$name.json" "$name" <<'PY' || fail=1
import json, sys
r, name = json.load(open(sys.argv[1])), sys.argv[2]
devs = {x["device"] for x in r["results"]}
types = {d.split("@")[0] for d in devs}
bad = []
if types != {"rng", "blk", "net", "console"}:
    bad.append("devices found: %s" % sorted(devs))
for x in r["results"]:
    legacy = x["device"].endswith("-legacy")
    if name == "microvm" and not legacy:
        bad.append("%s: not reported as legacy" % x["device"])
    if legacy and x["test"] == "mmio_identification" and x["result"] != "FAIL":
        bad.append("%s: mmio_identification %s on a Version 1 device" % (x["device"], x["result"]))
    if legacy and x["test"] != "mmio_identification" and x["result"] != "SKIP":
        bad.append("%s: %s %s on a legacy device" % (x["device"], x["test"], x["result"]))
    if not legacy and x["result"] == "ERROR":
        bad.append("%s: %s ERROR: %s" % (x["device"], x["test"], x["detail"]))
for b in bad:
    print("FAIL: %s: %s" % (name, b))
sys.exit(1 if bad else 0)
PY
	pin "$name" "$OUT/$name.json" || fail=1
done

# The same image against vplat's own entropy device served to QEMU over vhost-user
# (vhost-user-rng-pci next to QEMU's virtio-rng-pci), when VPLAT_DEVICE names vplat-device.
if [ -z "$ONLY" ] || [ "$ONLY" = q35-vhost-user ]; then
	if [ -z "${VPLAT_DEVICE:-}" ] || [ ! -x "$VPLAT_DEVICE" ]; then
		echo "FAIL: q35-vhost-user: VPLAT_DEVICE does not name the vplat-device binary"; fail=1
	fi
fi
if { [ -z "$ONLY" ] || [ "$ONLY" = q35-vhost-user ]; } && [ -n "${VPLAT_DEVICE:-}" ] && [ -x "$VPLAT_DEVICE" ]; then
	S=$(mktemp -d "${TMPDIR:-/tmp}/conform-vhu.XXXXXX")
	"$VPLAT_DEVICE" rng --socket "$S/rng.sock" 2>"$OUT/vhu-rng-daemon.log" &
	dpid=$!
	for _ in $(seq 100); do [ -S "$S/rng.sock" ] && break; sleep 0.05; done
	rc=0
	"$RUN" -c "$BIN" -o "$OUT/q35-vhost-user.json" -M q35 -m -d rng -C "$CACHE" \
		-l "$OUT/q35-vhost-user.log" -T 3000 -q 240 \
		-a -machine -a memory-backend=mem \
		-a -object -a memory-backend-memfd,id=mem,size=256M,share=on \
		-a -chardev -a "socket,id=vr0,path=$S/rng.sock" -a -device -a vhost-user-rng-pci,chardev=vr0 \
		|| rc=$?
	kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null
	rm -rf "$S"
	if [ $rc -ne 0 ]; then
		echo "FAIL: q35-vhost-user: no complete report"; fail=1
	else
		python3 - "$OUT/q35-vhost-user.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
devs = {x["device"] for x in r["results"]}
bad = [] if len(devs) == 2 else ["expected two rng devices, found %s" % sorted(devs)]
bad += ["%s: %s ERROR: %s" % (x["device"], x["test"], x["detail"]) for x in r["results"] if x["result"] == "ERROR"]
for b in bad:
    print("FAIL: q35-vhost-user: %s" % b)
sys.exit(1 if bad else 0)
PY
		pin q35-vhost-user "$OUT/q35-vhost-user.json" || fail=1
	fi
fi
[ $fail -eq 0 ] && echo "PASS: reports in $OUT"
[ $fail -eq 0 ] && [ -n "$ONLY" ] && { echo "SKIP: only $ONLY was run (VPLAT_CONFORM_QEMU_ONLY)"; exit 77; }
exit $fail
