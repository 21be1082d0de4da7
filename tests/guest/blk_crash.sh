#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tests/guest/blk_crash.sh - a Linux guest writes records while the vhost-user-blk back end
#     is SIGKILLed and restarted under it
#
# SYNOPSIS
#     blk_crash.sh GUEST_PROGRAM CACHE_DIR [BACKEND...]
#
# DESCRIPTION
#     Boots the Debian linux-image-amd64 kernel under qemu-system-x86_64 -accel tcg with
#     `-chardev socket,...,reconnect=1 -device vhost-user-blk-pci` and an initramfs holding
#     the static GUEST_PROGRAM (tests/guest/blk_crash_guest.c). In the guest, GC_THREADS
#     threads write numbered, checksummed 4 KiB records to /dev/vda with O_DIRECT, each write
#     followed by fsync. On the host the back end is killed with SIGKILL and restarted
#     GC_KILLS times (default 20): before each kill the script waits until the guest has
#     acknowledged new records through the new back-end process, then waits a random
#     0.1-1.5 s (the writers keep requests in flight all the time). Then the host writes a
#     stop marker into sector 0; the guest stops, reads every acknowledged record back with
#     O_DIRECT and powers off, and the host checks every acknowledged record in the image
#     (blk_crash_guest check). PASS needs: all kills done, no I/O error seen by the guest (its
#     own GC-IOERR lines, or the kernel's "I/O error" messages), every acknowledged record
#     intact in the guest's read-back and in the image.
#
#     BACKEND is `vplat` (vplat-device blk, $VPLAT_DEVICE; the default), `vplat-async`
#     (vplat-device blk --async: requests complete out of order), `vplat-threads` (blk
#     --async-threads: a thread pool, more out of order) or `qsd`
#     (qemu-storage-daemon --export type=vhost-user-blk, for comparison). Each named back end
#     is run in turn; the test fails if any fails.
#
# ENVIRONMENT
#     GC_KILLS (20), GC_THREADS (4), GC_SEED (random; printed), VPLAT_DEVICE; GC_PACKED=1
#     gives the device a packed ring (`packed=on`).
#
# EXIT STATUS
#     0 pass; 1 fail; 77 skipped (no qemu-system-x86_64, kernel, busybox-static, or
#     qemu-storage-daemon when `qsd` is asked for).
set -uo pipefail
PROG=${1:?usage: blk_crash.sh GUEST_PROGRAM CACHE_DIR [BACKEND...]}
CACHE=${2:?usage: blk_crash.sh GUEST_PROGRAM CACHE_DIR [BACKEND...]}
shift 2
BACKENDS=("$@")
[ ${#BACKENDS[@]} -gt 0 ] || BACKENDS=(vplat)
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
KILLS=${GC_KILLS:-20}
THREADS=${GC_THREADS:-4}
SEED=${GC_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$SEED
skip() { echo "SKIP: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
for b in "${BACKENDS[@]}"; do
	case $b in
	vplat | vplat-async | vplat-threads) : "${VPLAT_DEVICE:?VPLAT_DEVICE must name vplat-device}" ;;
	qsd) command -v qemu-storage-daemon >/dev/null || skip "no qemu-storage-daemon" ;;
	*) echo "blk_crash.sh: unknown back end $b"; exit 1 ;;
	esac
done
KVER=${VPLAT_GUEST_KVER:-$(ls /boot/vmlinuz-*-amd64 2>/dev/null | grep -v cloud | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)}
[ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ] || skip "no linux-image-amd64 kernel in /boot"
mkdir -p "$CACHE"
out=$("$SRC/tools/guest/vhu-guest-image.sh" "$CACHE") && rc=0 || rc=$?
[ $rc -eq 77 ] && skip "guest kernel image"
[ $rc -eq 0 ] || { echo "FAIL: guest kernel image"; exit 1; }
eval "$out" # KERNEL=... (INITRD is the vhu one; this test builds its own)
W=$(mktemp -d "${TMPDIR:-/tmp}/blk-crash.XXXXXX")
INITRD=$W/initrd.cpio.gz
DPID= QPID=
cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "$QPID" ] && kill -9 "$QPID" 2>/dev/null
	wait 2>/dev/null
	[ -n "${GC_KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
rc=0
"$SRC/tools/guest/mkinitramfs.sh" -o "$INITRD" -i "$HERE/blk-crash-init" -k "$KVER" \
	-m virtio_pci -m virtio_blk -b "$PROG" >/dev/null || rc=$?
[ $rc -eq 77 ] && skip "initramfs tools missing"
[ $rc -eq 0 ] || { echo "FAIL: initramfs"; exit 1; }
echo "seed $SEED, $KILLS kills, $THREADS writer threads${GC_PACKED:+, packed ring}"

# start_backend KIND SOCK IMG LOG: start the back end in the background (DPID), wait for SOCK.
start_backend() {
	local kind=$1 sock=$2 img=$3 log=$4
	rm -f "$sock"
	case $kind in
	vplat) "$VPLAT_DEVICE" blk --socket "$sock" --file "$img" --log-level debug 2>>"$log" & ;;
	vplat-async) "$VPLAT_DEVICE" blk --async --socket "$sock" --file "$img" --log-level debug 2>>"$log" & ;;
	vplat-threads) "$VPLAT_DEVICE" blk --async-threads --socket "$sock" --file "$img" --log-level debug 2>>"$log" & ;;
	qsd) qemu-storage-daemon --blockdev driver=file,node-name=f0,filename="$img",cache.direct=off \
		--export type=vhost-user-blk,id=e0,node-name=f0,addr.type=unix,addr.path="$sock",writable=on \
		>>"$log" 2>&1 & ;;
	esac
	DPID=$!
	for _ in $(seq 200); do
		[ -S "$sock" ] && return 0
		sleep 0.02
	done
	echo "FAIL: $kind did not create $sock"; tail "$log"; return 1
}

