/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue functions the device calls; not part of the public API. Calls go down only (device.c
 * into vq.c); the queue reaches back up through the one vplat_vq.failed pointer.
 */
#ifndef VPLAT_CORE_VQ_INTERNAL_H
#define VPLAT_CORE_VQ_INTERNAL_H

#include "vplat/vq.h"

/* Return a queue to its reset state (size = size_max, disabled, addresses 0). What the device
 * pushed in (dev, index, size_max, dev_live, mem, interrupt_used, failed) is kept. */
void vplat_vq_reset_state(struct vplat_vq *vq);
/* Take the negotiated ring features and translate the rings. 0 or VPLAT_EINVAL/EFAULT. */
int vplat_vq_start(struct vplat_vq *vq, uint64_t features);
/* Translate the rings through vq->mem (again, after a guest memory change). On failure the
 * queue is no longer live. 0 or VPLAT_EFAULT. */
int vplat_vq_map(struct vplat_vq *vq);

#ifdef VPLAT_TEST_HOOKS
/* Test-only (builds with -DVPLAT_TEST_HOOKS=ON): when not NULL, called right after the device
 * stores the flags that hand the packed descriptor at @p slot back to the driver, so that a
 * test can look at the ring between two such stores (the order VPLAT-NET-030 depends on). */
extern void (*vplat_vq_test_packed_flags)(const struct vplat_vq *vq, uint16_t slot);
#endif

#endif
