/* SPDX-License-Identifier: BSD-3-Clause */
/* virtio-mmio register layout (spec/03-transports.md 3.1). */
#include "../common/common.h"
#include "vplat/spec/virtio_mmio.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

static enum vplat_result ident(struct vplat_test_ctx *t)
{
	VPLAT_T_CHECK_EQ(t, 1, mmio_rd(t, VPLAT_VIRTIO_MMIO_MAGIC_VALUE, 4), VPLAT_VIRTIO_MMIO_MAGIC,
			 "MagicValue 0x74726976");
	VPLAT_T_CHECK_EQ(t, 2, mmio_rd(t, VPLAT_VIRTIO_MMIO_VERSION, 4), 2, "Version 2");
	VPLAT_T_CHECK_EQ(t, 3, mmio_rd(t, VPLAT_VIRTIO_MMIO_DEVICE_ID, 4), t->dev->device_id,
			 "DeviceID is the device type");
	return VPLAT_PASS;
}
VPLAT_TEST(mmio_identification, "VPLAT-MMIO-001 VPLAT-MMIO-002 VPLAT-MMIO-009", "devicenormative:Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout", 0, VPLAT_TF_MMIO, "MagicValue, Version 2 and DeviceID", ident);

static enum vplat_result missing_queue(struct vplat_test_ctx *t)
{
	/* Find the first queue index whose QueueSizeMax reads 0; any device has one below 1024. */
	for (uint32_t q = 0; q < 1024; q++) {
		mmio_wr(t, VPLAT_VIRTIO_MMIO_QUEUE_SEL, 4, q);
		if (mmio_rd(t, VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX, 4) == 0) {
			mmio_wr(t, VPLAT_VIRTIO_MMIO_QUEUE_SEL, 4, 0xffff);
			VPLAT_T_CHECK_EQ(t, 1, mmio_rd(t, VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX, 4), 0,
					 "QueueSizeMax 0 for queue 0xffff");
			return VPLAT_PASS;
		}
	}
	return vplat_t_fail(t, 2, "QueueSizeMax == 0 for some queue", __FILE__, __LINE__,
			    "a queue index with QueueSizeMax 0", "1024 queues all report a size");
}
VPLAT_TEST(mmio_missing_queue_size_zero, "VPLAT-MMIO-009", "sec:Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout", 0, VPLAT_TF_MMIO, "QueueSizeMax reads 0 for queues the device does not have", missing_queue);

