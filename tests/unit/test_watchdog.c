/* SPDX-License-Identifier: BSD-3-Clause */
/* covers(unit.test_watchdog): VPLAT-WDT-021 VPLAT-WDT-022 VPLAT-WDT-024 (rearm_after_reset,
 * pause_resume, expiry_actions; injected clock) */
/*
 * Watchdog device (spec/16-watchdog.md), driven as a guest would: through the loopback backend
 * over virtio-mmio (_i bit 0 = 0) and virtio-pci (bit 0 = 1), with split (bit 1 = 0) and packed
 * (bit 1 = 1) rings. Time comes from an injected clock; nothing sleeps.
 */
#include <string.h>
#include "testutil.h"
#include "vplat/vplat.h"
#include "vplat/watchdog.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define S_NS UINT64_C(1000000000)
#define F(b) VPLAT_BIT(VPLAT_VIRTIO_WDT_F_##b)

struct host {
	uint64_t now;
	unsigned expired, resets, poweroffs, pretimeouts;
	enum vplat_watchdog_action last_action;
};

static uint64_t h_now(void *p) { return ((struct host *)p)->now; }
static void h_expired(void *p, enum vplat_watchdog_action a)
{
	((struct host *)p)->expired++;
	((struct host *)p)->last_action = a;
}
static void h_reset(void *p) { ((struct host *)p)->resets++; }
static void h_poweroff(void *p) { ((struct host *)p)->poweroffs++; }
static void h_pretimeout(void *p) { ((struct host *)p)->pretimeouts++; }

static const struct vplat_watchdog_host_ops host_ops = {
	.now_ns = h_now,
	.expired = h_expired,
	.reset = h_reset,
	.poweroff = h_poweroff,
	.pretimeout = h_pretimeout,
};

struct rig {
	struct vplat_loopback lb;
	struct vplat_watchdog wd;
	struct host h;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	int variant;
};

static void rig_start(struct rig *r, uint64_t want)
{
	want |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (r->variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq, 0, 8), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
}

static void rig_up(struct rig *r, int variant, const struct vplat_watchdog_config *cfg,
		   uint64_t want)
{
	memset(r, 0, sizeof(*r));
	r->variant = variant;
	r->h.now = 1000 * S_NS;
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 1u << 20), 0);
	ck_assert_int_eq(vplat_watchdog_init(&r->wd, vplat_loopback_mem(&r->lb), cfg, &host_ops,
					     &r->h),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_watchdog_device(&r->wd)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	rig_start(r, want);
}

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	vplat_val_vq_fini(&r->vq);
	vplat_loopback_fini(&r->lb);
}

/* Post one buffer (writable or readable) of @p len bytes, wait for it; returns used length. */
static uint32_t ping_buf(struct rig *r, uint32_t len, bool writable, uint8_t *first)
{
	uint64_t gpa;
	uint64_t mark = vplat_val_mem_mark(vplat_loopback_dma(&r->lb));
	uint8_t *buf = vplat_val_alloc(vplat_loopback_dma(&r->lb), len ? len : 1, 8, &gpa);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xee, len ? len : 1);
	struct vplat_val_buf b = {.ptr = buf, .len = len};
	ck_assert_int_eq(vplat_val_vq_add(&r->vq, &b, writable ? 0 : 1, writable ? 1 : 0, (void *)9),
			 0);
	vplat_val_vq_kick(&r->vq);
	void *tok;
	uint32_t used;
	ck_assert_int_eq(vplat_val_wait_used(&r->vq, &tok, &used, 1000), 0);
	ck_assert_ptr_eq(tok, (void *)9);
	if (first)
		*first = buf[0];
	vplat_val_mem_release(vplat_loopback_dma(&r->lb), mark);
	return used;
}

static uint32_t ping(struct rig *r)
{
	uint8_t b = 0;
	uint32_t used = ping_buf(r, 1, true, &b);
	ck_assert_uint_eq(b, 1);
	return used;
}

static uint32_t cfg32(struct rig *r, uint32_t off)
{
	return (uint32_t)vplat_val_config_read(&r->d, off, 4);
}

