/* SPDX-License-Identifier: BSD-3-Clause */
/* vhost-user message I/O: framed messages with SCM_RIGHTS fds. Compiled into the back end (vplat)
 * and the front end (vplat-val), hidden in both. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "vhu_internal.h"

void vplat_vhu_close_fds(struct vhu_msg *m)
{
	for (uint32_t i = 0; i < m->nfds; i++) {
		if (m->borrowed)
			m->fds[i] = -1;
		else
			vhu_close(&m->fds[i]);
	}
	m->nfds = 0;
}

int vplat_vhu_take_fd(struct vhu_msg *m, uint32_t i)
{
	int fd = m->fds[i];
	m->fds[i] = -1;
	return m->borrowed ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : fd;
}

/* Collect SCM_RIGHTS fds; more than VPLAT_VHU_MAX_FDS (or a truncated control message)
 * is a protocol error, and every fd received is still closed by the caller. */
static int collect_fds(struct msghdr *mh, struct vhu_msg *m)
{
	int rc = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const unsigned char *data = CMSG_DATA(c);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, data + i * sizeof(int), sizeof(int));
			if (m->nfds < VPLAT_VHU_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else {
				close(fd);
				rc = VPLAT_EPROTO;
			}
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		rc = VPLAT_EPROTO;
	return rc;
}

static int wait_readable(int fd, uint32_t timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (;;) {
		int r = poll(&p, 1, (int)timeout_ms);
		if (r > 0)
			return 0;
		if (r == 0)
			return VPLAT_ETIMEDOUT;
		if (errno != EINTR)
			return VPLAT_EIO;
	}
}

/* Read exactly @len bytes (fds may ride on any part). */
static int recv_full(int fd, void *buf, size_t len, struct vhu_msg *m, uint32_t timeout_ms)
{
	size_t got = 0;
	while (got < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * VPLAT_VHU_MAX_FDS)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {.iov_base = (char *)buf + got, .iov_len = len - got};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int r = wait_readable(fd, timeout_ms);
				if (r)
					return got ? VPLAT_EPROTO : VPLAT_ENODEV;
				continue;
			}
			return VPLAT_ENODEV;
		}
		int rc = collect_fds(&mh, m);
		if (n == 0)
			return got ? VPLAT_EPROTO : VPLAT_ENODEV;
		got += (size_t)n;
		if (rc)
			return rc;
	}
	return 0;
}

int vplat_vhu_recv_msg(int fd, struct vhu_msg *m, uint32_t timeout_ms)
{
	m->nfds = 0;
	m->borrowed = false;
	int r = recv_full(fd, &m->hdr, sizeof(m->hdr), m, timeout_ms);
	if (r)
		return r;
	if (m->hdr.size > VPLAT_VHU_MAX_PAYLOAD)
		return VPLAT_EPROTO;
	memset(&m->u, 0, sizeof(m->u));
	if (m->hdr.size) {
		r = recv_full(fd, &m->u, m->hdr.size, m, timeout_ms);
		if (r)
			return r == VPLAT_ENODEV ? VPLAT_EPROTO : r;
	}
	return 0;
}

int vplat_vhu_send(int fd, const void *buf, size_t len, const int *fds, uint32_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VPLAT_VHU_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	size_t off = 0;
	if (nfds > VPLAT_VHU_MAX_FDS)
		return VPLAT_EINVAL;
	while (off < len) {
		struct iovec iov = {.iov_base = (char *)buf + off, .iov_len = len - off};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		if (off == 0 && nfds) {
			memset(ctl.buf, 0, sizeof(ctl.buf));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = {.fd = fd, .events = POLLOUT};
				if (poll(&p, 1, 1000) <= 0)
					return VPLAT_EIO;
				continue;
			}
			return VPLAT_EIO;
		}
		off += (size_t)n;
	}
	return 0;
}

