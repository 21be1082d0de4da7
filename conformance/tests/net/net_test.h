/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the network device tests (spec/13-network.md). */
#ifndef VPLAT_CONFORM_NETT_H
#define VPLAT_CONFORM_NETT_H

#include <stddef.h>
#include "../common/devreq.h"
#include "vplat/spec/virtio_net.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define NF(b)     VPLAT_BIT(VPLAT_VIRTIO_NET_F_##b)
#define NOFF(fld) ((uint32_t)offsetof(struct vplat_virtio_net_config, fld))
#define N_OK      VPLAT_VIRTIO_NET_OK
#define N_ERR     VPLAT_VIRTIO_NET_ERR
#define HDR_LEN   VPLAT_VIRTIO_NET_HDR_SIZE

static inline uint64_t net_offer(struct vplat_test_ctx *t)
{
	return vplat_val_get_device_features(t->d);
}

/* Control queue index for a driver that accepts @p wanted. */
static inline int net_ctrl_index(struct vplat_test_ctx *t, uint64_t wanted)
{
	if (wanted & net_offer(t) & NF(MQ))
		return 2 * (int)cfg(t, NOFF(max_virtqueue_pairs), 2);
	return 2;
}

/*
 * Bring the device up with @p wanted | CTRL_VQ and the control queue; skip unless every bit of
 * @p need is offered.
 */
static inline enum vplat_result net_up_ctrl(struct vplat_test_ctx *t, uint64_t wanted, uint64_t need,
					    struct vplat_val_vq **ctrl)
{
	uint64_t off = net_offer(t);
	need |= NF(CTRL_VQ);
	if ((off & need) != need)
		return vplat_t_skip(t, "features 0x%llx not offered", (unsigned long long)(need & ~off));
	wanted |= need;
	return bringup(t, wanted, ctrl, net_ctrl_index(t, wanted), 16);
}

/* Send one command; returns the ack, or 0xff when the command was not completed. */
static inline uint8_t ctl(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint8_t cls, uint8_t cmd,
			  const void *data, uint32_t len)
{
	uint8_t ack = 0xff;
	uint32_t used = 0;
	if (net_ctrl(t, vq, cls, cmd, data, len, &ack, &used) != 0)
		return 0xff;
	return ack;
}

#endif
