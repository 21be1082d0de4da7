/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input device (sec: Device Types / Input Device), driven as a guest would through the
 * loopback backend over virtio-mmio (_i bit 0 = 0) and virtio-pci (bit 0 = 1), split (bit 1 =
 * 0) and packed (bit 1 = 1) rings: configuration select/subsel, eventq delivery by sequence,
 * statusq, malformed buffers, queue overflow and reset.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include "testutil.h"
#include "vplat/input.h"
#include "vplat/host/input_host.h"
#include "vplat/platform/instance.h"
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
	/* covers: VPLAT-INP-009 */
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

START_TEST(too_many_segments)
{
	/* A buffer of more segments than the device maps (4 iovecs) is returned unused, counted
	 * as malformed, and the queue goes on: eventq and statusq (tools/mutate found both
	 * VPLAT_E2BIG guards untested: without them the buffer was never returned). */
	struct rig r;
	rig_up(&r, _i, true);
	uint8_t *ev = dma(&r, 8);
	memset(ev, 0xee, 8);
	static const uint32_t off[5] = {0, 2, 4, 6, 7}, seg[5] = {2, 2, 2, 1, 1}; /* 8 bytes */
	struct vplat_val_buf five[5];
	for (unsigned i = 0; i < 5; i++)
		five[i] = (struct vplat_val_buf){.ptr = ev + off[i], .len = seg[i]};
	ck_assert_int_eq(vplat_val_vq_add(&r.evq, five, 0, 5, ev), 0);
	uint8_t *good = dma(&r, 8);
	struct vplat_val_buf bg = {.ptr = good, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.evq, &bg, 0, 1, good), 0);
	vplat_val_vq_kick(&r.evq);
	vplat_input_send(&r.d, VPLAT_EV_KEY, 30, 1);
	ck_assert_int_eq(vplat_input_send(&r.d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0), 0);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.evq, &tok, &len), 0);
	ck_assert_ptr_eq(tok, ev);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(ev[0], 0xee);
	expect_event(&r, VPLAT_EV_KEY, 30, 1);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->malformed, 1);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->events, 1);
	/* statusq: five device-readable segments of one LED event, then a good one */
	struct vplat_virtio_input_event *s = dma(&r, 8);
	s->type = vplat_cpu_to_le16(VPLAT_EV_LED);
	s->code = vplat_cpu_to_le16(1);
	s->value = vplat_cpu_to_le32(1);
	for (unsigned i = 0; i < 5; i++)
		five[i].ptr = (uint8_t *)s + off[i];
	ck_assert_int_eq(vplat_val_vq_add(&r.stq, five, 5, 0, five), 0);
	struct vplat_val_buf bs = {.ptr = s, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.stq, &bs, 1, 0, s), 0);
	vplat_val_vq_kick(&r.stq);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.stq, &tok, &len), 0);
	ck_assert_ptr_eq(tok, five);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.stq, &tok, &len), 0);
	ck_assert_ptr_eq(tok, s);
	ck_assert_uint_eq(r.spy.n, 1); /* only the good one reached the host end */
	ck_assert_uint_eq(vplat_input_stats(&r.d)->malformed, 2);
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

/* ---- script end ------------------------------------------------------------------------- */

START_TEST(script_parse)
{
	struct vplat_input_script *s = vplat_input_script_new();
	unsigned line = 0;
	ck_assert_int_eq(vplat_input_script_parse(s, "# comment\n\nkey 30 1\nsyn\n", &line), 0);
	static const char *const bad[] = {
		"key 30\n",          "key 0x10000 1\n", "key 1 2147483648\n", "ev 1 2\n",
		"sleep -1\n",        "sleep 3600001\n", "wait-status 1\n",     "jump 3\n",
		"repeat 2\nsyn\n",   "abs 1 2 3\n",     "syn x\n",             "rel a 1\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		line = 0;
		ck_assert_int_eq(vplat_input_script_parse(s, bad[i], &line), VPLAT_EINVAL);
		ck_assert_uint_ge(line, 1);
	}
	line = 0;
	ck_assert_int_eq(vplat_input_script_parse(s, "syn\n\n# x\nkey 1 1 # c\nbogus\n", &line),
			 VPLAT_EINVAL);
	ck_assert_uint_eq(line, 5); /* empty and comment lines count */
	ck_assert_int_eq(vplat_input_script_load(s, "/nonexistent/script", &line), VPLAT_EIO);
	vplat_input_script_free(s);
	vplat_input_script_free(NULL);
}
END_TEST

