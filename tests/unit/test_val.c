/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The validation driver (vplat/val.h) against vplat's own core and transports through the
 * loopback backend (vplat/loopback.h). A tiny echo device, defined here, copies each chain's
 * readable bytes into its writable bytes.
 *
 * Every combination of transport (MMIO, PCI) and ring layout (split, packed) is driven with
 * and without INDIRECT_DESC, EVENT_IDX, IN_ORDER and NOTIFICATION_DATA, for more than two laps
 * of the ring. The hostile cases use the raw ring builders.
 */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/val/loopback.h"
#include "vplat/val/val.h"
#include "vplat/vq.h"

#define F(b)	     VPLAT_BIT(VPLAT_VIRTIO_F_##b)
#define NEXT	     VPLAT_VIRTQ_DESC_F_NEXT
#define WRITE	     VPLAT_VIRTQ_DESC_F_WRITE
#define INDIRECT     VPLAT_VIRTQ_DESC_F_INDIRECT
#define ECHO_ID	     63u /* unassigned device ID: the echo device is test-only */
#define ECHO_F_PICKY 0	 /* device feature the echo device refuses when accepted */
#define QMAX	     16u
#define MEM_SIZE     (4u << 20)
#define TMO_MS	     200u
#define SLOT_BYTES   1024u
#define MAX_SEGS     4u

/* ---- the echo device ---------------------------------------------------------------------- */

struct echo {
	struct vplat_device dev;
	struct vplat_vq vqs[2];
	uint8_t config[8];
	bool hold;	 /* leave kicked buffers alone */
	unsigned served; /* chains completed */
	int last_err;	 /* last error vplat_vq_pop() returned, other than EAGAIN */
	unsigned tear;	 /* config reads that change the config under the driver */
};

/* Pop every available chain and echo it; returns false on a broken ring. */
static bool echo_drain(struct echo *e, struct vplat_vq *vq)
{
	for (;;) {
		struct vplat_iov iov[64];
		struct vplat_chain c = {.iov = iov, .iov_cap = 64};
		uint8_t buf[4096];
		int r = vplat_vq_pop(vq, &c);
		if (r == VPLAT_EAGAIN)
			return true;
		if (r == VPLAT_E2BIG) {
			vplat_vq_push(vq, &c, 0);
			continue;
		}
		if (r) {
			e->last_err = r;
			return false;
		}
		size_t n = c.read_len < c.write_len ? (size_t)c.read_len : (size_t)c.write_len;
		if (n > sizeof(buf))
			n = sizeof(buf);
		vplat_chain_read(&c, 0, buf, n);
		vplat_chain_write(&c, 0, buf, n);
		ck_assert_int_eq(vplat_vq_push(vq, &c, (uint32_t)n), 0);
		e->served++;
	}
}

static void echo_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct echo *e = dev->opaque;
	if (e->hold) {
		/* Busy: ask the driver to stop kicking; it will be re-armed when released. */
		vplat_vq_set_notification(vq, false);
		return;
	}
	/* The usual device loop: no kicks while draining, then re-arm and look once more. This
	 * makes the driver honour used->flags, avail_event and the packed device event area. */
	do {
		vplat_vq_set_notification(vq, false);
		if (!echo_drain(e, vq))
			break;
	} while (vplat_vq_set_notification(vq, true));
	vplat_vq_interrupt(vq);
}

static bool echo_validate(struct vplat_device *dev, uint64_t features)
{
	(void)dev;
	return !(features & VPLAT_BIT(ECHO_F_PICKY));
}

static void echo_config_read(struct vplat_device *dev, uint32_t off, uint32_t len)
{
	struct echo *e = dev->opaque;
	(void)off;
	(void)len;
	if (e->tear) {
		/* Change the config between the driver's accesses: the generation must move. */
		e->tear--;
		for (unsigned i = 0; i < sizeof(e->config); i++)
			e->config[i] = (uint8_t)(e->config[i] + 0x10);
		vplat_device_config_changed(dev);
	}
}

static const struct vplat_device_ops echo_ops = {
    .name = "echo",
    .device_id = ECHO_ID,
    .features = VPLAT_BIT(ECHO_F_PICKY),
    .validate_features = echo_validate,
    .queue_notify = echo_notify,
    .config_read = echo_config_read,
};

/* ---- rig: loopback + echo + driver -------------------------------------------------------- */

struct rig {
	struct vplat_loopback lb;
	struct echo e;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	uint8_t *scratch; /* QMAX slots of SLOT_BYTES: readable half, then writable half */
	uint64_t scratch_gpa;
	uint64_t mark; /* DMA allocator position after the scratch area */
};

static struct rig g;

static void rig_up(int pci)
{
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(
	    vplat_loopback_init(&g.lb, pci ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO, MEM_SIZE),
	    0);
	for (unsigned i = 0; i < sizeof(g.e.config); i++)
		g.e.config[i] = (uint8_t)(i + 1);
	ck_assert_int_eq(vplat_device_init(&g.e.dev, &echo_ops, &g.e, vplat_loopback_mem(&g.lb),
					   g.e.vqs, 2, QMAX, g.e.config, sizeof(g.e.config)),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&g.lb, &g.e.dev), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&g.lb, &g.d), 0);
	ck_assert_uint_eq(g.d.device_id, ECHO_ID);
	g.scratch =
	    vplat_val_alloc(vplat_loopback_dma(&g.lb), QMAX * SLOT_BYTES, 64, &g.scratch_gpa);
	ck_assert_ptr_nonnull(g.scratch);
	g.mark = vplat_val_mem_mark(vplat_loopback_dma(&g.lb));
}

/* Release the rig; also the fixture teardown, so a failed check leaks nothing. */
static void rig_free(void)
{
	vplat_val_vq_fini(&g.vq);
	vplat_loopback_fini(&g.lb);
}

static void rig_down(void)
{
	/* The driver never made an access the transport refused. */
	ck_assert_uint_eq(g.lb.access_errors, 0);
	rig_free();
}

