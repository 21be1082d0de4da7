#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run vplat-conform with every report format, then check each report is well formed and
# agrees with the exit status: TAP plan and lines, JUnit XML parses, JSON parses, the HTML
# report is self-contained (no external resources) and names every requirement tested; each
# carries the suite version and source revision.
# usage: check-reports.sh VPLAT_CONFORM OUTDIR [vplat-conform options...]
set -uo pipefail
conform=$1 out=$2
shift 2
mkdir -p "$out"
"$conform" "$@" --quiet --tap "$out/report.tap" --junit "$out/report.xml" \
	--json "$out/report.json" --html "$out/report.html" | tee "$out/summary.txt"
rc=${PIPESTATUS[0]}
python3 - "$out" "$rc" <<'PY'
import json, sys, re, xml.etree.ElementTree as ET
out, rc = sys.argv[1], int(sys.argv[2])
j = json.load(open(out + "/report.json"))
s = j["summary"]
assert s["total"] == len(j["results"]) > 0, "empty or inconsistent JSON report"
bad = s["fail"] + s["error"]
assert rc == min(bad, 100), f"exit status {rc} but {bad} failures"
x = ET.parse(out + "/report.xml").getroot()
assert int(x.get("tests")) == s["total"] and int(x.get("failures")) == s["fail"]
tap = open(out + "/report.tap").read().splitlines()
assert tap[0] == "TAP version 13" and tap[1] == "1..%d" % s["total"]
assert sum(1 for l in tap if re.match(r"(not )?ok \d+ ", l)) == s["total"]
html = open(out + "/report.html").read()
assert "<script src" not in html and "<link" not in html and "http" not in html.split("</style>")[0]
ver, rev = j.get("version"), j.get("revision")
assert ver and rev, "JSON report without version or revision"
assert "# vplat-conform %s (revision %s)" % (ver, rev) in tap, "TAP report without version"
props = {p.get("name"): p.get("value") for p in x.iter("property")}
assert props.get("version") == ver and props.get("revision") == rev, "JUnit report without version"
assert ver in html and rev in html, "HTML report without version or revision"
for r in j["results"]:
    for req in r["requirements"].split():
        assert req in html, req + " missing from the HTML report"
print("reports: %d results (%d pass, %d fail, %d skip, %d error), all four formats consistent"
      % (s["total"], s["pass"], s["fail"], s["skip"], s["error"]))
for r in j["results"]:
    if r["result"] in ("FAIL", "ERROR"):
        print("  %s %s on %s: %s | expected: %s | seen: %s" % (r["result"], r["test"], r["device"], r["detail"], r["expected"], r["seen"]))
PY
prc=$?
[ $prc -eq 0 ] || exit 1
exit "$rc"
