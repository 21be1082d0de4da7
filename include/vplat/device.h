/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/device.h
 * The transport-independent virtio device: status, features, reset, config space, queues.
 *
 * A device model (entropy, block, ...) fills a `static const struct vplat_device_ops` and
 * embeds a struct vplat_device in its own state. A transport model (virtio-mmio, virtio-pci,
 * vhost-user) drives the device through the vplat_device_*() calls below and receives
 * interrupt requests through a struct vplat_interrupt_ops. Neither knows the other's type.
 *
 * Implements "Basic Facilities of a Virtio Device": the device status state machine
 * (reset returns everything to defaults; FEATURES_OK refused on an invalid feature subset;
 * DEVICE_NEEDS_RESET raised together with a configuration change notification while
 * DRIVER_OK is set), feature negotiation (VERSION_1 required, dependency rules enforced) and
 * the configuration generation counter.
 *
 * Thread rules: calls that change device state (status, features, queue setup, config
 * writes) must be serialised by the caller; see vplat/vq.h for queue processing.
 */
#ifndef VPLAT_DEVICE_H
#define VPLAT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/mem.h"
#include "vplat/vq.h"
#include "vplat/spec/virtio_config.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vplat_device;

/** A feature and the features it needs (sec: Basic Facilities / Feature Bits). */
struct vplat_feature_dep {
	uint8_t feature;   /**< bit number */
	uint64_t requires; /**< mask of bits that must be set whenever @ref feature is set */
};

/** A shared memory region the device exposes (sec: Basic Facilities / Shared Memory Regions). */
struct vplat_shm_region {
	uint8_t id;    /**< shmid, unique within the device */
	uint64_t addr; /**< guest-physical base (MMIO) or offset inside @ref bar (PCI) */
	uint64_t len;  /**< length in bytes */
	uint8_t bar;   /**< PCI BAR that holds the region (ignored by MMIO) */
};

/**
 * What a device model implements. Tables are `static const`; nothing writes them at run time.
 */
struct vplat_device_ops {
	/** Short name for logs ("rng", "blk"). Required. */
	const char *name;
	/** Virtio device ID (VPLAT_VIRTIO_ID_*). Required, non-zero. */
	uint32_t device_id;
	/** Device-type feature bits the model supports (bits 0..23, 41, 42, 50..63). */
	uint64_t features;
	/** Dependency rules among the model's features; NULL if none. */
	const struct vplat_feature_dep *deps;
	/** Entries in @ref deps. */
	size_t ndeps;
	/**
	 * Optional. Accept or refuse the driver's feature set (already checked against the
	 * offer and the dependency rules). NULL accepts any valid subset.
	 * @return true to accept (FEATURES_OK stays set), false to refuse
	 */
	bool (*validate_features)(struct vplat_device *dev, uint64_t features);
	/** Optional. The driver set DRIVER_OK; queues are live. */
	void (*driver_ok)(struct vplat_device *dev);
	/**
	 * Required. The driver kicked @p vq (an enabled queue of a live device). Must not block;
	 * may pop and push synchronously or defer the work.
	 */
	void (*queue_notify)(struct vplat_device *dev, struct vplat_vq *vq);
	/** Optional. Device reset: return model state to defaults. Queues are reset by the core. */
	void (*reset)(struct vplat_device *dev);
	/** Optional. @p vq was reset on its own (VIRTIO_F_RING_RESET); drop its in-flight work. */
	void (*queue_reset)(struct vplat_device *dev, struct vplat_vq *vq);
	/**
	 * Optional. Called before a config read of [off, off+len) so the model can refresh
	 * @ref vplat_device.config. NULL: the buffer is always current.
	 */
	void (*config_read)(struct vplat_device *dev, uint32_t off, uint32_t len);
	/**
	 * Optional. The driver wrote [off, off+len) of config space (bounds already checked);
	 * @p data is the little-endian bytes. NULL: config writes are ignored.
	 */
	void (*config_write)(struct vplat_device *dev, uint32_t off, const void *data, uint32_t len);
	/**
	 * Pass config writes made between DRIVER and FEATURES_OK to @ref config_write as well.
	 * The driver MUST NOT write config during negotiation, so the core drops such writes;
	 * a device whose chapter says it accepts one anyway (console `emerg_wr`: "even on an
	 * unconfigured device") sets this.
	 */
	bool config_write_early;
};

/**
 * How the core asks the transport to interrupt the driver. Set by the transport through
 * vplat_device_attach(), which also hands @ref used to every queue.
 */