/* Negotiate, set up queue 0 and go live. Frees the DMA memory of earlier queues. */
static void rig_start(uint64_t wanted, uint16_t qsize)
{
	vplat_val_vq_fini(&g.vq);
	vplat_val_mem_release(vplat_loopback_dma(&g.lb), g.mark);
	ck_assert_int_eq(vplat_val_negotiate(&g.d, wanted), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&g.d, &g.vq, 0, qsize), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&g.d), 0);
}

static bool needs_reset(void)
{
	return vplat_val_get_status(&g.d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* ---- requests: pattern-filled readable segments, writable segments of the same total ---- */

static uint8_t *slot_out(unsigned s)
{
	return g.scratch + s * SLOT_BYTES;
}

static uint8_t *slot_in(unsigned s)
{
	return g.scratch + s * SLOT_BYTES + SLOT_BYTES / 2;
}

static uint32_t req_len(unsigned k)
{
	return 4u + (k * 37u) % 200u;
}

static uint8_t req_byte(unsigned k, unsigned j)
{
	return (uint8_t)(k * 7u + j * 3u + 1u);
}

/* Cut [p, p+len) into @n segments. */
static void split_segs(struct vplat_val_buf *b, uint8_t *p, uint32_t len, unsigned n)
{
	uint32_t each = len / n, off = 0;
	for (unsigned i = 0; i < n; i++) {
		b[i].ptr = p + off;
		b[i].len = i + 1 < n ? each : len - off;
		off += b[i].len;
	}
}

static int post(unsigned slot, unsigned k, unsigned n_out, unsigned n_in)
{
	struct vplat_val_buf b[2 * MAX_SEGS];
	uint32_t len = req_len(k);
	for (unsigned j = 0; j < len; j++)
		slot_out(slot)[j] = req_byte(k, j);
	memset(slot_in(slot), 0xee, SLOT_BYTES / 2);
	memset(b, 0, sizeof(b));
	split_segs(b, slot_out(slot), len, n_out);
	split_segs(b + n_out, slot_in(slot), len, n_in);
	return vplat_val_vq_add(&g.vq, b, n_out, n_in, (void *)(uintptr_t)(slot + 1));
}

static void check_done(unsigned slot, unsigned k, void *token, uint32_t len)
{
	ck_assert_ptr_eq(token, (void *)(uintptr_t)(slot + 1));
	ck_assert_uint_eq(len, req_len(k));
	for (unsigned j = 0; j < len; j++)
		ck_assert_uint_eq(slot_in(slot)[j], req_byte(k, j));
	ck_assert_uint_eq(slot_in(slot)[len], 0xee);
}

static void round_trip(unsigned k, unsigned n_out, unsigned n_in)
{
	void *tok;
	uint32_t len;
	ck_assert_int_eq(post(0, k, n_out, n_in), 0);
	vplat_val_vq_kick(&g.vq);
	ck_assert_int_eq(vplat_val_wait_used(&g.vq, &tok, &len, TMO_MS), 0);
	check_done(0, k, tok, len);
	ck_assert_int_eq(vplat_val_vq_get_used(&g.vq, &tok, &len), VPLAT_EAGAIN);
}

/* ---- round trips over every transport, layout and feature set ----------------------------- */

static const uint64_t feature_sets[] = {
    0,
    F(INDIRECT_DESC),
    F(EVENT_IDX),
    F(INDIRECT_DESC) | F(EVENT_IDX),
    F(IN_ORDER),
    F(IN_ORDER) | F(INDIRECT_DESC) | F(EVENT_IDX),
    F(NOTIFICATION_DATA),
    F(NOTIFICATION_DATA) | F(EVENT_IDX) | F(IN_ORDER),
};
#define NSETS (sizeof(feature_sets) / sizeof(feature_sets[0]))

/* _i: bit 0 transport, bit 1 layout, the rest the feature set. */
static void matrix_start(int i)
{
	bool pci = i & 1, packed = i & 2;
	uint64_t f = feature_sets[(unsigned)i >> 2] | (packed ? F(RING_PACKED) : 0);
	rig_up(pci);
	/* Packed rings need not be a power of two: use an odd size to move the wrap point. */
	rig_start(f, packed ? 13 : QMAX);
	ck_assert_uint_eq(g.vq.packed, packed);
	ck_assert_uint_eq(g.d.features & ~F(VERSION_1), f);
	if (f & F(INDIRECT_DESC))
		ck_assert_int_eq(vplat_val_vq_use_indirect(&g.vq, true), 0);
}

START_TEST(matrix_sequential)
{
	matrix_start(_i);
	/* More than two laps; with 4-segment chains a lap is only size/4 requests. */
	unsigned rounds = 3u * g.vq.size + 7u;
	for (unsigned k = 0; k < rounds; k++) {
		unsigned n_out = 1 + k % MAX_SEGS, n_in = 1 + (k / 2) % MAX_SEGS;
		round_trip(k, n_out, n_in);
		if (g.vq.notif_data) {
			/* The device saw where the driver's next descriptor goes. */
			uint32_t nd = g.e.dev.vqs[0].notify_data;
			uint16_t next = vplat_val_vq_raw_next(&g.vq);
			ck_assert_uint_eq(VPLAT_VIRTIO_NOTIFY_VQ_INDEX(nd), 0);
			ck_assert_uint_eq(VPLAT_VIRTIO_NOTIFY_NEXT_OFF(nd), next & 0x7fffu);
			ck_assert_uint_eq(VPLAT_VIRTIO_NOTIFY_NEXT_WRAP(nd), next >> 15);
		}
	}
	ck_assert_uint_eq(g.e.served, rounds);
	ck_assert_int_eq(g.e.last_err, 0);
	ck_assert_int_eq(g.vq.error, 0);
	ck_assert(!needs_reset());
	ck_assert_uint_eq(g.vq.inflight, 0);
	ck_assert_uint_eq(g.vq.num_free, g.vq.size);
	rig_down();
}
END_TEST

START_TEST(matrix_batched)
{
	matrix_start(_i);
	unsigned k = 0, total = 0;
	for (unsigned lap = 0; lap < 6; lap++) {
		/* Fill the ring while the device is busy: it answers the first kick by turning
		 * kicks off, so every later kick must be suppressed by the driver. */
		g.e.hold = true;
		uint64_t sent = g.vq.kicks, skipped = g.vq.kicks_suppressed;
		unsigned n = 0;
		while (n < QMAX && post(n, k + n, 2, 2) == 0) {
			vplat_val_vq_kick(&g.vq);
			n++;
		}
		ck_assert_uint_ge(n, 2);
		ck_assert_uint_eq(g.vq.kicks - sent, 1);
		ck_assert_uint_eq(g.vq.kicks_suppressed - skipped, n - 1);
		ck_assert_uint_eq(g.vq.num_free,
				  g.vq.use_indirect ? g.vq.size - n : g.vq.size - 4 * n);
		/* Release the device with a forced notification; it drains everything. */
		g.e.hold = false;
		vplat_val_vq_notify(&g.vq);
		for (unsigned s = 0; s < n; s++) {
			void *tok;
			uint32_t len;
			ck_assert_int_eq(vplat_val_wait_used(&g.vq, &tok, &len, TMO_MS), 0);
			/* The echo device completes in order whether or not IN_ORDER was agreed. */
			check_done(s, k + s, tok, len);
		}
		k += n;
		total += n;
	}
	ck_assert_uint_eq(g.e.served, total);
	ck_assert_int_eq(g.vq.error, 0);
	ck_assert(!needs_reset());
	rig_down();
}
END_TEST

/* ---- interrupts and their suppression ---------------------------------------------------- */

/* _i: bit 0 transport, bit 1 layout, bit 2 EVENT_IDX */
START_TEST(interrupt_suppression)
{
	rig_up(_i & 1);
	rig_start(((_i & 2) ? F(RING_PACKED) : 0) | ((_i & 4) ? F(EVENT_IDX) : 0), 0);
	vplat_val_isr(&g.d);
	uint64_t before = vplat_val_irq_count(&g.d);
	for (unsigned k = 0; k < 10; k++) {
		round_trip(k, 1, 1);
		ck_assert_uint_eq(vplat_val_isr(&g.d), 1); /* used-buffer bit, acknowledged */
	}
	ck_assert_uint_eq(vplat_val_irq_count(&g.d) - before, 10);

	vplat_val_vq_set_interrupts(&g.vq, false);
	before = vplat_val_irq_count(&g.d);
	for (unsigned k = 0; k < 3 * QMAX; k++) {
		round_trip(k, 1, 1);
		ck_assert_uint_eq(vplat_val_isr(&g.d), 0);
	}
	ck_assert_uint_eq(vplat_val_irq_count(&g.d) - before, 0);

	vplat_val_vq_set_interrupts(&g.vq, true);
	before = vplat_val_irq_count(&g.d);
	for (unsigned k = 0; k < 5; k++) {
		round_trip(k, 2, 1);
		ck_assert_uint_eq(vplat_val_isr(&g.d), 1);
	}
	ck_assert_uint_eq(vplat_val_irq_count(&g.d) - before, 5);
	rig_down();
}
END_TEST

/* ---- negotiation, configuration, queue reset ---------------------------------------------- */

START_TEST(negotiation)
{
	rig_up(_i);
	/* Everything offered is accepted, nothing else; VERSION_1 always. */
	ck_assert_int_eq(vplat_val_negotiate(&g.d, ~VPLAT_BIT(ECHO_F_PICKY)), 0);
	ck_assert_uint_eq(g.d.features & ~g.d.device_features, 0);
	ck_assert(vplat_val_has_feature(&g.d, VPLAT_VIRTIO_F_VERSION_1));
	ck_assert(vplat_val_has_feature(&g.d, VPLAT_VIRTIO_F_RING_PACKED));
	ck_assert(vplat_val_get_status(&g.d) & VPLAT_VIRTIO_STATUS_FEATURES_OK);
	/* A subset the device refuses: FEATURES_OK reads back clear. */
	ck_assert_int_eq(vplat_val_negotiate(&g.d, VPLAT_BIT(ECHO_F_PICKY)), VPLAT_EPROTO);
	ck_assert(!(vplat_val_get_status(&g.d) & VPLAT_VIRTIO_STATUS_FEATURES_OK));
	ck_assert_uint_eq(g.d.features, 0);
	/* And the device comes back after a reset. */
	rig_start(0, 0);
	ck_assert_uint_eq(g.d.features, F(VERSION_1));
	round_trip(1, 1, 1);
	ck_assert_int_eq(vplat_val_reset(&g.d), 0);
	ck_assert_uint_eq(vplat_val_get_status(&g.d), 0);
	rig_down();
}
END_TEST

START_TEST(config_generation_safe)
{
	rig_up(_i);
	ck_assert_int_eq(vplat_val_negotiate(&g.d, 0), 0);
	uint8_t buf[8];
	ck_assert_int_eq(vplat_val_config_read_stable(&g.d, 0, buf, 8, TMO_MS), 0);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(buf[i], i + 1);
	ck_assert_uint_eq(vplat_val_config_read(&g.d, 4, 4), 0x08070605u);
	ck_assert_uint_eq(vplat_val_config_read(&g.d, 0, 8), UINT64_C(0x0807060504030201));
	/* The config changes under two reads: the driver retries until it holds still. */
	uint32_t gen = vplat_val_config_generation(&g.d);
	g.e.tear = 2;
	ck_assert_int_eq(vplat_val_config_read_stable(&g.d, 1, buf, 7, TMO_MS), 0);
	ck_assert_uint_eq(g.e.tear, 0);
	ck_assert_uint_ne(vplat_val_config_generation(&g.d), gen);
	for (unsigned i = 0; i < 7; i++)
		ck_assert_uint_eq(buf[i], i + 2 + 0x20);
	rig_down();
}
END_TEST

/* _i: bit 0 transport, bit 1 layout */
START_TEST(queue_reset)
{
	rig_up(_i & 1);
	rig_start(F(RING_RESET) | ((_i & 2) ? F(RING_PACKED) : 0), 0);
	for (unsigned k = 0; k < 5; k++)
		round_trip(k, 1, 2);
	/* Reset with buffers in flight: they are dropped, the queue starts again from 0. */
	g.e.hold = true;
	ck_assert_int_eq(post(0, 1, 1, 1), 0);
	ck_assert_int_eq(post(1, 2, 1, 1), 0);
	vplat_val_vq_kick(&g.vq);
	ck_assert_int_eq(vplat_val_vq_reset(&g.vq), 0);
	ck_assert(vplat_val_queue_enabled(&g.d, 0));
	ck_assert_uint_eq(g.vq.inflight, 0);
	g.e.hold = false;
	for (unsigned k = 0; k < 2 * QMAX + 3; k++)
		round_trip(k, 2, 1);
	ck_assert(!needs_reset());
	ck_assert_int_eq(g.vq.error, 0);
	rig_down();
}
END_TEST

START_TEST(queue_reset_needs_feature)
{
	rig_up(_i);
	rig_start(0, 0);
	ck_assert_int_eq(vplat_val_queue_reset(&g.d, 0), VPLAT_ENOTSUP);
	rig_down();
}
END_TEST

/* ---- a transport written outside the library ---------------------------------------------- */

/* A caller's transport relays every operation to a driver bound over MMIO or PCI, counts them
 * and leaves the optional ones out: generation, queue reset, irq_count and wait. */
static struct relay {
	struct vplat_val_dev inner;
	unsigned calls;
} relay;

static struct vplat_val_dev *inner_of(struct vplat_val_dev *d)
{
	struct relay *r = d->transport_ctx;
	r->calls++;
	return &r->inner;
}

static int relay_probe(struct vplat_val_dev *d)
{
	struct vplat_val_dev *in = inner_of(d);
	d->device_id = in->device_id;
	d->vendor_id = 0x52454c59u; /* "RELY" */
	d->num_queues = 2;
	return 0;
}
static uint8_t relay_get_status(struct vplat_val_dev *d)
{
	struct vplat_val_dev *in = inner_of(d);
	return in->t->get_status(in);
}
static void relay_set_status(struct vplat_val_dev *d, uint8_t v)
{
	struct vplat_val_dev *in = inner_of(d);
	in->t->set_status(in, v);
}
static uint32_t relay_get_features(struct vplat_val_dev *d, uint32_t sel)
{
	struct vplat_val_dev *in = inner_of(d);
	return in->t->get_features(in, sel);
}
static void relay_set_features(struct vplat_val_dev *d, uint32_t sel, uint32_t v)
{
	struct vplat_val_dev *in = inner_of(d);
	in->t->set_features(in, sel, v);
}
static uint32_t relay_cfg_read(struct vplat_val_dev *d, uint32_t off, unsigned size)
{
	struct vplat_val_dev *in = inner_of(d);
	return in->t->cfg_read(in, off, size);
}
static void relay_cfg_write(struct vplat_val_dev *d, uint32_t off, unsigned size, uint32_t v)
{
	struct vplat_val_dev *in = inner_of(d);
	in->t->cfg_write(in, off, size, v);
}
static uint16_t relay_queue_max(struct vplat_val_dev *d, uint16_t q)
{
	struct vplat_val_dev *in = inner_of(d);
	return in->t->queue_max(in, q);
}
static void relay_queue_program(struct vplat_val_dev *d, uint16_t q, uint16_t size, uint64_t desc,
				uint64_t driver, uint64_t device)
{
	struct vplat_val_dev *in = inner_of(d);
	in->t->queue_program(in, q, size, desc, driver, device);
}
static void relay_queue_enable(struct vplat_val_dev *d, uint16_t q)
{
	struct vplat_val_dev *in = inner_of(d);
	in->t->queue_enable(in, q);
}
static uint16_t relay_queue_ready(struct vplat_val_dev *d, uint16_t q)
{
	struct vplat_val_dev *in = inner_of(d);
	return in->t->queue_ready(in, q);
}
static void relay_notify_target(struct vplat_val_dev *d, uint16_t q, uint64_t *off, uint32_t *v)
{
	struct vplat_val_dev *in = inner_of(d);
	in->t->notify_target(in, q, off, v);
}
static void relay_notify(struct vplat_val_dev *d, uint64_t off, uint32_t v)
{
	struct vplat_val_dev *in = inner_of(d);
	in->t->notify(in, off, v);
}
static uint32_t relay_isr(struct vplat_val_dev *d)
{
	struct vplat_val_dev *in = inner_of(d);
	return in->t->isr(in);
}

static const struct vplat_val_transport_ops relay_ops = {
    .probe = relay_probe,
    .get_status = relay_get_status,
    .set_status = relay_set_status,
    .get_features = relay_get_features,
    .set_features = relay_set_features,
    .cfg_read = relay_cfg_read,
    .cfg_write = relay_cfg_write,
    .queue_max = relay_queue_max,
    .queue_program = relay_queue_program,
    .queue_enable = relay_queue_enable,
    .queue_ready = relay_queue_ready,
    .notify_target = relay_notify_target,
    .notify = relay_notify,
    .isr = relay_isr,
};

/* _i: bit 0 inner transport, bit 1 layout */
START_TEST(custom_transport)
{
	rig_up(_i & 1);
	memset(&relay, 0, sizeof(relay));
	relay.inner = g.d;
	struct vplat_val_mem *dma = vplat_loopback_dma(&g.lb);
	/* A table without a required operation is refused. */
	struct vplat_val_transport_ops bad = relay_ops;
	bad.isr = NULL;
	ck_assert_int_eq(vplat_val_init_transport(&g.d, &bad, &relay, dma), VPLAT_EINVAL);
	bad = relay_ops;
	bad.queue_reset_write = relay_queue_enable; /* without queue_reset_read */
	ck_assert_int_eq(vplat_val_init_transport(&g.d, &bad, &relay, dma), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_val_init_transport(NULL, &relay_ops, &relay, dma), VPLAT_EINVAL);

	ck_assert_int_eq(vplat_val_init_transport(&g.d, &relay_ops, &relay, dma), 0);
	ck_assert_int_eq(g.d.transport, VPLAT_VAL_CUSTOM);
	ck_assert_ptr_eq(g.d.transport_ctx, &relay);
	ck_assert_uint_eq(g.d.device_id, ECHO_ID);
	ck_assert_uint_eq(g.d.vendor_id, 0x52454c59u);
	ck_assert_uint_eq(g.d.num_queues, 2);
	rig_start(F(RING_RESET) | F(EVENT_IDX) | ((_i & 2) ? F(RING_PACKED) : 0), 0);
	for (unsigned k = 0; k < 2 * QMAX + 3; k++)
		round_trip(k, 1 + k % 2, 1);
	ck_assert_uint_eq(g.e.served, 2 * QMAX + 3);
	ck_assert_int_eq(g.vq.error, 0);
	ck_assert(!needs_reset());
	/* Left-out operations: no generation, no queue reset, interrupts not observable. */
	ck_assert_uint_eq(vplat_val_config_generation(&g.d), 0);
	ck_assert_uint_eq(vplat_val_config_read(&g.d, 0, 4), 0x04030201u);
	ck_assert_int_eq(vplat_val_queue_reset(&g.d, 0), VPLAT_ENOTSUP);
	ck_assert_uint_eq(vplat_val_irq_count(&g.d), 0);
	ck_assert_uint_gt(relay.calls, 2 * QMAX);
	ck_assert_int_eq(vplat_val_reset(&g.d), 0);
	rig_down();
}
END_TEST

/* ---- driver-side checks of what the device writes ----------------------------------------- */

/* _i: bit 0 layout. The device returns three buffers with one used entry (IN_ORDER batch). */
START_TEST(in_order_batch_parsed)
{
	bool packed = _i & 1;
	rig_up(0);
	rig_start(F(IN_ORDER) | (packed ? F(RING_PACKED) : 0), 8);
	g.e.hold = true;
	for (unsigned s = 0; s < 3; s++)
		ck_assert_int_eq(post(s, s, 1, 1), 0);
	/* Play the device: one used entry naming the last buffer, where the first one started. */
	if (packed) {
		struct vplat_pvirtq_desc *ring = g.vq.desc;
		uint16_t last_id = vplat_le16_to_cpu(ring[4].id); /* 2 slots each */
		ring[0].id = vplat_cpu_to_le16(last_id);
		ring[0].len = vplat_cpu_to_le32(5);
		/* F_WRITE: the len of a used descriptor without it is reserved (virtio 2.8.4). */
		ring[0].flags = vplat_cpu_to_le16(VPLAT_VIRTQ_DESC_F_AVAIL | VPLAT_VIRTQ_DESC_F_USED |
						  VPLAT_VIRTQ_DESC_F_WRITE);
	} else {
		struct vplat_virtq_used *used = g.vq.device;
		const struct vplat_virtq_avail *avail = g.vq.driver;
		used->ring[0].id = vplat_cpu_to_le32(vplat_le16_to_cpu(avail->ring[2]));
		used->ring[0].len = vplat_cpu_to_le32(5);
		used->idx = vplat_cpu_to_le16(3);
	}
	void *tok;
	uint32_t len;
	for (unsigned s = 0; s < 3; s++) {
		ck_assert_int_eq(vplat_val_vq_get_used(&g.vq, &tok, &len), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)(s + 1));
		/* Skipped buffers count as fully written; the named one carries its own len. */
		ck_assert_uint_eq(len, s < 2 ? req_len(s) : 5);
	}
	ck_assert_int_eq(vplat_val_vq_get_used(&g.vq, &tok, &len), VPLAT_EAGAIN);
	ck_assert_int_eq(g.vq.error, 0);
	ck_assert_uint_eq(g.vq.num_free, 8);
	ck_assert_uint_eq(g.vq.last_used, packed ? 6 : 3);
	rig_down();
}
END_TEST

/* _i: bit 0 layout. A used id the driver never made available is a device error. */
START_TEST(bogus_used_id_detected)
{
	bool packed = _i & 1;
	rig_up(1);
	rig_start(packed ? F(RING_PACKED) : 0, 8);
	g.e.hold = true;
	ck_assert_int_eq(post(0, 0, 1, 1), 0);
	if (packed) {
		struct vplat_pvirtq_desc *ring = g.vq.desc;
		ring[0].id = vplat_cpu_to_le16(5);
		ring[0].flags =
		    vplat_cpu_to_le16(VPLAT_VIRTQ_DESC_F_AVAIL | VPLAT_VIRTQ_DESC_F_USED);
	} else {
		struct vplat_virtq_used *used = g.vq.device;
		used->ring[0].id = vplat_cpu_to_le32(7);
		used->idx = vplat_cpu_to_le16(1);
	}
	void *tok;
	ck_assert_int_eq(vplat_val_vq_get_used(&g.vq, &tok, NULL), VPLAT_EPROTO);
	ck_assert_int_eq(g.vq.error, VPLAT_EPROTO);
	ck_assert_ptr_nonnull(g.vq.error_msg);
	rig_down();
}
END_TEST

/* ---- the driver's own argument checks ----------------------------------------------------- */

START_TEST(add_errors)
{
	rig_up(_i);
	rig_start(0, 4);
	uint8_t outside[16];
	struct vplat_val_buf b[8] = {{.ptr = slot_out(0), .len = 8}, {.ptr = slot_in(0), .len = 8}};
	ck_assert_int_eq(vplat_val_vq_add(&g.vq, b, 1, 1, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_val_vq_add(&g.vq, b, 0, 0, &g), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_val_vq_add(&g.vq, b, 5, 0, &g), VPLAT_E2BIG);
	ck_assert_int_eq(vplat_val_vq_use_indirect(&g.vq, true), VPLAT_ENOTSUP);
	struct vplat_val_buf bad = {.ptr = outside, .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&g.vq, &bad, 1, 0, &g), VPLAT_EFAULT);
	g.e.hold = true;
	for (unsigned i = 0; i < 2; i++)
		ck_assert_int_eq(vplat_val_vq_add(&g.vq, b, 1, 1, &g), 0);
	ck_assert_int_eq(vplat_val_vq_add(&g.vq, b, 1, 1, &g), VPLAT_ENOSPC);
	ck_assert_uint_eq(g.vq.num_free, 0);
	rig_down();
}
END_TEST

START_TEST(setup_errors)
{
	rig_up(_i);
	ck_assert_int_eq(vplat_val_negotiate(&g.d, 0), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&g.d, &g.vq, 2, 0), VPLAT_ENOENT);	/* no queue 2 */
	ck_assert_int_eq(vplat_val_vq_setup(&g.d, &g.vq, 0, 12), VPLAT_EINVAL); /* split: 2^n */
	ck_assert_int_eq(vplat_val_vq_setup(&g.d, &g.vq, 0, QMAX * 2), VPLAT_EINVAL);
	ck_assert_uint_eq(vplat_val_queue_max(&g.d, 1), QMAX);
	ck_assert_int_eq(vplat_val_vq_setup(&g.d, &g.vq, 1, 0), 0);
	ck_assert_uint_eq(g.vq.size, QMAX);
	rig_down();
}
END_TEST

