#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""MISRA C:2012 check of vplat-core against the documented rule statuses.

usage: misra-check.py [--cppcheck PATH] [--from FILE] [--save FILE] [--src DIR]

Runs `cppcheck --addon=misra` (cppcheck 2.10; run without the rule texts, so findings carry
rule numbers only) over the portable layers (lib/core, lib/transport, lib/devices and the
headers they include), then checks every finding against the rules table of docs/misra.md,
which is the deviation list:

  | Rule 15.5 | A | summary | deviated (project) | rationale |

  followed                 a finding of this rule fails the check
  deviated (project)       every finding of the rule is covered
  deviated (scope: G, ...) findings in files matching one of the globs G are covered
  deviated (site)          a finding is covered only by a marker on its line or the line
                           above: /* misra-deviation: 11.8 reason */
  manual                   not checked by the addon: a finding means the table is wrong

Fails (exit 1) on any finding not covered, on a marker for a rule whose status is not
"deviated (site)", on a marker that covers no finding, and on a table that does not list every
rule and directive exactly once. --from reads a saved cppcheck output instead of running it
(--save writes one). Bounded: one cppcheck run, about 3 minutes on one core.
"""
import argparse
import collections
import fnmatch
import glob
import os
import re
import subprocess
import sys

# Every guideline of MISRA C:2012 (with Amendments 1 and 2): directive/rule -> highest number.
DIRS = {1: 1, 2: 1, 3: 1, 4: 14}
RULES = {1: 4, 2: 7, 3: 2, 4: 2, 5: 9, 6: 2, 7: 4, 8: 14, 9: 5, 10: 8, 11: 9, 12: 5, 13: 6,
         14: 4, 15: 7, 16: 7, 17: 8, 18: 8, 19: 2, 20: 14, 21: 21, 22: 10}
FINDING = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): misra-c2012-(?P<rule>[\d.]+):")
MARKER = re.compile(r"misra-deviation:\s*(\d+\.\d+)")
ROW = re.compile(r"^\|\s*(Rule|Dir) (\d+\.\d+)\s*\|\s*([MRA])\s*\|(?:[^|\\]|\\.)*\|\s*([^|]+?)\s*\|")


def load_table(path):
    table, errors = {}, []
    for n, ln in enumerate(open(path, encoding="utf-8"), 1):
        m = ROW.match(ln)
        if not m:
            continue
        key = f"{m.group(1)} {m.group(2)}"
        status = m.group(4)
        if key in table:
            errors.append(f"{path}:{n}: {key} listed twice")
        if not re.match(r"^(followed|manual|deviated \((project|site|scope: [^)]+)\))$", status):
            errors.append(f"{path}:{n}: {key}: unknown status '{status}'")
        table[key] = status
    want = [f"Dir {a}.{b}" for a, n in DIRS.items() for b in range(1, n + 1)]
    want += [f"Rule {a}.{b}" for a, n in RULES.items() for b in range(1, n + 1)]
    for k in want:
        if k not in table:
            errors.append(f"{path}: {k} is missing from the rules table")
    for k in table:
        if k not in want:
            errors.append(f"{path}: {k} is not a MISRA C:2012 guideline")
    return table, errors


def run_cppcheck(exe, src):
    files = []
    for d in ("lib/core", "lib/transport", "lib/devices"):
        files += sorted(glob.glob(os.path.join(d, "**/*.c"), root_dir=src, recursive=True))
    cmd = [exe, "--addon=misra", "--std=c11", "-D__GNUC__", "-I", "include", "-I", "lib",
           "--suppress=missingIncludeSystem", "-q",
           "--template={file}:{line}:{column}: {id}: {message}"] + files
    r = subprocess.run(cmd, cwd=src, capture_output=True, text=True)
    out = r.stdout + r.stderr
    if r.returncode != 0:
        sys.stderr.write(out)
        sys.exit(f"misra-check: cppcheck exited {r.returncode}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--cppcheck", default="cppcheck")
    ap.add_argument("--from", dest="from_file")
    ap.add_argument("--save")
    ap.add_argument("--table", default="docs/misra.md")
    a = ap.parse_args()
    src = os.path.abspath(a.src)
    table, errors = load_table(os.path.join(src, a.table))
    out = open(a.from_file, encoding="utf-8").read() if a.from_file else run_cppcheck(a.cppcheck, src)
    if a.save:
        with open(a.save, "w", encoding="utf-8") as f:
            f.write(out)
    findings = set()
    for ln in out.splitlines():
        m = FINDING.match(ln)
        if m:
            f = os.path.normpath(m.group("file"))
            findings.add((f, int(m.group("line")), int(m.group("col")), m.group("rule")))
        elif "misra" in ln and "error" in ln.lower():
            errors.append("cppcheck: " + ln)
    if not findings and not errors:
        errors.append("no findings at all: did the addon run? (expected the deviated ones)")

    cache = {}

    def lines(f):
        if f not in cache:
            try:
                cache[f] = open(os.path.join(src, f), encoding="utf-8").read().split("\n")
            except OSError:
                cache[f] = []
        return cache[f]

    # Markers present in the sources (portable layers and their headers).
    markers = {}
    for pat in ("lib/core/**/*.[ch]", "lib/transport/**/*.[ch]", "lib/devices/**/*.[ch]",
                "lib/core/*.[ch]", "lib/transport/*.[ch]", "include/vplat/*.h",
                "include/vplat/spec/*.h"):
        for p in glob.glob(os.path.join(src, pat), recursive=True):
            rel = os.path.relpath(p, src)
            for n, ln in enumerate(lines(rel), 1):
                for m in MARKER.finditer(ln):
                    markers[(rel, n, m.group(1))] = False

    per_rule = collections.Counter()
    covered = collections.Counter()
    uncovered = []
    for f, line, col, rule in sorted(findings):
        key = f"Rule {rule}" if f"Rule {rule}" in table else f"Dir {rule}"
        status = table.get(key, "followed")
        per_rule[rule] += 1
        ok = False
        if status == "deviated (project)":
            ok = True
        elif status.startswith("deviated (scope:"):
            globs = [g.strip() for g in status[len("deviated (scope:"):-1].split(",")]
            ok = any(fnmatch.fnmatch(f, g) for g in globs)
        elif status == "deviated (site)":
            for n in (line, line - 1):
                if (f, n, rule) in markers:
                    markers[(f, n, rule)] = True
                    ok = True
        if ok:
            covered[rule] += 1
        else:
            src_line = lines(f)[line - 1].strip() if 0 < line <= len(lines(f)) else ""
            uncovered.append(f"{f}:{line}:{col}: MISRA {rule} ({status}): {src_line}")
    for (f, n, rule), used in sorted(markers.items()):
        st = table.get(f"Rule {rule}", table.get(f"Dir {rule}", "?"))
        if st != "deviated (site)":
            errors.append(f"{f}:{n}: marker for {rule}, whose status is '{st}', not 'deviated (site)'")
        elif not used:
            errors.append(f"{f}:{n}: marker for {rule} covers no finding (remove it)")

    print(f"misra-check: {len(findings)} findings in {len(per_rule)} rules; "
          f"{sum(covered.values())} covered by documented deviations, {len(uncovered)} not")
    for rule in sorted(per_rule, key=lambda r: tuple(int(x) for x in r.split("."))):
        key = f"Rule {rule}" if f"Rule {rule}" in table else f"Dir {rule}"
        print(f"  {rule:6} {per_rule[rule]:5} found, {covered[rule]:5} covered  [{table.get(key, '?')}]")
    for u in uncovered:
        print("misra-check: FAIL: " + u, file=sys.stderr)
    for e in errors:
        print("misra-check: FAIL: " + e, file=sys.stderr)
    return 1 if uncovered or errors else 0


if __name__ == "__main__":
    sys.exit(main())
