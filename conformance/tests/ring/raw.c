/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring requirements that need hand-built descriptors, checked on the entropy device (its
 * requests are plain device-writable buffers, so any arrangement of them is a valid request).
 */
#include "../common/common.h"

/* 8 entries, or fewer if the device's queue 0 is smaller (QEMU's vhost-user-rng has 4). */
static uint16_t size8(struct vplat_test_ctx *t)
{
	uint16_t max = vplat_val_queue_max(t->d, 0), n = 8;
	while (max && n > max)
		n /= 2;
	return n;
}

#define NEXT     VPLAT_VIRTQ_DESC_F_NEXT
#define WRITE    VPLAT_VIRTQ_DESC_F_WRITE
#define INDIRECT VPLAT_VIRTQ_DESC_F_INDIRECT

static enum vplat_result up(struct vplat_test_ctx *t, uint64_t f, struct vplat_val_vq **vq)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	if ((off & f) != f)
		return vplat_t_skip(t, "feature 0x%llx not offered", (unsigned long long)(f & ~off));
	return bringup(t, f, vq, 0, size8(t));
}

static uint64_t buf(struct vplat_test_ctx *t, uint32_t len)
{
	uint64_t gpa = 0;
	uint8_t *p = vplat_val_alloc(t->d->mem, len, 16, &gpa);
	if (p)
		memset(p, 0, len);
	return gpa;
}

