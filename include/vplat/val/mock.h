/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/val/mock.h
 * Mock host ends for tests (validation library): entropy and network.
 */
#ifndef VPLAT_VAL_MOCK_H
#define VPLAT_VAL_MOCK_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/net.h"
#include "vplat/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Capture host end for tests: records the last frame sent, with fault injection. */
struct vplat_net_mock {
	uint8_t last[VPLAT_NET_FRAME_MAX];    /**< last frame sent */
	size_t last_len;		      /**< its length */
	struct vplat_virtio_net_hdr last_hdr; /**< its header */
	uint64_t frames;		      /**< frames sent */
	uint64_t offloads;		      /**< what @ref vplat_net_host_ops.offloads reports */
	uint64_t guest_offloads;	      /**< last value passed to set_offloads */
	uint32_t busy;			      /**< the next @ref busy sends return VPLAT_EAGAIN */
	uint32_t fail;			      /**< the next @ref fail sends return VPLAT_EIO */
	uint64_t rx_ready_calls;	      /**< rx_ready calls */
};

/** Mock host end; the host argument is a struct vplat_net_mock. Freestanding. */
VPLAT_API extern const struct vplat_net_host_ops vplat_net_host_mock;

/** Deterministic mock host end for tests, with fault injection. */
struct vplat_rng_mock {
	uint8_t next;        /**< next byte value produced (counts up) */
	uint32_t max_chunk;  /**< most bytes returned per call (0 = unlimited) */
	uint32_t starve;     /**< the next @ref starve calls return 0 (no entropy) */
	uint32_t fail;       /**< the next @ref fail calls return VPLAT_EIO */
	uint64_t calls;      /**< calls made */
};

/** Mock host end; the host argument is a struct vplat_rng_mock. */
VPLAT_API extern const struct vplat_rng_host_ops vplat_rng_host_mock;

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_VAL_MOCK_H */
