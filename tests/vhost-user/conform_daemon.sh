#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The conformance suite (vplat-conform, PAL vhost-user, i.e. vplat's front-end) against every
# `vplat-device` subcommand over a real vhost-user socket. This is how console and CAN are
# proven over vhost-user: QEMU 7.2 has no vhost-user device for them. The watchdog (device ID
# 35, which the PAL takes by number: PAL_TYPE) is served with its 1 s minimum timeout so the
# expiry and pre-timeout tests run against the daemon's real clock.
#
# Each run must have no FAIL or ERROR, and its set of SKIPped tests must equal
# tests/vhost-user/expected/NAME.skip (one test name per line, text after it is a note): a
# test that newly skips (a feature the daemon stopped offering) fails this test, and so does
# an expected skip that now runs. VPLAT_UPDATE_EXPECTED=1 rewrites the files from this run.
# VHU_CONFORM_ONLY="NAME ..." runs only the runs of those names (e.g. "rng blk").
#
# Usage: conform_daemon.sh VPLAT_DEVICE VPLAT_CONFORM EXPECTED_DIR [plain|tap|vcan]
#   plain (default): rng, blk (sync, io_uring, thread pool), console, gpio, can on a virtual
#         bus, i2c (an LM75 at 0x48, a 24c02 at 0x50), input (scripted keyboard and touch),
#         vsock (CID 3, no PATH_<port> listeners), sound (an output stream into a WAV file,
#         an input stream from a tone, a jack the host flips),
#         watchdog, net on --sink; needs no privilege.
#   tap:  net on a tap in a private network namespace (needs CAP_NET_ADMIN);
#   vcan: can on a vcan interface in a private network namespace;
#         both exit 77 (skip) when a namespace, /dev/net/tun or the vcan module is missing.
set -u
VDEV=$1 CONFORM=$2 EXPECTED=$3 MODE=${4:-plain}
if [ "$MODE" != plain ] && [ -z "${VHU_IN_NETNS:-}" ]; then
	unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
	VHU_IN_NETNS=1 exec unshare -n bash "$0" "$@"
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/vhu-conform.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
fail=0
run() { # NAME DEVICE DEVICE-ARGS...
	local name=$1 type=$2; shift
	# VHU_CONFORM_ONLY="rng blk": only the runs named (tools/mutate's bounded oracle).
	if [ -n "${VHU_CONFORM_ONLY:-}" ] && [[ " $VHU_CONFORM_ONLY " != *" $name "* ]]; then
		return
	fi
	local sock=$W/$name.sock
	"$VDEV" "$@" --socket "$sock" --log-level error 2>"$W/$name.log" &
	local pid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	local out
	out=$("$CONFORM" --pal vhost-user --pal-arg socket="$sock" --pal-arg device="${PAL_TYPE:-$type}" \
		--timeout 3000 2>&1)
	local rc=$?
	# One line per test, "[n/N] RESULT TEST DEVICE REASON"; the index is dropped here.
	out=$(echo "$out" | sed -E 's/^\[ *[0-9]+\/[0-9]+\] //')
	echo "$out" | grep -E '^(FAIL|ERROR)'
	echo "$name: $(echo "$out" | grep '^vplat-conform:' | tail -1)"
	kill -TERM $pid; wait $pid || { echo "$name: daemon did not exit cleanly"; fail=1; }
	[ $rc -eq 0 ] || { fail=1; cat "$W/$name.log"; }
	# The SKIP set, pinned in both directions.
	echo "$out" | awk '$1 == "SKIP" {print $2}' | sort -u >"$W/$name.seen"
	local want=$EXPECTED/$name.skip
	if [ -n "${VPLAT_UPDATE_EXPECTED:-}" ]; then
		{
			echo "# vplat-device ${*//$W/\$W}: the tests vplat-conform skips (conform_daemon.sh)."
			echo "$out" | awk '$1 == "SKIP" {n=$2; $1=""; $2=""; $3=""; sub(/^ +/, ""); print n "  " $0}' |
				sort -u -k1,1
		} >"$want"
		echo "$name: wrote $want"
		return
	fi
	if [ ! -f "$want" ] && [ -n "${UNPINNED_OK:-}" ]; then
		echo "$name: SKIP set not pinned: no $want yet (make it on a machine that can run" \
			"this: VPLAT_UPDATE_EXPECTED=1); skipped: $(tr '\n' ' ' <"$W/$name.seen")"
		return
	fi
	if [ ! -f "$want" ]; then
		echo "$name: FAIL: no $want (run with VPLAT_UPDATE_EXPECTED=1 to create it)"
		fail=1
		return
	fi
	grep -vE '^\s*(#|$)' "$want" | awk '{print $1}' | sort -u >"$W/$name.want"
	local new gone
	new=$(comm -13 "$W/$name.want" "$W/$name.seen")
	gone=$(comm -23 "$W/$name.want" "$W/$name.seen")
	if [ -n "$new" ]; then
		echo "$name: FAIL: tests that now SKIP (not in $want):"
		for t in $new; do echo "$out" | grep -E "^SKIP +$t " || echo "  $t"; done
		fail=1
	fi
	if [ -n "$gone" ]; then
		echo "$name: FAIL: expected skips that now RUN (update $want):"
		echo "$gone" | sed 's/^/  /'
		fail=1
	fi
	[ -z "$new$gone" ] && echo "$name: SKIP set matches $(basename "$want") ($(wc -l <"$W/$name.want") tests)"
}

