/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/rng.h
 * Entropy device (virtio-rng, device ID 4; sec: Device Types / Entropy Device).
 *
 * One request queue of device-writable buffers; the device fills each with random bytes from
 * its host end. The only device requirement of the chapter: the device MUST place one or
 * more random bytes into the buffer (devicenormative:Device Types / Entropy Device / Device
 * Operation). When the host end has nothing to give right now the request waits until the
 * embedder calls vplat_rng_resume(); it is never completed empty unless the host failed.
 *
 * Freestanding; the host end is an ops table (lib/host has getrandom() and a mock).
 */
#ifndef VPLAT_RNG_H
#define VPLAT_RNG_H

#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where the entropy comes from. */
struct vplat_rng_host_ops {
	/**
	 * Required. Fill @p buf with up to @p len random bytes.
	 * @return bytes written (1..len); 0 if no entropy is available now (the request waits
	 *         for vplat_rng_resume()); a negative VPLAT_E* code on failure (the request
	 *         completes with what was written so far). Must not block.
	 */
	int32_t (*read)(void *host, uint8_t *buf, uint32_t len);
};

/** Segments of one request the device fills (a request with more is filled partly). */
#define VPLAT_RNG_SEGS 16

/** Statistics of an entropy device. */
struct vplat_rng_stats {
	uint64_t requests;    /**< requests completed */
	uint64_t bytes;       /**< random bytes delivered */
	uint64_t host_errors; /**< failed host reads */
	uint64_t bad_requests; /**< requests without a writable buffer (completed empty) */
};

/** An entropy device. Caller-allocated; fields are private. */
struct vplat_rng {
	struct vplat_device dev;                /**< the virtio device */
	struct vplat_vq vq;                     /**< requestq */
	const struct vplat_rng_host_ops *host;  /**< host end */
	void *host_opaque;                      /**< argument for the host end */
	struct vplat_iov iov[VPLAT_RNG_SEGS];   /**< segments of the request in progress */
	struct vplat_chain chain;               /**< request in progress */
	uint32_t filled;                        /**< bytes written into @ref chain so far */
	bool pending;                           /**< @ref chain waits for entropy */
	struct vplat_rng_stats stats;           /**< counters */
};

/**
 * Initialise an entropy device.
 *
 * @param rng          caller storage
 * @param mem          guest memory map
 * @param host         host end ops (static const)
 * @param host_opaque  passed to the host end
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_rng_init(struct vplat_rng *rng, struct vplat_mem *mem,
			     const struct vplat_rng_host_ops *host, void *host_opaque);

/** @return the generic device, to bind to a transport. */
VPLAT_API struct vplat_device *vplat_rng_device(struct vplat_rng *rng);

/**
 * Serve requests again after the host end reported no entropy (returned 0).
 * Call from the thread that serves the device.
 */
VPLAT_API void vplat_rng_resume(struct vplat_rng *rng);

/** @return the device's counters. */
VPLAT_API const struct vplat_rng_stats *vplat_rng_stats(const struct vplat_rng *rng);


#ifdef __cplusplus
}
#endif

#endif /* VPLAT_RNG_H */
