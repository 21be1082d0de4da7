/* SPDX-License-Identifier: BSD-3-Clause */
/* Arm SP805 watchdog register model: registers, lock, interrupt then reset, injected clock. */
#include <string.h>
#include "testutil.h"
#include "vplat/error.h"
#include "vplat/sp805.h"

#define HZ 1000000u /* 1 MHz: one tick per microsecond */
#define US 1000u

struct host {
	uint64_t now;
	bool irq;
	unsigned irq_edges, resets;
};

static uint64_t h_now(void *p) { return ((struct host *)p)->now; }
static void h_irq(void *p, bool level)
{
	struct host *h = p;
	if (level && !h->irq)
		h->irq_edges++;
	h->irq = level;
}
static void h_reset(void *p) { ((struct host *)p)->resets++; }
static const struct vplat_sp805_host_ops ops = {.now_ns = h_now, .irq = h_irq, .reset = h_reset};

static uint32_t rd(struct vplat_sp805 *sp, uint64_t off)
{
	uint64_t v = 0xdead;
	ck_assert_int_eq(vplat_sp805_read(sp, off, 4, &v), 0);
	return (uint32_t)v;
}

static void wr(struct vplat_sp805 *sp, uint64_t off, uint32_t v)
{
	ck_assert_int_eq(vplat_sp805_write(sp, off, 4, v), 0);
}

static void up(struct vplat_sp805 *sp, struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->now = 5000000;
	ck_assert_int_eq(vplat_sp805_init(sp, HZ, &ops, h), 0);
}

START_TEST(reset_values_and_ids)
{
	struct vplat_sp805 sp;
	struct host h;
	up(&sp, &h);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_LOAD), 0xffffffffu);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_VALUE), 0xffffffffu);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_CONTROL), 0);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_RIS), 0);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_MIS), 0);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_LOCK), 0);
	static const uint32_t id[8] = {0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(rd(&sp, 0xfe0 + 4 * i), id[i]);
	/* Linux's AMBA bus reads these: part 0x805, designer 0x41, PrimeCell 0xb105f00d. */
	uint32_t pid = id[0] | id[1] << 8 | id[2] << 16 | id[3] << 24;
	ck_assert_uint_eq(pid & 0xfff, 0x805);
	ck_assert_uint_eq((pid >> 12) & 0xff, 0x41);
	/* Access rules: 32-bit aligned only, inside the 4 KiB window. */
	uint64_t v;
	ck_assert_int_eq(vplat_sp805_read(&sp, 0, 1, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_read(&sp, 2, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_read(&sp, 0x1000, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_write(&sp, 0, 8, 1), VPLAT_EINVAL);
	ck_assert_uint_eq(rd(&sp, 0x800), 0); /* reserved reads 0 */
	wr(&sp, VPLAT_SP805_VALUE, 5);         /* read-only: ignored */
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_VALUE), 0xffffffffu);
}
END_TEST

START_TEST(counts_interrupts_then_resets)
{
	struct vplat_sp805 sp;
	struct host h;
	up(&sp, &h);
	wr(&sp, VPLAT_SP805_LOAD, 1000); /* 1 ms */
	h.now += 500 * US;
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_VALUE), 1000); /* stopped: INTEN clear */
	wr(&sp, VPLAT_SP805_CONTROL, VPLAT_SP805_CTRL_INTEN | VPLAT_SP805_CTRL_RESEN);
	uint64_t t0 = h.now;
	ck_assert_uint_eq(vplat_sp805_next_deadline(&sp), t0 + 1000 * US);
	h.now = t0 + 400 * US;
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_VALUE), 600);
	vplat_sp805_tick(&sp, t0 + 1000 * US - 1);
	ck_assert(!h.irq);
	vplat_sp805_tick(&sp, t0 + 1000 * US);
	ck_assert(h.irq);
	ck_assert_uint_eq(h.irq_edges, 1);
	h.now = t0 + 1000 * US;
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_RIS), 1);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_MIS), 1);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_VALUE), 1000); /* reloaded */
	ck_assert_uint_eq(h.resets, 0);
	vplat_sp805_tick(&sp, t0 + 2000 * US);
	ck_assert_uint_eq(h.resets, 1);
	ck_assert_uint_eq(vplat_sp805_next_deadline(&sp), UINT64_MAX);
	vplat_sp805_tick(&sp, t0 + 9000 * US);
	ck_assert_uint_eq(h.resets, 1); /* once */
	vplat_sp805_reset(&sp);
	ck_assert(!h.irq);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_CONTROL), 0);
}
END_TEST

START_TEST(intclr_pets)
{
	struct vplat_sp805 sp;
	struct host h;
	up(&sp, &h);
	wr(&sp, VPLAT_SP805_LOAD, 1000);
	wr(&sp, VPLAT_SP805_CONTROL, VPLAT_SP805_CTRL_INTEN | VPLAT_SP805_CTRL_RESEN);
	for (int i = 0; i < 10; i++) { /* the interrupt handler clears it every time: no reset */
		h.now += 1000 * US;
		vplat_sp805_tick(&sp, h.now);
		ck_assert(h.irq);
		wr(&sp, VPLAT_SP805_INTCLR, 0);
		ck_assert(!h.irq);
		ck_assert_uint_eq(rd(&sp, VPLAT_SP805_RIS), 0);
		ck_assert_uint_eq(rd(&sp, VPLAT_SP805_VALUE), 1000);
	}
	ck_assert_uint_eq(h.resets, 0);
	/* Without RESEN a second expiry only keeps the interrupt raised. */
	wr(&sp, VPLAT_SP805_CONTROL, VPLAT_SP805_CTRL_INTEN);
	h.now += 100000 * US;
	vplat_sp805_tick(&sp, h.now);
	ck_assert_uint_eq(h.resets, 0);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_RIS), 1);
	ck_assert_uint_le(rd(&sp, VPLAT_SP805_VALUE), 1000);
	/* Disabling masks the interrupt (MIS) but RIS stays. */
	wr(&sp, VPLAT_SP805_CONTROL, 0);
	ck_assert(!h.irq);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_MIS), 0);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_RIS), 1);
}
END_TEST

