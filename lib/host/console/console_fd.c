/* SPDX-License-Identifier: BSD-3-Clause */
/* Descriptor host ends of console ports: pipe/stdio, pty, UNIX socket server/client, log. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "vplat/host/console_fd.h"
#include "vplat/error.h"
#include "host/unix_sock.h"

static void set_nonblock(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void end_init(struct vplat_console_fd *e, enum vplat_console_fd_kind kind)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->in_fd = e->out_fd = e->listen_fd = e->keep_fd = -1;
	e->own_fds = true;
}

int vplat_console_fd_pipe(struct vplat_console_fd *e, int in_fd, int out_fd)
{
	if (!e || (in_fd < 0 && out_fd < 0))
		return VPLAT_EINVAL;
	end_init(e, VPLAT_CONSOLE_FD_PIPE);
	e->own_fds = false;
	e->in_fd = in_fd;
	e->out_fd = out_fd;
	set_nonblock(in_fd);
	set_nonblock(out_fd);
	return 0;
}

int vplat_console_fd_pty(struct vplat_console_fd *e)
{
	struct termios t;

	if (!e)
		return VPLAT_EINVAL;
	end_init(e, VPLAT_CONSOLE_FD_PTY);
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 ||
	    ptsname_r(m, e->pty_name, sizeof(e->pty_name)) != 0) {
		if (m >= 0)
			close(m);
		return VPLAT_EIO;
	}
	/* Keep a slave open ourselves: the master never sees POLLHUP, output is buffered until
	 * a user attaches (screen, minicom, cat). Raw mode: bytes pass unchanged. */
	e->keep_fd = open(e->pty_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (e->keep_fd >= 0 && tcgetattr(e->keep_fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(e->keep_fd, TCSANOW, &t);
	}
	e->in_fd = e->out_fd = m;
	set_nonblock(m);
	return 0;
}

/* A socket end: the server listens at @p path, the client connects to it. */
static int sock_open(struct vplat_console_fd *e, const char *path, bool server)
{
	if (!e)
		return VPLAT_EINVAL;
	int s = vplat_unix_open(path, server);
	if (s == VPLAT_EINVAL)
		return s;
	end_init(e, server ? VPLAT_CONSOLE_FD_SERVER : VPLAT_CONSOLE_FD_CLIENT);
	if (s < 0)
		return s;
	if (!server) {
		e->in_fd = e->out_fd = s;
		return 0;
	}
	e->listen_fd = s;
	strcpy(e->sock_path, path);
	e->out_blocked = true; /* no client yet: output waits */
	return 0;
}

int vplat_console_fd_listen(struct vplat_console_fd *e, const char *path)
{
	return sock_open(e, path, true);
}

int vplat_console_fd_connect(struct vplat_console_fd *e, const char *path)
{
	return sock_open(e, path, false);
}

int vplat_console_fd_log(struct vplat_console_fd *e, const char *path)
{
	if (!e || !path)
		return VPLAT_EINVAL;
	end_init(e, VPLAT_CONSOLE_FD_LOG);
	e->out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return e->out_fd < 0 ? VPLAT_EIO : 0;
}

void vplat_console_fd_bind(struct vplat_console_fd *e, struct vplat_console *con, uint32_t port)
{
	e->con = con;
	e->port = port;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* SERVER: the client went away; output waits for the next one. */
static void drop_client(struct vplat_console_fd *e)
{
	close_fd(&e->in_fd);
	e->out_fd = -1;
	e->out_blocked = true;
	e->in_len = e->in_off = 0;
	if (e->con)
		vplat_console_port_set_open(e->con, e->port, false);
}

static int32_t fd_write(void *host, uint32_t port, const uint8_t *buf, uint32_t len)
{
	struct vplat_console_fd *e = host;
	(void)port;
	if (e->out_fd < 0) {
		if (e->kind == VPLAT_CONSOLE_FD_SERVER) {
			e->out_blocked = true;
			return 0; /* held until a client connects */
		}
		return VPLAT_EIO;
	}
	for (;;) {
		ssize_t n = e->kind == VPLAT_CONSOLE_FD_PIPE || e->kind == VPLAT_CONSOLE_FD_PTY ||
					    e->kind == VPLAT_CONSOLE_FD_LOG
				    ? write(e->out_fd, buf, len)
				    : send(e->out_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			e->out_bytes += (uint64_t)n;
			if ((uint32_t)n < len)
				e->out_blocked = true;
			return (int32_t)n;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			e->out_blocked = true;
			return 0;
		}
		if (e->kind == VPLAT_CONSOLE_FD_SERVER && (errno == EPIPE || errno == ECONNRESET)) {
			drop_client(e);
			return 0;
		}
		return VPLAT_EIO;
	}
}

/* Hand buffered input to the guest; keeps what its buffers cannot take yet. */
static void deliver(struct vplat_console_fd *e)
{
	while (e->con && e->in_off < e->in_len) {
		int32_t n = vplat_console_input(e->con, e->port, e->in + e->in_off, e->in_len - e->in_off);
		if (n <= 0)
			return;
		e->in_off += (uint32_t)n;
		e->in_bytes += (uint32_t)n;
	}
	e->in_len = e->in_off = 0;
}

static void fd_rx_ready(void *host, uint32_t port)
{
	(void)port;
	deliver(host);
}

const struct vplat_console_host_ops vplat_console_host_fd = {
	.write = fd_write,
	.rx_ready = fd_rx_ready,
};

unsigned vplat_console_fd_pollfds(const struct vplat_console_fd *e, void *pfd_, unsigned max)
{
	struct pollfd *pfd = pfd_;
	unsigned n = 0;

	if (e->listen_fd >= 0 && e->in_fd < 0 && n < max)
		pfd[n++] = (struct pollfd){.fd = e->listen_fd, .events = POLLIN};
	if (e->in_fd >= 0 && e->in_len == 0 && n < max)
		pfd[n++] = (struct pollfd){.fd = e->in_fd, .events = POLLIN};
	if (e->out_fd >= 0 && e->out_blocked && n < max)
		pfd[n++] = (struct pollfd){.fd = e->out_fd, .events = POLLOUT};
	return n;
}

static void try_accept(struct vplat_console_fd *e)
{
	if (e->listen_fd < 0 || e->in_fd >= 0)
		return;
	int c = accept4(e->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	e->in_fd = e->out_fd = c;
	if (e->con)
		vplat_console_port_set_open(e->con, e->port, true);
}

/* Read more input if the last read was delivered. Returns VPLAT_EIO at end of input. */
static int read_input(struct vplat_console_fd *e)
{
	if (e->in_fd < 0 || e->in_len)
		return 0;
	ssize_t n = read(e->in_fd, e->in, sizeof(e->in));
	if (n > 0) {
		e->in_len = (uint32_t)n;
		e->in_off = 0;
		return 0;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EIO))
		return 0; /* EIO: pty with no reader attached yet */
	if (e->kind == VPLAT_CONSOLE_FD_SERVER) {
		drop_client(e);
		return 0;
	}
	return e->kind == VPLAT_CONSOLE_FD_PTY ? 0 : VPLAT_EIO;
}

int vplat_console_fd_dispatch(struct vplat_console_fd *e)
{
	try_accept(e);
	int rc = read_input(e);
	deliver(e);
	if (e->out_blocked && e->out_fd >= 0) {
		struct pollfd p = {.fd = e->out_fd, .events = POLLOUT};
		if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) {
			e->out_blocked = false;
			if (e->con)
				vplat_console_resume(e->con, e->port);
		}
	}
	return rc;
}

void vplat_console_fd_close(struct vplat_console_fd *e)
{
	if (!e)
		return;
	if (e->own_fds) {
		if (e->out_fd != e->in_fd)
			close_fd(&e->out_fd);
		close_fd(&e->in_fd);
	}
	e->in_fd = e->out_fd = -1;
	close_fd(&e->keep_fd);
	close_fd(&e->listen_fd);
	if (e->sock_path[0]) {
		unlink(e->sock_path);
		e->sock_path[0] = 0;
	}
}
