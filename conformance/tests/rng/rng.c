/* SPDX-License-Identifier: BSD-3-Clause */
/* Entropy device (spec/10-entropy.md). */
#include "../common/common.h"

static enum vplat_result fills(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	static const uint32_t sizes[] = {1, 7, 64, 4096};
	uint8_t *prev = NULL;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t gpa;
		uint8_t *b = vplat_val_alloc(t->d->mem, sizes[i], 8, &gpa);
		VPLAT_T_CHECK(t, 1, b != NULL);
		memset(b, 0, sizes[i]);
		struct vplat_val_buf vb = {.ptr = b, .len = sizes[i]};
		VPLAT_T_CHECK(t, 2, vplat_val_vq_add(vq, &vb, 0, 1, b) == 0);
		vplat_val_vq_kick(vq);
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK_MSG(t, 3, wait_used(t, vq, &tok, &len) == 0 && tok == b,
				  "the buffer is used", "no completion for a %u-byte buffer", sizes[i]);
		VPLAT_T_CHECK_MSG(t, 4, len >= 1 && len <= sizes[i], "1..size random bytes",
				  "len %u for a %u-byte buffer", len, sizes[i]);
		if (sizes[i] == 4096 && prev) {
			/* Not a randomness test: just that the device wrote something non-trivial. */
			unsigned nonzero = 0;
			for (uint32_t k = 0; k < len; k++)
				nonzero += b[k] != 0;
			VPLAT_T_CHECK_MSG(t, 5, len < 64 || nonzero > len / 2,
					  "the bytes are not all zero", "%u of %u bytes zero",
					  len - nonzero, len);
		}
		prev = b;
	}
	return VPLAT_PASS;
}
VPLAT_TEST(rng_fills_buffers, "VPLAT-RNG-001", "devicenormative:Device Types / Entropy Device / Device Operation", VPLAT_VIRTIO_ID_RNG, 0, "buffers of 1, 7, 64 and 4096 bytes each get 1..size bytes", fills);

static enum vplat_result no_features_no_config(struct vplat_test_ctx *t)
{
	uint64_t f = vplat_val_get_device_features(t->d);
	VPLAT_T_CHECK_MSG(t, 1, (f & 0xffffffu) == 0, "no device-type feature bits (0..23)",
			  "offered 0x%llx", (unsigned long long)(f & 0xffffffu));
	return VPLAT_PASS;
}
VPLAT_TEST(rng_no_device_features, "VPLAT-CORE-014", "sec:Device Types / Entropy Device / Feature bits", VPLAT_VIRTIO_ID_RNG, 0, "the entropy device offers no device-type feature bits (it defines none)", no_features_no_config);