START_TEST(ping_writes_one)
{
	/* VPLAT-WDT-002, -005: the device writes 1, used length 1; the first ping arms. */
	struct rig r;
	rig_up(&r, _i, NULL, 0);
	ck_assert_uint_eq(vplat_watchdog_status(&r.wd), 0);
	ck_assert_uint_eq(vplat_watchdog_next_deadline(&r.wd), UINT64_MAX);
	for (unsigned n = 0; n < 20; n++) /* both layouts wrap */
		ck_assert_uint_eq(ping(&r), 1);
	ck_assert_uint_eq(vplat_watchdog_status(&r.wd), VPLAT_VIRTIO_WDT_S_ARMED);
	ck_assert_uint_eq(cfg32(&r, 16), VPLAT_VIRTIO_WDT_S_ARMED);
	ck_assert_uint_eq(vplat_watchdog_stats(&r.wd)->pings, 20);
	ck_assert_uint_eq(vplat_watchdog_next_deadline(&r.wd), r.h.now + 20 * S_NS);
	rig_down(&r);
}
END_TEST

START_TEST(expiry_and_rearm)
{
	/* VPLAT-WDT-006, -007, -010, -019: 20 s default, not a nanosecond early; one action; the
	 * next ping re-arms. */
	struct rig r;
	rig_up(&r, _i, NULL, 0);
	ping(&r);
	uint64_t t0 = r.h.now;
	r.h.now = t0 + 15 * S_NS;
	vplat_watchdog_tick(&r.wd, r.h.now);
	ping(&r); /* in time: a new period */
	vplat_watchdog_tick(&r.wd, r.h.now + 20 * S_NS - 1);
	ck_assert_uint_eq(r.h.expired, 0);
	vplat_watchdog_tick(&r.wd, r.h.now + 20 * S_NS);
	ck_assert_uint_eq(r.h.expired, 1);
	ck_assert_uint_eq(r.h.last_action, VPLAT_WATCHDOG_ACTION_CALLBACK);
	ck_assert_uint_eq(r.h.resets + r.h.poweroffs, 0);
	ck_assert_uint_eq(cfg32(&r, 16), VPLAT_VIRTIO_WDT_S_EXPIRED);
	vplat_watchdog_tick(&r.wd, r.h.now + 100 * S_NS);
	ck_assert_uint_eq(r.h.expired, 1); /* disarmed: once only */
	r.h.now += 100 * S_NS;
	ping(&r);
	ck_assert_uint_eq(cfg32(&r, 16), VPLAT_VIRTIO_WDT_S_ARMED);
	vplat_watchdog_tick(&r.wd, r.h.now + 20 * S_NS);
	ck_assert_uint_eq(r.h.expired, 2);
	rig_down(&r);
}
END_TEST

START_TEST(rearm_after_reset)
{
	/* VPLAT-WDT-020, -021: a reset disarms and restores defaults; no expiry before DRIVER_OK. */
	struct vplat_watchdog_config c = {.features = VPLAT_WATCHDOG_ALL_FEATURES};
	struct rig r;
	rig_up(&r, _i, &c, F(TIMEOUT) | F(PRETIMEOUT));
	vplat_val_config_write(&r.d, 0, 4, 5000);
	vplat_val_config_write(&r.d, 12, 4, 1000);
	ping(&r);
	vplat_val_vq_fini(&r.vq);
	ck_assert_int_eq(vplat_val_reset(&r.d), 0);
	ck_assert_uint_eq(vplat_watchdog_status(&r.wd), 0);
	vplat_watchdog_tick(&r.wd, r.h.now + 3600 * S_NS);
	ck_assert_uint_eq(r.h.expired, 0);
	ck_assert_uint_eq(cfg32(&r, 0), 20000);
	ck_assert_uint_eq(cfg32(&r, 12), 0);
	rig_start(&r, 0);
	vplat_watchdog_tick(&r.wd, r.h.now + 3600 * S_NS);
	ck_assert_uint_eq(r.h.expired, 0); /* not armed until the first ping */
	ping(&r);
	vplat_watchdog_tick(&r.wd, r.h.now + 20 * S_NS);
	ck_assert_uint_eq(r.h.expired, 1);
	rig_down(&r);
}
END_TEST

