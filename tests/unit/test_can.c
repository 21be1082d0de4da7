/* SPDX-License-Identifier: BSD-3-Clause */
/* covers(unit.test_can): VPLAT-CAN-009 VPLAT-CAN-013 VPLAT-CAN-032 VPLAT-CAN-033 VPLAT-CAN-021
 * (bus_off: status bit and configuration change, STOPPED, pending NOT_OK, START clears the bit
 * before the request is used; late_tx_ack: OK only once the frame is on the bus) */
/*
 * CAN device (sec: Device Types / CAN Device) and the virtual CAN bus, driven as guests would
 * through the loopback backend over virtio-mmio (_i bit 0 = 0) and virtio-pci (bit 0 = 1),
 * split (bit 1 = 0) and packed (bit 1 = 1) rings. The peer of a single device is a generic bus
 * port, so every frame crosses the virtual bus both ways.
 */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/can.h"
#include "vplat/vplat.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/host/can_socketcan.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define F_CLASSIC VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC)
#define F_FD      VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD)
#define F_RTR     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_RTR_FRAMES)
#define F_LATE    VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK)
#define F_ALL     (F_CLASSIC | F_FD | F_RTR | F_LATE)
#define EXT VPLAT_VIRTIO_CAN_FLAGS_EXTENDED
#define FD  VPLAT_VIRTIO_CAN_FLAGS_FD
#define RTR VPLAT_VIRTIO_CAN_FLAGS_RTR
#define OK  VPLAT_VIRTIO_CAN_RESULT_OK
#define BAD VPLAT_VIRTIO_CAN_RESULT_NOT_OK
#define START VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START
#define STOP  VPLAT_VIRTIO_CAN_SET_CTRL_MODE_STOP

struct node {
	struct vplat_loopback lb;
	struct vplat_can can;
	struct vplat_canbus_node *bn;
	struct vplat_val_dev d;
	struct vplat_val_vq txq, rxq, ctlq;
};

/* What a port or tap saw. */
struct seen {
	unsigned n;
	struct vplat_can_frame f[256];
	const struct vplat_canbus_node *from[256];
};

static void record(void *opaque, const struct vplat_can_frame *f,
		   const struct vplat_canbus_node *from)
{
	struct seen *s = opaque;
	if (s->n < 256) {
		s->f[s->n] = *f;
		s->from[s->n] = from;
	}
	s->n++;
}

static uint64_t fake_now;
static uint64_t fake_clock(void *opaque)
{
	(void)opaque;
	return fake_now;
}

static void node_up(struct node *n, struct vplat_canbus *bus, int variant, uint64_t offer,
		    uint64_t want, uint16_t qsize)
{
	memset(n, 0, sizeof(*n));
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&n->lb, kind, 1u << 20), 0);
	n->bn = vplat_canbus_add_node(bus, "dev");
	ck_assert_ptr_nonnull(n->bn);
	ck_assert_int_eq(vplat_can_init(&n->can, vplat_loopback_mem(&n->lb), offer,
					&vplat_can_host_bus, n->bn),
			 0);
	vplat_canbus_node_bind(n->bn, &n->can);
	ck_assert_int_eq(vplat_loopback_attach(&n->lb, vplat_can_device(&n->can)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&n->lb, &n->d), 0);
	want |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&n->d, want), 0);
	ck_assert(!vplat_val_has_feature(&n->d, VPLAT_VIRTIO_F_IN_ORDER));
	ck_assert_int_eq(vplat_val_vq_setup(&n->d, &n->txq, 0, qsize), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&n->d, &n->rxq, 1, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&n->d, &n->ctlq, 2, 8), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&n->d), 0);
}

static void node_down(struct node *n)
{
	ck_assert_uint_eq(n->lb.access_errors, 0);
	ck_assert_int_eq(n->txq.error, 0);
	ck_assert_int_eq(n->rxq.error, 0);
	vplat_val_vq_fini(&n->txq);
	vplat_val_vq_fini(&n->rxq);
	vplat_val_vq_fini(&n->ctlq);
	vplat_loopback_fini(&n->lb);
}

static void *dma(struct node *n, uint32_t len)
{
	uint64_t gpa;
	void *p = vplat_val_alloc(vplat_loopback_dma(&n->lb), len, 8, &gpa);
	ck_assert_ptr_nonnull(p);
	return p;
}

static uint8_t ctl(struct node *n, uint16_t type)
{
	vplat_le16 *q = dma(n, 2);
	*q = vplat_cpu_to_le16(type);
	uint8_t *res = dma(n, 1);
	*res = 0xee;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 2}, {.ptr = res, .len = 1}};
	ck_assert_int_eq(vplat_val_vq_add(&n->ctlq, b, 1, 1, res), 0);
	vplat_val_vq_kick(&n->ctlq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&n->ctlq, &tok, &len, 1000), 0);
	ck_assert_ptr_eq(tok, res);
	ck_assert_uint_eq(len, 1);
	return *res;
}

/* Queue a Txq frame (header + `avail` sdu bytes); returns the result byte's address (the
 * buffer's token). */
static uint8_t *tx_raw(struct node *n, uint16_t type, uint16_t len, uint32_t flags, uint32_t id,
		       uint8_t dlc, uint32_t avail)
{
	struct vplat_virtio_can_tx_out *h = dma(n, 16 + avail);
	h->msg_type = vplat_cpu_to_le16(type);
	h->length = vplat_cpu_to_le16(len);
	h->reserved_classic_dlc = dlc;
	h->flags = vplat_cpu_to_le32(flags);
	h->can_id = vplat_cpu_to_le32(id);
	for (uint32_t i = 0; i < avail; i++)
		((uint8_t *)h)[16 + i] = (uint8_t)(0xa0 + i);
	uint8_t *res = dma(n, 1);
	*res = 0xee;
	struct vplat_val_buf b[2] = {{.ptr = h, .len = 16 + avail}, {.ptr = res, .len = 1}};
	ck_assert_int_eq(vplat_val_vq_add(&n->txq, b, 1, 1, res), 0);
	vplat_val_vq_kick(&n->txq);
	return res;
}

static uint8_t *tx(struct node *n, uint16_t len, uint32_t flags, uint32_t id)
{
	return tx_raw(n, VPLAT_VIRTIO_CAN_TX, len, flags, id, 0, (flags & RTR) ? 0 : len);
}

/* Next completed Txq request: its result, or -1 if none. */
static int tx_result(struct node *n, uint8_t **which)
{
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(&n->txq, &tok, &len) != 0)
		return -1;
	if (which)
		*which = tok;
	if (len == 0)
		return 0x100; /* no result written */
	ck_assert_uint_eq(len, 1);
	return *(uint8_t *)tok;
}

