/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/fabric/switch.h
 * Inter-VM virtual switch: the pluggable switch contract and vplat's built-in L2 learning
 * switch with per-port traffic shaping.
 *
 * Two tables make the contract (docs/switch.md explains it in full):
 * - struct vplat_switch_port_ops is what a **port** implements: the switch calls
 *   vplat_switch_port_ops.egress to hand it a frame. vplat ships ports for its own net devices
 *   (vplat_switch_net_port_init()), QEMU-compatible sockets and tap (vplat/net_host.h).
 * - struct vplat_switch_ops is what a **switch** implements: ports are added with a
 *   configuration, frames enter with vplat_switch_ops.input and leave when the embedder calls
 *   vplat_switch_ops.run. Another vendor's switch fills the same table; every vplat port
 *   works with it unchanged because ports only ever see a struct vplat_switch_if.
 *
 * The built-in switch (struct vplat_switch): learns source MACs per VLAN, forwards known
 * unicast to one port and floods broadcast, multicast and unknown unicast to every other port
 * of the VLAN (with vplat_switch_config.assigned_unicast, unicast goes only to the port
 * assigned the destination address, or to the uplinks: never flooded to VM ports); filters by VLAN membership and by allowed source MACs at ingress; queues frames
 * per egress port in up to 8 traffic classes chosen by the VLAN PCP (untagged frames: class of
 * PCP 0); serves the classes by strict priority or by weight (deficit round robin) and shapes
 * each egress port with a token bucket (rate and burst, vplat/ratelimit.h). Time is passed in
 * by the caller in nanoseconds (any monotonic clock, or an injected test clock).
 *
 * Frames carry their offload state (struct vplat_virtio_net_hdr). A port configured without
 * offloads gets complete frames only: the switch computes partial checksums and drops GSO
 * frames for it (counted as drop_offload).
 *
 * Hosted C (malloc at set-up only; the data path does not allocate). No threads: one thread at
 * a time per switch and its ports.
 */
#ifndef VPLAT_SWITCH_H
#define VPLAT_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/net.h"
#include "vplat/ratelimit.h"
#include "vplat/spec/virtio_net.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of a scattered frame's head that vplat_net_frame.data holds: the Ethernet header
 * with one 802.1Q tag, everything a switch decides on. */
#define VPLAT_NET_FRAME_SNAP 18u

/** One frame crossing the switch. */
struct vplat_net_frame {
	/** Ethernet frame, destination MAC first; with @ref seg, a private copy of its first
	 * min(@ref len, VPLAT_NET_FRAME_SNAP) bytes only */
	const uint8_t *data;
	size_t len;			 /**< bytes */
	struct vplat_virtio_net_hdr hdr; /**< offload state; all zero for a complete frame */
	/**
	 * NULL for a frame in @ref data. Otherwise the frame's @ref len bytes are scattered
	 * over seg[0 .. @ref nseg) in memory a guest may still write (a transmitting device's
	 * own segments, no copy made): the switch decides on the snapshot in @ref data, copies
	 * the rest from the segments once per destination, and puts the snapshot's bytes over
	 * the head of each copy, so what it forwards matches what it decided on. Frames a
	 * switch hands to a port's egress are always linear.
	 */
	const struct vplat_iov *seg;
	uint32_t nseg; /**< entries of @ref seg */
};

/** What a port implements. Tables are `static const`. */
struct vplat_switch_port_ops {
	/**
	 * Required. Take a frame leaving the switch through this port. @p f is valid only during
	 * the call.
	 * @return 0 when taken (or dropped by the port); VPLAT_EAGAIN when the port is busy (the
	 *         switch keeps the frame at the head of its queue and retries on a later run);
	 *         another negative VPLAT_E* to drop it (counted as drop_egress)
	 */
	int (*egress)(void *ctx, const struct vplat_net_frame *f);
};

/** Scheduling of a port's traffic classes. */
enum vplat_switch_sched {
	VPLAT_SWITCH_STRICT = 0,   /**< highest class first (class 7 = PCP 7) */
	VPLAT_SWITCH_WEIGHTED = 1, /**< deficit round robin with vplat_switch_port_config.weights */
};

/** Most traffic classes per port. */
#define VPLAT_SWITCH_CLASSES 8u
/** Most allowed source MACs per port. */
#define VPLAT_SWITCH_PORT_MACS 8u

