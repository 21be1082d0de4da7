/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/blk.h
 * Block device (virtio-blk, device ID 2; sec: Device Types / Block Device).
 *
 * Requests: IN, OUT, FLUSH, GET_ID, GET_LIFETIME, DISCARD, WRITE_ZEROES (with and without
 * unmap) and SECURE_ERASE, each with any number of segments up to VPLAT_BLK_SEGS. Features:
 * SIZE_MAX, SEG_MAX, GEOMETRY, RO, BLK_SIZE, FLUSH, TOPOLOGY, CONFIG_WCE, MQ, DISCARD,
 * WRITE_ZEROES, SECURE_ERASE and LIFETIME (only when the host end reports lifetime metrics).
 *
 * The device parses and checks each request (devicenormative:Device Types / Block Device /
 * Device Operation), then hands it to its host end as a struct vplat_blk_req: a byte offset,
 * a byte length and the guest data segments, zero-copy. The host end answers at once
 * (synchronous) or later through vplat_blk_complete() (asynchronous: io_uring, a thread
 * pool). The status byte is written after the data, and only then is the buffer used.
 *
 * Cache mode: a write is submitted with vplat_blk_req.sync set (the host end must make it
 * durable before completing it) unless FLUSH was negotiated and the cache is in writeback
 * mode (CONFIG_WCE not negotiated, or `writeback` = 1).
 *
 * Rate limits: an optional per-device struct vplat_ratelimit (IOPS and bytes) checked before
 * each request is started; a throttled queue simply stops popping until vplat_blk_resume().
 *
 * Freestanding; host ends are ops tables (lib/host: file with pread/pwritev, io_uring with a
 * thread-pool fallback; lib/devices/blk: an in-memory end for tests and RTOS builds).
 *
 * Thread rules: one thread at a time per request queue. A request of queue @e q is
 * completed (vplat_blk_complete()) by the thread that serves @e q. With a rate limit set, all
 * queues of the device share the limiter and must be served by one thread.
 */
#ifndef VPLAT_BLK_H
#define VPLAT_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/ratelimit.h"
#include "vplat/spec/virtio_blk.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Segments one request may have (header and status included); `seg_max` is this minus 2. */
#define VPLAT_BLK_SEGS 64u
/** Ranges one DISCARD, WRITE_ZEROES or SECURE_ERASE request may carry (`max_*_seg`). */
#define VPLAT_BLK_RANGES 16u
/** Request queues a device may have. */
#define VPLAT_BLK_MAX_QUEUES 16u
/** A host end's submit() returns this when it will call vplat_blk_complete() later. */
#define VPLAT_BLK_INPROGRESS 1

/** Operation of a struct vplat_blk_req. */
enum vplat_blk_op {
	VPLAT_BLK_OP_READ = 0,     /**< read @ref vplat_blk_req.len bytes into the segments */
	VPLAT_BLK_OP_WRITE,        /**< write the segments */
	VPLAT_BLK_OP_FLUSH,        /**< make completed writes durable (fdatasync) */
	VPLAT_BLK_OP_DISCARD,      /**< deallocate the ranges (contents undefined after) */
	VPLAT_BLK_OP_WRITE_ZEROES, /**< zero the ranges (range flag UNMAP: may deallocate) */
	VPLAT_BLK_OP_SECURE_ERASE, /**< erase the ranges so old data cannot be recovered */
};

/** One range of a DISCARD, WRITE_ZEROES or SECURE_ERASE, in bytes. */
struct vplat_blk_range {
	uint64_t offset; /**< first byte */
	uint64_t len;    /**< bytes */
	bool unmap;      /**< WRITE_ZEROES: deallocation allowed */
};

struct vplat_blk;

/**
 * A request handed to the host end. Storage belongs to the device (caller-provided at init);
 * the host end reads the public fields and may use @ref host_data until completion.
 */
