/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Work per call under hostile input (issue 19, docs/stack.md "Work per call"): a driver that
 * fills the whole queue with the longest chains it may build, and one that publishes more
 * entries than the queue holds, against the entropy device. The test counts what the device
 * does in one vplat_device_kick(): chains completed, host-end calls, bytes produced, and
 * checks them against the stated formula for queue size Q:
 *   chains <= Q, host reads <= Q * VPLAT_RNG_SEGS, bytes <= sum of the writable lengths posted.
 *
 * covers(unit.test_workbound): VPLAT-FFI-006 VPLAT-FFI-013 (hostile rings: work per kick bounded;
 * a racing driver cannot extend one dispatch call beyond its budget, and what a budget left is
 * served by vplat_device_dispatch() without another kick)
 */
#include <stdlib.h>
#include <string.h>
#include "dispatchfix.h"
#include "testutil.h"
#include "vplat/rng.h"
#include "vplat/error.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/spec/virtio_ring.h"

#define GPA     UINT64_C(0x40000000)
#define MEMSIZE (1u << 20)
#define DESC    (GPA + 0x0000)
#define DRIVER  (GPA + 0x40000)
#define DEVICE  (GPA + 0x50000)
#define BUF     (GPA + 0x80000)

struct wb {
	uint8_t *mem;
	struct vplat_mem_region regions[1];
	struct vplat_mem map;
	struct vplat_rng rng;
	uint64_t reads;  /* host-end read calls */
	uint64_t bytes;  /* bytes the host end produced */
	uint16_t q;
	uint32_t race;   /* entries a racing driver still publishes, one per host read */
	uint16_t avail;  /* avail idx published so far (racing driver) */
	uint16_t seen;   /* used idx at the last wb_served() */
};

static int32_t counting_read(void *host, uint8_t *buf, uint32_t len)
{
	struct wb *w = host;
	w->reads++;
	w->bytes += len;
	memset(buf, 0x5a, len);
	if (w->race) {
		/* Another vCPU of the driver publishes one more request while the device works. */
		struct vplat_virtq_avail *a = (void *)(w->mem + 0x40000);
		a->ring[w->avail % w->q] = 0;
		w->avail++;
		__atomic_store_n(&a->idx, vplat_cpu_to_le16(w->avail), __ATOMIC_RELEASE);
		w->race--;
	}
	return (int32_t)len;
}

static const struct vplat_rng_host_ops counting_ops = {.read = counting_read};

static void *gptr(struct wb *w, uint64_t gpa)
{
	return w->mem + (gpa - GPA);
}

/* An entropy device with one live queue of @q entries; @extra: feature bits besides VERSION_1. */
static void wb_up(struct wb *w, uint16_t q, uint64_t extra)
{
	memset(w, 0, sizeof(*w));
	w->q = q;
	w->mem = calloc(1, MEMSIZE);
	ck_assert_ptr_nonnull(w->mem);
	ck_assert_int_eq(vplat_mem_init(&w->map, w->regions, 1), 0);
	ck_assert_int_eq(vplat_mem_add(&w->map, GPA, MEMSIZE, w->mem), 0);
	ck_assert_int_eq(vplat_rng_init(&w->rng, &w->map, &counting_ops, w), 0);
	struct vplat_device *dev = vplat_rng_device(&w->rng);
	uint64_t f = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | extra;
	ck_assert_int_eq(vplat_device_set_status(dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
							      VPLAT_VIRTIO_STATUS_DRIVER),
			 0);
	vplat_device_set_driver_features64(dev, f);
	ck_assert_int_eq(vplat_device_set_status(dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
							      VPLAT_VIRTIO_STATUS_DRIVER |
							      VPLAT_VIRTIO_STATUS_FEATURES_OK),
			 0);
	struct vplat_vq *vq = vplat_device_vq(dev, 0);
	vq->size = q;
	vq->desc_addr = DESC;
	vq->driver_addr = DRIVER;
	vq->device_addr = DEVICE;
	ck_assert_int_eq(vplat_device_queue_enable(dev, 0), 0);
	ck_assert_int_eq(vplat_device_set_status(dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
							      VPLAT_VIRTIO_STATUS_DRIVER |
							      VPLAT_VIRTIO_STATUS_FEATURES_OK |
							      VPLAT_VIRTIO_STATUS_DRIVER_OK),
			 0);
}

static void wb_down(struct wb *w)
{
	free(w->mem);
}

static void desc(struct vplat_virtq_desc *t, uint32_t i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	t[i].addr = vplat_cpu_to_le64(addr);
	t[i].len = vplat_cpu_to_le32(len);
	t[i].flags = vplat_cpu_to_le16(flags);
	t[i].next = vplat_cpu_to_le16(next);
}

/* Publish @p n avail entries, all with head @p head, and kick once. */
/* Makes n chains available, each starting at descriptor head (a claim beyond the ring's size
 * fills only the ring). */
