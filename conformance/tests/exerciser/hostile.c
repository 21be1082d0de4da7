/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exerciser: the suite acts as a hostile driver and checks that the device survives —
 * it stays responsive, touches nothing outside guest memory (in-process PALs run under ASan in
 * CI), reports DEVICE_NEEDS_RESET where the spec asks it to, and a reset brings it back.
 * Each malformation is built on the entropy device's request queue (plain writable buffers);
 * other device types use their request model once the suite has one.
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
#define S_NR     VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET

enum bad {
	BAD_LOOP,          /* descriptor 0 -> 1 -> 0 */
	BAD_OUTSIDE,       /* buffer far outside guest memory */
	BAD_WRAP,          /* address + length wraps 2^64 */
	BAD_NESTED,        /* indirect table entry that is itself INDIRECT */
	BAD_TABLE_SIZE,    /* indirect table length not a multiple of 16 */
	BAD_AVAIL_JUMP,    /* available index moves by more than the queue size */
	BAD_HEAD,          /* available ring entry beyond the descriptor table */
	BAD_PACKED_CHAIN,  /* packed: every slot chains to the next, forever */
};

static uint64_t buf(struct vplat_test_ctx *t, uint32_t len)
{
	uint64_t gpa = 0;
	vplat_val_alloc(t->d->mem, len, 16, &gpa);
	return gpa;
}

/* Build malformation @p b on @p vq and kick. */
static void build(struct vplat_test_ctx *t, struct vplat_val_vq *vq, enum bad b)
{
	uint64_t g = buf(t, 64), tg;
	void *tab;
	switch (b) {
	case BAD_LOOP:
		vplat_val_vq_raw_desc(vq, 0, g, 16, WRITE | NEXT, 1);
		vplat_val_vq_raw_desc(vq, 1, g, 16, WRITE | NEXT, 0);
		vplat_val_vq_raw_avail(vq, 0);
		break;
	case BAD_OUTSIDE:
		vplat_val_vq_raw_desc(vq, 0, UINT64_C(0x7ff000000000), 64, WRITE, 0);
		vplat_val_vq_raw_avail(vq, 0);
		break;
	case BAD_WRAP:
		vplat_val_vq_raw_desc(vq, 0, UINT64_MAX - 15, 64, WRITE, 0);
		vplat_val_vq_raw_avail(vq, 0);
		break;
	case BAD_NESTED:
		tab = vplat_val_vq_raw_table(vq, 2, &tg);
		vplat_val_vq_raw_table_set(vq, tab, 0, tg, 32, INDIRECT, 0);
		vplat_val_vq_raw_desc(vq, 0, tg, 32, INDIRECT, 0);
		vplat_val_vq_raw_avail(vq, 0);
		break;
	case BAD_TABLE_SIZE:
		tab = vplat_val_vq_raw_table(vq, 2, &tg);
		vplat_val_vq_raw_table_set(vq, tab, 0, g, 16, WRITE, 0);
		vplat_val_vq_raw_desc(vq, 0, tg, 24, INDIRECT, 0);
		vplat_val_vq_raw_avail(vq, 0);
		break;
	case BAD_AVAIL_JUMP:
		vplat_val_vq_raw_desc(vq, 0, g, 16, WRITE, 0);
		vplat_val_vq_raw_set_avail_idx(vq, (uint16_t)(vq->size + 5));
		break;
	case BAD_HEAD:
		vplat_val_vq_raw_avail(vq, (uint16_t)(vq->size + 3));
		break;
	case BAD_PACKED_CHAIN:
		for (uint16_t s = 0; s < vq->size; s++)
			vplat_val_vq_raw_desc(vq, s, g, 16, WRITE | NEXT, s);
		vplat_val_vq_raw_make_avail(vq, vq->size);
		break;
	}
	vplat_val_vq_notify(vq);
}

/* Survive, recover after reset, serve a good request. Checkpoint 1..4. */
static enum vplat_result survive(struct vplat_test_ctx *t, enum bad b, bool packed, bool want_nr)
{
	struct vplat_val_vq *vq;
	uint64_t off = vplat_val_get_device_features(t->d);
	uint64_t f = F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0);
	if ((off & f) != f)
		return vplat_t_skip(t, "features 0x%llx not offered", (unsigned long long)(f & ~off));
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	enum vplat_result r = bringup(t, f, &vq, 0, size8(t));
	if (r != VPLAT_PASS)
		return r;
	uint64_t irqs = vplat_val_irq_count(t->d);
	build(t, vq, b);
	for (int i = 0; i < 50; i++)
		vplat_t_poll(t);
	uint8_t st = status(t);
	if (want_nr) {
		VPLAT_T_CHECK_MSG(t, 1, st & S_NR, "DEVICE_NEEDS_RESET set", "status 0x%x", st);
		VPLAT_T_CHECK_MSG(t, 2, vplat_val_irq_count(t->d) > irqs,
				  "a configuration change notification with it",
				  "no interrupt after DEVICE_NEEDS_RESET");
		return VPLAT_PASS;
	}
	VPLAT_T_CHECK_MSG(t, 1, st != 0xff, "the device still answers register reads",
			  "status reads 0xff");
	VPLAT_T_CHECK_MSG(t, 2, vplat_val_reset(t->d) == 0, "a reset completes",
			  "status did not return to 0");
	release_queues(t);
	vplat_val_mem_release(t->d->mem, mark);
	struct creq req;
	r = bringup(t, 0, &vq, 0, size8(t));
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 3, post(t, vq, &req, &req) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 4, wait_used(t, vq, &tok, &len) == 0, "requests work after the reset",
			  "no completion after reset");
	return VPLAT_PASS;
}

