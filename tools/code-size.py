#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Code size of vplat-core per object and per layer/device.

usage: code-size.py [--size arm-none-eabi-size] [--src DIR] [--markdown] LIBVPLAT_CORE_A

Runs SIZE (Berkeley format) on the static library and groups its objects by where their
source lives: lib/core -> "core", lib/transport/mmio.c -> "transport: mmio", lib/transport/pci*
-> "transport: pci", lib/devices/NAME/* -> "device: NAME". Prints .text/.data/.bss per group
(and per object with --objects). Exit status 1 if an object cannot be placed in a group.
"""
import argparse
import os
import subprocess
import sys


def groups_from_tree(src):
    g = {}
    for f in os.listdir(os.path.join(src, "lib/core")):
        if f.endswith(".c"):
            g[f] = "core (device, vq, mem, ...)"
    for f in os.listdir(os.path.join(src, "lib/transport")):
        if f.endswith(".c"):
            g[f] = "transport: mmio" if f.startswith("mmio") else "transport: pci"
    for d in sorted(os.listdir(os.path.join(src, "lib/devices"))):
        for f in os.listdir(os.path.join(src, "lib/devices", d)):
            if f.endswith(".c"):
                if f in g:
                    sys.exit(f"code-size: two sources named {f}: cannot tell objects apart")
                g[f] = "device: " + d
    return g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="size")
    ap.add_argument("--src", default=os.path.join(os.path.dirname(__file__), ".."))
    ap.add_argument("--objects", action="store_true")
    ap.add_argument("lib")
    a = ap.parse_args()
    g = groups_from_tree(a.src)
    out = subprocess.run([a.size, "-B", a.lib], check=True, capture_output=True, text=True).stdout
    per_obj, per_group = [], {}
    for ln in out.splitlines()[1:]:
        f = ln.split()
        if len(f) < 6:
            continue
        text, data, bss = int(f[0]), int(f[1]), int(f[2])
        obj = f[5]
        base = obj.split("/")[-1]
        for ext in (".obj", ".o"):
            if base.endswith(ext):
                base = base[: -len(ext)]
        grp = g.get(base)
        if grp is None:
            print(f"code-size: object {obj} has no source in lib/core, lib/transport, lib/devices",
                  file=sys.stderr)
            return 1
        per_obj.append((grp, base, text, data, bss))
        t = per_group.setdefault(grp, [0, 0, 0])
        t[0] += text
        t[1] += data
        t[2] += bss
    if not per_obj:
        print("code-size: no objects found", file=sys.stderr)
        return 1
    print("| part | .text | .data | .bss |")
    print("|---|---:|---:|---:|")
    tot = [0, 0, 0]
    for grp in sorted(per_group):
        t = per_group[grp]
        print(f"| {grp} | {t[0]} | {t[1]} | {t[2]} |")
        tot = [x + y for x, y in zip(tot, t)]
    print(f"| **all of vplat-core** | {tot[0]} | {tot[1]} | {tot[2]} |")
    if a.objects:
        print()
        print("| object | part | .text | .data | .bss |")
        print("|---|---|---:|---:|---:|")
        for grp, base, text, data, bss in sorted(per_obj):
            print(f"| {base} | {grp} | {text} | {data} | {bss} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
