/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/val/vhost_user_frontend.h
 * vhost-user front-end: drive any vhost-user back-end (vplat-device, qemu-storage-daemon,
 * DPDK's vhost PMD, ...) with the validation driver (vplat/val.h).
 *
 * The front-end owns the guest memory (a memfd, mapped shared and sent with SET_MEM_TABLE)
 * and is a transport of the validation driver (struct vplat_val_transport_ops, bound by
 * vplat_vhu_frontend_val_init(); vplat_val_dev.transport is VPLAT_VAL_CUSTOM) whose
 * operations become vhost-user messages. Feature negotiation maps to GET/SET_FEATURES (and
 * SET/GET_STATUS when offered); enabling a queue to SET_VRING_NUM/ADDR/BASE/CALL/ERR/KICK/ENABLE
 * (sent when the driver sets DRIVER_OK, as QEMU starts vhost rings only then); a kick to a
 * write on the ring's kick eventfd; the interrupt status to the call eventfds (and the error
 * eventfds, which a back-end signals when the device needs a reset, as a configuration
 * change); config space to GET/SET_CONFIG; a status write of 0 to GET_VRING_BASE on every
 * ring plus RESET_DEVICE. There is no configuration generation (it reads 0) and no queue
 * reset. The conformance suite and the benchmarks therefore reach a vhost-user back-end
 * exactly as they reach an in-process device, except for the transport's own registers:
 * @code
 * struct vplat_vhu_frontend fe;
 * struct vplat_vhu_frontend_params p = {.path = "/run/blk.sock",
 *                                       .device_id = VPLAT_VIRTIO_ID_BLOCK,
 *                                       .mem_size = 64 << 20};
 * vplat_vhu_frontend_init(&fe, &p);
 * struct vplat_val_dev d;
 * vplat_vhu_frontend_val_init(&fe, &d);
 * vplat_val_negotiate(&d, ...);   // then vplat_val_vq_setup(), vplat_val_driver_ok(), ...
 * @endcode
 *
 * With INFLIGHT_SHMFD the front-end asks the back-end for an inflight region before the first
 * ring starts and keeps it; vplat_vhu_frontend_reconnect() hands it to a restarted back-end
 * together with the memory table and every ring (split rings restart from the used index),
 * so requests the dead back-end had taken are resubmitted.
 *
 * POSIX (Linux: memfd, eventfd). Thread rules: one thread at a time per front-end and the
 * driver bound to it. The back-end must run elsewhere (another process or thread): calls wait
 * for its replies.
 */
#ifndef VPLAT_VHOST_USER_FRONTEND_H
#define VPLAT_VHOST_USER_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/val/val.h"
#include "vplat/backend/vhost_user.h"

