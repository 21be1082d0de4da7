/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input device (sec: Device Types / Input Device), driven as a guest would through the
 * loopback backend over virtio-mmio (_i bit 0 = 0) and virtio-pci (bit 0 = 1), split (bit 1 =
 * 0) and packed (bit 1 = 1) rings: configuration select/subsel, eventq delivery by sequence,
 * statusq, malformed buffers, queue overflow and reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/input.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define EVQ VPLAT_VIRTIO_INPUT_EVENTQ
#define STQ VPLAT_VIRTIO_INPUT_STATUSQ
#define CFG(f) ((uint32_t)offsetof(struct vplat_virtio_input_config, f))

struct spy {
	unsigned n;
	uint16_t type, code;
	int32_t value;
};

static void spy_status(void *host, uint16_t type, uint16_t code, int32_t value)
{
	struct spy *s = host;
	s->n++;
	s->type = type;
	s->code = code;
	s->value = value;
}

static const struct vplat_input_host_ops spy_ops = {.status = spy_status};

struct rig {
	struct vplat_loopback lb;
	struct vplat_input d;
	struct vplat_input_caps caps;
	struct spy spy;
	struct vplat_val_dev v;
	struct vplat_val_vq evq, stq;
};

static void caps_fill(struct vplat_input_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->name = "vplat test touch";
	c->serial = "SN-42";
	c->has_ids = true;
	c->bustype = 0x06; /* BUS_VIRTUAL */
	c->vendor = 0x1af4;
	c->product = 0x1234;
	c->version = 2;
	c->prop[0] = 1u << 1; /* INPUT_PROP_DIRECT */
	vplat_input_caps_set(c, VPLAT_EV_KEY, 30);    /* KEY_A */
	vplat_input_caps_set(c, VPLAT_EV_KEY, 0x14a); /* BTN_TOUCH */
	vplat_input_caps_set(c, VPLAT_EV_LED, 1);     /* LED_CAPSL */
	struct vplat_input_absinfo x = {.min = 0, .max = 1919, .fuzz = 1, .flat = 0, .res = 10};
	struct vplat_input_absinfo y = {.min = -5, .max = 1079, .fuzz = 0, .flat = 2, .res = 11};
	vplat_input_caps_abs(c, 0, &x);    /* ABS_X */
	vplat_input_caps_abs(c, 1, &y);    /* ABS_Y */
	vplat_input_caps_abs(c, 0x35, &x); /* ABS_MT_POSITION_X */
}

static void rig_up(struct rig *r, int variant, bool live)
{
	memset(r, 0, sizeof(*r));
	caps_fill(&r->caps);
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 1u << 20), 0);
	ck_assert_int_eq(vplat_input_init(&r->d, vplat_loopback_mem(&r->lb), &r->caps, &spy_ops,
					  &r->spy), 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_input_device(&r->d)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->v), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->v, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->v, &r->evq, EVQ, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->v, &r->stq, STQ, 64), 0);
	if (live)
		ck_assert_int_eq(vplat_val_driver_ok(&r->v), 0);
}

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	ck_assert_int_eq(r->evq.error, 0);
	ck_assert_int_eq(r->stq.error, 0);
	vplat_val_vq_fini(&r->evq);
	vplat_val_vq_fini(&r->stq);
	vplat_loopback_fini(&r->lb);
}

