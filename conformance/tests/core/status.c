/* SPDX-License-Identifier: BSD-3-Clause */
/* Device status, reset and the initialization sequence (spec/01-core.md 1.1, 1.3). */
#include "../common/common.h"

#define S_ACK  VPLAT_VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRV  VPLAT_VIRTIO_STATUS_DRIVER
#define S_FOK  VPLAT_VIRTIO_STATUS_FEATURES_OK
#define S_DOK  VPLAT_VIRTIO_STATUS_DRIVER_OK
#define S_NR   VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET

static enum vplat_result reset_reads_zero(struct vplat_test_ctx *t)
{
	vplat_val_set_status(t->d, S_ACK);
	vplat_val_set_status(t->d, S_ACK | S_DRV);
	VPLAT_T_CHECK_EQ(t, 1, status(t), S_ACK | S_DRV, "status reads back ACKNOWLEDGE|DRIVER");
	VPLAT_T_CHECK_EQ(t, 2, vplat_val_reset(t->d), 0, "reset completes (status reads 0)");
	VPLAT_T_CHECK_EQ(t, 3, status(t), 0, "status 0 after reset");
	return VPLAT_PASS;
}
VPLAT_TEST(core_reset_reads_zero, "VPLAT-CORE-020 VPLAT-CORE-004", "devicenormative:Basic Facilities of a Virtio Device / Device Reset", 0, 0, "writing 0 to the status resets the device; status then reads 0", reset_reads_zero);

static enum vplat_result init_sequence(struct vplat_test_ctx *t)
{
	enum vplat_result r = bringup(t, 0, NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_EQ(t, 1, status(t), S_ACK | S_DRV | S_FOK | S_DOK,
			 "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK read back");
	return VPLAT_PASS;
}
VPLAT_TEST(core_init_sequence, "VPLAT-CORE-004 VPLAT-CORE-011", "sec:General Initialization And Device Operation / Device Initialization", 0, 0, "the driver initialization sequence with VERSION_1 only completes", init_sequence);

static enum vplat_result reset_disables_queues(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	int q = 0;
	enum vplat_result r = bringup(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, vplat_val_queue_enabled(t->d, (uint16_t)q));
	VPLAT_T_CHECK_EQ(t, 2, vplat_val_reset(t->d), 0, "reset completes");
	VPLAT_T_CHECK_MSG(t, 3, !vplat_val_queue_enabled(t->d, (uint16_t)q),
			  "queue reads disabled after reset", "queue %d still reads enabled", q);
	return VPLAT_PASS;
}
VPLAT_TEST(core_reset_disables_queues, "VPLAT-CORE-021 VPLAT-MMIO-004 VPLAT-PCI-005", "devicenormative:Basic Facilities of a Virtio Device / Device Reset", 0, 0, "after a reset every queue reads back disabled", reset_disables_queues);

static enum vplat_result no_use_before_driver_ok(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	struct creq req;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
	enum vplat_result r = bringup_no_driver_ok(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	if (creq_build(t, &req))
		return vplat_t_error(t, "cannot build a request");
	VPLAT_T_CHECK(t, 1, vplat_val_vq_add(vq, req.bufs, req.n_out, req.n_in, &req) == 0);
	vplat_val_vq_notify(vq);
	uint64_t irqs = vplat_val_irq_count(t->d);
	for (int i = 0; i < 100; i++)
		vplat_t_poll(t);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 2, vplat_val_vq_get_used(vq, &tok, &len) == VPLAT_EAGAIN,
			  "no buffer used before DRIVER_OK", "the device used the buffer");
	VPLAT_T_CHECK_EQ(t, 3, vplat_val_irq_count(t->d), irqs, "no used buffer notification");
	/* Once DRIVER_OK is set the same buffer is served. */
	VPLAT_T_CHECK(t, 4, vplat_val_driver_ok(t->d) == 0);
	vplat_val_vq_notify(vq);
	VPLAT_T_CHECK_MSG(t, 5, wait_used(t, vq, &tok, &len) == 0, "buffer used after DRIVER_OK",
			  "no used buffer before the deadline");
	return VPLAT_PASS;
}
VPLAT_TEST(core_no_use_before_driver_ok, "VPLAT-CORE-001", "devicenormative:Basic Facilities of a Virtio Device / Device Status Field", 0, 0, "a kicked queue is not served before DRIVER_OK, and is served after", no_use_before_driver_ok);

static enum vplat_result reinit_after_reset(struct vplat_test_ctx *t)
{
	for (int round = 0; round < 3; round++) {
		struct vplat_val_vq *vq;
		struct creq req;
		int q = creq_queue(t->dev->device_id);
		if (q < 0)
			return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
		uint64_t mark = vplat_val_mem_mark(t->d->mem);
		enum vplat_result r = bringup(t, F(RING_PACKED) * (round == 1), &vq, q, 0);
		if (r != VPLAT_PASS)
			return r;
		if (creq_build(t, &req))
			return vplat_t_error(t, "cannot build a request");
		VPLAT_T_CHECK(t, 1, vplat_val_vq_add(vq, req.bufs, req.n_out, req.n_in, &req) == 0);
		vplat_val_vq_kick(vq);
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK_MSG(t, 2, wait_used(t, vq, &tok, &len) == 0,
				  "request completes after re-initialization", "round %d: no completion",
				  round);
		VPLAT_T_CHECK(t, 3, vplat_val_reset(t->d) == 0);
		release_queues(t); /* before its memory is reused */
		vplat_val_mem_release(t->d->mem, mark);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(core_reinit_after_reset, "VPLAT-CORE-022 VPLAT-CORE-015", "devicenormative:Basic Facilities of a Virtio Device / Device Reset", 0, 0, "three initialize/use/reset rounds (split, packed, split) all complete requests", reinit_after_reset);
