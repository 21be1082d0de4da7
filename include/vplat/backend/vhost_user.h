/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/backend/vhost_user.h
 * vhost-user back-end: serve a vplat device to any vhost-user front-end (QEMU, DPDK's
 * virtio-user, cloud-hypervisor, crosvm, vplat's own front-end in vplat/vhost_user_frontend.h).
 *
 * Protocol: QEMU's docs/interop/vhost-user.rst. The back-end maps the front-end's guest memory
 * (SET_MEM_TABLE, ADD_MEM_REG/REM_MEM_REG) into a struct vplat_mem that the device uses, turns
 * vring user addresses into guest-physical ones, binds kick eventfds to vplat_device_kick() and
 * used-buffer notifications to call eventfds, and drives the device status itself when the
 * front-end does not send SET_STATUS: ACKNOWLEDGE|DRIVER, features, FEATURES_OK when the first
 * ring starts, queue enable per ring, DRIVER_OK.
 *
 * Supported requests: GET/SET_FEATURES, GET/SET_PROTOCOL_FEATURES, SET_OWNER, RESET_OWNER,
 * RESET_DEVICE, SET_MEM_TABLE, GET_MAX_MEM_SLOTS, ADD_MEM_REG, REM_MEM_REG, SET_VRING_NUM,
 * SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_KICK/CALL/ERR (with the no-fd flag),
 * SET_VRING_ENABLE, GET_QUEUE_NUM, GET/SET_CONFIG, GET/SET_INFLIGHT_FD, SET/GET_STATUS.
 * Protocol features offered: MQ, REPLY_ACK, CONFIG, INFLIGHT_SHMFD, RESET_DEVICE,
 * CONFIGURE_MEM_SLOTS, STATUS. Split and packed rings.
 *
 * The front-end is hostile: every message is checked (payload size, fd count, region overlap
 * and overflow in guest and user address space, vring addresses inside the memory table,
 * queue indices, config ranges). A message that breaks the protocol gets a failure reply (if
 * the front-end asked for one) and the connection is dropped: every received fd is closed and
 * every mapping undone. The process never dies on peer data.
 *
 * Threads and loop: the library owns no event loop. The embedder polls the fds that
 * vplat_vhu_backend_pollfds() lists and calls vplat_vhu_backend_handle() when one is readable,
 * or calls vplat_vhu_backend_poll() for one bounded iteration. A kick serves at most the
 * ring's dispatch budget (vplat_device_kick()); vplat_vhu_backend_poll() serves what a budget
 * left (and does not sleep while some is left), an embedder of vplat_vhu_backend_handle()
 * calls vplat_device_dispatch() while vplat_device_has_more() says so. One thread at a time
 * per back-end and its device. POSIX (Linux: memfd, eventfd).
 */
#ifndef VPLAT_VHOST_USER_H
#define VPLAT_VHOST_USER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/export.h"
#include "vplat/mem.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Protocol constants (vhost-user.rst)
 * @{ */
#define VPLAT_VHU_GET_FEATURES          1u  /**< reply u64: virtio + vhost-user feature bits */
#define VPLAT_VHU_SET_FEATURES          2u  /**< u64 */
#define VPLAT_VHU_SET_OWNER             3u  /**< session start */
#define VPLAT_VHU_RESET_OWNER           4u  /**< deprecated: disables every ring */
#define VPLAT_VHU_SET_MEM_TABLE         5u  /**< memory regions + one fd each */
#define VPLAT_VHU_SET_LOG_BASE          6u  /**< not supported */
#define VPLAT_VHU_SET_LOG_FD            7u  /**< not supported */
#define VPLAT_VHU_SET_VRING_NUM         8u  /**< vring state: queue size */
#define VPLAT_VHU_SET_VRING_ADDR        9u  /**< vring address description */
#define VPLAT_VHU_SET_VRING_BASE        10u /**< vring state: next available index */
#define VPLAT_VHU_GET_VRING_BASE        11u /**< stops the ring; reply vring state */
#define VPLAT_VHU_SET_VRING_KICK        12u /**< u64 index (+ no-fd flag), eventfd; starts the ring */
#define VPLAT_VHU_SET_VRING_CALL        13u /**< u64 index (+ no-fd flag), eventfd */
#define VPLAT_VHU_SET_VRING_ERR         14u /**< u64 index (+ no-fd flag), eventfd */
#define VPLAT_VHU_GET_PROTOCOL_FEATURES 15u /**< reply u64 */
#define VPLAT_VHU_SET_PROTOCOL_FEATURES 16u /**< u64 */
#define VPLAT_VHU_GET_QUEUE_NUM         17u /**< reply u64 */
#define VPLAT_VHU_SET_VRING_ENABLE      18u /**< vring state: 1 enables, 0 disables */
#define VPLAT_VHU_GET_CONFIG            24u /**< config description; reply the same size */
#define VPLAT_VHU_SET_CONFIG            25u /**< config description */
#define VPLAT_VHU_GET_INFLIGHT_FD       31u /**< inflight description; reply + memfd */
#define VPLAT_VHU_SET_INFLIGHT_FD       32u /**< inflight description + fd */
#define VPLAT_VHU_RESET_DEVICE          34u /**< reset device state, keep the session */
#define VPLAT_VHU_GET_MAX_MEM_SLOTS     36u /**< reply u64 */
#define VPLAT_VHU_ADD_MEM_REG           37u /**< single region + one fd */
#define VPLAT_VHU_REM_MEM_REG           38u /**< single region */
#define VPLAT_VHU_SET_STATUS            39u /**< u64 device status */
#define VPLAT_VHU_GET_STATUS            40u /**< reply u64 device status */

#define VPLAT_VHU_VERSION        0x1u       /**< header flags: protocol version */
#define VPLAT_VHU_FLAG_REPLY     (1u << 2)  /**< header flags: this is a reply */
#define VPLAT_VHU_FLAG_NEED_REPLY (1u << 3) /**< header flags: REPLY_ACK requested */
#define VPLAT_VHU_HDR_SIZE       12u        /**< request, flags, size */
#define VPLAT_VHU_MAX_PAYLOAD    4096u      /**< largest payload accepted */
#define VPLAT_VHU_MAX_FDS        8u         /**< most fds accepted with one message */
#define VPLAT_VHU_VRING_IDX_MASK 0xffu      /**< SET_VRING_KICK/CALL/ERR: queue index bits */
#define VPLAT_VHU_VRING_NOFD     (1u << 8)  /**< SET_VRING_KICK/CALL/ERR: no fd attached */

/** Virtio feature bit 30 reused by vhost-user: GET/SET_PROTOCOL_FEATURES exist. */
#define VPLAT_VHU_F_PROTOCOL_FEATURES 30
/** Virtio feature bit 26: dirty logging (not offered by vplat). */
#define VPLAT_VHU_F_LOG_ALL           26

#define VPLAT_VHU_PROTOCOL_F_MQ                  0  /**< GET_QUEUE_NUM */
#define VPLAT_VHU_PROTOCOL_F_LOG_SHMFD           1  /**< not offered */
#define VPLAT_VHU_PROTOCOL_F_REPLY_ACK           3  /**< need_reply flag honoured */
#define VPLAT_VHU_PROTOCOL_F_BACKEND_REQ         5  /**< not offered */
#define VPLAT_VHU_PROTOCOL_F_CONFIG              9  /**< GET/SET_CONFIG */
#define VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD      12 /**< GET/SET_INFLIGHT_FD */
#define VPLAT_VHU_PROTOCOL_F_RESET_DEVICE        13 /**< RESET_DEVICE */
#define VPLAT_VHU_PROTOCOL_F_CONFIGURE_MEM_SLOTS 15 /**< ADD/REM_MEM_REG, GET_MAX_MEM_SLOTS */
#define VPLAT_VHU_PROTOCOL_F_STATUS              16 /**< SET/GET_STATUS */

/** Protocol features the vplat back-end offers. */
#define VPLAT_VHU_BACKEND_PROTOCOL_FEATURES                                                        \
	(VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_MQ) | VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_REPLY_ACK) |           \
	 VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_CONFIG) | VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD) | \
	 VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_RESET_DEVICE) |                                            \
	 VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |                                     \
	 VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_STATUS))