static void rx_post(struct node *n, unsigned count, uint32_t size)
{
	for (unsigned i = 0; i < count; i++) {
		uint8_t *b = dma(n, size);
		struct vplat_val_buf vb = {.ptr = b, .len = size};
		ck_assert_int_eq(vplat_val_vq_add(&n->rxq, &vb, 0, 1, b), 0);
	}
	vplat_val_vq_kick(&n->rxq);
}

/* Next received frame: header fields and data; returns false if none. */
static bool rx_get(struct node *n, struct vplat_can_frame *f)
{
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(&n->rxq, &tok, &len) != 0)
		return false;
	const struct vplat_virtio_can_rx *h = tok;
	ck_assert_uint_ge(len, 16);
	ck_assert_uint_eq(vplat_le16_to_cpu(h->msg_type), VPLAT_VIRTIO_CAN_RX);
	memset(f, 0, sizeof(*f));
	f->len = (uint8_t)vplat_le16_to_cpu(h->length);
	f->flags = vplat_le32_to_cpu(h->flags);
	f->id = vplat_le32_to_cpu(h->can_id);
	f->dlc = h->reserved_classic_dlc;
	/* An RTR frame is followed by `length` zero bytes (VPLAT-CAN-030). */
	ck_assert_uint_eq(len, 16u + f->len);
	memcpy(f->data, (const uint8_t *)tok + 16, f->len);
	for (unsigned i = 0; (f->flags & RTR) && i < f->len; i++)
		ck_assert_uint_eq(f->data[i], 0);
	return true;
}

/* A bus with one device node and one port. */
struct pair {
	struct vplat_canbus *bus;
	struct node n;
	struct vplat_canbus_node *port;
	struct seen seen;
};

static void pair_up(struct pair *p, int variant, uint64_t offer, uint64_t want,
		    const struct vplat_canbus_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->bus = vplat_canbus_new(cfg);
	ck_assert_ptr_nonnull(p->bus);
	node_up(&p->n, p->bus, variant, offer, want, 64);
	p->port = vplat_canbus_add_port(p->bus, "port", record, &p->seen);
	ck_assert_ptr_nonnull(p->port);
}

/* pair_up() with every feature offered, then the controller started. */
static void pair_started(struct pair *p, int variant, uint64_t want,
			 const struct vplat_canbus_config *cfg)
{
	pair_up(p, variant, F_ALL, want, cfg);
	ck_assert_uint_eq(ctl(&p->n, START), OK);
}

static void pair_down(struct pair *p)
{
	node_down(&p->n);
	vplat_canbus_free(p->bus);
}

static struct vplat_can_frame frame(uint32_t id, uint32_t flags, uint8_t len)
{
	struct vplat_can_frame f = {.id = id, .flags = flags, .len = len};
	for (unsigned i = 0; i < len && !(flags & RTR); i++)
		f.data[i] = (uint8_t)(0x10 + i);
	return f;
}

START_TEST(features_and_negotiation)
{
	/* sec: Feature bit requirements -- RTR_FRAMES needs CAN_CLASSIC; CLASSIC or FD. */
	struct pair p;
	pair_up(&p, _i, F_ALL, F_ALL, NULL);
	ck_assert_uint_eq(p.n.d.device_features & F_ALL, F_ALL);
	ck_assert_uint_eq(vplat_val_config_read(&p.n.d, 0, 2), 0);
	ck_assert(!vplat_can_started(&p.n.can)); /* starts STOPPED */
	vplat_val_set_status(&p.n.d, 0);
	ck_assert_int_eq(vplat_val_reset(&p.n.d), 0);
	vplat_val_add_status(&p.n.d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	vplat_val_set_driver_features(&p.n.d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | F_LATE);
	vplat_val_add_status(&p.n.d, VPLAT_VIRTIO_STATUS_FEATURES_OK);
	ck_assert(!(vplat_val_get_status(&p.n.d) & VPLAT_VIRTIO_STATUS_FEATURES_OK));
	ck_assert_int_eq(vplat_val_reset(&p.n.d), 0);
	vplat_val_add_status(&p.n.d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	vplat_val_set_driver_features(&p.n.d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | F_FD | F_RTR);
	vplat_val_add_status(&p.n.d, VPLAT_VIRTIO_STATUS_FEATURES_OK);
	ck_assert(!(vplat_val_get_status(&p.n.d) & VPLAT_VIRTIO_STATUS_FEATURES_OK));
	pair_down(&p);
	/* the device side refuses offers that break the rules */
	struct vplat_can c;
	struct vplat_mem m;
	struct vplat_mem_region r[1];
	vplat_mem_init(&m, r, 1);
	ck_assert_int_eq(vplat_can_init(&c, &m, F_LATE, &vplat_can_host_bus, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_can_init(&c, &m, F_FD | F_RTR, &vplat_can_host_bus, NULL),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_can_init(&c, &m, F_FD | (1u << 7), &vplat_can_host_bus, NULL),
			 VPLAT_EINVAL);
	/* vplat_can_receive() without a device or a frame */
	struct vplat_can_frame f = {.id = 1, .len = 1};
	ck_assert_int_eq(vplat_can_receive(NULL, &f), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_can_init(&c, &m, F_CLASSIC, &vplat_can_host_bus, NULL), 0);
	ck_assert_int_eq(vplat_can_receive(&c, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_can_receive(&c, &f), VPLAT_EPERM); /* not started */
}
END_TEST

START_TEST(tx_while_stopped_and_control)
{
	/* sec: Controller Mode -- in STOPPED, Txq frames are NOT_OK and not transmitted. */
	struct pair p;
	pair_up(&p, _i, F_ALL, F_CLASSIC, NULL);
	tx(&p.n, 2, 0, 0x10);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 0);
	ck_assert_uint_eq(ctl(&p.n, 0x0203), BAD); /* unknown control message */
	ck_assert_uint_eq(ctl(&p.n, START), OK);
	ck_assert_uint_eq(ctl(&p.n, START), OK); /* already started */
	tx(&p.n, 2, 0, 0x10);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(ctl(&p.n, STOP), OK);
	tx(&p.n, 2, 0, 0x10);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 1);
	pair_down(&p);
}
END_TEST

START_TEST(classic_both_ways)
{
	struct pair p;
	pair_started(&p, _i, F_CLASSIC, NULL);
	rx_post(&p.n, 4, 16 + 8);
	tx(&p.n, 8, 0, 0x123);
	tx(&p.n, 3, EXT, 0x1abcdef0);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	ck_assert_int_eq(vplat_canbus_run(p.bus, 0), 2);
	ck_assert_uint_eq(p.seen.n, 2);
	ck_assert_uint_eq(p.seen.f[0].id, 0x123);
	ck_assert_uint_eq(p.seen.f[0].len, 8);
	ck_assert_uint_eq(p.seen.f[0].data[7], 0xa7);
	ck_assert_uint_eq(p.seen.f[1].flags, EXT);
	ck_assert_uint_eq(p.seen.f[1].id, 0x1abcdef0);
	/* the other way: port -> bus -> device Rxq */
	struct vplat_can_frame f = frame(0x7ff, 0, 8), g;
	f.dlc = 12; /* a classic DLC above 8 is not reported: reserved_classic_dlc 0 (VPLAT-CAN-028) */
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
	f = frame(0x1fffffff, EXT, 0);
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
	vplat_canbus_run(p.bus, 0);
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.id, 0x7ff);
	ck_assert_uint_eq(g.len, 8);
	ck_assert_uint_eq(g.dlc, 0);
	ck_assert_uint_eq(g.data[0], 0x10);
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.flags, EXT);
	ck_assert_uint_eq(g.id, 0x1fffffff);
	ck_assert_uint_eq(g.len, 0);
	/* an FD frame cannot reach a classic-only driver: dropped, not delivered */
	f = frame(0x55, FD, 12);
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
	vplat_canbus_run(p.bus, 0);
	ck_assert(!rx_get(&p.n, &g));
	ck_assert_uint_eq(vplat_can_stats(&p.n.can)->rx_dropped, 1);
	pair_down(&p);
}
END_TEST

