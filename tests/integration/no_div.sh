#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# No hardware division on the data path: the compiled ring code (lib/core/vq.c) and the
# network device's transmit and receive paths (lib/devices/net/net.c, net_rx.c) contain no
# div/idiv instruction, and the block device's (lib/devices/blk/blk.c, blk_req.c) only in
# vplat_blk_init() (set-up). A modulo by a constant compiles to a multiply and shift; one by
# a variable (a pair count, a queue size) does not, and is what this catches.
# Usage: no_div.sh OBJECTS BUILD_TYPE (colon-separated object files of vplat_core_objects).
# x86-64 objdump syntax, optimised builds; skipped (77) without objdump, on another
# architecture, or in an unoptimised (Debug) build, where a constant divisor is not reduced.
case "${2:-}" in Release|RelWithDebInfo|MinSizeRel) ;; *) echo "SKIP: build type '${2:-}' is not optimised"; exit 77 ;; esac
command -v objdump >/dev/null 2>&1 || { echo "SKIP: no objdump"; exit 77; }
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: x86-64 only"; exit 77; }
fail=0
seen=0
IFS=:
for o in $1; do
	case "$o" in
	*/vq.c.o|*/net.c.o|*/net_rx.c.o) allow='^$' ;;
	*/blk.c.o|*/blk_req.c.o) allow='^vplat_blk_init$' ;;
	*) continue ;;
	esac
	seen=$((seen + 1))
	bad=$(objdump -d --no-show-raw-insn "$o" | awk -v allow="$allow" '
		/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
		/\t(div|idiv)[bwlq]?[ \t]/ { if (fn !~ allow) print fn ": " $0 }')
	if [ -n "$bad" ]; then
		echo "FAIL: division in $(basename "$o"):"; echo "$bad"; fail=1
	else
		echo "ok: $(basename "$o")"
	fi
done
[ "$seen" -ge 5 ] || { echo "FAIL: expected 5 object files, saw $seen"; exit 1; }
exit $fail