/** Memory regions a back-end can hold (ADD_MEM_REG slots; SET_MEM_TABLE sends at most 8). */
#define VPLAT_VHU_MAX_REGIONS 32u
/** Queues a back-end can serve. */
#define VPLAT_VHU_MAX_QUEUES  64u
/** Largest config space access (GET/SET_CONFIG payload after its 12-byte header). */
#define VPLAT_VHU_MAX_CONFIG  256u
/** @} */

/** Log levels of struct vplat_vhu_backend_params.log. */
enum vplat_vhu_log_level {
	VPLAT_VHU_LOG_ERROR = 0, /**< the connection is dropped or a call failed */
	VPLAT_VHU_LOG_WARN = 1,  /**< the peer did something odd but the session goes on */
	VPLAT_VHU_LOG_INFO = 2,  /**< session events: connect, memory table, ring start/stop */
	VPLAT_VHU_LOG_DEBUG = 3, /**< every message */
};

/**
 * Log sink. @p msg is a NUL-terminated line without a newline; valid during the call only.
 */
typedef void (*vplat_vhu_log_fn)(void *opaque, enum vplat_vhu_log_level level, const char *msg);

/** One mapped guest memory region (private to the back-end). */
struct vplat_vhu_region {
	uint64_t gpa;         /**< guest-physical address */
	uint64_t size;        /**< bytes */
	uint64_t uaddr;       /**< front-end user (virtual) address */
	uint64_t mmap_offset; /**< offset of the region in its fd */
	void *map;            /**< our mapping of [0, mmap_offset + size) of the fd */
	uint64_t map_size;    /**< bytes of @ref map */
};

