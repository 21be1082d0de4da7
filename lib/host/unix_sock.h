/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the hosted library: the Unix-domain socket set-up that the host ends share
 * (net socket end, console socket end). Not installed.
 */
#ifndef VPLAT_HOST_UNIX_SOCK_H
#define VPLAT_HOST_UNIX_SOCK_H

#include <sys/un.h>

/* Put @p fd in non-blocking mode. @return 0 or VPLAT_EIO */
int vplat_fd_set_nonblock(int fd);

/* Fill @p a for @p path. @return 0, or VPLAT_EINVAL for NULL or a path that does not fit */
int vplat_unix_addr(struct sockaddr_un *a, const char *path);

/* A non-blocking stream socket listening (backlog 1) at @p a, after removing a stale socket
 * file there. @return the descriptor (close-on-exec) or VPLAT_EIO */
int vplat_unix_listen(const struct sockaddr_un *a);

/* A stream socket connected to @p a (a blocking connect), then made non-blocking.
 * @return the descriptor (close-on-exec) or VPLAT_EIO */
int vplat_unix_connect(const struct sockaddr_un *a);

#endif /* VPLAT_HOST_UNIX_SOCK_H */
