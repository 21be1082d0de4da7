# SPDX-License-Identifier: BSD-3-Clause
# Shared by tests/guest/vhost_user_*.sh: guest image, daemon start/stop, QEMU run.
# Needs VPLAT_DEVICE (the vplat-device binary) and VPLAT_SRC (source tree); uses
# VPLAT_GUEST_CACHE (default: $TMPDIR/vplat-guest-cache) for the kernel and initramfs.
set -u
SKIP=77
: "${VPLAT_DEVICE:?}" "${VPLAT_SRC:?}"
CACHE=${VPLAT_GUEST_CACHE:-${TMPDIR:-/tmp}/vplat-guest-cache}
W=$(mktemp -d "${TMPDIR:-/tmp}/vhu-test.XXXXXX")
DAEMON_PID=
cleanup() {
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

guest_image() {
	local out rc
	out=$("$VPLAT_SRC/tools/guest/vhu-guest-image.sh" "$CACHE") && rc=0 || rc=$?
	[ $rc -eq 77 ] && exit $SKIP
	[ $rc -eq 0 ] || { echo "FAIL: guest image build"; exit 1; }
	eval "$out"
}

# start_daemon LOG ARGS...: vplat-device in the background, wait for its socket.
start_daemon() {
	local log=$1; shift
	"$VPLAT_DEVICE" "$@" 2>"$log" &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && return 0
		sleep 0.05
	done
	echo "FAIL: daemon did not create $SOCK"; cat "$log"; exit 1
}

# stop_daemon: SIGTERM, expect a clean exit (status 0) within 5 s.
stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	local rc=0
	for _ in $(seq 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	return $rc
}

# run_qemu OUT CMDLINE QEMU_ARGS...: q35 TCG guest with 256 MiB of shared memfd memory.
run_qemu() {
	local out=$1 cmd=$2; shift 2
	timeout "${QEMU_TIMEOUT:-120}" qemu-system-x86_64 -M q35,memory-backend=mem -accel tcg \
		-m 256M -smp 1 -nographic -no-reboot \
		-object memory-backend-memfd,id=mem,size=256M,share=on \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 no_timer_check loglevel=4 panic=-1 $cmd" "$@" > "$out" 2>&1
}

expect_pass() {
	local out=$1
	grep -E '^VHU-(OK|FAIL|INFO)' "$out" | sed 's/\r$//'
	if grep -q 'VHU-RESULT: PASS' "$out"; then return 0; fi
	echo "FAIL: guest did not pass; console tail:"; tail -30 "$out"
	return 1
}