static void *dma(struct rig *r, uint32_t len)
{
	uint64_t gpa;
	void *p = vplat_val_alloc(vplat_loopback_dma(&r->lb), len ? len : 1, 8, &gpa);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Select and return size; the union is copied to @u (128 bytes). */
static uint8_t cfg_query(struct rig *r, uint8_t sel, uint8_t sub, uint8_t *u)
{
	vplat_val_config_write(&r->v, CFG(select), 1, sel);
	vplat_val_config_write(&r->v, CFG(subsel), 1, sub);
	for (unsigned i = 0; i < 128; i++)
		u[i] = (uint8_t)vplat_val_config_read(&r->v, CFG(u) + i, 1);
	return (uint8_t)vplat_val_config_read(&r->v, CFG(size), 1);
}

START_TEST(config_select)
{
	struct rig r;
	rig_up(&r, _i, true);
	uint8_t u[128], zero[128] = {0};
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 0, u), 16);
	ck_assert_mem_eq(u, "vplat test touch", 16);
	ck_assert_mem_eq(u + 16, zero, 112);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL, 0, u), 5);
	ck_assert_mem_eq(u, "SN-42", 5);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u), 8);
	ck_assert_mem_eq(u, "\x06\x00\xf4\x1a\x34\x12\x02\x00", 8);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_PROP_BITS, 0, u), 1);
	ck_assert_uint_eq(u[0], 2);
	/* EV_KEY: KEY_A (30) and BTN_TOUCH (0x14a): 0x14a / 8 = 41 -> size 42 */
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_EV_BITS, VPLAT_EV_KEY, u), 42);
	ck_assert_uint_eq(u[3], 1u << 6);
	ck_assert_uint_eq(u[41], 1u << 2);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_EV_BITS, VPLAT_EV_ABS, u), 7);
	ck_assert_uint_eq(u[0], 3);
	ck_assert_uint_eq(u[6], 1u << 5);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_EV_BITS, VPLAT_EV_LED, u), 1);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 1, u), 20);
	ck_assert_mem_eq(u, "\xfb\xff\xff\xff\x37\x04\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00"
			    "\x0b\x00\x00\x00", 20);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 0x35, u), 20);
	ck_assert_uint_eq(u[4], 0x7f);
	/* devicenormative: size 0 for every unsupported select/subsel combination */
	static const uint8_t none[][2] = {
		{VPLAT_VIRTIO_INPUT_CFG_UNSET, 0},    {VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 1},
		{VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL, 9}, {VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS, 1},
		{VPLAT_VIRTIO_INPUT_CFG_PROP_BITS, 1}, {VPLAT_VIRTIO_INPUT_CFG_EV_BITS, VPLAT_EV_REL},
		{VPLAT_VIRTIO_INPUT_CFG_EV_BITS, 0x20}, {VPLAT_VIRTIO_INPUT_CFG_EV_BITS, 0xff},
		{VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 2},  {VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 64},
		{VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 0xff}, {0x04, 0}, {0x13, 0}, {0xff, 0xff},
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		ck_assert_uint_eq(cfg_query(&r, none[i][0], none[i][1], u), 0);
		ck_assert_mem_eq(u, zero, 128);
	}
	/* subsel first, then select: either order (drivernormative) */
	vplat_val_config_write(&r.v, CFG(subsel), 1, 0);
	vplat_val_config_write(&r.v, CFG(select), 1, VPLAT_VIRTIO_INPUT_CFG_ID_NAME);
	ck_assert_uint_eq(vplat_val_config_read(&r.v, CFG(size), 1), 16);
	/* writes elsewhere are ignored: size, reserved and the union keep the device's values */
	vplat_val_config_write(&r.v, CFG(size), 1, 99);
	vplat_val_config_write(&r.v, CFG(u), 4, 0x41414141);
	vplat_val_config_write(&r.v, CFG(reserved), 1, 7);
	ck_assert_uint_eq(vplat_val_config_read(&r.v, CFG(size), 1), 16);
	ck_assert_uint_eq(vplat_val_config_read(&r.v, CFG(u), 1), 'v');
	ck_assert_uint_eq(vplat_val_config_read(&r.v, CFG(reserved), 1), 0);
	/* a select+subsel write of 2 bytes at once */
	vplat_val_config_write(&r.v, CFG(select), 2,
			       VPLAT_VIRTIO_INPUT_CFG_EV_BITS | (VPLAT_EV_LED << 8));
	ck_assert_uint_eq(vplat_val_config_read(&r.v, CFG(size), 1), 1);
	/* a 200-byte name shows its first 128 bytes */
	char longname[201];
	memset(longname, 'n', 200);
	longname[200] = 0;
	r.caps.name = longname;
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 0, u), 128);
	ck_assert_uint_eq(u[127], 'n');
	/* reset: select and subsel back to 0, size 0 */
	cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 0, u);
	ck_assert_int_eq(vplat_val_reset(&r.v), 0);
	ck_assert_uint_eq(vplat_val_config_read(&r.v, CFG(select), 1), 0);
	ck_assert_uint_eq(vplat_val_config_read(&r.v, CFG(size), 1), 0);
	rig_down(&r);
}
END_TEST

