/* SPDX-License-Identifier: BSD-3-Clause */
/* Device status state machine, feature negotiation, reset and config space. */
#include <string.h>
#include "ringfix.h"
#include "testutil.h"
#include "vplat/error.h"

#define ACK  VPLAT_VIRTIO_STATUS_ACKNOWLEDGE
#define DRV  VPLAT_VIRTIO_STATUS_DRIVER
#define FOK  VPLAT_VIRTIO_STATUS_FEATURES_OK
#define DOK  VPLAT_VIRTIO_STATUS_DRIVER_OK
#define V1   VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)

static unsigned resets, configs_written;
static uint8_t cfg[8];

static void dev_kick(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)dev;
	(void)vq;
}
static void dev_reset(struct vplat_device *dev)
{
	(void)dev;
	resets++;
}
static void dev_cfg_write(struct vplat_device *dev, uint32_t off, const void *d, uint32_t len)
{
	memcpy(dev->config + off, d, len);
	configs_written++;
}
static bool refuse_bit1_alone(struct vplat_device *dev, uint64_t f)
{
	(void)dev;
	return !(f & 2) || (f & 1);
}

/* Bit 2 depends on bit 0. */
static const struct vplat_feature_dep deps[] = {{2, 1u << 0}};
static const struct vplat_device_ops ops = {
	.name = "t",
	.device_id = 99,
	.features = 0x7,
	.deps = deps,
	.ndeps = 1,
	.validate_features = refuse_bit1_alone,
	.queue_notify = dev_kick,
	.reset = dev_reset,
	.config_write = dev_cfg_write,
};

static struct vplat_mem_region regs[1];
static struct vplat_mem mem;
static struct vplat_device dev;
static struct vplat_vq vqs[1];
static unsigned cfg_irqs;

static void on_used(struct vplat_device *d, struct vplat_vq *q)
{
	(void)d;
	(void)q;
}
static void on_config(struct vplat_device *d)
{
	(void)d;
	cfg_irqs++;
}
static const struct vplat_interrupt_ops nops = {on_used, on_config};

static void init(void)
{
	static uint8_t ram[4096];
	vplat_mem_init(&mem, regs, 1);
	vplat_mem_add(&mem, 0, sizeof(ram), ram);
	memset(cfg, 0x5a, sizeof(cfg));
	resets = configs_written = cfg_irqs = 0;
	ck_assert_int_eq(vplat_device_init(&dev, &ops, NULL, &mem, vqs, 1, 64, cfg, sizeof(cfg)), 0);
	vplat_device_attach(&dev, &nops, NULL);
}

/* Try to negotiate @p f; return whether FEATURES_OK stuck (the driver re-reads it). */
static bool negotiate(uint64_t f)
{
	vplat_device_set_status(&dev, 0);
	vplat_device_set_status(&dev, ACK);
	vplat_device_set_status(&dev, ACK | DRV);
	vplat_device_set_driver_features(&dev, 0, (uint32_t)f);
	vplat_device_set_driver_features(&dev, 1, (uint32_t)(f >> 32));
	vplat_device_set_status(&dev, ACK | DRV | FOK);
	return vplat_device_get_status(&dev) & FOK;
}

START_TEST(offer_includes_core_features)
{
	init();
	uint64_t offer = (uint64_t)vplat_device_get_features(&dev, 1) << 32 |
			 vplat_device_get_features(&dev, 0);
	ck_assert_uint_eq(offer, 0x7 | VPLAT_CORE_FEATURES);
	ck_assert_uint_eq(vplat_device_get_features(&dev, 2), 0);
	ck_assert_uint_eq(vplat_device_get_features(&dev, 0xffffffffu), 0);
}
END_TEST

START_TEST(version_1_required)
{
	/* sec: Feature Bits / Legacy -- vplat is not a legacy device: no VERSION_1, no FEATURES_OK */
	init();
	ck_assert(!negotiate(0));
	ck_assert(negotiate(V1));
}
END_TEST

