/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared-memory server and client speaking QEMU's ivshmem-server protocol (see
 * vplat/ivshmem_server.h and QEMU docs/specs/ivshmem-spec.rst). */
#include "vplat/fabric/ivshmem_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "vplat/error.h"

#define MAXV VPLAT_IVSHMEM_SERVER_MAX_VECTORS

struct srv_peer {
	int sock; /* -1: slot free */
	uint16_t id;
	bool dead;
	int efd[MAXV];
};

struct vplat_ivshmem_server {
	int listen_fd;
	int shm_fd;
	char *path;
	uint16_t vectors;
	uint16_t max_peers;
	struct srv_peer *peers;
};

static void put_le64(unsigned char *b, int64_t v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (8 * i));
}

static int64_t get_le64(const unsigned char *b)
{
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)b[i] << (8 * i);
	return (int64_t)u;
}

/* One message, optionally with a descriptor; never blocks, never raises SIGPIPE. */
static int send_msg(int sock, int64_t v, int fd)
{
	unsigned char buf[8];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr m;
	memset(&m, 0, sizeof(m));
	memset(&ctl, 0, sizeof(ctl));
	put_le64(buf, v);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (fd >= 0) {
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(buf) ? 0 : VPLAT_EIO;
}

/* Messages to one socket sent with one sendmmsg() per BATCH of them (a join is 3 + vectors x
 * peers messages, each with its own descriptor as the protocol wants: one system call instead
 * of one each). The first failure sticks: later adds do nothing, out_end() returns it. */
#define BATCH 32
struct out_batch {
	int sock;
	int rc;
	unsigned n;
	unsigned char buf[BATCH][8];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
};

static void out_flush(struct out_batch *o)
{
	unsigned done = 0;
	while (o->rc == 0 && done < o->n) {
		int r = sendmmsg(o->sock, o->mm + done, o->n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			o->rc = VPLAT_EIO;
			break;
		}
		for (unsigned i = done; i < done + (unsigned)r; i++)
			if (o->mm[i].msg_len != sizeof(o->buf[i]))
				o->rc = VPLAT_EIO; /* (a stream socket took part of a message) */
		done += (unsigned)r;
	}
	o->n = 0;
}

static void out_add(struct out_batch *o, int64_t v, int fd)
{
	if (o->rc)
		return;
	unsigned i = o->n++;
	put_le64(o->buf[i], v);
	o->iov[i] = (struct iovec){.iov_base = o->buf[i], .iov_len = sizeof(o->buf[i])};
	struct msghdr *m = &o->mm[i].msg_hdr;
	memset(m, 0, sizeof(*m));
	m->msg_iov = &o->iov[i];
	m->msg_iovlen = 1;
	if (fd >= 0) {
		memset(&o->ctl[i], 0, sizeof(o->ctl[i]));
		m->msg_control = o->ctl[i].b;
		m->msg_controllen = sizeof(o->ctl[i].b);
		struct cmsghdr *c = CMSG_FIRSTHDR(m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (o->n == BATCH)
		out_flush(o);
}

static int out_end(struct out_batch *o)
{
	if (o->n)
		out_flush(o);
	return o->rc;
}

static void close_peer_fds(struct srv_peer *p, uint16_t vectors)
{
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	for (unsigned v = 0; v < vectors; v++) {
		if (p->efd[v] >= 0)
			close(p->efd[v]);
		p->efd[v] = -1;
	}
	p->dead = false;
}

/* Remove every peer marked dead, telling the others; repeat while telling fails. */
static void reap(struct vplat_ivshmem_server *s)
{
	bool again = true;
	while (again) {
		again = false;
		for (unsigned i = 0; i < s->max_peers; i++) {
			struct srv_peer *p = &s->peers[i];
			if (p->sock < 0 || !p->dead)
				continue;
			uint16_t id = p->id;
			close_peer_fds(p, s->vectors);
			for (unsigned j = 0; j < s->max_peers; j++) {
				struct srv_peer *o = &s->peers[j];
				if (o->sock < 0 || o->dead)
					continue;
				if (send_msg(o->sock, id, -1) != 0) {
					o->dead = true;
					again = true;
				}
			}
		}
	}
}

int vplat_ivshmem_server_create(const struct vplat_ivshmem_server_config *cfg,
				struct vplat_ivshmem_server **out)
{
	if (!cfg || !out || cfg->vectors == 0 || cfg->vectors > MAXV || cfg->shm_size < 4096 ||
	    (cfg->shm_size & (cfg->shm_size - 1)) != 0)
		return VPLAT_EINVAL;
	struct sockaddr_un sa;
	if (cfg->path && strlen(cfg->path) >= sizeof(sa.sun_path))
		return VPLAT_EINVAL;
	struct vplat_ivshmem_server *s = calloc(1, sizeof(*s));
	if (!s)
		return VPLAT_EIO;
	s->listen_fd = -1;
	s->vectors = cfg->vectors;
	s->max_peers = cfg->max_peers ? cfg->max_peers : VPLAT_IVSHMEM_SERVER_DEFAULT_PEERS;
	s->peers = calloc(s->max_peers, sizeof(*s->peers));
	s->shm_fd = memfd_create("vplat-ivshmem", MFD_CLOEXEC);
	if (!s->peers || s->shm_fd < 0 || ftruncate(s->shm_fd, (off_t)cfg->shm_size) != 0)
		goto fail;
	for (unsigned i = 0; i < s->max_peers; i++) {
		s->peers[i].sock = -1;
		for (unsigned v = 0; v < MAXV; v++)
			s->peers[i].efd[v] = -1;
	}
	if (cfg->path) {
		s->path = strdup(cfg->path);
		if (!s->path)
			goto fail;
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		memcpy(sa.sun_path, cfg->path, strlen(cfg->path));
		s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (s->listen_fd < 0)
			goto fail;
		unlink(cfg->path);
		if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    listen(s->listen_fd, 16) != 0)
			goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->shm_fd >= 0)
		close(s->shm_fd);
	free(s->path);
	free(s->peers);
	free(s);
	return VPLAT_EIO;
}

void vplat_ivshmem_server_destroy(struct vplat_ivshmem_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->max_peers; i++)
		if (s->peers[i].sock >= 0)
			close_peer_fds(&s->peers[i], s->vectors);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	close(s->shm_fd);
	free(s->path);
	free(s->peers);
	free(s);
}

int vplat_ivshmem_server_listen_fd(const struct vplat_ivshmem_server *s) { return s->listen_fd; }

int vplat_ivshmem_server_shm_fd(const struct vplat_ivshmem_server *s) { return s->shm_fd; }

size_t vplat_ivshmem_server_pollfds(const struct vplat_ivshmem_server *s, int *fds, size_t max)
{
	size_t n = 0;
	if (s->listen_fd >= 0) {
		if (n < max)
			fds[n] = s->listen_fd;
		n++;
	}
	for (unsigned i = 0; i < s->max_peers; i++) {
		if (s->peers[i].sock < 0)
			continue;
		if (n < max)
			fds[n] = s->peers[i].sock;
		n++;
	}
	return n;
}

unsigned vplat_ivshmem_server_peers(const struct vplat_ivshmem_server *s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < s->max_peers; i++)
		n += s->peers[i].sock >= 0;
	return n;
}