START_TEST(script_runs_with_status)
{
	struct rig r;
	memset(&r, 0, sizeof(r));
	struct vplat_input_script *s = vplat_input_script_new();
	ck_assert_int_eq(vplat_input_script_parse(s,
						  "wait-status\n"
						  "key 30 1\nabs 0x35 -7\nsyn\n"
						  "wait-status\n"
						  "sleep 20\n"
						  "ev 4 4 458756\nsyn\n"
						  "repeat 2\n",
						  NULL),
			 0);
	caps_fill(&r.caps);
	enum vplat_loopback_transport kind = (_i & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r.lb, kind, 1u << 20), 0);
	ck_assert_int_eq(vplat_input_init(&r.d, vplat_loopback_mem(&r.lb), &r.caps,
					  &vplat_input_host_script, s), 0);
	vplat_input_script_bind(s, &r.d);
	ck_assert_int_eq(vplat_loopback_attach(&r.lb, vplat_input_device(&r.d)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r.lb, &r.v), 0);
	/* the driver is not running yet: the script waits and looks again in 100 ms */
	ck_assert_int_eq(vplat_input_script_timeout_ms(s), 100);
	vplat_input_script_run(s);
	ck_assert_uint_eq(vplat_input_script_stats(s)->steps, 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (_i & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r.v, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.evq, EVQ, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.stq, STQ, 64), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r.v), 0);
	post(&r, 16, 8);
	vplat_input_script_run(s);
	ck_assert_int_eq(vplat_input_script_timeout_ms(s), -1); /* waits for a status event */
	expect_none(&r);
	/* an LED write from the driver: the script goes on to the next wait */
	struct vplat_virtio_input_event *st = dma(&r, 8);
	st->type = vplat_cpu_to_le16(VPLAT_EV_LED);
	st->code = 0;
	st->value = vplat_cpu_to_le32(1);
	struct vplat_val_buf b = {.ptr = st, .len = 8};
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(vplat_val_vq_add(&r.stq, &b, 1, 0, st), 0);
		vplat_val_vq_kick(&r.stq);
		void *tok;
		uint32_t len;
		ck_assert_int_eq(vplat_val_vq_get_used(&r.stq, &tok, &len), 0);
		vplat_input_script_run(s);
		if (round == 0) {
			expect_event(&r, VPLAT_EV_KEY, 30, 1);
			expect_event(&r, VPLAT_EV_ABS, 0x35, -7);
			expect_event(&r, VPLAT_EV_SYN, 0, 0);
			expect_none(&r);
			ck_assert_int_eq(vplat_input_script_timeout_ms(s), -1);
		}
	}
	/* the second answer started the sleep */
	int t = vplat_input_script_timeout_ms(s);
	ck_assert_int_gt(t, 0);
	ck_assert_int_le(t, 20);
	expect_none(&r);
	usleep(25000);
	ck_assert_int_eq(vplat_input_script_timeout_ms(s), 0);
	vplat_input_script_run(s);
	expect_event(&r, VPLAT_EV_MSC, 4, 458756);
	expect_event(&r, VPLAT_EV_SYN, 0, 0);
	/* repeat 2: the second run starts with wait-status */
	ck_assert(!vplat_input_script_done(s));
	const struct vplat_input_script_stats *ss = vplat_input_script_stats(s);
	ck_assert_uint_eq(ss->runs, 1); /* the first run is complete */
	ck_assert_uint_eq(ss->status, 2);
	ck_assert_uint_eq(ss->rtt_count, 1); /* the second status answered the first SYN */
	ck_assert_uint_le(ss->rtt_min_ns, ss->rtt_max_ns);
	ck_assert_uint_eq(ss->last_type, VPLAT_EV_LED);
	ck_assert_uint_eq(ss->last_value, 1);
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(vplat_val_vq_add(&r.stq, &b, 1, 0, st), 0);
		vplat_val_vq_kick(&r.stq);
		void *tok;
		uint32_t len;
		ck_assert_int_eq(vplat_val_vq_get_used(&r.stq, &tok, &len), 0);
		vplat_input_script_run(s);
	}
	usleep(25000);
	vplat_input_script_run(s);
	ck_assert(vplat_input_script_done(s));
	ck_assert_int_eq(vplat_input_script_timeout_ms(s), -1);
	ck_assert_uint_eq(ss->steps, 2u * 8u);
	ck_assert_uint_eq(ss->runs, 2);
	ck_assert_uint_eq(vplat_input_stats(&r.d)->events, 10);
	rig_down(&r);
	vplat_input_script_free(s);
}
END_TEST

