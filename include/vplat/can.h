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

/* ---------------------------------------------------------------------------------------- */
/** @name SocketCAN host end (POSIX, Linux; lib/host/can_socketcan.c)
 *
 * A raw CAN socket bound to one interface (vcan0, can0), with CAN FD frames enabled when the
 * interface supports them and error frames subscribed: a bus-off error frame makes the bound
 * device go bus-off. Transmitted frames are confirmed through the socket's own-message
 * loopback (MSG_CONFIRM), which is what LATE_TX_ACK waits for.
 * @{ */

struct vplat_can_socketcan;

/**
 * Open a raw CAN socket on @p ifname (non-blocking).
 * @param ifname  interface name
 * @param out     receives the handle
 * @return 0; VPLAT_ENODEV (no such interface); VPLAT_ENOTSUP (no CAN support in the kernel);
 *         VPLAT_EIO; VPLAT_ENOMEM
 */
VPLAT_API int vplat_can_socketcan_open(const char *ifname, struct vplat_can_socketcan **out);

/**
 * @param s  the handle
 * @return the socket fd to poll for input
 */
VPLAT_API int vplat_can_socketcan_fd(const struct vplat_can_socketcan *s);

/**
 * @param s  the handle
 * @return true if the interface accepts CAN FD frames
 */
VPLAT_API bool vplat_can_socketcan_fd_capable(const struct vplat_can_socketcan *s);

/**
 * Bind a device: frames read by vplat_can_socketcan_dispatch() go to it. Use
 * vplat_can_host_socketcan with @p s as the device's host end.
 * @param s    the handle
 * @param can  the device (NULL unbinds)
 */
VPLAT_API void vplat_can_socketcan_bind(struct vplat_can_socketcan *s, struct vplat_can *can);

/**
 * Write one frame to the interface.
 * @return 0; VPLAT_EAGAIN (socket buffer full); VPLAT_ENOTSUP (FD frame, interface not FD);
 *         VPLAT_EIO
 */
VPLAT_API int vplat_can_socketcan_send(struct vplat_can_socketcan *s,
				       const struct vplat_can_frame *f);

/**
 * Read one frame (not blocking).
 * @param s        the handle
 * @param f        receives the frame
 * @param confirm  set true when the frame is the confirmation of one we sent (may be NULL)
 * @return 0; VPLAT_EAGAIN (nothing to read); VPLAT_ENODEV for a bus-off error frame;
 *         VPLAT_EIO for other error frames (to be skipped) or a read error
 */
VPLAT_API int vplat_can_socketcan_recv(struct vplat_can_socketcan *s, struct vplat_can_frame *f,
				       bool *confirm);

/**
 * Serve the bound device: read every frame available, deliver it (vplat_can_receive()),
 * complete confirmed transmissions (vplat_can_tx_done()), map bus-off error frames to
 * vplat_can_bus_off(). Frames the device has no Rxq buffer for are dropped (a real controller
 * overruns too) and counted.
 * @param s  the handle
 * @return frames handled, or a negative VPLAT_E* code
 */
VPLAT_API int vplat_can_socketcan_dispatch(struct vplat_can_socketcan *s);

/**
 * @param s  the handle
 * @return frames dropped because the device had no Rxq buffer
 */
VPLAT_API uint64_t vplat_can_socketcan_overruns(const struct vplat_can_socketcan *s);

/**
 * Close the socket and free the handle.
 * @param s  the handle (NULL is ignored)
 */
VPLAT_API void vplat_can_socketcan_close(struct vplat_can_socketcan *s);

/** SocketCAN host end for a device; host argument: the struct vplat_can_socketcan. */
VPLAT_API extern const struct vplat_can_host_ops vplat_can_host_socketcan;

