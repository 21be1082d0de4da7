/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory-bandwidth regulator core (vplat/regulator.h) with an injected clock and simulated
 * counters: no sleeps, no hardware. */
#include <stdint.h>
#include "testutil.h"
#include "vplat/error.h"
#include "vplat/regulator.h"

#define US UINT64_C(1000)
#define MS UINT64_C(1000000)

START_TEST(init_and_arguments)
{
	/* covers: VPLAT-FFI-020 */
	struct vplat_reg r;
	struct vplat_reg_vm v[2];
	ck_assert_int_eq(vplat_reg_init(NULL, v, 2, MS, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_reg_init(&r, NULL, 2, MS, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_reg_init(&r, v, 0, MS, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_reg_init(&r, v, 2, VPLAT_REG_MIN_PERIOD_NS - 1, 0), VPLAT_ERANGE);
	ck_assert_int_eq(vplat_reg_init(&r, v, 2, VPLAT_REG_MAX_PERIOD_NS + 1, 0), VPLAT_ERANGE);
	/* 1 ms periods and shorter are accepted. */
	ck_assert_int_eq(vplat_reg_init(&r, v, 2, VPLAT_REG_MIN_PERIOD_NS, 0), 0);
	ck_assert_int_eq(vplat_reg_init(&r, v, 2, MS, 7), 0);
	ck_assert_uint_eq(vplat_reg_next_ns(&r), 7 + MS);
	ck_assert_int_eq(vplat_reg_set_budget(&r, 2, 5), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_reg_set_budget(NULL, 0, 5), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_reg_update(&r, 2, 0, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_reg_update(NULL, 0, 0, 0), VPLAT_EINVAL);
	ck_assert_uint_eq(vplat_reg_remaining(&r, 2), 0);
	ck_assert(!vplat_reg_throttled(&r, 2));
	struct vplat_reg_stats st;
	ck_assert_int_eq(vplat_reg_get_stats(&r, 2, &st), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_reg_get_stats(&r, 0, NULL), VPLAT_EINVAL);
	/* Not regulated by default: any number of events, never throttled. */
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), UINT64_MAX);
	for (uint64_t t = 0; t < 10 * MS; t += 100 * US)
		ck_assert_int_eq(vplat_reg_update(&r, 0, t * 1000, t), VPLAT_REG_NONE);
	ck_assert(!vplat_reg_throttled(&r, 0));
}
END_TEST

START_TEST(throttle_at_budget_release_at_boundary)
{
	/* covers: VPLAT-FFI-021 VPLAT-FFI-022 VPLAT-FFI-023 */
	struct vplat_reg r;
	struct vplat_reg_vm v[1];
	ck_assert_int_eq(vplat_reg_init(&r, v, 1, MS, 0), 0);
	ck_assert_int_eq(vplat_reg_set_budget(&r, 0, 100), 0);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 5000, 0), VPLAT_REG_NONE); /* baseline */
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), 100);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 5099, 100 * US), VPLAT_REG_NONE);
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), 1);
	ck_assert(!vplat_reg_throttled(&r, 0));
	ck_assert_int_eq(vplat_reg_update(&r, 0, 5100, 200 * US), VPLAT_REG_THROTTLE);
	ck_assert(vplat_reg_throttled(&r, 0));
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), 0);
	/* Events after the stop (the caller's latency) are overshoot, not a second throttle. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 5120, 500 * US), VPLAT_REG_NONE);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 5120, MS - 1), VPLAT_REG_NONE);
	ck_assert(vplat_reg_throttled(&r, 0));
	/* The boundary: full budget, released. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 5120, MS), VPLAT_REG_RELEASE);
	ck_assert(!vplat_reg_throttled(&r, 0));
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), 100);
	ck_assert_uint_eq(vplat_reg_next_ns(&r), 2 * MS);
	struct vplat_reg_stats st;
	ck_assert_int_eq(vplat_reg_get_stats(&r, 0, &st), 0);
	ck_assert_uint_eq(st.events, 120);
	ck_assert_uint_eq(st.periods, 1);
	ck_assert_uint_eq(st.periods_throttled, 1);
	ck_assert_uint_eq(st.throttles, 1);
	ck_assert_uint_eq(st.throttled_ns, 800 * US);
	ck_assert_uint_eq(st.overshoot_max, 20);
	ck_assert_uint_eq(st.overshoot_total, 20);
	/* A quiet period: counted, not throttled, no overshoot. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 5150, 2 * MS + 1), VPLAT_REG_NONE);
	ck_assert_int_eq(vplat_reg_get_stats(&r, 0, &st), 0);
	ck_assert_uint_eq(st.periods, 2);
	ck_assert_uint_eq(st.periods_throttled, 1);
	ck_assert_uint_eq(st.overshoot_total, 20);
}
END_TEST

START_TEST(late_reading_charged_to_ended_period)
{
	/* covers: VPLAT-FFI-022 */
	struct vplat_reg r;
	struct vplat_reg_vm v[1];
	vplat_reg_init(&r, v, 1, MS, 0);
	vplat_reg_set_budget(&r, 0, 100);
	vplat_reg_update(&r, 0, 0, 0);
	/* Read only after the boundary: the 150 events belong to the period that ended; the
	 * VM starts the new one with its full budget and is not stopped. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 150, MS + 10 * US), VPLAT_REG_NONE);
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), 100);
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&r, 0, &st);
	ck_assert_uint_eq(st.overshoot_max, 50);
	/* Periods missed entirely are counted. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 150, 6 * MS + 5), VPLAT_REG_NONE);
	vplat_reg_get_stats(&r, 0, &st);
	ck_assert_uint_eq(st.periods, 6);
	ck_assert_uint_eq(vplat_reg_next_ns(&r), 7 * MS);
}
END_TEST

START_TEST(vms_are_independent)
{
	/* covers: VPLAT-FFI-021 */
	struct vplat_reg r;
	struct vplat_reg_vm v[3];
	vplat_reg_init(&r, v, 3, MS, 0);
	vplat_reg_set_budget(&r, 0, 1000); /* hog, far over */
	vplat_reg_set_budget(&r, 1, 1000); /* critical, below budget */
	/* VM 2: no budget */
	uint64_t c[3] = {0, 0, 0};
	unsigned throttles0 = 0;
	for (uint64_t t = 0; t < 100 * MS; t += 50 * US) {
		c[0] += vplat_reg_throttled(&r, 0) ? 0 : 400;
		c[1] += 40; /* 800 per period: below 1000 */
		c[2] += 10000;
		for (uint32_t i = 0; i < 3; i++) {
			int a = vplat_reg_update(&r, i, c[i], t);
			ck_assert_int_ge(a, 0);
			if (i == 0 && a == VPLAT_REG_THROTTLE)
				throttles0++;
			if (i != 0)
				ck_assert_int_eq(a, VPLAT_REG_NONE);
		}
		ck_assert(!vplat_reg_throttled(&r, 1));
		ck_assert(!vplat_reg_throttled(&r, 2));
	}
	ck_assert_uint_ge(throttles0, 99);
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&r, 1, &st);
	ck_assert_uint_eq(st.throttles, 0);
	ck_assert_uint_eq(st.periods_throttled, 0);
	ck_assert_uint_eq(st.overshoot_max, 0);
}
END_TEST