START_TEST(presets)
{
	struct vplat_input_caps c;
	memset(&c, 0, sizeof(c));
	vplat_input_preset_keyboard(&c);
	ck_assert_uint_eq(c.ev[VPLAT_EV_KEY][0], 0xfe);   /* KEY_ESC (1) .. 7 */
	ck_assert_uint_eq(c.ev[VPLAT_EV_KEY][11], 0x01);  /* KEY_F12 (88) last */
	ck_assert_uint_eq(c.ev[VPLAT_EV_KEY][12], 0);
	ck_assert_uint_eq(c.ev[VPLAT_EV_LED][0], 0x07);
	ck_assert_uint_eq(c.ev[VPLAT_EV_REP][0], 0);      /* no autorepeat */
	vplat_input_preset_touch(&c, 800, 480, 4);
	ck_assert_uint_eq(c.prop[0], 1u << INPUT_PROP_DIRECT);
	ck_assert(c.ev[VPLAT_EV_KEY][BTN_TOUCH / 8] & (1u << (BTN_TOUCH % 8)));
	ck_assert_int_eq(c.abs[ABS_X].max, 799);
	ck_assert_int_eq(c.abs[ABS_Y].max, 479);
	ck_assert_int_eq(c.abs[ABS_MT_SLOT].max, 3);
	ck_assert_int_eq(c.abs[ABS_MT_POSITION_Y].max, 479);
	ck_assert_int_eq(c.abs[ABS_MT_TRACKING_ID].max, 65535);
	ck_assert(c.ev[VPLAT_EV_ABS][ABS_MT_TRACKING_ID / 8] & (1u << (ABS_MT_TRACKING_ID % 8)));
	/* out of range: nothing added */
	struct vplat_input_caps z;
	memset(&z, 0, sizeof(z));
	vplat_input_preset_touch(&z, 0, 480, 0);
	vplat_input_preset_touch(&z, 800, 480, 17);
	vplat_input_preset_touch(&z, 65537, 480, 0);
	static const struct vplat_input_caps zero;
	ck_assert_mem_eq(&z, &zero, sizeof(z));
}
END_TEST

/* ---- evdev end on a fake device: ioctls answered from a table, events from a pipe ------ */

static int fake_rd = -1, fake_wr = -1, fake_led_rd = -1, fake_led_wr = -1;
static int fake_grabs, fake_fail_gbit;

static int fake_open(const char *path, int flags)
{
	(void)flags;
	if (strcmp(path, "/dev/input/event5")) {
		errno = ENOENT;
		return -1;
	}
	int p[2];
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	fake_rd = p[0];
	fake_wr = p[1];
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	fake_led_rd = p[0];
	fake_led_wr = p[1];
	return fake_rd;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	ck_assert_int_eq(fd, fake_rd);
	unsigned nr = _IOC_NR(req), sz = _IOC_SIZE(req);
	if (req == EVIOCGID) {
		*(struct input_id *)arg = (struct input_id){.bustype = 3, .vendor = 0x46d,
							    .product = 0xc52b, .version = 0x111};
		return 0;
	}
	if (req == EVIOCGRAB) {
		fake_grabs += arg ? 1 : -1;
		return 0;
	}
	if (_IOC_TYPE(req) != 'E')
		return errno = EINVAL, -1;
	memset(arg, 0, sz);
	if (nr == _IOC_NR(EVIOCGNAME(0))) {
		strcpy(arg, "Fake Touch Keyboard");
		return 20;
	}
	if (nr == _IOC_NR(EVIOCGUNIQ(0))) {
		strcpy(arg, "fk-1");
		return 5;
	}
	if (nr == _IOC_NR(EVIOCGPROP(0))) {
		((uint8_t *)arg)[0] = 1u << INPUT_PROP_DIRECT;
		return 1;
	}
	if (nr >= _IOC_NR(EVIOCGABS(0)) && nr < _IOC_NR(EVIOCGABS(0)) + ABS_CNT) {
		unsigned a = nr - _IOC_NR(EVIOCGABS(0));
		struct input_absinfo *ai = arg;
		ai->minimum = -(int)a;
		ai->maximum = 1000 + (int)a;
		ai->fuzz = 1;
		ai->flat = 2;
		ai->resolution = 3;
		return 0;
	}
	if (nr >= _IOC_NR(EVIOCGBIT(0, 0)) && nr < _IOC_NR(EVIOCGBIT(EV_MAX, 0)) + 1) {
		unsigned t = nr - _IOC_NR(EVIOCGBIT(0, 0));
		uint8_t *bm = arg;
		if (fake_fail_gbit)
			return errno = EIO, -1;
		if (t == 0) { /* types: KEY, ABS, LED, REP */
			bm[0] = (1u << EV_KEY) | (1u << EV_ABS);
			bm[EV_LED / 8] |= 1u << (EV_LED % 8);
			bm[EV_REP / 8] |= 1u << (EV_REP % 8);
		} else if (t == EV_KEY) {
			bm[KEY_A / 8] |= 1u << (KEY_A % 8);
			bm[BTN_TOUCH / 8] |= 1u << (BTN_TOUCH % 8);
		} else if (t == EV_ABS) {
			bm[0] = 0x3; /* ABS_X, ABS_Y */
		} else if (t == EV_LED) {
			bm[0] = 0x2; /* LED_CAPSL */
		}
		return (int)sz;
	}
	return errno = EINVAL, -1;
}

