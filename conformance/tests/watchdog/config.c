/* SPDX-License-Identifier: BSD-3-Clause */
/* Watchdog configuration space and vplat features (spec/16-watchdog.md, 16.3 and 16.4). */
#include "watchdog_test.h"

#define CFGV(off) ((uint32_t)cfg(t, (off), 4))

static enum vplat_result pretimeout_needs_timeout(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	VPLAT_T_CHECK_MSG(t, 1, !(off & WF(PRETIMEOUT)) || (off & WF(TIMEOUT)),
			  "PRETIMEOUT offered only with TIMEOUT", "features 0x%llx",
			  (unsigned long long)off);
	if (!(off & WF(PRETIMEOUT)))
		return vplat_t_skip(t, "PRETIMEOUT not offered");
	VPLAT_T_CHECK(t, 2, vplat_val_reset(t->d) == 0);
	(void)vplat_val_negotiate(t->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | WF(PRETIMEOUT));
	VPLAT_T_CHECK_MSG(t, 3, !(status(t) & VPLAT_VIRTIO_STATUS_FEATURES_OK),
			  "FEATURES_OK refused for PRETIMEOUT without TIMEOUT", "status 0x%02x",
			  status(t));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_pretimeout_needs_timeout, "VPLAT-WDT-011", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "PRETIMEOUT is offered and accepted only together with TIMEOUT", pretimeout_needs_timeout);

static enum vplat_result defaults(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, 0, &vq);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_MSG(t, 1, CFGV(WDT_TIMEOUT) == 20000, "timeout_ms 20000 by default",
			  "timeout_ms %u", CFGV(WDT_TIMEOUT));
	VPLAT_T_CHECK_MSG(t, 2, CFGV(WDT_PRETIMEOUT) == 0 && CFGV(WDT_STATUS) == 0 &&
			  CFGV(WDT_CONTROL) == 0, "pretimeout_ms, status, control 0",
			  "%u, 0x%x, 0x%x", CFGV(WDT_PRETIMEOUT), CFGV(WDT_STATUS), CFGV(WDT_CONTROL));
	uint32_t mn = CFGV(WDT_MIN), mx = CFGV(WDT_MAX);
	VPLAT_T_CHECK_MSG(t, 3, mn >= 1000 && mn <= 20000 && mx >= 20000,
			  "1000 <= min_timeout_ms <= 20000 <= max_timeout_ms", "min %u, max %u", mn, mx);
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_config_defaults, "VPLAT-WDT-006 VPLAT-WDT-012 VPLAT-WDT-013", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "after a reset: timeout 20 s, no pre-timeout, status and control 0, sane limits", defaults);

static enum vplat_result timeout_write(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, WF(TIMEOUT), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t mn = CFGV(WDT_MIN), mx = CFGV(WDT_MAX);
	wdt_w(t, WDT_TIMEOUT, 20000);
	VPLAT_T_CHECK(t, 1, CFGV(WDT_TIMEOUT) == 20000);
	wdt_w(t, WDT_TIMEOUT, mn);
	VPLAT_T_CHECK_MSG(t, 2, CFGV(WDT_TIMEOUT) == mn, "the minimum is accepted", "%u for %u",
			  CFGV(WDT_TIMEOUT), mn);
	wdt_w(t, WDT_TIMEOUT, 0);
	VPLAT_T_CHECK_MSG(t, 3, CFGV(WDT_TIMEOUT) == mn, "0 is clamped to the minimum",
			  "%u (min %u)", CFGV(WDT_TIMEOUT), mn);
	wdt_w(t, WDT_TIMEOUT, UINT32_MAX);
	VPLAT_T_CHECK_MSG(t, 4, CFGV(WDT_TIMEOUT) == mx, "0xffffffff is clamped to the maximum",
			  "%u (max %u)", CFGV(WDT_TIMEOUT), mx);
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_timeout_write, "VPLAT-WDT-014", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "with TIMEOUT, timeout_ms takes the written value clamped to [min, max]", timeout_write);

