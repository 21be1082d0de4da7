/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/fabric/ivshmem_server.h
 * Shared-memory server and client speaking QEMU's ivshmem-server protocol (spec/17-shmem.md).
 *
 * The server listens on a UNIX stream socket. Every message it sends is a little-endian
 * int64, optionally with one descriptor attached (SCM_RIGHTS). To a client that connects it
 * sends the protocol version (0), the client's peer ID, -1 with the shared-memory descriptor
 * (memfd), then for every existing peer that peer's ID once per vector with the vector's
 * eventfd, and finally its own ID once per vector with its own eventfds. Every existing peer
 * is sent the new peer's ID once per vector with the new peer's eventfds. When a peer leaves,
 * the others are sent its ID with no descriptor. Clients never send anything: a client that
 * does is disconnected, and the others keep working. A peer interrupts vector V of peer P by
 * writing an 8-byte 1 to P's eventfd V. QEMU's `-device ivshmem-doorbell,chardev=...` connects
 * to this server unchanged.
 *
 * The library owns no event loop: the embedder polls the descriptors of
 * vplat_ivshmem_server_pollfds() for input and calls vplat_ivshmem_server_dispatch() with the
 * ready one. Hosted (Linux: memfd, eventfd). Not thread-safe.
 */
#ifndef VPLAT_IVSHMEM_SERVER_H
#define VPLAT_IVSHMEM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Protocol version the server sends first. */
#define VPLAT_IVSHMEM_PROTOCOL_VERSION 0
/** Most vectors per peer (as the PCI function, vplat/ivshmem.h). */
#define VPLAT_IVSHMEM_SERVER_MAX_VECTORS 64u
/** Most peers a server accepts at once when the configuration says 0. */
#define VPLAT_IVSHMEM_SERVER_DEFAULT_PEERS 16u

/** Server configuration. */
struct vplat_ivshmem_server_config {
	const char *path;   /**< UNIX socket path to listen on (replaced if it exists); NULL: no
	                         listening socket, clients only through
	                         vplat_ivshmem_server_add_client() */
	uint64_t shm_size;  /**< shared memory size in bytes (a power of two, at least 4096) */
	uint16_t vectors;   /**< eventfds per peer (1..VPLAT_IVSHMEM_SERVER_MAX_VECTORS) */
	uint16_t max_peers; /**< peers at once (0: VPLAT_IVSHMEM_SERVER_DEFAULT_PEERS); more are
	                         refused */
};

/** A shared-memory server. Opaque. */
struct vplat_ivshmem_server;

/**
 * Create a server: the shared memory (memfd, zero-filled) and the listening socket.
 * @param cfg  configuration
 * @param out  the new server
 * @return 0, VPLAT_EINVAL for a bad configuration, VPLAT_EIO when a system call fails
 */
VPLAT_API int vplat_ivshmem_server_create(const struct vplat_ivshmem_server_config *cfg,
					  struct vplat_ivshmem_server **out);

/** Disconnect every client, close every descriptor, unlink the socket path and free @p s. */
VPLAT_API void vplat_ivshmem_server_destroy(struct vplat_ivshmem_server *s);

/** @return the listening socket's descriptor, or -1 without one. */
VPLAT_API int vplat_ivshmem_server_listen_fd(const struct vplat_ivshmem_server *s);

/** @return the shared memory's descriptor (owned by the server; map it to share the region). */
VPLAT_API int vplat_ivshmem_server_shm_fd(const struct vplat_ivshmem_server *s);

/**
 * The descriptors to poll for input: the listening socket (if any) and every client's socket.
 * @param s    the server
 * @param fds  filled with up to @p max descriptors
 * @param max  capacity of @p fds
 * @return how many descriptors there are (may exceed @p max; then only @p max were written)
 */
VPLAT_API size_t vplat_ivshmem_server_pollfds(const struct vplat_ivshmem_server *s, int *fds,
					      size_t max);

/**
 * Handle readiness of @p fd: accept a connection on the listening socket, or, on a client
 * socket, disconnect the client (it hung up or sent something, which the protocol forbids).
 * @return 0, or VPLAT_ENOENT when @p fd is not one of the server's descriptors
 */
VPLAT_API int vplat_ivshmem_server_dispatch(struct vplat_ivshmem_server *s, int fd);

/**
 * Take a connected stream socket as a new client (what accepting does): assign an ID, create
 * its eventfds and run the join exchange. The server owns @p fd from now on, also on failure.
 * @return the peer ID (0..65535), VPLAT_ENOSPC when the server is full, VPLAT_EIO on failure
 */
