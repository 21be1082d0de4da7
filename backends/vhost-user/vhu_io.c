/* SPDX-License-Identifier: BSD-3-Clause */
/* vhost-user sockets: listen and connect helpers (public API of the hosted library). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "vhu_internal.h"

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	if (!path || strlen(path) >= sizeof(sa->sun_path) || !*path)
		return VPLAT_EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

int vplat_vhu_listen(const char *path)
{
	struct sockaddr_un sa;
	int r = unix_addr(path, &sa);
	if (r)
		return r;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VPLAT_EIO;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		close(fd);
		return VPLAT_EIO;
	}
	return fd;
}

int vplat_vhu_connect(const char *path, uint32_t timeout_ms)
{
	struct sockaddr_un sa;
	int r = unix_addr(path, &sa);
	if (r)
		return r;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return VPLAT_EIO;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		clock_gettime(CLOCK_MONOTONIC, &t);
		int64_t ms = (int64_t)(t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= (int64_t)timeout_ms)
			return VPLAT_ETIMEDOUT;
		struct timespec d = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
		nanosleep(&d, NULL);
	}
}
