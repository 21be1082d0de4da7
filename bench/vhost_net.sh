#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAME
#     vhost_net.sh - vhost-user net packets per second: vplat-device net vs DPDK net_vhost
# SYNOPSIS
#     bench/vhost_net.sh VPLAT_DEVICE [SECONDS [ROUNDS]]
# DESCRIPTION
#     DPDK testpmd with the net_virtio_user PMD (txonly, 64 and 1500-byte frames, one core) is
#     the driver. The back-ends, measured in the same run and interleaved: `vplat-device net
#     --sink` (event-driven: woken by kicks) and DPDK's own net_vhost PMD in testpmd rxonly
#     (busy-polling one core). The rate is the driver's steady Tx-pps (frames the back-end took
#     from the ring), best second of the best round. Prints the ratio vplat / DPDK.
# EXIT STATUS
#     0 measured (the peer may be n/a); 1 the vplat back-end moved no frames; 77 no dpdk-testpmd
set -u
VDEV=${1:?usage: vhost_net.sh VPLAT_DEVICE [SECONDS [ROUNDS]]}
SECS=${2:-5}
ROUNDS=${3:-2}
command -v dpdk-testpmd >/dev/null || { echo "bench-vhost-net: SKIP: no dpdk-testpmd (dpdk-dev)"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/vhost-net-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
EAL="--no-huge -m 1024 --no-pci"

# driver SOCK SIZE: run testpmd virtio-user txonly for SECS; print the best Tx-pps.
driver() {
	timeout -s INT $((SECS + 2)) dpdk-testpmd -l 0-1 --main-lcore 1 $EAL --file-prefix=vu$$ \
		--vdev "net_virtio_user0,path=$1,queues=1" -- --forward-mode=txonly --auto-start \
		--stats-period 1 --nb-cores=1 --total-num-mbufs=16384 --txpkts="$2" \
		</dev/null > "$W/driver.log" 2>&1
	grep -o 'Tx-pps: *[0-9]*' "$W/driver.log" | awk '{ if ($2 > m) m = $2 } END { print m + 0 }'
}

wait_sock() {
	for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done
	return 1
}

run_vplat() {
	local s=$W/vplat.sock
	rm -f "$s"
	"$VDEV" net --sink --socket "$s" --log-level warn 2>"$W/vplat.log" &
	local p=$!
	wait_sock "$s" || { kill $p; echo 0; return; }
	driver "$s" "$1"
	kill -TERM $p; wait $p 2>/dev/null
}

run_dpdk() {
	local s=$W/dpdk.sock
	rm -f "$s"
	timeout -s INT $((SECS + 8)) dpdk-testpmd -l 0-1 $EAL --file-prefix=vh$$ \
		--vdev "net_vhost0,iface=$s,queues=1" -- --forward-mode=rxonly --auto-start \
		--stats-period 1 --nb-cores=1 --total-num-mbufs=16384 </dev/null >"$W/dpdk.log" 2>&1 &
	local p=$!
	wait_sock "$s" || { kill $p; echo 0; return; }
	sleep 1
	driver "$s" "$1"
	kill -INT $p 2>/dev/null; wait $p 2>/dev/null
}

echo "bench-vhost-net: DPDK testpmd net_virtio_user txonly as the driver, ${SECS} s x $ROUNDS rounds"
printf '%-8s %14s %14s %8s\n' "frame" "vplat pps" "DPDK vhost pps" "ratio"
rc=0
for size in 64 1500; do
	bv=0 bd=0
	for _ in $(seq "$ROUNDS"); do
		v=$(run_vplat "$size"); [ "$v" -gt "$bv" ] && bv=$v
		d=$(run_dpdk "$size"); [ "$d" -gt "$bd" ] && bd=$d
	done
	[ "$bv" -gt 0 ] || { v=$(run_vplat "$size"); [ "$v" -gt 0 ] && bv=$v; } # one retry under load
	[ "$bv" -gt 0 ] || rc=1
	if [ "$bd" -gt 0 ]; then
		printf '%-8s %14d %14d %8.2f\n' "${size} B" "$bv" "$bd" "$(echo "$bv $bd" | awk '{print $1 / $2}')"
	else
		printf '%-8s %14d %14s %8s\n' "${size} B" "$bv" "n/a" "-"
	fi
done
exit $rc
