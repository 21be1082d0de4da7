#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: bench/memguard-plot.sh RESULT.json OUT.svg [alone|control]
# Plot a bench-memguard demo result: per condition, the victim's slowdown against running alone
# (bars: median over the repetitions of each repetition's slowdown; error bars: the smallest
# and largest repetition; left axis) and the hog's bandwidth (bars, right axis). Needs gnuplot
# (gnuplot-nox). With "control", the slowdown is against the CPU-only hog instead of alone.
set -euo pipefail
json=$1 out=$2 base=${3:-alone}
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
title=$(python3 - "$json" "$base" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
kib = j.get("victim_kib", 32768)
ws = "%d MiB" % (kib // 1024) if kib % 1024 == 0 else "%d KiB" % kib
hc = j.get("hog_cpu", 1)
where = "the same CPU 0, time-shared" if hc == 0 else "CPU %d" % hc
per = j.get("periodic_us", 0)
kind = "periodic %d us job" % per if per else "pointer chase"
print("Victim (%s %s, CPU 0) vs memory hog (%s); %d repetitions, load %.0f-%.0f"
      % (ws, kind, where, j.get("repetitions", 1), j.get("loadavg_1min_start", 0),
         j.get("loadavg_1min_end", 0)))
P
)
python3 - "$json" "$base" >"$dat" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
pre = "vs_control_pct" if sys.argv[2] == "control" else "slowdown_pct"
for r in j["runs"]:
    v = r["victim"]
    if sys.argv[2] == "control" and r["name"] == "alone":
        continue
    med = v.get(pre + "_median_of_reps", v["slowdown_pct"])
    lo = v.get(pre + "_min", med)
    hi = v.get(pre + "_max", med)
    print('"%s"\t%.2f\t%.2f\t%.2f\t%.1f' % (r["name"].replace("regulated ", "reg. "),
          med, lo, hi, r["hog_mib_s"]))
P
gnuplot <<G
set terminal svg size 1000,440 dynamic font "sans,11"
set output "$out"
set title "$title"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "victim slowdown vs $base (%), median and range of repetitions"
set y2label "hog bandwidth (MiB/s)"
set y2tics
set ytics nomirror
set xtics rotate by -20 scale 0
set grid ytics
set key top right
set datafile separator "\t"
plot "$dat" using 2:3:4:xtic(1) title "victim slowdown (%)" axes x1y1 lc rgb "#c0392b", \
     "" using 5:5:5 title "hog MiB/s" axes x1y2 lc rgb "#7f8c8d"
G
echo "memguard-plot: wrote $out"