START_TEST(fd_both_ways)
{
	struct pair p;
	pair_started(&p, _i, F_FD, NULL);
	rx_post(&p.n, 2, 16 + 64);
	tx(&p.n, 64, FD | EXT, 0x1234567);
	tx(&p.n, 8, 0, 0x100); /* classic frame without CAN_CLASSIC negotiated */
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 1);
	ck_assert_uint_eq(p.seen.f[0].len, 64);
	ck_assert_uint_eq(p.seen.f[0].flags, FD | EXT);
	ck_assert_uint_eq(p.seen.f[0].data[63], (uint8_t)(0xa0 + 63));
	struct vplat_can_frame f = frame(0x42, FD, 48), g;
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
	vplat_canbus_run(p.bus, 0);
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.flags, FD);
	ck_assert_uint_eq(g.len, 48);
	ck_assert_mem_eq(g.data, f.data, 48);
	pair_down(&p);
}
END_TEST

START_TEST(rtr_both_ways)
{
	struct pair p;
	pair_started(&p, _i, F_CLASSIC | F_RTR, NULL);
	rx_post(&p.n, 2, 16 + 8);
	tx(&p.n, 4, RTR, 0x321); /* requested length 4, no data */
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 1);
	ck_assert_uint_eq(p.seen.f[0].flags, RTR);
	ck_assert_uint_eq(p.seen.f[0].len, 4);
	struct vplat_can_frame f = frame(0x1000, RTR | EXT, 8), g;
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
	vplat_canbus_run(p.bus, 0);
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.flags, RTR | EXT);
	ck_assert_uint_eq(g.len, 8);
	pair_down(&p);
	/* without RTR_FRAMES: NOT_OK */
	pair_started(&p, _i, F_CLASSIC, NULL);
	tx(&p.n, 4, RTR, 0x321);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	pair_down(&p);
}
END_TEST

START_TEST(tx_validation_musts)
{
	/* devicenormative: CAN Message Transmission -- frame types not negotiated, undefined
	 * flags, identifiers or lengths out of range: NOT_OK and never scheduled. */
	struct pair p;
	pair_started(&p, _i, F_CLASSIC | F_FD | F_RTR, NULL);
	tx(&p.n, 1, 0x1000, 0x10);      /* undefined flag */
	tx(&p.n, 1, 0x80000000u, 0x10); /* undefined flag */
	tx(&p.n, 1, 0, 0x800);          /* 12-bit standard id */
	tx(&p.n, 1, EXT, 0x20000000);   /* 30-bit extended id */
	tx(&p.n, 1, 0, 0x80000010u);    /* top bits of can_id set */
	tx_raw(&p.n, VPLAT_VIRTIO_CAN_TX, 9, 0, 0x10, 0, 9);         /* classic length 9 */
	tx_raw(&p.n, VPLAT_VIRTIO_CAN_TX, 65, FD, 0x10, 0, 65);      /* FD length 65 */
	tx(&p.n, 2, FD | RTR, 0x10);    /* RTR is classic only */
	tx_raw(&p.n, VPLAT_VIRTIO_CAN_RX, 1, 0, 0x10, 0, 1);         /* wrong msg_type */
	tx_raw(&p.n, VPLAT_VIRTIO_CAN_TX, 8, 0, 0x10, 0, 4);         /* sdu shorter than length */
	tx_raw(&p.n, VPLAT_VIRTIO_CAN_TX, 9, FD, 0x10, 0, 9);        /* FD length 9: no DLC */
	for (int k = 0; k < 11; k++)
		ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	/* valid edge cases */
	tx_raw(&p.n, VPLAT_VIRTIO_CAN_TX, 8, 0, 0x7ff, 15, 8);       /* DLC 15 with length 8 */
	tx(&p.n, 0, EXT, 0x1fffffff);
	tx(&p.n, 0, FD, 0);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	/* header with no writable result byte: completed with nothing written, not sent */
	struct vplat_virtio_can_tx_out *h = dma(&p.n, 16);
	h->msg_type = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_TX);
	struct vplat_val_buf b = {.ptr = h, .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&p.n.txq, &b, 1, 0, h), 0);
	vplat_val_vq_kick(&p.n.txq);
	ck_assert_int_eq(tx_result(&p.n, NULL), 0x100);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 3);
	ck_assert_uint_eq(p.seen.f[0].dlc, 15);
	ck_assert_uint_eq(vplat_can_stats(&p.n.can)->tx_rejected, 12);
	/* a frame in more segments than the device takes (VPLAT_CAN_SEGS): returned unread with
	 * nothing written, counted, not sent; the queue goes on */
	struct vplat_val_buf many[VPLAT_CAN_SEGS + 1];
	uint8_t *first = dma(&p.n, 16);
	memcpy(first, h, 16);
	many[0] = (struct vplat_val_buf){.ptr = first, .len = 16};
	for (unsigned k = 1; k < VPLAT_CAN_SEGS + 1; k++)
		many[k] = (struct vplat_val_buf){.ptr = dma(&p.n, 16), .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&p.n.txq, many, VPLAT_CAN_SEGS, 1, first), 0);
	vplat_val_vq_kick(&p.n.txq);
	ck_assert_int_eq(tx_result(&p.n, NULL), 0x100);
	ck_assert_uint_eq(vplat_can_stats(&p.n.can)->tx_rejected, 13);
	tx(&p.n, 0, 0, 0x12);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 4);
	/* vplat_can_receive(): an invalid frame is refused and counted dropped; with no Rxq
	 * buffer posted a valid one is answered VPLAT_EAGAIN and kept by the caller (not
	 * counted dropped) */
	uint64_t dropped = vplat_can_stats(&p.n.can)->rx_dropped;
	struct vplat_can_frame bad = frame(0x800, 0, 1);
	ck_assert_int_eq(vplat_can_receive(&p.n.can, &bad), VPLAT_EINVAL);
	ck_assert_uint_eq(vplat_can_stats(&p.n.can)->rx_dropped, dropped + 1);
	struct vplat_can_frame good = frame(0x10, 0, 1);
	ck_assert_int_eq(vplat_can_receive(&p.n.can, &good), VPLAT_EAGAIN);
	ck_assert_uint_eq(vplat_can_stats(&p.n.can)->rx_dropped, dropped + 1);
	/* a length that only fits 8 bits after truncation (264 = 0x108) is refused, not sent as
	 * an 8-byte frame */
	tx_raw(&p.n, VPLAT_VIRTIO_CAN_TX, 264, 0, 0x10, 0, 8);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 4);
	/* a classic DLC of 9..15 only on an 8-byte classic frame */
	struct vplat_can_frame d = frame(0x10, 0, 8);
	for (uint8_t dlc = 9; dlc <= 15; dlc++) {
		d.dlc = dlc;
		ck_assert(vplat_can_frame_valid(&d));
	}
	d.dlc = 8;
	ck_assert(!vplat_can_frame_valid(&d));
	d.dlc = 16;
	ck_assert(!vplat_can_frame_valid(&d));
	d = frame(0x10, 0, 4);
	d.dlc = 9;
	ck_assert(!vplat_can_frame_valid(&d));
	d = frame(0x10, FD, 8);
	d.dlc = 9;
	ck_assert(!vplat_can_frame_valid(&d));
	pair_down(&p);
}
END_TEST