VPLAT_API int vplat_ivshmem_server_add_client(struct vplat_ivshmem_server *s, int fd);

/** @return how many peers are connected. */
VPLAT_API unsigned vplat_ivshmem_server_peers(const struct vplat_ivshmem_server *s);

/** Most peers a client tracks. */
#define VPLAT_IVSHMEM_CLIENT_MAX_PEERS 64u

/** A client of an ivshmem server (a vplat VM or a test). Opaque. */
struct vplat_ivshmem_client;

/**
 * Connect to the server at @p path and complete the join exchange: version, own ID, shared
 * memory and the eventfds of the existing peers and of this peer (blocking).
 * @param path     the server's socket path
 * @param vectors  vectors per peer the server was configured with (1..64)
 * @param out      the new client
 * @return 0, VPLAT_EINVAL, VPLAT_EIO (connect failed), VPLAT_EPROTO (unexpected message)
 */
VPLAT_API int vplat_ivshmem_client_connect(const char *path, uint16_t vectors,
					   struct vplat_ivshmem_client **out);

/**
 * Complete the join exchange on @p fd, a stream socket already connected to a server (one end
 * of a socketpair(), a descriptor passed in by a supervisor, or a connect() the caller made),
 * as vplat_ivshmem_client_connect() does after its connect() (blocking).
 * @param fd       the connected socket; the client owns it from this call on, and closes it
 *                 when the join fails too (no descriptor to clean up on any return)
 * @param vectors  vectors per peer the server was configured with (1..64)
 * @param out      the new client
 * @return 0, VPLAT_EINVAL (@p fd negative, @p vectors out of range or @p out NULL: @p fd, if
 *         not negative, is closed), VPLAT_EIO (the server hung up), VPLAT_EPROTO (unexpected
 *         message)
 */
VPLAT_API int vplat_ivshmem_client_open_fd(int fd, uint16_t vectors,
					   struct vplat_ivshmem_client **out);

/** Close every descriptor and free @p c (the server tells the others this peer left). */
VPLAT_API void vplat_ivshmem_client_close(struct vplat_ivshmem_client *c);

/** @return this peer's ID. */
VPLAT_API int vplat_ivshmem_client_id(const struct vplat_ivshmem_client *c);

/** @return the shared memory's descriptor (owned by the client). */
VPLAT_API int vplat_ivshmem_client_shm_fd(const struct vplat_ivshmem_client *c);

/** @return the shared memory's size in bytes (0 if unknown). */
VPLAT_API uint64_t vplat_ivshmem_client_shm_size(const struct vplat_ivshmem_client *c);

/** @return the socket to poll for server notices (peers joining and leaving). */
VPLAT_API int vplat_ivshmem_client_sock_fd(const struct vplat_ivshmem_client *c);

/**
 * Read and apply one pending server notice, without blocking.
 * @return 0 when a notice was applied, VPLAT_EAGAIN when none is pending, VPLAT_EIO when the
 *         server went away, VPLAT_EPROTO for a malformed notice
 */
VPLAT_API int vplat_ivshmem_client_dispatch(struct vplat_ivshmem_client *c);

/** @return whether peer @p peer is known to be connected (this peer included). */
VPLAT_API bool vplat_ivshmem_client_peer_present(const struct vplat_ivshmem_client *c,
						 uint16_t peer);

/**
 * Ring @p vector of peer @p peer (write 1 to its eventfd).
 * @return 0, or VPLAT_ENOENT when the peer or vector is unknown
 */
VPLAT_API int vplat_ivshmem_client_ring(struct vplat_ivshmem_client *c, uint16_t peer,
					uint16_t vector);

/** @return this peer's eventfd for @p vector (to poll), or -1 out of range. */
VPLAT_API int vplat_ivshmem_client_eventfd(const struct vplat_ivshmem_client *c,
					   uint16_t vector);

/**
 * Wait for an interrupt on this peer's @p vector and consume it.
 * @param c           the client
 * @param vector      own vector
 * @param timeout_ms  how long to wait (negative: forever; 0: just check)
 * @return how many rings were pending (>= 1), VPLAT_ETIMEDOUT, or VPLAT_ENOENT
 */
VPLAT_API int64_t vplat_ivshmem_client_wait(struct vplat_ivshmem_client *c, uint16_t vector,
					    int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_IVSHMEM_SERVER_H */
