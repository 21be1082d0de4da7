/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the hosted library: the Unix-domain socket set-up that the host ends share
 * (net socket end, console socket end). Not installed.
 */
#ifndef VPLAT_HOST_UNIX_SOCK_H
#define VPLAT_HOST_UNIX_SOCK_H

#include <stdbool.h>
#include <sys/un.h>

/* Put @p fd in non-blocking mode. @return 0 or VPLAT_EIO */
int vplat_fd_set_nonblock(int fd);

/* Fill @p a for @p path. @return 0, or VPLAT_EINVAL for NULL or a path that does not fit */
int vplat_unix_addr(struct sockaddr_un *a, const char *path);

/*
 * A stream socket at @p path (close-on-exec, non-blocking once it is returned):
 * @p server: listening (backlog 1), after removing a stale socket file there;
 * otherwise: connected (the connect blocks).
 * @return the descriptor, VPLAT_EINVAL for a bad path (nothing done) or VPLAT_EIO
 */
int vplat_unix_open(const char *path, bool server);

#endif /* VPLAT_HOST_UNIX_SOCK_H */