/** Per-ring state of the back-end (private). */
struct vplat_vhu_vring {
	int kick_fd;          /**< eventfd the front-end kicks, or -1 */
	int call_fd;          /**< eventfd we signal used buffers on, or -1 */
	int err_fd;           /**< eventfd we signal errors on, or -1 */
	uint32_t num;         /**< SET_VRING_NUM */
	uint32_t base;        /**< SET_VRING_BASE value (with packed wrap bit 15) */
	uint64_t desc_ua;     /**< descriptor area, front-end user address */
	uint64_t driver_ua;   /**< available ring / driver area, user address */
	uint64_t device_ua;   /**< used ring / device area, user address */
	uint64_t desc_gpa;    /**< descriptor area, translated to guest-physical */
	uint64_t driver_gpa;  /**< available ring / driver area, guest-physical */
	uint64_t device_gpa;  /**< used ring / device area, guest-physical */
	bool addr_set;        /**< SET_VRING_ADDR seen */
	bool started;         /**< kick fd (or polling) set and queue running */
	bool enabled;         /**< SET_VRING_ENABLE (or no PROTOCOL_FEATURES) */
	bool polling;         /**< started with the no-fd flag: the embedder must poll */
	uint16_t *resubmit;   /**< inflight recovery: heads to pop again (malloc'd), or NULL */
	uint16_t nresubmit;   /**< entries of @ref resubmit */
	uint64_t kicks;       /**< kicks received */
	uint64_t calls;       /**< calls signalled */
	uint16_t polled_avail; /**< busy polling: split available index at the last pass's kick */
	uint16_t polled_skips; /**< busy polling: passes skipped since that kick */
	bool polled_more;     /**< busy polling: that kick took chains (more may wait) */
	uint64_t counter;     /**< inflight tracking: next fetch counter of this ring */
	struct vplat_pvirtq_desc *replay; /**< inflight recovery, packed rings: copies of the
					   *   chains to pop again (malloc'd), or NULL */
	uint16_t nreplay;     /**< descriptors in @ref replay */
	uint16_t nreplay_seen; /**< inflight tracking: vplat_vq::nreplay after the last pop */
	uint16_t *copy_free;  /**< inflight tracking, packed rings: free descriptor-copy slots of
			       *   the region (malloc'd), or NULL */
	uint16_t ncopy_free;  /**< entries of @ref copy_free */
};