START_TEST(lock)
{
	struct vplat_sp805 sp;
	struct host h;
	up(&sp, &h);
	wr(&sp, VPLAT_SP805_LOCK, 0); /* any value but the key locks */
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_LOCK), 1);
	wr(&sp, VPLAT_SP805_LOAD, 1000);
	wr(&sp, VPLAT_SP805_CONTROL, VPLAT_SP805_CTRL_INTEN);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_LOAD), 0xffffffffu);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_CONTROL), 0);
	wr(&sp, VPLAT_SP805_LOCK, VPLAT_SP805_UNLOCK_KEY);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_LOCK), 0);
	wr(&sp, VPLAT_SP805_LOAD, 1000);
	wr(&sp, VPLAT_SP805_CONTROL, VPLAT_SP805_CTRL_INTEN);
	wr(&sp, VPLAT_SP805_LOCK, 1);
	h.now += 1000 * US;
	vplat_sp805_tick(&sp, h.now);
	ck_assert(h.irq);
	wr(&sp, VPLAT_SP805_INTCLR, 0); /* locked: ignored */
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_RIS), 1);
	wr(&sp, VPLAT_SP805_LOCK, VPLAT_SP805_UNLOCK_KEY);
	wr(&sp, VPLAT_SP805_INTCLR, 0);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_RIS), 0);
	/* A reset unlocks. */
	wr(&sp, VPLAT_SP805_LOCK, 0);
	vplat_sp805_reset(&sp);
	ck_assert_uint_eq(rd(&sp, VPLAT_SP805_LOCK), 0);
}
END_TEST

START_TEST(linux_sp805_wdt_sequence)
{
	/* What drivers/watchdog/sp805_wdt.c does: unlock, LOAD, INTCLR, CONTROL=INTEN|RESEN,
	 * lock; ping = unlock, LOAD, lock; stop = unlock, CONTROL=0, lock. Timeout 30 s at 1 MHz:
	 * load = rate * timeout / 2 - 1 (the interrupt comes at half, the reset at the end). */
	struct vplat_sp805 sp;
	struct host h;
	up(&sp, &h);
	uint32_t load = HZ * 30 / 2 - 1;
	wr(&sp, VPLAT_SP805_LOCK, VPLAT_SP805_UNLOCK_KEY);
	wr(&sp, VPLAT_SP805_LOAD, load);
	wr(&sp, VPLAT_SP805_INTCLR, 0);
	wr(&sp, VPLAT_SP805_CONTROL, VPLAT_SP805_CTRL_INTEN | VPLAT_SP805_CTRL_RESEN);
	wr(&sp, VPLAT_SP805_LOCK, 0);
	for (int i = 0; i < 5; i++) { /* ping every 10 s */
		h.now += UINT64_C(10000000000);
		vplat_sp805_tick(&sp, h.now);
		wr(&sp, VPLAT_SP805_LOCK, VPLAT_SP805_UNLOCK_KEY);
		wr(&sp, VPLAT_SP805_LOAD, load);
		wr(&sp, VPLAT_SP805_LOCK, 0);
	}
	ck_assert_uint_eq(h.resets, 0);
	ck_assert_uint_eq(h.irq_edges, 0);
	h.now += UINT64_C(31000000000); /* no pings: interrupt at 15 s, reset at 30 s */
	vplat_sp805_tick(&sp, h.now);
	ck_assert_uint_eq(h.irq_edges, 1);
	ck_assert_uint_eq(h.resets, 1);
}
END_TEST

/* Each check of vplat_sp805_init() on its own: no device, no host ops, no clock, a clock rate
 * of 0 or above UINT32_MAX. */
START_TEST(init_rejects_bad_arguments)
{
	struct vplat_sp805 sp;
	struct host h = {0};
	const struct vplat_sp805_host_ops no_clock = {.irq = h_irq, .reset = h_reset};
	ck_assert_int_eq(vplat_sp805_init(NULL, HZ, &ops, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_init(&sp, HZ, NULL, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_init(&sp, HZ, &no_clock, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_init(&sp, 0, &ops, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_init(&sp, (uint64_t)UINT32_MAX + 1u, &ops, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_sp805_init(&sp, UINT32_MAX, &ops, &h), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sp805");
	TCase *tc = tcase_create("sp805");
	tcase_add_test(tc, reset_values_and_ids);
	tcase_add_test(tc, counts_interrupts_then_resets);
	tcase_add_test(tc, intclr_pets);
	tcase_add_test(tc, lock);
	tcase_add_test(tc, linux_sp805_wdt_sequence);
	tcase_add_test(tc, init_rejects_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
