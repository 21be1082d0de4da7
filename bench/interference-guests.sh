#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NAME
#     interference-guests.sh - the interference lab's switch scenario with Linux guests
#
# SYNOPSIS
#     bench/interference-guests.sh VPLAT_SWITCH CACHE_DIR OUT.json
#
# DESCRIPTION
#     Three QEMU TCG guests (Linux virtio_net over virtio-pci) on one vplat-switch
#     (examples/vplat_switch.c), each on a -netdev stream port. The peer's port is the shared
#     uplink, shaped to 10 Mbit/s. The critical guest pings the peer every 0.1 s on VLAN 5 with
#     PCP 6; the noisy guest floods the peer with 48 adaptive 1400-byte pings, untagged (PCP 0).
#     Conditions: alone (no noisy guest), together with one class on the uplink port, together
#     with 8 classes served by strict priority. Writes the critical guest's ping RTTs per
#     condition (p50, p99, max, lost) to OUT.json. Numbers are reported, not judged. About 3
#     minutes per condition on a loaded 2-CPU machine. Not run by CTest or CI.
#
# EXIT STATUS
#     0 done, 1 failure, 77 skipped (no QEMU, kernel or busybox-static).
set -uo pipefail
SWITCH=${1:?usage: interference-guests.sh VPLAT_SWITCH CACHE_DIR OUT.json}
CACHE=${2:?usage: interference-guests.sh VPLAT_SWITCH CACHE_DIR OUT.json}
OUT=${3:?usage: interference-guests.sh VPLAT_SWITCH CACHE_DIR OUT.json}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
img=$(VPLAT_GUEST_MODS="virtio_pci virtio_net 8021q" \
	"$SRC/tools/guest/net-guest-image.sh" "$CACHE" "$HERE/interference-guest-init") ; rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -ne 0 ] && { echo "interference-guests: guest image build failed" >&2; exit 1; }
eval "$img"
W=$(mktemp -d "${TMPDIR:-/tmp}/vplat-intf-guests.XXXXXX")
SW_PID=
trap '[ -n "$SW_PID" ] && kill $SW_PID 2>/dev/null; rm -rf "$W"' EXIT
COUNT=${LAB_COUNT:-200}
boot() { # NAME MAC ROLE SOCK
	timeout 150 qemu-system-x86_64 -M q35 -accel tcg -nographic -no-reboot -m 256M -smp 1 \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 no_timer_check loglevel=4 panic=-1 lab_role=$3 lab_secs=60 lab_delay=20 lab_count=$COUNT" \
		-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$4" \
		-device virtio-net-pci,netdev=n0,mac=$2 > "$W/$1.log" 2>&1
}
run() { # NAME UPLINK_OPTS WITH_NOISY
	rm -f "$W"/*.sock
	"$SWITCH" --stream "$W/c.sock" --stream "$W/n.sock" --stream "$W/p.sock,$2" --duration 140 \
		> "$W/switch-$1.log" 2>&1 &
	SW_PID=$!
	for _ in $(seq 50); do [ -S "$W/p.sock" ] && break; sleep 0.1; done
	boot "peer-$1" 52:54:00:00:0c:03 peer "$W/p.sock" & local p=$!
	local n=
	if [ "$3" = 1 ]; then boot "noisy-$1" 52:54:00:00:0c:02 noisy "$W/n.sock" & n=$!; fi
	boot "crit-$1" 52:54:00:00:0c:01 crit "$W/c.sock"
	kill $p $n 2>/dev/null
	wait $p $n 2>/dev/null
	kill -TERM $SW_PID 2>/dev/null
	wait $SW_PID
	SW_PID=
	grep -E "LAB:|packets" "$W"/*-"$1".log
}
run alone "rate=10000000" 0
run fifo "rate=10000000" 1
run strict "rate=10000000,classes=8,strict" 1
python3 - "$W" "$OUT" "$COUNT" "$(cut -d' ' -f1 /proc/loadavg)" <<'P'
import json, re, sys
w, out, count, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
names = {"alone": "alone", "fifo": "together, one class (FIFO)",
         "strict": "together, strict priority (PCP 6)"}
runs = []
for key, name in names.items():
    txt = open("%s/crit-%s.log" % (w, key), errors="replace").read()
    rtt = sorted(float(m) for m in re.findall(r"seq=\d+ ttl=\d+ time=([0-9.]+) ms", txt))
    n = len(rtt)
    pct = lambda q: round(rtt[min(n - 1, int(n * q))] * 1000, 1) if n else None
    sw = open("%s/switch-%s.log" % (w, key), errors="replace").read()
    nb = re.search(r"port 1 \S+: in (\d+) frames (\d+) bytes", sw)
    up = re.search(r"port 2 \S+: .*drops vlan \d+ mac \d+ queue (\d+)", sw)
    runs.append({"name": name, "pings_sent": count, "replies": n, "lost": count - n,
                 "p50_us": pct(0.5), "p99_us": pct(0.99), "p999_us": pct(0.999),
                 "max_us": round(rtt[-1] * 1000, 1) if n else None,
                 "noisy_bytes_into_switch": int(nb.group(2)) if nb else 0,
                 "uplink_queue_drops": int(up.group(1)) if up else 0})
    print("%-36s replies %3d/%d p50 %s p99 %s max %s us" % (name, n, count, pct(0.5), pct(0.99),
                                                            runs[-1]["max_us"]))
json.dump({"tool": "bench/interference-guests.sh", "scenario": "switch-guests",
           "load_average": load,
           "params": "3 QEMU TCG Linux guests on vplat-switch stream ports; uplink (peer) port "
                     "shaped to 10 Mbit/s; critical pings every 0.1 s on VLAN 5 PCP 6; noisy: "
                     "48 adaptive 1400-byte pings, untagged; latency = ping RTT",
           "runs": runs}, open(out, "w"), indent=2)
P
