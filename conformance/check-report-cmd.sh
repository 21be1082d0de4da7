#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `vplat-conform report IN.json -o OUT.html` (a few seconds): renders a fresh JSON report;
# renders a report from an older suite without the run-identity members; refuses (exit 125,
# no crash) every truncation of a report and a file that is not JSON.
# usage: check-report-cmd.sh VPLAT_CONFORM
set -u
conform=$1
w=$(mktemp -d "${TMPDIR:-/tmp}/report-cmd.XXXXXX")
trap 'rm -rf "$w"' EXIT
fail=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL $2"; fail=1; fi; }
"$conform" --quiet --tests 'core_reset*' --device 'rng@*' --json "$w/r.json" >/dev/null
"$conform" report "$w/r.json" -o "$w/r.html"; rc=$?
check '[ $rc -eq 0 ] && grep -q "Failures (0)" "$w/r.html" && grep -q "rng@mmio</code>: entropy (virtio ID 4) over virtio-mmio" "$w/r.html"' \
	"renders a fresh report with the device under test (exit $rc)"
python3 - "$w/r.json" "$w/old.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("version", "revision", "command_line", "reached", "devices"):
    j.pop(k)
for r in j["results"]:
    r.pop("description")
json.dump(j, open(sys.argv[2], "w"))
PY
"$conform" report "$w/old.json" -o "$w/old.html"; rc=$?
check '[ $rc -eq 0 ] && grep -q "core_reset" "$w/old.html"' "renders a report without the run-identity members (exit $rc)"
size=$(stat -c %s "$w/r.json")
bad=0 n=0
for cut in $(seq 1 97 $((size - 3))); do
	head -c "$cut" "$w/r.json" >"$w/cut.json"
	"$conform" report "$w/cut.json" -o "$w/cut.html" 2>/dev/null; rc=$?
	n=$((n + 1))
	[ $rc -eq 125 ] || { echo "  truncated at $cut bytes: exit $rc"; bad=$((bad + 1)); }
done
check '[ $bad -eq 0 ]' "refuses all $n truncations of the report with exit 125"
printf 'not json' >"$w/x.json"
"$conform" report "$w/x.json" -o "$w/x.html" 2>"$w/x.err"; rc=$?
check '[ $rc -eq 125 ] && grep -q "is not a vplat-conform JSON report" "$w/x.err"' "refuses a file that is not JSON"
exit $fail