int vplat_ivshmem_server_add_client(struct vplat_ivshmem_server *s, int fd)
{
	struct srv_peer *p = NULL;
	/* Lowest free ID; IDs of departed peers are reused. */
	uint16_t id = 0;
	for (;; id++) {
		bool used = false;
		for (unsigned i = 0; i < s->max_peers; i++)
			if (s->peers[i].sock >= 0 && s->peers[i].id == id)
				used = true;
		if (!used)
			break;
	}
	for (unsigned i = 0; i < s->max_peers && !p; i++)
		if (s->peers[i].sock < 0)
			p = &s->peers[i];
	if (!p) {
		close(fd);
		return VPLAT_ENOSPC;
	}
	p->sock = fd;
	p->id = id;
	p->dead = false;
	for (unsigned v = 0; v < s->vectors; v++) {
		p->efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (p->efd[v] < 0) {
			close_peer_fds(p, s->vectors);
			return VPLAT_EIO;
		}
	}
	struct out_batch out;
	out.sock = fd;
	out.rc = 0;
	out.n = 0;
	out_add(&out, VPLAT_IVSHMEM_PROTOCOL_VERSION, -1);
	out_add(&out, id, -1);
	out_add(&out, -1, s->shm_fd);
	for (unsigned i = 0; i < s->max_peers; i++) {
		struct srv_peer *o = &s->peers[i];
		if (o == p || o->sock < 0 || o->dead)
			continue;
		for (unsigned v = 0; v < s->vectors; v++)
			out_add(&out, o->id, o->efd[v]);
	}
	for (unsigned v = 0; v < s->vectors; v++)
		out_add(&out, id, p->efd[v]);
	if (out_end(&out)) {
		close_peer_fds(p, s->vectors);
		return VPLAT_EIO;
	}
	for (unsigned i = 0; i < s->max_peers; i++) {
		struct srv_peer *o = &s->peers[i];
		if (o == p || o->sock < 0 || o->dead)
			continue;
		out.sock = o->sock;
		out.rc = 0;
		out.n = 0;
		for (unsigned v = 0; v < s->vectors; v++)
			out_add(&out, id, p->efd[v]);
		if (out_end(&out) != 0)
			o->dead = true;
	}
	reap(s);
	return id;
}

