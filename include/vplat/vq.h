/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/vq.h
 * Device side of a virtqueue: split and packed layouts.
 *
 * A device pops descriptor chains that the driver made available, reads and writes the
 * already-translated segments, pushes the chain back as used and asks for a used-buffer
 * notification. The queue never trusts the driver: every chain walk is bounded, every address
 * translated through the device's guest memory map, and a broken ring puts the device into
 * DEVICE_NEEDS_RESET (sec: Basic Facilities of a Virtio Device / Device Status Field) instead
 * of touching memory outside the guest.
 *
 * Supported: indirect descriptors (VIRTIO_F_INDIRECT_DESC, incl. normal descriptors followed
 * by one indirect one), EVENT_IDX, IN_ORDER, NOTIFICATION_DATA and per-queue reset
 * (VIRTIO_F_RING_RESET).
 *
 * Thread rules: one thread at a time per queue (pop, push, notify); different queues of a
 * device may be served by different threads.
 */
#ifndef VPLAT_VQ_H
#define VPLAT_VQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/mem.h"
#include "vplat/spec/virtio_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vplat_device;

/** Largest number of entries vplat accepts in one indirect table (the largest queue size). */
#define VPLAT_VQ_MAX_INDIRECT VPLAT_VIRTQ_MAX_SIZE

/**
 * A popped descriptor chain. The caller provides the segment storage (@ref iov, @ref iov_cap)
 * before vplat_vq_pop(); the queue fills in the rest.
 */
struct vplat_chain {
	struct vplat_iov *iov; /**< caller storage: readable segments first, then writable ones */
	uint32_t iov_cap;      /**< capacity of @ref iov */
	uint32_t nread;        /**< device-readable segments at iov[0 .. nread) */
	uint32_t nwrite;       /**< device-writable segments at iov[nread .. nread+nwrite) */
	uint64_t read_len;     /**< total bytes readable */
	uint64_t write_len;    /**< total bytes writable */
	uint16_t id;           /**< head index (split) or buffer ID (packed) */
	uint16_t ndesc;        /**< ring slots the chain occupied (packed: used-index advance) */
	uint32_t seq;          /**< pop sequence number, used to check IN_ORDER completion */
	/**
	 * Host address of the last byte of the chain's device-writable part, or NULL if it has
	 * none. Set even when vplat_vq_pop() returns VPLAT_E2BIG, so a device whose requests end
	 * in a status byte (block, network control) can still answer a chain it cannot map.
	 */
	uint8_t *write_tail;
	/**
	 * The chain is valid but has more segments than @ref vplat_chain.iov_cap holds, what vplat_vq_pop()
	 * reports as VPLAT_E2BIG (the segments are incomplete; push it back, normally empty).
	 */
	bool truncated;
};

/** Virtqueue state. Lives inside the device; fields are read-only to device code. */
struct vplat_vq {
	/* Configuration, written by the driver through the transport. */
	uint16_t size;        /**< queue size chosen by the driver */
	uint16_t size_max;    /**< largest size the device supports; 0 = queue does not exist */
	bool enabled;         /**< QueueReady / queue_enable */
	bool reset_pending;   /**< reserved for asynchronous queue reset (always false today) */
	uint16_t msix_vector; /**< MSI-X vector (PCI); VPLAT_VIRTIO_PCI_NO_VECTOR if none */
	uint64_t desc_addr;   /**< descriptor table / descriptor ring guest address */
	uint64_t driver_addr; /**< available ring / driver event area guest address */
	uint64_t device_addr; /**< used ring / device event area guest address */

