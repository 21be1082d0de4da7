/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QEMU-compatible socket host end (QEMU 7.2 net/stream.c and net/dgram.c wire formats):
 * stream sockets carry each frame after a 4-byte big-endian length, datagram sockets one
 * frame per datagram. Non-blocking; the embedder polls vplat_net_sock_fd().
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/net_host.h"
#include "vplat/fabric/switch.h"
#include "fabric/switch/switch_attach.h"
#include "host/unix_sock.h"

static void sock_reset(struct vplat_net_sock *s, enum vplat_net_sock_kind kind)
{
	memset(&s->stats, 0, sizeof(s->stats));
	s->kind = kind;
	s->fd = s->listen_fd = -1;
	s->rlen = s->wlen = s->woff = 0;
	s->sw.ops = NULL;
}

static int stream_open(struct vplat_net_sock *s, const char *path, bool server)
{
	if (!s)
		return VPLAT_EINVAL;
	int fd = vplat_unix_open(path, server);
	if (fd == VPLAT_EINVAL)
		return fd;
	sock_reset(s, VPLAT_NET_SOCK_STREAM);
	if (fd < 0)
		return fd;
	*(server ? &s->listen_fd : &s->fd) = fd;
	return 0;
}

int vplat_net_sock_listen_unix(struct vplat_net_sock *s, const char *path)
{
	return stream_open(s, path, true);
}

int vplat_net_sock_connect_unix(struct vplat_net_sock *s, const char *path)
{
	return stream_open(s, path, false);
}

int vplat_net_sock_dgram_unix(struct vplat_net_sock *s, const char *local, const char *remote)
{
	struct sockaddr_un l, r;
	if (!s || vplat_unix_addr(&l, local) || vplat_unix_addr(&r, remote))
		return VPLAT_EINVAL;
	sock_reset(s, VPLAT_NET_SOCK_DGRAM);
	unlink(local);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VPLAT_EIO;
	/* The peer may not exist yet: try to connect now, fall back to sendto() later. */
	if (bind(fd, (struct sockaddr *)&l, sizeof(l)) || vplat_fd_set_nonblock(fd)) {
		close(fd);
		return VPLAT_EIO;
	}
	(void)connect(fd, (struct sockaddr *)&r, sizeof(r));
	s->fd = fd;
	_Static_assert(sizeof(r) <= sizeof(s->peer), "peer address fits");
	memcpy(s->peer, &r, sizeof(r));
	return 0;
}

int vplat_net_sock_adopt(struct vplat_net_sock *s, enum vplat_net_sock_kind kind, int fd)
{
	if (!s || fd < 0 || (kind != VPLAT_NET_SOCK_STREAM && kind != VPLAT_NET_SOCK_DGRAM))
		return VPLAT_EINVAL;
	sock_reset(s, kind);
	if (vplat_fd_set_nonblock(fd))
		return VPLAT_EINVAL;
	s->fd = fd;
	return 0;
}

static void drop_peer(struct vplat_net_sock *s)
{
	if (s->fd >= 0 && s->listen_fd >= 0) { /* a listener waits for the next peer */
		close(s->fd);
		s->fd = -1;
	}
	s->rlen = s->wlen = s->woff = 0;
}

int vplat_net_sock_accept(struct vplat_net_sock *s)
{
	if (s->listen_fd < 0)
		return VPLAT_EINVAL;
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? VPLAT_EAGAIN : VPLAT_EIO;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = fd;
	s->rlen = s->wlen = s->woff = 0;
	return 0;
}

void vplat_net_sock_close(struct vplat_net_sock *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->fd = s->listen_fd = -1;
}

int vplat_net_sock_fd(const struct vplat_net_sock *s)
{
	return s->fd >= 0 ? s->fd : s->listen_fd;
}

int vplat_net_sock_flush(struct vplat_net_sock *s)
{
	while (s->wlen) {
		ssize_t n = send(s->fd, s->wbuf + s->woff, s->wlen, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return VPLAT_EAGAIN;
			drop_peer(s);
			return VPLAT_EIO;
		}
		s->woff += (size_t)n;
		s->wlen -= (size_t)n;
	}
	return 0;
}

static int dgram_send(struct vplat_net_sock *s, const void *frame, size_t len)
{
	ssize_t n = send(s->fd, frame, len, MSG_NOSIGNAL);
	if (n < 0 && (errno == ENOTCONN || errno == EDESTADDRREQ || errno == ECONNREFUSED ||
		      errno == ENOENT)) {
		struct sockaddr_un r;
		memcpy(&r, s->peer, sizeof(r));
		n = sendto(s->fd, frame, len, MSG_NOSIGNAL, (struct sockaddr *)&r, sizeof(r));
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return VPLAT_EAGAIN;
		s->stats.tx_drops++; /* peer not there yet: frames are lost, as on a wire */
		return 0;
	}
	s->stats.tx_frames++;
	s->stats.tx_bytes += len;
	return 0;
}

