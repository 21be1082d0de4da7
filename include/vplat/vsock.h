/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/vsock.h
 * Socket device (virtio-vsock, device ID 19; sec: Device Types / Socket Device) and the
 * interface to its host end, which carries the guest's stream connections somewhere (UNIX
 * sockets on the host, another VM through a vsock fabric: vplat/host/vsock_host.h).
 *
 * The device terminates the vsock packet protocol on the device side: it keeps a connection
 * table keyed by (guest port, peer CID, peer port) (the guest's CID is fixed), answers
 * REQUEST with RESPONSE or RST, carries RW payload both ways under the credit rules of
 * sec: Device Operation / Buffer Space Management, answers CREDIT_REQUEST, sends
 * CREDIT_UPDATE as the host end consumes data, and answers every packet of a flow it does
 * not know (other than RST) with RST.
 *
 * Bounds (a guest can exhaust none of them without a limit):
 * - Connections: the table is caller storage of @ref vplat_vsock_cfg.max_conns entries
 *   (the "max connections" option). A REQUEST when it is full is answered with RST
 *   ("insufficient resources", sec: Stream Sockets). Lookups are linear in it.
 * - Guest data held on the host side: at most @ref vplat_vsock_cfg.buf_alloc bytes per
 *   connection (the buf_alloc the device advertises). A guest that sends more than its credit
 *   gets its connection reset (VPLAT_VSOCK_STAT credit_violations).
 * - Replies waiting for an rx buffer: per connection, a set of flags (one RESPONSE, one
 *   CREDIT_UPDATE, one SHUTDOWN, one RST, one REQUEST); for flows without a connection, a ring
 *   of VPLAT_VSOCK_RST_QUEUE RST replies. When that ring is full the device stops taking tx
 *   packets until the driver returns rx buffers (sec: Virtqueue Flow Control: the tx queue is
 *   processed "so long as there are additional resources available").
 *
 * Only stream sockets: VIRTIO_VSOCK_F_STREAM and VIRTIO_VSOCK_F_NO_IMPLIED_STREAM are
 * offered, SEQPACKET is not; a packet of any other type is answered with RST
 * (devicenormative: Receive and Transmit). Packets whose src_cid is not the guest's CID are
 * dropped (counted in spoofed). A device reset ends every connection (the host end's
 * closed() runs for each); vplat_vsock_transport_reset() also does, and posts
 * VIRTIO_VSOCK_EVENT_TRANSPORT_RESET on the event queue (sec: Device Events).
 *
 * Freestanding. Thread rules: one thread serves the device; the host end's callbacks run in
 * it and the host end calls vplat_vsock_send() and the other vplat_vsock_* functions from it.
 */
#ifndef VPLAT_VSOCK_H
#define VPLAT_VSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/spec/virtio_vsock.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A virtio_vsock_hdr in CPU byte order. */
struct vplat_vsock_hdr {
	uint64_t src_cid;   /**< source CID */
	uint64_t dst_cid;   /**< destination CID */
	uint32_t src_port;  /**< source port */
	uint32_t dst_port;  /**< destination port */
	uint32_t len;       /**< payload bytes */
	uint16_t type;      /**< VPLAT_VIRTIO_VSOCK_TYPE_* */
	uint16_t op;        /**< VPLAT_VIRTIO_VSOCK_OP_* */
	uint32_t flags;     /**< op-specific flags */
	uint32_t buf_alloc; /**< the sender's receive buffer for this flow */
	uint32_t fwd_cnt;   /**< bytes the sender has consumed from this flow */
};

/**
 * Decode a wire header.
 * @param raw  VPLAT_VIRTIO_VSOCK_HDR_SIZE bytes
 * @param h    receives the fields
 */
VPLAT_API void vplat_vsock_hdr_decode(const uint8_t *raw, struct vplat_vsock_hdr *h);

/**
 * Encode a wire header.
 * @param h    the fields
 * @param raw  receives VPLAT_VIRTIO_VSOCK_HDR_SIZE bytes
 */
VPLAT_API void vplat_vsock_hdr_encode(const struct vplat_vsock_hdr *h, uint8_t *raw);

/**
 * @param cid  a 64-bit CID
 * @return true if @p cid may be a guest's CID (not 0, 1, 2, 0xffffffff, upper half zero)
 */
VPLAT_API bool vplat_vsock_cid_valid(uint64_t cid);

/** @name vplat_vsock_conn::state
 * @{ */
#define VPLAT_VSOCK_FREE        0u /**< slot unused */
#define VPLAT_VSOCK_CONNECTING  1u /**< host-initiated: REQUEST sent, waiting for the guest */
#define VPLAT_VSOCK_ACCEPTING   2u /**< guest-initiated: waiting for the host end to accept */
#define VPLAT_VSOCK_ESTABLISHED 3u /**< connected */
/** @} */

/** One connection. Lives in the caller's table; fields other than @ref handle are private. */
struct vplat_vsock_conn {
	void *handle;           /**< the host end's per-connection state (host end's to set) */
	uint64_t peer_cid;      /**< CID of the guest's peer (2: the host, or another VM) */
	uint32_t peer_port;     /**< port on the peer */
	uint32_t guest_port;    /**< port on the guest */
	uint8_t state;          /**< VPLAT_VSOCK_* */
	uint8_t pend;           /**< control packets waiting for an rx buffer (private bits) */
	uint8_t shut_sent;      /**< VPLAT_VIRTIO_VSOCK_SHUTDOWN_* the host side announced */
	uint8_t peer_shut;      /**< VPLAT_VIRTIO_VSOCK_SHUTDOWN_* the guest announced */
	bool want_write;        /**< a send was cut short: call writable() when that changes */
	uint32_t peer_buf_alloc; /**< the guest's buf_alloc for this flow */
	uint32_t peer_fwd_cnt;   /**< the guest's fwd_cnt */
	uint32_t tx_cnt;         /**< payload bytes sent to the guest */
	uint32_t rx_cnt;         /**< payload bytes received from the guest */
	uint32_t fwd_cnt;        /**< of which consumed by the host end */
	uint32_t fwd_sent;       /**< fwd_cnt last told to the guest */
};

struct vplat_vsock;

/**
 * How the device reaches the other ends of the guest's connections. Tables are
 * `static const`. Callbacks run in the device thread and must not block.
 */
struct vplat_vsock_host_ops {
	/**
	 * Required. The guest asks to connect to (c->peer_cid, c->peer_port) from c->guest_port.
	 * The host end may set c->handle.
	 * @return 0: accepted (the device answers RESPONSE); 1: decided later with
	 *         vplat_vsock_accept(); negative VPLAT_E* code: refused (RST; c is freed)
	 */
	int (*connect)(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c);
	/**
	 * Optional. Outcome of vplat_vsock_connect(): 0 (the guest answered RESPONSE) or
	 * VPLAT_EPERM (RST; c is freed after the call, closed() is not called).
	 */
	void (*connected)(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c,
			  int result);
	/**
	 * Required. Payload from the guest: @p len bytes at offset @p off of @p pkt (read them
	 * with vplat_chain_read() during the call; guest memory). At most the credit the device
	 * gave: the host end has room for @ref vplat_vsock_cfg.buf_alloc unconsumed bytes per
	 * connection and reports consumption with vplat_vsock_consumed().
	 * @return 0, or a negative VPLAT_E* code (the connection is reset)
	 */
	int (*recv)(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c,
		    const struct vplat_chain *pkt, size_t off, uint32_t len);
	/** Optional. The guest's shutdown flags grew to @p flags (VPLAT_VIRTIO_VSOCK_SHUTDOWN_*). */
	void (*shutdown)(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c,
			 uint32_t flags);
	/** Optional. A vplat_vsock_send() was cut short and more may now go through. */
	void (*writable)(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c);
	/**
	 * Required. The connection ended (guest RST, device reset, transport reset, a protocol
	 * error): drop c->handle. The slot is freed after the call.
	 */
	void (*closed)(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c);
};

#ifndef VPLAT_VSOCK_RST_QUEUE
/** RST replies to unknown flows that wait for rx buffers; when full, tx processing pauses. */
#define VPLAT_VSOCK_RST_QUEUE 16
#endif
/** Segments the device maps of one packet buffer (more: the packet is dropped). */
#define VPLAT_VSOCK_SEGS 16
/** Default buf_alloc (the credit given to the guest per connection), as Linux's default. */
#define VPLAT_VSOCK_BUF_ALLOC_DEFAULT (256u * 1024u)

/** Counters of a vsock device. */
struct vplat_vsock_stats {
	uint64_t tx_packets;  /**< packets taken from the tx queue */
	uint64_t rx_packets;  /**< packets put on the rx queue */
	uint64_t tx_bytes;    /**< payload bytes from the guest handed to the host end */
	uint64_t rx_bytes;    /**< payload bytes delivered to the guest */
	uint64_t malformed;   /**< tx packets too short or with a len beyond the buffer */
	uint64_t spoofed;     /**< tx packets whose src_cid was not the guest's CID (dropped) */
	uint64_t rst_sent;    /**< RST packets sent */
	uint64_t refused;     /**< guest REQUESTs refused (host end, or the table full) */
	uint64_t table_full;  /**< of which because all max_conns slots were taken */
	uint64_t credit_violations; /**< RW payloads beyond the credit given (connection reset) */
	uint64_t credit_updates;    /**< CREDIT_UPDATE packets sent */
	uint64_t events;      /**< event queue elements posted */
};

/** Configuration of vplat_vsock_init(). */
struct vplat_vsock_cfg {
	uint64_t guest_cid;  /**< the guest's CID (vplat_vsock_cid_valid()) */
	uint32_t buf_alloc;  /**< credit per connection; 0: VPLAT_VSOCK_BUF_ALLOC_DEFAULT */
	struct vplat_vsock_conn *conns; /**< caller storage for the connection table */
	uint32_t max_conns;  /**< entries of @ref conns (max connections; 1 or more) */
};

/** A vsock device. Caller-allocated; fields are private. */
struct vplat_vsock {
	struct vplat_device dev;                 /**< the virtio device */
	struct vplat_vq vqs[3];                  /**< rx, tx, event */
	uint8_t config[sizeof(struct vplat_virtio_vsock_config)]; /**< guest_cid, little-endian */
	const struct vplat_vsock_host_ops *host; /**< host end */
	void *host_opaque;                       /**< argument for the host end */
	uint64_t guest_cid;                      /**< the guest's CID */
	uint32_t buf_alloc;                      /**< credit given per connection */
	struct vplat_vsock_conn *conns;          /**< connection table */
	uint32_t max_conns;                      /**< its entries */
	uint32_t npend;                          /**< connections with pending control packets */
	struct vplat_vsock_hdr rst[VPLAT_VSOCK_RST_QUEUE]; /**< RSTs for unknown flows */
	uint32_t nrst;                           /**< entries of @ref rst */
	bool event_pending;                      /**< a TRANSPORT_RESET waits for an event buffer */
	bool tx_stalled;                         /**< tx paused: @ref rst is full */
	bool in_tx;                              /**< tx processing runs (no recursion) */
	struct vplat_iov tx_iov[VPLAT_VSOCK_SEGS]; /**< segments of the tx packet in hand */
	struct vplat_iov rx_iov[VPLAT_VSOCK_SEGS]; /**< segments of the rx or event buffer in hand */
	struct vplat_vsock_stats stats;          /**< counters */
};

/**
 * Initialise a vsock device.
 *
 * @param d            caller storage
 * @param mem          guest memory map
 * @param cfg          CID, credit, connection table
 * @param host         host end (static const)
 * @param host_opaque  passed to the host end
 * @return 0, or VPLAT_EINVAL (NULL arguments, a host end without connect/recv/closed, a
 *         reserved guest CID, no connection table)
 */
VPLAT_API int vplat_vsock_init(struct vplat_vsock *d, struct vplat_mem *mem,
			       const struct vplat_vsock_cfg *cfg,
			       const struct vplat_vsock_host_ops *host, void *host_opaque);

/**
 * @param d  an initialised device
 * @return the generic device, to bind to a transport
 */
VPLAT_API struct vplat_device *vplat_vsock_device(struct vplat_vsock *d);

/**
 * @param d  the device
 * @return its counters
 */
VPLAT_API const struct vplat_vsock_stats *vplat_vsock_stats(const struct vplat_vsock *d);

/**
 * Open a connection to the guest (host-initiated): a REQUEST from (@p peer_cid, @p peer_port)
 * to @p guest_port. The outcome arrives through connected().
 *
 * @param d           the device
 * @param peer_cid    the initiator's CID (2 for the host)
 * @param peer_port   the initiator's port
 * @param guest_port  the guest's listening port
 * @param handle      stored in the connection's handle
 * @param out         receives the connection
 * @return 0; VPLAT_ENODEV (driver not ready); VPLAT_EEXIST (that flow exists);
 *         VPLAT_ENOSPC (table full)
 */
VPLAT_API int vplat_vsock_connect(struct vplat_vsock *d, uint64_t peer_cid, uint32_t peer_port,
				  uint32_t guest_port, void *handle, struct vplat_vsock_conn **out);

/**
 * Decide a guest REQUEST the host end's connect() left open (it returned 1).
 * @param d   the device
 * @param c   the connection, in VPLAT_VSOCK_ACCEPTING
 * @param ok  true: RESPONSE; false: RST (closed() is not called, the slot is freed)
 * @return 0, or VPLAT_EINVAL if @p c is not waiting
 */
VPLAT_API int vplat_vsock_accept(struct vplat_vsock *d, struct vplat_vsock_conn *c, bool ok);

/**
 * Send payload to the guest on an established connection: as much of @p len as the guest's
 * credit and the rx buffers allow (never more than the credit:
 * devicenormative: Buffer Space Management). When it returns less than @p len, writable()
 * runs once more can go.
 *
 * @return bytes sent (0..@p len), or VPLAT_EINVAL (not established, or the host side shut
 *         down sending)
 */
VPLAT_API int32_t vplat_vsock_send(struct vplat_vsock *d, struct vplat_vsock_conn *c,
				   const void *data, uint32_t len);

/**
 * The host end consumed @p n bytes of the guest's payload on @p c (its fwd_cnt grows); the
 * guest gets a CREDIT_UPDATE when its view of the free space fell below half of buf_alloc.
 * @return 0, or VPLAT_EINVAL if more was consumed than received
 */
VPLAT_API int vplat_vsock_consumed(struct vplat_vsock *d, struct vplat_vsock_conn *c, uint32_t n);

/**
 * Announce the host side's shutdown (VPLAT_VIRTIO_VSOCK_SHUTDOWN_* bits; cumulative).
 * @return 0, or VPLAT_EINVAL
 */
VPLAT_API int vplat_vsock_shutdown(struct vplat_vsock *d, struct vplat_vsock_conn *c,
				   uint32_t flags);

/**
 * Reset a connection: RST to the guest, the slot is freed (closed() is not called).
 */
VPLAT_API void vplat_vsock_close(struct vplat_vsock *d, struct vplat_vsock_conn *c);

/**
 * Transport reset: every connection ends (closed() for each), guest_cid becomes @p new_cid
 * (a configuration change) and VIRTIO_VSOCK_EVENT_TRANSPORT_RESET goes on the event queue
 * (as soon as it has a buffer). Listening sockets in the guest survive (sec: Device Events).
 * @param d        the device
 * @param new_cid  the new CID, or 0 to keep the current one
 * @return 0, or VPLAT_EINVAL for a reserved CID
 */
VPLAT_API int vplat_vsock_transport_reset(struct vplat_vsock *d, uint64_t new_cid);

/**
 * Credit the guest gives the host side on @p c right now (0 when it has none).
 */
VPLAT_API uint32_t vplat_vsock_peer_credit(const struct vplat_vsock_conn *c);

/**
 * Live connections (not VPLAT_VSOCK_FREE) in the table.
 */
VPLAT_API uint32_t vplat_vsock_nconns(const struct vplat_vsock *d);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_VSOCK_H */