START_TEST(late_tx_ack)
{
	/* devicenormative: CAN Message Transmission -- with LATE_TX_ACK, used with OK only
	 * after the frame is on the bus. A 500 kbit/s bus on a fake clock. */
	struct vplat_canbus_config cfg = {.bitrate = 500000, .clock = fake_clock};
	fake_now = 1000;
	struct pair p;
	pair_started(&p, _i, F_CLASSIC | F_LATE, &cfg);
	tx(&p.n, 8, 0, 0x123);
	ck_assert_int_eq(tx_result(&p.n, NULL), -1); /* queued for the bus */
	ck_assert_int_eq(vplat_canbus_run(p.bus, 0), 0); /* on the wire now */
	ck_assert_int_eq(tx_result(&p.n, NULL), -1);
	struct vplat_can_frame f = frame(0x123, 0, 8);
	uint64_t t = vplat_canbus_frame_ns(p.bus, &f);
	ck_assert_uint_eq(t, 111u * 2000u); /* 47 + 64 bits at 2 us each */
	ck_assert_uint_eq(vplat_canbus_next_ns(p.bus), 1000 + t);
	fake_now += t - 1;
	ck_assert_int_eq(vplat_canbus_run(p.bus, 0), 0);
	ck_assert_int_eq(tx_result(&p.n, NULL), -1);
	fake_now += 1;
	ck_assert_int_eq(vplat_canbus_run(p.bus, 0), 1);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	/* a frame the bus does not acknowledge completes NOT_OK */
	struct vplat_canbus_faults nack = {.nack = 1};
	vplat_canbus_inject(p.bus, &nack);
	tx(&p.n, 1, 0, 0x1);
	vplat_canbus_run(p.bus, 0);
	fake_now += 1000000;
	vplat_canbus_run(p.bus, 0);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	ck_assert_uint_eq(p.seen.n, 1);
	pair_down(&p);
	/* without LATE_TX_ACK the request is used as soon as it is scheduled */
	pair_started(&p, _i, F_CLASSIC, &cfg);
	tx(&p.n, 8, 0, 0x123);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	pair_down(&p);
}
END_TEST

START_TEST(stop_cancels_pending)
{
	/* sec: Controller Mode -- on STOP pending frames are completed NOT_OK. */
	struct vplat_canbus_config cfg = {.bitrate = 125000, .clock = fake_clock};
	fake_now = 0;
	struct pair p;
	pair_started(&p, _i, F_CLASSIC | F_LATE, &cfg);
	tx(&p.n, 1, 0, 0x1);
	tx(&p.n, 1, 0, 0x2);
	tx(&p.n, 1, 0, 0x3);
	vplat_canbus_run(p.bus, 0); /* the first is on the wire */
	ck_assert_int_eq(tx_result(&p.n, NULL), -1);
	ck_assert_uint_eq(ctl(&p.n, STOP), OK);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	fake_now += 10000000;
	vplat_canbus_run(p.bus, 0); /* the wire finishes; its late ack is ignored */
	ck_assert_int_eq(tx_result(&p.n, NULL), -1);
	ck_assert_uint_le(p.seen.n, 1);
	ck_assert_uint_eq(vplat_can_stats(&p.n.can)->tx_cancelled, 3);
	pair_down(&p);
}
END_TEST

START_TEST(bus_off)
{
	/* sec: BusOff Indication -- status bit, config change, STOPPED, pending NOT_OK. */
	struct vplat_canbus_config cfg = {.bitrate = 125000, .clock = fake_clock};
	fake_now = 0;
	struct pair p;
	pair_started(&p, _i, F_CLASSIC | F_LATE, &cfg);
	tx(&p.n, 1, 0, 0x1);
	uint32_t gen = vplat_val_config_generation(&p.n.d);
	vplat_val_isr(&p.n.d); /* acknowledge what is pending so a new interrupt is an edge */
	uint64_t irqs = vplat_val_irq_count(&p.n.d);
	vplat_canbus_node_bus_off(p.n.bn);
	ck_assert_uint_eq(vplat_val_config_read(&p.n.d, 0, 2), VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF);
	ck_assert_uint_ne(vplat_val_config_generation(&p.n.d), gen);
	ck_assert_uint_gt(vplat_val_irq_count(&p.n.d), irqs);
	ck_assert_uint_ne(vplat_val_isr(&p.n.d) & 2, 0); /* configuration change */
	ck_assert(!vplat_can_started(&p.n.can));
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	tx(&p.n, 1, 0, 0x1);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	/* restart clears the indication */
	ck_assert_uint_eq(ctl(&p.n, START), OK);
	ck_assert_uint_eq(vplat_val_config_read(&p.n.d, 0, 2), 0);
	tx(&p.n, 1, 0, 0x1);
	fake_now += 1000000;
	vplat_canbus_run(p.bus, 0);
	fake_now += 1000000;
	vplat_canbus_run(p.bus, 0);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	ck_assert_uint_eq(vplat_can_stats(&p.n.can)->bus_off, 1);
	pair_down(&p);
}
END_TEST

