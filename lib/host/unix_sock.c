/* SPDX-License-Identifier: BSD-3-Clause */
/* Unix-domain socket set-up shared by the host ends (see unix_sock.h). */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "vplat/error.h"
#include "host/unix_sock.h"

int vplat_fd_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? VPLAT_EIO : 0;
}

int vplat_unix_addr(struct sockaddr_un *a, const char *path)
{
	if (!path || strlen(path) >= sizeof(a->sun_path))
		return VPLAT_EINVAL;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, strlen(path) + 1);
	return 0;
}

int vplat_unix_open(const char *path, bool server)
{
	struct sockaddr_un a;
	int fd;

	if (vplat_unix_addr(&a, path))
		return VPLAT_EINVAL;
	if (server)
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VPLAT_EIO;
	if ((server ? bind(fd, (const struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)
		    : connect(fd, (const struct sockaddr *)&a, sizeof(a))) ||
	    vplat_fd_set_nonblock(fd)) {
		close(fd);
		return VPLAT_EIO;
	}
	return fd;
}
