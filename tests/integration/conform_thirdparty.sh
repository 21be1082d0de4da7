#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The conformance suite (vplat-conform, PAL vhost-user) against third-party vhost-user back
# ends: qemu-storage-daemon's vhost-user-blk export and DPDK testpmd's net_vhost. Each run
# writes all four reports (conformance/check-reports.sh checks they agree), then the set of
# FAIL/ERROR test names is compared with tests/integration/expected/<backend>.txt: a new
# failure fails the test, and so does a documented one that disappeared (then update
# docs/conformance-results.md and the expected file). Exit 77 (skip) when neither
# qemu-storage-daemon nor dpdk-testpmd is installed; with only one of them, the other is run
# and checked, and the test still exits 77 (it could not check everything) unless it failed.
# Usage: conform_thirdparty.sh VPLAT_CONFORM CHECK_REPORTS EXPECTED_DIR
set -u
CONFORM=$1 CHECK=$2 EXPECTED=$3
QSD=$(command -v qemu-storage-daemon || true)
TESTPMD=$(command -v dpdk-testpmd || true)
if [ -z "$QSD" ] && [ -z "$TESTPMD" ]; then
	echo "skip: neither qemu-storage-daemon nor dpdk-testpmd is installed"
	exit 77
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/conform-3p.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail=0
missing=0

wait_socket() { # PATH PID
	for _ in $(seq 200); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# NAME DEVICE SOCKET: run the suite, compare the FAIL/ERROR names with the expected file.
check() {
	local name=$1 dev=$2 sock=$3 out=$W/$1
	"$CHECK" "$CONFORM" "$out" --pal vhost-user --pal-arg socket="$sock" \
		--pal-arg device="$dev" --pal-arg name="$name" --timeout 2000 >"$W/$name.check" 2>&1
	if ! grep -q "all four formats consistent" "$W/$name.check"; then
		echo "$name: the reports are missing or inconsistent"
		cat "$W/$name.check"
		fail=1
		return
	fi
	grep -E '^(vplat-conform|reports):' "$W/$name.check" | sed "s/^/$name: /"
	python3 - "$out/report.json" >"$W/$name.seen" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for r in sorted(j["results"], key=lambda r: r["test"]):
    if r["result"] in ("FAIL", "ERROR"):
        print(r["test"])
PY
	grep -vE '^\s*(#|$)' "$EXPECTED/$name.txt" | awk '{print $1}' | sort -u >"$W/$name.want"
	sort -u -o "$W/$name.seen" "$W/$name.seen"
	local new gone
	new=$(comm -13 "$W/$name.want" "$W/$name.seen")
	gone=$(comm -23 "$W/$name.want" "$W/$name.seen")
	if [ -n "$new" ]; then
		echo "$name: NEW failures (not in expected/$name.txt):"
		for t in $new; do grep -E "^  (FAIL|ERROR) $t " "$W/$name.check" || echo "  $t"; done
		fail=1
	fi
	if [ -n "$gone" ]; then
		echo "$name: documented failures that DISAPPEARED (update docs/conformance-results.md" \
			"and expected/$name.txt):"
		echo "$gone" | sed 's/^/  /'
		fail=1
	fi
	[ -z "$new$gone" ] && echo "$name: FAIL/ERROR set matches expected/$name.txt" \
		"($(wc -l <"$W/$name.want") entries)"
}

if [ -n "$QSD" ]; then
	truncate -s 64M "$W/q.img"
	"$QSD" --blockdev driver=file,node-name=f0,filename="$W/q.img" \
		--export type=vhost-user-blk,id=e0,node-name=f0,addr.type=unix,addr.path="$W/q.sock",writable=on \
		>"$W/qsd.log" 2>&1 &
	pids+=($!)
	if wait_socket "$W/q.sock" "$!"; then
		check qsd-blk blk "$W/q.sock"
	else
		echo "qsd-blk: qemu-storage-daemon did not start"; cat "$W/qsd.log"; fail=1
	fi
else
	echo "qsd-blk: SKIP (no qemu-storage-daemon: apt-get install qemu-system-common)"
	missing=1
fi

if [ -n "$TESTPMD" ]; then
	# --stats-period keeps testpmd running without a terminal on standard input.
	"$TESTPMD" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "vpc$$" \
		--vdev "net_vhost0,iface=$W/d.sock,queues=1" -- --forward-mode=macswap --auto-start \
		--nb-cores=1 --total-num-mbufs=2048 --stats-period 3600 </dev/null >"$W/dpdk.log" 2>&1 &
	pids+=($!)
	if wait_socket "$W/d.sock" "$!"; then
		check dpdk-net net "$W/d.sock"
	else
		echo "dpdk-net: dpdk-testpmd did not start"; tail -20 "$W/dpdk.log"; fail=1
	fi
else
	echo "dpdk-net: SKIP (no dpdk-testpmd: apt-get install dpdk-dev)"
	missing=1
fi
[ $fail -eq 0 ] && [ $missing -eq 1 ] && exit 77
exit $fail
