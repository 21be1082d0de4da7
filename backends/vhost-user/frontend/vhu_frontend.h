/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the front-end files of backends/vhost-user; not part of the public API. */
#ifndef VPLAT_VHU_FRONTEND_INTERNAL_H
#define VPLAT_VHU_FRONTEND_INTERNAL_H

#include "../vhu_internal.h"
#include "vplat/val/vhost_user_frontend.h"

/* Was vhost-user protocol feature @bit negotiated? */
static inline bool vhufe_pf(const struct vplat_vhu_frontend *fe, unsigned bit)
{
	return fe->protocol_features & VPLAT_BIT(bit);
}

int vplat_vhufe_set(struct vplat_vhu_frontend *fe, uint32_t request, const void *payload, uint32_t size,
	   const int *fds, uint32_t nfds);
int vplat_vhufe_get_u64(struct vplat_vhu_frontend *fe, uint32_t request, uint64_t *v);
int vplat_vhufe_set_u64(struct vplat_vhu_frontend *fe, uint32_t request, uint64_t v);
int vplat_vhufe_ring_start(struct vplat_vhu_frontend *fe, uint16_t q, uint32_t base);
int vplat_vhufe_start_rings(struct vplat_vhu_frontend *fe);
/* Write the kick eventfd of ring @q if it is started (0 if not); VPLAT_EIO if the write fails. */
int vplat_vhufe_kick(struct vplat_vhu_frontend *fe, uint32_t q);
void vplat_vhufe_ring_stop_all(struct vplat_vhu_frontend *fe);
void vplat_vhufe_reset(struct vplat_vhu_frontend *fe);
int vplat_vhufe_send_features(struct vplat_vhu_frontend *fe);
/* The validation driver's transport (vhu_frontend_transport.c); context: the front-end. */
extern const struct vplat_val_transport_ops vplat_vhu_frontend_transport;

#endif