/** Configuration of one port. Zero means the default for every field. */
struct vplat_switch_port_config {
	const char *name;	       /**< for logs and stats (borrowed; may be NULL) */
	uint64_t rate_bps;	       /**< egress shaping in bits per second; 0 = unlimited */
	uint64_t burst_bytes;	       /**< bucket depth in bytes; 0 = 2 frames of frame_max */
	enum vplat_switch_sched sched; /**< how classes share the port */
	uint8_t classes; /**< traffic classes, 1..8 (0 = 1); PCP p goes to p*classes/8 */
	uint8_t weights[VPLAT_SWITCH_CLASSES]; /**< WEIGHTED: relative share per class (0 = 1) */
	uint32_t queue_len;		       /**< frames per class queue (0 = 64) */
	uint32_t frame_max; /**< largest frame queued (0 = 1522; up to VPLAT_NET_FRAME_MAX) */
	uint16_t pvid;	    /**< VLAN of untagged frames (0..4095) */
	bool vlan_filter;   /**< only VLANs in @ref vlans (and @ref pvid) pass this port */
	uint32_t vlans[4096 / 32]; /**< VLAN membership bitmap when @ref vlan_filter is set */
	uint8_t n_macs;		   /**< allowed source MACs at ingress (0 = any) */
	uint8_t macs[VPLAT_SWITCH_PORT_MACS][6]; /**< the allowed source MACs */
	bool offloads; /**< the port takes partial checksums and GSO frames */
	/**
	 * The port leads out of the platform (a socket or tap uplink), not to a VM. With
	 * vplat_switch_config.assigned_unicast, unicast for an address no VM port was assigned
	 * goes to the uplink ports only.
	 */
	bool uplink;
};

/** Counters of one port ("rx" enters the switch, "tx" leaves it). */
struct vplat_switch_port_stats {
	uint64_t rx_frames;			 /**< frames received from the port */
	uint64_t rx_bytes;			 /**< their bytes */
	uint64_t tx_frames;			 /**< frames delivered to the port */
	uint64_t tx_bytes;			 /**< their bytes */
	uint64_t tx_class[VPLAT_SWITCH_CLASSES]; /**< frames delivered per traffic class */
	uint64_t drop_vlan;			 /**< ingress or egress VLAN filter */
	uint64_t drop_mac;			 /**< source MAC not allowed */
	uint64_t drop_queue;			 /**< egress queue full (tail drop) */
	uint64_t drop_egress;			 /**< the port refused the frame */
	uint64_t drop_offload; /**< needed an offload the port does not take, or bad header */
	uint64_t drop_size;    /**< longer than frame_max */
	uint64_t throttled;    /**< run() calls that stopped at the shaper */
};

/** What a switch implements: the pluggable contract (see docs/switch.md). */
struct vplat_switch_ops {
	/**
	 * Required. Add a port.
	 * @return 0 and the port's id in @p id; VPLAT_EINVAL on a bad configuration;
	 *         VPLAT_ENOSPC when the switch is full; VPLAT_ENOMEM
	 */
	int (*port_add)(void *sw, const struct vplat_switch_port_config *cfg,
			const struct vplat_switch_port_ops *ops, void *ctx, uint32_t *id);
	/** Required. Remove a port; its queued frames are dropped. @return 0 or VPLAT_ENOENT */
	int (*port_remove)(void *sw, uint32_t id);
	/**
	 * Required. A frame entered through port @p port. The switch copies what it keeps;
	 * @p f is valid only during the call. Must not call any port's egress re-entrantly.
	 * @return 0 (forwarded, queued or dropped: see the counters); VPLAT_ENOENT for an
	 *         unknown port; VPLAT_EINVAL for a NULL frame
	 */
	int (*input)(void *sw, uint32_t port, const struct vplat_net_frame *f, uint64_t now_ns);
	/**
	 * Required. Send queued frames out of their ports as shaping allows.
	 * @return nanoseconds until the switch next has work it could do (a shaper refills);
	 *         0 if frames wait on a busy port; UINT64_MAX if every queue is empty
	 */
	uint64_t (*run)(void *sw, uint64_t now_ns);
	/** Required. Copy the counters of port @p id. @return 0 or VPLAT_ENOENT */
	int (*port_stats)(void *sw, uint32_t id, struct vplat_switch_port_stats *st);
};

/** A handle on any switch implementation: what ports hold. */
struct vplat_switch_if {
	const struct vplat_switch_ops *ops; /**< the switch's table */
	void *sw;			    /**< its instance */
};