START_TEST(feature_gated_timeout)
{
	/* VPLAT-WDT-012..016: layout, limits, clamping, writes ignored without the feature. */
	struct vplat_watchdog_config c = {.features = VPLAT_WATCHDOG_ALL_FEATURES,
					  .min_timeout_ms = 2000, .max_timeout_ms = 60000};
	struct rig r;
	rig_up(&r, _i, &c, 0); /* nothing negotiated: writes ignored */
	ck_assert_uint_eq(cfg32(&r, 0), 20000);
	ck_assert_uint_eq(cfg32(&r, 4), 2000);
	ck_assert_uint_eq(cfg32(&r, 8), 60000);
	vplat_val_config_write(&r.d, 0, 4, 5000);
	vplat_val_config_write(&r.d, 12, 4, 1000);
	vplat_val_config_write(&r.d, 4, 4, 1);
	ck_assert_uint_eq(cfg32(&r, 0), 20000);
	ck_assert_uint_eq(cfg32(&r, 12), 0);
	ck_assert_uint_eq(cfg32(&r, 4), 2000);
	rig_down(&r);

	rig_up(&r, _i, &c, F(TIMEOUT) | F(PRETIMEOUT));
	vplat_val_config_write(&r.d, 0, 4, 5000);
	ck_assert_uint_eq(cfg32(&r, 0), 5000);
	vplat_val_config_write(&r.d, 0, 4, 1);
	ck_assert_uint_eq(cfg32(&r, 0), 2000);
	vplat_val_config_write(&r.d, 0, 4, 999999);
	ck_assert_uint_eq(cfg32(&r, 0), 60000);
	vplat_val_config_write(&r.d, 0, 4, 5000);
	vplat_val_config_write(&r.d, 12, 4, 5000); /* not below timeout: stored as 0 */
	ck_assert_uint_eq(cfg32(&r, 12), 0);
	vplat_val_config_write(&r.d, 12, 4, 1000);
	ck_assert_uint_eq(cfg32(&r, 12), 1000);
	ping(&r);
	uint64_t t0 = r.h.now;
	ck_assert_uint_eq(vplat_watchdog_next_deadline(&r.wd), t0 + 4 * S_NS);
	/* A timeout write while armed starts a new period. */
	r.h.now = t0 + 3 * S_NS;
	vplat_val_config_write(&r.d, 0, 4, 5000);
	vplat_watchdog_tick(&r.wd, t0 + 5 * S_NS);
	ck_assert_uint_eq(r.h.expired, 0);
	vplat_watchdog_tick(&r.wd, r.h.now + 5 * S_NS);
	ck_assert_uint_eq(r.h.expired, 1);
	rig_down(&r);
}
END_TEST

START_TEST(pretimeout)
{
	/* VPLAT-WDT-017: PRETIMEOUT bit and a config change notification, once per period. */
	struct vplat_watchdog_config c = {.features = VPLAT_WATCHDOG_ALL_FEATURES};
	struct rig r;
	rig_up(&r, _i, &c, F(TIMEOUT) | F(PRETIMEOUT));
	vplat_val_config_write(&r.d, 0, 4, 10000);
	vplat_val_config_write(&r.d, 12, 4, 3000);
	ping(&r);
	uint64_t t0 = r.h.now;
	uint32_t gen = vplat_val_config_generation(&r.d);
	(void)vplat_val_isr(&r.d); /* acknowledge what is pending */
	vplat_watchdog_tick(&r.wd, t0 + 7 * S_NS - 1);
	ck_assert_uint_eq(r.h.pretimeouts, 0);
	vplat_watchdog_tick(&r.wd, t0 + 7 * S_NS);
	vplat_watchdog_tick(&r.wd, t0 + 8 * S_NS);
	ck_assert_uint_eq(r.h.pretimeouts, 1);
	ck_assert_uint_eq(cfg32(&r, 16), VPLAT_VIRTIO_WDT_S_ARMED | VPLAT_VIRTIO_WDT_S_PRETIMEOUT);
	ck_assert_uint_ne(vplat_val_config_generation(&r.d), gen);
	ck_assert_uint_ne(vplat_val_isr(&r.d) & 2u, 0); /* configuration change */
	r.h.now = t0 + 8 * S_NS;
	ping(&r);
	ck_assert_uint_eq(cfg32(&r, 16), VPLAT_VIRTIO_WDT_S_ARMED);
	ck_assert_uint_eq(r.h.expired, 0);
	rig_down(&r);
}
END_TEST