#define EXER(NAME, BAD, PACKED, DESC)                                                              \
	static enum vplat_result NAME(struct vplat_test_ctx *t) { return survive(t, BAD, PACKED, false); }

EXER(x_loop, BAD_LOOP, false, "")
EXER(x_outside, BAD_OUTSIDE, false, "")
EXER(x_wrap, BAD_WRAP, false, "")
EXER(x_nested, BAD_NESTED, false, "")
EXER(x_table_size, BAD_TABLE_SIZE, false, "")
EXER(x_avail_jump, BAD_AVAIL_JUMP, false, "")
EXER(x_head, BAD_HEAD, false, "")
EXER(x_packed_chain, BAD_PACKED_CHAIN, true, "")
EXER(x_packed_outside, BAD_OUTSIDE, true, "")
EXER(x_packed_nested, BAD_NESTED, true, "")

VPLAT_TEST(exer_split_descriptor_loop, "VPLAT-CORE-050 VPLAT-CORE-022 VPLAT-FFI-005 VPLAT-FFI-006 VPLAT-FFI-007", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "split: a descriptor loop; the device survives and a reset recovers it", x_loop);
VPLAT_TEST(exer_split_address_outside, "VPLAT-CORE-050 VPLAT-FFI-001 VPLAT-FFI-007", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "split: a buffer far outside guest memory; survive and recover", x_outside);
VPLAT_TEST(exer_split_address_wraps, "VPLAT-CORE-050 VPLAT-FFI-001 VPLAT-FFI-007", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "split: a buffer whose end wraps past 2^64; survive and recover", x_wrap);
VPLAT_TEST(exer_split_nested_indirect, "VPLAT-CORE-050 VPLAT-FFI-007", "drivernormative:Basic Facilities of a Virtio Device / Virtqueues / The Virtqueue Descriptor Table / Indirect Descriptors", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "split: an indirect table inside an indirect table; survive and recover", x_nested);
VPLAT_TEST(exer_split_indirect_bad_size, "VPLAT-CORE-050", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "split: an indirect table of 24 bytes; survive and recover", x_table_size);
VPLAT_TEST(exer_split_avail_jump, "VPLAT-CORE-050 VPLAT-FFI-006", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "split: the available index jumps by queue size + 5; survive and recover", x_avail_jump);
VPLAT_TEST(exer_split_head_out_of_range, "VPLAT-CORE-050 VPLAT-FFI-001", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "split: an available entry beyond the descriptor table; survive and recover", x_head);
VPLAT_TEST(exer_packed_endless_chain, "VPLAT-CORE-050 VPLAT-FFI-006 VPLAT-FFI-007", "drivernormative:Basic Facilities of a Virtio Device / Packed Virtqueues / Scatter-Gather Support", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "packed: every slot chains to the next; survive and recover", x_packed_chain);
VPLAT_TEST(exer_packed_address_outside, "VPLAT-CORE-050 VPLAT-FFI-001", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "packed: a buffer far outside guest memory; survive and recover", x_packed_outside);
VPLAT_TEST(exer_packed_nested_indirect, "VPLAT-CORE-050", "drivernormative:Basic Facilities of a Virtio Device / Packed Virtqueues / The Virtqueue Descriptor Table / Indirect Descriptors", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "packed: an INDIRECT flag inside an indirect table; survive and recover", x_packed_nested);

static enum vplat_result loop_needs_reset(struct vplat_test_ctx *t)
{
	return survive(t, BAD_LOOP, false, true);
}
VPLAT_TEST(exer_broken_ring_needs_reset, "VPLAT-CORE-051 VPLAT-CORE-002 VPLAT-CORE-003 VPLAT-FFI-005", "devicenormative:Basic Facilities of a Virtio Device / Device Status Field", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "a descriptor loop sets DEVICE_NEEDS_RESET with a configuration change notification", loop_needs_reset);

