#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: bench/interference-plot.sh OUT.svg RESULT.json...
# Plot bench-interference results: the critical VM's p50 and p99 latency per condition, one
# cluster per condition, one bar per run (log scale). Needs gnuplot (gnuplot-nox).
set -euo pipefail
out=$1
shift
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
python3 - "$@" >"$dat" <<'P'
import json, sys
runs = [json.load(open(f))["runs"] for f in sys.argv[1:]]
for i, r in enumerate(runs[0]):
    row = ['"%s"' % r["name"]]
    for rr in runs:
        row += ["%.1f" % rr[i]["p50_us"], "%.1f" % rr[i]["p99_us"]]
    print("\t".join(row))
P
n=$#
plot=""
for i in $(seq 1 "$n"); do
	c50=$((2 * i)) c99=$((2 * i + 1))
	plot+="\"$dat\" using $c50:xtic(1) title \"run $i p50\", \"\" using $c99 title \"run $i p99\", "
done
gnuplot <<G
set terminal svg size 900,420 dynamic font "sans,11"
set output "$out"
set title "Critical VM's 4 KiB read latency (QD1) vs a noisy VM's QD128 writes, one dispatch thread"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "latency (us, log scale)"
set grid ytics
set key outside right
set datafile separator "\t"
plot ${plot%, }
G
echo "interference-plot: wrote $out"