static enum vplat_result unnegotiated(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, 0, &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t mn = CFGV(WDT_MIN), mx = CFGV(WDT_MAX);
	uint32_t used;
	VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	wdt_w(t, WDT_TIMEOUT, 5000);
	wdt_w(t, WDT_PRETIMEOUT, 1000);
	wdt_w(t, WDT_CONTROL, VPLAT_VIRTIO_WDT_C_DISARM);
	wdt_w(t, WDT_MIN, 1);
	wdt_w(t, WDT_MAX, 1);
	wdt_w(t, WDT_STATUS, 0);
	VPLAT_T_CHECK_MSG(t, 2, CFGV(WDT_TIMEOUT) == 20000 && CFGV(WDT_PRETIMEOUT) == 0,
			  "timeout and pre-timeout writes ignored", "timeout %u, pretimeout %u",
			  CFGV(WDT_TIMEOUT), CFGV(WDT_PRETIMEOUT));
	VPLAT_T_CHECK_MSG(t, 3, CFGV(WDT_MIN) == mn && CFGV(WDT_MAX) == mx,
			  "min and max never change", "min %u, max %u", CFGV(WDT_MIN), CFGV(WDT_MAX));
	VPLAT_T_CHECK_MSG(t, 4, CFGV(WDT_STATUS) == VPLAT_VIRTIO_WDT_S_ARMED,
			  "status write and DISARM ignored: still armed", "status 0x%x",
			  CFGV(WDT_STATUS));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_writes_ignored_unnegotiated, "VPLAT-WDT-009 VPLAT-WDT-015", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "without vplat features the driver cannot change the timeout, the pre-timeout, the limits or the status, nor disarm", unnegotiated);

static enum vplat_result pretimeout_write(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, WF(TIMEOUT) | WF(PRETIMEOUT), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t to = 20000;
	wdt_w(t, WDT_TIMEOUT, to);
	wdt_w(t, WDT_PRETIMEOUT, 1000);
	VPLAT_T_CHECK_MSG(t, 1, CFGV(WDT_PRETIMEOUT) == 1000, "pretimeout_ms takes 1000",
			  "reads %u", CFGV(WDT_PRETIMEOUT));
	wdt_w(t, WDT_PRETIMEOUT, to);
	VPLAT_T_CHECK_MSG(t, 2, CFGV(WDT_PRETIMEOUT) == 0, "pretimeout == timeout stored as 0",
			  "reads %u", CFGV(WDT_PRETIMEOUT));
	wdt_w(t, WDT_PRETIMEOUT, to + 1);
	VPLAT_T_CHECK_MSG(t, 3, CFGV(WDT_PRETIMEOUT) == 0, "pretimeout > timeout stored as 0",
			  "reads %u", CFGV(WDT_PRETIMEOUT));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_pretimeout_write, "VPLAT-WDT-016", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "with PRETIMEOUT, pretimeout_ms takes values below the timeout and stores others as 0", pretimeout_write);

static enum vplat_result disarm(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, WF(DISARM), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t used;
	VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	VPLAT_T_CHECK(t, 2, CFGV(WDT_STATUS) == VPLAT_VIRTIO_WDT_S_ARMED);
	wdt_w(t, WDT_CONTROL, VPLAT_VIRTIO_WDT_C_DISARM);
	VPLAT_T_CHECK_MSG(t, 3, (CFGV(WDT_STATUS) & VPLAT_VIRTIO_WDT_S_ARMED) == 0,
			  "DISARM clears ARMED", "status 0x%x", CFGV(WDT_STATUS));
	VPLAT_T_CHECK_MSG(t, 4, CFGV(WDT_CONTROL) == 0, "control reads 0", "reads 0x%x",
			  CFGV(WDT_CONTROL));
	VPLAT_T_CHECK(t, 5, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	VPLAT_T_CHECK_MSG(t, 6, CFGV(WDT_STATUS) == VPLAT_VIRTIO_WDT_S_ARMED,
			  "the next ping arms again", "status 0x%x", CFGV(WDT_STATUS));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_disarm, "VPLAT-WDT-018", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "with DISARM, control bit 0 disarms until the next ping", disarm);

static enum vplat_result reset_defaults(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, WF(TIMEOUT) | WF(PRETIMEOUT), &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t used;
	wdt_w(t, WDT_TIMEOUT, 30000);
	wdt_w(t, WDT_PRETIMEOUT, 1000);
	VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	VPLAT_T_CHECK(t, 2, vplat_val_reset(t->d) == 0);
	VPLAT_T_CHECK_MSG(t, 3, CFGV(WDT_TIMEOUT) == 20000 && CFGV(WDT_PRETIMEOUT) == 0 &&
			  CFGV(WDT_STATUS) == 0, "reset restores the defaults and disarms",
			  "timeout %u, pretimeout %u, status 0x%x", CFGV(WDT_TIMEOUT),
			  CFGV(WDT_PRETIMEOUT), CFGV(WDT_STATUS));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_reset_defaults, "VPLAT-WDT-020", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "a device reset disarms and restores timeout, pre-timeout and status", reset_defaults);
