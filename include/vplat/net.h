/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/net.h
 * Network device (virtio-net, device ID 1; sec: Device Types / Network Device).
 *
 * Queues: receiveq1, transmitq1, ..., receiveqN, transmitqN and, when VIRTIO_NET_F_CTRL_VQ is
 * offered, the control queue. N is the configured number of queue pairs; the control queue is
 * queue 2N when the driver negotiates VIRTIO_NET_F_MQ and queue 2 otherwise.
 *
 * Transmit: the device pops chains from a transmitq in bursts (up to VPLAT_NET_TX_BURST,
 * completed with one used-index write and one notification decision), checks the 12-byte
 * VERSION_1 header (struct vplat_virtio_net_hdr) and hands the frame to the host end: as the
 * guest's segments to @ref vplat_net_host_ops.tx_sg when the host end has it, else copied
 * into the device's buffer for @ref vplat_net_host_ops.tx. Offloads the host end does not take are resolved or
 * refused here: VIRTIO_NET_HDR_F_NEEDS_CSUM is resolved in software (the checksum is computed
 * and the flag cleared), GSO features are offered only when the host end takes them.
 *
 * Receive: the host end (or the embedder) calls vplat_net_rx() with one frame. The device
 * applies the receive filters (RX mode, MAC table, VLAN table), picks a receiveq, fills posted
 * buffers (several with VIRTIO_NET_F_MRG_RXBUF), sets `num_buffers` and notifies.
 *
 * **No-buffer policy.** The device never keeps a frame: when the chosen receiveq has no (or
 * not enough) posted buffers, vplat_net_rx() returns VPLAT_EAGAIN, counts
 * @ref vplat_net_stats.rx_no_buffer and writes nothing. The caller holds or drops the frame
 * (the vplat switch holds it in the port's egress queue). When the driver later posts receive
 * buffers, @ref vplat_net_host_ops.rx_ready tells the host end to retry.
 *
 * Control queue: RX mode (promiscuous, all-multicast, all-unicast, no-multicast, no-unicast,
 * no-broadcast), MAC table and MAC_ADDR_SET, VLAN filter, ANNOUNCE_ACK, VQ_PAIRS_SET and
 * GUEST_OFFLOADS_SET. Malformed or unsupported commands are answered VIRTIO_NET_ERR.
 * After reset the device is promiscuous (as QEMU's is), so a driver without
 * VIRTIO_NET_F_CTRL_RX receives every frame; the MAC and VLAN tables start empty.
 *
 * Freestanding; the host end is an ops table. Thread rules: one thread at a time per device
 * (queue notifications, vplat_net_rx(), vplat_net_tx_resume() and the link calls).
 */
#ifndef VPLAT_NET_H
#define VPLAT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/ratelimit.h"
#include "vplat/spec/virtio_net.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most queue pairs a device can have (compile-time storage bound). */
#define VPLAT_NET_MAX_PAIRS 4u
/** Most queues: two per pair plus the control queue. */
#define VPLAT_NET_MAX_QUEUES (2u * VPLAT_NET_MAX_PAIRS + 1u)
/** Entries of the MAC filter table (unicast and multicast together). */
#define VPLAT_NET_MAC_TABLE 64u
/** Largest frame (without the virtio header) the device moves: 64 KiB GSO frames. */
#define VPLAT_NET_FRAME_MAX 65550u
/** Segments of one transmit or receive chain the device accepts. */
#define VPLAT_NET_SEGS 24u
/** Transmit chains popped and completed together (one used-index write per burst). */
#define VPLAT_NET_TX_BURST 32u
/** Receive chains one receiveq may hold popped while it gathers buffers for one frame. */
#define VPLAT_NET_RX_CACHE 48u
/** Largest control command (header and data) the device parses. */
#define VPLAT_NET_CTRL_MAX (2u + 2u * 4u + VPLAT_NET_MAC_TABLE * 6u * 2u)

/** Offload feature bits a host end may take (see @ref vplat_net_host_ops.offloads). */
#define VPLAT_NET_OFFLOAD_MASK                                                                     \
	(VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM) |           \
	 VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO4) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO6) |     \
	 VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_ECN) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_UFO) |       \
	 VPLAT_BIT(VPLAT_VIRTIO_NET_F_HOST_TSO4) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_HOST_TSO6) |       \
	 VPLAT_BIT(VPLAT_VIRTIO_NET_F_HOST_ECN) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_HOST_UFO))