START_TEST(disarm_gated)
{
	/* VPLAT-WDT-009, -018: control is ignored without DISARM; with it, disarms until a ping. */
	struct vplat_watchdog_config c = {.features = VPLAT_WATCHDOG_ALL_FEATURES};
	struct rig r;
	rig_up(&r, _i, &c, 0);
	ping(&r);
	vplat_val_config_write(&r.d, 20, 4, VPLAT_VIRTIO_WDT_C_DISARM);
	ck_assert_uint_eq(cfg32(&r, 16), VPLAT_VIRTIO_WDT_S_ARMED);
	vplat_watchdog_tick(&r.wd, r.h.now + 20 * S_NS);
	ck_assert_uint_eq(r.h.expired, 1);
	rig_down(&r);

	rig_up(&r, _i, &c, F(DISARM));
	ping(&r);
	vplat_val_config_write(&r.d, 20, 4, VPLAT_VIRTIO_WDT_C_DISARM);
	ck_assert_uint_eq(cfg32(&r, 16), 0);
	ck_assert_uint_eq(cfg32(&r, 20), 0);
	vplat_watchdog_tick(&r.wd, r.h.now + 3600 * S_NS);
	ck_assert_uint_eq(r.h.expired, 0);
	ping(&r);
	vplat_watchdog_tick(&r.wd, r.h.now + 20 * S_NS);
	ck_assert_uint_eq(r.h.expired, 1);
	rig_down(&r);
}
END_TEST

START_TEST(pretimeout_needs_timeout)
{
	/* VPLAT-WDT-011: FEATURES_OK refused for PRETIMEOUT without TIMEOUT; not offered unless
	 * configured. */
	struct vplat_watchdog_config c = {.features = VPLAT_WATCHDOG_ALL_FEATURES};
	struct rig r;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(vplat_loopback_init(&r.lb, (_i & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
					     1u << 20),
			 0);
	ck_assert_int_eq(vplat_watchdog_init(&r.wd, vplat_loopback_mem(&r.lb), &c, &host_ops, &r.h),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&r.lb, vplat_watchdog_device(&r.wd)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r.lb, &r.d), 0);
	ck_assert_int_ne(vplat_val_negotiate(&r.d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | F(PRETIMEOUT)),
			 0);
	vplat_loopback_fini(&r.lb);
	struct vplat_watchdog w;
	c.features = F(PRETIMEOUT);
	ck_assert_int_ne(vplat_watchdog_init(&w, NULL, &c, &host_ops, NULL), 0);
	c.features = 0;
	c.min_timeout_ms = 500;
	ck_assert_int_eq(vplat_watchdog_init(&w, NULL, &c, &host_ops, NULL), VPLAT_EINVAL);
}
END_TEST

/* Each check of vplat_watchdog_init() on its own, with a valid guest memory (so that nothing
 * but the check under test can refuse): no device, no host ops, no clock, and each bound of the
 * configuration (vplat/watchdog.h). */
START_TEST(init_rejects_bad_config)
{
	struct vplat_watchdog w;
	struct vplat_mem m;
	struct vplat_mem_region reg[1];
	struct host h = {0};
	const struct vplat_watchdog_host_ops no_clock = {.expired = h_expired};
	vplat_mem_init(&m, reg, 1);
	struct vplat_watchdog_config ok = {.features = VPLAT_WATCHDOG_ALL_FEATURES};
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &ok, &host_ops, &h), 0);
	ck_assert_int_eq(vplat_watchdog_init(NULL, &m, &ok, &host_ops, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &ok, NULL, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &ok, &no_clock, &h), VPLAT_EINVAL);
	struct vplat_watchdog_config c = ok;
	c.min_timeout_ms = 999;
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &c, &host_ops, &h), VPLAT_EINVAL);
	c = ok;
	c.min_timeout_ms = VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS + 1u;
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &c, &host_ops, &h), VPLAT_EINVAL);
	c = ok;
	c.max_timeout_ms = VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS - 1u;
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &c, &host_ops, &h), VPLAT_EINVAL);
	c = ok;
	c.features |= VPLAT_BIT(VPLAT_VIRTIO_WDT_F_DISARM + 1u);
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &c, &host_ops, &h), VPLAT_EINVAL);
	c = ok;
	c.action = (enum vplat_watchdog_action)(VPLAT_WATCHDOG_ACTION_POWEROFF + 1);
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &c, &host_ops, &h), VPLAT_EINVAL);
	/* the bounds themselves are accepted */
	c = ok;
	c.min_timeout_ms = VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS;
	c.max_timeout_ms = VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS;
	c.action = VPLAT_WATCHDOG_ACTION_POWEROFF;
	ck_assert_int_eq(vplat_watchdog_init(&w, &m, &c, &host_ops, &h), 0);
}
END_TEST

