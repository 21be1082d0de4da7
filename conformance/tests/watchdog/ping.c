/* SPDX-License-Identifier: BSD-3-Clause */
/* Watchdog pings (spec/16-watchdog.md, 16.1 and 16.2). */
#include "watchdog_test.h"

static enum vplat_result shape(struct vplat_test_ctx *t)
{
	VPLAT_T_CHECK_MSG(t, 1, vplat_val_queue_max(t->d, 0) != 0, "queue 0 (pingq) exists",
			  "queue 0 has size 0");
	VPLAT_T_CHECK_MSG(t, 2, vplat_val_queue_max(t->d, 1) == 0, "no queue 1",
			  "queue 1 has size %u", vplat_val_queue_max(t->d, 1));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_one_queue, "VPLAT-WDT-001", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "the watchdog has exactly one virtqueue, the pingq", shape);

static enum vplat_result ping_writes_one(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, 0, &vq);
	if (r != VPLAT_PASS)
		return r;
	static const uint32_t sizes[] = {1, 4, 64};
	for (unsigned n = 0; n < 12; n++) { /* more than the queue size: the ring wraps */
		uint32_t used = 0;
		uint8_t b = 0;
		uint32_t len = sizes[n % 3];
		VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 0, 1, len, &used, &b) == 0);
		VPLAT_T_CHECK_MSG(t, 2, b == 1, "the device writes 1", "byte 0x%02x in a %u-byte ping",
				  b, len);
		VPLAT_T_CHECK_MSG(t, 3, used == 1, "used length 1", "used length %u for %u bytes",
				  used, len);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_ping_writes_one, "VPLAT-WDT-002 VPLAT-WDT-004", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "each writable ping buffer gets the byte 1 and comes back, in order, with used length 1", ping_writes_one);

static enum vplat_result not_pings(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, 0, &vq);
	if (r != VPLAT_PASS)
		return r;
	uint32_t used = 99;
	uint8_t b = 0;
	VPLAT_T_CHECK(t, 1, wdt_post(t, vq, 1, 0, 4, &used, &b) == 0);
	VPLAT_T_CHECK_MSG(t, 2, used == 0, "read-only buffer: used length 0", "used %u", used);
	VPLAT_T_CHECK(t, 3, wdt_post(t, vq, 0, 1, 0, &used, NULL) == 0);
	VPLAT_T_CHECK_MSG(t, 4, used == 0, "zero-length buffer: used length 0", "used %u", used);
	VPLAT_T_CHECK(t, 5, wdt_post(t, vq, 1, 1, 1, &used, &b) == 0);
	VPLAT_T_CHECK_MSG(t, 6, used == 0 && b == 0xee, "readable + writable: used 0, unwritten",
			  "used %u, byte 0x%02x", used, b);
	VPLAT_T_CHECK_MSG(t, 7, (cfg(t, WDT_STATUS, 4) & VPLAT_VIRTIO_WDT_S_ARMED) == 0,
			  "not pings: the watchdog stays disarmed", "status 0x%llx",
			  (unsigned long long)cfg(t, WDT_STATUS, 4));
	VPLAT_T_CHECK(t, 8, !(status(t) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	VPLAT_T_CHECK(t, 9, wdt_post(t, vq, 0, 1, 1, &used, &b) == 0 && used == 1 && b == 1);
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_not_a_ping, "VPLAT-WDT-003", "", VPLAT_VIRTIO_ID_WATCHDOG, VPLAT_TF_EXERCISER, "read-only, zero-length and mixed chains are used with length 0, unwritten, do not arm, and the queue goes on", not_pings);

static enum vplat_result first_ping_arms(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = wdt_up(t, 0, &vq);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_MSG(t, 1, cfg(t, WDT_STATUS, 4) == 0, "status 0 before the first ping",
			  "status 0x%llx", (unsigned long long)cfg(t, WDT_STATUS, 4));
	uint32_t used;
	VPLAT_T_CHECK(t, 2, wdt_post(t, vq, 0, 1, 1, &used, NULL) == 0);
	VPLAT_T_CHECK_MSG(t, 3, cfg(t, WDT_STATUS, 4) == VPLAT_VIRTIO_WDT_S_ARMED,
			  "status ARMED after the first ping", "status 0x%llx",
			  (unsigned long long)cfg(t, WDT_STATUS, 4));
	return VPLAT_PASS;
}
VPLAT_TEST(wdt_first_ping_arms, "VPLAT-WDT-005", "", VPLAT_VIRTIO_ID_WATCHDOG, 0, "the watchdog is disarmed after a reset and the first ping arms it", first_ping_arms);