START_TEST(budget_changed_at_run_time)
{
	/* covers: VPLAT-FFI-020 */
	struct vplat_reg r;
	struct vplat_reg_vm v[1];
	vplat_reg_init(&r, v, 1, 10 * MS, 0);
	vplat_reg_set_budget(&r, 0, 100);
	vplat_reg_update(&r, 0, 0, 0);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 100, 1 * MS), VPLAT_REG_THROTTLE);
	/* A larger budget mid-period releases at the next reading. */
	vplat_reg_set_budget(&r, 0, 200);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 100, 2 * MS), VPLAT_REG_RELEASE);
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), 100);
	/* A smaller one than already used throttles at once. */
	vplat_reg_set_budget(&r, 0, 50);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 100, 3 * MS), VPLAT_REG_THROTTLE);
	/* Removing the budget releases. */
	vplat_reg_set_budget(&r, 0, 0);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 100, 4 * MS), VPLAT_REG_RELEASE);
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), UINT64_MAX);
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&r, 0, &st);
	ck_assert_uint_eq(st.throttled_ns, 2 * MS);
}
END_TEST

START_TEST(counter_wrap_and_clock_edges)
{
	/* covers: VPLAT-FFI-024 */
	struct vplat_reg r;
	struct vplat_reg_vm v[1];
	vplat_reg_init(&r, v, 1, MS, UINT64_MAX - 3 * MS);
	vplat_reg_set_budget(&r, 0, 100);
	vplat_reg_update(&r, 0, UINT64_MAX - 9, UINT64_MAX - 3 * MS);
	/* 50 events across the wrap of the counter. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 40, UINT64_MAX - 3 * MS + 1), VPLAT_REG_NONE);
	ck_assert_uint_eq(vplat_reg_remaining(&r, 0), 50);
	/* Time going backwards: no new period. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 90, 5), VPLAT_REG_THROTTLE);
	ck_assert_int_eq(vplat_reg_update(&r, 0, 90, 6), VPLAT_REG_NONE);
	ck_assert(vplat_reg_throttled(&r, 0));
	/* The end of time: periods saturate instead of wrapping. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 90, UINT64_MAX), VPLAT_REG_RELEASE);
	ck_assert_uint_eq(vplat_reg_next_ns(&r), UINT64_MAX);
	/* A huge jump of the counter saturates the charge. */
	ck_assert_int_eq(vplat_reg_update(&r, 0, 89, UINT64_MAX), VPLAT_REG_THROTTLE);
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&r, 0, &st);
	ck_assert_uint_eq(st.events, UINT64_MAX);
}
END_TEST