static long fake_read(int fd, void *buf, unsigned long len) { return read(fd, buf, len); }

static long fake_write(int fd, const void *buf, unsigned long len)
{
	ck_assert_int_eq(fd, fake_rd);
	return write(fake_led_wr, buf, len);
}

static int fake_close(int fd)
{
	ck_assert_int_eq(fd, fake_rd);
	close(fake_wr);
	close(fake_led_rd);
	close(fake_led_wr);
	fake_rd = fake_wr = fake_led_rd = fake_led_wr = -1;
	return close(fd);
}

static const struct vplat_input_evdev_sys fake_sys = {
	.open = fake_open, .ioctl = fake_ioctl, .read = fake_read, .write = fake_write,
	.close = fake_close};

static void fake_event(uint16_t type, uint16_t code, int32_t value)
{
	struct input_event e;
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.code = code;
	e.value = value;
	ck_assert_int_eq(write(fake_wr, &e, sizeof(e)), (ssize_t)sizeof(e));
}

START_TEST(evdev_end)
{
	int e = 0;
	ck_assert_ptr_null(vplat_input_evdev_open("/dev/input/event4", false, &fake_sys, &e));
	ck_assert_int_eq(e, VPLAT_EIO);
	fake_fail_gbit = 1; /* EVIOCGBIT fails: refused, fd closed */
	ck_assert_ptr_null(vplat_input_evdev_open("5", false, &fake_sys, &e));
	ck_assert_int_eq(e, VPLAT_EIO);
	ck_assert_int_eq(fake_rd, -1);
	fake_fail_gbit = 0;
	struct vplat_input_evdev *ev = vplat_input_evdev_open("5", true, &fake_sys, &e);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(fake_grabs, 1);
	ck_assert_int_eq(vplat_input_evdev_fd(ev), fake_rd);
	const struct vplat_input_caps *c = vplat_input_evdev_caps(ev);
	ck_assert_str_eq(c->name, "Fake Touch Keyboard");
	ck_assert_str_eq(c->serial, "fk-1");
	ck_assert(c->has_ids);
	ck_assert_uint_eq(c->vendor, 0x46d);
	ck_assert_uint_eq(c->product, 0xc52b);
	ck_assert_uint_eq(c->prop[0], 1u << INPUT_PROP_DIRECT);
	ck_assert_uint_eq(c->ev[EV_ABS][0], 3);
	ck_assert_int_eq(c->abs[1].min, -1);
	ck_assert_int_eq(c->abs[1].max, 1001);
	ck_assert_int_eq(c->abs[1].res, 3);
	ck_assert_uint_eq(c->ev[EV_LED][0], 2);
	ck_assert_uint_ne(c->ev[EV_REP][0], 0); /* the driver sets EV_REP from a non-empty bitmap */
	/* the device over the loopback shows what the evdev device has */
	struct rig r;
	memset(&r, 0, sizeof(r));
	enum vplat_loopback_transport kind = (_i & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r.lb, kind, 1u << 20), 0);
	ck_assert_int_eq(vplat_input_init(&r.d, vplat_loopback_mem(&r.lb), c,
					  &vplat_input_host_evdev, ev), 0);
	vplat_input_evdev_bind(ev, &r.d);
	ck_assert_int_eq(vplat_loopback_attach(&r.lb, vplat_input_device(&r.d)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r.lb, &r.v), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (_i & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r.v, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.evq, EVQ, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.stq, STQ, 64), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r.v), 0);
	uint8_t u[128];
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 0, u), 19);
	ck_assert_mem_eq(u, "Fake Touch Keyboard", 19);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 0, u), 20);
	ck_assert_uint_eq(cfg_query(&r, VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 2, u), 0);
	/* events are forwarded as read */
	post(&r, 8, 8);
	ck_assert_int_eq(vplat_input_evdev_dispatch(ev), 0);
	fake_event(EV_KEY, KEY_A, 1);
	fake_event(EV_ABS, ABS_Y, -1);
	fake_event(EV_SYN, SYN_REPORT, 0);
	ck_assert_int_eq(vplat_input_evdev_dispatch(ev), 3);
	expect_event(&r, EV_KEY, KEY_A, 1);
	expect_event(&r, EV_ABS, ABS_Y, -1);
	expect_event(&r, EV_SYN, SYN_REPORT, 0);
	/* an LED from the driver is written to the evdev device with a SYN_REPORT */
	struct vplat_virtio_input_event *st = dma(&r, 8);
	st->type = vplat_cpu_to_le16(EV_LED);
	st->code = vplat_cpu_to_le16(LED_CAPSL);
	st->value = vplat_cpu_to_le32(1);
	struct vplat_val_buf b = {.ptr = st, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.stq, &b, 1, 0, st), 0);
	vplat_val_vq_kick(&r.stq);
	struct input_event w[2];
	ck_assert_int_eq(read(fake_led_rd, w, sizeof(w)), (ssize_t)sizeof(w));
	ck_assert_uint_eq(w[0].type, EV_LED);
	ck_assert_uint_eq(w[0].code, LED_CAPSL);
	ck_assert_int_eq(w[0].value, 1);
	ck_assert_uint_eq(w[1].type, EV_SYN);
	/* the device went away: EIO */
	close(fake_wr);
	fake_wr = open("/dev/null", O_WRONLY);
	ck_assert_int_eq(vplat_input_evdev_dispatch(ev), VPLAT_EIO);
	rig_down(&r);
	vplat_input_evdev_close(ev);
	ck_assert_int_eq(fake_grabs, 0); /* the grab is released */
	vplat_input_evdev_close(NULL);
}
END_TEST

