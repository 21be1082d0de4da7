/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the watchdog device tests (spec/16-watchdog.md). */
#ifndef VPLAT_CONFORM_WDT_H
#define VPLAT_CONFORM_WDT_H

#include "../common/devreq.h"
#include "vplat/spec/virtio_watchdog.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define WF(b) VPLAT_BIT(VPLAT_VIRTIO_WDT_F_##b)

/* Configuration space offsets. */
#define WDT_TIMEOUT 0
#define WDT_MIN 4
#define WDT_MAX 8
#define WDT_PRETIMEOUT 12
#define WDT_STATUS 16
#define WDT_CONTROL 20

/* Negotiate @p feats (SKIP if not offered), set up the pingq and DRIVER_OK. */
enum vplat_result wdt_up(struct vplat_test_ctx *t, uint64_t feats, struct vplat_val_vq **vq);

/* Post one chain of @p nr readable then @p nw writable buffers of @p len bytes each (pre-set
 * to 0xee), wait for it; @p used gets the used length, @p first the first writable byte.
 * 0 or an xfer() error. */
int wdt_post(struct vplat_test_ctx *t, struct vplat_val_vq *vq, unsigned nr, unsigned nw, uint32_t len,
	     uint32_t *used, uint8_t *first);

/* Monotonic milliseconds. */
uint64_t wdt_ms(void);

/* Write a 32-bit configuration field. */
void wdt_w(struct vplat_test_ctx *t, uint32_t off, uint32_t v);

#endif
