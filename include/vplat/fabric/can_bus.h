/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/fabric/can_bus.h
 * The virtual CAN bus (hosted library, inter-VM fabric): arbitration, bit timing, filters, fault injection.
 */
#ifndef VPLAT_FABRIC_CAN_BUS_H
#define VPLAT_FABRIC_CAN_BUS_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/can.h"
#include "vplat/host/can_socketcan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/** @name Virtual CAN bus (POSIX; lib/fabric/canbus/can_bus.c)
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
	uint64_t tx_refused;  /**< frames refused because its transmit filters forbid the ID */
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
 * Restrict the identifiers a node may transmit (spec VPLAT-FFI-018): a frame whose identifier
 * matches none of @p f never reaches the bus; a device's request is answered
 * VIRTIO_CAN_RESULT_NOT_OK, a generic port's vplat_canbus_port_send() returns VPLAT_EPERM, and
 * the frame is counted in tx_refused. Filters match as acceptance filters do (identifier under
 * mask, optionally standard or extended only). 0 filters: any identifier (the default).
 * Enforced by the bus, whatever the guest does; may be changed at run time.
 * @return 0 or VPLAT_EINVAL (more than VPLAT_CANBUS_MAX_FILTERS, or NULL)
 */
VPLAT_API int vplat_canbus_node_set_tx_filters(struct vplat_canbus_node *node,
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

#endif /* VPLAT_FABRIC_CAN_BUS_H */
