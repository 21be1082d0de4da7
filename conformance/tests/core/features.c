/* SPDX-License-Identifier: BSD-3-Clause */
/* Feature negotiation (spec/01-core.md 1.2). */
#include "../common/common.h"

#define S_ACK VPLAT_VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRV VPLAT_VIRTIO_STATUS_DRIVER
#define S_FOK VPLAT_VIRTIO_STATUS_FEATURES_OK

/* Run the sequence up to FEATURES_OK with exactly @p f; return whether FEATURES_OK stuck. */
static bool try_features(struct vplat_test_ctx *t, uint64_t f)
{
	vplat_val_reset(t->d);
	vplat_val_set_status(t->d, S_ACK);
	vplat_val_set_status(t->d, S_ACK | S_DRV);
	vplat_val_get_device_features(t->d);
	vplat_val_set_driver_features(t->d, f);
	vplat_val_set_status(t->d, S_ACK | S_DRV | S_FOK);
	return status(t) & S_FOK;
}

static enum vplat_result version_1_offered(struct vplat_test_ctx *t)
{
	uint64_t f = vplat_val_get_device_features(t->d);
	VPLAT_T_CHECK_MSG(t, 1, f & F(VERSION_1), "VIRTIO_F_VERSION_1 (bit 32) offered",
			  "device features 0x%llx", (unsigned long long)f);
	return VPLAT_PASS;
}
VPLAT_TEST(core_version_1_offered, "VPLAT-CORE-016 VPLAT-PLAT-001", "devicenormative:Reserved Feature Bits", 0, 0, "the device offers VIRTIO_F_VERSION_1", version_1_offered);

static enum vplat_result unoffered_refused(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	/* Find a bit in the device-independent range the device does not offer. */
	static const unsigned candidates[] = {VPLAT_VIRTIO_F_ACCESS_PLATFORM, 44, 45, 46, 47, 48, 49,
					      VPLAT_VIRTIO_F_SR_IOV, 23, 22};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		uint64_t bit = VPLAT_BIT(candidates[i]);
		if (off & bit)
			continue;
		bool ok = try_features(t, (off & F(VERSION_1)) | bit);
		VPLAT_T_CHECK_MSG(t, 1, !ok, "FEATURES_OK stays clear",
				  "device accepted unoffered feature bit %u", candidates[i]);
		return VPLAT_PASS;
	}
	return vplat_t_skip(t, "the device offers every candidate bit");
}
VPLAT_TEST(core_unoffered_feature_refused, "VPLAT-CORE-013 VPLAT-CORE-012", "devicenormative:Basic Facilities of a Virtio Device / Feature Bits", 0, 0, "FEATURES_OK stays clear when the driver accepts a feature never offered", unoffered_refused);

static enum vplat_result no_version_1(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	bool ok = try_features(t, off & ~F(VERSION_1) & 0xffffffffu);
	VPLAT_T_CHECK_MSG(t, 1, !ok, "a non-transitional device refuses a driver without VERSION_1",
			  "FEATURES_OK accepted without VERSION_1 (legacy interface offered?)");
	return VPLAT_PASS;
}
VPLAT_TEST(core_no_version_1_refused, "VPLAT-PLAT-002", "devicenormative:Reserved Feature Bits", 0, 0, "FEATURES_OK stays clear when the driver does not accept VERSION_1", no_version_1);

static enum vplat_result valid_subsets(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	static const uint64_t ring_bits[] = {0, F(RING_PACKED), F(INDIRECT_DESC), F(EVENT_IDX),
					     F(INDIRECT_DESC) | F(EVENT_IDX) | F(RING_PACKED)};
	for (size_t i = 0; i < sizeof(ring_bits) / sizeof(ring_bits[0]); i++) {
		uint64_t f = F(VERSION_1) | (ring_bits[i] & off) | dev_required_features(t);
		VPLAT_T_CHECK_MSG(t, (int)i + 1, try_features(t, f), "FEATURES_OK accepted",
				  "valid subset 0x%llx refused", (unsigned long long)f);
	}
	/* Everything offered, twice (re-negotiation after reset). */
	VPLAT_T_CHECK_MSG(t, 10, try_features(t, off), "the whole offer is accepted",
			  "offer 0x%llx refused", (unsigned long long)off);
	VPLAT_T_CHECK_MSG(t, 11, try_features(t, off), "the same set is accepted again",
			  "re-negotiation of 0x%llx refused", (unsigned long long)off);
	return VPLAT_PASS;
}
VPLAT_TEST(core_valid_subsets_accepted, "VPLAT-CORE-011 VPLAT-CORE-015", "devicenormative:Basic Facilities of a Virtio Device / Feature Bits", 0, 0, "VERSION_1 with each ring feature subset, and the whole offer twice, are accepted", valid_subsets);

static enum vplat_result no_reserved_bits(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	/* Reserved for future use (44..49) and legacy-only bits (24, 27) are never offered by a
	 * non-transitional device; bit 30 is unused. */
	uint64_t reserved = (UINT64_C(0x3f) << 44) | VPLAT_BIT(24) | VPLAT_BIT(27) | VPLAT_BIT(30);
	VPLAT_T_CHECK_MSG(t, 1, !(off & reserved), "no reserved or legacy-only feature bit offered",
			  "offered 0x%llx", (unsigned long long)(off & reserved));
	if (t->dev->transport != VPLAT_VAL_PCI)
		VPLAT_T_CHECK_MSG(t, 2, !(off & (F(SR_IOV) | F(NOTIF_CONFIG_DATA))),
				  "no PCI-only feature outside virtio-pci", "offered 0x%llx",
				  (unsigned long long)(off & (F(SR_IOV) | F(NOTIF_CONFIG_DATA))));
	return VPLAT_PASS;
}
VPLAT_TEST(core_no_reserved_feature_bits, "VPLAT-CORE-014", "devicenormative:Basic Facilities of a Virtio Device / Feature Bits", 0, 0, "no reserved, legacy-only or transport-foreign feature bit is offered", no_reserved_bits);

static enum vplat_result feature_word_2(struct vplat_test_ctx *t)
{
	/* Words beyond 63 are read through the transport (MMIO: DeviceFeaturesSel 2; PCI:
	 * device_feature_select 2): expect 0 for a device that defines no such bits (all
	 * vplat-profile devices today). */
	uint64_t f = t->d->t->get_features(t->d, 2);
	if (t->dev->device_id == VPLAT_VIRTIO_ID_NET)
		return vplat_t_skip(t, "network devices may define feature bits 64 and up");
	VPLAT_T_CHECK_EQ(t, 1, f, 0, "feature word 2 reads 0");
	return VPLAT_PASS;
}
VPLAT_TEST(core_feature_word_2_zero, "VPLAT-MMIO-010", "sec:Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout", 0, 0, "device feature word 2 (bits 64..95) reads 0 for a device that defines none", feature_word_2);