int vplat_ivshmem_server_dispatch(struct vplat_ivshmem_server *s, int fd)
{
	if (fd < 0)
		return VPLAT_ENOENT;
	if (fd == s->listen_fd) {
		int c = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			return 0; /* spurious or transient: nothing to do */
		int r = vplat_ivshmem_server_add_client(s, c);
		(void)r;
		return 0;
	}
	for (unsigned i = 0; i < s->max_peers; i++) {
		struct srv_peer *p = &s->peers[i];
		if (p->sock != fd)
			continue;
		/* Clients send nothing: data or hang-up both end the peer. Drain nothing; any
		 * descriptors it passed are discarded with the socket. */
		p->dead = true;
		reap(s);
		return 0;
	}
	return VPLAT_ENOENT;
}

/* ---- client ---- */

struct cli_peer {
	bool present;
	uint16_t id;
	unsigned nfd;
	int efd[MAXV];
};

struct vplat_ivshmem_client {
	int sock;
	int shm_fd;
	int id;
	uint16_t vectors;
	struct cli_peer peers[VPLAT_IVSHMEM_CLIENT_MAX_PEERS];
};

/* Receive one message; *fd is the attached descriptor or -1. Blocking unless dontwait. */
static int recv_msg(int sock, int64_t *v, int *fd, bool dontwait)
{
	unsigned char buf[8];
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr m;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.b;
	m.msg_controllen = sizeof(ctl.b);
	*fd = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC | MSG_WAITALL | (dontwait ? MSG_DONTWAIT : 0));
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return VPLAT_EAGAIN;
	int bad = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t k = 0; k < cnt; k++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else {
				close(f);
				bad = 1;
			}
		}
	}
	if (n != (ssize_t)sizeof(buf) || (m.msg_flags & MSG_CTRUNC) || bad) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return n == 0 || n < 0 ? VPLAT_EIO : VPLAT_EPROTO;
	}
	*v = get_le64(buf);
	return 0;
}

static struct cli_peer *cli_find(struct vplat_ivshmem_client *c, int64_t id, bool create)
{
	struct cli_peer *free_slot = NULL;
	for (unsigned i = 0; i < VPLAT_IVSHMEM_CLIENT_MAX_PEERS; i++) {
		struct cli_peer *p = &c->peers[i];
		if (p->present && p->id == id)
			return p;
		if (!p->present && !free_slot)
			free_slot = p;
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->present = true;
	free_slot->id = (uint16_t)id;
	for (unsigned v = 0; v < MAXV; v++)
		free_slot->efd[v] = -1;
	return free_slot;
}

static void cli_drop(struct cli_peer *p)
{
	for (unsigned v = 0; v < p->nfd; v++)
		if (p->efd[v] >= 0)
			close(p->efd[v]);
	p->nfd = 0;
	p->present = false;
}

/* Apply a peer notice (id with or without descriptor). Takes ownership of fd. */
static int cli_apply(struct vplat_ivshmem_client *c, int64_t v, int fd)
{
	if (v < 0 || v > 0xffff) {
		if (fd >= 0)
			close(fd);
		return VPLAT_EPROTO;
	}
	struct cli_peer *p = cli_find(c, v, fd >= 0);
	if (fd < 0) {
		if (p)
			cli_drop(p);
		return 0;
	}
	if (!p || p->nfd >= c->vectors) {
		close(fd);
		return VPLAT_EPROTO;
	}
	p->efd[p->nfd++] = fd;
	return 0;
}

int vplat_ivshmem_client_connect(const char *path, uint16_t vectors,
				 struct vplat_ivshmem_client **out)
{
	struct sockaddr_un sa;
	if (!path || !out || vectors == 0 || vectors > MAXV || strlen(path) >= sizeof(sa.sun_path))
		return VPLAT_EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return VPLAT_EIO;
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(sock);
		return VPLAT_EIO;
	}
	return vplat_ivshmem_client_open_fd(sock, vectors, out);
}

