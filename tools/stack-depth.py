#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Worst-case stack depth of every public entry point of vplat-core.

usage: stack-depth.py [--src DIR] [--limit BYTES] [--markdown FILE] CI_DIR...

Reads the GCC call-graph files (*.ci, from -fcallgraph-info=su, which carry each function's
frame size from -fstack-usage) of the portable layers (lib/core, lib/transport, lib/devices)
and computes, for each function declared VPLAT_API in include/vplat/*.h, the deepest chain of
frames it can reach inside the library.

Indirect calls (GCC's "__indirect_call" edges) are resolved by the source text at the call
site: the called member (`dev->ops->queue_notify(...)` -> queue_notify). A member is bound to
every library function stored in a member of that name anywhere in the portable sources
(`.queue_notify = rng_notify` in an ops table, `vqs[i].failed = vq_failed`): the call counts
as a call to the worst of them. A member with no library implementation, or one called
through a host-end table (`->host->`), is an embedder callback: the bound is then stated as
"N + callback" (the library's own frames up to the call, plus whatever the embedder's
function uses; callbacks must not re-enter the same device, as the headers say).

Fails (exit 1) when: a public entry point exceeds --limit; the resolved call graph has a cycle
(recursion, so no bound); an indirect call site cannot be resolved to a member name; a frame is
dynamic (alloca/VLA: not "static"); or a public function has no .ci node.
"""
import argparse
import glob
import os
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)" label: "([^"]*)"')
FRAME = re.compile(r'\\n(\d+) bytes \((static|dynamic[^)]*)\)')
# Calls that leave the library: compiler helpers and the mem*/str* functions. Their frames
# are the C library's (newlib's Thumb-2 memcpy/memset use no stack beyond saved registers);
# they are listed in the table as "libc" and counted with LIBC_FRAME bytes.
LIBC = {"memcpy", "memmove", "memset", "memcmp", "strlen", "__aeabi_uldivmod", "__aeabi_ldivmod",
        "__aeabi_uidivmod", "__aeabi_idivmod", "__aeabi_memcpy", "__aeabi_memset", "__aeabi_memclr",
        "__aeabi_memmove", "__aeabi_memcpy4", "__aeabi_memclr4", "__aeabi_memset4",
        "__udivmoddi4", "__divmoddi4", "__popcountsi2", "__clzdi2", "__ctzdi2", "__aeabi_llsl",
        "__aeabi_llsr", "__aeabi_lmul"}
LIBC_FRAME = 64
CALLBACK = "<callback>"


def public_api(src):
    names = set()
    for h in glob.glob(os.path.join(src, "include/vplat/*.h")):
        text = open(h, encoding="utf-8").read()
        for m in re.finditer(r"VPLAT_API\b([^;{]*?)\b(vplat_\w+)\s*\(", text, re.S):
            names.add(m.group(2))
    return names


def member_impls(src, funcs):
    """member name -> library functions stored in a member of that name."""
    impl = {}
    files = []
    for d in ("lib/core", "lib/transport", "lib/devices"):
        files += glob.glob(os.path.join(src, d, "**/*.c"), recursive=True)
    pat = re.compile(r"(?:\.|->)\s*(\w+)\s*=\s*(?:[^;?]*\?\s*)?&?(\w+)\s*[,;}:]")
    for f in files:
        text = open(f, encoding="utf-8").read()
        for m in pat.finditer(text):
            member, fn = m.group(1), m.group(2)
            if fn in funcs:
                impl.setdefault(member, set()).add(fn)
    return impl


