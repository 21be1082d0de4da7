#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""spec-index - index, check and trace the vplat specification's requirements.

usage: tools/spec-index.py [--write] [--trace REPORT.json ... --out FILE.md]
                           [--junit CTEST-JUNIT.xml ...] [--require-passed PREFIX ...]

Reads every requirement line of spec/*.md (format in spec/README.md), the requirement IDs that
conformance tests name (VPLAT_TEST lines in conformance/tests), those that Check unit tests name
(a `/* covers: ID ... */` line opening a START_TEST body in tests/unit/test_*.c, for what only
the platform side can observe; named unit.FILE:CASE, its result is CTest's unit.FILE), the IDs
that CTest tests name (`covers(CTEST-NAME): VPLAT-X-NNN ...` in a comment of a file under
tests/, next to the check; CTEST-NAME is the test's name in CTest, e.g. unit.test_switch), and
spec/untested.md.

Checks (exit status 1 on any failure, with one line per problem):
  - every requirement line is well formed and every ID is unique;
  - spec/requirements.tsv is exactly what the chapters generate (--write regenerates it);
  - every MUST has a conformance test or an entry in spec/untested.md with a reason;
  - tests and untested.md name only IDs that exist; no ID is both tested and listed untested.
With --trace, writes a Markdown traceability table (requirement -> tests -> result in the given
vplat-conform JSON reports and CTest JUnit files) to --out.
With --require-passed PREFIX (e.g. FFI), also fails unless every MUST whose ID starts with
VPLAT-PREFIX- has a test that ran and passed in this run: a conformance test with a PASS in one
of the --trace reports, or a CTest test passed (not skipped) in one of the --junit files.
A MUST that vplat does not meet today is listed in spec/untested.md with a reason starting
"**not met**": it is printed as a KNOWN GAP, not counted as passed, and does not fail the check.
"""
import glob, json, os, re, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
REQ = re.compile(r"^- `(VPLAT-[A-Z][A-Z0-9]*-\d{3})` \*\*(MUST|SHOULD|MAY|WITHDRAWN)\*\*: (.+) \[origin: (.+)\]$")
TEST = re.compile(r'^VPLAT_TEST\(([a-z0-9_]+),\s*"([^"]*)"')
# covers(NAME): then IDs, which may continue on the next comment lines (" * ", "# ", "// ").
COVERS = re.compile(r"covers\(([A-Za-z0-9_.+\-]+)\):((?:(?:\s|\*|//|#)+VPLAT-[A-Z][A-Z0-9]*-\d{3})+)")
UNTESTED = re.compile(r"^- `(VPLAT-[A-Z][A-Z0-9]*-\d{3})`: (.+)$")


def chapters():
    return sorted(p for p in glob.glob(os.path.join(ROOT, "spec", "*.md"))
                  if re.match(r"\d\d-", os.path.basename(p)))


def load_reqs(errors):
    reqs, seen = [], set()
    for path in chapters():
        name = os.path.basename(path)
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line.startswith("- `VPLAT-"):
                continue
            m = REQ.match(line)
            if not m:
                errors.append(f"{name}:{n}: malformed requirement line")
                continue
            rid, level, text, origin = m.groups()
            if rid in seen:
                errors.append(f"{name}:{n}: duplicate ID {rid}")
            seen.add(rid)
            if "\t" in text or "\t" in origin:
                errors.append(f"{name}:{n}: tab in requirement text")
            reqs.append((rid, level, name, origin, text))
    return reqs


def load_tests():
    tests = {}
    for path in glob.glob(os.path.join(ROOT, "conformance", "tests", "**", "*.c"), recursive=True):
        for line in open(path, encoding="utf-8"):
            m = TEST.match(line)
            if m:
                tests[m.group(1)] = m.group(2).split()
    return tests


UNIT_TEST = re.compile(r"^START_TEST\(([a-z0-9_]+)\)")
UNIT_COVERS = re.compile(r"^\s*/\* covers: ((?:VPLAT-[A-Z][A-Z0-9]*-\d{3} ?)+) \*/")


def load_unit_tests():
    """Check tests (tests/unit/test_*.c) whose body starts with a line
    `/* covers: VPLAT-X-NNN ... */` right after START_TEST(name): named unit.FILE:NAME."""
    tests = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "unit", "test_*.c"))):
        base = os.path.splitext(os.path.basename(path))[0]
        name = None
        for line in open(path, encoding="utf-8"):
            m = UNIT_TEST.match(line)
            if m:
                name = m.group(1)
                continue
            if name and line.strip() == "{":
                continue
            if name:
                c = UNIT_COVERS.match(line)
                if c:
                    tests[f"unit.{base}:{name}"] = c.group(1).split()
            name = None
    return tests