static uint64_t zero_read(void *ctx, unsigned space, uint64_t off, unsigned size)
{
	(void)ctx, (void)space, (void)off, (void)size;
	return 0;
}

static void null_write(void *ctx, unsigned space, uint64_t off, unsigned size, uint64_t val)
{
	(void)ctx, (void)space, (void)off, (void)size, (void)val;
}

START_TEST(probe_no_device)
{
	static const struct vplat_val_io_ops ops = {.read = zero_read, .write = null_write};
	struct vplat_val_io io = {.ops = &ops};
	uint8_t ram[64];
	struct vplat_val_mem m;
	struct vplat_val_dev d;
	ck_assert_int_eq(vplat_val_mem_init(&m, ram, 0x1000, sizeof(ram)), 0);
	ck_assert_int_eq(vplat_val_init(&d, &io, &m, VPLAT_VAL_MMIO), VPLAT_ENODEV);
	ck_assert_int_eq(vplat_val_init(&d, &io, &m, VPLAT_VAL_PCI), VPLAT_ENODEV);
	ck_assert_int_eq(vplat_val_init(&d, &io, &m, (enum vplat_val_transport)7), VPLAT_EINVAL);
}
END_TEST

START_TEST(dma_allocator)
{
	uint8_t ram[256];
	struct vplat_val_mem m;
	uint64_t gpa;
	ck_assert_int_eq(vplat_val_mem_init(&m, ram, 0x1004, sizeof(ram)), 0);
	ck_assert_int_eq(vplat_val_mem_init(&m, ram, UINT64_MAX - 8, 16), VPLAT_EOVERFLOW);
	ck_assert_int_eq(vplat_val_mem_init(&m, ram, 0x1004, sizeof(ram)), 0);
	uint8_t *p = vplat_val_alloc(&m, 10, 16, &gpa);
	ck_assert_ptr_eq(p, ram + 12); /* aligned by guest address */
	ck_assert_uint_eq(gpa, 0x1010);
	ck_assert_ptr_null(vplat_val_alloc(&m, 8, 3, NULL));
	uint64_t mark = vplat_val_mem_mark(&m);
	ck_assert_ptr_nonnull(vplat_val_alloc(&m, 100, 4, NULL));
	ck_assert_ptr_null(vplat_val_alloc(&m, 200, 1, NULL));
	vplat_val_mem_release(&m, mark);
	ck_assert_ptr_nonnull(vplat_val_alloc(&m, 200, 1, NULL));
	ck_assert_ptr_eq(vplat_val_mem_ptr(&m, 0x1010, 4), ram + 12);
	ck_assert_ptr_null(vplat_val_mem_ptr(&m, 0x1000, 4));
	ck_assert_ptr_null(vplat_val_mem_ptr(&m, 0x1004 + 250, 8));
	ck_assert_int_eq(vplat_val_mem_gpa(&m, ram + 20, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x1018);
	ck_assert_int_eq(vplat_val_mem_gpa(&m, ram + 256, &gpa), VPLAT_EFAULT);
	vplat_val_mem_reset(&m);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(pci_probe_layout)
{
	rig_up(1);
	ck_assert(g.d.common.present && g.d.notify.present && g.d.isr.present);
	ck_assert(g.d.device.present);
	ck_assert_uint_ge(g.d.common.length, 56);
	ck_assert_uint_eq(g.d.num_queues, 2);
	ck_assert_uint_ne(vplat_pci_bar_addr(&g.lb.pci, g.d.common.bar), 0);
	uint64_t cmd = vplat_loopback_io(&g.lb)->ops->read(&g.lb, VPLAT_VAL_SPACE_PCI_CFG, 4, 2);
	ck_assert_uint_eq(cmd & 6u, 6u); /* memory decoding and bus mastering on */
	rig_down();
}
END_TEST

/* ---- a valid but unusual chain built with the raw builders -------------------------------- */

/* _i: transport. Normal descriptors followed by one indirect (the device MUST accept it). */
START_TEST(raw_direct_then_indirect)
{
	rig_up(_i);
	rig_start(F(INDIRECT_DESC), 8);
	uint32_t len = req_len(3);
	for (unsigned j = 0; j < len; j++)
		slot_out(0)[j] = req_byte(3, j);
	memset(slot_in(0), 0xee, SLOT_BYTES / 2);
	uint64_t out_gpa, in_gpa, tgpa;
	ck_assert_int_eq(vplat_val_mem_gpa(vplat_loopback_dma(&g.lb), slot_out(0), &out_gpa), 0);
	ck_assert_int_eq(vplat_val_mem_gpa(vplat_loopback_dma(&g.lb), slot_in(0), &in_gpa), 0);
	void *table = vplat_val_vq_raw_table(&g.vq, 2, &tgpa);
	ck_assert_ptr_nonnull(table);
	vplat_val_vq_raw_table_set(&g.vq, table, 0, in_gpa, 3, WRITE | NEXT, 1);
	vplat_val_vq_raw_table_set(&g.vq, table, 1, in_gpa + 3, len - 3, WRITE, 0);
	ck_assert_int_eq(vplat_val_vq_raw_desc(&g.vq, 5, out_gpa, len, NEXT, 2), 0);
	ck_assert_int_eq(vplat_val_vq_raw_desc(&g.vq, 2, tgpa, 32, INDIRECT, 0), 0);
	ck_assert_int_eq(vplat_val_vq_raw_avail(&g.vq, 5), 0);
	vplat_val_vq_notify(&g.vq);
	uint32_t id, ulen;
	ck_assert_int_eq(vplat_val_vq_raw_used(&g.vq, 1, &id, &ulen), 0);
	ck_assert_uint_eq(id, 5);
	ck_assert_uint_eq(ulen, len);
	for (unsigned j = 0; j < len; j++)
		ck_assert_uint_eq(slot_in(0)[j], req_byte(3, j));
	ck_assert(!needs_reset());
	rig_down();
}
END_TEST

/* ---- hostile driver: malformed rings ------------------------------------------------------ */

enum expect { MUST_RESET, SURVIVE };

struct hostile {
	const char *name;
	bool split_only, packed_only;
	uint64_t features;
	enum expect expect;
	void (*build)(uint64_t buf);
};

/* Publish a chain that starts at the driver's next position: split head 0, packed next slot. */
static void publish(uint16_t count)
{
	if (g.vq.packed)
		ck_assert_int_eq(vplat_val_vq_raw_make_avail(&g.vq, count), 0);
	else
		ck_assert_int_eq(vplat_val_vq_raw_avail(&g.vq, 0), 0);
}

/* Write chain element @i (split: descriptor i linked to i+1; packed: slot next+i, id 0). */
static void elem(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint16_t slot = g.vq.packed ? (uint16_t)((vplat_val_vq_raw_next(&g.vq) & 0x7fffu) + i) : i;
	ck_assert_int_eq(vplat_val_vq_raw_desc(&g.vq, slot % g.vq.size, addr, len, flags,
					       g.vq.packed ? 0 : (uint16_t)(i + 1)),
			 0);
}

static void h_loop(uint64_t buf)
{
	ck_assert_int_eq(vplat_val_vq_raw_desc(&g.vq, 0, buf, 16, NEXT, 1), 0);
	ck_assert_int_eq(vplat_val_vq_raw_desc(&g.vq, 1, buf, 16, NEXT, 0), 0);
	publish(2);
}

static void h_self_loop(uint64_t buf)
{
	ck_assert_int_eq(vplat_val_vq_raw_desc(&g.vq, 0, buf, 16, NEXT, 0), 0);
	publish(1);
}

static void h_chain_longer_than_ring(uint64_t buf)
{
	for (uint16_t i = 0; i < g.vq.size; i++)
		elem(i, buf, 16, NEXT);
	publish(g.vq.size);
}

static void h_addr_below_ram(uint64_t buf)
{
	(void)buf;
	elem(0, 0x1000, 16, 0);
	publish(1);
}

static void h_addr_past_ram(uint64_t buf)
{
	(void)buf;
	elem(0, VPLAT_LOOPBACK_GPA + MEM_SIZE - 8, 16, WRITE);
	publish(1);
}

static void h_addr_wraps(uint64_t buf)
{
	(void)buf;
	elem(0, UINT64_MAX - 7, 16, 0);
	publish(1);
}

static void h_huge_len(uint64_t buf)
{
	elem(0, buf, 0xffffffffu, WRITE);
	publish(1);
}

static void h_zero_len(uint64_t buf)
{
	elem(0, buf, 0, WRITE);
	publish(1);
}

static void h_readable_after_writable(uint64_t buf)
{
	elem(0, buf, 16, WRITE | NEXT);
	elem(1, buf + 16, 16, 0);
	publish(2);
}

static uint64_t table_of(uint16_t n, void **t)
{
	uint64_t gpa;
	*t = vplat_val_vq_raw_table(&g.vq, n, &gpa);
	ck_assert_ptr_nonnull(*t);
	return gpa;
}

static void h_nested_indirect(uint64_t buf)
{
	void *outer, *inner;
	uint64_t og = table_of(2, &outer), ig = table_of(1, &inner);
	vplat_val_vq_raw_table_set(&g.vq, inner, 0, buf, 16, WRITE, 0);
	vplat_val_vq_raw_table_set(&g.vq, outer, 0, buf, 16, g.vq.packed ? 0 : NEXT, 1);
	vplat_val_vq_raw_table_set(&g.vq, outer, 1, ig, 16, INDIRECT, 0);
	elem(0, og, 32, INDIRECT);
	publish(1);
}

static void h_indirect_len_24(uint64_t buf)
{
	void *t;
	uint64_t tg = table_of(2, &t);
	vplat_val_vq_raw_table_set(&g.vq, t, 0, buf, 16, WRITE, 0);
	elem(0, tg, 24, INDIRECT);
	publish(1);
}

static void h_indirect_len_0(uint64_t buf)
{
	void *t;
	uint64_t tg = table_of(1, &t);
	vplat_val_vq_raw_table_set(&g.vq, t, 0, buf, 16, WRITE, 0);
	elem(0, tg, 0, INDIRECT);
	publish(1);
}

static void h_indirect_table_outside(uint64_t buf)
{
	(void)buf;
	elem(0, VPLAT_LOOPBACK_GPA + MEM_SIZE - 16, 64, INDIRECT);
	publish(1);
}

static void h_indirect_loop(uint64_t buf)
{
	void *t;
	uint64_t tg = table_of(2, &t);
	vplat_val_vq_raw_table_set(&g.vq, t, 0, buf, 16, NEXT, 1);
	vplat_val_vq_raw_table_set(&g.vq, t, 1, buf, 16, NEXT, 0);
	elem(0, tg, 32, INDIRECT);
	publish(1);
}

static void h_indirect_not_negotiated(uint64_t buf)
{
	void *t;
	uint64_t tg = table_of(1, &t);
	vplat_val_vq_raw_table_set(&g.vq, t, 0, buf, 16, WRITE, 0);
	elem(0, tg, 16, INDIRECT);
	publish(1);
}

static void h_avail_idx_jump(uint64_t buf)
{
	elem(0, buf, 16, WRITE);
	ck_assert_int_eq(vplat_val_vq_raw_set_avail_idx(&g.vq, (uint16_t)(g.vq.size + 5)), 0);
}

static void h_head_out_of_range(uint64_t buf)
{
	elem(0, buf, 16, WRITE);
	ck_assert_int_eq(vplat_val_vq_raw_avail(&g.vq, (uint16_t)(g.vq.size + 3)), 0);
}

static const struct hostile hostile_cases[] = {
    {"descriptor loop", true, false, 0, MUST_RESET, h_loop},
    {"descriptor linked to itself", true, false, 0, MUST_RESET, h_self_loop},
    {"chain longer than the ring", false, true, 0, MUST_RESET, h_chain_longer_than_ring},
    {"address below guest RAM", false, false, 0, MUST_RESET, h_addr_below_ram},
    {"buffer crossing the end of RAM", false, false, 0, MUST_RESET, h_addr_past_ram},
    {"address wrapping 2^64", false, false, 0, MUST_RESET, h_addr_wraps},
    {"length 0xffffffff", false, false, 0, MUST_RESET, h_huge_len},
    {"zero-length descriptor", false, false, 0, SURVIVE, h_zero_len},
    {"readable after writable", false, false, 0, MUST_RESET, h_readable_after_writable},
    {"indirect inside indirect", false, false, F(INDIRECT_DESC), MUST_RESET, h_nested_indirect},
    {"indirect table of 24 bytes", false, false, F(INDIRECT_DESC), MUST_RESET, h_indirect_len_24},
    {"indirect table of 0 bytes", false, false, F(INDIRECT_DESC), SURVIVE, h_indirect_len_0},
    {"indirect table outside RAM", false, false, F(INDIRECT_DESC), MUST_RESET,
     h_indirect_table_outside},
    {"loop inside an indirect table", true, false, F(INDIRECT_DESC), MUST_RESET, h_indirect_loop},
    {"indirect without INDIRECT_DESC", false, false, 0, SURVIVE, h_indirect_not_negotiated},
    {"avail idx jumps past the ring", true, false, 0, MUST_RESET, h_avail_idx_jump},
    {"avail head out of range", true, false, 0, MUST_RESET, h_head_out_of_range},
};
#define NHOSTILE (sizeof(hostile_cases) / sizeof(hostile_cases[0]))

/* _i: bit 0 transport, bit 1 layout, the rest the case. */
START_TEST(hostile_ring)
{
	const struct hostile *h = &hostile_cases[(unsigned)_i >> 2];
	bool packed = _i & 2;
	if ((h->split_only && packed) || (h->packed_only && !packed))
		return;
	rig_up(_i & 1);
	rig_start(h->features | (packed ? F(RING_PACKED) : 0), 8);
	uint64_t buf;
	ck_assert_int_eq(vplat_val_mem_gpa(vplat_loopback_dma(&g.lb), slot_in(0), &buf), 0);
	h->build(buf);
	vplat_val_vq_notify(&g.vq);
	vplat_val_vq_notify(&g.vq); /* a second kick of a broken queue must be harmless */
	uint32_t id, len;
	bool used = vplat_val_vq_raw_used(&g.vq, 1, &id, &len) == 0;
	if (h->expect == MUST_RESET) {
		ck_assert_msg(needs_reset(), "%s: DEVICE_NEEDS_RESET not set", h->name);
		ck_assert_msg(!used, "%s: malformed chain was completed", h->name);
		ck_assert_uint_eq(g.e.served, 0);
	} else {
		ck_assert_msg(needs_reset() || used, "%s: chain neither completed nor refused",
			      h->name);
	}
	/* The same device works again after a reset. */
	rig_start(packed ? F(RING_PACKED) : 0, 0);
	ck_assert(!needs_reset());
	for (unsigned k = 0; k < 3; k++)
		round_trip(k, 1, 1);
	rig_down();
}
END_TEST

/* A ring placed outside guest memory: enabling it or going live must fail cleanly. */
START_TEST(hostile_ring_outside_memory)
{
	rig_up(_i & 1);
	uint64_t packed = (_i & 2) ? F(RING_PACKED) : 0;
	ck_assert_int_eq(vplat_val_negotiate(&g.d, packed), 0);
	vplat_val_queue_program(&g.d, 0, 8, 0x1000, 0x2000, 0x3000);
	int r = vplat_val_queue_enable(&g.d, 0);
	if (r == 0) {
		ck_assert_int_eq(vplat_val_driver_ok(&g.d), VPLAT_EPROTO);
		ck_assert(needs_reset());
	} else {
		ck_assert_int_eq(r, VPLAT_EIO);
		ck_assert(!vplat_val_queue_enabled(&g.d, 0));
	}
	rig_start(packed, 0);
	round_trip(0, 1, 1);
	rig_down();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("val");
	TCase *tc = tcase_create("roundtrip");
	tcase_add_checked_fixture(tc, NULL, rig_free);
	tcase_add_loop_test(tc, matrix_sequential, 0, (int)(4 * NSETS));
	tcase_add_loop_test(tc, matrix_batched, 0, (int)(4 * NSETS));
	tcase_add_loop_test(tc, interrupt_suppression, 0, 8);
	suite_add_tcase(s, tc);

	tc = tcase_create("control");
	tcase_add_checked_fixture(tc, NULL, rig_free);
	tcase_add_loop_test(tc, negotiation, 0, 2);
	tcase_add_loop_test(tc, config_generation_safe, 0, 2);
	tcase_add_loop_test(tc, queue_reset, 0, 4);
	tcase_add_loop_test(tc, queue_reset_needs_feature, 0, 2);
	tcase_add_loop_test(tc, custom_transport, 0, 4);
	tcase_add_loop_test(tc, setup_errors, 0, 2);
	tcase_add_test(tc, pci_probe_layout);
	tcase_add_test(tc, probe_no_device);
	tcase_add_test(tc, dma_allocator);
	suite_add_tcase(s, tc);

	tc = tcase_create("driver");
	tcase_add_checked_fixture(tc, NULL, rig_free);
	tcase_add_loop_test(tc, in_order_batch_parsed, 0, 2);
	tcase_add_loop_test(tc, bogus_used_id_detected, 0, 2);
	tcase_add_loop_test(tc, add_errors, 0, 2);
	tcase_add_loop_test(tc, raw_direct_then_indirect, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, NULL, rig_free);
	tcase_add_loop_test(tc, hostile_ring, 0, (int)(4 * NHOSTILE));
	tcase_add_loop_test(tc, hostile_ring_outside_memory, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