START_TEST(unoffered_feature_refused)
{
	init();
	ck_assert(!negotiate(V1 | (1u << 5)));
	ck_assert(!negotiate(V1 | VPLAT_BIT(63)));
	ck_assert(!negotiate(V1 | VPLAT_BIT(VPLAT_VIRTIO_F_ACCESS_PLATFORM)));
}
END_TEST

START_TEST(dependency_enforced)
{
	init();
	ck_assert(!negotiate(V1 | (1u << 2)));          /* bit 2 without bit 0 */
	ck_assert(negotiate(V1 | (1u << 2) | (1u << 0)));
	ck_assert(!negotiate(V1 | (1u << 1)));          /* model's own rule */
	ck_assert(negotiate(V1 | (1u << 1) | (1u << 0)));
}
END_TEST

START_TEST(offer_must_respect_dependencies)
{
	/* "The device MUST NOT offer a feature which requires another feature which was not
	 * offered." */
	init();
	ck_assert_int_eq(vplat_device_set_offer(&dev, V1 | (1u << 2)), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_set_offer(&dev, V1 | (1u << 3)), VPLAT_EINVAL); /* unknown */
	ck_assert_int_eq(vplat_device_set_offer(&dev, V1 | VPLAT_BIT(VPLAT_VIRTIO_F_SR_IOV)),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_set_offer(&dev, V1 | 1u), 0);
	ck_assert(!negotiate(V1 | (1u << 1) | (1u << 0)));
	static const struct vplat_device_ops bad = {
		.name = "bad", .device_id = 1, .features = 1u << 2, .deps = deps, .ndeps = 1,
		.queue_notify = dev_kick};
	struct vplat_device d2;
	ck_assert_int_eq(vplat_device_init(&d2, &bad, NULL, &mem, vqs, 1, 64, NULL, 0),
			 VPLAT_EINVAL);
}
END_TEST