/** Back-end parameters. */
struct vplat_vhu_backend_params {
	vplat_vhu_log_fn log;         /**< optional log sink; NULL drops messages */
	void *log_opaque;             /**< argument for @ref log */
	enum vplat_vhu_log_level log_level; /**< most verbose level passed to @ref log */
	uint64_t protocol_features;   /**< protocol features to offer; 0 = VPLAT_VHU_BACKEND_PROTOCOL_FEATURES */
	uint64_t feature_mask;        /**< virtio features to hide from the offer (0 = none) */
	uint32_t io_timeout_ms;       /**< longest wait for the rest of a message; 0 = 1000 */
	/**
	 * The device completes requests in the order it takes them. Kept for source
	 * compatibility and no longer used: inflight recovery records every pop and push
	 * (vplat_vq::track) and resubmits the requests in flight, in fetch order, whatever order
	 * the device completes in: split rings by head, packed rings from copies of their
	 * descriptors.
	 */
	bool completes_in_order;
};

/** Counters. */
struct vplat_vhu_stats {
	uint64_t messages;     /**< messages handled */
	uint64_t errors;       /**< messages refused (each dropped the connection) */
	uint64_t connections;  /**< connections accepted by vplat_vhu_backend_set_conn() */
	uint64_t kicks;        /**< kicks dispatched to the device (not counted while queue
				    threads run: see vplat_vhu_vring.kicks) */
	uint64_t calls;        /**< used-buffer notifications signalled (not counted while
				    queue threads run: see vplat_vhu_vring.calls) */
	uint64_t faults;       /**< SIGBUS faults in guest memory caught (each dropped the
				    connection; see vplat_vhu_backends_guard()) */
};

/** Inflight region state (private). */
struct vplat_vhu_inflight {
	int fd;              /**< memfd, or -1 */
	void *map;           /**< mapping of the whole region, or NULL */
	uint64_t size;       /**< bytes mapped */
	uint64_t offset;     /**< mmap offset given by the front-end */
	uint16_t num_queues; /**< queues described */
	uint16_t queue_size; /**< descriptors per queue region */
	uint64_t counter;    /**< unused (kept for layout): the fetch counters are per ring (vplat_vhu_vring.counter) */
	/**
	 * Test-only kill point, read from the environment by vplat_vhu_backend_init() in a
	 * build configured with -DVPLAT_TEST_HOOKS=ON (the default only when the tests are
	 * built; always 0 otherwise): VPLAT_TEST_KILL_AFTER_POP=N raises SIGKILL right after
	 * the N-th chain popped (taken, not completed). 0 = off.
	 */
	uint64_t kill_after_pop;
	/**
	 * Test-only kill point (VPLAT_TEST_HOOKS builds only): VPLAT_TEST_KILL_AFTER_PUSH=N
	 * raises SIGKILL right after the N-th used element was published and before the
	 * inflight region records it. 0 = off.
	 */
	uint64_t kill_after_push;
	uint64_t pops;   /**< chains popped on tracked rings (for the kill points) */
	uint64_t pushes; /**< chains pushed on tracked rings (for the kill points) */
};

