#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tools/guest/conform-guest.sh - run vplat-conform inside a QEMU guest against QEMU's own
#     virtio devices
#
# SYNOPSIS
#     conform-guest.sh -c VPLAT_CONFORM_STATIC -o REPORT.json [-M q35|microvm] [-m]
#                      [-d DEVICES] [-t GLOB] [-T MS] [-x] [-C CACHE] [-q SECONDS]
#                      [-a QEMU_ARG]... [-l CONSOLE_LOG] [-P]
#
# DESCRIPTION
#     Builds (and caches) a busybox-static initramfs holding the statically linked
#     vplat-conform (CMake target vplat-conform-static) and an /init that runs it with the
#     linux-pci PAL (-M q35) or the linux-mmio PAL (-M microvm), then boots the Debian
#     linux-image-amd64 kernel (uncompressed vmlinux, PVH boot) under QEMU TCG with the chosen
#     virtio devices. No virtio kernel module is loaded: the suite drives the devices from
#     user space. DMA memory is 8 MiB at 0x7000000 that the guest kernel is told to leave alone
#     (memmap=8M$0x7000000, passed to the PAL as dma=0x7000000@0x800000).
#
#     The guest prints the JSON report between the lines VPLAT-CONFORM-JSON-BEGIN and
#     VPLAT-CONFORM-JSON-END on the serial console; this script cuts it out into REPORT.json,
#     checks that it parses, that its summary adds up and that it holds at least one result
#     per device found, and prints the summary. While the guest runs, its per-test progress
#     lines ("[n/N] RESULT TEST DEVICE") are streamed to stderr with a "guest: " prefix; render
#     the report as HTML with `vplat-conform report REPORT.json -o REPORT.html`.
#
# OPTIONS
#     -c FILE     the static vplat-conform binary (required)
#     -o FILE     where to write the JSON report (required)
#     -M MACHINE  q35 (virtio-pci, default) or microvm (virtio-mmio)
#     -m          modern only: q35 devices get disable-legacy=on; microvm gets
#                 -global virtio-mmio.force-legacy=false (QEMU's default is Version 1)
#     -d LIST     comma-separated QEMU devices to attach: rng, blk, net, console
#                 (default rng,blk,net,console)
#     -t GLOB     vplat-conform --tests GLOB (default all)
#     -T MS       vplat-conform --timeout MS per test (default 3000)
#     -x          vplat-conform --no-exerciser
#     -C DIR      cache for the vmlinux and the initramfs (default $TMPDIR/vplat-guest-cache)
#     -q SECONDS  kill QEMU after this long (default 600)
#     -a ARG      one more QEMU argument (repeatable)
#     -l FILE     keep the serial console log in FILE
#     -P          no reserved DMA region: the PAL falls back to locked pages located through
#                 /proc/self/pagemap (its longest physically contiguous run of a 4 MiB buffer)
#     -h, --help  this text
#
# EXAMPLE
#     cmake --build build --target vplat-conform-static
#     tools/guest/conform-guest.sh -c build/conformance/vplat-conform-static \
#         -o /tmp/q35.json -M q35 -d rng
#
# EXIT STATUS
#     0 when a complete report came back (whatever the test results); 1 when the guest did
#     not produce a complete report or on a usage error; 77 when QEMU, the linux-image-amd64
#     kernel or busybox-static is missing (callers that are tests report SKIP).
set -euo pipefail
usage() { sed -n '3,/^# EXIT STATUS/p' "$0" | sed 's/^# \{0,1\}//' | sed '$d'; }
CONFORM= OUT= MACH=q35 MODERN=0 DEVS=rng,blk,net,console TESTS='*' TMO=3000 NOEX=0
CACHE=${TMPDIR:-/tmp}/vplat-guest-cache QTMO=600 LOG= PAGEMAP=0
QARGS=()
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts "c:o:M:md:t:T:xC:q:a:l:Ph" opt; do
	case $opt in
	c) CONFORM=$OPTARG ;; o) OUT=$OPTARG ;; M) MACH=$OPTARG ;; m) MODERN=1 ;;
	d) DEVS=$OPTARG ;; t) TESTS=$OPTARG ;; T) TMO=$OPTARG ;; x) NOEX=1 ;;
	C) CACHE=$OPTARG ;; q) QTMO=$OPTARG ;; a) QARGS+=("$OPTARG") ;; l) LOG=$OPTARG ;;
	P) PAGEMAP=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 1 ;;
	esac