START_TEST(instance_options)
{
	struct vplat_loopback lb;
	ck_assert_int_eq(vplat_loopback_init(&lb, VPLAT_LOOPBACK_MMIO, 1u << 20), 0);
	char err[256];
	struct vplat_instance *in;
	struct vplat_instance_options o = {.type = VPLAT_INSTANCE_INPUT,
					   .input = {.touch = true, .width = 100000}};
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)),
			 VPLAT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "input: touch"));
	o.input = (struct vplat_instance_input){.script_text = "key 1 1\nnope\n"};
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)),
			 VPLAT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "line 2"));
	o.input = (struct vplat_instance_input){.backend = VPLAT_INSTANCE_INPUT_EVDEV,
						.evdev = "/nonexistent/event9"};
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)),
			 VPLAT_EIO);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/event9"));
	o.input = (struct vplat_instance_input){.name = "kbd", .keyboard = true,
						.script_text = "key 2 1\nsyn\n"};
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(vplat_instance_input_script(in));
	struct vplat_input *d = vplat_instance_input(in);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->caps->name, "kbd");
	ck_assert_uint_eq(d->caps->ev[VPLAT_EV_ABS][0], 0); /* keyboard only: no touch */
	ck_assert_uint_eq(d->caps->ev[VPLAT_EV_KEY][0], 0xfe);
	ck_assert_str_eq(vplat_instance_type_name(VPLAT_INSTANCE_INPUT), "input");
	ck_assert_int_eq(vplat_instance_type_from_name("input"), VPLAT_INSTANCE_INPUT);
	ck_assert(vplat_instance_in_order(VPLAT_INSTANCE_INPUT));
	ck_assert_int_eq(vplat_instance_timeout_ms(in), 100); /* no driver yet */
	int fds[4];
	ck_assert_uint_eq(vplat_instance_fds(in, fds, 4), 0);
	vplat_instance_destroy(in);
	/* neither keyboard nor touch: both, 1920x1080 */
	o.input = (struct vplat_instance_input){0};
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)), 0);
	d = vplat_instance_input(in);
	ck_assert_str_eq(d->caps->name, "vplat input");
	ck_assert_int_eq(d->caps->abs[0].max, 1919);
	ck_assert_uint_eq(d->caps->ev[VPLAT_EV_KEY][0], 0xfe);
	ck_assert_ptr_null(vplat_instance_i2c_sim(in));
	vplat_instance_destroy(in);
	vplat_loopback_fini(&lb);
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
	tcase_add_loop_test(tc, too_many_segments, 0, 4);
	tcase_add_test(tc, bad_args);
	tcase_add_test(tc, script_parse);
	tcase_add_loop_test(tc, script_runs_with_status, 0, 4);
	tcase_add_test(tc, presets);
	tcase_add_loop_test(tc, evdev_end, 0, 4);
	tcase_add_test(tc, instance_options);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
