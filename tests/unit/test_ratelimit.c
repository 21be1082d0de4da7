/* SPDX-License-Identifier: BSD-3-Clause */
/* Token-bucket rate limiter (vplat/ratelimit.h) with an injected clock: no sleeps. */
#include <stdint.h>
#include "testutil.h"
#include "vplat/error.h"
#include "vplat/ratelimit.h"

#define MS UINT64_C(1000000)
#define SEC UINT64_C(1000000000)

START_TEST(unlimited_by_default)
{
	struct vplat_ratelimit rl;
	ck_assert_int_eq(vplat_ratelimit_init(&rl, 5), 0);
	ck_assert(!vplat_ratelimit_active(&rl));
	for (int i = 0; i < 100000; i++)
		ck_assert(vplat_ratelimit_consume(&rl, 1, 1u << 20, 5));
	ck_assert_uint_eq(vplat_ratelimit_wait_ns(&rl, 1000, UINT64_MAX, 5), 0);
	ck_assert_int_eq(vplat_ratelimit_init(NULL, 0), VPLAT_EINVAL);
}
END_TEST

START_TEST(iops_rate_and_burst)
{
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, 0);
	struct vplat_ratelimit_config c = {.ops_rate = 1000, .ops_burst = 10};
	ck_assert_int_eq(vplat_ratelimit_set(&rl, &c, 0), 0);
	ck_assert(vplat_ratelimit_active(&rl));
	/* A full bucket: the burst goes through at once, then one more is refused. */
	for (int i = 0; i < 10; i++)
		ck_assert(vplat_ratelimit_consume(&rl, 1, 0, 0));
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 0, 0));
	ck_assert_uint_eq(vplat_ratelimit_wait_ns(&rl, 1, 0, 0), 1 * MS);
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 0, MS - 1));
	ck_assert(vplat_ratelimit_consume(&rl, 1, 0, MS));
	/* Sustained: over 10 simulated seconds in 100 us steps, about 1000/s pass. */
	uint64_t ok = 0;
	for (uint64_t t = MS; t <= 10 * SEC + MS; t += 100000)
		while (vplat_ratelimit_consume(&rl, 1, 0, t))
			ok++;
	ck_assert_uint_ge(ok, 9999);
	ck_assert_uint_le(ok, 10001);
	ck_assert_uint_ge(rl.stats.throttled, 1);
}
END_TEST

START_TEST(bytes_fraction_carried)
{
	/* 3 bytes/s: sub-token time must not be lost between frequent refills. */
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, 0);
	struct vplat_ratelimit_config c = {.bytes_rate = 3, .bytes_burst = 100};
	vplat_ratelimit_set(&rl, &c, 0);
	ck_assert(vplat_ratelimit_consume(&rl, 1, 100, 0));
	for (uint64_t t = 1; t <= 3 * SEC + 7 * MS; t += 7 * MS + 3)
		ck_assert(vplat_ratelimit_consume(&rl, 0, 0, t)); /* refill only */
	ck_assert_int_eq(rl.bytes.tokens, 9);
	ck_assert(vplat_ratelimit_consume(&rl, 1, 9, 3 * SEC + 7 * MS));
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 1, 3 * SEC + 7 * MS));
}
END_TEST

START_TEST(both_buckets_all_or_nothing)
{
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, 0);
	struct vplat_ratelimit_config c = {.ops_rate = 100, .ops_burst = 100,
					   .bytes_rate = 4096, .bytes_burst = 4096};
	vplat_ratelimit_set(&rl, &c, 0);
	ck_assert(vplat_ratelimit_consume(&rl, 1, 4096, 0));
	/* Bytes empty: refused, and the ops bucket must not have been charged. */
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 1, 0));
	ck_assert_int_eq(rl.ops.tokens, 99);
	ck_assert_uint_eq(vplat_ratelimit_wait_ns(&rl, 1, 4096, 0), SEC);
	ck_assert(vplat_ratelimit_consume(&rl, 1, 4096, SEC));
}
END_TEST

START_TEST(over_burst_request_not_starved)
{
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, 0);
	struct vplat_ratelimit_config c = {.bytes_rate = 1000, .bytes_burst = 100};
	vplat_ratelimit_set(&rl, &c, 0);
	ck_assert(vplat_ratelimit_consume(&rl, 1, 1000, 0)); /* full bucket: allowed, debt 900 */
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 1, 0));
	/* Debt of 900 plus one byte. */
	ck_assert_uint_eq(vplat_ratelimit_wait_ns(&rl, 0, 1, 0), 901 * MS);
	ck_assert(!vplat_ratelimit_consume(&rl, 0, 1000, 500 * MS));
	uint64_t w = vplat_ratelimit_wait_ns(&rl, 0, 1000, 500 * MS);
	ck_assert_uint_eq(w, 500 * MS); /* until full again */
	ck_assert(vplat_ratelimit_consume(&rl, 0, 1000, SEC));
	/* Huge request: debt is clamped, no overflow. */
	vplat_ratelimit_set(&rl, &c, 100 * SEC);
	ck_assert(vplat_ratelimit_consume(&rl, 0, UINT64_MAX, 100 * SEC));
	ck_assert_int_lt(rl.bytes.tokens, 0);
	ck_assert_uint_gt(vplat_ratelimit_wait_ns(&rl, 0, 1, 100 * SEC), 0);
}
END_TEST