/** A vhost-user back-end. Caller-allocated; fields are read-only to users. */
struct vplat_vhu_backend {
	struct vplat_vhu_backend_params p;               /**< copy of the parameters */
	struct vplat_device *dev;                        /**< the served device, or NULL */
	int conn;                                        /**< connected socket, or -1 */
	struct vplat_mem mem;                            /**< guest memory map for the device */
	struct vplat_mem_region mem_storage[VPLAT_VHU_MAX_REGIONS]; /**< storage of @ref mem */
	struct vplat_vhu_region regions[VPLAT_VHU_MAX_REGIONS]; /**< mapped regions */
	uint32_t nregions;                               /**< entries in @ref regions */
	struct vplat_vhu_vring vrings[VPLAT_VHU_MAX_QUEUES]; /**< per-ring state */
	uint64_t features;                               /**< SET_FEATURES value */
	bool features_set;                               /**< SET_FEATURES seen */
	uint64_t protocol_features;                      /**< negotiated protocol features */
	bool owner;                                      /**< SET_OWNER seen */
	struct vplat_vhu_inflight inflight;              /**< inflight tracking region */
	struct vplat_vhu_stats stats;                    /**< counters */
	uint8_t reply[VPLAT_VHU_HDR_SIZE + VPLAT_VHU_MAX_PAYLOAD]; /**< last reply built */
	uint32_t reply_len;                              /**< bytes of @ref reply, 0 if none */
	int reply_fd;                                    /**< fd to send with the reply, or -1 */
	void *opaque;                                    /**< for the user */
	struct vplat_vhu_threads *threads; /**< queue threads (vplat_vhu_backend_start_threads()), or NULL */
};

/**
 * Initialise a back-end with no device and no connection.
 *
 * @param b  caller storage
 * @param p  parameters (copied); NULL for defaults
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_vhu_backend_init(struct vplat_vhu_backend *b,
				     const struct vplat_vhu_backend_params *p);

/**
 * @param b  an initialised back-end
 * @return the guest memory map the back-end fills from the front-end's memory table; pass it
 *         to the device's init function. Owned by @p b.
 */
VPLAT_API struct vplat_mem *vplat_vhu_backend_mem(struct vplat_vhu_backend *b);

/**
 * Serve @p dev. The device must have been initialised on vplat_vhu_backend_mem(@p b) and have
 * at most VPLAT_VHU_MAX_QUEUES queues; it is attached (vplat_device_attach()) to the back-end.
 *
 * @return 0; VPLAT_EINVAL on a device with another memory map or too many queues;
 *         VPLAT_EBUSY if a device is already served
 */
VPLAT_API int vplat_vhu_backend_attach(struct vplat_vhu_backend *b, struct vplat_device *dev);

/**
 * Hand a connected socket to the back-end, which owns it from now on (closed on disconnect).
 * A previous connection is dropped first.
 *
 * @param b   a back-end with a device attached
 * @param fd  a connected AF_UNIX stream socket
 * @return 0, VPLAT_EINVAL for a negative fd, VPLAT_ENODEV if no device is attached (the fd
 *         is closed then)
 */
VPLAT_API int vplat_vhu_backend_set_conn(struct vplat_vhu_backend *b, int fd);

/** @return true while a front-end is connected. */
VPLAT_API bool vplat_vhu_backend_connected(const struct vplat_vhu_backend *b);

/** What a pollable fd of the back-end stands for. */
struct vplat_vhu_pollfd {
	int fd;         /**< the fd to poll for reading */
	int32_t queue;  /**< queue index for a kick fd; -1 for the vhost-user socket */
};

/**
 * List the fds to poll for reading: the socket and each started ring's kick fd.
 *
 * @param b    the back-end
 * @param out  storage for up to @p cap entries
 * @param cap  capacity (VPLAT_VHU_MAX_QUEUES + 1 always suffices)
 * @return entries written
 */
VPLAT_API size_t vplat_vhu_backend_pollfds(const struct vplat_vhu_backend *b,
					   struct vplat_vhu_pollfd *out, size_t cap);

/**
 * Handle a readable fd listed by vplat_vhu_backend_pollfds(): read and process one message
 * from the socket, or drain a kick eventfd and kick the device.
 *
 * @param b   the back-end
 * @param pf  the entry that polled readable
 * Runs under vplat_vhu_backends_guard(): a SIGBUS in this back-end's guest memory (the
 * front-end shrank a memory file under the mapping) drops the front-end instead of killing
 * the process.
 *
 * @return 0; VPLAT_ENODEV if the front-end disconnected or was dropped for a protocol
 *         violation or a fault in its memory (the back-end is back to "not connected", every
 *         fd and mapping released)
 */