static enum vplat_result indirect_write_flag_ignored(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = up(t, F(INDIRECT_DESC), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint64_t tgpa, b = buf(t, 64);
	void *tab = vplat_val_vq_raw_table(vq, 1, &tgpa);
	VPLAT_T_CHECK(t, 1, tab && b);
	vplat_val_vq_raw_table_set(vq, tab, 0, b, 64, WRITE, 0);
	/* WRITE on the descriptor that points at the table: the device MUST ignore it. */
	vplat_val_vq_raw_desc(vq, 0, tgpa, 16, INDIRECT | WRITE, 0);
	vplat_val_vq_raw_avail(vq, 0);
	vplat_val_vq_notify(vq);
	uint32_t id, len;
	VPLAT_T_CHECK_MSG(t, 2, raw_wait(t, vq, 1, &id, &len) == 0, "the request is used",
			  "not used (status 0x%x)", status(t));
	VPLAT_T_CHECK_EQ(t, 3, id, 0, "used id is the head");
	VPLAT_T_CHECK_MSG(t, 4, len >= 1 && len <= 64, "1..64 bytes written", "len %u", len);
	return VPLAT_PASS;
}
VPLAT_TEST(ring_split_indirect_write_ignored, "VPLAT-RING-004", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / The Virtqueue Descriptor Table / Indirect Descriptors", VPLAT_VIRTIO_ID_RNG, 0, "split: WRITE on the descriptor that points to an indirect table is ignored", indirect_write_flag_ignored);

static enum vplat_result direct_then_indirect(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = up(t, F(INDIRECT_DESC), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint64_t tgpa, b0 = buf(t, 32), b1 = buf(t, 32);
	void *tab = vplat_val_vq_raw_table(vq, 1, &tgpa);
	VPLAT_T_CHECK(t, 1, tab && b0 && b1);
	vplat_val_vq_raw_table_set(vq, tab, 0, b1, 32, WRITE, 0);
	vplat_val_vq_raw_desc(vq, 0, b0, 32, WRITE | NEXT, 1);
	vplat_val_vq_raw_desc(vq, 1, tgpa, 16, INDIRECT, 0);
	vplat_val_vq_raw_avail(vq, 0);
	vplat_val_vq_notify(vq);
	uint32_t id, len;
	VPLAT_T_CHECK_MSG(t, 2, raw_wait(t, vq, 1, &id, &len) == 0,
			  "normal descriptors followed by one indirect are accepted",
			  "not used (status 0x%x)", status(t));
	VPLAT_T_CHECK(t, 3, !(status(t) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	VPLAT_T_CHECK_MSG(t, 4, len >= 1 && len <= 64, "1..64 bytes written", "len %u", len);
	return VPLAT_PASS;
}
VPLAT_TEST(ring_split_direct_then_indirect, "VPLAT-RING-005 VPLAT-RING-001", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / The Virtqueue Descriptor Table / Indirect Descriptors", VPLAT_VIRTIO_ID_RNG, 0, "split: a chain of a normal descriptor then an indirect one is served", direct_then_indirect);

static enum vplat_result packed_avail_bit(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = up(t, F(RING_PACKED), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint64_t b = buf(t, 64);
	/* Slot 0 written but its AVAIL bit not flipped to the driver's wrap counter (1). */
	vplat_val_vq_raw_desc(vq, 0, b, 64, WRITE, 7);
	vplat_val_vq_notify(vq);
	for (int i = 0; i < 20; i++)
		vplat_t_poll(t);
	uint32_t id, len;
	VPLAT_T_CHECK_MSG(t, 1, vplat_val_vq_raw_used(vq, 1, &id, &len) == VPLAT_EAGAIN,
			  "a descriptor whose AVAIL bit did not change is not used",
			  "the device used it (id %u)", id);
	VPLAT_T_CHECK(t, 2, vplat_val_vq_raw_make_avail(vq, 1) == 0);
	vplat_val_vq_notify(vq);
	VPLAT_T_CHECK_MSG(t, 3, raw_wait(t, vq, 1, &id, &len) == 0, "used once made available",
			  "not used");
	VPLAT_T_CHECK_EQ(t, 4, id, 7, "buffer ID returned");
	return VPLAT_PASS;
}
VPLAT_TEST(ring_packed_avail_bit, "VPLAT-RING-022", "devicenormative:Basic Facilities of a Virtio Device / Packed Virtqueues / The Virtqueue Descriptor Table", VPLAT_VIRTIO_ID_RNG, 0, "packed: a descriptor is not used before its AVAIL bit matches the wrap counter", packed_avail_bit);

static enum vplat_result packed_chain_id(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = up(t, F(RING_PACKED), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint64_t b0 = buf(t, 16), b1 = buf(t, 16), b2 = buf(t, 16);
	vplat_val_vq_raw_desc(vq, 0, b0, 16, WRITE | NEXT, 3);
	vplat_val_vq_raw_desc(vq, 1, b1, 16, WRITE | NEXT, 3);
	vplat_val_vq_raw_desc(vq, 2, b2, 16, WRITE, 9);
	VPLAT_T_CHECK(t, 1, vplat_val_vq_raw_make_avail(vq, 3) == 0);
	vplat_val_vq_notify(vq);
	uint32_t id, len;
	VPLAT_T_CHECK_MSG(t, 2, raw_wait(t, vq, 3, &id, &len) == 0, "the chain is used", "not used");
	VPLAT_T_CHECK_EQ(t, 3, id, 9, "one used descriptor with the chain's last buffer ID");
	VPLAT_T_CHECK_MSG(t, 4, len >= 1 && len <= 48, "1..48 bytes written", "len %u", len);
	/* Slots 1 and 2 keep the driver's descriptors: one used descriptor for the chain. */
	struct vplat_pvirtq_desc *ring = vq->desc;
	/* The used descriptor does not change afterwards (RING-023). */
	struct vplat_pvirtq_desc snap = ring[0];
	for (int i = 0; i < 50; i++)
		vplat_t_poll(t);
	VPLAT_T_CHECK_MSG(t, 6, memcmp(&snap, &ring[0], sizeof(snap)) == 0,
			  "a used descriptor is not changed after its USED bit is set",
			  "slot 0 changed after being marked used");
	VPLAT_T_CHECK_MSG(t, 5, vplat_le64_to_cpu(ring[1].addr) == b1 && vplat_le64_to_cpu(ring[2].addr) == b2,
			  "only one used descriptor written for the chain",
			  "slots 1-2 were overwritten");
	return VPLAT_PASS;
}
VPLAT_TEST(ring_packed_chain_buffer_id, "VPLAT-RING-024 VPLAT-RING-023", "devicenormative:Basic Facilities of a Virtio Device / Packed Virtqueues / Scatter-Gather Support", VPLAT_VIRTIO_ID_RNG, 0, "packed: a 3-descriptor chain comes back as one used descriptor with the last buffer ID", packed_chain_id);