/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name Virtual CAN bus (POSIX; lib/host/can_bus.c)
 *
 * Connects nodes: vplat CAN devices, SocketCAN ports and generic ports (a callback, for
 * tests and gateways). vplat_canbus_run() moves frames: among the nodes with a frame ready
 * (and allowed by their rate limit), the one with the lowest arbitration field wins, as on a
 * real bus (identifier, then RTR/SRR, IDE: a standard data frame beats an extended one with
 * the same base identifier). With a bitrate set, a frame occupies the bus for its nominal
 * length in bits (no stuffing; FD data phase at the data bitrate) and the clock decides when
 * it completes; without one, frames move at once. A frame reaches every other node whose
 * acceptance filters take it; the sender gets its acknowledgement (LATE_TX_ACK). Faults can
 * be injected: bus-off of a node, dropped or corrupted frames, failed acknowledgements.
 * @{ */

struct vplat_canbus;
struct vplat_canbus_node;

/** Bus parameters. */
struct vplat_canbus_config {
	uint32_t bitrate;       /**< nominal bit/s; 0: no timing model, frames move at once */
	uint32_t data_bitrate;  /**< FD data phase bit/s; 0: same as @ref bitrate */
	/** Clock in nanoseconds (monotonic). NULL: CLOCK_MONOTONIC. */
	uint64_t (*clock)(void *opaque);
	void *clock_opaque;     /**< argument of @ref clock */
	uint32_t node_fifo;     /**< frames each node may queue for the bus; 0: 32 */
};

/** An acceptance filter: a frame passes if (id & mask) == (filter id & mask) and, when
 *  @ref match_ext is set, its EXTENDED flag equals @ref ext. */
struct vplat_can_filter {
	uint32_t id;     /**< identifier bits to match */
	uint32_t mask;   /**< which bits must match */
	bool match_ext;  /**< also compare the frame format */
	bool ext;        /**< wanted format when @ref match_ext */
};

/** Most acceptance filters per node. */
#define VPLAT_CANBUS_MAX_FILTERS 8

/** Counters of a node. */
struct vplat_canbus_node_stats {
	uint64_t tx;          /**< frames this node won the bus with */
	uint64_t rx;          /**< frames delivered to this node */
	uint64_t filtered;    /**< frames its filters refused */
	uint64_t overruns;    /**< frames lost because the node could not take them */
	uint64_t throttled;   /**< arbitration rounds it sat out because of its rate limit */
	uint64_t arb_lost;    /**< arbitration rounds it lost to a higher-priority frame */
};

/**
 * Called for a frame a generic port receives from the bus, and for every frame on the bus
 * for a tap.
 */
typedef void (*vplat_canbus_rx_fn)(void *opaque, const struct vplat_can_frame *f,
				   const struct vplat_canbus_node *from);

/**
 * Create a bus (allocates).
 * @param cfg  parameters (copied); NULL: no timing model
 * @return the bus or NULL (out of memory)
 */
VPLAT_API struct vplat_canbus *vplat_canbus_new(const struct vplat_canbus_config *cfg);

/**
 * Free a bus and its nodes. Devices attached are not touched.
 * @param bus  the bus (NULL is ignored)
 */
VPLAT_API void vplat_canbus_free(struct vplat_canbus *bus);

/**
 * Add a node for a vplat CAN device. Initialise the device with vplat_can_host_bus and the
 * returned node as host argument, then vplat_canbus_node_bind() it.
 * @param bus   the bus
 * @param name  short name for diagnostics (copied, may be NULL)
 * @return the node (owned by the bus) or NULL
 */
VPLAT_API struct vplat_canbus_node *vplat_canbus_add_node(struct vplat_canbus *bus,
							  const char *name);

/**
 * @param node  a node from vplat_canbus_add_node()
 * @param can   the device that uses it as host end
 */
VPLAT_API void vplat_canbus_node_bind(struct vplat_canbus_node *node, struct vplat_can *can);

/**
 * Add a generic port: @p rx gets the frames the bus delivers to it; frames enter the bus
 * with vplat_canbus_port_send().
 * @return the node or NULL
 */
VPLAT_API struct vplat_canbus_node *vplat_canbus_add_port(struct vplat_canbus *bus,
							  const char *name,
							  vplat_canbus_rx_fn rx, void *opaque);

/**
 * Add a SocketCAN port: frames read from @p s (during vplat_canbus_run()) enter the bus,
 * frames the bus delivers to it are written to @p s.
 * @param bus  the bus
 * @param s    an open SocketCAN handle (borrowed; not bound to a device)
 * @param name short name
 * @return the node or NULL
 */
VPLAT_API struct vplat_canbus_node *vplat_canbus_add_socketcan(struct vplat_canbus *bus,
							       struct vplat_can_socketcan *s,
							       const char *name);

/**
 * Add a tap: @p fn sees every frame that wins the bus (after fault injection), in bus order.
 * @return 0 or VPLAT_ENOSPC (4 taps at most)
 */
VPLAT_API int vplat_canbus_add_tap(struct vplat_canbus *bus, vplat_canbus_rx_fn fn, void *opaque);

/**
 * Queue a frame on a generic port for the bus.
 * @return 0; VPLAT_EAGAIN (port FIFO full); VPLAT_EINVAL (invalid frame or not a port)
 */
VPLAT_API int vplat_canbus_port_send(struct vplat_canbus_node *node,
				     const struct vplat_can_frame *f);

/**
 * Set a node's acceptance filters (0 filters: accept everything).
 * @return 0 or VPLAT_EINVAL (more than VPLAT_CANBUS_MAX_FILTERS)
 */
VPLAT_API int vplat_canbus_node_set_filters(struct vplat_canbus_node *node,
					    const struct vplat_can_filter *f, unsigned n);

/**
 * Limit a node's transmissions (frames/s and bytes/s, with bursts; vplat/ratelimit.h): a
 * babbling node cannot starve lower-priority nodes. Measured on the bus clock.
 * @return 0 or an error of vplat_ratelimit_set()
 */
VPLAT_API int vplat_canbus_node_set_ratelimit(struct vplat_canbus_node *node,
					      const struct vplat_ratelimit_config *cfg);

/**
 * Fault injection: the node goes bus-off. Its queued frames are dropped and, for a device,
 * vplat_can_bus_off() is called; the node stays off the bus until its device STARTs again.
 * @param node  the node
 */
VPLAT_API void vplat_canbus_node_bus_off(struct vplat_canbus_node *node);

/** Fault injection knobs (counts of frames still to affect). */
struct vplat_canbus_faults {
	uint32_t drop;     /**< next frames that win the bus reach no receiver (sender acked) */
	uint32_t corrupt;  /**< next frames delivered with the first data bit flipped */
	uint32_t nack;     /**< next frames not acknowledged: lost, the sender gets a failure */
};

/**
 * Arm fault injection (replaces the current counts).
 * @param bus  the bus
 * @param f    counts
 */
VPLAT_API void vplat_canbus_inject(struct vplat_canbus *bus, const struct vplat_canbus_faults *f);

/**
 * Move frames: complete the frame on the bus if its time is over, arbitrate, start or
 * deliver the next, until nothing is ready, the bus is busy, or @p max_frames moved.
 * Also reads SocketCAN ports.
 * @param bus         the bus
 * @param max_frames  bound on frames moved by this call (0: 4096)
 * @return frames moved
 */
VPLAT_API int vplat_canbus_run(struct vplat_canbus *bus, unsigned max_frames);

/**
 * @param bus  the bus
 * @return bus-clock time at which vplat_canbus_run() has more to do (a frame completes or a
 *         rate limit allows one), 0 if it has work now, UINT64_MAX if idle
 */
VPLAT_API uint64_t vplat_canbus_next_ns(struct vplat_canbus *bus);

/**
 * Bus time a frame takes at the configured bitrates.
 * @param bus  the bus
 * @param f    the frame
 * @return nanoseconds (0 without a timing model)
 */
VPLAT_API uint64_t vplat_canbus_frame_ns(const struct vplat_canbus *bus,
					 const struct vplat_can_frame *f);

/**
 * @param node  a node
 * @return its counters
 */
VPLAT_API const struct vplat_canbus_node_stats *vplat_canbus_node_stats(
	const struct vplat_canbus_node *node);

/**
 * @param node  a node
 * @return its name ("" if none)
 */
VPLAT_API const char *vplat_canbus_node_name(const struct vplat_canbus_node *node);

/** Virtual bus host end for a device; host argument: its struct vplat_canbus_node. */
VPLAT_API extern const struct vplat_can_host_ops vplat_can_host_bus;

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_CAN_H */
