/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Xen ioreq dispatch: one request (a private copy of an ioreq_t) against the device windows.
 * Pure and portable: no Xen library, no allocation; unit-tested and fuzzed on any host.
 */
#include <stddef.h>
#include <stdint.h>

#include "vplat/backend/xen.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"

static uint64_t width_mask(uint32_t size)
{
	return size >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (8 * size)) - 1);
}

int vplat_xen_dispatch(const struct vplat_xen_window *w, unsigned n, struct vplat_xen_ioreq *req)
{
	if (req == NULL || (w == NULL && n != 0))
		return VPLAT_EINVAL;
	if (req->type == VPLAT_XEN_IOREQ_TYPE_INVALIDATE)
		return VPLAT_XEN_INVALIDATE;

	bool is_read = req->dir == VPLAT_XEN_IOREQ_READ;
	uint32_t size = req->size;

	/* Answer of everything refused below: reads see 0 (the model's refused-access value). */
	if (is_read && !req->data_is_ptr)
		req->data = 0;
	if (req->type != VPLAT_XEN_IOREQ_TYPE_COPY || req->data_is_ptr || req->count != 1 ||
	    (size != 1 && size != 2 && size != 4 && size != 8) ||
	    (req->dir != VPLAT_XEN_IOREQ_READ && req->dir != VPLAT_XEN_IOREQ_WRITE))
		return VPLAT_XEN_REFUSED;

	for (unsigned i = 0; i < n; i++) {
		const struct vplat_xen_window *win = &w[i];

		if (win->mmio == NULL || req->addr < win->base)
			continue;
		uint64_t off = req->addr - win->base;

		/* off < size and off + width <= size, without overflow. */
		if (off >= win->size || win->size - off < size)
			continue;
		int rc;

		if (is_read) {
			uint64_t v = 0;

			rc = vplat_mmio_read(win->mmio, off, size, &v);
			req->data = rc == 0 ? (v & width_mask(size)) : 0;
		} else {
			rc = vplat_mmio_write(win->mmio, off, size, req->data & width_mask(size));
		}
		return rc == 0 ? VPLAT_XEN_SERVED : VPLAT_XEN_REJECTED;
	}
	return VPLAT_XEN_REFUSED;
}

unsigned vplat_xen_arm_ram_banks(uint64_t ram_size, struct vplat_xen_ram_bank out[2])
{
	if (out == NULL)
		return 0;
	out[0] = (struct vplat_xen_ram_bank){0, 0};
	out[1] = (struct vplat_xen_ram_bank){0, 0};
	ram_size &= ~(uint64_t)0xfff;
	if (ram_size == 0 || ram_size - (ram_size > VPLAT_XEN_ARM_RAM0_SIZE ? VPLAT_XEN_ARM_RAM0_SIZE
									     : ram_size) >
				     VPLAT_XEN_ARM_RAM1_SIZE)
		return 0;
	if (ram_size <= VPLAT_XEN_ARM_RAM0_SIZE) {
		out[0] = (struct vplat_xen_ram_bank){VPLAT_XEN_ARM_RAM0_BASE, ram_size};
		return 1;
	}
	out[0] = (struct vplat_xen_ram_bank){VPLAT_XEN_ARM_RAM0_BASE, VPLAT_XEN_ARM_RAM0_SIZE};
	out[1] = (struct vplat_xen_ram_bank){VPLAT_XEN_ARM_RAM1_BASE,
					     ram_size - VPLAT_XEN_ARM_RAM0_SIZE};
	return 2;
}