START_TEST(reconfigure_at_run_time)
{
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, 0);
	struct vplat_ratelimit_config c = {.ops_rate = 10, .ops_burst = 2};
	vplat_ratelimit_set(&rl, &c, 0);
	ck_assert(vplat_ratelimit_consume(&rl, 2, 0, 0));
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 0, 0));
	/* Raise the limit: new rate starts with a full bucket. */
	c.ops_rate = 1000;
	c.ops_burst = 0; /* one second's worth */
	ck_assert_int_eq(vplat_ratelimit_set(&rl, &c, 0), 0);
	struct vplat_ratelimit_config g;
	vplat_ratelimit_get(&rl, &g);
	ck_assert_uint_eq(g.ops_burst, 1000);
	ck_assert(vplat_ratelimit_consume(&rl, 1000, 0, 0));
	/* Lift the limit entirely. */
	struct vplat_ratelimit_config none = {0};
	vplat_ratelimit_set(&rl, &none, 0);
	ck_assert(!vplat_ratelimit_active(&rl));
	ck_assert(vplat_ratelimit_consume(&rl, 1000000, 0, 0));
	/* Out of range refused, nothing changed. */
	struct vplat_ratelimit_config bad = {.bytes_rate = VPLAT_RATELIMIT_MAX_RATE + 1};
	ck_assert_int_eq(vplat_ratelimit_set(&rl, &bad, 0), VPLAT_ERANGE);
	ck_assert(!vplat_ratelimit_active(&rl));
	ck_assert_int_eq(vplat_ratelimit_set(&rl, NULL, 0), VPLAT_EINVAL);
}
END_TEST

START_TEST(clock_edge_cases)
{
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, UINT64_MAX - SEC);
	struct vplat_ratelimit_config c = {.ops_rate = VPLAT_RATELIMIT_MAX_RATE,
					   .bytes_rate = VPLAT_RATELIMIT_MAX_RATE};
	vplat_ratelimit_set(&rl, &c, UINT64_MAX - SEC);
	ck_assert(vplat_ratelimit_consume(&rl, VPLAT_RATELIMIT_MAX_RATE, 1, UINT64_MAX - SEC));
	/* Backwards time: no refill, no crash. */
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 0, 0));
	/* Huge forward jump: bucket full, no overflow. */
	ck_assert(vplat_ratelimit_consume(&rl, VPLAT_RATELIMIT_MAX_RATE, 0, UINT64_MAX));
	/* Slow rate, long wait: exact. */
	struct vplat_ratelimit r2;
	vplat_ratelimit_init(&r2, 0);
	struct vplat_ratelimit_config s = {.ops_rate = 1, .ops_burst = 1};
	vplat_ratelimit_set(&r2, &s, 0);
	ck_assert(vplat_ratelimit_consume(&r2, 1, 0, 0));
	ck_assert_uint_eq(vplat_ratelimit_wait_ns(&r2, 1, 0, 0), SEC);
}
END_TEST

START_TEST(refill_after_decades_fills_bucket)
{
	/* At the largest rate, 2^30 s of elapsed time is 2^64 tokens: the refill must not wrap
	 * around to almost nothing; a bucket idle that long is simply full. */
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, 0);
	struct vplat_ratelimit_config c = {.ops_rate = VPLAT_RATELIMIT_MAX_RATE, .ops_burst = 1000};
	ck_assert_int_eq(vplat_ratelimit_set(&rl, &c, 0), 0);
	ck_assert(vplat_ratelimit_consume(&rl, 1000, 0, 0));
	ck_assert(!vplat_ratelimit_consume(&rl, 1, 0, 0));
	const uint64_t t = (UINT64_C(1) << 30) * SEC; /* about 34 years */
	ck_assert(vplat_ratelimit_consume(&rl, 1000, 0, t));
	ck_assert_int_eq(rl.ops.tokens, 0);
}
END_TEST

START_TEST(unlimited_bucket_never_charged)
{
	/* A bucket with rate 0 is unlimited: requests of any size do not take its tokens (no
	 * debt), and time passing does not refill it (its burst may be set: no division by the
	 * zero rate). */
	struct vplat_ratelimit rl;
	vplat_ratelimit_init(&rl, 0);
	struct vplat_ratelimit_config c = {.ops_rate = 10, .ops_burst = 10, .bytes_burst = 100};
	ck_assert_int_eq(vplat_ratelimit_set(&rl, &c, 0), 0);
	const int64_t tokens = rl.bytes.tokens;
	ck_assert(vplat_ratelimit_consume(&rl, 1, 50, 0));
	ck_assert(vplat_ratelimit_consume(&rl, 1, (uint64_t)INT64_MAX, 0));
	ck_assert(vplat_ratelimit_consume(&rl, 1, UINT64_MAX, 0));
	ck_assert_int_eq(rl.bytes.tokens, tokens);
	ck_assert_int_eq(rl.ops.tokens, 7);
	ck_assert(vplat_ratelimit_consume(&rl, 1, 1, 5 * SEC));
	ck_assert_int_eq(rl.bytes.tokens, tokens);
	ck_assert_int_eq(rl.ops.tokens, 9); /* the limited bucket refilled meanwhile */
	ck_assert_uint_eq(vplat_ratelimit_wait_ns(&rl, 0, UINT64_MAX, 6 * SEC), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");
	tcase_add_test(tc, unlimited_by_default);
	tcase_add_test(tc, iops_rate_and_burst);
	tcase_add_test(tc, bytes_fraction_carried);
	tcase_add_test(tc, both_buckets_all_or_nothing);
	tcase_add_test(tc, over_burst_request_not_starved);
	tcase_add_test(tc, reconfigure_at_run_time);
	tcase_add_test(tc, clock_edge_cases);
	tcase_add_test(tc, refill_after_decades_fills_bucket);
	tcase_add_test(tc, unlimited_bucket_never_charged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
