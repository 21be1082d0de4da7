/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/console_fd.h
 * POSIX host ends of console ports (lib/host): stdio or any pair of descriptors, a pty, a
 * UNIX stream socket (server or client) and a log file.
 *
 * Every end is a struct vplat_console_fd used with the ops table vplat_console_host_fd. The
 * library owns no event loop: the embedder asks vplat_console_fd_pollfds() which descriptors
 * to watch, polls them, and calls vplat_console_fd_dispatch() when one is ready.
 *
 * Nothing is lost under back-pressure:
 * - guest output is written without blocking; when the descriptor is full (EAGAIN) the end
 *   takes nothing more, the device stops draining the port's transmit queue, and dispatch
 *   resumes it once the descriptor is writable. A socket server with no client connected
 *   holds the output the same way until a client arrives.
 * - input is read into a bounded buffer only when the previous read was delivered in full;
 *   what the guest's receive buffers cannot take yet waits for them (the device's rx_ready
 *   callback), and meanwhile the peer's writes block in the kernel.
 *
 * The descriptors are made non-blocking (for stdio that affects every user of the same open
 * file description). Hosted (POSIX). Thread rules: the thread that serves the console device.
 */
#ifndef VPLAT_CONSOLE_FD_H
#define VPLAT_CONSOLE_FD_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/console.h"
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of input an end reads at once. */
#define VPLAT_CONSOLE_FD_BUF 4096u

/** What an end is connected to. */
enum vplat_console_fd_kind {
	VPLAT_CONSOLE_FD_PIPE = 0,   /**< two given descriptors (stdio) */
	VPLAT_CONSOLE_FD_PTY,        /**< a pseudo-terminal master */
	VPLAT_CONSOLE_FD_SERVER,     /**< a listening UNIX socket, one client at a time */
	VPLAT_CONSOLE_FD_CLIENT,     /**< a connected UNIX socket */
	VPLAT_CONSOLE_FD_LOG,        /**< an append-only log file (output only) */
};

/** A descriptor host end. Caller-allocated; fields are read-only to users. */
struct vplat_console_fd {
	enum vplat_console_fd_kind kind;  /**< what it is */
	int in_fd;                        /**< input descriptor, or -1 */
	int out_fd;                       /**< output descriptor, or -1 */
	int listen_fd;                    /**< SERVER: the listening socket */
	int keep_fd;                      /**< PTY: our own slave descriptor (avoids POLLHUP) */
	bool own_fds;                     /**< close in/out descriptors at close */
	struct vplat_console *con;        /**< bound device (vplat_console_fd_bind()) */
	uint32_t port;                    /**< bound port */
	uint8_t in[VPLAT_CONSOLE_FD_BUF]; /**< input read, not yet delivered */
	uint32_t in_len;                  /**< bytes in @ref in */
	uint32_t in_off;                  /**< bytes of @ref in already delivered */
	bool out_blocked;                 /**< output waits for POLLOUT or a client */
	char pty_name[64];                /**< PTY: the slave's path */
	char sock_path[108];              /**< SERVER: the socket path (unlinked at close) */
	uint64_t out_bytes;               /**< guest output written */
	uint64_t in_bytes;                /**< input delivered to the guest */
};

/**
 * Use two existing descriptors (e.g. 0 and 1 for stdio; -1 for none). They are set
 * non-blocking and not closed by vplat_console_fd_close().
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_console_fd_pipe(struct vplat_console_fd *e, int in_fd, int out_fd);

/**
 * Open a pseudo-terminal in raw mode; its slave path is in vplat_console_fd.pty_name.
 * @return 0 or VPLAT_EIO
 */
VPLAT_API int vplat_console_fd_pty(struct vplat_console_fd *e);

/**
 * Listen on a UNIX stream socket at @p path (an old socket file there is replaced).
 * @return 0, VPLAT_EINVAL (path too long) or VPLAT_EIO
 */
VPLAT_API int vplat_console_fd_listen(struct vplat_console_fd *e, const char *path);

/**
 * Connect to a UNIX stream socket at @p path.
 * @return 0, VPLAT_EINVAL or VPLAT_EIO
 */
VPLAT_API int vplat_console_fd_connect(struct vplat_console_fd *e, const char *path);

/**
 * Append guest output to the file at @p path (created if missing). Input: none.
 * @return 0 or VPLAT_EIO
 */
VPLAT_API int vplat_console_fd_log(struct vplat_console_fd *e, const char *path);

/**
 * Tell the end which device port it serves (for input and resume). Call before the device
 * is used; the end also needs to be the host end given for that port.
 */
VPLAT_API void vplat_console_fd_bind(struct vplat_console_fd *e, struct vplat_console *con,
				     uint32_t port);

/**
 * The descriptors to watch now and for what.
 * @param e    the end
 * @param pfd  array of struct pollfd (declared void * to keep <poll.h> out of this header)
 * @param max  entries in @p pfd (3 is always enough)
 * @return entries filled
 */
VPLAT_API unsigned vplat_console_fd_pollfds(const struct vplat_console_fd *e, void *pfd,
					    unsigned max);

/**
 * Do what the descriptors allow: accept a client, read and deliver input, resume output.
 * Never blocks.
 * @return 0, or VPLAT_EIO when the end lost its peer for good (CLIENT, PIPE at EOF)
 */
VPLAT_API int vplat_console_fd_dispatch(struct vplat_console_fd *e);

/** Close the descriptors the end opened; a SERVER's socket file is removed. Safe twice. */
VPLAT_API void vplat_console_fd_close(struct vplat_console_fd *e);

/** Descriptor host end; the host argument is a struct vplat_console_fd. */
VPLAT_API extern const struct vplat_console_host_ops vplat_console_host_fd;

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_CONSOLE_FD_H */