START_TEST(arbitration_by_priority)
{
	/* Four devices queue one frame each before the bus runs: the lowest arbitration field
	 * wins each round (data before RTR, standard before extended of the same base id). */
	struct vplat_canbus *bus = vplat_canbus_new(NULL);
	struct node *n = calloc(4, sizeof(*n));
	struct seen *seen = calloc(1, sizeof(*seen));
	ck_assert_int_eq(vplat_canbus_add_tap(bus, record, seen), 0);
	for (int i = 0; i < 4; i++) {
		node_up(&n[i], bus, (_i + i) & 3, F_ALL, F_CLASSIC | F_RTR, 64);
		ck_assert_uint_eq(ctl(&n[i], START), OK);
	}
	tx(&n[0], 1, 0, 0x100);                    /* 3rd */
	tx(&n[1], 1, EXT, (0x100u << 18) | 5);     /* 4th: same base id, extended */
	tx(&n[2], 1, RTR, 0x080);                  /* 2nd: RTR loses to data */
	tx(&n[3], 1, 0, 0x080);                    /* 1st */
	ck_assert_int_eq(vplat_canbus_run(bus, 0), 4);
	ck_assert_uint_eq(seen->n, 4);
	ck_assert_ptr_eq(seen->from[0], n[3].bn);
	ck_assert_ptr_eq(seen->from[1], n[2].bn);
	ck_assert_ptr_eq(seen->from[2], n[0].bn);
	ck_assert_ptr_eq(seen->from[3], n[1].bn);
	ck_assert_uint_ge(vplat_canbus_node_stats(n[1].bn)->arb_lost, 3);
	for (int i = 0; i < 4; i++)
		node_down(&n[i]);
	free(n);
	free(seen);
	vplat_canbus_free(bus);
}
END_TEST

/* Run the bus on the fake clock until it is idle. */
static void run_until_idle(struct vplat_canbus *bus)
{
	for (int guard = 0; guard < 100000; guard++) {
		vplat_canbus_run(bus, 0);
		uint64_t next = vplat_canbus_next_ns(bus);
		if (next == UINT64_MAX)
			return;
		if (next > fake_now)
			fake_now = next;
	}
	ck_abort_msg("bus never went idle");
}

/* Index in @s of the first frame from @from, or -1. */
static int first_from(const struct seen *s, const struct vplat_canbus_node *from)
{
	for (unsigned i = 0; i < s->n && i < 256; i++)
		if (s->from[i] == from)
			return (int)i;
	return -1;
}

START_TEST(babbling_node_rate_limited)
{
	/* Freedom from interference: node A floods the bus with the highest priority id;
	 * without a limit node B's low-priority frames wait until A is done; with A limited to
	 * 1000 frames/s (burst 2) B's frames flow. 500 kbit/s bus, fake clock. */
	for (int limited = 0; limited < 2; limited++) {
		struct vplat_canbus_config cfg = {.bitrate = 500000, .clock = fake_clock};
		fake_now = 0;
		struct vplat_canbus *bus = vplat_canbus_new(&cfg);
		struct seen *seen = calloc(1, sizeof(*seen));
		struct node *n = calloc(2, sizeof(*n));
		vplat_canbus_add_tap(bus, record, seen);
		node_up(&n[0], bus, _i, F_ALL, F_CLASSIC, 128);
		node_up(&n[1], bus, _i ^ 1, F_ALL, F_CLASSIC, 64);
		ck_assert_uint_eq(ctl(&n[0], START), OK);
		ck_assert_uint_eq(ctl(&n[1], START), OK);
		if (limited) {
			struct vplat_ratelimit_config rl = {.ops_rate = 1000, .ops_burst = 2};
			ck_assert_int_eq(vplat_canbus_node_set_ratelimit(n[0].bn, &rl), 0);
		}
		for (int k = 0; k < 60; k++)
			tx(&n[0], 8, 0, 0x001);
		for (int k = 0; k < 5; k++)
			tx(&n[1], 8, 0, 0x700);
		run_until_idle(bus);
		ck_assert_uint_eq(seen->n, 65);
		int b_first = first_from(seen, n[1].bn);
		int b_last = -1;
		for (unsigned i = 0; i < seen->n; i++)
			if (seen->from[i] == n[1].bn)
				b_last = (int)i;
		if (!limited) {
			ck_assert_int_eq(b_first, 60); /* starved until A ran dry */
		} else {
			ck_assert_int_le(b_first, 2);  /* right after A's burst */
			ck_assert_int_lt(b_last, 10);  /* all of B's frames flowed */
			ck_assert_uint_gt(vplat_canbus_node_stats(n[0].bn)->throttled, 0);
			/* A kept its rate: 60 frames at 1000/s take about 58 ms */
			ck_assert_uint_ge(fake_now, 57000000u);
		}
		node_down(&n[0]);
		node_down(&n[1]);
		free(n);
		free(seen);
		vplat_canbus_free(bus);
	}
}
END_TEST

START_TEST(filters_faults_and_rx_backlog)
{
	struct pair p;
	pair_started(&p, _i, F_CLASSIC, NULL);
	/* acceptance filter: standard ids 0x100..0x1ff only */
	struct vplat_can_filter flt = {.id = 0x100, .mask = 0x700, .match_ext = true, .ext = false};
	ck_assert_int_eq(vplat_canbus_node_set_filters(p.n.bn, &flt, 1), 0);
	/* frames before any Rxq buffer wait in the node's backlog */
	struct vplat_can_frame f = frame(0x123, 0, 2), g;
	vplat_canbus_port_send(p.port, &f);
	f = frame(0x223, 0, 2);
	vplat_canbus_port_send(p.port, &f);
	f = frame(0x123, EXT, 2);
	vplat_canbus_port_send(p.port, &f);
	f = frame(0x1ff, 0, 2);
	vplat_canbus_port_send(p.port, &f);
	vplat_canbus_run(p.bus, 0);
	ck_assert(!rx_get(&p.n, &g));
	rx_post(&p.n, 3, 24); /* rx_ready: the backlog drains */
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.id, 0x123);
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.id, 0x1ff);
	ck_assert(!rx_get(&p.n, &g));
	ck_assert_uint_eq(vplat_canbus_node_stats(p.n.bn)->filtered, 2);
	/* faults: a dropped frame reaches nobody, a corrupted one arrives flipped */
	struct vplat_canbus_faults fl = {.drop = 1, .corrupt = 1};
	vplat_canbus_inject(p.bus, &fl);
	f = frame(0x101, 0, 2);
	vplat_canbus_port_send(p.port, &f);
	vplat_canbus_port_send(p.port, &f);
	vplat_canbus_run(p.bus, 0);
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.data[0], 0x10 ^ 0x80);
	ck_assert(!rx_get(&p.n, &g));
	/* a buffer too small for the frame is returned empty, the frame counted as dropped */
	rx_post(&p.n, 1, 17);
	f = frame(0x102, 0, 8);
	vplat_canbus_port_send(p.port, &f);
	vplat_canbus_run(p.bus, 0);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&p.n.rxq, &tok, &len), 0);
	ck_assert_uint_eq(len, 0);
	pair_down(&p);
}
END_TEST

