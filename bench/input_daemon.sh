#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench.input_daemon_smoke: `vplat-device input` on the ping script and `bench-input --socket`
# driving it with vplat's vhost-user front end: N round trips (LED status -> key update), the
# figures printed, not judged. Fails if a round trip does not complete (5 s each) or the
# daemon does not exit cleanly. Usage: input_daemon.sh VPLAT_DEVICE BENCH_INPUT [N]
set -u
VDEV=$1 BENCH=$2 N=${3:-2000}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-input.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
printf 'wait-status\nkey 31 1\nsyn\nwait-status\nkey 31 0\nsyn\nrepeat 0\n' >"$W/ping"
"$VDEV" input --keyboard --script "$W/ping" --socket "$W/s" --log-level error 2>"$W/log" &
pid=$!
for _ in $(seq 100); do [ -S "$W/s" ] && break; sleep 0.05; done
rc=0
"$BENCH" --socket "$W/s" --updates "$N" || rc=$?
kill -TERM $pid
wait $pid || { echo "FAIL: daemon exit status $?"; cat "$W/log"; exit 1; }
[ $rc -eq 0 ] || { cat "$W/log"; exit 1; }