static void publish(struct wb *w, uint16_t n, uint16_t head)
{
	struct vplat_virtq_avail *a = gptr(w, DRIVER);
	for (uint16_t i = 0; i < n && i < w->q; i++)
		a->ring[i] = vplat_cpu_to_le16(head);
	__atomic_store_n(&a->idx, vplat_cpu_to_le16(n), __ATOMIC_RELEASE);
}

static uint16_t publish_and_kick(struct wb *w, uint16_t n, uint16_t head)
{
	publish(w, n, head);
	vplat_device_kick(vplat_rng_device(&w->rng), 0, 0);
	const struct vplat_virtq_used *u = gptr(w, DEVICE);
	return vplat_le16_to_cpu(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE));
}

START_TEST(full_queue_of_longest_chains)
{
	/* Q avail entries, each the same chain of Q writable 1-byte descriptors: the most
	 * ring descriptors a driver can make the device walk in one kick. */
	struct wb w;
	uint16_t q = (uint16_t)_i;
	wb_up(&w, q, 0);
	struct vplat_virtq_desc *t = gptr(&w, DESC);
	for (uint16_t i = 0; i < q; i++)
		desc(t, i, BUF + i, 1, (uint16_t)(VPLAT_VIRTQ_DESC_F_WRITE |
						  (i + 1u < q ? VPLAT_VIRTQ_DESC_F_NEXT : 0u)),
		     (uint16_t)(i + 1u));
	uint16_t used = publish_and_kick(&w, q, 0);
	ck_assert_uint_eq(used, q);                           /* every chain answered once */
	ck_assert_uint_le(w.reads, (uint64_t)q * VPLAT_RNG_SEGS); /* host calls <= Q * SEGS */
	ck_assert_uint_le(w.bytes, (uint64_t)q * q);          /* <= writable bytes posted */
	ck_assert_uint_eq(vplat_rng_stats(&w.rng)->requests, q);
	wb_down(&w);
}
END_TEST

START_TEST(largest_indirect_tables)
{
	/* Q avail entries, each one indirect descriptor whose table has the most entries vplat
	 * accepts for this test's memory (4096, all writable 1-byte buffers). */
	struct wb w;
	uint16_t q = (uint16_t)_i;
	const uint32_t n = 4096;
	wb_up(&w, q, VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC));
	struct vplat_virtq_desc *t = gptr(&w, DESC);
	uint64_t table = BUF + 0x40000; /* clear of the buffers */
	struct vplat_virtq_desc *it = gptr(&w, table);
	for (uint32_t i = 0; i < n; i++)
		desc(it, i, BUF + (i & 0xfffu), 1,
		     (uint16_t)(VPLAT_VIRTQ_DESC_F_WRITE | (i + 1u < n ? VPLAT_VIRTQ_DESC_F_NEXT : 0u)),
		     (uint16_t)(i + 1u));
	desc(t, 0, table, n * 16u, VPLAT_VIRTQ_DESC_F_INDIRECT, 0);
	uint16_t used = publish_and_kick(&w, q, 0);
	ck_assert_uint_le(used, q);
	ck_assert_uint_le(w.reads, (uint64_t)q * VPLAT_RNG_SEGS);
	ck_assert_uint_le(w.bytes, (uint64_t)q * n);
	wb_down(&w);
}
END_TEST

START_TEST(avail_index_beyond_queue)
{
	/* The driver claims 0x8000 new entries in a queue of Q: the device must not serve
	 * more than Q (it marks the ring broken instead). */
	struct wb w;
	uint16_t q = (uint16_t)_i;
	wb_up(&w, q, 0);
	struct vplat_virtq_desc *t = gptr(&w, DESC);
	desc(t, 0, BUF, 1, VPLAT_VIRTQ_DESC_F_WRITE, 0);
	uint16_t used = publish_and_kick(&w, 0x8000, 0);
	ck_assert_uint_le(used, q);
	ck_assert_uint_le(w.reads, q);
	ck_assert_uint_eq(vplat_device_get_status(vplat_rng_device(&w.rng)) &
				  VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET,
			  VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	wb_down(&w);
}
END_TEST

static uint16_t used_idx(struct wb *w)
{
	const struct vplat_virtq_used *u = gptr(w, DEVICE);
	return vplat_le16_to_cpu(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE));
}

/* Chains completed since the previous call (dfix_dispatch_all()). */
static unsigned wb_served(void *ctx)
{
	struct wb *w = ctx;
	uint16_t u = used_idx(w);
	unsigned n = (uint16_t)(u - w->seen);
	w->seen = u;
	return n;
}