int vplat_net_sock_send(struct vplat_net_sock *s, const void *frame, size_t len)
{
	if (len == 0 || len > VPLAT_NET_SOCK_FRAME_MAX) {
		s->stats.tx_drops++;
		return VPLAT_ENOTSUP;
	}
	if (s->fd < 0)
		return VPLAT_ENODEV;
	if (s->kind == VPLAT_NET_SOCK_DGRAM)
		return dgram_send(s, frame, len);
	int rc = vplat_net_sock_flush(s);
	if (rc)
		return rc;
	uint8_t pfx[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			  (uint8_t)len};
	struct iovec iov[2] = {{pfx, 4}, {(void *)frame, len}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n = sendmsg(s->fd, &m, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return VPLAT_EAGAIN;
		drop_peer(s);
		return VPLAT_EIO;
	}
	s->stats.tx_frames++;
	s->stats.tx_bytes += len;
	size_t sent = (size_t)n;
	if (sent < 4 + len) { /* keep the rest: the frame must go out whole */
		size_t off = 0;
		if (sent < 4) {
			memcpy(s->wbuf, pfx + sent, 4 - sent);
			off = 4 - sent;
			sent = 0;
		} else {
			sent -= 4;
		}
		memcpy(s->wbuf + off, (const uint8_t *)frame + sent, len - sent);
		s->woff = 0;
		s->wlen = off + len - sent;
	}
	return 0;
}

static int stream_recv(struct vplat_net_sock *s, void *buf, size_t cap)
{
	for (;;) {
		if (s->rlen >= 4) {
			size_t flen = (size_t)s->rbuf[0] << 24 | (size_t)s->rbuf[1] << 16 |
				      (size_t)s->rbuf[2] << 8 | s->rbuf[3];
			if (flen == 0 || flen > VPLAT_NET_SOCK_FRAME_MAX) {
				s->stats.rx_errors++;
				drop_peer(s);
				return VPLAT_EPROTO;
			}
			if (s->rlen >= 4 + flen) {
				int rc = flen > cap ? VPLAT_E2BIG : (int)flen;
				if (flen <= cap)
					memcpy(buf, s->rbuf + 4, flen);
				memmove(s->rbuf, s->rbuf + 4 + flen, s->rlen - 4 - flen);
				s->rlen -= 4 + flen;
				s->stats.rx_frames++;
				s->stats.rx_bytes += flen;
				return rc;
			}
		}
		ssize_t n = recv(s->fd, s->rbuf + s->rlen, sizeof(s->rbuf) - s->rlen, 0);
		if (n == 0) {
			drop_peer(s);
			return VPLAT_ENODEV;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return VPLAT_EAGAIN;
			drop_peer(s);
			return VPLAT_ENODEV;
		}
		s->rlen += (size_t)n;
	}
}

int vplat_net_sock_recv(struct vplat_net_sock *s, void *buf, size_t cap)
{
	if (s->fd < 0)
		return VPLAT_ENODEV;
	if (s->kind == VPLAT_NET_SOCK_STREAM)
		return stream_recv(s, buf, cap);
	ssize_t n = recv(s->fd, s->rbuf, sizeof(s->rbuf), MSG_TRUNC);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? VPLAT_EAGAIN : VPLAT_EIO;
	if (n < 14 || (size_t)n > sizeof(s->rbuf)) {
		s->stats.rx_errors++;
		return VPLAT_EPROTO;
	}
	s->stats.rx_frames++;
	s->stats.rx_bytes += (uint64_t)n;
	if ((size_t)n > cap)
		return VPLAT_E2BIG;
	memcpy(buf, s->rbuf, (size_t)n);
	return (int)n;
}

static int sock_egress(void *ctx, const struct vplat_net_frame *f)
{
	struct vplat_net_sock *s = ctx;
	int rc = vplat_net_sock_send(s, f->data, f->len);
	return rc == VPLAT_ENODEV ? 0 : rc; /* no peer: the frame is lost, as on a wire */
}

const struct vplat_switch_port_ops vplat_net_sock_port_ops = {.egress = sock_egress};

int vplat_net_sock_attach(struct vplat_net_sock *s, struct vplat_switch_if sw,
			  const struct vplat_switch_port_config *cfg)
{
	/* The wire carries no virtio-net header: the port takes complete frames only. */
	return vplat_switch_attach(sw, cfg, false, &vplat_net_sock_port_ops, s, &s->sw, &s->port);
}

int vplat_net_sock_poll(struct vplat_net_sock *s, uint64_t now_ns)
{
	uint8_t *frame = s->frame;
	int fed = 0;
	if (s->listen_fd >= 0)
		vplat_net_sock_accept(s);
	if (s->fd < 0)
		return VPLAT_ENODEV;
	vplat_net_sock_flush(s);
	for (int k = 0; k < 256; k++) {
		int n = vplat_net_sock_recv(s, frame, sizeof(s->frame));
		if (n == VPLAT_EAGAIN || n == VPLAT_ENODEV)
			break;
		if (n < 0)
			continue; /* counted; the next frame may be fine */
		struct vplat_net_frame f = {.data = frame, .len = (size_t)n};
		if (s->sw.ops)
			s->sw.ops->input(s->sw.sw, s->port, &f, now_ns);
		fed++;
	}
	return fed;
}
