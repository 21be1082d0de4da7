/* SPDX-License-Identifier: BSD-3-Clause */
/* Watchdog expiry and pre-timeout, watched by clock (spec/16-watchdog.md, 16.2 and 16.3). The
 * tests use a timeout of 1 to 2 seconds and SKIP where the device's minimum is larger. */
#include "watchdog_test.h"

#define CFGV(off) ((uint32_t)cfg(t, (off), 4))

/* Poll until @p bit is set in status or @p until_ms; returns the time seen, or 0. */
static uint64_t wait_bit(struct vplat_test_ctx *t, uint32_t bit, uint64_t until_ms)
{
	do {
		vplat_t_poll(t);
		if (CFGV(WDT_STATUS) & bit)
			return wdt_ms();
	} while (wdt_ms() < until_ms);
	return 0;
}

static enum vplat_result expiry(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, WF(TIMEOUT), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t mn = CFGV(WDT_MIN);
	if (mn > 2000)
		return vplat_t_skip(t, "min_timeout_ms %u: too long to watch", mn);
	wdt_w(t, WDT_TIMEOUT, mn);
	uint32_t used;
	uint64_t t0 = wdt_ms(); /* before the ping: the device's period starts later */
	VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	uint64_t seen = wait_bit(t, VPLAT_VIRTIO_WDT_S_EXPIRED, t0 + mn + 1500);
	VPLAT_T_CHECK_MSG(t, 2, seen != 0, "the watchdog expires", "no EXPIRED within %u ms",
			  mn + 1500);
	VPLAT_T_CHECK_MSG(t, 3, seen - t0 >= mn, "not before the timeout",
			  "EXPIRED after %llu ms, timeout %u ms", (unsigned long long)(seen - t0), mn);
	VPLAT_T_CHECK_MSG(t, 4, (CFGV(WDT_STATUS) & VPLAT_VIRTIO_WDT_S_ARMED) == 0,
			  "disarmed after the expiry", "status 0x%x", CFGV(WDT_STATUS));
	VPLAT_T_CHECK(t, 5, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	VPLAT_T_CHECK_MSG(t, 6, CFGV(WDT_STATUS) == VPLAT_VIRTIO_WDT_S_ARMED,
			  "the next ping arms and clears EXPIRED", "status 0x%x", CFGV(WDT_STATUS));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_expiry, "VPLAT-WDT-007 VPLAT-WDT-010 VPLAT-WDT-019", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "with the minimum timeout, EXPIRED comes no earlier than the timeout, disarms, and the next ping re-arms", expiry);

static enum vplat_result pings_keep_alive(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, WF(TIMEOUT), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t mn = CFGV(WDT_MIN);
	if (mn > 2000)
		return vplat_t_skip(t, "min_timeout_ms %u: too long to watch", mn);
	wdt_w(t, WDT_TIMEOUT, mn);
	uint32_t used;
	uint64_t end = wdt_ms() + mn * 2;
	while (wdt_ms() < end) {
		VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
		uint64_t next = wdt_ms() + mn / 4;
		while (wdt_ms() < next)
			vplat_t_poll(t);
		VPLAT_T_CHECK_MSG(t, 2, CFGV(WDT_STATUS) == VPLAT_VIRTIO_WDT_S_ARMED,
				  "pinging every quarter timeout: never expires", "status 0x%x",
				  CFGV(WDT_STATUS));
	}
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_pings_keep_alive, "VPLAT-WDT-005 VPLAT-WDT-007", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "a driver that pings every quarter of the timeout is never expired", pings_keep_alive);

static enum vplat_result pretimeout(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, WF(TIMEOUT) | WF(PRETIMEOUT), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t mn = CFGV(WDT_MIN);
	if (mn > 1000)
		return vplat_t_skip(t, "min_timeout_ms %u: too long to watch", mn);
	wdt_w(t, WDT_TIMEOUT, 2000);
	wdt_w(t, WDT_PRETIMEOUT, 1000);
	uint32_t gen = vplat_val_config_generation(t->d);
	uint32_t used;
	uint64_t t0 = wdt_ms();
	VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	uint64_t seen = wait_bit(t, VPLAT_VIRTIO_WDT_S_PRETIMEOUT, t0 + 1900);
	VPLAT_T_CHECK_MSG(t, 2, seen != 0, "PRETIMEOUT is set", "not within 1900 ms");
	VPLAT_T_CHECK_MSG(t, 3, seen - t0 >= 1000, "not before timeout - pretimeout",
			  "after %llu ms", (unsigned long long)(seen - t0));
	/* An emulated transport (vhost-user) has no generation counter the device moves. */
	VPLAT_T_CHECK_MSG(t, 4, t->dev->emulated || vplat_val_config_generation(t->d) != gen,
			  "a configuration change (generation moved)", "generation unchanged");
	VPLAT_T_CHECK(t, 5, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	VPLAT_T_CHECK_MSG(t, 6, CFGV(WDT_STATUS) == VPLAT_VIRTIO_WDT_S_ARMED,
			  "the next ping clears PRETIMEOUT", "status 0x%x", CFGV(WDT_STATUS));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_pretimeout_signal, "VPLAT-WDT-017", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "with timeout 2 s and pre-timeout 1 s, PRETIMEOUT comes after 1 s with a configuration change, and a ping clears it", pretimeout);
