/* SPDX-License-Identifier: BSD-3-Clause */
/* Queue functions shared between vq.c and device.c; not part of the public API. */
#ifndef VPLAT_CORE_VQ_INTERNAL_H
#define VPLAT_CORE_VQ_INTERNAL_H

#include "vplat/device.h"

/* Return a queue to its reset state (size = size_max, disabled, addresses 0). */
void vplat_vq_reset_state(struct vplat_vq *vq);
/* Take the negotiated ring features and translate the rings. 0 or VPLAT_EINVAL/EFAULT. */
int vplat_vq_start(struct vplat_vq *vq, uint64_t features);
/* Re-translate the rings after a guest memory change. 0 or VPLAT_EFAULT. */
int vplat_vq_map(struct vplat_vq *vq);

#endif