/** Options of the built-in switch. Zero means the default. */
struct vplat_switch_config {
	uint32_t max_ports;   /**< ports (0 = 16) */
	uint32_t mac_entries; /**< learning table size, rounded up to a power of two (0 = 1024) */
	uint64_t aging_ns;    /**< forget a MAC not seen for this long (0 = 300 s) */
	/**
	 * Unicast isolation between VMs (spec VPLAT-FFI-016): a unicast frame goes only to the
	 * port whose allowed source MACs (vplat_switch_port_config.macs, the addresses the
	 * integrator assigned) hold its destination; when no port holds it, only to the ports
	 * marked vplat_switch_port_config.uplink (the one where it was learned, if any). Unknown
	 * unicast is never flooded to a VM port. Broadcast and multicast still flood the VLAN.
	 * false (default): a plain learning switch.
	 */
	bool assigned_unicast;
};

struct vplat_switch_port;
struct vplat_switch_mac;

/** The built-in switch. Caller-allocated; fields are private. */
struct vplat_switch {
	struct vplat_switch_config cfg;	  /**< options in force */
	struct vplat_switch_port **ports; /**< port table (allocated at init) */
	struct vplat_switch_mac *macs;	  /**< learning table (allocated at init) */
	uint64_t flooded;		  /**< frames flooded */
	uint64_t learned;		  /**< MAC table insertions */
};

/**
 * Initialise the built-in switch.
 * @param sw   caller storage
 * @param cfg  options (NULL: defaults)
 * @return 0, VPLAT_EINVAL or VPLAT_ENOMEM
 */
VPLAT_API int vplat_switch_init(struct vplat_switch *sw, const struct vplat_switch_config *cfg);

/** Free every port and table. Safe on a zeroed switch. @param sw  the switch */
VPLAT_API void vplat_switch_fini(struct vplat_switch *sw);

/**
 * @param sw  an initialised switch
 * @return the handle that ports use
 */
VPLAT_API struct vplat_switch_if vplat_switch_iface(struct vplat_switch *sw);

/** The built-in switch's implementation of the contract (its sw argument is a struct
 * vplat_switch). */
VPLAT_API extern const struct vplat_switch_ops vplat_switch_builtin_ops;

/**
 * @param sw   an initialised switch
 * @param mac  a MAC address
 * @param vid  VLAN
 * @return the port learned for @p mac on @p vid, or -1
 */
VPLAT_API int32_t vplat_switch_lookup(const struct vplat_switch *sw, const uint8_t mac[6],
				      uint16_t vid);

/* ------------------------------------------------------------------------------------------ */

/** Clock callback: current time in nanoseconds (monotonic). */
typedef uint64_t (*vplat_switch_clock_fn)(void *ctx);

/**
 * Glue between a vplat net device and a switch port: the device's host end is the switch.
 * Set up with vplat_switch_net_port_init() before vplat_net_init() and pass
 * &vplat_switch_net_host and the port as the device's host end.
 */
struct vplat_switch_net_port {
	struct vplat_switch_if sw;   /**< the switch */
	uint32_t port;		     /**< the device's port id */
	struct vplat_net *net;	     /**< the device (set by vplat_switch_net_port_bind()) */
	vplat_switch_clock_fn clock; /**< time source for input */
	void *clock_ctx;	     /**< its argument */
	bool rx_ready;		     /**< the driver posted buffers since the last run */
};

/**
 * Add a port for a net device to a switch (the device is bound later).
 * @param p          caller storage
 * @param sw         the switch
 * @param cfg        port configuration (offloads is forced on: the device resolves them)
 * @param clock      time source (NULL: CLOCK_MONOTONIC)
 * @param clock_ctx  its argument
 * @return 0 or an error of vplat_switch_ops.port_add
 */
VPLAT_API int vplat_switch_net_port_init(struct vplat_switch_net_port *p, struct vplat_switch_if sw,
					 const struct vplat_switch_port_config *cfg,
					 vplat_switch_clock_fn clock, void *clock_ctx);

/**
 * Bind the device whose host end is @p p (after vplat_net_init()).
 * @param p    the port
 * @param net  the device
 */
VPLAT_API void vplat_switch_net_port_bind(struct vplat_switch_net_port *p, struct vplat_net *net);

/** Host end of a net device attached to a switch; its host argument is a struct
 * vplat_switch_net_port. */
VPLAT_API extern const struct vplat_net_host_ops vplat_switch_net_host;

/** Port ops of a net device attached to a switch; ctx is a struct vplat_switch_net_port. */
VPLAT_API extern const struct vplat_switch_port_ops vplat_switch_net_port_ops;

/** @return CLOCK_MONOTONIC in nanoseconds (the default clock). @param ctx  unused */
VPLAT_API uint64_t vplat_switch_monotonic_ns(void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_SWITCH_H */
