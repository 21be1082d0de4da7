/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the transport fuzz targets (fuzz_mmio, fuzz_pci, fuzz_xen_ioreq): a trap on a
 * broken invariant, and the device side they put behind the transport, which serves whatever
 * the fuzzer's driver made available so that the rings, the guest memory and the interrupt
 * path are exercised too.
 */
#ifndef VPLAT_FUZZ_DEV_H
#define VPLAT_FUZZ_DEV_H

#include <stdint.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/vq.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

/* Takes at most max chains from vq, writes the 16 bytes of fill into each (as far as it has
 * room), returns them and lets the queue decide on a notification. */
static inline void fz_serve(struct vplat_vq *vq, const uint8_t fill[16], int max)
{
	struct vplat_iov iov[8];

	for (int n = 0; n < max; n++) {
		struct vplat_chain c = {.iov = iov, .iov_cap = 8};
		int rc = vplat_vq_pop(vq, &c);

		if (rc != 0 && rc != VPLAT_E2BIG)
			break;
		size_t w = vplat_chain_write(&c, 0, fill, 16);
		(void)vplat_vq_push(vq, &c, (uint32_t)w);
	}
	(void)vplat_vq_interrupt(vq);
}

/* A driver's config write into the device's config space of size cap: the transport must
 * never pass one that does not fit. */
static inline void fz_config_store(uint8_t *config, size_t cap, uint32_t off, const void *src,
				   uint32_t len)
{
	CHECK(off < cap && len <= cap - off);
	memcpy(config + off, src, len);
}

#endif