VPLAT_API int vplat_vhu_backend_handle(struct vplat_vhu_backend *b,
				       const struct vplat_vhu_pollfd *pf);

/**
 * One bounded iteration of a poll loop over vplat_vhu_backend_pollfds(): waits up to
 * @p timeout_ms for any fd and handles every readable one. Rings started in polling mode
 * (no kick fd) are kicked once per call.
 *
 * @return 0 (including timeouts); VPLAT_ENODEV when the connection ended
 */
VPLAT_API int vplat_vhu_backend_poll(struct vplat_vhu_backend *b, int timeout_ms);

/**
 * Busy-polling service: process every started, enabled ring once, as if it had been kicked,
 * and ask the driver not to kick (embedders that poll rings from a dedicated core call this in
 * a loop instead of waiting for kick fds). vplat_vhu_backend_handle() still serves the socket.
 *
 * @param b  the back-end
 * @return rings that made progress (the device took at least one chain from them); 0 means
 *         the pass found no work (a receive ring whose buffers wait for frames is no work)
 */
VPLAT_API unsigned vplat_vhu_backend_service(struct vplat_vhu_backend *b);

/**
 * @p passes calls of vplat_vhu_backend_service() under one SIGBUS guard (the guard's set-up,
 * a sigsetjmp, is paid once): the busy-polling loop's unit of work.
 *
 * @param b       the back-end
 * @param passes  passes over the rings
 * @return the sum of the passes' progress counts (0: no pass found work)
 */
VPLAT_API unsigned vplat_vhu_backend_service_n(struct vplat_vhu_backend *b, unsigned passes);

/**
 * End of busy polling, before sleeping on the kick fds: ask the driver to kick again on
 * every ring vplat_vhu_backend_service() silenced, then serve what arrived meanwhile. If
 * this returns 0, every buffer made available from now on comes with a kick, so the caller
 * may sleep in poll(2); otherwise work arrived and it should go on polling.
 *
 * @param b  the back-end
 * @return rings that made progress in the last look
 */
VPLAT_API unsigned vplat_vhu_backend_rearm(struct vplat_vhu_backend *b);

/** State of vplat_vhu_busy_spin() for one polling loop; zero-initialise. */
struct vplat_vhu_busy {
	uint32_t idle_ns;   /**< fall back to sleeping after this long without work; 0 = 2 ms */
	int64_t idle_since; /**< private: start of the current idle stretch (ns), 0 = not idle */
};

/**
 * One turn of a busy-polling loop over several back ends (a daemon's main thread on its own
 * core): up to 4096 passes of vplat_vhu_backend_service() over every back end of @p bs, each
 * pass followed by @p pass(@p arg), the host-end work that moves data between passes (e.g.
 * vplat_platform_dispatch(): a switch forwarding from one back end's device to another's).
 * Passes run in groups of 32 under one vplat_vhu_backends_guard() over @p bs, so @p pass may
 * write the guest memory of any of them. The rings' kicks stay off (the driver does not
 * kick while the daemon polls).
 *
 * Between turns the caller looks at its sockets and host-end fds without sleeping. When the
 * rings have taken no chain (and @p pass returned no positive value) for @p st->idle_ns, this
 * returns true: the caller then calls vplat_vhu_backends_rearm() and, if that found no work,
 * sleeps in poll(2) on the kick fds until a driver kicks, so an idle daemon burns no core.
 * The idle clock runs across turns.
 *
 * @param st    the loop's state
 * @param bs    the back ends (NULL entries and back ends without a front end are skipped)
 * @param n     entries in @p bs
 * @param pass  optional host-end work after every pass; a positive return counts as work
 * @param arg   passed to @p pass
 * @param stop  optional: the turn ends early once *@p stop is nonzero (a signal flag)
 * @return true: idle for @p st->idle_ns, re-arm and sleep; false: spin again
 */
VPLAT_API bool vplat_vhu_busy_spin(struct vplat_vhu_busy *st, struct vplat_vhu_backend *const *bs,
				   size_t n, int (*pass)(void *arg), void *arg,
				   const volatile sig_atomic_t *stop);