	/* Runtime state, owned by the core. */
	struct vplat_device *dev; /**< owning device; the queue passes it on, never reads it */
	uint16_t index;           /**< queue index within the device */
	bool live;                /**< rings translated and usable */
	bool dev_live;            /**< device is live (DRIVER_OK, no NEEDS_RESET/FAILED); pushed
				       by the device on every status change */
	bool packed;              /**< VIRTIO_F_RING_PACKED negotiated */
	bool event_idx;           /**< VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;            /**< VIRTIO_F_INDIRECT_DESC negotiated */
	bool in_order;            /**< VIRTIO_F_IN_ORDER negotiated */
	bool avail_wrap;          /**< packed: driver ring wrap counter the device expects */
	bool used_wrap;           /**< packed: wrap counter for the next used descriptor */
	bool signalled_valid;     /**< @ref signalled_used holds a value (EVENT_IDX) */
	uint16_t last_avail;      /**< next available entry to read (split idx / packed slot) */
	uint16_t used_idx;        /**< next used entry to write (split idx / packed slot) */
	uint16_t signalled_used;  /**< used index at the last notification decision */
	uint16_t inflight;        /**< chains popped and not yet pushed */
	uint32_t pop_seq;         /**< sequence number of the next pop */
	uint32_t push_seq;        /**< sequence number the next push must carry under IN_ORDER */
	uint32_t notify_data;     /**< last NOTIFICATION_DATA value written by the driver */
	uint32_t mem_generation;  /**< generation of @ref mem the ring pointers were taken at */
	uint32_t used_since_signal; /**< ring entries used since the last notification decision */
	bool kick_disabled;       /**< device asked the driver not to kick (set_notification) */
	void *desc;               /**< host address of the descriptor table or ring */
	void *driver;             /**< host address of the available ring or driver event area */
	void *device;             /**< host address of the used ring or device event area */
	/**
	 * Guest memory the rings and buffers live in (the device's map, set by
	 * vplat_device_init()). Ring pointers are re-translated when the device is told the map
	 * changed (vplat_device_remap()), not on every pop.
	 */
	const struct vplat_mem *mem;
	/** Used-buffer interrupt of the transport, pushed by vplat_device_attach(); may be NULL. */
	void (*interrupt_used)(struct vplat_device *dev, struct vplat_vq *vq);
	/**
	 * The one way up: the driver broke this ring. Set by the device at init; it raises
	 * DEVICE_NEEDS_RESET with @p reason (a VPLAT_E* code) and a configuration interrupt.
	 * NULL: the queue only stops.
	 */
	void (*failed)(struct vplat_vq *vq, int reason);
	/**
	 * Inflight tracking of the transport (vhost-user back end), or NULL: called with
	 * @ref VPLAT_VQ_TRACK_POP after a chain was popped, @ref VPLAT_VQ_TRACK_PRE_PUSH before its
	 * used element is written and @ref VPLAT_VQ_TRACK_POST_PUSH once the used index that
	 * publishes it was stored. @p c is the chain (its id is the split head / packed buffer
	 * ID, ndesc its packed ring slots). Kept across vplat_vq_reset_state().
	 */
	void (*track)(struct vplat_vq *vq, int event, const struct vplat_chain *c);
	/**
	 * Split rings: heads to pop before the available ring, in this order (requests a
	 * previous back-end process had taken and not completed; see vhost-user "Inflight I/O
	 * tracking"). Each pop consumes one; the available index does not move for them.
	 * Set by the transport after vplat_device_queue_set_base(); cleared by a reset. The
	 * array stays owned by the transport and must outlive the pops.
	 */
	const uint16_t *resubmit;
	uint16_t nresubmit; /**< entries left in @ref resubmit */
	/**
	 * Packed rings: chains to pop before the ring, as copies of their descriptors, in this
	 * order (requests a previous back-end process had taken and not completed, whose ring
	 * slots the driver may have reused since; see vhost-user "Inflight I/O tracking"). A
	 * chain is its descriptors up to the first without NEXT, or an INDIRECT one; its buffer
	 * ID is the last one's. Each pop consumes one chain, checked as a chain from the ring
	 * is; the available position does not move for it, and its ndesc is its number of
	 * descriptors (the ring slots it took). Set by the transport after
	 * vplat_device_queue_set_base(); cleared by a reset. The array stays owned by the
	 * transport and must outlive the pops.
	 */
	const struct vplat_pvirtq_desc *replay;
	uint16_t nreplay; /**< descriptors left in @ref replay */
	/**
	 * Dispatch budget set by the embedder (vplat_device_set_dispatch_budget()): most chains
	 * popped from this queue in one dispatch call (vplat_device_kick() or
	 * vplat_device_dispatch()). 0 = the queue size. The budget in force is
	 * min(@ref budget, @ref size) (VPLAT-FFI-013). Kept across vplat_vq_reset_state().
	 */
	uint16_t budget;
	uint16_t budget_left; /**< chains the current dispatch may still pop */
	bool in_dispatch;     /**< a dispatch call is running: pops are charged to the budget */
	/**
	 * A pop was refused because the budget was used up while chains were still available:
	 * the device stopped with work left on the ring and the embedder must call
	 * vplat_device_dispatch() (vplat_device_has_more() says so).
	 */
	bool more;
};