/* VPLAT-FFI-018: per-node identifier policy enforced by the bus. The device's node may send
 * standard identifiers 0x100..0x1ff only and receives 0x200..0x2ff only: a forbidden identifier
 * is answered NOT_OK and never reaches the bus; a frame it may not receive never reaches its
 * Rxq. A generic port with a transmit policy gets VPLAT_EPERM.
 * covers(unit.test_can): VPLAT-FFI-018 */
START_TEST(identifier_policy_enforced)
{
	struct pair p;
	pair_started(&p, _i, F_CLASSIC, NULL);
	struct vplat_can_filter may_send = {.id = 0x100, .mask = 0x700, .match_ext = true, .ext = false};
	struct vplat_can_filter may_recv = {.id = 0x200, .mask = 0x700, .match_ext = true, .ext = false};
	ck_assert_int_eq(vplat_canbus_node_set_tx_filters(p.n.bn, &may_send, 1), 0);
	ck_assert_int_eq(vplat_canbus_node_set_filters(p.n.bn, &may_recv, 1), 0);
	rx_post(&p.n, 4, 16 + 8);
	tx(&p.n, 8, 0, 0x123);            /* allowed */
	tx(&p.n, 8, 0, 0x223);            /* forbidden identifier */
	tx(&p.n, 8, EXT, 0x123);          /* same number, extended: forbidden */
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	ck_assert_int_eq(tx_result(&p.n, NULL), BAD);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 1);   /* only the allowed frame reached the bus */
	ck_assert_uint_eq(p.seen.f[0].id, 0x123);
	ck_assert_uint_eq(vplat_canbus_node_stats(p.n.bn)->tx_refused, 2);
	/* reception: 0x123 is not for this node, 0x2aa is */
	struct vplat_can_frame f = frame(0x123, 0, 2), g;
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
	f = frame(0x2aa, 0, 2);
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
	vplat_canbus_run(p.bus, 0);
	ck_assert(rx_get(&p.n, &g));
	ck_assert_uint_eq(g.id, 0x2aa);
	ck_assert(!rx_get(&p.n, &g));
	/* a generic port under a transmit policy is refused too */
	struct vplat_can_filter only_7 = {.id = 0x700, .mask = 0x700};
	ck_assert_int_eq(vplat_canbus_node_set_tx_filters(p.port, &only_7, 1), 0);
	f = frame(0x2bb, 0, 2);
	ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), VPLAT_EPERM);
	/* removed at run time: the device's 0x223 goes through */
	ck_assert_int_eq(vplat_canbus_node_set_tx_filters(p.n.bn, NULL, 0), 0);
	tx(&p.n, 8, 0, 0x223);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 2);
	pair_down(&p);
}
END_TEST

/* VPLAT-FFI-009: a VM resets its CAN device while frames wait in its node's queue: they are
 * released (never reach the bus), the node is absent (it gets nothing until STARTed again),
 * and the other nodes keep exchanging frames, never blocked by it.
 * covers(unit.test_can): VPLAT-FFI-009 */
START_TEST(reset_releases_bus_node)
{
	struct pair p;
	pair_up(&p, _i, F_ALL, F_CLASSIC, NULL);
	struct seen other = {0};
	struct vplat_canbus_node *o = vplat_canbus_add_port(p.bus, "other", record, &other);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(ctl(&p.n, START), OK);
	for (uint32_t k = 0; k < 3; k++)
		tx(&p.n, 8, 0, 0x300 + k); /* queued in the node, not yet on the bus */
	ck_assert_int_eq(vplat_val_reset(&p.n.d), 0);
	ck_assert(!vplat_can_started(&p.n.can));
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(p.seen.n, 0);
	ck_assert_uint_eq(other.n, 0);
	/* the others go on: port -> other, and nothing is held for the reset node */
	for (uint32_t k = 0; k < 20; k++) {
		struct vplat_can_frame f = frame(0x100 + k, 0, 2);
		ck_assert_int_eq(vplat_canbus_port_send(p.port, &f), 0);
		vplat_canbus_run(p.bus, 0);
	}
	ck_assert_uint_eq(other.n, 20);
	ck_assert_uint_eq(vplat_canbus_node_stats(p.n.bn)->rx, 0);
	/* The VM initializes the device again and STARTs it: none of the released frames goes
	 * out now; its new frame does. */
	vplat_val_vq_fini(&p.n.txq);
	vplat_val_vq_fini(&p.n.rxq);
	vplat_val_vq_fini(&p.n.ctlq);
	uint64_t want = F_CLASSIC | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
			((_i & 2) ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0);
	ck_assert_int_eq(vplat_val_negotiate(&p.n.d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&p.n.d, &p.n.txq, 0, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&p.n.d, &p.n.rxq, 1, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&p.n.d, &p.n.ctlq, 2, 8), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&p.n.d), 0);
	ck_assert_uint_eq(ctl(&p.n, START), OK);
	tx(&p.n, 8, 0, 0x400);
	for (int k = 0; k < 5; k++)
		vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(other.n, 21);
	ck_assert_uint_eq(other.f[20].id, 0x400);
	vplat_val_vq_fini(&p.n.txq);
	vplat_val_vq_fini(&p.n.rxq);
	vplat_val_vq_fini(&p.n.ctlq);
	vplat_loopback_fini(&p.n.lb);
	vplat_canbus_free(p.bus);
}
END_TEST