/* Post @n eventq buffers of @len bytes each; returns their base. */
static struct vplat_virtio_input_event *post(struct rig *r, unsigned n, uint32_t len)
{
	uint8_t *base = dma(r, n * len);
	memset(base, 0xee, n * len);
	for (unsigned i = 0; i < n; i++) {
		struct vplat_val_buf b = {.ptr = base + i * len, .len = len};
		ck_assert_int_eq(vplat_val_vq_add(&r->evq, &b, 0, 1, base + i * len), 0);
	}
	vplat_val_vq_kick(&r->evq);
	return (struct vplat_virtio_input_event *)base;
}

/* Collect one used eventq buffer and check it holds (type, code, value). */
static void expect_event(struct rig *r, uint16_t type, uint16_t code, int32_t value)
{
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r->evq, &tok, &len), 0);
	ck_assert_uint_eq(len, 8);
	const struct vplat_virtio_input_event *e = tok;
	ck_assert_uint_eq(vplat_le16_to_cpu(e->type), type);
	ck_assert_uint_eq(vplat_le16_to_cpu(e->code), code);
	ck_assert_int_eq((int32_t)vplat_le32_to_cpu(e->value), value);
}

static void expect_none(struct rig *r)
{
	void *tok;
	uint32_t len;
	ck_assert_int_ne(vplat_val_vq_get_used(&r->evq, &tok, &len), 0);
}

START_TEST(events_by_sequence)
{
	struct rig r;
	rig_up(&r, _i, true);
	post(&r, 8, 8);
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 1), 0);
	expect_none(&r); /* held until the sequence ends */
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0), 0);
	expect_event(&r, VPLAT_EV_KEY, 30, 1);
	expect_event(&r, VPLAT_EV_SYN, 0, 0);
	expect_none(&r);
	/* a touch update: negative and large values keep their bits */
	vplat_input_send(&r.d, VPLAT_EV_ABS, 0x39, -1);
	vplat_input_send(&r.d, VPLAT_EV_ABS, 0, 1919);
	vplat_input_send(&r.d, VPLAT_EV_MSC, 4, INT32_MIN);
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0), 0);
	expect_event(&r, VPLAT_EV_ABS, 0x39, -1);
	expect_event(&r, VPLAT_EV_ABS, 0, 1919);
	expect_event(&r, VPLAT_EV_MSC, 4, INT32_MIN);
	expect_event(&r, VPLAT_EV_SYN, 0, 0);
	/* two buffers left: a 4-event sequence waits for more buffers, in order */
	for (int i = 0; i < 3; i++)
		vplat_input_send(&r.d, VPLAT_EV_KEY, 30, i);
	vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0);
	expect_event(&r, VPLAT_EV_KEY, 30, 0);
	expect_event(&r, VPLAT_EV_KEY, 30, 1);
	expect_none(&r);
	ck_assert_uint_eq(vplat_input_pending(&r.d), 2);
	post(&r, 4, 8);
	expect_event(&r, VPLAT_EV_KEY, 30, 2);
	expect_event(&r, VPLAT_EV_SYN, 0, 0);
	expect_none(&r);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->events, 10);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->dropped, 0);
	rig_down(&r);
}
END_TEST

