/* SPDX-License-Identifier: BSD-3-Clause */
/* FAILED: a driver that gave up on the device gets no more service (spec/01-core.md 1.1). */
#include "../common/common.h"
#include "../common/devreq.h"

static enum vplat_result no_use_after_failed(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	struct creq req;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
	enum vplat_result r = bringup(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	vplat_val_add_status(t->d, VPLAT_VIRTIO_STATUS_FAILED);
	VPLAT_T_CHECK_MSG(t, 1, status(t) & VPLAT_VIRTIO_STATUS_FAILED, "FAILED reads back set",
			  "status 0x%02x", status(t));
	if (creq_build(t, &req))
		return vplat_t_error(t, "cannot build a request");
	uint64_t irqs = vplat_val_irq_count(t->d);
	VPLAT_T_CHECK(t, 2, vplat_val_vq_add(vq, req.bufs, req.n_out, req.n_in, &req) == 0);
	vplat_val_vq_kick(vq);
	void *tok;
	uint32_t len;
	/* Watch for 200 ms, not a fixed number of polls: a device in another process that is
	 * slow to react (a loaded machine) must not pass by being late. */
	VPLAT_T_CHECK_MSG(t, 3, quiet_for(t, vq, 200, &tok), "no buffer used after FAILED",
			  "the device used the buffer");
	VPLAT_T_CHECK_EQ(t, 4, vplat_val_irq_count(t->d), irqs, "no used buffer notification");
	/* A reset and a new initialization bring the device back. */
	VPLAT_T_CHECK(t, 5, vplat_val_reset(t->d) == 0);
	release_queues(t);
	r = bringup(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	if (creq_build(t, &req))
		return vplat_t_error(t, "cannot build a request");
	VPLAT_T_CHECK(t, 6, vplat_val_vq_add(vq, req.bufs, req.n_out, req.n_in, &req) == 0);
	vplat_val_vq_kick(vq);
	VPLAT_T_CHECK_MSG(t, 7, wait_used(t, vq, &tok, &len) == 0, "served again after a reset",
			  "no used buffer before the deadline");
	return VPLAT_PASS;
}
VPLAT_TEST(core_no_use_after_failed, "VPLAT-CORE-005 VPLAT-CORE-022", "devicenormative:Basic Facilities of a Virtio Device / Device Status Field", 0, 0, "after the driver sets FAILED a kicked request is not served and not notified; after a reset it is", no_use_after_failed);