def site_member(src_cache, label):
    """'path:line:col' of an indirect call -> the called member's name, or None."""
    m = re.match(r"(.*):(\d+):(\d+)$", label)
    if not m:
        return None, None
    path, line, col = m.group(1), int(m.group(2)), int(m.group(3))
    if path not in src_cache:
        try:
            src_cache[path] = open(path, encoding="utf-8").read().split("\n")
        except OSError:
            return None, None
    text = "\n".join(src_cache[path][line - 1:line + 2])[col - 1:]
    mm = re.match(r"([\w\[\]\.>\-\s]*?)(\w+)\s*\(", text)
    if not mm:
        return None, None
    return mm.group(2), mm.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--limit", type=int, default=0, help="fail above this many bytes (0: no limit)")
    ap.add_argument("--markdown", help="write the table to this file")
    ap.add_argument("--target", default="", help="target description for the table header")
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    src = os.path.abspath(a.src)

    frame, where, edges, errors = {}, {}, {}, []
    indirect = []  # (caller, label)
    cis = []
    for d in a.dirs:
        cis += glob.glob(os.path.join(d, "**/*.ci"), recursive=True)
    if not cis:
        print("stack-depth: no .ci files (build with -fcallgraph-info=su)", file=sys.stderr)
        return 1
    for ci in cis:
        for ln in open(ci, encoding="utf-8"):
            n = NODE.search(ln)
            if n:
                title, label = n.group(1), n.group(2)
                f = FRAME.search(label)
                if f:
                    if f.group(2) != "static":
                        errors.append(f"{title}: dynamic stack frame ({f.group(2)})")
                    frame[title] = int(f.group(1))
                    where[title] = label.split("\\n")[1] if "\\n" in label else ""
                continue
            e = EDGE.search(ln)
            if e:
                s, t, lab = e.groups()
                if t == "__indirect_call":
                    indirect.append((s, lab))
                else:
                    edges.setdefault(s, set()).add(t)
    funcs = {t.split(":")[-1]: t for t in frame}
    impl = member_impls(src, set(funcs))
    cache = {}
    callback_sites = {}
    for caller, lab in indirect:
        member, expr = site_member(cache, lab)
        if member is None:
            errors.append(f"{lab}: indirect call in {caller} not resolvable to a member name")
            continue
        targets = {funcs[f] for f in impl.get(member, ())}
        if not targets or "host" in (expr or ""):
            targets.add(CALLBACK)
            callback_sites.setdefault(caller, set()).add(member)
        edges.setdefault(caller, set()).update(targets)

    memo, onstack = {}, set()

    def depth(fn, path):
        """(lib, lib_chain, cb, cb_chain): the deepest chain of library frames from fn, and
        the deepest chain of frames that ends in an embedder callback (cb None: none)."""
        if fn == CALLBACK:
            return 0, [], 0, [CALLBACK]
        if fn in memo:
            return memo[fn]
        if fn in onstack:
            cyc = path[path.index(fn):] + [fn]
            errors.append("recursion (no bound): " + " -> ".join(x.split(":")[-1] for x in cyc))
            return 0, [], None, []
        if fn not in frame:
            name = fn.split(":")[-1]
            if name in LIBC:
                return LIBC_FRAME, [name + " (libc)"], None, []
            errors.append(f"{fn}: called but not in any .ci file (outside vplat-core?)")
            return 0, [name], None, []
        onstack.add(fn)
        lib, lchain, cb, cchain = 0, [], None, []
        for t in sorted(edges.get(fn, ())):
            d = depth(t, path + [fn])
            if d[0] > lib:
                lib, lchain = d[0], d[1]
            if d[2] is not None and (cb is None or d[2] > cb):
                cb, cchain = d[2], d[3]
        onstack.discard(fn)
        me = fn.split(":")[-1]
        r = (frame[fn] + lib, [me] + lchain,
             None if cb is None else frame[fn] + cb, [me] + cchain)
        memo[fn] = r
        return r

    api = public_api(src)
    rows, missing = [], []
    for name in sorted(api):
        if name not in funcs:
            missing.append(name)
            continue
        rows.append((name,) + depth(funcs[name], []))
    worst = max((max(r[1], r[3] or 0) for r in rows), default=0)
    worst_cb = max((r[3] for r in rows if r[3] is not None), default=0)
    out = []
    out.append(f"Worst-case stack depth per public entry point{(' (' + a.target + ')') if a.target else ''}: "
               f"{len(rows)} entry points; largest {worst} bytes of library frames; at most "
               f"{worst_cb} bytes of library frames below an embedder callback"
               + (f"; limit {a.limit} bytes" if a.limit else "") + ".")
    out.append("")
    out.append("| entry point | worst case (bytes) | deepest chain | before a callback (bytes) | chain to the callback |")
    out.append("|---|---:|---|---:|---|")
    for name, lib, lchain, cb, cchain in sorted(rows, key=lambda r: (-max(r[1], r[3] or 0), r[0])):
        cbs = "—" if cb is None else f"{cb} + callback"
        cc = "" if cb is None else " → ".join(cchain)
        out.append(f"| `{name}` | {lib} | {' → '.join(lchain)} | {cbs} | {cc} |")
    for name, lib, lchain, cb, cchain in rows:
        if a.limit and max(lib, cb or 0) > a.limit:
            ch = lchain if lib >= (cb or 0) else cchain
            errors.append(f"{name}: {max(lib, cb or 0)} bytes exceeds the limit of {a.limit} "
                          f"({' -> '.join(ch)})")
    text = "\n".join(out) + "\n"
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    print(text)
    for m in missing:
        errors.append(f"{m}: public (VPLAT_API) but no node in the call graph (inline or not built?)")
    if errors:
        for e in sorted(set(errors)):
            print("stack-depth: FAIL: " + e, file=sys.stderr)
        return 1
    print(f"stack-depth: ok: {len(rows)} entry points, largest {worst} bytes"
          + (f" (limit {a.limit})" if a.limit else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