/** Guest offload bits that GUEST_OFFLOADS_SET may switch (sec: Setting Offloads State). */
#define VPLAT_NET_GUEST_OFFLOAD_MASK                                                               \
	(VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO4) |     \
	 VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO6) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_ECN) |      \
	 VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_UFO))

/** Where transmitted frames go and what the far side can take. */
struct vplat_net_host_ops {
	/**
	 * Required. Send one frame. @p hdr describes offloads still to be done by the host end
	 * (only those in vplat_net_host_ops.offloads: with none it has flags 0 and gso_type NONE).
	 * Both pointers are valid only during the call.
	 * @return 0 (sent or dropped by the host end); VPLAT_EAGAIN to hold the frame and the
	 *         queue behind it until vplat_net_tx_resume(); another negative VPLAT_E* on a
	 *         host error (the frame is dropped and counted)
	 */
	int (*tx)(void *host, const struct vplat_virtio_net_hdr *hdr, const uint8_t *frame,
		  size_t len);
	/**
	 * Optional. Offload feature bits (of VPLAT_NET_OFFLOAD_MASK) the host end handles:
	 * HOST_* means it takes GSO frames from the driver, GUEST_* that it may deliver GSO
	 * frames to vplat_net_rx(). NULL: none (CSUM and GUEST_CSUM are still offered and
	 * resolved by the device in software).
	 */
	uint64_t (*offloads)(void *host);
	/**
	 * Optional. The guest offloads in force changed (negotiation or GUEST_OFFLOADS_SET):
	 * the host end must not deliver frames needing any offload outside @p guest_offloads.
	 */
	void (*set_offloads)(void *host, uint64_t guest_offloads);
	/**
	 * Optional. The driver posted receive buffers: frames the host end holds may be retried
	 * with vplat_net_rx(), also from inside this callback.
	 */
	void (*rx_ready)(void *host);
	/**
	 * Optional. Send one frame given as the guest's own segments (no copy by the device):
	 * @p seg[0 .. @p nseg) hold the @p len bytes of the frame, destination MAC first, in
	 * guest memory the driver may still write to (read each byte once; never trust a
	 * length derived from the frame). Same @p hdr and return values as @ref tx; the
	 * segments are valid only during the call. When set, the device uses it for every frame
	 * it need not change (a frame whose checksum the device must fill in software still
	 * goes to @ref tx, linearized); NULL: every frame goes to @ref tx.
	 */
	int (*tx_sg)(void *host, const struct vplat_virtio_net_hdr *hdr, const struct vplat_iov *seg,
		     uint32_t nseg, size_t len);
};

/** Static properties of a network device. */
struct vplat_net_config {
	uint8_t mac[6];	     /**< MAC address offered with VIRTIO_NET_F_MAC */
	bool has_mac;	     /**< offer VIRTIO_NET_F_MAC */
	uint16_t mtu;	     /**< offer VIRTIO_NET_F_MTU with this value (68..65535); 0: don't */
	uint16_t pairs;	     /**< queue pairs, 1..VPLAT_NET_MAX_PAIRS; above 1 offers MQ */
	bool ctrl;	     /**< offer the control queue and its commands */
	uint32_t speed;	     /**< Mbit/s for VIRTIO_NET_F_SPEED_DUPLEX; 0: don't offer it */
	uint8_t duplex;	     /**< VPLAT_VIRTIO_NET_DUPLEX_* */
	uint16_t queue_size; /**< largest queue size offered; 0 means 256 */
};

