/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/net_host.h
 * POSIX host ends for networking: QEMU-compatible sockets and Linux tap.
 *
 * **Sockets** speak the wire formats of QEMU 7.2's `-netdev stream` and `-netdev dgram`
 * (net/stream.c, net/dgram.c): on a stream socket (unix or TCP) every Ethernet frame is
 * preceded by its length as a 4-byte big-endian integer; on a datagram socket (unix or UDP)
 * every datagram is one frame. There is no virtio header: frames are complete (no offloads).
 * A vplat socket can listen (QEMU uses `server=off`) or connect (QEMU `server=on`).
 *
 * **Tap** opens /dev/net/tun as `IFF_TAP | IFF_NO_PI | IFF_VNET_HDR` with a 12-byte virtio-net
 * header, so partial checksums and TSO/UFO/ECN (as enabled with vplat_net_tap_set_offloads())
 * pass between a vplat device or switch and the Linux stack unchanged.
 *
 * Both can serve as a switch port (vplat_net_sock_port_ops, vplat_net_tap_port_ops, with a
 * vplat_net_*_poll() call feeding received frames to the switch) or as the host end of a net
 * device directly (vplat_net_tap_host). File descriptors are non-blocking; the embedder polls
 * them. Hosted; Linux (tap) and POSIX (sockets). One thread at a time per object.
 */
#ifndef VPLAT_NET_HOST_H
#define VPLAT_NET_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/net.h"
#include "vplat/fabric/switch.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Socket framing. */
enum vplat_net_sock_kind {
	VPLAT_NET_SOCK_STREAM = 0, /**< QEMU `-netdev stream`: 4-byte big-endian length prefix */
	VPLAT_NET_SOCK_DGRAM = 1,  /**< QEMU `-netdev dgram`: one frame per datagram */
};

/** Largest frame a socket end carries (QEMU's limit for these netdevs is 69632 bytes). */
#define VPLAT_NET_SOCK_FRAME_MAX VPLAT_NET_FRAME_MAX

/** Counters of a socket end. */
struct vplat_net_sock_stats {
	uint64_t rx_frames; /**< frames received */
	uint64_t rx_bytes;  /**< their bytes */
	uint64_t tx_frames; /**< frames sent */
	uint64_t tx_bytes;  /**< their bytes */
	uint64_t rx_errors; /**< stream: bad length prefix (connection dropped); dgram: runts */
	uint64_t tx_drops;  /**< frames dropped: too long, not connected, send error */
};

/** A socket end. Caller-allocated; fields are private. */
struct vplat_net_sock {
	enum vplat_net_sock_kind kind;		    /**< framing */
	int fd;					    /**< data socket, or -1 */
	int listen_fd;				    /**< listening stream socket, or -1 */
	uint8_t rbuf[4 + VPLAT_NET_SOCK_FRAME_MAX]; /**< stream: partial prefix + frame */
	size_t rlen;				    /**< bytes in @ref rbuf */
	uint8_t wbuf[4 + VPLAT_NET_SOCK_FRAME_MAX]; /**< stream: rest of a partly sent frame */
	size_t wlen;				    /**< bytes of @ref wbuf still to send */
	size_t woff;				    /**< offset of the first unsent byte */
	uint8_t frame[VPLAT_NET_SOCK_FRAME_MAX];    /**< frame being fed to the switch */
	uint8_t peer[128];			    /**< dgram: peer address (struct sockaddr_un) */
	struct vplat_net_sock_stats stats;	    /**< counters */
	struct vplat_switch_if sw;		    /**< switch fed by vplat_net_sock_poll() */
	uint32_t port;				    /**< port id in @ref sw */
};

/**
 * Listen on a unix stream socket at @p path (an existing socket file is replaced). The peer
 * (QEMU `-netdev stream,server=off,addr.type=unix,addr.path=PATH`) is accepted by
 * vplat_net_sock_poll() or vplat_net_sock_accept().
 * @param s     caller storage
 * @param path  socket path
 * @return 0; VPLAT_EINVAL for a path too long; VPLAT_EIO if a socket call failed
 */
VPLAT_API int vplat_net_sock_listen_unix(struct vplat_net_sock *s, const char *path);

/**
 * Connect to a unix stream socket (QEMU `-netdev stream,server=on,...`).
 * @param s     caller storage
 * @param path  socket path
 * @return 0, VPLAT_EINVAL or VPLAT_EIO
 */
VPLAT_API int vplat_net_sock_connect_unix(struct vplat_net_sock *s, const char *path);

