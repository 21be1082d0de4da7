/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request helpers for the device-chapter tests (block, network, console): post one request
 * built from driver-side buffers, wait for it, and read fields of the device configuration.
 * Everything goes through the validation driver, so the same tests certify any hypervisor's
 * device the PAL reaches.
 */
#ifndef VPLAT_CONFORM_DEVREQ_H
#define VPLAT_CONFORM_DEVREQ_H

#include "common.h"

/* Zeroed DMA memory of @p len bytes (16-byte aligned), or NULL. */
void *dmab(struct vplat_test_ctx *t, uint32_t len);

/* Fill @p p with a pseudo-random pattern derived from @p seed. */
void pattern(void *p, size_t len, uint32_t seed);

/*
 * Post @p n_out readable then @p n_in writable buffers as one request, kick, and wait for it
 * until the test's deadline. @p used receives the used length (may be NULL).
 * 0; VPLAT_ETIMEDOUT; VPLAT_EPROTO if the device returned another buffer; or an add error.
 */
int xfer(struct vplat_test_ctx *t, struct vplat_val_vq *vq, const struct vplat_val_buf *b,
	 unsigned n_out, unsigned n_in, uint32_t *used);

/*
 * True if @p vq returns no used buffer for @p ms milliseconds (clock time, polling the PAL).
 * A buffer that does come back is consumed and its token stored in @p tok (may be NULL).
 */
bool quiet_for(struct vplat_test_ctx *t, struct vplat_val_vq *vq, unsigned ms, void **tok);

/* True once the device status has all of @p bits, polling for up to @p ms milliseconds. */
bool wait_status(struct vplat_test_ctx *t, uint8_t bits, unsigned ms);

/* Device configuration field of @p size bytes (1, 2, 4, 8) at @p off, read consistently. */
uint64_t cfg(struct vplat_test_ctx *t, uint32_t off, unsigned size);

/* ---- block ------------------------------------------------------------------------------ */

/* Status byte value the helpers report when the device never wrote it. */
#define BLK_NO_STATUS 0x5a

/*
 * One block request: a 16-byte header (@p type, @p reserved, @p sector) in one descriptor,
 * @p nd data segments (@p data[i], @p len[i]; device-writable if @p data_in), then a 1-byte
 * status buffer pre-set to BLK_NO_STATUS. @p st and @p used receive the status byte and the
 * used length. Returns 0 or an xfer() error.
 */
int blk_rqv(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type, uint32_t reserved,
	    uint64_t sector, void *const *data, const uint32_t *len, unsigned nd, bool data_in,
	    uint8_t *st, uint32_t *used);

/* blk_rqv() with at most one data segment (@p data NULL or @p len 0: none). */
int blk_rq(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type, uint64_t sector,
	   void *data, uint32_t len, bool data_in, uint8_t *st, uint32_t *used);

/* One DISCARD / WRITE_ZEROES / SECURE_ERASE range. */
struct blk_range {
	uint64_t sector;
	uint32_t num;
	uint32_t flags;
};

/* A range request of @p n ranges (readable data part of 16 * n bytes). */
int blk_ranges(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type,
	       const struct blk_range *r, unsigned n, uint8_t *st, uint32_t *used);

/* ---- network ---------------------------------------------------------------------------- */

/*
 * One control command: class, command and @p len data bytes readable (in one descriptor),
 * then a 1-byte ack buffer pre-set to 0xee. @p ack and @p used receive the ack and the used
 * length. Returns 0 or an xfer() error.
 */
int net_ctrl(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint8_t cls, uint8_t cmd,
	     const void *data, uint32_t len, uint8_t *ack, uint32_t *used);

#endif