/* A VM that causes `rate` events per microsecond while it runs, a poller every `poll` us and
 * a stop that takes effect `lat` us after the decision: over 1000 periods, the events per
 * period never exceed budget + rate * (poll + lat), and the VM gets at least its budget. */
static void closed_loop(uint64_t rate, uint64_t poll, uint64_t lat, uint64_t budget)
{
	struct vplat_reg r;
	struct vplat_reg_vm v[1];
	vplat_reg_init(&r, v, 1, MS, 0);
	vplat_reg_set_budget(&r, 0, budget);
	uint64_t count = 0, stop_at = UINT64_MAX, in_period = 0, worst = 0, least = UINT64_MAX;
	bool running = true;
	uint64_t period = 0;
	for (uint64_t t = 0; t < 1000 * MS; t += US) {
		if (t / MS != period) {
			if (in_period > worst)
				worst = in_period;
			if (in_period < least)
				least = in_period;
			in_period = 0;
			period = t / MS;
		}
		if (t >= stop_at) {
			running = false;
			stop_at = UINT64_MAX;
		}
		/* The reading at t counts the events of [0, t). */
		if (t % (poll * US) == 0) {
			int a = vplat_reg_update(&r, 0, count, t);
			if (a == VPLAT_REG_THROTTLE && lat == 0)
				running = false;
			else if (a == VPLAT_REG_THROTTLE)
				stop_at = t + lat * US;
			else if (a == VPLAT_REG_RELEASE) {
				running = true;
				stop_at = UINT64_MAX;
			} else {
				/* unchanged */
			}
		}
		if (running) {
			count += rate;
			in_period += rate;
		}
	}
	ck_assert_uint_le(worst, budget + rate * (poll + lat));
	ck_assert_uint_ge(least, budget);
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&r, 0, &st);
	ck_assert_uint_le(st.overshoot_max, rate * (poll + lat));
	ck_assert_uint_ge(st.periods_throttled, 990);
}

START_TEST(overshoot_bounded_by_reading_latency)
{
	/* covers: VPLAT-FFI-023 VPLAT-FFI-026 */
	closed_loop(10, 1, 0, 2000);
	closed_loop(10, 50, 20, 2000);
	closed_loop(3, 100, 100, 1000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("regulator");
	TCase *tc = tcase_create("regulator");
	tcase_add_test(tc, init_and_arguments);
	tcase_add_test(tc, throttle_at_budget_release_at_boundary);
	tcase_add_test(tc, late_reading_charged_to_ended_period);
	tcase_add_test(tc, vms_are_independent);
	tcase_add_test(tc, budget_changed_at_run_time);
	tcase_add_test(tc, counter_wrap_and_clock_edges);
	tcase_add_test(tc, overshoot_bounded_by_reading_latency);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