/** @ref vplat_vq::track event: a chain was popped. */
#define VPLAT_VQ_TRACK_POP 0
/** @ref vplat_vq::track event: a chain is about to be pushed. */
#define VPLAT_VQ_TRACK_PRE_PUSH 1
/** @ref vplat_vq::track event: a chain was pushed and its used index published. */
#define VPLAT_VQ_TRACK_POST_PUSH 2

/**
 * Pop the next available chain, translated and bounds-checked.
 *
 * Walks at most queue-size descriptors in the ring and at most @ref VPLAT_VQ_MAX_INDIRECT in
 * an indirect table. A chain that loops, leaves guest memory, nests indirect tables, has an
 * indirect table whose size is not a multiple of 16, puts a readable descriptor after a
 * writable one, or an available index that moved by more than the queue size is a driver
 * error: the device enters DEVICE_NEEDS_RESET and the queue stops.
 *
 * @param vq     an enabled queue of a device in DRIVER_OK
 * @param chain  @ref vplat_chain.iov and @ref vplat_chain.iov_cap set by the caller; the rest
 *               is filled in
 * @return 0; VPLAT_EAGAIN when no chain is available; VPLAT_ENODEV when the device or queue
 *         is not live; VPLAT_EPROTO on a malformed ring (device now needs reset);
 *         VPLAT_E2BIG when the chain is valid but has more segments than @p chain can hold
 *         (the chain is consumed: @ref vplat_chain.id and @ref vplat_chain.ndesc are set and the
 *         caller must push it back, normally with 0 bytes written)
 */
VPLAT_API int vplat_vq_pop(struct vplat_vq *vq, struct vplat_chain *chain);

/**
 * Return a popped chain to the driver as used.
 *
 * Writes the used element (split) or used descriptor (packed) and publishes it. Does not
 * interrupt the driver; call vplat_vq_interrupt() once per batch.
 *
 * @param vq       the queue the chain was popped from
 * @param chain    the chain, as filled by vplat_vq_pop()
 * @param written  bytes the device wrote into the chain's writable segments (clamped to
 *                 @ref vplat_chain.write_len)
 * @return 0; VPLAT_ENODEV if the queue was reset since the pop (the chain is dropped);
 *         VPLAT_EINVAL if nothing is in flight or, under IN_ORDER, the chain is pushed out of
 *         order (a device bug; nothing is written)
 */
VPLAT_API int vplat_vq_push(struct vplat_vq *vq, const struct vplat_chain *chain, uint32_t written);

/**
 * Pop up to @p n available chains in one pass (a burst).
 *
 * Same checks and outcome per chain as vplat_vq_pop(), but a split ring's available index
 * is read once, with one read barrier, the head descriptor of the next chain is prefetched
 * while the current one is walked, and `avail_event` (EVENT_IDX) is written once for the
 * burst. A chain with more segments than its storage is popped with
 * @ref vplat_chain.truncated set (vplat_vq_pop()'s VPLAT_E2BIG). Packed rings and
 * resubmitted heads (inflight recovery) are popped one at a time.
 *
 * @param vq      an enabled queue of a device in DRIVER_OK
 * @param chains  @p n chains, each with @ref vplat_chain.iov and @ref vplat_chain.iov_cap set
 * @param n       most chains to pop (1 or more)
 * @param err     NULL, or where to store the reason when nothing was popped: VPLAT_EAGAIN
 *                (empty), VPLAT_ENODEV, VPLAT_EPROTO (malformed ring: the device needs
 *                reset; chains popped before the bad one are still returned), VPLAT_EINVAL
 *                (@p n is 0); 0 when at least one chain was popped
 * @return chains popped, at chains[0 .. return)
 */
VPLAT_API uint32_t vplat_vq_pop_burst(struct vplat_vq *vq, struct vplat_chain *chains, uint32_t n,
				      int *err);

