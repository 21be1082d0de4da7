#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAME
#     vhost_net.sh - vhost-user net packets per second: vplat-device net vs DPDK net_vhost
# SYNOPSIS
#     bench/vhost_net.sh VPLAT_DEVICE [SECONDS [ROUNDS [BEFORE_VPLAT_DEVICE]]]
# DESCRIPTION
#     DPDK testpmd with the net_virtio_user PMD (txonly, 64 and 1500-byte frames, forwarding
#     lcore 0) is the driver. The back-ends, measured in the same run and interleaved round by
#     round:
#       event   `vplat-device net --sink` (woken by kicks, not pinned)
#       busy    `taskset -c 1 vplat-device net --sink --busy-poll` (polls on core 1)
#       DPDK    DPDK's own net_vhost PMD in testpmd rxonly (busy-polls forwarding lcore 1)
#     and, when BEFORE_VPLAT_DEVICE is given, the same two vplat modes of that other binary
#     (e.g. the build before a change), so before/after ratios come from the same minutes.
#     The rate is the driver's Tx-pps (frames the back-end took from the ring), best second of
#     the round. Each round prints its rates and its ratios to DPDK (same round); the summary
#     gives the range of the per-round ratios. Every peer command line is printed.
# EXIT STATUS
#     0 measured (the peer may be n/a); 1 the vplat back-end moved no frames; 77 no dpdk-testpmd
set -u
VDEV=${1:?usage: vhost_net.sh VPLAT_DEVICE [SECONDS [ROUNDS [BEFORE_VPLAT_DEVICE]]]}
SECS=${2:-5}
ROUNDS=${3:-2}
BEFORE=${4:-}
command -v dpdk-testpmd >/dev/null || { echo "bench-vhost-net: SKIP: no dpdk-testpmd (dpdk-dev)"; exit 77; }
command -v taskset >/dev/null || { echo "bench-vhost-net: SKIP: no taskset (util-linux)"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/vhost-net-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
EAL="--no-huge -m 1024 --no-pci"
DRIVER_CMD="dpdk-testpmd -l 0-1 --main-lcore 1 $EAL --file-prefix=vu --vdev net_virtio_user0,path=SOCK,queues=1 -- --forward-mode=txonly --auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384 --txpkts=SIZE"
PEER_CMD="dpdk-testpmd -l 0-1 $EAL --file-prefix=vh --vdev net_vhost0,iface=SOCK,queues=1 -- --forward-mode=rxonly --auto-start --stats-period 1 --nb-cores=1 --total-num-mbufs=16384"

# driver SOCK SIZE: run testpmd virtio-user txonly for SECS seconds of forwarding (counted in
# its once-a-second statistics, so a slow start on a loaded machine does not eat the
# measurement; at most SECS + 60 s in all); print the best Tx-pps.
driver() {
	timeout -s INT $((SECS + 60)) dpdk-testpmd -l 0-1 --main-lcore 1 $EAL --file-prefix=vu$$ \
		--vdev "net_virtio_user0,path=$1,queues=1" -- --forward-mode=txonly --auto-start \
		--stats-period 1 --nb-cores=1 --total-num-mbufs=16384 --txpkts="$2" \
		</dev/null > "$W/driver.log" 2>&1 &
	local p=$!
	# The first statistics block comes before forwarding has moved anything: wait for SECS more.
	while kill -0 $p 2>/dev/null; do
		[ "$(grep -c 'Tx-pps:' "$W/driver.log" 2>/dev/null)" -gt "$SECS" ] && break
		sleep 0.2
	done
	kill -INT $p 2>/dev/null
	wait $p 2>/dev/null
	grep -o 'Tx-pps: *[0-9]*' "$W/driver.log" | awk '{ if ($2 > m) m = $2 } END { print m + 0 }'
}

wait_sock() {
	for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done
	return 1
}

# run_vplat BINARY SIZE [busy]
run_vplat() {
	local s=$W/vplat.sock p
	rm -f "$s"
	if [ "${3:-}" = busy ]; then
		taskset -c 1 "$1" net --sink --busy-poll --socket "$s" --log-level warn 2>"$W/vplat.log" &
	else
		"$1" net --sink --socket "$s" --log-level warn 2>"$W/vplat.log" &
	fi
	p=$!
	wait_sock "$s" || { kill $p; echo 0; return; }
	driver "$s" "$2"
	kill -TERM $p; wait $p 2>/dev/null
}

run_dpdk() {
	local s=$W/dpdk.sock
	rm -f "$s"
	timeout -s INT $((SECS + 90)) dpdk-testpmd -l 0-1 $EAL --file-prefix=vh$$ \
		--vdev "net_vhost0,iface=$s,queues=1" -- --forward-mode=rxonly --auto-start \
		--stats-period 1 --nb-cores=1 --total-num-mbufs=16384 </dev/null >"$W/dpdk.log" 2>&1 &
	local p=$!
	wait_sock "$s" || { kill $p; echo 0; return; }
	# Forwarding starts after the port: on a loaded machine that can take seconds.
	for _ in $(seq 200); do grep -q 'packet forwarding - ports=' "$W/dpdk.log" 2>/dev/null && break; sleep 0.1; done
	driver "$s" "$1"
	kill -INT $p 2>/dev/null; wait $p 2>/dev/null
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

echo "bench-vhost-net: DPDK testpmd net_virtio_user txonly as the driver, ${SECS} s x $ROUNDS rounds"
echo "  driver: $DRIVER_CMD"
echo "  peer:   $PEER_CMD"
echo "  vplat:  $VDEV net --sink --socket SOCK  |  taskset -c 1 $VDEV net --sink --busy-poll --socket SOCK"
[ -n "$BEFORE" ] && echo "  before: $BEFORE (same two modes)"
COLS="event busy"
[ -n "$BEFORE" ] && COLS="$COLS before-event before-busy"
printf '%-8s %5s' "frame" "round"
for c in $COLS; do printf ' %13s' "$c pps"; done
printf ' %13s' "DPDK pps"
for c in $COLS; do printf ' %13s' "$c/DPDK"; done
echo
rc=0
SUMMARY=""
for size in 64 1500; do
	declare -A lo=() hi=() best=()
	for r in $(seq "$ROUNDS"); do
		declare -A v=()
		v[event]=$(run_vplat "$VDEV" "$size")
		v[busy]=$(run_vplat "$VDEV" "$size" busy)
		if [ -n "$BEFORE" ]; then
			v[before-event]=$(run_vplat "$BEFORE" "$size")
			v[before-busy]=$(run_vplat "$BEFORE" "$size" busy)
		fi
		d=$(run_dpdk "$size")
		printf '%-8s %5d' "${size} B" "$r"
		for c in $COLS; do printf ' %13d' "${v[$c]}"; done
		printf ' %13d' "$d"
		for c in $COLS; do
			q=$(ratio "${v[$c]}" "$d")
			printf ' %13s' "$q"
			[ "${v[$c]}" -gt "${best[$c]:-0}" ] && best[$c]=${v[$c]}
			[ "$q" = - ] && continue
			if [ -z "${lo[$c]:-}" ] || awk -v a="$q" -v b="${lo[$c]}" 'BEGIN{exit !(a < b)}'; then lo[$c]=$q; fi
			if [ -z "${hi[$c]:-}" ] || awk -v a="$q" -v b="${hi[$c]}" 'BEGIN{exit !(a > b)}'; then hi[$c]=$q; fi
		done
		echo
	done
	[ "${best[event]:-0}" -gt 0 ] || [ "${best[busy]:-0}" -gt 0 ] || rc=1
	for c in $COLS; do
		SUMMARY="$SUMMARY$(printf '%-8s %-13s best %10d pps, ratio to DPDK (same round) %s' \
			"${size} B" "$c" "${best[$c]:-0}" "${lo[$c]:-n/a}${hi[$c]:+–${hi[$c]}}")"$'\n'
	done
	unset lo hi best
done
echo "summary:"
printf '%s' "$SUMMARY"
exit $rc
