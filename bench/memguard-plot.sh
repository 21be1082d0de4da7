#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: bench/memguard-plot.sh RESULT.json OUT.svg
# Plot a bench-memguard demo result: per condition, the victim's slowdown against running alone
# (bars, left axis) and the hog's bandwidth (bars, right axis). Needs gnuplot (gnuplot-nox).
set -euo pipefail
json=$1 out=$2
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
python3 - "$json" >"$dat" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
for r in j["runs"]:
    print('"%s"\t%.2f\t%.1f\t%.1f' % (r["name"].replace("regulated ", "reg. "),
          r["victim"]["slowdown_pct"], r["hog_mib_s"], r["victim"]["p99_us"]))
P
gnuplot <<G
set terminal svg size 900,420 dynamic font "sans,11"
set output "$out"
set title "Victim (32 MiB pointer chase, CPU 0) vs memory hog (CPU 1), medians over repetitions"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "victim slowdown vs alone (%)"
set y2label "hog bandwidth (MiB/s)"
set y2tics
set ytics nomirror
set xtics rotate by -20 scale 0
set grid ytics
set key top right
set datafile separator "\t"
plot "$dat" using 2:xtic(1) title "victim slowdown (%)" axes x1y1 lc rgb "#c0392b", \
     "" using 3 title "hog MiB/s" axes x1y2 lc rgb "#7f8c8d"
G
echo "memguard-plot: wrote $out"
