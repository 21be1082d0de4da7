/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the Arm SP805 register model. The input is a script of reads and writes
 * at any offset and width, clock advances and ticks. Invariants: accesses outside the 32-bit
 * aligned window fail with VPLAT_EINVAL and change nothing, WdogValue never exceeds WdogLoad
 * once loaded, MIS is RIS and INTEN, the interrupt line follows MIS, and the reset output is
 * asserted only with RESEN set and the interrupt already raised.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/sp805.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct vplat_sp805 sp;
	uint64_t now;
	bool irq;
};

static uint64_t clk(void *o) { return ((struct fz *)o)->now; }
static void irq(void *o, bool level) { ((struct fz *)o)->irq = level; }
static void rst(void *o)
{
	struct fz *f = o;
	if (!(f->sp.control & VPLAT_SP805_CTRL_RESEN) || !f->sp.ris)
		abort();
}
static const struct vplat_sp805_host_ops ops = {.now_ns = clk, .irq = irq, .reset = rst};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	memset(&f, 0, sizeof(f));
	if (vplat_sp805_init(&f.sp, 1000000, &ops, &f))
		abort();
	for (size_t off = 0; off + 6 <= size; off += 6) {
		const uint8_t *p = data + off;
		uint64_t reg = (uint64_t)(p[1] | (p[2] & 0x1f) << 8);
		unsigned width = (p[0] >> 4) & 1 ? 4 : 1u << ((p[0] >> 5) & 3);
		uint32_t v;
		memcpy(&v, p + 2, 4);
		if ((p[0] & 3) == 3 && (p[2] & 0x80))
			v = VPLAT_SP805_UNLOCK_KEY;
		uint64_t r;
		int rc;
		switch (p[0] & 3) {
		case 0: rc = vplat_sp805_read(&f.sp, reg, width, &r); break;
		case 1: case 3: rc = vplat_sp805_write(&f.sp, reg, width, v); break;
		default:
			f.now += (uint64_t)p[1] << (p[2] & 31);
			vplat_sp805_tick(&f.sp, f.now);
			rc = 0;
			break;
		}
		bool bad = width != 4 || (reg & 3) || reg >= VPLAT_SP805_WINDOW;
		if ((p[0] & 3) != 2 && bad != (rc == VPLAT_EINVAL))
			abort();
		uint64_t ris, mis;
		if (vplat_sp805_read(&f.sp, VPLAT_SP805_RIS, 4, &ris) ||
		    vplat_sp805_read(&f.sp, VPLAT_SP805_MIS, 4, &mis))
			abort();
		if (mis != (ris && (f.sp.control & VPLAT_SP805_CTRL_INTEN)) || f.irq != (mis != 0))
			abort();
	}
	return 0;
}