START_TEST(hostile_buffers)
{
	/* VPLAT-WDT-003: read-only, zero-length and mixed chains are used with length 0, unwritten,
	 * do not arm, and the queue goes on. */
	struct rig r;
	rig_up(&r, _i, NULL, 0);
	uint8_t b = 0;
	ck_assert_uint_eq(ping_buf(&r, 4, false, &b), 0);
	ck_assert_uint_eq(b, 0xee);
	ck_assert_uint_eq(ping_buf(&r, 0, true, NULL), 0);
	/* readable header + writable byte: not a ping */
	uint64_t gpa;
	uint8_t *a = vplat_val_alloc(vplat_loopback_dma(&r.lb), 1, 8, &gpa);
	uint8_t *w = vplat_val_alloc(vplat_loopback_dma(&r.lb), 1, 8, &gpa);
	*w = 0xee;
	struct vplat_val_buf bufs[2] = {{.ptr = a, .len = 1}, {.ptr = w, .len = 1}};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq, bufs, 1, 1, (void *)5), 0);
	vplat_val_vq_kick(&r.vq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(*w, 0xee);
	ck_assert_uint_eq(vplat_watchdog_status(&r.wd), 0);
	ck_assert_uint_eq(vplat_watchdog_stats(&r.wd)->bad_requests, 3);
	ck_assert_uint_eq(vplat_val_get_status(&r.d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
	ck_assert_uint_eq(ping(&r), 1);
	ck_assert_uint_eq(vplat_watchdog_status(&r.wd), VPLAT_VIRTIO_WDT_S_ARMED);
	rig_down(&r);
}
END_TEST

START_TEST(pause_resume)
{
	/* VPLAT-WDT-022: paused time does not count; resume starts a new period. */
	struct rig r;
	rig_up(&r, _i, NULL, 0);
	ping(&r);
	uint64_t t0 = r.h.now;
	vplat_watchdog_pause(&r.wd);
	ck_assert_uint_eq(vplat_watchdog_next_deadline(&r.wd), UINT64_MAX);
	vplat_watchdog_tick(&r.wd, t0 + 3600 * S_NS);
	ck_assert_uint_eq(r.h.expired, 0);
	vplat_watchdog_resume(&r.wd, t0 + 3600 * S_NS);
	vplat_watchdog_tick(&r.wd, t0 + 3619 * S_NS);
	ck_assert_uint_eq(r.h.expired, 0);
	vplat_watchdog_tick(&r.wd, t0 + 3620 * S_NS);
	ck_assert_uint_eq(r.h.expired, 1);
	rig_down(&r);
}
END_TEST

START_TEST(expiry_actions)
{
	/* VPLAT-WDT-024: the configured action, exactly once. */
	for (int a = 0; a <= 2; a++) {
		struct vplat_watchdog_config c = {.action = (enum vplat_watchdog_action)a};
		struct rig r;
		rig_up(&r, _i, &c, 0);
		ping(&r);
		vplat_watchdog_tick(&r.wd, r.h.now + 20 * S_NS);
		vplat_watchdog_tick(&r.wd, r.h.now + 40 * S_NS);
		ck_assert_uint_eq(r.h.expired, 1);
		ck_assert_uint_eq(r.h.last_action, (unsigned)a);
		ck_assert_uint_eq(r.h.resets, a == VPLAT_WATCHDOG_ACTION_RESET);
		ck_assert_uint_eq(r.h.poweroffs, a == VPLAT_WATCHDOG_ACTION_POWEROFF);
		rig_down(&r);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("watchdog");
	TCase *tc = tcase_create("watchdog");
	tcase_add_loop_test(tc, ping_writes_one, 0, 4);
	tcase_add_loop_test(tc, expiry_and_rearm, 0, 4);
	tcase_add_loop_test(tc, rearm_after_reset, 0, 4);
	tcase_add_loop_test(tc, feature_gated_timeout, 0, 4);
	tcase_add_loop_test(tc, pretimeout, 0, 4);
	tcase_add_loop_test(tc, disarm_gated, 0, 4);
	tcase_add_loop_test(tc, pretimeout_needs_timeout, 0, 4);
	tcase_add_loop_test(tc, hostile_buffers, 0, 4);
	tcase_add_loop_test(tc, pause_resume, 0, 4);
	tcase_add_loop_test(tc, expiry_actions, 0, 4);
	tcase_add_test(tc, init_rejects_bad_config);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