START_TEST(overflow_drops_whole_sequence)
{
	struct rig r;
	rig_up(&r, _i, true);
	/* no buffers: a sequence longer than the queue is dropped whole */
	for (unsigned i = 0; i < VPLAT_INPUT_QUEUE + 10u; i++)
		ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_KEY, 30, (int32_t)i), 0);
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0), VPLAT_ENOSPC);
	ck_assert_uint_eq(vplat_input_pending(&r.d), 0);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->dropped_seqs, 1);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->dropped, VPLAT_INPUT_QUEUE);
	/* fill the queue with 2-event sequences; the one that does not fit goes whole */
	unsigned seqs = VPLAT_INPUT_QUEUE / 2u - 1u;
	for (unsigned i = 0; i < seqs; i++) {
		vplat_input_send(&r.d, VPLAT_EV_KEY, 30, (int32_t)i);
		ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0), 0);
	}
	/* 2 free slots: a 3-event sequence does not fit */
	vplat_input_send(&r.d, VPLAT_EV_ABS, 0, 5);
	vplat_input_send(&r.d, VPLAT_EV_ABS, 1, 6);
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0), VPLAT_ENOSPC);
	ck_assert_uint_eq(vplat_input_pending(&r.d), 2u * seqs);
	/* a 2-event one still does */
	vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 77);
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0), 0);
	post(&r, 60, 8);
	for (unsigned i = 0; i < 30; i++) {
		expect_event(&r, VPLAT_EV_KEY, 30, (int32_t)i);
		expect_event(&r, VPLAT_EV_SYN, 0, 0);
	}
	/* the rest: no partial sequence (no ABS event) anywhere, the last one is 77 */
	unsigned got = 60;
	while (vplat_input_pending(&r.d)) {
		post(&r, 32, 8);
		for (unsigned k = 0; k < 32 && got < 2u * seqs + 2u; k++, got++) {
			void *tok;
			uint32_t len;
			ck_assert_int_eq(vplat_val_vq_get_used(&r.evq, &tok, &len), 0);
			const struct vplat_virtio_input_event *e = tok;
			ck_assert_uint_ne(vplat_le16_to_cpu(e->type), VPLAT_EV_ABS);
			if (got == 2u * seqs)
				ck_assert_int_eq((int32_t)vplat_le32_to_cpu(e->value), 77);
		}
	}
	ck_assert_uint_eq(got, 2u * seqs + 2u);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->dropped_seqs, 2);
	rig_down(&r);
}
END_TEST

START_TEST(not_running_and_reset)
{
	struct rig r;
	rig_up(&r, _i, false);
	/* before DRIVER_OK: dropped */
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 1), VPLAT_ENODEV);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->dropped, 1);
	ck_assert_int_eq(vplat_val_driver_ok(&r.v), 0);
	/* held events (no buffers) are forgotten by a reset */
	vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 1);
	vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0);
	vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 0); /* an open sequence too */
	ck_assert_uint_eq(vplat_input_pending(&r.d), 2);
	ck_assert_int_eq(vplat_val_reset(&r.v), 0);
	ck_assert_uint_eq(vplat_input_pending(&r.d), 0);
	vplat_val_vq_fini(&r.evq);
	vplat_val_vq_fini(&r.stq);
	ck_assert_int_eq(vplat_val_negotiate(&r.v, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
						  ((_i & 2) ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED)
							    : 0)), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.evq, EVQ, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.stq, STQ, 64), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r.v), 0);
	post(&r, 4, 8);
	expect_none(&r);
	vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 2);
	vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0);
	expect_event(&r, VPLAT_EV_KEY, 30, 2); /* not the open KEY 0 of before the reset */
	expect_event(&r, VPLAT_EV_SYN, 0, 0);
	rig_down(&r);
}
END_TEST

