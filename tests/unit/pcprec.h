/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by test_switch and test_platform: a switch port egress that records the PCP of every
 * frame it takes (0xff: untagged) and takes only `allow` more frames (then EAGAIN), so a
 * congested port's class queues stay backlogged and its scheduling can be counted frame by
 * frame. No clock is involved. */
#ifndef VPLAT_TESTS_PCPREC_H
#define VPLAT_TESTS_PCPREC_H

#include <stdint.h>
#include "vplat/error.h"
#include "vplat/fabric/switch.h"

struct pcp_rec {
	uint8_t pcp[4096];
	uint32_t n, allow;
};

static inline int pcp_rec_egress(void *ctx, const struct vplat_net_frame *f)
{
	struct pcp_rec *r = ctx;
	if (!r->allow)
		return VPLAT_EAGAIN;
	r->allow--;
	if (r->n < sizeof(r->pcp))
		r->pcp[r->n++] = f->len >= 16 && f->data[12] == 0x81 ? (uint8_t)(f->data[14] >> 5) : 0xff;
	return 0;
}

static const struct vplat_switch_port_ops pcp_rec_ops = {.egress = pcp_rec_egress};

#endif
