#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: bench/interference-plot.sh OUT.svg RESULT.json...
# Plot bench-interference results of one scenario (block, switch, can, dispatch, or
# switch-guests from bench/interference-guests.sh): the critical VM's p50 and p99 latency per
# condition, one cluster per condition, one bar per run (log scale). A condition where no
# critical frame got through has no bar (its label says so); latencies under 0.1 us are drawn
# at 0.1 us. Needs gnuplot (gnuplot-nox).
set -euo pipefail
out=$1
shift
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
scenario=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("scenario", "block"))' "$1")
python3 - "$@" >"$dat" <<'P'
import json, sys
runs = [json.load(open(f))["runs"] for f in sys.argv[1:]]
def v(x):
    if x is None:
        return "?"
    return "%.1f" % max(x, 0.1)
for i, r in enumerate(runs[0]):
    name = r["name"]
    if r.get("p50_us") is None:
        name += " (all lost)"
    row = ['"%s"' % name]
    for rr in runs:
        row += [v(rr[i]["p50_us"]), v(rr[i]["p99_us"])]
    print("\t".join(row))
P
case $scenario in
block) title="Critical VM's 4 KiB read latency (QD1) vs a noisy VM's QD128 writes, one dispatch thread" ;;
switch) title="Critical VM's frame latency, noisy VM flooding the same 100 Mbit/s switch uplink (simulated time)" ;;
can) title="Critical node's frame latency on a 500 kbit/s CAN bus with a babbling node (simulated time)" ;;
switch-guests) title="Critical Linux guest's ping RTT, noisy guest flooding the same 10 Mbit/s vplat-switch uplink (QEMU TCG)" ;;
dispatch) title="Critical VM's 4 KiB read latency on a daemon thread shared with a full noisy ring (thread CPU time)" ;;
*) title="bench-interference: $scenario" ;;
esac
n=$#
plot=""
for i in $(seq 1 "$n"); do
	c50=$((2 * i)) c99=$((2 * i + 1))
	plot+="\"$dat\" using $c50:xtic(1) title \"run $i p50\", \"\" using $c99 title \"run $i p99\", "
done
gnuplot <<G
set terminal svg size 900,420 dynamic font "sans,11"
set output "$out"
set title "$title"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "latency (us, log scale)"
set grid ytics
set key outside right
set datafile separator "\t"
set datafile missing "?"
plot ${plot%, }
G
echo "interference-plot: wrote $out"