case $MODE in
plain)
	truncate -s 16M "$W/disk.img"
	run rng rng
	run blk blk --file "$W/disk.img" --sync
	run blk-async blk --file "$W/disk.img" --async
	run blk-threads blk --file "$W/disk.img" --async-threads
	# console: multiport (ports 0, 1 and 3 of 4), so the MULTIPORT tests run too
	run console console --log "$W/console.out" --max-ports 4 \
		--port 1:org.vplat.test.1:log="$W/port1.out" --port 3::log="$W/port3.out"
	# gpio: two loopback wires on lines 4..7 (the interrupt tests drive their own inputs)
	run gpio gpio --lines 8 --loop-wires 2
	run can can --virtual
	run i2c i2c --lm75 0x48 --eeprom 0x50
	# input: a script that answers every status event with an update (the input tests'
	# event source, spec/19-input.md)
	printf 'wait-status\nkey 30 1\nsyn\nwait-status\nkey 30 0\nsyn\nwait-status\nabs 0 100\nabs 1 200\nsyn\nrepeat 0\n' \
		>"$W/input.script"
	run input input --keyboard --touch 1920x1080,slots=2 --script "$W/input.script"
	run vsock vsock --guest-cid 3 --uds-path "$W/vsock.uds" --max-connections 16
	# sound: an input stream fed from a 0.5 s 400 Hz tone (8000 Hz S16 mono, looped) and a
	# jack the daemon flips 100 ms after each DRIVER_OK (sound_rx_messages,
	# sound_jack_host_change)
	python3 -c 'import struct, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", (abs(i % 20 - 10) * 4 - 20) * 1000) for i in range(4000)))
w.close()' "$W/tone.wav"
	run sound sound --sink "$W/sound.wav" --source "$W/tone.wav" --jack-flip 100
	PAL_TYPE=35 run watchdog watchdog --min-timeout 1000
	PAL_TYPE= run net-sink net --sink
	;;
tap)
	[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
	ip link set lo up
	# net on a tap the daemon creates; MAC and MTU offered so their tests run too.
	run net-tap net --tap vhu0 --mac 52:54:00:12:34:56 --mtu 1500
	;;
vcan)
	modprobe vcan 2>/dev/null
	ip link add dev vcan0 type vcan 2>/dev/null || { echo "SKIP: no vcan in this kernel"; exit 77; }
	ip link set vcan0 up
	# Not pinned until a kernel with vcan has written expected/can-socketcan.skip (the
	# machine these files were made on has none).
	UNPINNED_OK=1 run can-socketcan can --iface vcan0
	;;
*) echo "usage: conform_daemon.sh VPLAT_DEVICE VPLAT_CONFORM EXPECTED_DIR [plain|tap|vcan]"; exit 2 ;;
esac
exit $fail