#ifdef __cplusplus
extern "C" {
#endif

/** vplat_val_dev.vendor_id of a driver bound to the front-end ("VHU1"). */
#define VPLAT_VHU_FRONTEND_VENDOR 0x31554856u
/** Default guest-physical base of the front-end's memory. */
#define VPLAT_VHU_FRONTEND_GPA UINT64_C(0x40000000)

/** Front-end parameters. */
struct vplat_vhu_frontend_params {
	const char *path;        /**< socket to connect to; NULL: use @ref fd */
	int fd;                  /**< with @ref path NULL: a connected socket, owned from init on */
	uint32_t device_id;      /**< virtio device ID to present; required */
	uint64_t mem_size;       /**< guest memory bytes, a multiple of 4096; 0 = 16 MiB */
	uint64_t mem_gpa;        /**< guest-physical base; 0 = VPLAT_VHU_FRONTEND_GPA */
	uint16_t queue_size_max; /**< maximum queue size presented; 0 = 256 */
	uint16_t num_queues;     /**< queues if the back-end lacks MQ; 0 = 1 */
	uint32_t timeout_ms;     /**< connect and reply timeout; 0 = 5000 */
	bool no_inflight;        /**< do not set up an inflight region even if offered */
	bool no_status;          /**< do not use SET/GET_STATUS even if offered */
};

/** Front-end view of one ring (private). */
struct vplat_vhu_frontend_vq {
	uint16_t size;   /**< queue size */
	uint64_t desc;   /**< descriptor area guest address */
	uint64_t driver; /**< driver area guest address */
	uint64_t device; /**< device area guest address */
	bool ready;      /**< the driver enabled the queue */
	bool started;    /**< started on the back-end (from DRIVER_OK on, as QEMU does) */
	int kick_fd;     /**< our end of the kick eventfd, or -1 */
	int call_fd;     /**< our end of the call eventfd, or -1 */
	int err_fd;      /**< our end of the error eventfd (a configuration interrupt), or -1 */
};

/** A vhost-user front-end. Caller-allocated; fields are read-only to users. */
struct vplat_vhu_frontend {
	struct vplat_vhu_frontend_params p;   /**< copy of the parameters */
	int sock;                             /**< connection, or -1 */
	int memfd;                            /**< guest memory */
	uint8_t *mem;                         /**< mapping of @ref memfd */
	struct vplat_val_mem dma;             /**< driver view of @ref mem */
	uint64_t backend_features;            /**< GET_FEATURES */
	uint64_t protocol_features;           /**< negotiated protocol features */
	uint64_t driver_features;             /**< features written by the driver */
	uint8_t status;                       /**< device status as the driver wrote it */
	uint16_t nqueues;                     /**< queues presented */
	struct vplat_vhu_frontend_vq vqs[VPLAT_VHU_MAX_QUEUES]; /**< per-ring state */
	uint32_t isr;                         /**< pending interrupt causes (vplat_val_isr()) */
	uint64_t irq_count;                   /**< call eventfd signals seen */
	int inflight_fd;                      /**< inflight region from the back-end, or -1 */
	uint64_t inflight_size;               /**< its mmap size */
	uint16_t inflight_queues;             /**< queues it covers */
	uint16_t inflight_qsize;              /**< queue size it covers */
	int reply_fd;                         /**< fd that came with the last reply, or -1 */
	uint64_t errors;                      /**< failed vhost-user exchanges */
	int last_error;                       /**< VPLAT_E* of the last failure, or 0 */
	void *opaque;                         /**< for the user */
};

/**
 * Create guest memory, connect and run the handshake: GET_FEATURES, GET/SET_PROTOCOL_FEATURES,
 * GET_QUEUE_NUM, SET_OWNER, SET_MEM_TABLE.
 *
 * @param fe  caller storage
 * @param p   parameters (copied; @p p->path must stay valid for reconnects)
 * @return 0; VPLAT_EINVAL on bad parameters; VPLAT_ENOMEM if the memory cannot be created;
 *         VPLAT_ETIMEDOUT / VPLAT_EIO if the back-end cannot be reached; VPLAT_EPROTO if it
 *         answers out of protocol. On error everything is released.
 */
VPLAT_API int vplat_vhu_frontend_init(struct vplat_vhu_frontend *fe,
				      const struct vplat_vhu_frontend_params *p);

/**
 * @param fe  an initialised front-end
 * @return the driver's DMA memory (the shared guest memory). Owned by @p fe.
 */
VPLAT_API struct vplat_val_mem *vplat_vhu_frontend_dma(struct vplat_vhu_frontend *fe);

/**
 * Bind a validation driver: vplat_val_init_transport() with the front-end's transport, the
 * front-end as its context and the front-end's memory.
 * @param fe  an initialised front-end
 * @param d   caller storage for the driver
 * @return 0 or an error of vplat_val_init()
 */
VPLAT_API int vplat_vhu_frontend_val_init(struct vplat_vhu_frontend *fe, struct vplat_val_dev *d);

/**
 * Reconnect to a restarted back-end: connect again (retrying until the timeout), repeat the
 * handshake and memory table, hand over the inflight region, restore the features and every
 * ready ring (split rings from the used index, packed rings from their start), then kick
 * every ring.
 *
 * @param fe  a front-end whose back-end went away
 * @return 0 or the error of the first step that failed
 */
VPLAT_API int vplat_vhu_frontend_reconnect(struct vplat_vhu_frontend *fe);

/**
 * Send one raw message and wait for its reply if @p reply_size is not 0 (hostile-front-end
 * tests use it).
 *
 * @param fe          a connected front-end
 * @param request     VPLAT_VHU_* request
 * @param flags       header flags (the version is added)
 * @param payload     payload bytes, may be NULL if @p size is 0
 * @param size        payload size
 * @param fds         fds to pass (not closed), may be NULL
 * @param nfds        number of fds
 * @param reply       where to store the reply payload, may be NULL
 * @param reply_size  bytes expected in the reply (0: do not wait for one)
 * @return 0; VPLAT_EIO if sending failed; VPLAT_EPROTO on a reply of the wrong request or
 *         size; VPLAT_ENODEV if the back-end closed the connection
 */
VPLAT_API int vplat_vhu_frontend_call(struct vplat_vhu_frontend *fe, uint32_t request,
				      uint32_t flags, const void *payload, uint32_t size,
				      const int *fds, uint32_t nfds, void *reply,
				      uint32_t reply_size);

/** Close the connection, the eventfds, the inflight fd and the memory. Safe to call twice. */
VPLAT_API void vplat_vhu_frontend_fini(struct vplat_vhu_frontend *fe);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_VHOST_USER_FRONTEND_H */