START_TEST(txq_reset_and_device_reset_with_frames_in_flight)
{
	/* sec: Virtqueue Reset / Device Reset -- frames waiting for their late acknowledgement
	 * are forgotten with the queue; the bus finishing them later must not touch the ring. */
	struct vplat_canbus_config cfg = {.bitrate = 125000, .clock = fake_clock};
	fake_now = 0;
	struct pair p;
	pair_started(&p, _i, F_CLASSIC | F_LATE | VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET), &cfg);
	tx(&p.n, 8, 0, 0x10);
	tx(&p.n, 8, 0, 0x11);
	vplat_canbus_run(p.bus, 0);
	ck_assert_int_eq(vplat_val_vq_reset(&p.n.txq), 0);
	fake_now += 10000000;
	vplat_canbus_run(p.bus, 0);
	fake_now += 10000000;
	vplat_canbus_run(p.bus, 0);
	ck_assert_int_eq(tx_result(&p.n, NULL), -1);
	tx(&p.n, 1, 0, 0x12); /* the queue works again */
	fake_now += 10000000;
	vplat_canbus_run(p.bus, 0);
	fake_now += 10000000;
	vplat_canbus_run(p.bus, 0);
	ck_assert_int_eq(tx_result(&p.n, NULL), OK);
	/* device reset with a frame on the wire */
	tx(&p.n, 1, 0, 0x13);
	vplat_canbus_run(p.bus, 0);
	ck_assert_int_eq(vplat_val_reset(&p.n.d), 0);
	ck_assert(!vplat_can_started(&p.n.can));
	fake_now += 10000000;
	vplat_canbus_run(p.bus, 0);
	ck_assert_uint_eq(vplat_device_get_status(&p.n.can.dev), 0);
	vplat_val_vq_fini(&p.n.txq);
	vplat_val_vq_fini(&p.n.rxq);
	vplat_val_vq_fini(&p.n.ctlq);
	vplat_loopback_fini(&p.n.lb);
	vplat_canbus_free(p.bus);
}
END_TEST

START_TEST(socketcan_absent)
{
	/* The build host has no CAN interfaces (tests/guest/can_vcan.sh covers vcan). */
	struct vplat_can_socketcan *s = NULL;
	int rc = vplat_can_socketcan_open("vplatnocan0", &s);
	ck_assert(rc == VPLAT_ENODEV || rc == VPLAT_ENOTSUP);
	ck_assert_ptr_null(s);
	struct vplat_can_frame f = frame(0x800, 0, 1);
	ck_assert(!vplat_can_frame_valid(&f));
	f = frame(0x7ff, FD, 64);
	ck_assert(vplat_can_frame_valid(&f));
	f.flags |= RTR;
	ck_assert(!vplat_can_frame_valid(&f));
}
END_TEST

/* ---- requirement tests (tools/spec-index.py: the covers line names what each checks) ---- */

START_TEST(rx_only_negotiated_frame_types)
{
	/* covers: VPLAT-CAN-029 */
	/* Another node (a generic bus port) sends classic, extended, FD and RTR frames; the
	 * driver receives a classic frame only with CAN_CLASSIC, an FD frame only with CAN_FD, an
	 * RTR frame only with RTR_FRAMES (and CAN_CLASSIC: it is a classic frame); the others are
	 * counted as dropped and never reach the Rxq. */
	static const uint64_t sets[] = {F_CLASSIC, F_FD, F_CLASSIC | F_FD, F_CLASSIC | F_RTR,
					F_CLASSIC | F_FD | F_RTR};
	for (unsigned s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		struct pair p;
		pair_up(&p, _i, F_ALL, sets[s], NULL);
		ck_assert_uint_eq(ctl(&p.n, START), OK);
		rx_post(&p.n, 16, 16 + 64);
		struct vplat_can_frame in[] = {frame(0x123, 0, 8), frame(0x1abcdef, EXT, 3),
					       frame(0x124, FD, 12), frame(0x125, FD | EXT, 64),
					       frame(0x126, RTR, 4), frame(0x127, RTR | EXT, 0)};
		unsigned want = 0;
		for (unsigned k = 0; k < 6; k++) {
			ck_assert_int_eq(vplat_canbus_port_send(p.port, &in[k]), 0);
			vplat_canbus_run(p.bus, 0);
			bool fd = in[k].flags & FD, rtr = in[k].flags & RTR;
			bool ok = fd ? (sets[s] & F_FD) != 0
				     : (sets[s] & F_CLASSIC) && (!rtr || (sets[s] & F_RTR));
			struct vplat_can_frame g;
			bool got = rx_get(&p.n, &g);
			ck_assert_msg(got == ok, "features 0x%llx frame flags 0x%x: %s",
				      (unsigned long long)sets[s], in[k].flags,
				      got ? "delivered" : "not delivered");
			if (got) {
				ck_assert_uint_eq(g.id, in[k].id);
				ck_assert_uint_eq(g.flags, in[k].flags);
			} else {
				want++;
			}
		}
		ck_assert_uint_eq(vplat_can_stats(&p.n.can)->rx_dropped, want);
		pair_down(&p);
	}
}
END_TEST

/* Count the Txq results of @p n: OK into *ok, anything else into *bad. */
static void count_results(struct node *n, unsigned *ok, unsigned *bad)
{
	int r;
	while ((r = tx_result(n, NULL)) >= 0) {
		if (r == OK)
			(*ok)++;
		else
			(*bad)++;
	}
}

/* Run the bus for @p ns of fake time in 50 us steps. */
static void run_for(struct vplat_canbus *bus, uint64_t ns)
{
	uint64_t end = fake_now + ns;
	while (fake_now < end) {
		vplat_canbus_run(bus, 0);
		fake_now += 50000;
	}
	vplat_canbus_run(bus, 0);
}