struct vplat_blk_req {
	/* For the host end (read-only). */
	enum vplat_blk_op op;                          /**< what to do */
	uint64_t offset;                               /**< READ/WRITE: first byte on the disk */
	uint64_t len;                                  /**< READ/WRITE: bytes (multiple of 512) */
	struct vplat_iov *iov;                         /**< READ/WRITE: data segments in guest memory */
	uint32_t niov;                                 /**< entries in @ref iov */
	const struct vplat_blk_range *ranges;          /**< DISCARD/WRITE_ZEROES/SECURE_ERASE */
	uint32_t nranges;                              /**< entries in @ref ranges */
	bool sync;                                     /**< WRITE: durable before completion */
	uint16_t queue;                                /**< request queue index */
	uint64_t host_data[4];                         /**< scratch for the host end */
	/* Private to the device. */
	struct vplat_blk *blk;                         /**< owning device */
	struct vplat_blk_req *next_free;               /**< free list link */
	struct vplat_chain chain;                      /**< the popped chain */
	struct vplat_iov chain_iov[VPLAT_BLK_SEGS];    /**< chain segments */
	struct vplat_iov data_iov[VPLAT_BLK_SEGS];     /**< data part of the chain */
	struct vplat_blk_range range[VPLAT_BLK_RANGES]; /**< parsed ranges */
	uint8_t *status;                               /**< status byte in guest memory */
	uint32_t written;                              /**< used length on success */
	uint32_t gen;                                  /**< queue generation at pop */
	bool in_host;                                  /**< submitted, not completed */
	bool charged;                                  /**< rate limiter already charged */
};

/**
 * Host end of a block device. Tables are `static const`.
 */
struct vplat_blk_host_ops {
	/**
	 * Required. Start @p req.
	 * @return 0 when done successfully now; VPLAT_BLK_INPROGRESS when the host end will call
	 *         vplat_blk_complete() later (never from inside submit()); VPLAT_EAGAIN when the
	 *         host end is full (the device keeps the request and retries after the next
	 *         completion or vplat_blk_resume()); VPLAT_ENOTSUP (status UNSUPP) or another
	 *         negative code (status IOERR) when it failed now.
	 */
	int (*submit)(void *host, struct vplat_blk_req *req);
	/**
	 * Optional. End of a burst of submit() calls: an asynchronous end can submit its batch
	 * now. NULL: nothing to do.
	 */
	void (*kick)(void *host);
	/**
	 * Optional. Lifetime metrics (GET_LIFETIME). NULL: VIRTIO_BLK_F_LIFETIME is not offered
	 * (devicenormative: Device Operation: it MUST NOT be offered without real metrics).
	 * @return 0 or a negative VPLAT_E* (status IOERR)
	 */
	int (*lifetime)(void *host, struct vplat_virtio_blk_lifetime *out);
};

/** What the device offers. Zero fields take the default named. */
struct vplat_blk_config {
	uint64_t capacity;          /**< size in 512-byte sectors (required, may be 0) */
	uint32_t blk_size;          /**< logical block size, power of two >= 512 (default 512) */
	uint8_t physical_block_exp; /**< topology: log2(physical/logical block) */
	uint16_t min_io_size;       /**< topology: in logical blocks (default 1) */
	uint32_t opt_io_size;       /**< topology: in logical blocks (default 0 = none) */
	uint32_t size_max;          /**< largest segment in bytes (default 1 MiB) */
	uint16_t num_queues;        /**< request queues, 1..VPLAT_BLK_MAX_QUEUES (default 1) */
	uint16_t queue_size;        /**< largest queue size (default 256) */
	bool read_only;             /**< offer VIRTIO_BLK_F_RO and refuse every write */
	bool writeback;             /**< cache mode after reset: writeback (true) or writethrough */
	bool discard;               /**< offer VIRTIO_BLK_F_DISCARD */
	bool write_zeroes;          /**< offer VIRTIO_BLK_F_WRITE_ZEROES */
	bool write_zeroes_may_unmap; /**< WRITE_ZEROES with unmap may deallocate */
	bool secure_erase;          /**< offer VIRTIO_BLK_F_SECURE_ERASE */
	bool no_flush;              /**< do not offer FLUSH nor CONFIG_WCE (every write is sync) */
	/**
	 * Packed rings only: keep at most one request per queue in the host end, so requests
	 * complete in the order they were popped even on an asynchronous host end (for a
	 * transport whose crash recovery restarts a packed ring at its used position). vplat's
	 * vhost-user back end does not need it: its inflight region keeps a copy of every
	 * packed chain in flight (docs/vhost-user.md), and the factory leaves this off.
	 */
	bool packed_in_order;
	bool lifetime;              /**< offer VIRTIO_BLK_F_LIFETIME (needs the host's lifetime op) */
	uint32_t max_discard_sectors;  /**< per range (default: capacity, capped at UINT32_MAX) */
	uint32_t discard_alignment;    /**< sectors (default blk_size / 512) */
	uint32_t max_zeroes_sectors;   /**< per range (default as discard) */
	uint32_t max_erase_sectors;    /**< per range (default as discard) */
	char id[VPLAT_VIRTIO_BLK_ID_BYTES]; /**< GET_ID string (not NUL-terminated if 20 chars) */
};