/**
 * vplat_vhu_backend_rearm() for each back end of @p bs, under one guard: the end of busy
 * polling before sleeping.
 *
 * @param bs  the back ends (NULL entries skipped)
 * @param n   entries in @p bs
 * @return rings that made progress in the last look (also nonzero after a caught fault); 0:
 *         every buffer made available from now on comes with a kick
 */
VPLAT_API unsigned vplat_vhu_backends_rearm(struct vplat_vhu_backend *const *bs, size_t n);

/**
 * Process one message held in memory, as if it had arrived on the socket with no fds
 * (the parser's entry point for fuzzing and tests). A reply is built in
 * vplat_vhu_backend.reply and sent only if a socket is connected.
 *
 * @param b    a back-end with a device attached
 * @param buf  header and payload
 * @param len  bytes of @p buf
 * @return 0; VPLAT_EPROTO if the message was refused (the session state is reset as on a
 *         disconnect)
 */
VPLAT_API int vplat_vhu_backend_process(struct vplat_vhu_backend *b, const void *buf, size_t len);

/**
 * Process one message held in memory together with descriptors, as if it had arrived on the
 * socket with them attached (SCM_RIGHTS): the same handler as vplat_vhu_backend_process(),
 * for an in-process front end (fuzzing, tests) that skips the socket round trip. The
 * descriptors stay the caller's: the back end dup()s the ones it keeps (the inflight region,
 * the ring eventfds) and neither closes nor keeps the others (on the socket it closes them);
 * the memory table's files are mapped from them as from received ones.
 *
 * @param b     a back-end with a device attached
 * @param buf   header and payload
 * @param len   bytes of @p buf
 * @param fds   the descriptors that come with the message (may be NULL when @p nfds is 0)
 * @param nfds  how many (more than VPLAT_VHU_MAX_FDS is a refused message)
 * @return 0; VPLAT_EINVAL for bad arguments; VPLAT_EPROTO if the message was refused (the
 *         session state is reset as on a disconnect), also when a descriptor the back end
 *         would keep cannot be duplicated (no descriptor left)
 */
VPLAT_API int vplat_vhu_backend_process_fds(struct vplat_vhu_backend *b, const void *buf,
					    size_t len, const int *fds, uint32_t nfds);

/**
 * Run @p fn(@p arg) so that a SIGBUS raised by an access to the guest memory (or inflight
 * region) of one of the back-ends @p bs does not kill the process. This is how the hosted
 * layer survives a front-end that truncates a shared memory file after sending it: the
 * size is checked when a region is mapped, but a later ftruncate() makes the pages past
 * the new end raise SIGBUS on access.
 *
 * A process-wide SIGBUS handler is installed on first use (the previous action is kept and
 * still runs for any SIGBUS outside a guarded back-end's mappings, or outside a guard). On a
 * fault inside one, execution jumps back here (siglongjmp): @p fn is abandoned where it
 * was, the faulted back-end's mappings are replaced in place by zero pages, the fault is
 * counted (vplat_vhu_stats.faults) and logged, and that back-end is disconnected
 * (vplat_vhu_backend_disconnect(): rings stopped, device reset); it then accepts the next
 * front-end. Guards nest. vplat_vhu_backend_handle(), vplat_vhu_backend_poll(),
 * vplat_vhu_backend_service() and vplat_vhu_backend_process() guard themselves; a daemon
 * wraps its host-end work that writes guest memory (vplat_instance_dispatch(): asynchronous
 * completions, received frames) with this call. Only the calling thread is covered.
 *
 * @param bs   back-ends whose memory faults are caught (NULL entries skipped)
 * @param n    entries in @p bs
 * @param fn   the work
 * @param arg  passed to @p fn
 * @return what @p fn returned; VPLAT_EFAULT after a caught fault; VPLAT_EINVAL if @p fn is NULL
 */
VPLAT_API int vplat_vhu_backends_guard(struct vplat_vhu_backend *const *bs, size_t n,
				       int (*fn)(void *arg), void *arg);

