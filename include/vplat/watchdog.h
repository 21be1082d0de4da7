/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/watchdog.h
 * Watchdog device (virtio ID 35, spec/16-watchdog.md), compatible with cloud-hypervisor's.
 *
 * The guest pings through device-writable buffers on the pingq; an armed watchdog that gets no
 * ping for the timeout expires and the device calls its host end with the action the embedder
 * chose. The core has no clock: the host ops table gives the time (an injectable clock), and
 * the embedder calls vplat_watchdog_tick() at vplat_watchdog_next_deadline() (or often).
 *
 * Freestanding. Not thread-safe: call every function from the thread that serves the device.
 */
#ifndef VPLAT_WATCHDOG_H
#define VPLAT_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/spec/virtio_watchdog.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the device does when the watchdog expires. Chosen by the embedder, never the guest. */
enum vplat_watchdog_action {
	VPLAT_WATCHDOG_ACTION_CALLBACK = 0, /**< call vplat_watchdog_host_ops.expired only */
	VPLAT_WATCHDOG_ACTION_RESET = 1,    /**< call vplat_watchdog_host_ops.reset (reboot the VM) */
	VPLAT_WATCHDOG_ACTION_POWEROFF = 2, /**< call vplat_watchdog_host_ops.poweroff */
};

/** The watchdog's host end: clock and expiry actions. */
struct vplat_watchdog_host_ops {
	/** Required. Monotonic time in nanoseconds (the injectable clock). */
	uint64_t (*now_ns)(void *host);
	/**
	 * Optional. Called on every expiry, whatever the action, before it (log, run a command).
	 * @param action the configured action
	 */
	void (*expired)(void *host, enum vplat_watchdog_action action);
	/** Optional. Reset the VM (action RESET). NULL: only @ref expired is called. */
	void (*reset)(void *host);
	/** Optional. Power the VM off (action POWEROFF). NULL: only @ref expired is called. */
	void (*poweroff)(void *host);
	/** Optional. The pre-timeout fired (the guest got a config change notification). */
	void (*pretimeout)(void *host);
};

/** Embedder configuration of a watchdog device. */
struct vplat_watchdog_config {
	enum vplat_watchdog_action action; /**< expiry action */
	uint32_t min_timeout_ms;           /**< 0: 1000; at least 1000 and at most 20000 */
	uint32_t max_timeout_ms;           /**< 0: 3600000; at least 20000 */
	uint64_t features;                 /**< vplat bits offered (VPLAT_BIT of F_*); 0 = none */
};

/** Bits of all vplat watchdog features, for vplat_watchdog_config.features. */
#define VPLAT_WATCHDOG_ALL_FEATURES                                                                \
	(VPLAT_BIT(VPLAT_VIRTIO_WDT_F_TIMEOUT) | VPLAT_BIT(VPLAT_VIRTIO_WDT_F_PRETIMEOUT) |        \
	 VPLAT_BIT(VPLAT_VIRTIO_WDT_F_DISARM))

/** Segments of one ping chain the device accepts; longer chains are used with length 0. */
#define VPLAT_WATCHDOG_SEGS 8

/** Counters of a watchdog device. */
struct vplat_watchdog_stats {
	uint64_t pings;        /**< valid pings */
	uint64_t bad_requests; /**< chains that were not pings (used with length 0) */
	uint64_t expiries;     /**< expiries */
	uint64_t pretimeouts;  /**< pre-timeouts signalled */
};

/** A watchdog device. Caller-allocated; fields are private. */
struct vplat_watchdog {
	struct vplat_device dev;                     /**< the virtio device */
	struct vplat_vq vq;                          /**< pingq */
	const struct vplat_watchdog_host_ops *host;  /**< host end */
	void *host_opaque;                           /**< argument for the host end */
	struct vplat_watchdog_config cfg;            /**< embedder configuration */
	struct vplat_virtio_wdt_config config;       /**< config space (little-endian) */
	struct vplat_iov iov[VPLAT_WATCHDOG_SEGS];   /**< segments of the chain being served */
	uint32_t timeout_ms;                         /**< timeout in effect */
	uint32_t pretimeout_ms;                      /**< pre-timeout in effect (0 = none) */
	uint32_t status;                             /**< VPLAT_VIRTIO_WDT_S_* */
	uint64_t last_ping_ns;                       /**< start of the current period */
	bool paused;                                 /**< vplat_watchdog_pause() in effect */
	struct vplat_watchdog_stats stats;           /**< counters */
};

/**
 * Initialise a watchdog device.
 *
 * @param wd           caller storage
 * @param mem          guest memory map
 * @param cfg          embedder configuration (copied); NULL = callback action, defaults, no
 *                     vplat features (cloud-hypervisor behaviour)
 * @param host         host end ops (static const); now_ns is required
 * @param host_opaque  passed to the host end
 * @return 0 or VPLAT_EINVAL (NULL argument, limits out of range, unknown feature bits)
 */
VPLAT_API int vplat_watchdog_init(struct vplat_watchdog *wd, struct vplat_mem *mem,
				  const struct vplat_watchdog_config *cfg,
				  const struct vplat_watchdog_host_ops *host, void *host_opaque);

/** @return the generic device, to bind to a transport. */
VPLAT_API struct vplat_device *vplat_watchdog_device(struct vplat_watchdog *wd);

/**
 * Advance the watchdog to @p now_ns: signal a due pre-timeout, perform a due expiry.
 * Call at vplat_watchdog_next_deadline() or more often; extra calls are harmless.
 *
 * @param wd      the device
 * @param now_ns  the current time of the same clock as host->now_ns
 */
VPLAT_API void vplat_watchdog_tick(struct vplat_watchdog *wd, uint64_t now_ns);

/**
 * @return the absolute time (ns) of the next pre-timeout or expiry, UINT64_MAX when the
 *         watchdog is disarmed or paused
 */
VPLAT_API uint64_t vplat_watchdog_next_deadline(const struct vplat_watchdog *wd);

/**
 * The platform paused the VM (VPLAT-WDT-022): time stops counting until vplat_watchdog_resume().
 */
VPLAT_API void vplat_watchdog_pause(struct vplat_watchdog *wd);

/**
 * The VM runs again: an armed watchdog starts a new timeout period at @p now_ns.
 */
VPLAT_API void vplat_watchdog_resume(struct vplat_watchdog *wd, uint64_t now_ns);

/** @return the current `status` bits (VPLAT_VIRTIO_WDT_S_*). */
VPLAT_API uint32_t vplat_watchdog_status(const struct vplat_watchdog *wd);

/** @return the device's counters. */
VPLAT_API const struct vplat_watchdog_stats *
vplat_watchdog_stats(const struct vplat_watchdog *wd);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_WATCHDOG_H */