def load_covers():
    """CTest test name -> requirement IDs, from covers(...) comments under tests/."""
    covers = {}
    for ext in ("c", "h", "sh", "py", "txt", "cmake"):
        for path in glob.glob(os.path.join(ROOT, "tests", "**", "*." + ext), recursive=True):
            text = open(path, encoding="utf-8", errors="replace").read()
            for m in COVERS.finditer(text):
                ids = re.findall(r"VPLAT-[A-Z][A-Z0-9]*-\d{3}", m.group(2))
                covers.setdefault(m.group(1), set()).update(ids)
    return covers


def load_junit(paths):
    """CTest test name -> PASS/FAIL/SKIP from `ctest --output-junit` files."""
    import xml.etree.ElementTree as ET
    out = {}
    for p in paths:
        for tc in ET.parse(p).getroot().iter("testcase"):
            if tc.find("skipped") is not None or tc.get("status") in ("notrun", "disabled"):
                r = "SKIP"
            elif tc.find("failure") is not None or tc.find("error") is not None or tc.get("status") != "run":
                r = "FAIL"
            else:
                r = "PASS"
            out.setdefault(tc.get("name"), []).append(r)
    return out


def load_untested(errors):
    out = {}
    path = os.path.join(ROOT, "spec", "untested.md")
    if not os.path.exists(path):
        return out
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.startswith("- `VPLAT-"):
            m = UNTESTED.match(line.rstrip("\n"))
            if not m or len(m.group(2).strip()) < 10:
                errors.append(f"untested.md:{n}: malformed entry or no reason")
                continue
            out[m.group(1)] = m.group(2)
    return out


def tsv(reqs):
    lines = ["id\tlevel\tchapter\torigin\ttext"]
    lines += ["\t".join(r) for r in reqs]
    return "\n".join(lines) + "\n"


def load_reports(reports):
    results = {}
    for rep in reports:
        j = json.load(open(rep))
        for r in j["results"]:
            results.setdefault(r["test"], []).append((r["device"], r["result"], j.get("pal", "")))
    return results


def results_of(t, results, junit):
    """Results of test @t in this run: a conformance test's from the reports; a Check case
    unit.FILE:CASE's from its CTest program unit.FILE."""
    if ":" in t:
        return junit.get(t.split(":")[0], [])
    return [r for _, r, _ in results.get(t, [])]


def passed(rid, tests, covers, results, junit):
    """Tests naming @rid that passed in this run (conformance PASS or CTest pass)."""
    ok = [t for t, ids in tests.items() if rid in ids and "PASS" in results_of(t, results, junit)]
    ok += [c for c, ids in covers.items() if rid in ids and "PASS" in junit.get(c, [])]
    return sorted(ok)


def trace(reqs, tests, covers, untested, results, junit, reports, junits, out):
    rows = ["# Traceability: requirement → tests → last result", "",
            "Generated by `tools/spec-index.py --trace` from the spec and the reports of the last "
            "`vplat-conform` runs (" + ", ".join(os.path.relpath(r) for r in reports) + ") and of "
            "CTest (" + (", ".join(os.path.relpath(j) for j in junits) or "none") + "). CTest tests "
            "(`unit.*`, `integration.*`, ...) name requirements in `covers(...)` comments.", "",
            "| requirement | level | tests | last result |", "|---|---|---|---|"]
    for rid, level, chap, origin, text in reqs:
        names = sorted(t for t, ids in tests.items() if rid in ids)
        cnames = sorted(c for c, ids in covers.items() if rid in ids)
        if names or cnames:
            res = []
            for t in names:
                res += results_of(t, results, junit)
            for c in cnames:
                res += junit.get(c, [])
            summary = ", ".join(f"{k} {res.count(k)}" for k in ("PASS", "FAIL", "SKIP", "ERROR") if res.count(k)) or "not run"
            cell = "<br>".join([f"`{t}`" for t in names] + [f"`{c}` (CTest)" for c in cnames])
        else:
            if rid in untested:
                summary = "untested: " + untested[rid]
            elif level != "MUST":
                summary = f"no test yet ({level}: a test is not required)"
            else:
                summary = "**no test and no reason**"
            cell = "—"
        rows.append(f"| `{rid}` | {level} | {cell} | {summary} |")
    open(out, "w", encoding="utf-8").write("\n".join(rows) + "\n")