# acked CONSOLE: the newest acknowledged-record count the guest printed.
# (Markers are matched anywhere on a line: kernel messages may share the serial line.)
acked() { sed -n 's/.*GC-PROGRESS: .* acked=\([0-9]*\).*/\1/p' "$1" | tail -n1; }
progress_lines() { grep -c 'GC-PROGRESS' "$1"; }

# run_one KIND: the whole experiment against one back end; 0 when it passed.
run_one() {
	local kind=$1 sock=$W/$1.sock img=$W/$1.img log=$W/$1.log con=$W/$1.console
	truncate -s 1G "$img" # more records than 20 kills take at the fastest rate seen (256 MiB filled up)
	: >"$log"
	: >"$con"
	start_backend "$kind" "$sock" "$img" "$log" || return 1
	qemu-system-x86_64 -M q35,memory-backend=mem -accel tcg -m 256M -smp 2 \
		-nographic -no-reboot -object memory-backend-memfd,id=mem,size=256M,share=on \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 no_timer_check loglevel=4 panic=-1 gc_threads=$THREADS gc_secs=200" \
		-chardev socket,id=b0,path="$sock",reconnect=1 \
		-device vhost-user-blk-pci,chardev=b0,num-queues=1${GC_PACKED:+,packed=on} >"$con" 2>&1 &
	QPID=$!
	local t0=$SECONDS k=0 a
	while ! grep -q 'GC-START' "$con"; do
		kill -0 $QPID 2>/dev/null || { echo "FAIL($kind): QEMU ended before the guest started"; tail -20 "$con"; return 1; }
		[ $((SECONDS - t0)) -lt 90 ] || { echo "FAIL($kind): guest did not start"; tail -20 "$con"; return 1; }
		sleep 0.2
	done
	echo "$kind: guest writing after $((SECONDS - t0)) s"
	local stalled=0 ktimes=() n0 base
	while [ $k -lt "$KILLS" ]; do
		# Wait until this back-end process has started the ring, then for two progress lines
		# printed after that: the second one counting more records than the first means
		# records were acknowledged through this process.
		local w0=$SECONDS
		# gave_up WHAT: 30 s since the restart or QEMU gone: say what did not happen
		gave_up() {
			[ $((SECONDS - w0)) -ge 30 ] || ! kill -0 $QPID 2>/dev/null || return 1
			echo "FAIL($kind): $1 after restart $k"
			stalled=1
		}
		while [ "$kind" != qsd ] && ! grep -q "\[$DPID\] .*ring 0 started" "$log"; do
			gave_up "the ring was not started again" && break 2
			sleep 0.05
		done
		[ "$kind" = qsd ] && sleep 1.2 # QEMU reconnects within its 1 s reconnect interval
		n0=$(progress_lines "$con")
		while [ "$(progress_lines "$con")" -le "$n0" ]; do
			gave_up "the guest printed no progress for 30 s" && break 2
			sleep 0.1
		done
		base=$(acked "$con")
		while a=$(acked "$con"); [ "${a:-0}" -le "$base" ]; do
			gave_up "no progress for 30 s (acked ${a:-0})" && break 2
			sleep 0.1
		done
		sleep "$(printf '0.%03d' $((100 + RANDOM % 900)))"
		[ $((RANDOM % 4)) -eq 0 ] && sleep 0.$((RANDOM % 10))
		kill -9 "$DPID"
		wait "$DPID" 2>/dev/null
		k=$((k + 1))
		ktimes+=("$((SECONDS - t0))")
		sleep "0.$((RANDOM % 5))"
		start_backend "$kind" "$sock" "$img" "$log" || { stalled=1; break; }
	done
	echo "$kind: $k kills at t=${ktimes[*]} s; acked so far $(acked "$con")"
	# Stop marker: the guest polls sector 0 (through the back end) every 0.5 s.
	printf 'VPLAT-STOP-WRITING' | dd of="$img" conv=notrunc status=none
	local w0=$SECONDS
	while kill -0 $QPID 2>/dev/null && [ $((SECONDS - w0)) -lt 60 ]; do sleep 0.2; done
	kill -0 $QPID 2>/dev/null && { echo "FAIL($kind): guest did not finish"; kill -9 $QPID; }
	wait $QPID 2>/dev/null
	QPID=
	kill -9 "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
	local fail=$stalled
	grep -oE 'GC-[A-Z]+.*' "$con" | grep -v 'GC-PROGRESS' | grep -v 'GC-ACKED' | sed 's/\r$//; s/^/guest: /'
	grep -oE 'GC-PROGRESS.*' "$con" | tail -n1 | sed 's/^/guest: /'
	# QEMU's own reports of the back end going away (not errors the guest sees):
	grep -E '^qemu-system' "$con" | sed 's/\r$//' | sort | uniq -c | sed 's/^/qemu: /'
	if grep -E 'I/O error|blk_update_request|Buffer I/O|virtio_blk|EXT4|hung_task|blocked for more' \
		"$con" | sed 's/^/console: /' | head -20 | grep -q .; then
		grep -E 'I/O error|blk_update_request|Buffer I/O|virtio_blk|EXT4|hung_task|blocked for more' \
			"$con" | sed 's/\r$//; s/^/console: /' | head -20
		echo "FAIL($kind): the guest kernel reported I/O errors or hung tasks (above)"
		fail=1
	fi
	grep -q 'GC-RESULT: PASS' "$con" || { echo "FAIL($kind): the guest's run did not pass"; fail=1; }
	local counts
	counts=$(sed -n 's/.*GC-ACKED \([0-9]*\) \([0-9]*\).*/\2/p' "$con" | tr '\n' ' ')
	if [ -n "$counts" ]; then
		# shellcheck disable=SC2086
		"$PROG" check "$img" $counts | sed 's/^/host: /'
		[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "FAIL($kind): acknowledged records lost in the image"; fail=1; }
	else
		echo "FAIL($kind): the guest printed no acknowledged counts"
		fail=1
	fi
	[ $k -ge "$KILLS" ] || { echo "FAIL($kind): only $k of $KILLS kills"; fail=1; }
	echo "backend: $(grep -c 'front-end connected' "$log") connections, $(grep -c 'inflight region' "$log") inflight regions mapped, $(grep -c 'resubmitting' "$log") recoveries resubmitted $(sed -n 's/.*resubmitting \([0-9]*\) requests.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}') requests"
	grep -iE 'lost|error' "$log" | head -5 | sed 's/^/backend: /'
	if [ $fail -ne 0 ]; then
		echo "--- $kind back-end log (tail) ---"; tail -30 "$log"
		echo "--- $kind console (tail) ---"; tail -30 "$con" | sed 's/\r$//'
		return 1
	fi
	echo "PASS($kind): $k SIGKILLs, $(sed -n 's/.*GC-SUMMARY: acked=\([0-9]*\).*/\1/p' "$con") acknowledged records intact, no I/O error"
	return 0
}

result=0
for b in "${BACKENDS[@]}"; do
	run_one "$b" || result=1
done
exit $result
