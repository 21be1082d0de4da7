#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The HTML report leads with the verdict, checked in a real browser. A run with failures
# (vplat-conform against qemu-storage-daemon's vhost-user-blk export, ~3 s) writes JSON;
# `vplat-conform report` renders it (the in-guest path); headless Chromium takes a 1280x800
# screenshot (kept as OUTDIR/report-1280x800.png) and, through a script added to a copy of the
# page, reports where the Failures section is and how many failure rows it has. Checks: the
# Failures heading is inside the first screenful, one row per FAIL/ERROR result, no markdown
# backtick left in the failures, the FAIL filter shows only the failed tests, and on a phone-width window (390 px asked; headless Chromium
# lays out at least 500 px) the page does not scroll
# sideways. Skips (77) without chromium or qemu-storage-daemon.
# usage: check-report-html.sh VPLAT_CONFORM OUTDIR
set -u
conform=$1 out=$2
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
QSD=$(command -v qemu-storage-daemon || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium not installed (tools/deps.sh installs it)"; exit 77; }
[ -n "$QSD" ] || { echo "SKIP: qemu-storage-daemon not installed (a run with failures)"; exit 77; }
mkdir -p "$out"
w=$(mktemp -d "${TMPDIR:-/tmp}/report-html.XXXXXX")
qpid=
cleanup() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT
truncate -s 64M "$w/q.img"
"$QSD" --blockdev driver=file,node-name=f0,filename="$w/q.img" \
	--export type=vhost-user-blk,id=e0,node-name=f0,addr.type=unix,addr.path="$w/q.sock",writable=on \
	>"$w/qsd.log" 2>&1 &
qpid=$!
for _ in $(seq 100); do [ -S "$w/q.sock" ] && break; sleep 0.05; done
[ -S "$w/q.sock" ] || { echo "FAIL: qemu-storage-daemon did not start"; cat "$w/qsd.log"; exit 1; }
"$conform" --quiet --pal vhost-user --pal-arg socket="$w/q.sock" --pal-arg device=blk \
	--timeout 2000 --json "$out/report.json" --html "$out/direct.html"
rc=$?
[ $rc -gt 0 ] && [ $rc -lt 125 ] || { echo "FAIL: expected a run with failures, exit status $rc"; exit 1; }
"$conform" report "$out/report.json" -o "$out/report.html" || { echo "FAIL: vplat-conform report"; exit 1; }

# A copy of the page with a probe that writes the layout facts into the DOM.
probe='<script>(function(){var f=document.getElementById("failures");var h=f&&f.querySelector("h2");
var b=document.body;b.setAttribute("data-probe-top",h?Math.round(h.getBoundingClientRect().top):-1);
b.setAttribute("data-probe-rows",f?f.querySelectorAll("tr.failrow").length:-1);
b.setAttribute("data-probe-ticks",f?(f.textContent.indexOf("`")>=0?1:0):-1);
b.setAttribute("data-probe-vw",window.innerWidth);
b.setAttribute("data-probe-sw",document.documentElement.scrollWidth);
var a=document.querySelector(".counts a[data-f=FAIL]");if(a)a.click();
var n=0;document.querySelectorAll("#tests tr.res").forEach(function(r){if(r.offsetParent!==null)n++;});
b.setAttribute("data-probe-shown",a?n:-1);})();</script>'
python3 - "$out/report.html" "$w/probe.html" "$probe" <<'PY'
import sys
html = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(html.replace("</body>", sys.argv[3] + "</body>"))
PY
chrome() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--no-first-run --user-data-dir="$w/profile" "$@" 2>>"$w/chromium.log"; }
chrome --window-size=1280,800 --screenshot="$out/report-1280x800.png" "file://$out/report.html" >/dev/null
chrome --window-size=1280,800 --dump-dom "file://$w/probe.html" >"$w/dom-desktop.html"
chrome --window-size=390,844 --dump-dom "file://$w/probe.html" >"$w/dom-phone.html"
python3 - "$out/report.json" "$w/dom-desktop.html" "$w/dom-phone.html" "$out/report-1280x800.png" <<'PY'
import json, re, sys, os
j = json.load(open(sys.argv[1]))
want = sum(1 for r in j["results"] if r["result"] in ("FAIL", "ERROR"))
nfail = sum(1 for r in j["results"] if r["result"] == "FAIL")
def probe(path):
    dom = open(path).read()
    m = dict(re.findall(r'data-probe-(\w+)="(-?\d+)"', dom))
    if len(m) < 6:
        sys.exit("FAIL: the probe did not run in %s (chromium output: %d bytes)" % (path, len(dom)))
    return {k: int(v) for k, v in m.items()}
d, p = probe(sys.argv[2]), probe(sys.argv[3])
ok = True
def check(cond, msg):
    global ok
    print(("ok   " if cond else "FAIL ") + msg)
    ok &= cond
check(os.path.getsize(sys.argv[4]) > 10000, "screenshot %s (%d bytes)" % (sys.argv[4], os.path.getsize(sys.argv[4])))
check(0 <= d["top"] <= 800 - 40, "Failures heading at y=%d px, inside the first 1280x800 screenful" % d["top"])
check(d["rows"] == want, "%d failure rows in the DOM for %d FAIL/ERROR results" % (d["rows"], want))
check(d["shown"] == nfail, "the FAIL filter leaves %d of the test rows (%d FAIL results)" % (d["shown"], nfail))
check(d["ticks"] == 0, "no markdown backtick left in the Failures section")
check(p["sw"] <= p["vw"] + 1, "on a %d px phone screen the page is %d px wide (no sideways scroll)" % (p["vw"], p["sw"]))
sys.exit(0 if ok else 1)
PY