/** Counters of a block device. */
struct vplat_blk_stats {
	uint64_t reads;        /**< IN requests completed OK */
	uint64_t writes;       /**< OUT requests completed OK */
	uint64_t flushes;      /**< FLUSH requests completed OK */
	uint64_t other;        /**< other requests completed OK */
	uint64_t read_bytes;   /**< bytes read */
	uint64_t write_bytes;  /**< bytes written */
	uint64_t ioerr;        /**< requests completed with IOERR */
	uint64_t unsupp;       /**< requests completed with UNSUPP */
	uint64_t malformed;    /**< chains with no room for the header or status (needs reset) */
	uint64_t throttled;    /**< times a queue stopped for the rate limiter */
};

/**
 * Alignment marker of struct vplat_blk_queue: empty. A cache-line alignment (alignas(64))
 * would make every struct embedding a block device over-aligned, and the instance layer and
 * callers allocate those with malloc (16-byte alignment): misaligned accesses (UBSan's
 * alignment check on arm64 found them). Two queues' states may share the cache line at their
 * boundary.
 */
#define VPLAT_BLK_QUEUE_ALIGN

/** Per-queue state. Private. */
struct vplat_blk_queue {
	/** free request slots */
	VPLAT_BLK_QUEUE_ALIGN struct vplat_blk_req *free;
	const struct vplat_blk_host_ops *host; /**< host end of this queue */
	void *host_opaque;             /**< argument for @ref host */
	struct vplat_blk_stats stats;  /**< this queue's counters */
	struct vplat_blk_req *pending; /**< popped, waiting for the limiter or the host end */
	uint32_t gen;                  /**< bumped on queue reset: late completions are dropped */
	uint32_t inflight;             /**< requests in the host end */
	bool in_process;               /**< inside the processing loop (notify at its end) */
	bool stalled;                  /**< stopped for lack of slots or host room */
	bool need_notify;              /**< a request completed since the last notification */
	bool throttled;                /**< @ref pending waits for the rate limiter */
};

/** A block device. Caller-allocated; fields are private. */
struct vplat_blk {
	struct vplat_device dev;                          /**< the virtio device */
	struct vplat_vq vqs[VPLAT_BLK_MAX_QUEUES];        /**< request queues */
	struct vplat_blk_queue q[VPLAT_BLK_MAX_QUEUES];   /**< per-queue state */
	struct vplat_virtio_blk_config config;            /**< config space (little-endian) */
	struct vplat_blk_config cfg;                      /**< configuration as given */
	const struct vplat_blk_host_ops *host;            /**< host end */
	void *host_opaque;                                /**< argument for the host end */
	struct vplat_ratelimit rl;                        /**< rate limiter */
	uint64_t (*clock)(void *opaque);                  /**< time source for the limiter */
	void *clock_opaque;                               /**< argument for @ref clock */
	uint64_t throttle_until;                          /**< ns at which a throttled queue may go */
	struct vplat_blk_stats stats;                     /**< sum of the queues' counters */
};

/**
 * Initialise a block device.
 *
 * @param blk          caller storage
 * @param mem          guest memory map
 * @param cfg          what to offer (copied)
 * @param host         host end (static const)
 * @param host_opaque  passed to the host end
 * @param reqs         request slots, owned by the caller, kept alive while @p blk is used;
 *                     split evenly between the queues (each queue needs at least one)
 * @param nreqs        entries in @p reqs
 * @return 0; VPLAT_EINVAL on NULL arguments, a bad block size or queue count, or fewer
 *         slots than queues
 */
VPLAT_API int vplat_blk_init(struct vplat_blk *blk, struct vplat_mem *mem,
			     const struct vplat_blk_config *cfg, const struct vplat_blk_host_ops *host,
			     void *host_opaque, struct vplat_blk_req *reqs, uint32_t nreqs);

/** @return the generic device, to bind to a transport. */
VPLAT_API struct vplat_device *vplat_blk_device(struct vplat_blk *blk);

/**
 * Complete a request the host end accepted with VPLAT_BLK_INPROGRESS. Writes the status
 * byte (after the data), returns the buffer to the driver, notifies it, and continues a
 * queue that had stopped for lack of slots. A request of a queue reset since it was started
 * is dropped silently.
 *
 * @param req     the request
 * @param result  0 (OK), VPLAT_ENOTSUP (UNSUPP) or another negative code (IOERR)
 *
 * Call from the thread that serves the request's queue, never from inside submit().
 */
VPLAT_API void vplat_blk_complete(struct vplat_blk_req *req, int result);