done
[ -n "$CONFORM" ] && [ -n "$OUT" ] || { usage >&2; exit 1; }
[ -x "$CONFORM" ] || { echo "conform-guest: $CONFORM is not executable" >&2; exit 1; }
case $MACH in q35) PAL=linux-pci ;; microvm) PAL=linux-mmio ;;
*) echo "conform-guest: -M q35 or microvm" >&2; exit 1 ;; esac
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64" >&2; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: no busybox-static" >&2; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3 (report check)" >&2; exit 77; }
. "$(dirname "$0")/vmlinux.sh" # vplat_guest_kver, vplat_guest_vmlinux
KVER=$(vplat_guest_kver)
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] || { echo "SKIP: no linux-image-amd64 kernel in /boot" >&2; exit 77; }

mkdir -p "$CACHE"
# An uncompressed ELF boots through PVH and skips 2 s of XZ decompression under TCG.
VMLINUX=$(vplat_guest_vmlinux "$KVER" "$CACHE")

# The guest's /init: the suite's arguments come from /conform.args (one per line).
DMA_ADDR=0x7000000 DMA_SIZE=0x800000
W=$(mktemp -d "${TMPDIR:-/tmp}/conform-guest.XXXXXX")
trap 'rm -rf "$W"' EXIT
cat > "$W/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev
mkdir -p /tmp; mount -t tmpfs tmp /tmp
echo "VPLAT-CONFORM-START $(uname -r)"
set --
while IFS= read -r a; do set -- "$@" "$a"; done < /conform.args
/bin/vplat-conform "$@" --json /tmp/report.json
echo "VPLAT-CONFORM-RC $?"
if [ -s /tmp/report.json ]; then
	echo VPLAT-CONFORM-JSON-BEGIN
	cat /tmp/report.json
	echo VPLAT-CONFORM-JSON-END
fi
sync
poweroff -f
EOF
{
	echo "--pal"; echo "$PAL"
	[ "$PAGEMAP" = 1 ] || { echo "--pal-arg"; echo "dma=$DMA_ADDR@$DMA_SIZE"; }
	echo "--tests"; echo "$TESTS"
	echo "--timeout"; echo "$TMO"
	[ "$NOEX" = 1 ] && echo "--no-exerciser"
} > "$W/conform.args"
KEY=$( (cat "$W/init" "$W/conform.args"; md5sum < "$CONFORM"; md5sum < /bin/busybox) | md5sum | cut -c1-12)
INITRD=$CACHE/initrd-conform-$KEY.cpio.gz
if [ ! -s "$INITRD" ]; then
	ST=$W/stage
	mkdir -p "$ST"/{bin,proc,sys,dev,tmp}
	cp /bin/busybox "$ST/bin/busybox"
	ln -s busybox "$ST/bin/sh"
	install -m755 "$CONFORM" "$ST/bin/vplat-conform"
	install -m755 "$W/init" "$ST/init"
	cp "$W/conform.args" "$ST/conform.args"
	(cd "$ST" && find . | cpio -o -H newc --quiet | gzip -1 > "$INITRD.tmp.$$")
	mv "$INITRD.tmp.$$" "$INITRD"
fi

# The devices.
DISK=$W/disk.raw
QDEV=()
if [ "$MACH" = q35 ]; then
	sfx=-pci
	[ "$MODERN" = 1 ] && opt=",disable-legacy=on,disable-modern=off" || opt=
else
	sfx=-device opt=
	[ "$MODERN" = 1 ] && QDEV+=(-global virtio-mmio.force-legacy=false)
