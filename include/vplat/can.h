/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/can.h
 * CAN device (virtio-can, device ID 36, virtio 1.4; sec: Device Types / CAN Device) and its
 * host ends: SocketCAN raw sockets and a virtual CAN bus connecting any number of vplat CAN
 * devices and SocketCAN ports.
 *
 * Features: CAN_CLASSIC (0), CAN_FD (1), RTR_FRAMES (2, needs CAN_CLASSIC), LATE_TX_ACK (3),
 * the merged Linux numbering. The driver must accept CLASSIC or FD (FEATURES_OK is refused
 * otherwise).
 *
 * Controller: starts STOPPED. Controlq START/STOP requests are answered in order; on STOP
 * (and on bus-off) every frame still pending is completed NOT_OK; Txq frames that arrive
 * while STOPPED are completed NOT_OK and not sent (sec: CAN Device / Device Operation /
 * Controller Mode). Bus-off (vplat_can_bus_off()) sets VIRTIO_CAN_S_CTRL_BUSOFF in config
 * `status` with a configuration change notification; the next START clears it.
 *
 * Transmission (devicenormative:Device Types / CAN Device / Device Operation / CAN Message
 * Transmission): a frame type not negotiated, an undefined flag bit, an identifier or length
 * out of range, or a STOPPED controller gives NOT_OK and the frame is not handed to the host
 * end. Valid frames go to the host end's send(); without LATE_TX_ACK the request is completed
 * OK at once, with it only when the host end reports the bus accepted the frame
 * (vplat_can_tx_done()). Txq and Rxq buffers may be returned out of order, so the device does
 * not offer VIRTIO_F_IN_ORDER.
 *
 * Reception: the host end calls vplat_can_receive(); the frame goes into the next Rxq buffer.
 *
 * The device is freestanding; the host ends (SocketCAN, virtual bus) are POSIX, in lib/host.
 * Thread rules: one thread serves a device, its host end and (for the bus) every node of the
 * bus: queue notifications, vplat_can_receive(), vplat_can_tx_done(), vplat_can_bus_off(),
 * vplat_canbus_run() and the SocketCAN dispatch calls all run there.
 */
#ifndef VPLAT_CAN_H
#define VPLAT_CAN_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/ratelimit.h"
#include "vplat/spec/virtio_can.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A CAN frame as the host ends see it. */
struct vplat_can_frame {
	uint32_t id;      /**< identifier: 11 bits, or 29 with VPLAT_VIRTIO_CAN_FLAGS_EXTENDED */
	uint32_t flags;   /**< VPLAT_VIRTIO_CAN_FLAGS_* (EXTENDED, FD, RTR) */
	uint8_t len;      /**< data bytes (RTR: the requested length), 0..8 or 0..64 (FD) */
	uint8_t dlc;      /**< classic frames with len 8: DLC 9..15 if the sender used one, else 0 */
	uint8_t data[VPLAT_VIRTIO_CAN_MAX_DLEN_FD]; /**< payload (unused bytes are 0) */
};

struct vplat_can;

/**
 * How the device reaches its CAN controller. Tables are `static const`; no function may block.
 */
struct vplat_can_host_ops {
	/**
	 * Required. Queue @p f for transmission (copy it). @p token identifies the frame in a
	 * later vplat_can_tx_done().
	 * @return 0 (accepted); VPLAT_EAGAIN (no room now: the device keeps the frame and
	 *         retries after vplat_can_resume()); another negative code (the frame fails:
	 *         NOT_OK)
	 */
	int (*send)(void *host, const struct vplat_can_frame *f, uint32_t token);
	/**
	 * Optional. The controller starts (@p started true) or stops; a host end drops the frames
	 * it still holds for this device when stopped. @return 0, or a negative code: the
	 * START request fails (NOT_OK). NULL: always succeeds.
	 */
	int (*set_mode)(void *host, bool started);
	/** Optional. The driver added Rxq buffers: frames held back for lack of them may come. */
	void (*rx_ready)(void *host);
};

/** Frames a device keeps waiting for the bus (LATE_TX_ACK) at most; more wait in the Txq. */
#define VPLAT_CAN_TX_INFLIGHT 64
/** Segments accepted in one Txq, Rxq or Controlq buffer (more: the request fails). */
#define VPLAT_CAN_SEGS 4

/** A Txq request waiting for the bus. Private to the device. */
struct vplat_can_pending {
	struct vplat_chain chain;              /**< the request */
	struct vplat_iov iov[VPLAT_CAN_SEGS];  /**< its segments */
	uint32_t token;                        /**< token given to the host end; 0 = slot free */
};

