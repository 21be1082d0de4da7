#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""List the tests a ctest run skipped; fail if one of them is not allowed to skip.

Usage: check-skips.py CTEST_JUNIT_XML ALLOWED_LIST

CTEST_JUNIT_XML is written by `ctest --output-junit FILE`. ALLOWED_LIST (tests/skip-allowed.txt)
names, one per line with a reason after it, the tests that may skip; every other test is
required to run. Prints each skipped test with the first SKIP line of its output (or its last line)
and the allowed tests that did run. Exit 0 when only allowed tests skipped, 1 otherwise, 2 on
a usage error or an unreadable file.
"""
import sys
import xml.etree.ElementTree as ET


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        root = ET.parse(argv[1]).getroot()
        allowed = {}
        with open(argv[2]) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, _, why = line.partition(" ")
                    allowed[name] = why.strip()
    except (OSError, ET.ParseError) as e:
        print(f"check-skips: {e}", file=sys.stderr)
        return 2
    skipped, ran = [], []
    for tc in root.iter("testcase"):
        name = tc.get("name")
        if tc.find("skipped") is not None or tc.get("status") in ("notrun", "disabled"):
            out = (tc.findtext("system-out") or "").splitlines()
            why = ([l for l in out if l.lstrip().startswith("SKIP")]
                   or [l for l in out if "SKIP" in l] or out[-1:] or ["(no output)"])
            more = f" (+{len(why) - 1} more)" if len(why) > 1 else ""
            skipped.append((name, why[0].strip() + more))
        else:
            ran.append(name)
    bad = [n for n, _ in skipped if n not in allowed]
    print(f"skipped tests: {len(skipped)} of {len(skipped) + len(ran)}")
    for name, why in skipped:
        tag = "allowed " if name in allowed else "REQUIRED"
        print(f"  {tag} {name}: {why}")
    for name in ran:
        if name in allowed:
            print(f"  note: {name} is allowed to skip but ran (consider removing it from {argv[2]})")
    if bad:
        print(f"check-skips: {len(bad)} test(s) CI must run were skipped: {' '.join(bad)}"
              f" (install what they need: tools/deps.sh; or, with a reason, list them in {argv[2]})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
