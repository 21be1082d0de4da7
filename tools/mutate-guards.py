#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Remove each hostile-guest guard in turn and check that a test fails.

usage: tools/mutate-guards.py BUILD_DIR   (a configured default build, e.g. build/default)

Each entry below is one guard in the core (text to remove, what replaces it). For each, the
file is edited, test_hostile and test_vq are rebuilt and run, and the guard counts as covered
only if some check fails; the file is restored afterwards. Exit status 1 if any guard survives.
"""
import subprocess, sys, os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
build = sys.argv[1] if len(sys.argv) > 1 else "build/default"
muts=[
 ("lib/core/vq.c","		if (++count > vq->size)\n			return VPLAT_EPROTO;","		(void)++count;"),
 ("lib/core/vq.c","	if (pending > vq->size)\n		return vq_fail(vq, VPLAT_EPROTO); /* avail idx jumped by more than the queue */",""),
 ("lib/core/vq.c","	if (head >= vq->size)\n		return vq_fail(vq, VPLAT_EPROTO);",""),
 ("lib/core/vq.c","		i = le16(d.next);\n		if (i >= vq->size)\n			return VPLAT_EPROTO;","		i = le16(d.next);"),
 ("lib/core/vq.c","		if (flags & VPLAT_VIRTQ_DESC_F_INDIRECT)\n			return VPLAT_EPROTO; /* only one table per descriptor */",""),
 ("lib/core/vq.c","	if (!vq->indirect || len == 0 || len % 16u != 0 || len / 16u > VPLAT_VQ_MAX_INDIRECT)","	if (len == 0)"),
 ("lib/core/vq.c","	else if (w->seen_write)\n		return VPLAT_EPROTO;",""),
 ("lib/core/vq.c","		if (c->ndesc >= vq->size)\n			return vq_fail(vq, VPLAT_EPROTO);",""),
 ("lib/core/vq.c","			if (flags & VPLAT_VIRTQ_DESC_F_NEXT)\n				return VPLAT_EPROTO;\n			return split_walk_indirect","			return split_walk_indirect"),
 ("lib/core/vq.c","	if (!aligned(vq->desc_addr, d, da) || !aligned(vq->driver_addr, dr, dra) ||\n	    !aligned(vq->device_addr, dv, dva))\n		return VPLAT_EFAULT;",""),
 ("lib/core/vq.c","	if (!vq->packed && (vq->size & (vq->size - 1)) != 0)\n		return VPLAT_EINVAL;",""),
 ("lib/core/mem.c","	if (len > r->size - off)\n		return NULL;",""),
 ("lib/core/device.c","	if ((old & ~S_NEEDS_RESET) & ~status) {","	if (0) {"),
 ("lib/core/device.c","		if (!((old | added) & S_FEATURES_OK)) {","		if (0) {"),
 ("lib/core/device.c","	if (!(dev->status & S_FEATURES_OK))\n		return VPLAT_EPERM;",""),
 ("lib/core/vq.c","		if (++count > (uint32_t)max || table_get(vq, host, addr, i, &d) != 0)","		if (table_get(vq, host, addr, i, &d) != 0)"),
 ("lib/core/vq.c","	if (!(vq->live && vq->enabled && vq->dev_live))","	if (!(vq->live && vq->enabled))"),
 ("lib/core/vq.c","	if (vq->mem_generation == vq->mem->generation)\n		return 0;","	return 0;"),
 ("lib/core/device.c","		if (vq->enabled && vq->live && vplat_vq_map(vq) != 0) {\n			vplat_device_needs_reset(dev, VPLAT_EFAULT);\n			return;\n		}","		if (vq->enabled && vq->live)\n			vplat_vq_map(vq);"),
 ("lib/core/device.c","	if (vq->mem_generation != dev->mem->generation) {","	if (0) {"),
]
survivors = 0
for i,(f,a,b) in enumerate(muts):
    s=open(f).read()
    if a not in s:
        print("guard %d: text not found in %s (update this list)" % (i, f)); survivors += 1; continue
    open(f,'w').write(s.replace(a,b,1))
    try:
        r=subprocess.run("cmake --build " + build + " -j2 --target test_hostile test_vq >/dev/null 2>&1 && (" + build + "/tests/unit/test_hostile; " + build + "/tests/unit/test_vq) 2>&1 | grep -E '^[0-9]+%'",shell=True,capture_output=True,text=True,timeout=300)
        caught = "Failures: 0, Errors: 0" not in r.stdout.split("\n")[0] or \
                 "Failures: 0, Errors: 0" not in r.stdout.split("\n")[1]
        print("guard %2d %-18s %s  %s" % (i, f, "caught " if caught else "SURVIVED", r.stdout.replace("\n", " | ")))
        survivors += 0 if caught else 1
    finally:
        open(f,'w').write(s)
subprocess.run("cmake --build " + build + " -j2 --target test_hostile test_vq >/dev/null 2>&1", shell=True)
print("%d guard(s) not covered" % survivors)
sys.exit(1 if survivors else 0)