/** Counters of a network device. */
struct vplat_net_stats {
	uint64_t tx_frames;	 /**< frames handed to the host end */
	uint64_t tx_bytes;	 /**< bytes of those frames */
	uint64_t tx_errors;	 /**< malformed transmit chains (short header, too big, bad GSO) */
	uint64_t tx_host_errors; /**< frames the host end failed to send */
	uint64_t tx_sw_csum;	 /**< checksums the device computed for NEEDS_CSUM */
	uint64_t rx_frames;	 /**< frames delivered to the driver */
	uint64_t rx_bytes;	 /**< bytes of those frames */
	uint64_t rx_no_buffer;	 /**< vplat_net_rx() calls refused for lack of buffers */
	uint64_t rx_filtered;	 /**< frames dropped by the RX mode, MAC or VLAN filters */
	uint64_t rx_errors;	 /**< frames dropped: too big, needed an offload not in force */
	uint64_t rx_bad_buffers; /**< receive chains completed empty (no room for the header) */
	uint64_t rx_sw_csum; /**< checksums the device computed for a driver without GUEST_CSUM */
	uint64_t ctrl_ok;    /**< control commands answered OK */
	uint64_t ctrl_err;   /**< control commands answered ERR */
	uint64_t ctrl_bad;   /**< control chains without room for the ack (completed empty) */
	uint64_t tx_throttled; /**< times a frame waited for the transmit rate limit */
};

/** Receive filter state set through the control queue (read-only to users). */
struct vplat_net_filter {
	bool promisc;			      /**< RX_PROMISC */
	bool allmulti;			      /**< RX_ALLMULTI */
	bool alluni;			      /**< RX_ALLUNI */
	bool nomulti;			      /**< RX_NOMULTI */
	bool nouni;			      /**< RX_NOUNI */
	bool nobcast;			      /**< RX_NOBCAST */
	bool uni_overflow;		      /**< unicast table too big: accept all unicast */
	bool multi_overflow;		      /**< multicast table too big: accept all multicast */
	uint16_t n_uni;			      /**< unicast entries in @ref macs */
	uint16_t n_multi;		      /**< multicast entries after them */
	uint8_t macs[VPLAT_NET_MAC_TABLE][6]; /**< the MAC filter table */
	uint32_t vlans[4096 / 32];	      /**< VLAN filter bitmap */
};

/** Per-receiveq state (private). */
struct vplat_net_rxq {
	struct vplat_chain chains[VPLAT_NET_RX_CACHE];		  /**< popped, not yet used */
	struct vplat_iov iov[VPLAT_NET_RX_CACHE][VPLAT_NET_SEGS]; /**< their segments */
	uint16_t head;						  /**< first cached chain */
	uint16_t count;						  /**< cached chains */
};

