/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loopback guest memory kept for the whole fuzzing process (docs/fuzzing.md, "Speed").
 *
 * vplat_loopback_init() allocates and clears its guest RAM; done once per input that costs a
 * fresh mapping and a page fault per page (on this machine 1 MiB made a target run 30
 * inputs/s). fz_lb_init() does the same set-up over RAM that is allocated once per process.
 * Nothing of a previous input can be seen: the validation driver's allocator
 * (vplat_val_alloc()) zeroes every block when it hands it out, rings, tables and buffers are
 * all such blocks, and the device reaches guest memory only through them; so the dirty ranges
 * are cleared exactly when they are reused, and the rest of the RAM is never read. (Clearing
 * the allocator's high-water mark again per input cost net_ctrl a third of its rate.) The
 * transport, the device and the driver are set up anew for each input (cheap: no guest-sized
 * allocation).
 *
 * Use: fz_lb_init(&lb, kind, size) where the harness called vplat_loopback_init(); never
 * vplat_loopback_fini() (it would free the shared RAM): fz_lb_fini() instead.
 */
#ifndef VPLAT_FUZZ_LB_H
#define VPLAT_FUZZ_LB_H

#include <stdlib.h>
#include <string.h>
#include "vplat/val/loopback.h"
#include "vplat/val/val.h"

static struct vplat_loopback fz_lb_proto; /* owns the RAM; gives the register-access ops */

static inline int fz_lb_init(struct vplat_loopback *lb, enum vplat_loopback_transport kind,
			     uint64_t size)
{
	if (!fz_lb_proto.ram) {
		if (vplat_loopback_init(&fz_lb_proto, kind, size))
			abort();
	} else if (size != fz_lb_proto.ram_size) {
		abort(); /* one RAM size per process */
	}
	/* What vplat_loopback_init() sets, over the kept RAM (lb may be the proto itself). */
	uint8_t *ram = fz_lb_proto.ram;
	const struct vplat_val_io_ops *ops = fz_lb_proto.io.ops;
	memset(lb, 0, sizeof(*lb));
	lb->kind = kind;
	lb->ram = ram;
	lb->ram_size = size;
	if (vplat_mem_init(&lb->mem, lb->regions, VPLAT_LOOPBACK_REGIONS) ||
	    vplat_mem_add(&lb->mem, VPLAT_LOOPBACK_GPA, size, ram) ||
	    vplat_val_mem_init(&lb->dma, ram, VPLAT_LOOPBACK_GPA, size))
		abort();
	lb->io.ops = ops;
	lb->io.ctx = lb;
	return 0;
}

/* End of an input: the RAM stays for the next one. */
static inline void fz_lb_fini(struct vplat_loopback *lb)
{
	lb->dev = NULL;
}

#endif