START_TEST(statusq_and_malformed)
{
	struct rig r;
	rig_up(&r, _i, true);
	/* statusq: an LED event reaches the host end; the buffer comes back with 0 written */
	struct vplat_virtio_input_event *s = dma(&r, 8);
	s->type = vplat_cpu_to_le16(VPLAT_EV_LED);
	s->code = vplat_cpu_to_le16(1);
	s->value = vplat_cpu_to_le32(1);
	struct vplat_val_buf b = {.ptr = s, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.stq, &b, 1, 0, s), 0);
	vplat_val_vq_kick(&r.stq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.stq, &tok, &len), 0);
	ck_assert_ptr_eq(tok, s);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(r.spy.n, 1);
	ck_assert_uint_eq(r.spy.type, VPLAT_EV_LED);
	ck_assert_uint_eq(r.spy.code, 1);
	ck_assert_int_eq(r.spy.value, 1);
	/* a short statusq buffer (4 bytes), and one split 4+4 (fine) */
	b.len = 4;
	ck_assert_int_eq(vplat_val_vq_add(&r.stq, &b, 1, 0, s), 0);
	s->value = vplat_cpu_to_le32((uint32_t)-3);
	struct vplat_val_buf two[2] = {{.ptr = s, .len = 4}, {.ptr = (uint8_t *)s + 4, .len = 4}};
	ck_assert_int_eq(vplat_val_vq_add(&r.stq, two, 2, 0, two), 0);
	vplat_val_vq_kick(&r.stq);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.stq, &tok, &len), 0);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.stq, &tok, &len), 0);
	ck_assert_uint_eq(r.spy.n, 2);
	ck_assert_int_eq(r.spy.value, -3);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->malformed, 1);
	/* eventq: a 4-byte buffer and a device-readable one are returned empty; the event goes to
	 * the next good buffer; a buffer longer than 8 bytes gets 8 */
	uint8_t *small = dma(&r, 4), *ro = dma(&r, 8), *big = dma(&r, 16);
	memset(big, 0xee, 16);
	struct vplat_val_buf bs = {.ptr = small, .len = 4}, br = {.ptr = ro, .len = 8},
			     bb = {.ptr = big, .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&r.evq, &bs, 0, 1, small), 0);
	ck_assert_int_eq(vplat_val_vq_add(&r.evq, &br, 1, 0, ro), 0);
	ck_assert_int_eq(vplat_val_vq_add(&r.evq, &bb, 0, 1, big), 0);
	vplat_val_vq_kick(&r.evq);
	expect_none(&r); /* nothing to deliver: buffers are kept */
	vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 1);
	vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.evq, &tok, &len), 0);
	ck_assert_ptr_eq(tok, small);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.evq, &tok, &len), 0);
	ck_assert_ptr_eq(tok, ro);
	ck_assert_uint_eq(len, 0);
	expect_event(&r, VPLAT_EV_KEY, 30, 1);
	ck_assert_uint_eq(big[8], 0xee); /* only 8 bytes written */
	ck_assert_uint_eq(vplat_input_pending(&r.d), 1); /* SYN waits for a buffer */
	ck_assert_uint_eq(vplat_input_stats(&r.d)->malformed, 3);
	rig_down(&r);
}
END_TEST

START_TEST(bad_args)
{
	struct vplat_input d;
	struct vplat_input_caps c;
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(vplat_input_init(NULL, NULL, &c, &spy_ops, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_input_init(&d, NULL, NULL, &spy_ops, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_input_init(&d, NULL, &c, NULL, NULL), VPLAT_EINVAL);
	/* out-of-range caps are ignored */
	vplat_input_caps_set(&c, VPLAT_EV_CNT, 0);
	vplat_input_caps_set(&c, VPLAT_EV_KEY, 1024);
	struct vplat_input_absinfo a = {0};
	vplat_input_caps_abs(&c, VPLAT_INPUT_ABS_CNT, &a);
	static const struct vplat_input_caps zero;
	ck_assert_mem_eq(&c, &zero, sizeof(c));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("input");
	tcase_add_loop_test(tc, config_select, 0, 4);
	tcase_add_loop_test(tc, events_by_sequence, 0, 4);
	tcase_add_loop_test(tc, overflow_drops_whole_sequence, 0, 4);
	tcase_add_loop_test(tc, not_running_and_reset, 0, 4);
	tcase_add_loop_test(tc, statusq_and_malformed, 0, 4);
	tcase_add_test(tc, bad_args);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