/**
 * Return @p n popped chains to the driver as used, in this order.
 *
 * The driver sees all @p n or none of them: on a split ring the @p n used elements are
 * written and published with one write barrier and one used-index store; on a packed ring
 * every used descriptor but the first is written, then, after a write barrier, the first
 * one's flags (a driver that sees the first sees the rest). With inflight tracking
 * (@ref vplat_vq::track) every chain gets its PRE_PUSH event before anything is written and
 * its POST_PUSH event after the burst was published, in order, with @ref vplat_vq::used_idx
 * (and used_wrap) set to the position just after it during the call. Call
 * vplat_vq_interrupt() once afterwards.
 *
 * @param vq       the queue the chains were popped from
 * @param chains   the chains, as filled by vplat_vq_pop() or vplat_vq_pop_burst()
 * @param n        how many
 * @param written  NULL (nothing written into any of them) or @p n byte counts (each clamped
 *                 to its chain's @ref vplat_chain.write_len)
 * @return 0; VPLAT_ENODEV if the queue was reset since the pop (the chains are dropped);
 *         VPLAT_EINVAL if fewer than @p n chains are in flight or, under IN_ORDER, the
 *         chains are not the next ones in pop order (nothing pushed)
 */
VPLAT_API int vplat_vq_push_burst(struct vplat_vq *vq, const struct vplat_chain *chains,
				  uint32_t n, const uint32_t *written);

/**
 * Interrupt the driver (a used-buffer notification, device to driver) if it wants one.
 *
 * Not to be confused with the driver's kick (an available-buffer notification, driver to
 * device), which reaches the device as vplat_device_ops.queue_notify.
 *
 * Honours VIRTQ_AVAIL_F_NO_INTERRUPT, `used_event` (EVENT_IDX) and the packed driver event
 * suppression area.
 *
 * @return true if a notification was sent
 */
VPLAT_API bool vplat_vq_interrupt(struct vplat_vq *vq);

/**
 * Ask the driver for (or to stop sending) available-buffer notifications on this queue.
 *
 * With notifications re-enabled, buffers may have arrived meanwhile: the return value says so
 * and the caller must pop them.
 *
 * @return true if chains are available now
 */
VPLAT_API bool vplat_vq_set_notification(struct vplat_vq *vq, bool enable);

/**
 * Open a dispatch call on @p vq: from here to vplat_vq_dispatch_end() the queue pops at most
 * its dispatch budget, min(@ref vplat_vq.budget, queue size), and then answers VPLAT_EAGAIN
 * as if the ring were empty (VPLAT-FFI-013). vplat_device_kick() and vplat_device_dispatch()
 * open one around the model's queue handler; a model opens one itself in every entry point
 * of its own that pops (a host end's completion or resume call). Inside an open call it does
 * nothing: the outer call's budget goes on.
 *
 * @return true if this call opened it (pass to vplat_vq_dispatch_end())
 */
VPLAT_API bool vplat_vq_dispatch_begin(struct vplat_vq *vq);

/**
 * Close the dispatch call vplat_vq_dispatch_begin() opened (if @p opened).
 *
 * @return true if the budget stopped a pop with chains left on the ring (@ref vplat_vq.more):
 *         the embedder calls vplat_device_dispatch() later
 */
VPLAT_API bool vplat_vq_dispatch_end(struct vplat_vq *vq, bool opened);

/** @return true if at least one chain is available (the queue is live and not empty). */
VPLAT_API bool vplat_vq_has_avail(struct vplat_vq *vq);

/**
 * Copy bytes out of a chain's readable segments.
 *
 * @param chain  a popped chain
 * @param off    byte offset into the readable part
 * @param dst    destination
 * @param len    bytes wanted
 * @return bytes copied (less than @p len if the readable part is shorter)
 */
VPLAT_API size_t vplat_chain_read(const struct vplat_chain *chain, size_t off, void *dst, size_t len);

/**
 * Copy bytes into a chain's writable segments.
 *
 * @param chain  a popped chain
 * @param off    byte offset into the writable part
 * @param src    source
 * @param len    bytes to write
 * @return bytes copied (less than @p len if the writable part is shorter)
 */
VPLAT_API size_t vplat_chain_write(const struct vplat_chain *chain, size_t off, const void *src,
				   size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_VQ_H */