struct vplat_interrupt_ops {
	/** Required. Raise a used-buffer notification for @p vq. */
	void (*used)(struct vplat_device *dev, struct vplat_vq *vq);
	/** Required. Raise a configuration change notification. */
	void (*config)(struct vplat_device *dev);
};

/** Device-independent features the core implements and offers by default. */
#define VPLAT_CORE_FEATURES                                                                        \
	(VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC) | VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX) |           \
	 VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) |             \
	 VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER) | VPLAT_BIT(VPLAT_VIRTIO_F_NOTIFICATION_DATA) |        \
	 VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET))

/** Mask of the device-independent (transport and queue) feature bits: 24..40 and 43. */
#define VPLAT_TRANSPORT_FEATURE_MASK                                                               \
	((((UINT64_C(1) << (VPLAT_VIRTIO_TRANSPORT_F_END + 1)) - 1) &                              \
	  ~((UINT64_C(1) << VPLAT_VIRTIO_TRANSPORT_F_START) - 1)) |                                \
	 VPLAT_BIT(VPLAT_VIRTIO_F_SUSPEND))

/** A virtio device. Caller-allocated; set up with vplat_device_init(). */
struct vplat_device {
	const struct vplat_device_ops *ops;    /**< the model */
	void *opaque;                          /**< the model's own state */
	struct vplat_mem *mem;                 /**< guest memory the queues live in (fixed at init) */
	struct vplat_vq *vqs;                  /**< queue storage (caller-owned) */
	uint16_t nvqs;                         /**< number of queues in @ref vqs */
	uint8_t *config;                       /**< config space bytes (little-endian) */
	uint32_t config_len;                   /**< size of @ref config */
	uint64_t host_features;                /**< features offered to the driver */
	uint64_t driver_features;              /**< features the driver wrote so far */
	uint64_t features;                     /**< negotiated features, valid from FEATURES_OK */
	uint8_t status;                        /**< device status */
	uint32_t config_generation;            /**< changes whenever config may read torn */
	const struct vplat_interrupt_ops *interrupt; /**< set by the transport */
	void *transport;                       /**< the transport's own state */
	struct vplat_shm_region *shm;          /**< shared memory regions (caller-owned) */
	uint8_t nshm;                          /**< entries in @ref shm */
	uint32_t needs_reset_reason;           /**< last VPLAT_E* that set DEVICE_NEEDS_RESET */
	/** Called when a kick stopped at a queue's dispatch budget with work left; may be NULL
	 *  (vplat_device_set_redispatch()). */
	void (*redispatch)(struct vplat_device *dev, void *opaque);
	void *redispatch_opaque; /**< passed to @ref redispatch */
};

/** vplat_device_kick() / vplat_device_dispatch(): a queue stopped at its dispatch budget with
 *  chains left on its ring; call vplat_device_dispatch() again (VPLAT-FFI-013). */
#define VPLAT_DISPATCH_MORE 1

/** vplat_device_set_dispatch_budget(): set the budget of every queue of the device. */
#define VPLAT_DISPATCH_ALL_QUEUES 0xffffu

/**
 * Initialise a device.
 *
 * Offers @ref vplat_device_ops.features plus VPLAT_CORE_FEATURES. Every queue gets
 * @p queue_size_max as its maximum size (change one with vplat_device_set_queue_max()).
 *
 * @param dev             caller storage
 * @param ops             the model's ops table (static const)
 * @param opaque          the model's state, returned to it in every callback as dev->opaque
 * @param mem             guest memory map
 * @param vqs             storage for @p nvqs queues
 * @param nvqs            number of queues (1..65535 — the count the transport reports)
 * @param queue_size_max  largest queue size offered, 1..32768
 * @param config          config space storage (may be NULL if @p config_len is 0)
 * @param config_len      size of config space
 * @return 0; VPLAT_EINVAL on NULL arguments, a zero device ID, a queue size out of range,
 *         or an offer that breaks the model's own dependency rules (a device MUST NOT offer a
 *         feature that depends on one it does not offer)
 */
VPLAT_API int vplat_device_init(struct vplat_device *dev, const struct vplat_device_ops *ops,
				void *opaque, struct vplat_mem *mem, struct vplat_vq *vqs,
				uint16_t nvqs, uint16_t queue_size_max, uint8_t *config,
				uint32_t config_len);

