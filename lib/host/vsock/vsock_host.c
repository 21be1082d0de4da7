/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsock host end: the hybrid UNIX-socket convention (cloud-hypervisor, rust-vmm
 * vhost-device-vsock) for CID 2 and an in-process fabric for VM-to-VM (vplat/host/vsock_host.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/vsock_host.h"
#include "host/unix_sock.h"

#define FABRIC_MAX 64u
#define ALLOW_MAX  256u
#define LINE_MAX_  32u
#define SHUT_BOTH  (VPLAT_VIRTIO_VSOCK_SHUTDOWN_RCV | VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND)

enum hstate {
	H_HANDSHAKE, /* host client accepted, "CONNECT <port>\n" not read yet */
	H_CONNECTING, /* REQUEST sent to the guest (or, fabric, to the other guest) */
	H_OPEN,
};

struct hconn {
	struct vplat_vsock_host *h;
	struct vplat_vsock_conn *c; /* the device's connection (NULL during a handshake) */
	struct hconn *peer;          /* fabric: the other VM's end */
	struct hconn *next;
	enum hstate state;
	int fd; /* UNIX socket, or -1 (fabric) */
	char line[LINE_MAX_];
	unsigned nline;
	uint8_t *in; /* guest data not yet consumed (ring of cap bytes) */
	uint32_t cap, head, len;
	uint8_t *out; /* socket data waiting for the guest (VPLAT_VSOCK_HOST_CHUNK) */
	uint32_t out_off, out_len;
	bool eof;        /* the socket reached EOF (we told the guest SHUTDOWN) */
	uint32_t shut;   /* guest shutdown flags applied to the socket / peer so far */
	uint32_t want_shut; /* guest shutdown flags to apply once @ref in is drained */
};

struct vplat_vsock_host {
	struct vplat_vsock *d;
	char *path;
	int lfd;
	struct hconn *conns;
	uint32_t next_port;
	struct vplat_vsock_fabric *fab;
};

struct vplat_vsock_fabric {
	struct vplat_vsock_host *m[FABRIC_MAX];
	unsigned nm;
	uint64_t allow[ALLOW_MAX][2];
	unsigned nallow;
};

/* ---- connection bookkeeping ------------------------------------------------------------ */

static struct hconn *hc_new(struct vplat_vsock_host *h, int fd)
{
	struct hconn *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->h = h;
	x->fd = fd;
	x->next = h->conns;
	h->conns = x;
	return x;
}

/* Buffers once the connection is set up (the handshake needs none). */
static int hc_buffers(struct hconn *x)
{
	x->cap = x->h->d->buf_alloc;
	x->in = malloc(x->cap);
	x->out = malloc(VPLAT_VSOCK_HOST_CHUNK);
	return x->in && x->out ? 0 : VPLAT_ENOMEM;
}

static void hc_free(struct hconn *x)
{
	struct vplat_vsock_host *h = x->h;
	for (struct hconn **p = &h->conns; *p; p = &(*p)->next) {
		if (*p == x) {
			*p = x->next;
			break;
		}
	}
	if (x->fd >= 0)
		close(x->fd);
	if (x->peer)
		x->peer->peer = NULL;
	free(x->in);
	free(x->out);
	free(x);
}

/* Drop our end and reset the device's connection (RST to the guest); a fabric peer goes the
 * same way. */
static void hc_abort(struct hconn *x)
{
	struct hconn *p = x->peer;
	if (p) {
		x->peer = NULL;
		p->peer = NULL;
		hc_abort(p);
	}
	if (x->c) {
		x->c->handle = NULL;
		if (x->state == H_OPEN)
			vplat_vsock_close(x->h->d, x->c);
		else if (x->c->state == VPLAT_VSOCK_ACCEPTING)
			(void)vplat_vsock_accept(x->h->d, x->c, false);
		else
			vplat_vsock_close(x->h->d, x->c);
	}
	hc_free(x);
}

/* ---- fabric ---------------------------------------------------------------------------- */

static bool fab_allowed(const struct vplat_vsock_fabric *f, uint64_t a, uint64_t b)
{
	for (unsigned i = 0; i < f->nallow; i++)
		if ((f->allow[i][0] == a && f->allow[i][1] == b) ||
		    (f->allow[i][0] == b && f->allow[i][1] == a))
			return true;
	return false;
}

static struct vplat_vsock_host *fab_member(const struct vplat_vsock_fabric *f, uint64_t cid)
{
	for (unsigned i = 0; i < f->nm; i++)
		if (f->m[i]->d && f->m[i]->d->guest_cid == cid)
			return f->m[i];
	return NULL;
}

/* ---- data toward the outside (socket or peer VM) --------------------------------------- */

/* Apply the guest's shutdown once its data is out. Returns false if @p x was freed. */
static bool apply_shutdown(struct hconn *x)
{
	uint32_t add = x->want_shut & ~x->shut;
	if (!add || x->len)
		return true;
	x->shut |= add;
	if (x->peer && x->peer->c) {
		(void)vplat_vsock_shutdown(x->peer->h->d, x->peer->c, x->shut);
	} else if (x->fd >= 0) {
		if (x->shut == SHUT_BOTH) {
			/* The guest closed: finish with RST (sec: Stream Sockets, clean disconnect). */
			hc_abort(x);
			return false;
		}
		if (add & VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND)
			(void)shutdown(x->fd, SHUT_WR);
	}
	return true;
}

/* Move guest data out of @p x->in: into the socket, or to the peer VM. Returns false if @p x
 * was freed. */
static bool drain_in(struct hconn *x)
{
	while (x->len) {
		uint32_t n = x->cap - x->head < x->len ? x->cap - x->head : x->len;
		ssize_t w;
		if (x->peer) {
			if (!x->peer->c || x->peer->state != H_OPEN)
				break;
			int32_t s = vplat_vsock_send(x->peer->h->d, x->peer->c, x->in + x->head, n);
			w = s < 0 ? -1 : s;
		} else if (x->fd >= 0) {
			w = send(x->fd, x->in + x->head, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				w = 0;
		} else {
			w = -1;
		}
		if (w < 0) {
			hc_abort(x);
			return false;
		}
		if (w == 0)
			break;
		x->head = (x->head + (uint32_t)w) % x->cap;
		x->len -= (uint32_t)w;
		(void)vplat_vsock_consumed(x->h->d, x->c, (uint32_t)w);
	}
	return apply_shutdown(x);
}

/* ---- data toward the guest (from the socket) ------------------------------------------- */

/* Send staged socket data to the guest. */
static void flush_out(struct hconn *x)
{
	while (x->out_len) {
		int32_t s = vplat_vsock_send(x->h->d, x->c, x->out + x->out_off, x->out_len);
		if (s <= 0)
			return;
		x->out_off += (uint32_t)s;
		x->out_len -= (uint32_t)s;
	}
	x->out_off = 0;
}

/* Read the socket (as much as the guest's credit allows) and send it. Returns false if @p x
 * was freed. */
static bool pump_socket(struct hconn *x)
{
	while (!x->eof && !x->out_len && x->c && x->state == H_OPEN) {
		uint32_t credit = vplat_vsock_peer_credit(x->c);
		if (!credit)
			return true;
		if (credit > VPLAT_VSOCK_HOST_CHUNK)
			credit = VPLAT_VSOCK_HOST_CHUNK;
		ssize_t r = recv(x->fd, x->out, credit, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return true;
		if (r < 0) {
			hc_abort(x);
			return false;
		}
		if (r == 0) {
			/* The host side sends no more (it may still read: a half close). */
			x->eof = true;
			(void)vplat_vsock_shutdown(x->h->d, x->c, VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND);
			return true;
		}
		x->out_off = 0;
		x->out_len = (uint32_t)r;
		flush_out(x);
	}
	return true;
}

/* ---- handshake of host-initiated connections ------------------------------------------- */

static void handshake(struct hconn *x)
{
	while (x->nline < LINE_MAX_ - 1u) {
		ssize_t r = recv(x->fd, x->line + x->nline, 1, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (r <= 0) {
			hc_free(x);
			return;
		}
		if (x->line[x->nline] == '\n') {
			x->line[x->nline] = 0;
			char *end;
			unsigned long port;
			if (strncmp(x->line, "CONNECT ", 8) != 0)
				break;
			errno = 0;
			port = strtoul(x->line + 8, &end, 10);
			if (errno || end == x->line + 8 || *end || port > UINT32_MAX)
				break;
			uint32_t hp = x->h->next_port++;
			if (hc_buffers(x) ||
			    vplat_vsock_connect(x->h->d, VPLAT_VSOCK_CID_HOST, hp, (uint32_t)port, x,
						&x->c))
				break;
			x->state = H_CONNECTING;
			return;
		}
		x->nline++;
	}
	hc_free(x); /* not the protocol, or no guest connection possible */
}

/* ---- device host ops ------------------------------------------------------------------- */

static int op_connect(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	struct vplat_vsock_host *h = host;
	(void)d;
	if (c->peer_cid == VPLAT_VSOCK_CID_HOST) {
		char p[sizeof(((struct sockaddr_un *)0)->sun_path) + 16];
		if (!h->path || snprintf(p, sizeof(p), "%s_%u", h->path, c->peer_port) >= (int)sizeof(p))
			return VPLAT_ENOENT;
		int fd = vplat_unix_open(p, false);
		if (fd < 0)
			return VPLAT_ENOENT; /* nothing listens: RST */
		struct hconn *x = hc_new(h, fd);
		if (!x) {
			close(fd);
			return VPLAT_ENOMEM;
		}
		x->c = c;
		if (hc_buffers(x)) {
			x->c = NULL;
			hc_free(x);
			return VPLAT_ENOMEM;
		}
		x->state = H_OPEN;
		c->handle = x;
		return 0;
	}
	/* VM to VM: only a member the fabric allows. */
	struct vplat_vsock_host *o = h->fab ? fab_member(h->fab, c->peer_cid) : NULL;
	if (!o || !o->d || !fab_allowed(h->fab, h->d->guest_cid, c->peer_cid))
		return VPLAT_EPERM;
	struct hconn *a = hc_new(h, -1), *b = a ? hc_new(o, -1) : NULL;
	if (!b || hc_buffers(a) || hc_buffers(b))
		goto fail;
	a->c = c;
	a->peer = b;
	b->peer = a;
	a->state = b->state = H_CONNECTING;
	if (vplat_vsock_connect(o->d, h->d->guest_cid, c->guest_port, c->peer_port, b, &b->c))
		goto fail;
	c->handle = a;
	return 1; /* RESPONSE when the other guest accepts */
fail:
	if (b)
		hc_free(b);
	if (a) {
		a->c = NULL;
		hc_free(a);
	}
	return VPLAT_ENOMEM;
}

static void op_connected(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c, int rc)
{
	struct hconn *x = c->handle;
	(void)host;
	(void)d;
	if (!x)
		return;
	if (x->peer) { /* the other guest answered our guest's REQUEST */
		struct hconn *a = x->peer;
		if (rc == 0) {
			x->state = a->state = H_OPEN;
			(void)vplat_vsock_accept(a->h->d, a->c, true);
		} else {
			x->c = NULL;
			(void)vplat_vsock_accept(a->h->d, a->c, false);
			a->c = NULL;
			hc_free(a);
			hc_free(x);
		}
		return;
	}
	if (rc != 0) {
		x->c = NULL;
		hc_free(x); /* refused: the host client sees the socket close */
		return;
	}
	char ok[32];
	int n = snprintf(ok, sizeof(ok), "OK %u\n", c->peer_port);
	if (send(x->fd, ok, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n) {
		hc_abort(x);
		return;
	}
	x->state = H_OPEN;
	(void)pump_socket(x);
}

static int op_recv(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c,
		   const struct vplat_chain *pkt, size_t off, uint32_t len)
{
	struct hconn *x = c->handle;
	(void)host;
	(void)d;
	if (!x || len > x->cap - x->len)
		return VPLAT_ENOSPC; /* cannot happen within the credit */
	uint32_t tail = (x->head + x->len) % x->cap;
	uint32_t first = x->cap - tail < len ? x->cap - tail : len;
	if (vplat_chain_read(pkt, off, x->in + tail, first) != first ||
	    vplat_chain_read(pkt, off + first, x->in, len - first) != len - first)
		return VPLAT_EFAULT;
	x->len += len;
	(void)drain_in(x);
	return 0;
}

static void op_shutdown(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c,
			uint32_t flags)
{
	struct hconn *x = c->handle;
	(void)host;
	(void)d;
	if (!x)
		return;
	x->want_shut |= flags;
	(void)apply_shutdown(x);
}

static void op_writable(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	struct hconn *x = c->handle;
	(void)host;
	(void)d;
	if (!x)
		return;
	if (x->peer) {
		(void)drain_in(x->peer); /* the peer's guest data goes to our guest */
		return;
	}
	flush_out(x);
	(void)pump_socket(x);
}

static void op_closed(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	struct hconn *x = c->handle;
	(void)host;
	(void)d;
	if (!x)
		return;
	x->c = NULL;
	c->handle = NULL;
	if (x->peer) {
		struct hconn *p = x->peer;
		if (p->c) {
			if (p->state == H_OPEN) {
				p->c->handle = NULL;
				vplat_vsock_close(p->h->d, p->c);
			} else {
				(void)vplat_vsock_accept(p->h->d, p->c, false);
			}
		}
		hc_free(p);
	}
	hc_free(x);
}

const struct vplat_vsock_host_ops vplat_vsock_host_ops = {
	.connect = op_connect,
	.connected = op_connected,
	.recv = op_recv,
	.shutdown = op_shutdown,
	.writable = op_writable,
	.closed = op_closed,
};

/* ---- life cycle, polling --------------------------------------------------------------- */

struct vplat_vsock_host *vplat_vsock_host_new(const char *uds_path, int *err)
{
	int e = VPLAT_ENOMEM;
	struct vplat_vsock_host *h = calloc(1, sizeof(*h));
	if (!h)
		goto out;
	h->lfd = -1;
	h->next_port = 1024;
	if (uds_path) {
		struct sockaddr_un a;
		e = VPLAT_EINVAL;
		if (vplat_unix_addr(&a, uds_path) ||
		    strlen(uds_path) + 12 > sizeof(a.sun_path)) /* PATH_<port> must fit too */
			goto out;
		e = VPLAT_ENOMEM;
		if (!(h->path = strdup(uds_path)))
			goto out;
		e = VPLAT_EIO;
		(void)unlink(uds_path);
		h->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (h->lfd < 0 || bind(h->lfd, (const struct sockaddr *)&a, sizeof(a)) ||
		    listen(h->lfd, 64) || vplat_fd_set_nonblock(h->lfd))
			goto out;
	}
	return h;
out:
	if (err)
		*err = e;
	vplat_vsock_host_free(h);
	return NULL;
}

void vplat_vsock_host_bind(struct vplat_vsock_host *h, struct vplat_vsock *d)
{
	h->d = d;
}

void vplat_vsock_host_free(struct vplat_vsock_host *h)
{
	if (!h)
		return;
	while (h->conns) {
		if (h->conns->c)
			h->conns->c->handle = NULL;
		hc_free(h->conns);
	}
	if (h->fab) {
		for (unsigned i = 0; i < h->fab->nm; i++) {
			if (h->fab->m[i] == h) {
				h->fab->m[i] = h->fab->m[--h->fab->nm];
				break;
			}
		}
	}
	if (h->lfd >= 0) {
		close(h->lfd);
		(void)unlink(h->path);
	}
	free(h->path);
	free(h);
}

unsigned vplat_vsock_host_fds(const struct vplat_vsock_host *h, int *fds, unsigned max)
{
	unsigned n = 0;
	if (h->lfd >= 0 && n < max)
		fds[n++] = h->lfd;
	for (const struct hconn *x = h->conns; x && n < max; x = x->next) {
		if (x->fd < 0)
			continue;
		if (x->state == H_HANDSHAKE ||
		    (x->state == H_OPEN && !x->eof && !x->out_len && x->c &&
		     vplat_vsock_peer_credit(x->c) > 0))
			fds[n++] = x->fd;
	}
	return n;
}

int vplat_vsock_host_timeout_ms(const struct vplat_vsock_host *h)
{
	for (const struct hconn *x = h->conns; x; x = x->next)
		if (x->fd >= 0 && x->len)
			return 1;
	return -1;
}

void vplat_vsock_host_dispatch(struct vplat_vsock_host *h)
{
	if (!h->d)
		return;
	if (h->lfd >= 0) {
		for (;;) {
			int fd = accept4(h->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd < 0)
				break;
			if (!hc_new(h, fd))
				close(fd);
		}
	}
	/* One pass; a step may free the connection, so the next one is taken first. Freshly
	 * accepted ones are at the head and are served too. */
	for (struct hconn *x = h->conns, *nx; x; x = nx) {
		nx = x->next;
		if (x->fd < 0)
			continue;
		if (x->state == H_HANDSHAKE) {
			handshake(x);
			continue;
		}
		if (x->state != H_OPEN)
			continue;
		if (x->len && !drain_in(x))
			continue;
		flush_out(x);
		(void)pump_socket(x);
	}
}

unsigned vplat_vsock_host_nconns(const struct vplat_vsock_host *h)
{
	unsigned n = 0;
	for (const struct hconn *x = h->conns; x; x = x->next)
		n++;
	return n;
}

struct vplat_vsock_fabric *vplat_vsock_fabric_new(void)
{
	return calloc(1, sizeof(struct vplat_vsock_fabric));
}

void vplat_vsock_fabric_free(struct vplat_vsock_fabric *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < f->nm; i++)
		f->m[i]->fab = NULL;
	free(f);
}

int vplat_vsock_fabric_join(struct vplat_vsock_fabric *f, struct vplat_vsock_host *h)
{
	if (!f || !h || !h->d || h->fab)
		return VPLAT_EINVAL;
	if (fab_member(f, h->d->guest_cid))
		return VPLAT_EEXIST;
	if (f->nm == FABRIC_MAX)
		return VPLAT_ENOSPC;
	f->m[f->nm++] = h;
	h->fab = f;
	return 0;
}

int vplat_vsock_fabric_allow(struct vplat_vsock_fabric *f, uint64_t a, uint64_t b)
{
	if (!f || a == b || !vplat_vsock_cid_valid(a) || !vplat_vsock_cid_valid(b))
		return VPLAT_EINVAL;
	if (f->nallow == ALLOW_MAX)
		return VPLAT_ENOSPC;
	f->allow[f->nallow][0] = a;
	f->allow[f->nallow][1] = b;
	f->nallow++;
	return 0;
}