static enum vplat_result reset_in_flight(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, size8(t));
	if (r != VPLAT_PASS)
		return r;
	struct creq req[4];
	for (int i = 0; i < 4; i++) {
		VPLAT_T_CHECK(t, 1, creq_build(t, &req[i]) == 0);
		VPLAT_T_CHECK(t, 2, vplat_val_vq_add(vq, req[i].bufs, req[i].n_out, req[i].n_in,
						     &req[i]) == 0);
	}
	vplat_val_vq_kick(vq);
	/* Reset at once, whatever is in flight, then bring the device up again. */
	VPLAT_T_CHECK_MSG(t, 3, vplat_val_reset(t->d) == 0, "reset completes with requests in flight",
			  "status did not return to 0");
	release_queues(t);
	r = bringup(t, 0, &vq, 0, size8(t));
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 4, post(t, vq, &req[0], &req[0]) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 5, wait_used(t, vq, &tok, &len) == 0 && tok == &req[0],
			  "the new ring works", "no completion after reset");
	return VPLAT_PASS;
}
VPLAT_TEST(exer_reset_in_flight, "VPLAT-CORE-022 VPLAT-CORE-021", "devicenormative:Basic Facilities of a Virtio Device / Device Reset", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "reset with four requests in flight, then a new ring works", reset_in_flight);

static enum vplat_result bad_status_writes(struct vplat_test_ctx *t)
{
	uint8_t cfg[8] = {0};
	/* Config write during negotiation, DRIVER_OK without FEATURES_OK, clearing bits. */
	vplat_val_set_status(t->d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	vplat_val_set_status(t->d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	vplat_val_config_write(t->d, 0, 4, 0xdeadbeef);
	vplat_val_set_status(t->d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
					   VPLAT_VIRTIO_STATUS_DRIVER_OK);
	vplat_val_set_status(t->d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	(void)cfg;
	VPLAT_T_CHECK_MSG(t, 1, vplat_val_reset(t->d) == 0, "a reset recovers the device",
			  "status did not return to 0");
	struct vplat_val_vq *vq;
	struct creq req;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return VPLAT_PASS;
	enum vplat_result r = bringup(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 2, post(t, vq, &req, &req) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 3, wait_used(t, vq, &tok, &len) == 0, "the device works after reset",
			  "no completion");
	return VPLAT_PASS;
}
VPLAT_TEST(exer_bad_status_sequence, "VPLAT-CORE-052", "vplat", 0, VPLAT_TF_EXERCISER, "config write during negotiation, DRIVER_OK without FEATURES_OK, cleared bits; a reset recovers", bad_status_writes);

/* Used buffers the driver can take now, without letting the device side progress. */
static unsigned take_used(struct vplat_val_vq *vq)
{
	unsigned n = 0;
	void *tok;
	uint32_t len;
	while (vplat_val_vq_get_used(vq, &tok, &len) == 0)
		n++;
	return n;
}

/*
 * A full ring and a single kick against a device whose dispatch budget is B = 3: the kick
 * (one register write: one dispatch) serves at most B chains, and every later dispatch (one
 * PAL poll) at most B more, until all are served without another kick (VPLAT-FFI-013: a
 * hostile driver's full ring cannot hold the thread that serves it for more than a budget).
 */
static enum vplat_result dispatch_budget(struct vplat_test_ctx *t)
{
	const uint16_t b = 3;
	if (!t->pal->ops->set_dispatch_budget)
		return vplat_t_skip(t, "the PAL cannot set a dispatch budget (an out-of-process "
				       "device's dispatch calls are not visible to the driver)");
	struct vplat_val_vq *vq;
	uint16_t n = vplat_val_queue_max(t->d, 0);
	if (n == 0 || n > 16)
		n = 16;
	enum vplat_result r = bringup(t, 0, &vq, 0, n);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, t->pal->ops->set_dispatch_budget(t->pal, t->idx, b) == 0);
	for (uint16_t i = 0; i < n; i++) {
		uint64_t gpa;
		void *p = vplat_val_alloc(t->d->mem, 16, 16, &gpa);
		struct vplat_val_buf buf = {.ptr = p, .len = 16};
		VPLAT_T_CHECK(t, 2, p && vplat_val_vq_add(vq, &buf, 0, 1, p) == 0);
	}
	vplat_val_vq_notify(vq);
	unsigned done = take_used(vq);
	VPLAT_T_CHECK_MSG(t, 3, done >= 1 && done <= b, "the kick serves 1..3 of the full ring",
			  "%u of %u served by one kick, budget %u", done, n, b);
	unsigned polls = 0;
	while (done < n && polls < 4u * n) {
		vplat_t_poll(t);
		polls++;
		unsigned k = take_used(vq);
		VPLAT_T_CHECK_MSG(t, 4, k <= b, "each dispatch serves at most the budget",
				  "%u served by one dispatch, budget %u", k, b);
		done += k;
	}
	VPLAT_T_CHECK_MSG(t, 5, done == n, "every request served without another kick",
			  "%u of %u served after %u dispatches", done, n, polls);
	(void)t->pal->ops->set_dispatch_budget(t->pal, t->idx, 0);
	return VPLAT_PASS;
}
VPLAT_TEST(exer_dispatch_budget, "VPLAT-FFI-013", "vplat", VPLAT_VIRTIO_ID_RNG, VPLAT_TF_EXERCISER, "a full ring and one kick with a dispatch budget of 3: at most 3 per dispatch, all served without another kick", dispatch_budget);
