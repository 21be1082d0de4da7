/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dispatch-budget checks shared by unit.test_workbound and unit.test_redispatch: after a kick
 * that a budget cut short, the rest is served by vplat_device_dispatch() calls, each within the
 * budget, without another kick.
 */
#ifndef VPLAT_DISPATCHFIX_H
#define VPLAT_DISPATCHFIX_H

#include "testutil.h"
#include "vplat/device.h"

/* Chains the device completed since the previous call (the test's own count of used entries). */
typedef unsigned (*dfix_served_fn)(void *ctx);

/*
 * Call vplat_device_dispatch(@p dev) until it returns something other than
 * VPLAT_DISPATCH_MORE. Checks that each call serves at most @p per_call chains (as counted by
 * @p served) and that at most @p max_calls calls are made. Returns the chains served in all.
 */
static inline unsigned dfix_dispatch_all(struct vplat_device *dev, dfix_served_fn served, void *ctx,
				       unsigned per_call, unsigned max_calls)
{
	unsigned total = 0, calls = 0;
	int rc;
	do {
		rc = vplat_device_dispatch(dev);
		ck_assert_int_ge(rc, 0);
		unsigned n = served(ctx);
		ck_assert_uint_le(n, per_call);
		total += n;
		ck_assert_uint_le(++calls, max_calls);
	} while (rc == VPLAT_DISPATCH_MORE);
	ck_assert(!vplat_device_has_more(dev));
	return total;
}

#endif
