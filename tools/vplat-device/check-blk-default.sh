#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# vplat-device blk serves through io_uring by default when built with liburing and the kernel
# allows it, and synchronously with --sync (docs/performance.md, vplat-device blk --help).
# Usage: check-blk-default.sh VPLAT_DEVICE HAVE_URING(0|1). Exit 77 (SKIP) without liburing
# or where io_uring is refused (the default then must not claim io_uring).
set -u
dev=$1 have=$2
w=$(mktemp -d) || exit 1
trap 'rm -rf "$w"' EXIT
truncate -s 1M "$w/img"
log_of() { # ARGS...: the daemon's INFO lines for ARGS
	"$dev" blk --socket "$w/s" --file "$w/img" --log-level info "$@" 2>"$w/log" &
	p=$!
	i=0
	while [ ! -S "$w/s" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
	kill $p; wait $p 2>/dev/null
	rm -f "$w/s"
	cat "$w/log"
}
def=$(log_of)
sync=$(log_of --sync)
echo "default: $def"
echo "--sync:  $sync"
case $sync in *io_uring* | *"thread pool"*) echo "FAIL: --sync is not synchronous"; exit 1 ;; esac
[ "$have" = 1 ] || { echo "SKIP: built without liburing"; exit 77; }
case $def in
*io_uring*) echo PASS; exit 0 ;;
*"thread pool"*) echo "FAIL: the default fell back to the thread pool"; exit 1 ;;
esac
forced=$(log_of --async)
case $forced in *io_uring*) echo "FAIL: io_uring works (--async) but is not the default"; exit 1 ;; esac
echo "SKIP: the kernel refuses io_uring here"
exit 77