START_TEST(racing_driver_bounded_per_dispatch)
{
	/* covers: VPLAT-FFI-013 */
	/* a driver that publishes requests while the device serves
	 * them (another vCPU) cannot extend one call: the kick takes Q chains and says it left
	 * work, each vplat_device_dispatch() takes at most Q more, and all are served. */
	struct wb w;
	uint16_t q = (uint16_t)_i;
	wb_up(&w, q, 0);
	struct vplat_device *dev = vplat_rng_device(&w.rng);
	struct vplat_virtq_desc *t = gptr(&w, DESC);
	desc(t, 0, BUF, 1, VPLAT_VIRTQ_DESC_F_WRITE, 0);
	w.race = 3u * q;
	w.avail = q;
	uint16_t used = publish_and_kick(&w, q, 0);
	ck_assert_uint_eq(used, q); /* the budget (Q by default), not Q + 3Q */
	ck_assert(vplat_device_has_more(dev));
	w.seen = used;
	ck_assert_uint_eq(dfix_dispatch_all(dev, wb_served, &w, q, 3), 3u * q);
	ck_assert_uint_eq(used_idx(&w), 4u * q); /* nothing lost */
	ck_assert_uint_eq(w.reads, 4u * q);
	wb_down(&w);
}
END_TEST

static unsigned redispatched;
static void on_redispatch(struct vplat_device *dev, void *opaque)
{
	(void)dev;
	ck_assert_ptr_eq(opaque, &redispatched);
	redispatched++;
}

START_TEST(configured_budget_stops_and_resumes)
{
	/* covers: VPLAT-FFI-013 */
	/* a budget B < Q: a full ring of Q chains is served B per
	 * dispatch call, the kick returns VPLAT_DISPATCH_MORE and calls the redispatch
	 * callback, the last call returns 0; the budget survives a device reset. */
	struct wb w;
	const uint16_t q = 16, b = 5;
	wb_up(&w, q, 0);
	struct vplat_device *dev = vplat_rng_device(&w.rng);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(dev, 0, b), 0);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(dev, 7, b), VPLAT_ENOENT);
	vplat_device_set_redispatch(dev, on_redispatch, &redispatched);
	redispatched = 0;
	struct vplat_virtq_desc *t = gptr(&w, DESC);
	desc(t, 0, BUF, 1, VPLAT_VIRTQ_DESC_F_WRITE, 0);
	publish(&w, q, 0);
	ck_assert_int_eq(vplat_device_kick(dev, 0, 0), VPLAT_DISPATCH_MORE);
	ck_assert_uint_eq(used_idx(&w), b);
	ck_assert_uint_eq(redispatched, 1);
	ck_assert_int_eq(vplat_device_dispatch(dev), VPLAT_DISPATCH_MORE);
	ck_assert_uint_eq(used_idx(&w), 2u * b);
	ck_assert_int_eq(vplat_device_dispatch(dev), VPLAT_DISPATCH_MORE);
	ck_assert_uint_eq(used_idx(&w), 3u * b);
	ck_assert_int_eq(vplat_device_dispatch(dev), 0); /* the 16th, and the ring is empty */
	ck_assert_uint_eq(used_idx(&w), q);
	ck_assert(!vplat_device_has_more(dev));
	ck_assert_int_eq(vplat_device_dispatch(dev), 0); /* nothing to do: no work */
	ck_assert_uint_eq(w.reads, q);
	/* A reset drops the pending work with the ring, keeps the budget. */
	publish(&w, (uint16_t)(2u * q), 0); /* the ring already holds head 0 */
	ck_assert_int_eq(vplat_device_kick(dev, 0, 0), VPLAT_DISPATCH_MORE);
	vplat_device_reset(dev);
	ck_assert(!vplat_device_has_more(dev));
	ck_assert_uint_eq(vplat_device_vq(dev, 0)->budget, b);
	/* A budget above Q acts as Q. */
	ck_assert_int_eq(vplat_device_set_dispatch_budget(dev, VPLAT_DISPATCH_ALL_QUEUES, 1000), 0);
	wb_down(&w);
	wb_up(&w, q, 0);
	dev = vplat_rng_device(&w.rng);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(dev, VPLAT_DISPATCH_ALL_QUEUES, 1000), 0);
	t = gptr(&w, DESC);
	desc(t, 0, BUF, 1, VPLAT_VIRTQ_DESC_F_WRITE, 0);
	w.race = q;
	w.avail = q;
	ck_assert_uint_eq(publish_and_kick(&w, q, 0), q);
	ck_assert(vplat_device_has_more(dev));
	wb_down(&w);
}
END_TEST