/** Counters of a CAN device. */
struct vplat_can_stats {
	uint64_t tx_ok;        /**< frames sent and completed OK */
	uint64_t tx_rejected;  /**< Txq requests completed NOT_OK by validation or state */
	uint64_t tx_cancelled; /**< pending frames completed NOT_OK by STOP or bus-off */
	uint64_t rx;           /**< frames delivered into Rxq buffers */
	uint64_t rx_dropped;   /**< frames dropped (stopped, not negotiated, buffer too small) */
	uint64_t ctrl;         /**< Controlq requests answered */
	uint64_t bus_off;      /**< bus-off events */
};

/** A CAN device. Caller-allocated; fields are private. */
struct vplat_can {
	struct vplat_device dev;                  /**< the virtio device */
	struct vplat_vq vqs[3];                   /**< Txq, Rxq, Controlq */
	struct vplat_virtio_can_config config;    /**< config space (little-endian) */
	const struct vplat_can_host_ops *host;    /**< host end */
	void *host_opaque;                        /**< argument for the host end */
	bool started;                             /**< controller STARTED (else STOPPED) */
	bool held_valid;                          /**< @ref held waits for the host end (EAGAIN) */
	struct vplat_can_pending held;            /**< the Txq request the host end refused for now */
	struct vplat_can_frame held_frame;        /**< its parsed frame */
	uint32_t next_token;                      /**< token counter (never 0) */
	uint32_t npending;                        /**< slots of @ref pending in use */
	struct vplat_can_pending pending[VPLAT_CAN_TX_INFLIGHT]; /**< frames awaiting the bus */
	struct vplat_can_stats stats;             /**< counters */
};

/**
 * Initialise a CAN device.
 *
 * @param can          caller storage
 * @param mem          guest memory map
 * @param features     device feature bits to offer (VPLAT_VIRTIO_CAN_F_*): a subset of
 *                     CLASSIC | FD | RTR_FRAMES | LATE_TX_ACK with CLASSIC or FD set
 * @param host         host end (static const)
 * @param host_opaque  passed to the host end
 * @return 0, or VPLAT_EINVAL for NULL arguments, a missing send(), or a bad feature set
 *         (RTR_FRAMES without CLASSIC, neither CLASSIC nor FD, unknown bits)
 */
VPLAT_API int vplat_can_init(struct vplat_can *can, struct vplat_mem *mem, uint64_t features,
			     const struct vplat_can_host_ops *host, void *host_opaque);

/**
 * @param can  an initialised device
 * @return the generic device, to bind to a transport
 */
VPLAT_API struct vplat_device *vplat_can_device(struct vplat_can *can);

/**
 * Deliver a received frame into the next Rxq buffer.
 *
 * @param can  the device
 * @param f    the frame
 * @return 0 (delivered, or dropped because its type was not negotiated or the buffer was
 *         too small: counted in rx_dropped); VPLAT_EPERM if the controller is STOPPED or the
 *         device not live (dropped); VPLAT_EAGAIN if the driver has no Rxq buffer now
 *         (nothing consumed: retry after the host end's rx_ready()); VPLAT_EINVAL for a frame
 *         that is not valid CAN (dropped)
 */
VPLAT_API int vplat_can_receive(struct vplat_can *can, const struct vplat_can_frame *f);

/**
 * The host end finished frame @p token: on the bus (@p ok true) or failed. With LATE_TX_ACK
 * this completes the Txq request (OK or NOT_OK); otherwise, and for unknown tokens (frames
 * completed already, or cancelled by STOP), it does nothing.
 * @param can    the device
 * @param token  the token passed to send()
 * @param ok     whether the bus acknowledged the frame
 */
VPLAT_API void vplat_can_tx_done(struct vplat_can *can, uint32_t token, bool ok);

/**
 * The host end has room again after send() returned VPLAT_EAGAIN, or frames finished:
 * retry the refused frame and continue with the Txq.
 * @param can  the device
 */
VPLAT_API void vplat_can_resume(struct vplat_can *can);

/**
 * The controller went bus-off: set VIRTIO_CAN_S_CTRL_BUSOFF with a configuration change
 * notification, enter STOPPED and complete pending frames NOT_OK (sec: CAN Device / Device
 * Operation / BusOff Indication). Ignored when already STOPPED.
 * @param can  the device
 */
VPLAT_API void vplat_can_bus_off(struct vplat_can *can);

/**
 * @param can  the device
 * @return true if the controller is STARTED
 */
VPLAT_API bool vplat_can_started(const struct vplat_can *can);

/**
 * @param can  the device
 * @return its counters
 */
VPLAT_API const struct vplat_can_stats *vplat_can_stats(const struct vplat_can *can);

/**
 * Check a frame against CAN rules: identifier within 11/29 bits, length within 8 (classic)
 * or 64 (FD), no RTR on FD, DLC 9..15 only on classic frames of length 8, no undefined
 * flags.
 * @param f  the frame
 * @return true if valid
 */
VPLAT_API bool vplat_can_frame_valid(const struct vplat_can_frame *f);



#ifdef __cplusplus
}
#endif

#endif /* VPLAT_CAN_H */