/* The embedding program's mistakes are refused, not trusted (each check removed fails here). */
START_TEST(host_api_arguments_refused)
{
	struct vplat_device d2;
	struct vplat_vq q2[1];
	static const struct vplat_device_ops no_notify = {.name = "n", .device_id = 1};
	static const struct vplat_device_ops no_id = {.name = "z", .queue_notify = dev_kick};
	static const struct vplat_device_ops core_bits = {
		.name = "c", .device_id = 1, .features = VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED),
		.queue_notify = dev_kick};

	init();
	ck_assert_int_eq(vplat_device_init(NULL, &ops, NULL, &mem, q2, 1, 64, cfg, 8), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, NULL, NULL, &mem, q2, 1, 64, cfg, 8), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, &no_notify, NULL, &mem, q2, 1, 64, NULL, 0),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, &no_id, NULL, &mem, q2, 1, 64, NULL, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, &ops, NULL, NULL, q2, 1, 64, cfg, 8), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, &ops, NULL, &mem, NULL, 1, 64, cfg, 8), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, &ops, NULL, &mem, q2, 1, 0, cfg, 8), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, &ops, NULL, &mem, q2, 1, VPLAT_VIRTQ_MAX_SIZE + 1u,
					   cfg, 8), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_init(&d2, &ops, NULL, &mem, q2, 1, 64, NULL, 8), VPLAT_EINVAL);
	/* A model may not claim the core's transport-level feature bits. */
	ck_assert_int_eq(vplat_device_init(&d2, &core_bits, NULL, &mem, q2, 1, 64, NULL, 0),
			 VPLAT_EINVAL);
	/* The offer and queue limits are fixed once the driver started (status != 0). */
	vplat_device_set_status(&dev, ACK);
	ck_assert_int_eq(vplat_device_set_offer(&dev, V1 | 1u), VPLAT_EPERM);
	ck_assert_int_eq(vplat_device_set_queue_max(&dev, 0, 16), VPLAT_EINVAL);
	vplat_device_set_status(&dev, 0);
	ck_assert_int_eq(vplat_device_set_queue_max(&dev, 1, 16), VPLAT_EINVAL); /* no queue 1 */
	ck_assert_int_eq(vplat_device_set_queue_max(&dev, 0, VPLAT_VIRTQ_MAX_SIZE + 1u), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_set_queue_max(&dev, 0, 16), 0);
	/* Queues that do not exist: enable refused, reset and kick ignored. */
	ck_assert_int_eq(vplat_device_queue_enable(&dev, 1), VPLAT_ENOENT);
	vplat_device_queue_reset(&dev, 1);
	vplat_device_kick(&dev, 1, 0);
	ck_assert_int_eq(vplat_device_queue_set_base(&dev, 1, 0, 0), VPLAT_ENOENT);
	/* A packed ring's base (vhost-user SET_VRING_BASE): wrap counter in bit 15, index checked. */
	ck_assert(negotiate(V1 | VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED)));
	ck_assert_int_eq(vplat_device_queue_set_base(&dev, 0, 0x8000u | 3u, 5u), 0);
	ck_assert_uint_eq(vqs[0].last_avail, 3);
	ck_assert(vqs[0].avail_wrap);
	ck_assert_uint_eq(vqs[0].used_idx, 5);
	ck_assert(!vqs[0].used_wrap);
	ck_assert_int_eq(vplat_device_queue_set_base(&dev, 0, vqs[0].size, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_device_queue_set_base(&dev, 0, 0, 0x8000u | vqs[0].size), VPLAT_EINVAL);
	vplat_device_set_status(&dev, 0);
	/* The driver's feature words: only words 0 and 1, and frozen from FEATURES_OK on. */
	ck_assert(negotiate(V1 | 1u));
	vplat_device_set_driver_features(&dev, 0, 0xffffffffu);
	vplat_device_set_driver_features64(&dev, ~(uint64_t)0);
	ck_assert_uint_eq(dev.driver_features, V1 | 1u);
	vplat_device_set_status(&dev, 0);
	vplat_device_set_driver_features(&dev, 2, 0xffffffffu);
	ck_assert_uint_eq(dev.driver_features, 0);
}
END_TEST

START_TEST(features_frozen_after_features_ok)
{
	init();
	ck_assert(negotiate(V1 | 1u));
	vplat_device_set_driver_features(&dev, 0, 0x3);
	ck_assert_uint_eq(dev.features, V1 | 1u);
	ck_assert(vplat_device_has_feature(&dev, 0));
	ck_assert(!vplat_device_has_feature(&dev, 1));
	ck_assert(!vplat_device_has_feature(&dev, 200));
}
END_TEST

START_TEST(reset_returns_defaults)
{
	/* sec: Device Reset -- status 0, queues and features back to defaults. */
	init();
	ck_assert(negotiate(V1 | 1u));
	vqs[0].size = 16;
	vqs[0].desc_addr = 0;
	vqs[0].driver_addr = 0x400;
	vqs[0].device_addr = 0x800;
	ck_assert_int_eq(vplat_device_queue_enable(&dev, 0), 0);
	ck_assert_int_eq(vplat_device_set_status(&dev, ACK | DRV | FOK | DOK), 0);
	ck_assert(vplat_device_is_live(&dev));
	unsigned before = resets;
	vplat_device_set_status(&dev, 0);
	ck_assert_uint_eq(vplat_device_get_status(&dev), 0);
	ck_assert_uint_eq(dev.features, 0);
	ck_assert_uint_eq(dev.driver_features, 0);
	ck_assert(!vqs[0].enabled);
	ck_assert_uint_eq(vqs[0].size, 64);
	ck_assert_uint_eq(vqs[0].driver_addr, 0);
	ck_assert_uint_eq(resets, before + 1);
}
END_TEST

