/* SPDX-License-Identifier: BSD-3-Clause */
/* FEATURES_OK only in the initialization order: after ACKNOWLEDGE and DRIVER (spec/01-core.md 1.2). */
#include "../common/common.h"

#define S_ACK VPLAT_VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRV VPLAT_VIRTIO_STATUS_DRIVER
#define S_FOK VPLAT_VIRTIO_STATUS_FEATURES_OK

/* Negotiate a valid feature set, but write FEATURES_OK with only @p before set; true if it stuck. */
static bool fok_sticks(struct vplat_test_ctx *t, uint8_t before)
{
	vplat_val_reset(t->d);
	if (before)
		vplat_val_set_status(t->d, before);
	vplat_val_get_device_features(t->d);
	vplat_val_set_driver_features(t->d, F(VERSION_1) | dev_required_features(t));
	vplat_val_set_status(t->d, (uint8_t)(before | S_FOK));
	return status(t) & S_FOK;
}

static enum vplat_result fok_needs_ack_and_driver(struct vplat_test_ctx *t)
{
	/* The same feature set is accepted in the right order (so a refusal below is the order's). */
	VPLAT_T_CHECK_MSG(t, 1, fok_sticks(t, S_ACK | S_DRV), "FEATURES_OK accepted after ACKNOWLEDGE|DRIVER",
			  "a valid feature set was refused");
	VPLAT_T_CHECK_MSG(t, 2, !fok_sticks(t, S_DRV), "FEATURES_OK stays clear without ACKNOWLEDGE",
			  "FEATURES_OK accepted with DRIVER but no ACKNOWLEDGE");
	VPLAT_T_CHECK_MSG(t, 3, !fok_sticks(t, S_ACK), "FEATURES_OK stays clear without DRIVER",
			  "FEATURES_OK accepted with ACKNOWLEDGE but no DRIVER");
	VPLAT_T_CHECK_MSG(t, 4, !fok_sticks(t, 0), "FEATURES_OK stays clear as the first status write",
			  "FEATURES_OK accepted from status 0");
	/* A reset recovers: the full sequence works again. */
	VPLAT_T_CHECK_MSG(t, 5, fok_sticks(t, S_ACK | S_DRV), "accepted again after a reset",
			  "a valid feature set was refused after the out-of-order writes");
	return VPLAT_PASS;
}
VPLAT_TEST(core_features_ok_needs_ack_and_driver, "VPLAT-CORE-017", "sec:General Initialization And Device Operation / Device Initialization", 0, 0, "FEATURES_OK stays clear unless ACKNOWLEDGE and DRIVER were set first", fok_needs_ack_and_driver);