/** Queue threads of a back-end (private; vplat_vhu_backend_start_threads()). */
struct vplat_vhu_threads;

/** Parameters of vplat_vhu_backend_start_threads(). */
struct vplat_vhu_threads_params {
	uint16_t nthreads; /**< threads, 1..VPLAT_VHU_MAX_QUEUES */
	/**
	 * Consecutive queues served by one thread (net: 2, a receive/transmit pair; 0 = 1).
	 * Queue q is served by thread (q / group) mod nthreads.
	 */
	uint16_t group;
	bool busy_poll;    /**< spin on the rings (with a fallback to sleeping when idle) */
	uint32_t idle_ns;  /**< busy polling: sleep after this long without work; 0 = 2 ms */
	/**
	 * Optional: the host-end fds of queue @p q (e.g. its io_uring completion eventfd),
	 * polled by the queue's thread. Called with the threads parked (at start and after
	 * every control message); returns the fds written, at most @p max.
	 */
	unsigned (*host_fds)(void *opaque, uint16_t q, int *fds, unsigned max);
	/**
	 * Optional: host-end work of queue @p q (completions), run on the queue's thread when
	 * one of its host fds is readable and, when busy polling, once per round of passes.
	 * Runs under the back-end's SIGBUS guard. Must touch only queue @p q's state.
	 */
	void (*host_dispatch)(void *opaque, uint16_t q);
	void *opaque; /**< argument of the callbacks */
};

/**
 * Serve the rings from threads of their own: each thread owns a set of queues (see
 * vplat_vhu_threads_params.group) and runs its own epoll loop (or busy-poll loop) over their
 * kick fds and host-end fds; nothing on the data path takes a lock. The caller's thread keeps
 * serving the vhost-user socket (vplat_vhu_backend_pollfds() then lists only the socket):
 * before every message, and on disconnect, the queue threads are parked (each acknowledges
 * at the top of its loop, outside any ring access) and resumed after it, so the control path
 * (SET_VRING_*, GET_VRING_BASE, the memory table, reset) never runs beside ring processing.
 * A SIGBUS in guest memory on a queue thread zeroes the mappings, counts and logs the fault
 * and shuts the socket down: the caller's thread then sees the front-end go and disconnects.
 *
 * The device must keep its per-queue state apart (vplat's blk does; its rate limiter is
 * shared, so do not combine one with several threads).
 *
 * @param b  a back-end with a device attached
 * @param p  parameters (copied)
 * @return 0; VPLAT_EINVAL on bad parameters; VPLAT_EBUSY if threads already run;
 *         VPLAT_ENOMEM or VPLAT_EIO if a thread or its fds could not be created
 */
VPLAT_API int vplat_vhu_backend_start_threads(struct vplat_vhu_backend *b,
					      const struct vplat_vhu_threads_params *p);

/**
 * Stop and join the queue threads (the rings stay as they are; the caller's thread may serve
 * them again). Safe without threads. vplat_vhu_backend_fini() calls it.
 */
VPLAT_API void vplat_vhu_backend_stop_threads(struct vplat_vhu_backend *b);

/**
 * Drop the connection: stop every ring, reset the device, close every fd, unmap every region
 * and the inflight area. Safe when not connected.
 */
VPLAT_API void vplat_vhu_backend_disconnect(struct vplat_vhu_backend *b);

/** Disconnect and detach the device. Safe to call twice. */
VPLAT_API void vplat_vhu_backend_fini(struct vplat_vhu_backend *b);

/**
 * Listen on a Unix socket path (unlinks a stale socket first).
 * @param path  socket path
 * @return the listening fd (close-on-exec), or a negative VPLAT_E* code
 */
VPLAT_API int vplat_vhu_listen(const char *path);

/**
 * Connect to a Unix socket path, retrying until @p timeout_ms passed.
 * @param path        socket path
 * @param timeout_ms  how long to keep retrying (0: one attempt)
 * @return the connected fd (close-on-exec), or a negative VPLAT_E* code
 */
VPLAT_API int vplat_vhu_connect(const char *path, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_VHOST_USER_H */