/* DRIVER_OK restarts the queues a broken device stopped, and reports one it cannot start. */
START_TEST(driver_ok_reports_unstartable_queue)
{
	init();
	ck_assert(negotiate(V1 | 1u));
	vqs[0].size = 16;
	vqs[0].desc_addr = 0;
	vqs[0].driver_addr = 0x400;
	vqs[0].device_addr = 0x800;
	ck_assert_int_eq(vplat_device_queue_enable(&dev, 0), 0);
	/* A cleared bit breaks the device (NEEDS_RESET) and stops its queues. */
	ck_assert_int_eq(vplat_device_set_status(&dev, ACK | DRV), VPLAT_EPROTO);
	ck_assert(!vqs[0].live);
	/* The ring's memory is gone: DRIVER_OK cannot start the queue, and says so. */
	ck_assert_int_eq(vplat_mem_remove(&mem, 0, 4096), 0);
	ck_assert_int_eq(vplat_device_set_status(&dev, ACK | DRV | FOK | DOK), VPLAT_EPROTO);
	ck_assert(!vqs[0].live);
	ck_assert(!vplat_device_is_live(&dev));
}
END_TEST

START_TEST(failed_stops_device)
{
	init();
	ck_assert(negotiate(V1));
	vplat_device_set_status(&dev, ACK | DRV | FOK | VPLAT_VIRTIO_STATUS_FAILED);
	ck_assert(!vplat_device_is_live(&dev));
	vplat_device_set_status(&dev, ACK | DRV | FOK | DOK | VPLAT_VIRTIO_STATUS_FAILED);
	ck_assert(!vplat_device_is_live(&dev));
}
END_TEST

