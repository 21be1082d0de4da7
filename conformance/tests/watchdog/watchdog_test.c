/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the watchdog device tests (watchdog_test.h). */
#include <time.h>
#include "watchdog_test.h"

enum vplat_result wdt_up(struct vplat_test_ctx *t, uint64_t feats, struct vplat_val_vq **vq)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	if ((feats & off) != feats)
		return vplat_t_skip(t, "watchdog feature 0x%llx not offered",
				    (unsigned long long)(feats & ~off));
	return bringup(t, feats, vq, 0, 8);
}

int wdt_post(struct vplat_test_ctx *t, struct vplat_val_vq *vq, unsigned nr, unsigned nw, uint32_t len,
	     uint32_t *used, uint8_t *first)
{
	struct vplat_val_buf b[4];
	uint8_t *p[4];
	if (nr + nw == 0 || nr + nw > 4)
		return VPLAT_EINVAL;
	for (unsigned i = 0; i < nr + nw; i++) {
		p[i] = dmab(t, len ? len : 1);
		if (!p[i])
			return VPLAT_ENOMEM;
		memset(p[i], 0xee, len ? len : 1);
		b[i] = (struct vplat_val_buf){.ptr = p[i], .len = len};
	}
	int rc = xfer(t, vq, b, nr, nw, used);
	if (first)
		*first = nw ? p[nr][0] : 0xee;
	return rc;
}

uint64_t wdt_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void wdt_w(struct vplat_test_ctx *t, uint32_t off, uint32_t v)
{
	vplat_val_config_write(t->d, off, 4, v);
}