START_TEST(node_limits_hold_frames_in_txq)
{
	/* covers: VPLAT-CAN-034 */
	/* Node A (late TX ack: a request completes when its frame is on the bus) limited to 1000
	 * frames/s, burst 2, queues 20 frames at the highest priority; node B, unlimited, 5 at the
	 * lowest. In the first ms at most 2 + 1 of A's frames go out, B's all do; A's held
	 * requests stay in its Txq (no result, not NOT_OK, not dropped). The limit is changed at
	 * run time to 4000 payload bytes/s, burst 8 (one 8-byte frame per 2 ms): 10 more ms let
	 * 4 to 7 more out. Then it is removed: the rest go out within 3 ms. All 20 complete OK,
	 * in order, with no reset of either device. */
	struct vplat_canbus_config cfg = {.bitrate = 1000000, .clock = fake_clock};
	fake_now = 0;
	struct vplat_canbus *bus = vplat_canbus_new(&cfg);
	struct seen *seen = calloc(1, sizeof(*seen));
	struct node *n = calloc(2, sizeof(*n));
	vplat_canbus_add_tap(bus, record, seen);
	node_up(&n[0], bus, _i, F_ALL, F_CLASSIC | F_LATE, 64);
	node_up(&n[1], bus, _i ^ 1, F_ALL, F_CLASSIC, 64);
	ck_assert_uint_eq(ctl(&n[0], START), OK);
	ck_assert_uint_eq(ctl(&n[1], START), OK);
	struct vplat_ratelimit_config rl = {.ops_rate = 1000, .ops_burst = 2};
	ck_assert_int_eq(vplat_canbus_node_set_ratelimit(n[0].bn, &rl), 0);
	for (uint32_t k = 0; k < 20; k++)
		tx(&n[0], 8, 0, 0x001 + k);
	for (int k = 0; k < 5; k++)
		tx(&n[1], 8, 0, 0x700);
	unsigned ok = 0, bad = 0, ok_b = 0, bad_b = 0;
	run_for(bus, 1000000);
	count_results(&n[0], &ok, &bad);
	count_results(&n[1], &ok_b, &bad_b);
	ck_assert_uint_ge(ok, 2);
	ck_assert_uint_le(ok, 3);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(ok_b, 5); /* B's frames flowed */
	ck_assert_uint_eq(bad_b, 0);
	ck_assert_uint_gt(vplat_canbus_node_stats(n[0].bn)->throttled, 0);
	unsigned a_on_bus = 0;
	for (unsigned i = 0; i < seen->n; i++)
		a_on_bus += seen->from[i] == n[0].bn;
	ck_assert_uint_eq(a_on_bus, ok);
	/* changed at run time: bytes only, half the frame rate of before */
	struct vplat_ratelimit_config rb = {.bytes_rate = 4000, .bytes_burst = 8};
	ck_assert_int_eq(vplat_canbus_node_set_ratelimit(n[0].bn, &rb), 0);
	unsigned before = ok;
	run_for(bus, 10000000);
	count_results(&n[0], &ok, &bad);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_ge(ok - before, 4);
	ck_assert_uint_le(ok - before, 7);
	ck_assert_uint_lt(ok, 20);
	/* removed at run time: the rest (at most 14 frames of about 111 us) go out within 3 ms */
	struct vplat_ratelimit_config none = {0};
	ck_assert_int_eq(vplat_canbus_node_set_ratelimit(n[0].bn, &none), 0);
	run_for(bus, 3000000);
	count_results(&n[0], &ok, &bad);
	ck_assert_uint_eq(ok, 20);
	ck_assert_uint_eq(bad, 0);
	/* every frame of A on the bus once, in the order queued */
	uint32_t next = 0x001;
	for (unsigned i = 0; i < seen->n; i++)
		if (seen->from[i] == n[0].bn)
			ck_assert_uint_eq(seen->f[i].id, next++);
	ck_assert_uint_eq(next, 0x001 + 20);
	ck_assert(vplat_can_started(&n[0].can));
	node_down(&n[0]);
	node_down(&n[1]);
	free(n);
	free(seen);
	vplat_canbus_free(bus);
}
END_TEST

START_TEST(other_nodes_never_bus_off_this_one)
{
	/* covers: VPLAT-CAN-036 */
	/* Node B floods the bus at the highest priority, its frames are refused (no
	 * acknowledgement), dropped and corrupted by fault injection, a generic port sends too,
	 * and finally B goes bus-off: node A's controller stays STARTED with no BUSOFF status,
	 * its frames still go out and complete OK, its Rxq still receives. */
	struct vplat_canbus_config cfg = {.bitrate = 1000000, .clock = fake_clock};
	fake_now = 0;
	struct vplat_canbus *bus = vplat_canbus_new(&cfg);
	struct node *n = calloc(2, sizeof(*n));
	node_up(&n[0], bus, _i, F_ALL, F_CLASSIC, 64);
	node_up(&n[1], bus, _i ^ 1, F_ALL, F_CLASSIC | F_LATE, 64);
	struct seen seen = {0};
	struct vplat_canbus_node *port = vplat_canbus_add_port(bus, "port", record, &seen);
	ck_assert_ptr_nonnull(port);
	ck_assert_uint_eq(ctl(&n[0], START), OK);
	ck_assert_uint_eq(ctl(&n[1], START), OK);
	rx_post(&n[0], 64, 24);
	struct vplat_canbus_faults fl = {.nack = 10, .drop = 10, .corrupt = 10};
	vplat_canbus_inject(bus, &fl);
	for (int k = 0; k < 30; k++)
		tx(&n[1], 8, 0, 0x000);
	for (int k = 0; k < 5; k++) {
		struct vplat_can_frame f = frame(0x300, 0, 8);
		ck_assert_int_eq(vplat_canbus_port_send(port, &f), 0);
	}
	run_until_idle(bus);
	unsigned ok = 0, bad = 0;
	count_results(&n[1], &ok, &bad);
	ck_assert_uint_eq(ok + bad, 30);
	ck_assert_uint_gt(bad, 0); /* B did see failures */
	vplat_canbus_node_bus_off(n[1].bn);
	ck_assert_uint_eq(vplat_val_config_read(&n[1].d, 0, 2), VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF);
	/* A is unaffected */
	ck_assert_uint_eq(vplat_val_config_read(&n[0].d, 0, 2), 0);
	ck_assert(vplat_can_started(&n[0].can));
	ck_assert_uint_eq(vplat_can_stats(&n[0].can)->bus_off, 0);
	struct vplat_can_frame g;
	unsigned rx = 0;
	while (rx_get(&n[0], &g))
		rx++;
	ck_assert_uint_eq(rx, 15); /* 10 of B's (corrupted; 10 lost, 10 dropped) and the port's 5 */
	ok = bad = 0;
	for (int k = 0; k < 5; k++)
		tx(&n[0], 8, 0, 0x400);
	run_until_idle(bus);
	count_results(&n[0], &ok, &bad);
	ck_assert_uint_eq(ok, 5);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(vplat_val_config_read(&n[0].d, 0, 2), 0);
	node_down(&n[0]);
	node_down(&n[1]);
	free(n);
	vplat_canbus_free(bus);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("can");
	TCase *tc = tcase_create("can");
	tcase_add_loop_test(tc, features_and_negotiation, 0, 4);
	tcase_add_loop_test(tc, tx_while_stopped_and_control, 0, 4);
	tcase_add_loop_test(tc, classic_both_ways, 0, 4);
	tcase_add_loop_test(tc, fd_both_ways, 0, 4);
	tcase_add_loop_test(tc, rtr_both_ways, 0, 4);
	tcase_add_loop_test(tc, tx_validation_musts, 0, 4);
	tcase_add_loop_test(tc, late_tx_ack, 0, 4);
	tcase_add_loop_test(tc, stop_cancels_pending, 0, 4);
	tcase_add_loop_test(tc, bus_off, 0, 4);
	tcase_add_loop_test(tc, arbitration_by_priority, 0, 4);
	tcase_add_loop_test(tc, babbling_node_rate_limited, 0, 4);
	tcase_add_loop_test(tc, filters_faults_and_rx_backlog, 0, 4);
	tcase_add_loop_test(tc, identifier_policy_enforced, 0, 4);
	tcase_add_loop_test(tc, reset_releases_bus_node, 0, 4);
	tcase_add_loop_test(tc, txq_reset_and_device_reset_with_frames_in_flight, 0, 4);
	tcase_add_test(tc, socketcan_absent);
	tcase_add_loop_test(tc, rx_only_negotiated_frame_types, 0, 4);
	tcase_add_loop_test(tc, node_limits_hold_frames_in_txq, 0, 4);
	tcase_add_loop_test(tc, other_nodes_never_bus_off_this_one, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