/**
 * Restrict or extend the features offered, before the driver starts.
 *
 * @param dev       a device in reset state
 * @param features  the new offer; VERSION_1 is always added
 * @return 0; VPLAT_EPERM if the device is not in reset; VPLAT_EINVAL if the offer breaks
 *         the dependency rules or includes device-independent bits the core cannot serve
 */
VPLAT_API int vplat_device_set_offer(struct vplat_device *dev, uint64_t features);

/** Set the largest size of queue @p index (0 hides the queue). @return 0 or VPLAT_EINVAL */
VPLAT_API int vplat_device_set_queue_max(struct vplat_device *dev, uint16_t index, uint16_t max);

/**
 * Attach the transport: interrupt callbacks and the transport's state.
 * Called by transport models; embedders do not call it.
 */
VPLAT_API void vplat_device_attach(struct vplat_device *dev, const struct vplat_interrupt_ops *irq,
				   void *transport);

/**
 * Reset the device: status, features and every queue return to their defaults, the model's
 * reset hook runs. The generation counter keeps counting.
 */
VPLAT_API void vplat_device_reset(struct vplat_device *dev);

/**
 * Driver write of the device status.
 *
 * Writing 0 resets. Setting FEATURES_OK validates the driver's features (subset of the offer,
 * VERSION_1 set, dependencies met, the model agrees) and leaves FEATURES_OK clear if they
 * fail. Setting DRIVER_OK without FEATURES_OK, or clearing bits the driver had set, is a
 * driver error that raises DEVICE_NEEDS_RESET. Setting DRIVER_OK translates every enabled
 * queue; a queue whose rings are not in guest memory raises DEVICE_NEEDS_RESET.
 *
 * @return 0, or VPLAT_EPROTO if the write was refused as a driver error
 */
VPLAT_API int vplat_device_set_status(struct vplat_device *dev, uint8_t status);

/** @return the device status as the driver reads it. */
VPLAT_API uint8_t vplat_device_get_status(const struct vplat_device *dev);

/**
 * 32-bit word @p sel of the offered features (sel 0: bits 0..31, 1: 32..63, higher: 0).
 */
VPLAT_API uint32_t vplat_device_get_features(const struct vplat_device *dev, uint32_t sel);

/**
 * Driver write of 32-bit word @p sel of its features. Ignored once FEATURES_OK is set
 * (feature bits are frozen) and for words above 1 (bits vplat never offers).
 */
VPLAT_API void vplat_device_set_driver_features(struct vplat_device *dev, uint32_t sel,
						uint32_t value);

/** Driver write of all 64 feature bits at once (vhost-user style). Same rules. */
VPLAT_API void vplat_device_set_driver_features64(struct vplat_device *dev, uint64_t features);

/** @return true if feature bit @p bit was negotiated. */
VPLAT_API bool vplat_device_has_feature(const struct vplat_device *dev, unsigned bit);

/** @return true when the device may process queues: DRIVER_OK set, no NEEDS_RESET/FAILED. */
VPLAT_API bool vplat_device_is_live(const struct vplat_device *dev);

/**
 * Raise DEVICE_NEEDS_RESET (with a configuration change notification if DRIVER_OK is set).
 * Every queue stops. @p reason is a VPLAT_E* code kept for diagnostics.
 */
VPLAT_API void vplat_device_needs_reset(struct vplat_device *dev, int reason);

/**
 * Driver read of config space. Out-of-range bytes read as 0.
 *
 * @param dev   the device
 * @param off   offset into config space
 * @param data  destination, @p len bytes (little-endian, as stored)
 * @param len   1, 2, 4 or 8
 */
VPLAT_API void vplat_device_config_read(struct vplat_device *dev, uint32_t off, void *data,
					uint32_t len);

/**
 * Driver write of config space. Writes outside config space, or before FEATURES_OK while
 * negotiation is in progress, are ignored.
 */
VPLAT_API void vplat_device_config_write(struct vplat_device *dev, uint32_t off, const void *data,
					 uint32_t len);

/**
 * The model changed its config space: bump the generation and, if DRIVER_OK is set, send a
 * configuration change notification.
 */
VPLAT_API void vplat_device_config_changed(struct vplat_device *dev);

/**
 * Driver enabled queue @p index (QueueReady=1 / queue_enable=1) after writing its size and
 * addresses. The rings are checked for alignment, size and presence in guest memory.
 *
 * @return 0; VPLAT_ENOENT for a queue that does not exist; VPLAT_EINVAL for a size of 0, above
 *         the maximum, or not a power of two on a split ring; VPLAT_EFAULT for rings that are
 *         misaligned or not in guest memory. On error the queue stays disabled.
 */