static enum vplat_result isr_until_ack(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	struct creq req;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
	enum vplat_result r = bringup(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_EQ(t, 1, mmio_rd(t, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 4), 0,
			 "InterruptStatus 0 before any event");
	VPLAT_T_CHECK(t, 2, post(t, vq, &req, &req) == 0);
	/* Wait for the used entry without touching InterruptStatus. */
	uint32_t id, len;
	raw_wait(t, vq, 1, &id, &len);
	uint64_t is = mmio_rd(t, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 4);
	VPLAT_T_CHECK_EQ(t, 3, is & 1, 1, "used-buffer bit set after the event");
	VPLAT_T_CHECK_EQ(t, 4, is & ~UINT64_C(3), 0, "undefined bits read 0");
	VPLAT_T_CHECK_EQ(t, 5, mmio_rd(t, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 4) & 1, 1,
			 "still set on a second read (held until ACK)");
	mmio_wr(t, VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, 4, 1);
	VPLAT_T_CHECK_EQ(t, 6, mmio_rd(t, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 4) & 1, 0,
			 "cleared by InterruptACK");
	return VPLAT_PASS;
}
VPLAT_TEST(mmio_interrupt_status_until_ack, "VPLAT-MMIO-003", "devicenormative:Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout", 0, VPLAT_TF_MMIO, "InterruptStatus holds the used-buffer bit until InterruptACK; undefined bits 0", isr_until_ack);

static enum vplat_result reset_clears(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	struct creq req;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
	enum vplat_result r = bringup(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	uint32_t id, len;
	raw_wait(t, vq, 1, &id, &len);
	VPLAT_T_CHECK(t, 2, mmio_rd(t, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 4) != 0);
	mmio_wr(t, VPLAT_VIRTIO_MMIO_STATUS, 4, 0);
	VPLAT_T_CHECK_EQ(t, 3, mmio_rd(t, VPLAT_VIRTIO_MMIO_STATUS, 4), 0, "Status 0 after reset");
	VPLAT_T_CHECK_EQ(t, 4, mmio_rd(t, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 4), 0,
			 "InterruptStatus cleared by reset");
	mmio_wr(t, VPLAT_VIRTIO_MMIO_QUEUE_SEL, 4, (uint64_t)q);
	VPLAT_T_CHECK_EQ(t, 5, mmio_rd(t, VPLAT_VIRTIO_MMIO_QUEUE_READY, 4), 0,
			 "QueueReady cleared by reset");
	return VPLAT_PASS;
}
VPLAT_TEST(mmio_reset_clears_interrupts_and_ready, "VPLAT-MMIO-004 VPLAT-CORE-020", "devicenormative:Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout", 0, VPLAT_TF_MMIO, "a reset clears InterruptStatus and QueueReady", reset_clears);

static enum vplat_result queue_reset(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		q = 0;
	if (!(vplat_val_get_device_features(t->d) & F(RING_RESET)))
		return vplat_t_skip(t, "VIRTIO_F_RING_RESET not offered");
	enum vplat_result r = bringup(t, F(RING_RESET), &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	mmio_wr(t, VPLAT_VIRTIO_MMIO_QUEUE_SEL, 4, (uint64_t)q);
	VPLAT_T_CHECK_EQ(t, 1, mmio_rd(t, VPLAT_VIRTIO_MMIO_QUEUE_RESET, 4), 0,
			 "QueueReset 0 after the queue is enabled");
	mmio_wr(t, VPLAT_VIRTIO_MMIO_QUEUE_RESET, 4, 1);
	uint64_t v = 1;
	while ((v = mmio_rd(t, VPLAT_VIRTIO_MMIO_QUEUE_RESET, 4)) == 1 && !vplat_t_expired(t))
		vplat_t_poll(t);
	VPLAT_T_CHECK_EQ(t, 2, v, 0, "QueueReset reads 0 once the reset completed");
	VPLAT_T_CHECK_EQ(t, 3, mmio_rd(t, VPLAT_VIRTIO_MMIO_QUEUE_READY, 4), 0,
			 "QueueReady reads 0 after the queue reset");
	return VPLAT_PASS;
}
VPLAT_TEST(mmio_queue_reset, "VPLAT-MMIO-007 VPLAT-MMIO-008 VPLAT-CORE-040", "devicenormative:Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout", 0, VPLAT_TF_MMIO, "QueueReset: 0 when enabled, reset on 1, then QueueReset and QueueReady read 0", queue_reset);

static enum vplat_result generation_stable(struct vplat_test_ctx *t)
{
	uint64_t g1 = mmio_rd(t, VPLAT_VIRTIO_MMIO_CONFIG_GENERATION, 4);
	uint8_t a[64], b[64];
	for (unsigned i = 0; i < 64; i++)
		a[i] = (uint8_t)mmio_rd(t, VPLAT_VIRTIO_MMIO_CONFIG + i, 1);
	for (unsigned i = 0; i < 64; i++)
		b[i] = (uint8_t)mmio_rd(t, VPLAT_VIRTIO_MMIO_CONFIG + i, 1);
	uint64_t g2 = mmio_rd(t, VPLAT_VIRTIO_MMIO_CONFIG_GENERATION, 4);
	VPLAT_T_CHECK_EQ(t, 1, g2, g1, "ConfigGeneration unchanged without config changes");
	VPLAT_T_CHECK_MSG(t, 2, memcmp(a, b, sizeof(a)) == 0, "config reads are stable",
			  "two reads of the first 64 config bytes differ");
	return VPLAT_PASS;
}
VPLAT_TEST(mmio_config_generation_stable, "VPLAT-MMIO-005 VPLAT-CORE-031 VPLAT-CORE-030", "devicenormative:Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout", 0, VPLAT_TF_MMIO, "config space is readable before FEATURES_OK and ConfigGeneration stays put", generation_stable);
