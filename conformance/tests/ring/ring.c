/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split and packed ring device requirements (spec/02-virtqueues.md). Each test that applies
 * to both layouts is registered twice, once per layout.
 */
#include "../common/common.h"

/* Bring up the device's request queue with the given layout; SKIP if the layout is absent. */
static enum vplat_result up(struct vplat_test_ctx *t, bool packed, uint64_t extra,
			    struct vplat_val_vq **vq, uint16_t size)
{
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
	uint64_t off = vplat_val_get_device_features(t->d);
	if (packed && !(off & F(RING_PACKED)))
		return vplat_t_skip(t, "VIRTIO_F_RING_PACKED not offered");
	if ((extra & off) != extra)
		return vplat_t_skip(t, "feature 0x%llx not offered", (unsigned long long)(extra & ~off));
	return bringup(t, extra | (packed ? F(RING_PACKED) : 0), vq, q, size);
}

static enum vplat_result used_len_and_data(struct vplat_test_ctx *t, bool packed)
{
	struct vplat_val_vq *vq;
	struct creq req;
	enum vplat_result r = up(t, packed, 0, &vq, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 2, wait_used(t, vq, &tok, &len) == 0, "the request is used",
			  "no used entry before the deadline (%s)", vq->error_msg ? vq->error_msg : "");
	VPLAT_T_CHECK(t, 3, tok == &req);
	VPLAT_T_CHECK_MSG(t, 4, len <= creq_in_len(&req), "used len <= writable bytes",
			  "len %u > %u writable", len, creq_in_len(&req));
	VPLAT_T_CHECK_MSG(t, 5, creq_readable_intact(&req), "readable buffers untouched",
			  "the device wrote to a device-readable buffer");
	return VPLAT_PASS;
}
static enum vplat_result split_used(struct vplat_test_ctx *t) { return used_len_and_data(t, false); }
static enum vplat_result packed_used(struct vplat_test_ctx *t) { return used_len_and_data(t, true); }
VPLAT_TEST(ring_split_used_len, "VPLAT-RING-002 VPLAT-RING-010", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / The Virtqueue Used Ring", 0, 0, "split: a request is used once with len within the writable bytes; readable buffers untouched", split_used);
VPLAT_TEST(ring_packed_used_len, "VPLAT-RING-021 VPLAT-RING-020", "devicenormative:Basic Facilities of a Virtio Device / Packed Virtqueues / The Virtqueue Descriptor Table", 0, 0, "packed: a request is used once with len within the writable bytes; readable buffers untouched", packed_used);

static enum vplat_result desc_table_untouched(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	struct creq req;
	/* 16 entries, or fewer if the device's queue is smaller (QEMU's virtio-rng has 8). */
	uint16_t n = 16;
	int q = creq_queue(t->dev->device_id);
	uint16_t max = q >= 0 ? vplat_val_queue_max(t->d, (uint16_t)q) : 0;
	while (max && n > max)
		n /= 2;
	enum vplat_result r = up(t, false, 0, &vq, n);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	uint8_t snap[16 * 16];
	size_t table = (size_t)n * 16;
	memcpy(snap, vq->desc, table);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK(t, 2, wait_used(t, vq, &tok, &len) == 0);
	VPLAT_T_CHECK_MSG(t, 3, memcmp(snap, vq->desc, table) == 0,
			  "descriptor table unchanged", "the device wrote to the descriptor table");
	return VPLAT_PASS;
}
VPLAT_TEST(ring_split_desc_table_untouched, "VPLAT-RING-003", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / The Virtqueue Descriptor Table", 0, 0, "split: the device never writes the descriptor table", desc_table_untouched);

static enum vplat_result wraps(struct vplat_test_ctx *t, bool packed)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = up(t, packed, 0, &vq, packed ? 5 : 4);
	if (r != VPLAT_PASS)
		return r;
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	for (int n = 0; n < 20; n++) { /* 5 laps */
		struct creq req;
		VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK_MSG(t, 2, wait_used(t, vq, &tok, &len) == 0 && tok == &req,
				  "every request is used across ring laps", "request %d lost (%s)", n,
				  vq->error_msg ? vq->error_msg : "no used entry");
		vplat_val_mem_release(t->d->mem, mark);
	}
	return VPLAT_PASS;
}
static enum vplat_result split_wraps(struct vplat_test_ctx *t) { return wraps(t, false); }
static enum vplat_result packed_wraps(struct vplat_test_ctx *t) { return wraps(t, true); }
VPLAT_TEST(ring_split_index_wrap, "VPLAT-RING-014", "sec:Basic Facilities of a Virtio Device / Virtqueues / The Virtqueue Available Ring", 0, 0, "split: 20 requests through a 4-entry ring (5 laps)", split_wraps);
VPLAT_TEST(ring_packed_wrap_counter, "VPLAT-RING-014 VPLAT-RING-022", "sec:Basic Facilities of a Virtio Device / Packed Virtqueues / Driver and Device Ring Wrap Counters", 0, 0, "packed: 20 requests through a 5-entry ring (wrap counters flip)", packed_wraps);

static enum vplat_result notify_when_flags_zero(struct vplat_test_ctx *t, bool packed)
{
	struct vplat_val_vq *vq;
	struct creq req;
	enum vplat_result r = up(t, packed, 0, &vq, 0);
	if (r != VPLAT_PASS)
		return r;
	vplat_val_vq_set_interrupts(vq, true);
	uint64_t before = vplat_val_irq_count(t->d);
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK(t, 2, wait_used(t, vq, &tok, &len) == 0);
	/* The notification may follow the used entry (a vhost-user back end signals its call
	 * eventfd after writing the ring, and the hypervisor then raises the interrupt). */
	for (int i = 0; i < 200 && vplat_val_irq_count(t->d) == before && !vplat_t_expired(t); i++)
		vplat_t_poll(t);
	VPLAT_T_CHECK_MSG(t, 3, vplat_val_irq_count(t->d) > before, "a used buffer notification",
			  "no interrupt although the driver asked for one");
	/* And with notifications suppressed by the driver: none (SHOULD). */
	vplat_val_vq_set_interrupts(vq, false);
	vplat_val_isr(t->d);
	before = vplat_val_irq_count(t->d);
	VPLAT_T_CHECK(t, 4, post(t, vq, &req, &req) == 0);
	VPLAT_T_CHECK(t, 5, wait_used(t, vq, &tok, &len) == 0);
	VPLAT_T_CHECK_MSG(t, 6, vplat_val_irq_count(t->d) == before, "no notification when suppressed",
			  "%llu interrupt(s) although the driver suppressed them",
			  (unsigned long long)(vplat_val_irq_count(t->d) - before));
	return VPLAT_PASS;
}
static enum vplat_result split_notify(struct vplat_test_ctx *t) { return notify_when_flags_zero(t, false); }
static enum vplat_result packed_notify(struct vplat_test_ctx *t) { return notify_when_flags_zero(t, true); }
VPLAT_TEST(ring_split_notification, "VPLAT-RING-006 VPLAT-RING-007 VPLAT-FFI-014", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / Used Buffer Notification Suppression", 0, 0, "split without EVENT_IDX: flags 0 gives a notification, NO_INTERRUPT none", split_notify);
VPLAT_TEST(ring_packed_notification, "VPLAT-RING-025 VPLAT-FFI-014", "sec:Basic Facilities of a Virtio Device / Packed Virtqueues / Event Suppression Structure Format", 0, 0, "packed: ENABLE gives a notification, DISABLE none", packed_notify);

static enum vplat_result event_idx(struct vplat_test_ctx *t, bool packed)
{
	struct vplat_val_vq *vq;
	struct creq req;
	enum vplat_result r = up(t, packed, F(EVENT_IDX), &vq, 0);
	if (r != VPLAT_PASS)
		return r;
	void *tok;
	uint32_t len;
	/* The driver asks for a notification at the next used entry (used_event = last_used). */
	vplat_val_vq_set_interrupts(vq, true);
	uint64_t before = vplat_val_irq_count(t->d);
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	VPLAT_T_CHECK(t, 2, wait_used(t, vq, &tok, &len) == 0);
	/* As above: over vhost-user the notification may follow the used entry. */
	for (int i = 0; i < 200 && vplat_val_irq_count(t->d) == before && !vplat_t_expired(t); i++)
		vplat_t_poll(t);
	VPLAT_T_CHECK_MSG(t, 3, vplat_val_irq_count(t->d) > before,
			  "notification when the used index reaches used_event",
			  "no interrupt at used_event");
	if (!packed) {
		struct vplat_virtq_used *u = vq->device;
		VPLAT_T_CHECK_EQ(t, 4, vplat_le16_to_cpu(u->flags), 0, "used flags 0 with EVENT_IDX");
	}
	/* used_event far behind: no notification expected (SHOULD NOT). */
	vplat_val_vq_set_interrupts(vq, false);
	before = vplat_val_irq_count(t->d);
	VPLAT_T_CHECK(t, 5, post(t, vq, &req, &req) == 0);
	VPLAT_T_CHECK(t, 6, wait_used(t, vq, &tok, &len) == 0);
	VPLAT_T_CHECK_MSG(t, 7, vplat_val_irq_count(t->d) == before,
			  "no notification before used_event", "an interrupt the driver did not ask for");
	return VPLAT_PASS;
}
static enum vplat_result split_event_idx(struct vplat_test_ctx *t) { return event_idx(t, false); }
static enum vplat_result packed_event_idx(struct vplat_test_ctx *t) { return event_idx(t, true); }
VPLAT_TEST(ring_split_event_idx, "VPLAT-RING-008 VPLAT-RING-009 VPLAT-RING-012 VPLAT-FFI-014", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / Used Buffer Notification Suppression", 0, 0, "split with EVENT_IDX: notification at used_event, none before, used flags 0", split_event_idx);
VPLAT_TEST(ring_packed_event_desc, "VPLAT-RING-025 VPLAT-FFI-014", "sec:Basic Facilities of a Virtio Device / Packed Virtqueues / Event Suppression Structure Format", 0, 0, "packed with EVENT_IDX: notification at the event descriptor, none otherwise", packed_event_idx);

static enum vplat_result used_flags_split(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	struct creq req;
	enum vplat_result r = up(t, false, 0, &vq, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK(t, 2, wait_used(t, vq, &tok, &len) == 0);
	struct vplat_virtq_used *u = vq->device;
	uint16_t fl = vplat_le16_to_cpu(u->flags);
	VPLAT_T_CHECK_MSG(t, 3, fl == 0 || fl == 1, "used flags 0 or 1", "used flags 0x%x", fl);
	return VPLAT_PASS;
}
VPLAT_TEST(ring_split_used_flags, "VPLAT-RING-012", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / Available Buffer Notification Suppression", 0, 0, "split without EVENT_IDX: the used ring flags are 0 or 1", used_flags_split);

static enum vplat_result spurious(struct vplat_test_ctx *t, bool packed)
{
	struct vplat_val_vq *vq;
	struct creq req;
	enum vplat_result r = up(t, packed, 0, &vq, 0);
	if (r != VPLAT_PASS)
		return r;
	for (int i = 0; i < 10; i++)
		vplat_val_vq_notify(vq);
	for (int i = 0; i < 10; i++)
		vplat_t_poll(t);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 1, vplat_val_vq_get_used(vq, &tok, &len) == VPLAT_EAGAIN,
			  "nothing used after spurious kicks", "a used entry appeared from nowhere");
	VPLAT_T_CHECK(t, 2, !(status(t) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	VPLAT_T_CHECK(t, 3, post(t, vq, &req, &req) == 0);
	VPLAT_T_CHECK_MSG(t, 4, wait_used(t, vq, &tok, &len) == 0, "the device still works",
			  "no completion after spurious kicks");
	return VPLAT_PASS;
}
static enum vplat_result split_spurious(struct vplat_test_ctx *t) { return spurious(t, false); }
static enum vplat_result packed_spurious(struct vplat_test_ctx *t) { return spurious(t, true); }
VPLAT_TEST(ring_split_spurious_kick, "VPLAT-RING-013", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / Available Buffer Notification Suppression", 0, 0, "split: ten kicks with nothing available change nothing", split_spurious);
VPLAT_TEST(ring_packed_spurious_kick, "VPLAT-RING-013", "devicenormative:Basic Facilities of a Virtio Device / Virtqueues / Available Buffer Notification Suppression", 0, 0, "packed: ten kicks with nothing available change nothing", packed_spurious);

static enum vplat_result in_order(struct vplat_test_ctx *t, bool packed)
{
	struct vplat_val_vq *vq;
	struct creq req[4];
	enum vplat_result r = up(t, packed, F(IN_ORDER), &vq, 16);
	if (r != VPLAT_PASS)
		return r;
	for (int i = 0; i < 4; i++) {
		VPLAT_T_CHECK(t, 1, creq_build(t, &req[i]) == 0);
		VPLAT_T_CHECK(t, 2, vplat_val_vq_add(vq, req[i].bufs, req[i].n_out, req[i].n_in,
						     &req[i]) == 0);
	}
	vplat_val_vq_kick(vq);
	for (int i = 0; i < 4; i++) {
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK(t, 3, wait_used(t, vq, &tok, &len) == 0);
		VPLAT_T_CHECK_MSG(t, 4, tok == &req[i], "buffers used in the order made available",
				  "used #%d is not request #%d", i, i);
	}
	return VPLAT_PASS;
}
static enum vplat_result split_in_order(struct vplat_test_ctx *t) { return in_order(t, false); }
static enum vplat_result packed_in_order(struct vplat_test_ctx *t) { return in_order(t, true); }
VPLAT_TEST(ring_split_in_order, "VPLAT-RING-030", "sec:Reserved Feature Bits", 0, 0, "split with IN_ORDER: four requests come back in order", split_in_order);
VPLAT_TEST(ring_packed_in_order, "VPLAT-RING-030 VPLAT-RING-020", "sec:Reserved Feature Bits", 0, 0, "packed with IN_ORDER: four requests come back in order", packed_in_order);

static enum vplat_result ring_features(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	uint64_t want = F(RING_PACKED) | F(INDIRECT_DESC) | F(EVENT_IDX);
	VPLAT_T_CHECK_MSG(t, 1, (off & want) == want, "RING_PACKED, INDIRECT_DESC and EVENT_IDX offered",
			  "missing 0x%llx", (unsigned long long)(want & ~off));
	return VPLAT_PASS;
}
VPLAT_TEST(ring_features_offered, "VPLAT-RING-031", "sec:Reserved Feature Bits", 0, 0, "the device offers packed rings, indirect descriptors and EVENT_IDX", ring_features);