int vplat_ivshmem_client_open_fd(int sock, uint16_t vectors, struct vplat_ivshmem_client **out)
{
	if (sock < 0)
		return VPLAT_EINVAL;
	if (!out || vectors == 0 || vectors > MAXV) {
		close(sock);
		return VPLAT_EINVAL;
	}
	struct vplat_ivshmem_client *c = calloc(1, sizeof(*c));
	if (!c) {
		close(sock);
		return VPLAT_EIO;
	}
	c->sock = sock;
	c->shm_fd = -1;
	c->id = -1;
	c->vectors = vectors;
	int64_t v;
	int fd;
	int rc = recv_msg(c->sock, &v, &fd, false);
	if (rc == 0 && (v != VPLAT_IVSHMEM_PROTOCOL_VERSION || fd >= 0))
		rc = VPLAT_EPROTO;
	if (rc)
		goto fail_fd;
	rc = recv_msg(c->sock, &v, &fd, false);
	if (rc == 0 && (v < 0 || v > 0xffff || fd >= 0))
		rc = VPLAT_EPROTO;
	if (rc)
		goto fail_fd;
	c->id = (int)v;
	rc = recv_msg(c->sock, &v, &fd, false);
	if (rc == 0 && (v != -1 || fd < 0))
		rc = VPLAT_EPROTO;
	if (rc)
		goto fail_fd;
	c->shm_fd = fd;
	for (;;) {
		struct cli_peer *self = cli_find(c, c->id, false);
		if (self && self->nfd == vectors)
			break;
		rc = recv_msg(c->sock, &v, &fd, false);
		if (rc)
			goto fail;
		rc = cli_apply(c, v, fd);
		if (rc)
			goto fail;
	}
	*out = c;
	return 0;
fail_fd:
	if (fd >= 0)
		close(fd);
fail:
	vplat_ivshmem_client_close(c);
	return rc;
}

void vplat_ivshmem_client_close(struct vplat_ivshmem_client *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < VPLAT_IVSHMEM_CLIENT_MAX_PEERS; i++)
		if (c->peers[i].present)
			cli_drop(&c->peers[i]);
	if (c->sock >= 0)
		close(c->sock);
	if (c->shm_fd >= 0)
		close(c->shm_fd);
	free(c);
}

int vplat_ivshmem_client_id(const struct vplat_ivshmem_client *c) { return c->id; }

int vplat_ivshmem_client_shm_fd(const struct vplat_ivshmem_client *c) { return c->shm_fd; }

uint64_t vplat_ivshmem_client_shm_size(const struct vplat_ivshmem_client *c)
{
	struct stat st;
	if (c->shm_fd < 0 || fstat(c->shm_fd, &st) != 0 || st.st_size < 0)
		return 0;
	return (uint64_t)st.st_size;
}

int vplat_ivshmem_client_sock_fd(const struct vplat_ivshmem_client *c) { return c->sock; }

int vplat_ivshmem_client_dispatch(struct vplat_ivshmem_client *c)
{
	int64_t v;
	int fd;
	int rc = recv_msg(c->sock, &v, &fd, true);
	if (rc)
		return rc;
	return cli_apply(c, v, fd);
}

bool vplat_ivshmem_client_peer_present(const struct vplat_ivshmem_client *c, uint16_t peer)
{
	for (unsigned i = 0; i < VPLAT_IVSHMEM_CLIENT_MAX_PEERS; i++)
		if (c->peers[i].present && c->peers[i].id == peer)
			return true;
	return false;
}

int vplat_ivshmem_client_ring(struct vplat_ivshmem_client *c, uint16_t peer, uint16_t vector)
{
	struct cli_peer *p = cli_find(c, peer, false);
	if (!p || vector >= p->nfd)
		return VPLAT_ENOENT;
	uint64_t one = 1;
	ssize_t n = write(p->efd[vector], &one, sizeof(one));
	return n == (ssize_t)sizeof(one) ? 0 : VPLAT_EIO;
}

int vplat_ivshmem_client_eventfd(const struct vplat_ivshmem_client *c, uint16_t vector)
{
	for (unsigned i = 0; i < VPLAT_IVSHMEM_CLIENT_MAX_PEERS; i++) {
		const struct cli_peer *p = &c->peers[i];
		if (p->present && p->id == c->id)
			return vector < p->nfd ? p->efd[vector] : -1;
	}
	return -1;
}

int64_t vplat_ivshmem_client_wait(struct vplat_ivshmem_client *c, uint16_t vector,
				  int timeout_ms)
{
	int fd = vplat_ivshmem_client_eventfd(c, vector);
	if (fd < 0)
		return VPLAT_ENOENT;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r;
	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return VPLAT_ETIMEDOUT;
	uint64_t cnt = 0;
	if (read(fd, &cnt, sizeof(cnt)) != (ssize_t)sizeof(cnt))
		return VPLAT_ETIMEDOUT;
	return (int64_t)cnt;
}
