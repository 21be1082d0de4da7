#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vplat-platform run keeps running until a signal: after the first pass over the ECU example it
# is still running a second later, a frame sent into the switch's uplink socket meanwhile is
# printed by both VMs' network devices, and SIGTERM (then, in a second run, SIGINT) stops it
# with exit status 0 and a message. run --once exits by itself after the pass.
# Usage: run_signal.sh VPLAT_PLATFORM ECU_DTS
set -u
PF=$1 DTS=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/pf-run.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
cp "$DTS" "$W/ecu.dts"
fail=0
for sig in TERM INT; do
	"$PF" run "$W/ecu.dts" >"$W/$sig.log" 2>&1 &
	pid=$!
	for _ in $(seq 200); do grep -q "running until SIGINT or SIGTERM" "$W/$sig.log" && break; sleep 0.05; done
	if [ $sig = TERM ]; then # a frame from the switch's uplink reaches both VMs' devices
		python3 -c 'import socket,struct,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f=b"\xff"*6+bytes.fromhex("02aabbccddee")+b"\x88\xb5"+b"uplink".ljust(46,b"\0")
s.sendall(struct.pack("!I",len(f))+f)
import time; time.sleep(0.5)' "$W/vehicle-eth.sock" || { echo "FAIL: cannot join the switch"; fail=1; }
	fi
	sleep 1
	if ! kill -0 $pid 2>/dev/null; then
		echo "FAIL: run exited without a signal"; cat "$W/$sig.log"; fail=1; continue
	fi
	kill -$sig $pid
	rc=0; wait $pid || rc=$?
	grep -q "received CAN frame" "$W/$sig.log" || { echo "FAIL: no first pass"; fail=1; }
	if [ $sig = TERM ]; then
		n=$(sed -n '/running until/,$p' "$W/$sig.log" | grep -c "received 60 bytes from 02:aa:bb:cc:dd:ee")
		[ "$n" = 2 ] && echo "frame from the uplink printed by both net devices while running" \
			|| { echo "FAIL: uplink frame seen by $n devices, want 2"; cat "$W/$sig.log"; fail=1; }
	fi
	grep -q "signal [0-9]*: shutting down" "$W/$sig.log" || { echo "FAIL: no shutdown message"; fail=1; }
	[ $rc -eq 0 ] || { echo "FAIL: SIG$sig: exit status $rc"; cat "$W/$sig.log"; fail=1; }
	echo "SIG$sig: exit status $rc"
done
timeout 30 "$PF" run "$W/ecu.dts" --once >"$W/once.log" 2>&1
rc=$?
[ $rc -eq 0 ] && ! grep -q "running until" "$W/once.log" \
	&& echo "--once: exited by itself, status 0" || { echo "FAIL: --once: status $rc"; fail=1; }
exit $fail