START_TEST(no_lost_notification_event_idx)
{
	/* covers: VPLAT-FFI-013 */
	/* with EVENT_IDX the driver kicks only when the device has
	 * caught up with avail_event. A device stopped by its budget has not: entries the driver
	 * adds meanwhile come without a kick, and vplat_device_dispatch() still serves them. */
	struct wb w;
	const uint16_t q = 16;
	memset(&w, 0, sizeof(w));
	wb_up(&w, q, VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX));
	struct vplat_device *dev = vplat_rng_device(&w.rng);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(dev, 0, 4), 0);
	struct vplat_virtq_desc *t = gptr(&w, DESC);
	desc(t, 0, BUF, 1, VPLAT_VIRTQ_DESC_F_WRITE, 0);
	struct vplat_virtq_avail *a = gptr(&w, DRIVER);
	const struct vplat_virtq_used *u = gptr(&w, DEVICE);
	for (uint16_t i = 0; i < q; i++)
		a->ring[i] = 0;
	__atomic_store_n(&a->idx, vplat_cpu_to_le16(8), __ATOMIC_RELEASE);
	ck_assert_int_eq(vplat_device_kick(dev, 0, 0), VPLAT_DISPATCH_MORE);
	ck_assert_uint_eq(used_idx(&w), 4);
	/* The driver adds 4 more; avail_event (the used ring's trailing word) is behind the old
	 * index, so the virtio rule says: no kick. */
	vplat_le16 ev;
	memcpy(&ev, (const uint8_t *)u + 4u + 8u * q, sizeof(ev));
	uint16_t avail_event = vplat_le16_to_cpu(ev);
	uint16_t old = 8, nw = 12;
	ck_assert(!((uint16_t)(nw - avail_event - 1u) < (uint16_t)(nw - old)));
	__atomic_store_n(&a->idx, vplat_cpu_to_le16(nw), __ATOMIC_RELEASE);
	w.seen = 4;
	ck_assert_uint_eq(dfix_dispatch_all(dev, wb_served, &w, 4, 5), 8);
	ck_assert_uint_eq(used_idx(&w), 12); /* all served without another kick */
	wb_down(&w);
}
END_TEST

START_TEST(left_work_dropped_when_device_stops)
{
	/* covers: VPLAT-FFI-013 */
	/* work a budget left is reported only while the device is
	 * live: after the driver sets FAILED, vplat_device_has_more() says false and
	 * vplat_device_dispatch() serves nothing. NULL device and a queue that does not exist are
	 * refused, not dereferenced. */
	struct wb w;
	const uint16_t q = 16, b = 5;
	wb_up(&w, q, 0);
	struct vplat_device *dev = vplat_rng_device(&w.rng);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(NULL, 0, b), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(NULL, VPLAT_DISPATCH_ALL_QUEUES, b),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(dev, dev->nvqs, b), VPLAT_ENOENT);
	ck_assert(!vplat_device_has_more(NULL));
	ck_assert_int_eq(vplat_device_set_dispatch_budget(dev, 0, b), 0);
	struct vplat_virtq_desc *t = gptr(&w, DESC);
	desc(t, 0, BUF, 1, VPLAT_VIRTQ_DESC_F_WRITE, 0);
	publish(&w, q, 0);
	ck_assert_int_eq(vplat_device_kick(dev, 0, 0), VPLAT_DISPATCH_MORE);
	ck_assert_uint_eq(used_idx(&w), b);
	ck_assert(vplat_device_has_more(dev));
	uint8_t st = vplat_device_get_status(dev);
	ck_assert_int_eq(vplat_device_set_status(dev, st | VPLAT_VIRTIO_STATUS_FAILED), 0);
	ck_assert(!vplat_device_is_live(dev));
	ck_assert(!vplat_device_has_more(dev));
	ck_assert_int_eq(vplat_device_dispatch(dev), 0);
	ck_assert_uint_eq(used_idx(&w), b);
	ck_assert_uint_eq(w.reads, b);
	wb_down(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workbound");
	TCase *tc = tcase_create("rng");
	/* queue sizes 16, 64 and 256 (the device's maximum) */
	tcase_add_loop_test(tc, full_queue_of_longest_chains, 16, 17);
	tcase_add_loop_test(tc, full_queue_of_longest_chains, 64, 65);
	tcase_add_loop_test(tc, full_queue_of_longest_chains, 256, 257);
	tcase_add_loop_test(tc, largest_indirect_tables, 16, 17);
	tcase_add_loop_test(tc, largest_indirect_tables, 256, 257);
	tcase_add_loop_test(tc, avail_index_beyond_queue, 16, 17);
	tcase_add_loop_test(tc, avail_index_beyond_queue, 256, 257);
	tcase_add_loop_test(tc, racing_driver_bounded_per_dispatch, 16, 17);
	tcase_add_loop_test(tc, racing_driver_bounded_per_dispatch, 64, 65);
	tcase_add_test(tc, configured_budget_stops_and_resumes);
	tcase_add_test(tc, no_lost_notification_event_idx);
	tcase_add_test(tc, left_work_dropped_when_device_stops);
	suite_add_tcase(s, tc);
	return vplat_test_main(s);
}