fi
IFS=, read -r -a list <<< "$DEVS"
for dv in "${list[@]}"; do
	case $dv in
	rng) QDEV+=(-device "virtio-rng$sfx$opt") ;;
	blk)
		truncate -s 16M "$DISK"
		QDEV+=(-drive "if=none,id=d0,file=$DISK,format=raw,cache=unsafe" -device "virtio-blk$sfx,drive=d0$opt") ;;
	net) QDEV+=(-netdev user,id=n0 -device "virtio-net$sfx,netdev=n0$opt") ;;
	console) QDEV+=(-device "virtio-serial$sfx$opt" -chardev null,id=cn0 -device virtconsole,chardev=cn0) ;;
	*) echo "conform-guest: unknown device '$dv' (rng, blk, net, console)" >&2; exit 1 ;;
	esac
done
CMD="console=ttyS0 no_timer_check loglevel=1 panic=-1"
[ "$PAGEMAP" = 1 ] || CMD="$CMD memmap=8M\$$DMA_ADDR"
if [ "$MACH" = microvm ]; then
	MARGS=(-M microvm -nic none)
	CMD="$CMD tsc_early_khz=2000000"
else
	MARGS=(-M q35 -nic none)
fi
CONSOLE=$W/console.log
rc=0
: > "$CONSOLE"
# The guest's progress as it happens: the suite prints one "[n/N] RESULT TEST DEVICE" line per
# test on the serial console; they are passed on to stderr while QEMU runs.
# (The serial console is a terminal to the guest, so the suite also draws its live line there:
# everything up to the last erase-line sequence is dropped.)
tail -n +1 -f "$CONSOLE" 2>/dev/null | tr -d '\r' | sed -u 's/.*\x1b\[K//' |
	grep --line-buffered -E '^\[ *[0-9]+/[0-9]+\] ' | sed -u 's/^/guest: /' >&2 &
STREAM=$!
timeout "$QTMO" qemu-system-x86_64 "${MARGS[@]}" -accel tcg -m 256M -smp 1 -nographic -no-reboot \
	-kernel "$VMLINUX" -initrd "$INITRD" -append "$CMD" "${QDEV[@]}" "${QARGS[@]}" \
	> "$CONSOLE" 2>&1 < /dev/null || rc=$?
sleep 0.3 # let the stream print the last lines
kill $STREAM 2>/dev/null; pkill -P $$ -x tail 2>/dev/null || true
tr -d '\r' < "$CONSOLE" > "$CONSOLE.txt"
[ -n "$LOG" ] && cp "$CONSOLE.txt" "$LOG"
[ $rc -eq 124 ] && echo "conform-guest: QEMU killed after ${QTMO}s" >&2
sed -n '/^VPLAT-CONFORM-JSON-BEGIN$/,/^VPLAT-CONFORM-JSON-END$/p' "$CONSOLE.txt" | sed '1d;$d' > "$OUT"
grep -E '^(VPLAT-CONFORM-RC|vplat-conform:|linux-(pci|mmio):)' "$CONSOLE.txt" >&2 || true
python3 - "$OUT" <<'EOF' || { echo "conform-guest: incomplete report; console tail:" >&2; tail -25 "$CONSOLE.txt" >&2; exit 1; }
import json, sys, collections
r = json.load(open(sys.argv[1]))
s, res = r["summary"], r["results"]
assert s["total"] == len(res) > 0, "no results"
c = collections.Counter(x["result"] for x in res)
assert [c["PASS"], c["FAIL"], c["SKIP"], c["ERROR"]] == [s["pass"], s["fail"], s["skip"], s["error"]], "summary"
per = collections.OrderedDict()
for x in res:
    per.setdefault(x["device"], collections.Counter())[x["result"]] += 1
print("pal %s on %s" % (r["pal"], r["host"]))
for d, k in per.items():
    print("  %-34s %3d pass %3d fail %3d skip %3d error" % (d, k["PASS"], k["FAIL"], k["SKIP"], k["ERROR"]))
EOF