/**
 * Open a unix datagram socket bound to @p local that sends to @p remote (QEMU
 * `-netdev dgram,local.type=unix,local.path=REMOTE,remote.type=unix,remote.path=LOCAL`).
 * @param s       caller storage
 * @param local   path to bind (replaced if it exists)
 * @param remote  peer path
 * @return 0, VPLAT_EINVAL or VPLAT_EIO
 */
VPLAT_API int vplat_net_sock_dgram_unix(struct vplat_net_sock *s, const char *local,
					const char *remote);

/**
 * Use an existing connected socket (e.g. one end of socketpair()); takes ownership.
 * @param s     caller storage
 * @param kind  framing
 * @param fd    the socket; made non-blocking
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_net_sock_adopt(struct vplat_net_sock *s, enum vplat_net_sock_kind kind, int fd);

/**
 * Accept a pending connection on a listening socket (replaces a previous peer).
 * @param s  a listening socket end
 * @return 0; VPLAT_EAGAIN if nobody is connecting; VPLAT_EIO
 */
VPLAT_API int vplat_net_sock_accept(struct vplat_net_sock *s);

/** Close both descriptors. Safe twice. @param s  the socket end */
VPLAT_API void vplat_net_sock_close(struct vplat_net_sock *s);

/**
 * Send one frame. A stream frame that the kernel takes only in part is finished by later calls
 * (or vplat_net_sock_flush()); meanwhile new frames get VPLAT_EAGAIN.
 * @param s      a connected socket end
 * @param frame  the frame
 * @param len    1..VPLAT_NET_SOCK_FRAME_MAX
 * @return 0; VPLAT_EAGAIN if the socket is full; VPLAT_ENOTSUP for a length out of range;
 *         VPLAT_ENODEV if not connected; VPLAT_EIO on a send error (peer gone: disconnected)
 */
VPLAT_API int vplat_net_sock_send(struct vplat_net_sock *s, const void *frame, size_t len);

/**
 * Push out the rest of a partly sent stream frame.
 * @param s  the socket end
 * @return 0 when nothing is pending, VPLAT_EAGAIN, or VPLAT_EIO
 */
VPLAT_API int vplat_net_sock_flush(struct vplat_net_sock *s);

/**
 * Receive one frame.
 * @param s    a connected socket end
 * @param buf  destination
 * @param cap  its size
 * @return the frame length; VPLAT_EAGAIN if no complete frame is there yet; VPLAT_ENODEV if
 *         not connected or the peer closed; VPLAT_EPROTO if the peer sent a length of 0 or
 *         above VPLAT_NET_SOCK_FRAME_MAX (stream: the connection is dropped, as QEMU does);
 *         VPLAT_E2BIG if the frame is longer than @p cap (it is consumed)
 */
VPLAT_API int vplat_net_sock_recv(struct vplat_net_sock *s, void *buf, size_t cap);

/**
 * @param s  the socket end
 * @return the descriptor to poll for input: the data socket, else the listening one, else -1
 */
VPLAT_API int vplat_net_sock_fd(const struct vplat_net_sock *s);

/**
 * Attach the socket end to a switch port (added with vplat_net_sock_port_ops and @p s).
 * @param s    the socket end
 * @param sw   the switch
 * @param cfg  port configuration (offloads is forced off)
 * @return 0 or an error of vplat_switch_ops.port_add
 */
VPLAT_API int vplat_net_sock_attach(struct vplat_net_sock *s, struct vplat_switch_if sw,
				    const struct vplat_switch_port_config *cfg);

/**
 * Accept a pending peer, then read every complete frame and feed it to the switch.
 * @param s       an attached socket end
 * @param now_ns  current time for the switch
 * @return frames fed, or VPLAT_ENODEV if there is no peer
 */
VPLAT_API int vplat_net_sock_poll(struct vplat_net_sock *s, uint64_t now_ns);

/** Switch port ops of a socket end (ctx is the struct vplat_net_sock). */
VPLAT_API extern const struct vplat_switch_port_ops vplat_net_sock_port_ops;

/* ------------------------------------------------------------------------------------------ */

/** A tap interface. Caller-allocated; fields are private. */
struct vplat_net_tap {
	int fd;		   /**< /dev/net/tun descriptor, or -1 */
	char name[16];	   /**< interface name the kernel chose */
	uint64_t offloads; /**< VPLAT_NET_OFFLOAD_MASK bits in force */
	uint8_t buf[VPLAT_VIRTIO_NET_HDR_SIZE + VPLAT_NET_FRAME_MAX]; /**< receive buffer */
	struct vplat_switch_if sw; /**< switch fed by vplat_net_tap_poll() */
	uint32_t port;		   /**< port id in @ref sw */
};