/** A network device. Caller-allocated (about 200 KiB); fields are private. */
struct vplat_net {
	struct vplat_device dev;		       /**< the virtio device */
	struct vplat_vq vqs[VPLAT_NET_MAX_QUEUES];     /**< queues */
	struct vplat_virtio_net_config config;	       /**< config space */
	struct vplat_net_config cfg;		       /**< properties given at init */
	const struct vplat_net_host_ops *host;	       /**< host end */
	void *host_opaque;			       /**< argument of the host end */
	uint64_t host_offloads;			       /**< @ref vplat_net_host_ops.offloads */
	uint64_t guest_offloads;		       /**< guest offloads in force */
	uint16_t curr_pairs;			       /**< pairs in use (VQ_PAIRS_SET) */
	struct vplat_net_filter filter;		       /**< receive filters */
	struct vplat_net_rxq rxq[VPLAT_NET_MAX_PAIRS]; /**< receive chain caches */
	struct vplat_iov tx_iov[VPLAT_NET_TX_BURST][VPLAT_NET_SEGS]; /**< segments of the burst */
	struct vplat_chain tx_chains[VPLAT_NET_TX_BURST]; /**< the TX burst being sent */
	struct vplat_iov tx_seg[VPLAT_NET_SEGS];       /**< frame segments (header skipped) */
	uint32_t tx_next;			       /**< first chain of the burst not yet sent */
	uint32_t tx_count;			       /**< chains in the burst */
	uint32_t tx_held_gen;			       /**< memory generation when it was held */
	uint16_t tx_held_q;			       /**< queue of the held burst */
	bool tx_held;				       /**< the host end said EAGAIN: burst held */
	bool in_rx;				       /**< inside vplat_net_rx() */
	/** The buffers of the frame being received, in order, handed to the driver together */
	struct vplat_chain rx_done[VPLAT_NET_RX_CACHE];
	uint32_t rx_written[VPLAT_NET_RX_CACHE];       /**< bytes written into each */
	struct vplat_virtio_net_hdr tx_hdr;	       /**< header of the frame being sent */
	size_t tx_len;				       /**< length of the frame being sent */
	uint8_t tx_buf[VPLAT_NET_FRAME_MAX];	       /**< transmit frame buffer */
	uint8_t ctrl_buf[VPLAT_NET_CTRL_MAX];	       /**< control command buffer */
	struct vplat_net_stats stats;		       /**< counters */
	struct vplat_ratelimit rl;		       /**< transmit rate limit (packets, bytes) */
	uint64_t (*clock)(void *opaque);	       /**< time source of the limiter */
	void *clock_opaque;			       /**< argument of @ref clock */
	uint64_t throttle_until;		       /**< when a throttled frame may go */
	bool tx_throttled;			       /**< the held frame waits for the limiter */
	bool tx_charged;			       /**< the held frame is charged already */
};

/**
 * Initialise a network device.
 *
 * Offers VERSION_1 (core), MRG_RXBUF, STATUS, GUEST_ANNOUNCE (with ctrl), CSUM and GUEST_CSUM,
 * the offloads the host end reports, MAC/MTU/SPEED_DUPLEX as configured, and with
 * @ref vplat_net_config.ctrl CTRL_VQ, CTRL_RX, CTRL_RX_EXTRA, CTRL_VLAN, CTRL_MAC_ADDR,
 * CTRL_GUEST_OFFLOADS and MQ (when pairs > 1). The link starts up.
 *
 * @param net          caller storage
 * @param mem          guest memory map
 * @param cfg          properties (copied)
 * @param host         host end ops (static const)
 * @param host_opaque  passed to the host end
 * @return 0; VPLAT_EINVAL on NULL arguments, pairs out of range, an MTU below 68, a speed
 *         above 0x7fffffff (other than 0xffffffff, unknown), a duplex other than
 *         VPLAT_VIRTIO_NET_DUPLEX_*, or pairs > 1 without ctrl (MQ needs the control queue)
 */
VPLAT_API int vplat_net_init(struct vplat_net *net, struct vplat_mem *mem,
			     const struct vplat_net_config *cfg,
			     const struct vplat_net_host_ops *host, void *host_opaque);

/**
 * @param net  an initialised device
 * @return the generic device, to bind to a transport
 */
VPLAT_API struct vplat_device *vplat_net_device(struct vplat_net *net);

/**
 * Deliver one received frame to the driver.
 *
 * @param net    the device
 * @param hdr    offload state of the frame (NEEDS_CSUM, DATA_VALID, GSO); NULL for a plain,
 *               fully checksummed frame. A NEEDS_CSUM frame for a driver without GUEST_CSUM
 *               (or with it switched off) is checksummed here; a GSO frame for a driver that
 *               did not take that offload is dropped (rx_errors).
 * @param frame  the Ethernet frame (destination MAC first), @p len bytes
 * @param len    14..VPLAT_NET_FRAME_MAX
 * @return 0 if the frame was delivered or deliberately dropped (filtered, malformed; see the
 *         counters); VPLAT_EAGAIN if the receiveq has not enough buffers (nothing written;
 *         retry after @ref vplat_net_host_ops.rx_ready); VPLAT_ENODEV if the device is not
 *         live or the link is down; VPLAT_EINVAL on NULL arguments
 */
