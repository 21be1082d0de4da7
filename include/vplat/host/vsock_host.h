/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/vsock_host.h
 * vsock host end (hosted POSIX library, lib/host/vsock/vsock_host.c): where a vsock device's
 * connections go.
 *
 * - CID 2 (the host), the hybrid UNIX-socket convention of cloud-hypervisor and rust-vmm's
 *   vhost-device-vsock. A host program connects to the UNIX socket `PATH` and writes
 *   `CONNECT <port>\n`; the host end opens a connection to the guest's port and, when the guest
 *   accepts, answers `OK <hostport>\n` (hostport: the host side's port number) and the socket
 *   carries the stream; a refused connection closes the socket. A guest connection to host port
 *   P connects to the UNIX socket `PATH_<P>` (refused, RST, if nothing listens there).
 * - Other CIDs: VM-to-VM through a vsock fabric (struct vplat_vsock_fabric) that joins host
 *   ends in one process. A guest reaches another member only if the fabric allows the pair
 *   (vplat_vsock_fabric_allow()); any other REQUEST gets RST.
 *
 * Buffers: per connection, the guest's unconsumed data (at most the device's buf_alloc, what
 * the device's credit allows) and up to VPLAT_VSOCK_HOST_CHUNK bytes read from the socket that
 * wait for guest credit or rx buffers. A socket is read only when the guest has credit, so a
 * slow guest stops the host writer (the socket's own buffer fills) and never grows memory.
 *
 * Thread rules: the device's thread. Poll vplat_vsock_host_fds() for input with at most
 * vplat_vsock_host_timeout_ms(), then call vplat_vsock_host_dispatch().
 */
#ifndef VPLAT_HOST_VSOCK_HOST_H
#define VPLAT_HOST_VSOCK_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/vsock.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes read from a host socket at a time (the staging buffer of each connection). */
#define VPLAT_VSOCK_HOST_CHUNK 65536u

struct vplat_vsock_host;
struct vplat_vsock_fabric;

/** Host-end operations to pass to vplat_vsock_init() with the host end as its argument. */
VPLAT_API extern const struct vplat_vsock_host_ops vplat_vsock_host_ops;

/**
 * Create a host end.
 * @param uds_path  the hybrid socket `PATH` (created; an existing socket file is replaced), or
 *                  NULL for none (then the guest reaches no host port)
 * @param err       receives a negative VPLAT_E* code on failure (may be NULL)
 * @return the host end, or NULL (VPLAT_EINVAL path too long, VPLAT_EIO socket, VPLAT_ENOMEM)
 */
VPLAT_API struct vplat_vsock_host *vplat_vsock_host_new(const char *uds_path, int *err);

/**
 * Tell the host end its device (after vplat_vsock_init(d, ..., &vplat_vsock_host_ops, h)).
 */
VPLAT_API void vplat_vsock_host_bind(struct vplat_vsock_host *h, struct vplat_vsock *d);

/** Close every socket, remove `PATH`, free. NULL is ignored. Reset the device first. */
VPLAT_API void vplat_vsock_host_free(struct vplat_vsock_host *h);

/**
 * Descriptors to poll for input (the listening socket, handshakes, connections whose guest
 * has credit). Ask again every turn.
 * @return descriptors stored (at most @p max)
 */
VPLAT_API unsigned vplat_vsock_host_fds(const struct vplat_vsock_host *h, int *fds, unsigned max);

/**
 * @return the longest the caller may wait before vplat_vsock_host_dispatch(): 1 while guest
 *         data waits for a socket that would block, else -1 (no limit)
 */
VPLAT_API int vplat_vsock_host_timeout_ms(const struct vplat_vsock_host *h);

/** Serve sockets once without blocking (accept, handshakes, data both ways). */
VPLAT_API void vplat_vsock_host_dispatch(struct vplat_vsock_host *h);

/** @return live connections of this host end (handshakes included) */
VPLAT_API unsigned vplat_vsock_host_nconns(const struct vplat_vsock_host *h);

/**
 * Create an empty fabric.
 * @return the fabric, or NULL (out of memory)
 */
VPLAT_API struct vplat_vsock_fabric *vplat_vsock_fabric_new(void);

/** Free a fabric (its members must be gone). NULL is ignored. */
VPLAT_API void vplat_vsock_fabric_free(struct vplat_vsock_fabric *f);

/**
 * Join a host end (bound to its device) to a fabric under its device's guest CID.
 * @return 0, VPLAT_EEXIST (that CID is taken), VPLAT_EINVAL, VPLAT_ENOSPC (fabric full)
 */
VPLAT_API int vplat_vsock_fabric_join(struct vplat_vsock_fabric *f, struct vplat_vsock_host *h);

/**
 * Allow connections between two CIDs (both directions). Without it a REQUEST gets RST.
 * @return 0, VPLAT_EINVAL (equal or reserved CIDs), VPLAT_ENOSPC
 */
VPLAT_API int vplat_vsock_fabric_allow(struct vplat_vsock_fabric *f, uint64_t a, uint64_t b);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_VSOCK_HOST_H */