def main(argv):
    write = "--write" in argv
    reports, out = [], None
    if "--trace" in argv:
        i = argv.index("--trace") + 1
        while i < len(argv) and not argv[i].startswith("--"):
            reports.append(argv[i]); i += 1
    junits, prefixes = [], []
    for opt, dest in (("--junit", junits), ("--require-passed", prefixes)):
        if opt in argv:
            i = argv.index(opt) + 1
            while i < len(argv) and not argv[i].startswith("--"):
                dest.append(argv[i]); i += 1
    if "--out" in argv:
        out = argv[argv.index("--out") + 1]
    if "-h" in argv or "--help" in argv:
        print(__doc__); return 0
    errors = []
    reqs = load_reqs(errors)
    tests = load_tests()
    tests.update(load_unit_tests())
    untested = load_untested(errors)
    covers = load_covers()
    ids = {r[0] for r in reqs}
    tested = {i for v in tests.values() for i in v} | {i for v in covers.values() for i in v}
    for t, v in sorted(tests.items()):
        for i in v:
            if i not in ids:
                errors.append(f"test {t} names unknown requirement {i}")
    for c, v in sorted(covers.items()):
        for i in sorted(v):
            if i not in ids:
                errors.append(f"covers({c}) names unknown requirement {i}")
    for i in sorted(untested):
        if i not in ids:
            errors.append(f"untested.md lists unknown requirement {i}")
        elif i in tested:
            errors.append(f"untested.md lists {i}, but a test names it: remove the entry")
    for rid, level, chap, origin, text in reqs:
        if level == "MUST" and rid not in tested and rid not in untested:
            errors.append(f"{chap}: {rid} is a MUST with no test and no entry in untested.md")
    path = os.path.join(ROOT, "spec", "requirements.tsv")
    want = tsv(reqs)
    if write:
        open(path, "w", encoding="utf-8").write(want)
    elif not os.path.exists(path) or open(path, encoding="utf-8").read() != want:
        errors.append("spec/requirements.tsv is stale: run tools/spec-index.py --write")
    results = load_reports(reports)
    junit = load_junit(junits)
    if (reports or junits) and out:
        trace(reqs, tests, covers, untested, results, junit, reports, junits, out)
    for prefix in prefixes:
        want = [r for r in reqs if r[1] == "MUST" and r[0].startswith(f"VPLAT-{prefix}-")]
        if not want:
            errors.append(f"--require-passed {prefix}: no MUST has that prefix")
        for rid, level, chap, origin, text in want:
            if not passed(rid, tests, covers, results, junit) and untested.get(rid, "").startswith("**not met**"):
                print(f"spec-index: KNOWN GAP {rid}: {untested[rid][:200]}")
                continue
            if not passed(rid, tests, covers, results, junit):
                named = sorted([t for t, v in tests.items() if rid in v] + [c for c, v in covers.items() if rid in v])
                errors.append(f"{rid}: no test that names it passed in this run"
                              f" (named by: {' '.join(named) or 'none'})")
        if want:
            n = sum(1 for r in want if passed(r[0], tests, covers, results, junit))
            print(f"spec-index: {n} of {len(want)} {prefix} MUSTs have a test that passed in this run")
    for e in errors:
        print("spec-index: " + e, file=sys.stderr)
    musts = sum(1 for r in reqs if r[1] == "MUST")
    must_tested = sum(1 for r in reqs if r[1] == "MUST" and r[0] in tested)
    print(f"spec-index: {len(reqs)} requirements ({musts} MUST, {must_tested} of them tested, "
          f"{musts - must_tested} untested = {100.0 * (musts - must_tested) / max(musts, 1):.1f}%), "
          f"{len(tests)} conformance tests and Check cases, {len(covers)} CTest tests naming requirements, "
          f"{len(untested)} untested entries, {len(errors)} problem(s)")
    if "--per-chapter" in argv:
        for chap in sorted({r[2] for r in reqs}):
            m = [r for r in reqs if r[2] == chap and r[1] == "MUST"]
            u = [r for r in m if r[0] not in tested]
            print(f"  {chap}: {len(m)} MUST, {len(u)} untested")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