/**
 * Create (or attach to) tap interface @p name with a 12-byte virtio-net header.
 * @param t     caller storage
 * @param name  interface name or pattern ("vpt%d"); NULL lets the kernel choose
 * @return 0; VPLAT_ENODEV if /dev/net/tun is missing; VPLAT_EPERM without CAP_NET_ADMIN;
 *         VPLAT_ENOTSUP if the kernel refuses IFF_VNET_HDR; VPLAT_EIO
 */
VPLAT_API int vplat_net_tap_open(struct vplat_net_tap *t, const char *name);

/** Close the tap (a non-persistent interface disappears). @param t  the tap */
VPLAT_API void vplat_net_tap_close(struct vplat_net_tap *t);

/**
 * Tell the kernel which offloads it may hand us (TUNSETOFFLOAD): GUEST_CSUM, GUEST_TSO4/6,
 * GUEST_ECN, GUEST_UFO bits of @p guest_offloads (VIRTIO_NET_F_* numbering).
 * @param t               the tap
 * @param guest_offloads  offload feature bits
 * @return 0 or VPLAT_EIO
 */
VPLAT_API int vplat_net_tap_set_offloads(struct vplat_net_tap *t, uint64_t guest_offloads);

/**
 * Write one frame with its virtio-net header.
 * @param t      the tap
 * @param hdr    offload state (NULL: complete frame)
 * @param frame  the frame
 * @param len    its length
 * @return 0, VPLAT_EAGAIN, or VPLAT_EIO
 */
VPLAT_API int vplat_net_tap_send(struct vplat_net_tap *t, const struct vplat_virtio_net_hdr *hdr,
				 const void *frame, size_t len);

/**
 * Write one frame given as segments, with its virtio-net header, in one writev(2) (no copy
 * in user space).
 * @param t      the tap
 * @param hdr    offload state (NULL: complete frame)
 * @param seg    the frame's segments
 * @param nseg   their number (at most VPLAT_NET_SEGS)
 * @param len    the frame's length (the segments' bytes beyond it are not sent)
 * @return 0, VPLAT_EAGAIN, VPLAT_EINVAL (too many segments, or fewer bytes than @p len), or
 *         VPLAT_EIO
 */
VPLAT_API int vplat_net_tap_send_sg(struct vplat_net_tap *t, const struct vplat_virtio_net_hdr *hdr,
				    const struct vplat_iov *seg, uint32_t nseg, size_t len);

/**
 * Read one frame; the header goes to @p hdr.
 * @param t      the tap
 * @param hdr    receives the header
 * @param frame  receives a pointer into the tap's buffer, valid until the next call
 * @return the frame length, VPLAT_EAGAIN, or VPLAT_EIO
 */
VPLAT_API int vplat_net_tap_recv(struct vplat_net_tap *t, struct vplat_virtio_net_hdr *hdr,
				 const uint8_t **frame);

/**
 * Attach the tap to a switch port (offloads on: headers pass through).
 * @param t    the tap
 * @param sw   the switch
 * @param cfg  port configuration
 * @return 0 or an error of vplat_switch_ops.port_add
 */
VPLAT_API int vplat_net_tap_attach(struct vplat_net_tap *t, struct vplat_switch_if sw,
				   const struct vplat_switch_port_config *cfg);

/**
 * Read every pending frame and feed it to the switch.
 * @param t       an attached tap
 * @param now_ns  current time
 * @return frames fed
 */
VPLAT_API int vplat_net_tap_poll(struct vplat_net_tap *t, uint64_t now_ns);

/**
 * Read every pending frame and deliver it to a net device whose host end is
 * vplat_net_tap_host. A frame the device has no buffers for is dropped (the kernel queues
 * behind it; poll again after vplat_net_host_ops.rx_ready).
 * @param t    the tap
 * @param net  the device
 * @return frames delivered
 */
VPLAT_API int vplat_net_tap_poll_net(struct vplat_net_tap *t, struct vplat_net *net);

/** Switch port ops of a tap (ctx is the struct vplat_net_tap). */
VPLAT_API extern const struct vplat_switch_port_ops vplat_net_tap_port_ops;

/**
 * Host end of a net device wired straight to a tap (host argument: struct vplat_net_tap).
 * Offers CSUM, HOST_TSO4/6, HOST_ECN, GUEST_CSUM, GUEST_TSO4/6 and GUEST_ECN; set_offloads
 * calls vplat_net_tap_set_offloads().
 */
VPLAT_API extern const struct vplat_net_host_ops vplat_net_tap_host;

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_NET_HOST_H */
