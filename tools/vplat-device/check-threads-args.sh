#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# vplat-device --threads and bad device options: what it must refuse exits 2 with a message that says
# why, before any socket is created; a valid one starts (and is stopped here).
# Usage: check-threads-args.sh VPLAT_DEVICE
D=$1
W=$(mktemp -d) || exit 1
trap 'rm -rf "$W"' EXIT
: >"$W/img"
fail=0
refuse() { # WHY ARGS...
	why=$1; shift
	"$D" "$@" --socket "$W/s" >"$W/out" 2>&1
	rc=$?
	if [ $rc -ne 2 ] || ! grep -q "$why" "$W/out"; then
		echo "FAIL: vplat-device $*: exit $rc, expected 2 and '$why':"; cat "$W/out"; fail=1
	else
		echo "ok: vplat-device $* refused: $(grep -o "$why.*" "$W/out" | head -1)"
	fi
	[ -e "$W/s" ] && { echo "FAIL: socket created"; fail=1; rm -f "$W/s"; }
}
refuse "only blk" net --sink --threads 2
refuse "more threads than queues" blk --file "$W/img" --num-queues 2 --threads 3
refuse "rate limit" blk --file "$W/img" --num-queues 2 --threads 2 --iops 100
refuse "bad option" blk --file "$W/img" --threads 0
# Device options: the message names the option and its value.
refuse "bad value for --iops: 'x'" blk --file "$W/img" --iops x
refuse "bad value for --max-ports: '0'" console --max-ports 0
refuse "unknown option, or no value given: --frob" console --frob
refuse "console port: 'x' is not a port number" console --port x:a:pty
refuse "console port 1: unknown host end 'tty'" console --port 1:a:tty
refuse "console port 1: 'log=' needs a path" console --port 1:a:log=
refuse "expected ID:NAME:END" console --port 1:a
"$D" blk --file "$W/img" --num-queues 2 --threads 2 --socket "$W/s" --log-level info 2>"$W/log" &
pid=$!
for _ in $(seq 100); do [ -S "$W/s" ] && break; sleep 0.05; done
kill -TERM $pid; wait $pid; rc=$?
if [ $rc -ne 0 ] || ! grep -q "2 queue threads" "$W/log"; then
	echo "FAIL: --num-queues 2 --threads 2: exit $rc"; cat "$W/log"; fail=1
else
	echo "ok: --num-queues 2 --threads 2 started 2 queue threads and stopped cleanly"
fi
exit $fail