/**
 * Serve queue @p queue again: after a throttle delay (vplat_blk_throttle_ns()) or after the
 * host end had no room. Call from the thread that serves that queue.
 */
VPLAT_API void vplat_blk_resume(struct vplat_blk *blk, uint16_t queue);

/**
 * Set the rate limits at run time (IOPS and bytes; see vplat/ratelimit.h).
 *
 * @param blk     the device
 * @param cfg     the limits (all-zero lifts them)
 * @param clock   time source in nanoseconds (monotonic); required when a limit is set and no
 *                clock was given before (NULL keeps the previous one)
 * @param clock_opaque  passed to @p clock
 * @return 0, VPLAT_EINVAL (no clock with a limit), or an error of vplat_ratelimit_set()
 */
VPLAT_API int vplat_blk_set_ratelimit(struct vplat_blk *blk, const struct vplat_ratelimit_config *cfg,
				      uint64_t (*clock)(void *clock_opaque), void *clock_opaque);

/**
 * @return nanoseconds until a throttled queue may proceed (call vplat_blk_resume() then),
 *         or 0 if no queue is throttled
 */
VPLAT_API uint64_t vplat_blk_throttle_ns(struct vplat_blk *blk);

/**
 * Change the capacity at run time (device resize) and notify the driver.
 * @return 0
 */
VPLAT_API int vplat_blk_set_capacity(struct vplat_blk *blk, uint64_t sectors);

/** @return true if writes are currently submitted with vplat_blk_req.sync set. */
VPLAT_API bool vplat_blk_writethrough(const struct vplat_blk *blk);

/**
 * @return the device's counters: the sum of the queues' own counters, taken now (each queue
 *         counts in its own state, so that a thread per queue shares no line; call this
 *         where no queue is being processed, or accept counts that are a little stale)
 */
VPLAT_API const struct vplat_blk_stats *vplat_blk_stats(struct vplat_blk *blk);

/**
 * Give queue @p queue a host end of its own (by default every queue uses the one given to
 * vplat_blk_init()). With one asynchronous host end per queue, whose completions are polled
 * on the thread that processes the queue, queues share no state on the data path and can
 * be processed by different threads (the rate limiter excepted: leave it off then). Call
 * before the device runs.
 *
 * @param blk          the device
 * @param queue        queue index
 * @param host         host operations (submit required)
 * @param host_opaque  their argument
 * @return 0, or VPLAT_EINVAL
 */
VPLAT_API int vplat_blk_set_queue_host(struct vplat_blk *blk, uint16_t queue,
				       const struct vplat_blk_host_ops *host, void *host_opaque);

/* ------------------------------------------------------------------------------------------ */
/** @name In-memory host end (freestanding; tests, demos, RAM disks)
 * @{ */

/** Largest number of requests the in-memory end holds in asynchronous mode. */
#define VPLAT_BLK_MEM_QUEUE 256u

/** An in-memory disk with fault injection. Fill the public fields, then use it. */
struct vplat_blk_mem {
	uint8_t *data;      /**< disk contents (caller-owned) */
	uint64_t size;      /**< bytes in @ref data */
	bool async;         /**< complete requests in vplat_blk_mem_run(), not in submit() */
	bool reverse;       /**< async: complete the newest first (out of order) */
	uint32_t fail;      /**< the next @ref fail requests fail with VPLAT_EIO */
	uint32_t busy;      /**< the next @ref busy submits answer VPLAT_EAGAIN */
	bool unsupp;        /**< DISCARD/WRITE_ZEROES/SECURE_ERASE answer VPLAT_ENOTSUP */
	bool has_lifetime;  /**< report @ref lifetime (otherwise lifetime() is refused) */
	struct vplat_virtio_blk_lifetime lifetime; /**< metrics to report */
	uint64_t submits;   /**< submit calls */
	uint64_t flushes;   /**< flushes done */
	uint64_t kicks;     /**< kick calls */
	uint64_t sync_writes; /**< writes submitted with vplat_blk_req.sync */
	struct vplat_blk_req *queue[VPLAT_BLK_MEM_QUEUE]; /**< async: accepted requests */
	uint32_t nqueued;   /**< entries in @ref queue */
};

/** In-memory host end; the host argument is a struct vplat_blk_mem. */
VPLAT_API extern const struct vplat_blk_host_ops vplat_blk_host_mem;

/**
 * Asynchronous mode: perform and complete up to @p max accepted requests.
 * @return requests completed
 */
VPLAT_API uint32_t vplat_blk_mem_run(struct vplat_blk_mem *m, uint32_t max);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_BLK_H */