VPLAT_API int vplat_net_rx(struct vplat_net *net, const struct vplat_virtio_net_hdr *hdr,
			   const void *frame, size_t len);

/**
 * The host end can take frames again after returning VPLAT_EAGAIN from
 * vplat_net_host_ops.tx: send the held frame and the transmit queues behind it.
 * @param net  the device
 */
VPLAT_API void vplat_net_tx_resume(struct vplat_net *net);

/**
 * Set, change or remove the transmit rate limits at run time, without a reset (spec
 * VPLAT-NET-081, VPLAT-FFI-010): packets per second (ops) and bytes per second (frame bytes
 * without the virtio header), each with a burst (vplat/ratelimit.h). A frame over the limit
 * stays at the head of its transmitq, loaded but not completed, and goes, in order, when
 * the embedder calls vplat_net_tx_resume() at or after vplat_net_throttle_until(); it is
 * never dropped or failed because of the limit. After changing or removing a limit, call
 * vplat_net_tx_resume() so a held frame is judged by the new one.
 * @param net    the device
 * @param cfg    the limits (all zero: unlimited)
 * @param clock  time source in nanoseconds (monotonic); required when a limit is set and none
 *               was given before (NULL keeps the previous one)
 * @param clock_opaque  passed to @p clock
 * @return 0, VPLAT_EINVAL (NULL, or no clock with a limit), or an error of vplat_ratelimit_set()
 */
VPLAT_API int vplat_net_set_ratelimit(struct vplat_net *net, const struct vplat_ratelimit_config *cfg,
				      uint64_t (*clock)(void *clock_opaque), void *clock_opaque);

/**
 * @param net  the device
 * @return the time (limiter clock, ns) at which a frame held by the transmit rate limit may
 *         go: call vplat_net_tx_resume() then; 0 if no frame waits for the limit
 */
VPLAT_API uint64_t vplat_net_throttle_until(const struct vplat_net *net);

/**
 * Set the link state in `status` (VIRTIO_NET_S_LINK_UP) and send a configuration change
 * notification if it changed.
 * @param net  the device
 * @param up   link up
 */
VPLAT_API void vplat_net_set_link(struct vplat_net *net, bool up);

/**
 * Ask the driver to announce itself (VIRTIO_NET_S_ANNOUNCE, e.g. after a migration).
 * @param net  the device
 * @return 0, or VPLAT_ENOTSUP if the driver did not negotiate GUEST_ANNOUNCE
 */
VPLAT_API int vplat_net_announce(struct vplat_net *net);

/**
 * @param net  the device
 * @return the device's counters
 */
VPLAT_API const struct vplat_net_stats *vplat_net_stats(const struct vplat_net *net);

/**
 * @param net  the device
 * @return the receive filters set by the driver
 */
VPLAT_API const struct vplat_net_filter *vplat_net_filter(const struct vplat_net *net);

/**
 * @param net  the device
 * @return queue pairs in use (1 until the driver sends VQ_PAIRS_SET)
 */
VPLAT_API uint16_t vplat_net_pairs(const struct vplat_net *net);

/**
 * Internet checksum helper: store the ones' complement sum of @p frame[@p start ..) at
 * @p start + @p offset (VIRTIO_NET_HDR_F_NEEDS_CSUM semantics: the driver already put the
 * pseudo-header sum there).
 * @param frame   the frame
 * @param len     its length
 * @param start   csum_start
 * @param offset  csum_offset
 * @return 0, or VPLAT_EINVAL if the checksum field does not lie inside the frame
 */
VPLAT_API int vplat_net_csum_fill(uint8_t *frame, size_t len, uint16_t start, uint16_t offset);


#ifdef __cplusplus
}
#endif

#endif /* VPLAT_NET_H */
