/* SPDX-License-Identifier: BSD-3-Clause */
/* Offered features respect the spec's dependency rules (spec/01-core.md 1.2). */
#include "../common/common.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/spec/virtio_net.h"
#include "vplat/spec/virtio_watchdog.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

/* Feature @p bit of device type @p dev requires all of @p needs (from the device chapters). */
static const struct {
	uint32_t dev;
	unsigned bit;
	uint64_t needs;
} deps[] = {
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_GUEST_TSO4, VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_GUEST_TSO6, VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_GUEST_ECN, VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO4) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO6)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_GUEST_UFO, VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_HOST_TSO4, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_HOST_TSO6, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_HOST_UFO, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_CTRL_RX, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CTRL_VQ)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_CTRL_VLAN, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CTRL_VQ)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CTRL_VQ)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_MQ, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CTRL_VQ)},
	{VPLAT_VIRTIO_ID_NET, VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR, VPLAT_BIT(VPLAT_VIRTIO_NET_F_CTRL_VQ)},
	{VPLAT_VIRTIO_ID_CAN, VPLAT_VIRTIO_CAN_F_RTR_FRAMES, VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC)},
	{VPLAT_VIRTIO_ID_WATCHDOG, VPLAT_VIRTIO_WDT_F_PRETIMEOUT, VPLAT_BIT(VPLAT_VIRTIO_WDT_F_TIMEOUT)},
	{VPLAT_VIRTIO_ID_BLOCK, VPLAT_VIRTIO_BLK_F_CONFIG_WCE, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH)},
};

static enum vplat_result offer_deps(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	unsigned checked = 0;
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++) {
		if (deps[i].dev != t->dev->device_id)
			continue;
		checked++;
		if (!(off & VPLAT_BIT(deps[i].bit)))
			continue;
		VPLAT_T_CHECK_MSG(t, (int)i + 1, (off & deps[i].needs) == deps[i].needs,
				  "an offered feature's prerequisites are offered too",
				  "bit %u offered without 0x%llx", deps[i].bit,
				  (unsigned long long)(deps[i].needs & ~off));
	}
	if (!checked)
		return vplat_t_skip(t, "the device type defines no feature dependencies");
	return VPLAT_PASS;
}
VPLAT_TEST(core_offer_dependencies, "VPLAT-CORE-010", "devicenormative:Basic Facilities of a Virtio Device / Feature Bits", 0, 0, "no feature is offered without the features it depends on (net, CAN, block, watchdog rules)", offer_deps);

static enum vplat_result reenable_new_size(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
	if (!(vplat_val_get_device_features(t->d) & F(RING_RESET)))
		return vplat_t_skip(t, "VIRTIO_F_RING_RESET not offered");
	enum vplat_result r = bringup(t, F(RING_RESET), &vq, q, 8);
	if (r != VPLAT_PASS)
		return r;
	struct creq req;
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	VPLAT_T_CHECK(t, 2, wait_used(t, vq, &tok, &len) == 0);
	/* Reset the queue, set it up again with another size, use it. */
	VPLAT_T_CHECK_MSG(t, 3, vplat_val_queue_reset(t->d, (uint16_t)q) == 0, "queue reset completes",
			  "queue reset did not complete");
	VPLAT_T_CHECK(t, 4, !vplat_val_queue_enabled(t->d, (uint16_t)q));
	vplat_val_vq_fini(vq);
	struct vplat_val_vq *vq2 = vplat_t_vq(t);
	VPLAT_T_CHECK(t, 5, vq2 && vplat_val_vq_setup(t->d, vq2, (uint16_t)q, 4) == 0);
	for (int n = 0; n < 6; n++) { /* more than one lap of the new, smaller ring */
		VPLAT_T_CHECK(t, 6, post(t, vq2, &req, &req) == 0);
		VPLAT_T_CHECK_MSG(t, 7, wait_used(t, vq2, &tok, &len) == 0 && tok == &req,
				  "the re-enabled queue works with its new size",
				  "request %d not completed (%s)", n, vq2->error_msg ? vq2->error_msg : "");
	}
	return VPLAT_PASS;
}
VPLAT_TEST(core_queue_reenable_new_size, "VPLAT-CORE-041 VPLAT-CORE-040", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / Virtqueue Reset / Virtqueue Re-enable", 0, 0, "after a queue reset the queue is set up again with size 4 and serves requests", reenable_new_size);