START_TEST(needs_reset_with_config_interrupt)
{
	/* sec: Device Status Field -- NEEDS_RESET while DRIVER_OK MUST come with a config change
	 * notification; before DRIVER_OK there is nobody to tell. */
	init();
	ck_assert(negotiate(V1));
	vplat_device_needs_reset(&dev, VPLAT_EIO);
	ck_assert_uint_eq(cfg_irqs, 0);
	ck_assert(negotiate(V1));
	ck_assert_int_eq(vplat_device_set_status(&dev, ACK | DRV | FOK | DOK), 0);
	uint32_t gen = dev.config_generation;
	vplat_device_needs_reset(&dev, VPLAT_EIO);
	ck_assert_uint_eq(cfg_irqs, 1);
	ck_assert_uint_ne(dev.config_generation, gen);
	ck_assert(vplat_device_get_status(&dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	vplat_device_needs_reset(&dev, VPLAT_EIO); /* once is enough */
	ck_assert_uint_eq(cfg_irqs, 1);
	/* The driver writing the status back (with NEEDS_RESET clear) is not "clearing" it. */
	ck_assert_int_eq(vplat_device_set_status(&dev, ACK | DRV | FOK | DOK), 0);
}
END_TEST

START_TEST(config_reads_bounded)
{
	init();
	uint8_t b[8];
	vplat_device_config_read(&dev, 4, b, 4);
	ck_assert_uint_eq(b[0], 0x5a);
	memset(b, 0xff, sizeof(b));
	vplat_device_config_read(&dev, 6, b, 4); /* crosses the end: zeroes, no overread */
	ck_assert_uint_eq(b[0], 0);
	vplat_device_config_read(&dev, 0xfffffffc, b, 8);
	ck_assert_uint_eq(b[3], 0);
}
END_TEST

START_TEST(config_writes_bounded_and_timed)
{
	init();
	/* config space is bytes (little-endian fields): not a host-order uint32 (big-endian hosts) */
	const uint8_t v[4] = {0x44, 0x33, 0x22, 0x11};
	vplat_device_set_status(&dev, ACK | DRV); /* negotiating: the driver MUST NOT write */
	vplat_device_config_write(&dev, 0, v, 4);
	ck_assert_uint_eq(configs_written, 0);
	ck_assert(negotiate(V1));
	vplat_device_config_write(&dev, 6, v, 4); /* crosses the end */
	vplat_device_config_write(&dev, 0xfffffffe, v, 4);
	ck_assert_uint_eq(configs_written, 0);
	vplat_device_config_write(&dev, 4, v, 4);
	ck_assert_uint_eq(configs_written, 1);
	ck_assert_uint_eq(cfg[4], 0x44);
}
END_TEST

START_TEST(config_write_early_passes)
{
	/* A device that opts in (console emerg_wr) sees writes made during negotiation. */
	static struct vplat_device_ops early;
	early = ops;
	early.config_write_early = true;
	static struct vplat_device d2;
	static struct vplat_vq q2[1];
	uint32_t v = 0x41;
	init();
	ck_assert_int_eq(vplat_device_init(&d2, &early, NULL, &mem, q2, 1, 64, cfg, sizeof(cfg)), 0);
	vplat_device_set_status(&d2, ACK | DRV);
	vplat_device_config_write(&d2, 4, &v, 4);
	ck_assert_uint_eq(configs_written, 1);
}
END_TEST

START_TEST(config_generation_changes)
{
	init();
	uint32_t g = dev.config_generation;
	vplat_device_config_changed(&dev);
	ck_assert_uint_ne(dev.config_generation, g);
	ck_assert_uint_eq(cfg_irqs, 0); /* no DRIVER_OK yet */
	ck_assert(negotiate(V1));
	vplat_device_set_status(&dev, ACK | DRV | FOK | DOK);
	vplat_device_config_changed(&dev);
	ck_assert_uint_eq(cfg_irqs, 1);
}
END_TEST

START_TEST(features_ok_needs_driver)
{
	init();
	vplat_device_set_status(&dev, ACK);
	vplat_device_set_driver_features64(&dev, V1);
	vplat_device_set_status(&dev, ACK | FOK); /* skipped DRIVER */
	ck_assert(!(vplat_device_get_status(&dev) & FOK));
	vplat_device_set_status(&dev, 0);
	vplat_device_set_status(&dev, DRV);
	vplat_device_set_driver_features64(&dev, V1);
	vplat_device_set_status(&dev, DRV | FOK); /* skipped ACKNOWLEDGE */
	ck_assert(!(vplat_device_get_status(&dev) & FOK));
}
END_TEST

START_TEST(strerror_table)
{
	ck_assert_str_eq(vplat_strerror(0), "success");
	ck_assert_str_eq(vplat_strerror(VPLAT_EPROTO), "protocol violation by the peer");
	ck_assert_str_eq(vplat_strerror(-9999), "unknown error");
	ck_assert_int_eq(VPLAT_EINVAL, -22); /* fixed values, equal to -errno on Linux */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc = tcase_create("device");
	tcase_add_test(tc, offer_includes_core_features);
	tcase_add_test(tc, version_1_required);
	tcase_add_test(tc, unoffered_feature_refused);
	tcase_add_test(tc, dependency_enforced);
	tcase_add_test(tc, offer_must_respect_dependencies);
	tcase_add_test(tc, features_frozen_after_features_ok);
	tcase_add_test(tc, reset_returns_defaults);
	tcase_add_test(tc, failed_stops_device);
	tcase_add_test(tc, needs_reset_with_config_interrupt);
	tcase_add_test(tc, config_reads_bounded);
	tcase_add_test(tc, config_writes_bounded_and_timed);
	tcase_add_test(tc, config_write_early_passes);
	tcase_add_test(tc, config_generation_changes);
	tcase_add_test(tc, features_ok_needs_driver);
	tcase_add_test(tc, strerror_table);
	tcase_add_test(tc, host_api_arguments_refused);
	tcase_add_test(tc, driver_ok_reports_unstartable_queue);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