VPLAT_API int vplat_device_queue_enable(struct vplat_device *dev, uint16_t index);

/**
 * Reset one queue (VIRTIO_F_RING_RESET, or QueueReady=0 handling): it stops, its state
 * returns to defaults and the model's queue_reset hook runs.
 */
VPLAT_API void vplat_device_queue_reset(struct vplat_device *dev, uint16_t index);

/**
 * Driver notification (kick) of queue @p index. With NOTIFICATION_DATA, @p data carries the
 * driver's next_off/next_wrap (see vplat/spec/virtio_mmio.h); otherwise pass 0.
 * Spurious kicks, kicks of disabled queues and kicks before DRIVER_OK are ignored.
 *
 * One kick is one dispatch call: the model pops at most the queue's dispatch budget of
 * chains, B = min(budget, Q) with Q the queue size (B = Q when no budget is set;
 * vplat_device_set_dispatch_budget()), and returns (VPLAT-FFI-013). What is left on the ring
 * stays there: the kick then returns @ref VPLAT_DISPATCH_MORE, calls the device's redispatch
 * callback if one is set, and the embedder must call vplat_device_dispatch() later, from its
 * own loop (the driver may not kick again: with EVENT_IDX it kicks only when the device has
 * caught up). Transports that kick from a register write (virtio-mmio QueueNotify,
 * virtio-pci notify) ignore the result; their embedder learns it from the callback or from
 * vplat_device_has_more().
 *
 * @return 0, or @ref VPLAT_DISPATCH_MORE
 */
VPLAT_API int vplat_device_kick(struct vplat_device *dev, uint16_t index, uint32_t data);

/**
 * Serve the queues that a dispatch call left with work (vplat_device_has_more()): each gets
 * one more dispatch of at most its budget, as if the driver had kicked it. Call it from the
 * embedder's loop, not from inside a device callback. No notification is lost: a queue that
 * still has chains after this call is reported again.
 *
 * @return 0 when no queue has work left; @ref VPLAT_DISPATCH_MORE when one stopped at its
 *         budget again (call again, e.g. after serving the other devices of the thread)
 */
VPLAT_API int vplat_device_dispatch(struct vplat_device *dev);

/** @return true if a queue of the live device stopped at its budget with work left. */
VPLAT_API bool vplat_device_has_more(const struct vplat_device *dev);

/**
 * Set the dispatch budget of queue @p index (or of all queues with
 * @ref VPLAT_DISPATCH_ALL_QUEUES): most chains popped from it per dispatch call. 0 restores
 * the default, the queue size; values above the queue size act as the queue size. Kept
 * across device and queue resets; may be changed at any time from the dispatching thread.
 *
 * @return 0; VPLAT_EINVAL for a NULL device; VPLAT_ENOENT for a queue that does not exist
 */
VPLAT_API int vplat_device_set_dispatch_budget(struct vplat_device *dev, uint16_t index,
					       uint16_t budget);

/**
 * Set the callback that a kick calls when it stopped at a queue's budget with work left
 * (NULL: none). It runs inside the kick (inside the VMM's register write for the MMIO and
 * PCI transports); it should only schedule a call of vplat_device_dispatch(), e.g. set a
 * flag or a bottom half, and must not call into the device.
 */
VPLAT_API void vplat_device_set_redispatch(struct vplat_device *dev,
					   void (*fn)(struct vplat_device *dev, void *opaque),
					   void *opaque);

/** @return queue @p index, or NULL if there is no such queue. */
VPLAT_API struct vplat_vq *vplat_device_vq(struct vplat_device *dev, uint16_t index);

/**
 * The guest memory map changed: re-translate the rings of every live queue now.
 * A queue whose rings are no longer in guest memory raises DEVICE_NEEDS_RESET (reason
 * VPLAT_EFAULT). Call this after every change of a running device's map, before unmapping the
 * old host memory. (As a safety net, each ring access also compares the queue's cached map
 * generation with the map's and re-translates on a mismatch.)
 */
VPLAT_API void vplat_device_remap(struct vplat_device *dev);

/**
 * Set the vring state of queue @p index directly (vhost-user SET_VRING_BASE): next available
 * index, and for packed rings the wrap counters in bit 15 of each value.
 */
VPLAT_API int vplat_device_queue_set_base(struct vplat_device *dev, uint16_t index,
					  uint16_t avail, uint16_t used);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_DEVICE_H */
