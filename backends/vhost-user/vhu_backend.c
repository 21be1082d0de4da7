/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user back-end: connection, message dispatch, replies (REPLY_ACK), features, config
 * space and status. Ring and memory messages live in vhu_vring.c and vhu_mem.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vhu_internal.h"

void vplat_vhu_log(struct vplat_vhu_backend *b, enum vplat_vhu_log_level lvl, const char *fmt, ...)
{
	if (!b->p.log || lvl > b->p.log_level)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	b->p.log(b->p.log_opaque, lvl, line);
}

int vplat_vhu_backend_init(struct vplat_vhu_backend *b, const struct vplat_vhu_backend_params *p)
{
	if (!b)
		return VPLAT_EINVAL;
	memset(b, 0, sizeof(*b));
	if (p)
		b->p = *p;
	if (!b->p.protocol_features)
		b->p.protocol_features = VPLAT_VHU_BACKEND_PROTOCOL_FEATURES;
	b->p.protocol_features &= VPLAT_VHU_BACKEND_PROTOCOL_FEATURES;
	if (!b->p.io_timeout_ms)
		b->p.io_timeout_ms = 1000;
	b->conn = -1;
	b->reply_fd = -1;
	b->inflight.fd = -1;
#ifdef VPLAT_TEST_HOOKS
	/* Test-only kill points (struct vplat_vhu_inflight): compiled in only with
	 * -DVPLAT_TEST_HOOKS=ON (the default when the tests are built); a product build
	 * (-DVPLAT_BUILD_TESTS=OFF) ignores these variables. */
	const char *k = getenv("VPLAT_TEST_KILL_AFTER_POP");
	b->inflight.kill_after_pop = k ? strtoull(k, NULL, 10) : 0;
	k = getenv("VPLAT_TEST_KILL_AFTER_PUSH");
	b->inflight.kill_after_push = k ? strtoull(k, NULL, 10) : 0;
#endif
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++)
		b->vrings[q].kick_fd = b->vrings[q].call_fd = b->vrings[q].err_fd = -1;
	return vplat_mem_init(&b->mem, b->mem_storage, VPLAT_VHU_MAX_REGIONS);
}

struct vplat_mem *vplat_vhu_backend_mem(struct vplat_vhu_backend *b)
{
	return &b->mem;
}

int vplat_vhu_backend_attach(struct vplat_vhu_backend *b, struct vplat_device *dev)
{
	if (!b || !dev || dev->mem != &b->mem || dev->nvqs > VPLAT_VHU_MAX_QUEUES)
		return VPLAT_EINVAL;
	if (b->dev)
		return VPLAT_EBUSY;
	b->dev = dev;
	vplat_device_attach(dev, &vplat_vhu_notify_ops, b);
	return 0;
}

int vplat_vhu_backend_set_conn(struct vplat_vhu_backend *b, int fd)
{
	if (fd < 0)
		return VPLAT_EINVAL;
	vplat_vhu_backend_disconnect(b);
	if (!b->dev) {
		close(fd);
		return VPLAT_ENODEV;
	}
	b->conn = fd;
	b->stats.connections++;
	vplat_vhu_log(b, VPLAT_VHU_LOG_INFO, "front-end connected");
	return 0;
}

bool vplat_vhu_backend_connected(const struct vplat_vhu_backend *b)
{
	return b->conn >= 0;
}

void vplat_vhu_backend_disconnect(struct vplat_vhu_backend *b)
{
	vplat_vhu_threads_park(b);
	if (b->dev) {
		vplat_vhu_vring_stop_all(b);
		vplat_device_reset(b->dev);
	}
	vplat_vhu_mem_unmap_all(b);
	vplat_vhu_inflight_release(b);
	if (b->conn >= 0)
		vplat_vhu_log(b, VPLAT_VHU_LOG_INFO, "front-end disconnected");
	vhu_close(&b->conn);
	vhu_close(&b->reply_fd);
	b->features = 0;
	b->features_set = false;
	b->protocol_features = 0;
	b->owner = false;
	vplat_vhu_threads_resume(b);
}

void vplat_vhu_backend_fini(struct vplat_vhu_backend *b)
{
	if (!b)
		return;
	vplat_vhu_backend_stop_threads(b);
	vplat_vhu_backend_disconnect(b);
	b->dev = NULL;
}

size_t vplat_vhu_backend_pollfds(const struct vplat_vhu_backend *b, struct vplat_vhu_pollfd *out,
				 size_t cap)
{
	size_t n = 0;
	if (b->conn < 0)
		return 0;
	if (n < cap)
		out[n++] = (struct vplat_vhu_pollfd){.fd = b->conn, .queue = -1};
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES && n < cap; q++)
		if (b->vrings[q].started && b->vrings[q].kick_fd >= 0 &&
		    !vplat_vhu_threads_serve(b, (uint16_t)q))
			out[n++] = (struct vplat_vhu_pollfd){.fd = b->vrings[q].kick_fd,
							     .queue = (int32_t)q};
	return n;
}

/* --- replies -------------------------------------------------------------------------- */

static void reply_build(struct vplat_vhu_backend *b, const struct vhu_hdr *req, const void *payload,
			uint32_t size)
{
	struct vhu_hdr h = {.request = req->request,
			    .flags = VPLAT_VHU_VERSION | VPLAT_VHU_FLAG_REPLY,
			    .size = size};
	memcpy(b->reply, &h, sizeof(h));
	if (size)
		memcpy(b->reply + sizeof(h), payload, size);
	b->reply_len = (uint32_t)sizeof(h) + size;
}

static int reply_send(struct vplat_vhu_backend *b)
{
	int rc = 0;
	if (b->conn >= 0 && b->reply_len)
		rc = vplat_vhu_send(b->conn, b->reply, b->reply_len, &b->reply_fd, b->reply_fd >= 0 ? 1 : 0);
	vhu_close(&b->reply_fd);
	return rc;
}

static void reply_u64(struct vplat_vhu_backend *b, const struct vhu_hdr *req, uint64_t v)
{
	reply_build(b, req, &v, sizeof(v));
}

/* --- simple requests ------------------------------------------------------------------ */

static bool has_pf(const struct vplat_vhu_backend *b, unsigned bit)
{
	return b->protocol_features & VPLAT_BIT(bit);
}

static uint64_t offered_features(const struct vplat_vhu_backend *b)
{
	/* A kick eventfd carries no data and there is no per-ring reset message: hide
	 * NOTIFICATION_DATA and RING_RESET. */
	uint64_t f = b->dev->host_features & ~(VPLAT_BIT(VPLAT_VIRTIO_F_NOTIFICATION_DATA) |
					       VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	f &= ~b->p.feature_mask;
	return f | VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES);
}

static bool any_started(const struct vplat_vhu_backend *b)
{
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++)
		if (b->vrings[q].started)
			return true;
	return false;
}

static int set_features(struct vplat_vhu_backend *b, uint64_t f)
{
	uint64_t allowed = offered_features(b) | VPLAT_BIT(VPLAT_VHU_F_LOG_ALL);
	if (f & ~allowed)
		return VPLAT_EPROTO;
	if (f & VPLAT_BIT(VPLAT_VHU_F_LOG_ALL))
		return VPLAT_EPROTO; /* dirty logging was never offered */
	if (!any_started(b) && b->features_set && f != b->features)
		vplat_device_reset(b->dev); /* a new session: renegotiate */
	else if (any_started(b) && f != b->features)
		return VPLAT_EPROTO; /* features of running rings are frozen */
	b->features = f;
	b->features_set = true;
	return 0;
}

static int get_config(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	struct vhu_config *c = &m->u.config;
	if (m->hdr.size < VHU_CONFIG_HDR || c->size > VPLAT_VHU_MAX_CONFIG ||
	    m->hdr.size != VHU_CONFIG_HDR + c->size)
		return VPLAT_EPROTO;
	struct vplat_device *d = b->dev;
	memset(c->data, 0, c->size);
	if (c->offset < d->config_len) {
		uint32_t n = d->config_len - c->offset;
		if (n > c->size)
			n = c->size;
		if (d->ops->config_read)
			d->ops->config_read(d, c->offset, n);
		memcpy(c->data, d->config + c->offset, n);
	}
	reply_build(b, &m->hdr, c, m->hdr.size);
	return 0;
}

static int set_config(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	const struct vhu_config *c = &m->u.config;
	if (m->hdr.size < VHU_CONFIG_HDR || c->size > VPLAT_VHU_MAX_CONFIG ||
	    m->hdr.size != VHU_CONFIG_HDR + c->size || c->flags > 1)
		return VPLAT_EPROTO;
	if (c->offset >= b->dev->config_len || c->size > b->dev->config_len - c->offset)
		return VHU_REFUSE; /* outside config space: refused, the session goes on */
	vplat_device_config_write(b->dev, c->offset, c->data, c->size);
	return 0;
}

/* Requests with no payload and no fds. */
static bool bare(const struct vhu_msg *m)
{
	return m->nfds == 0;
}

static int handle_simple(struct vplat_vhu_backend *b, struct vhu_msg *m, bool *replied)
{
	const struct vhu_hdr *h = &m->hdr;
	bool u64in = h->size == 8 && m->nfds == 0;
	*replied = true;
	switch (h->request) {
	case VPLAT_VHU_GET_FEATURES:
		reply_u64(b, h, offered_features(b));
		return bare(m) ? 0 : VPLAT_EPROTO;
	case VPLAT_VHU_GET_PROTOCOL_FEATURES:
		reply_u64(b, h, b->p.protocol_features);
		return bare(m) ? 0 : VPLAT_EPROTO;
	case VPLAT_VHU_GET_QUEUE_NUM:
		reply_u64(b, h, b->dev->nvqs);
		return bare(m) ? 0 : VPLAT_EPROTO;
	case VPLAT_VHU_GET_MAX_MEM_SLOTS:
		reply_u64(b, h, VPLAT_VHU_MAX_REGIONS);
		return bare(m) ? 0 : VPLAT_EPROTO;
	case VPLAT_VHU_GET_STATUS:
		reply_u64(b, h, vplat_device_get_status(b->dev));
		return bare(m) ? 0 : VPLAT_EPROTO;
	case VPLAT_VHU_GET_CONFIG:
		return bare(m) && has_pf(b, VPLAT_VHU_PROTOCOL_F_CONFIG) ? get_config(b, m)
									  : VPLAT_EPROTO;
	default:
		break;
	}
	*replied = false;
	switch (h->request) {
	case VPLAT_VHU_SET_FEATURES:
		return u64in ? set_features(b, m->u.u64) : VPLAT_EPROTO;
	case VPLAT_VHU_SET_PROTOCOL_FEATURES:
		if (!u64in || (m->u.u64 & ~b->p.protocol_features))
			return VPLAT_EPROTO;
		b->protocol_features = m->u.u64;
		return 0;
	case VPLAT_VHU_SET_OWNER:
		b->owner = true;
		return bare(m) ? 0 : VPLAT_EPROTO;
	case VPLAT_VHU_RESET_OWNER:
	case VPLAT_VHU_RESET_DEVICE:
		vplat_vhu_vring_stop_all(b);
		vplat_device_reset(b->dev);
		return bare(m) ? 0 : VPLAT_EPROTO;
	case VPLAT_VHU_SET_STATUS:
		if (!u64in || m->u.u64 > UINT8_MAX || !has_pf(b, VPLAT_VHU_PROTOCOL_F_STATUS))
			return VPLAT_EPROTO;
		vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "status 0x%02x -> 0x%02x",
			vplat_device_get_status(b->dev), (unsigned)m->u.u64);
		return vplat_vhu_set_status(b, (uint8_t)m->u.u64);
	case VPLAT_VHU_SET_CONFIG:
		return bare(m) && has_pf(b, VPLAT_VHU_PROTOCOL_F_CONFIG) ? set_config(b, m)
									  : VPLAT_EPROTO;
	default:
		return VPLAT_ENOTSUP;
	}
}

static int dispatch(struct vplat_vhu_backend *b, struct vhu_msg *m, bool *replied)
{
	switch (m->hdr.request) {
	case VPLAT_VHU_SET_MEM_TABLE:
		return vplat_vhu_mem_set_table(b, m);
	case VPLAT_VHU_ADD_MEM_REG:
		return has_pf(b, VPLAT_VHU_PROTOCOL_F_CONFIGURE_MEM_SLOTS) ? vplat_vhu_mem_add(b, m)
									    : VPLAT_EPROTO;
	case VPLAT_VHU_REM_MEM_REG:
		return has_pf(b, VPLAT_VHU_PROTOCOL_F_CONFIGURE_MEM_SLOTS) ? vplat_vhu_mem_rem(b, m)
									    : VPLAT_EPROTO;
	case VPLAT_VHU_SET_VRING_NUM:
	case VPLAT_VHU_SET_VRING_ADDR:
	case VPLAT_VHU_SET_VRING_BASE:
	case VPLAT_VHU_GET_VRING_BASE:
	case VPLAT_VHU_SET_VRING_KICK:
	case VPLAT_VHU_SET_VRING_CALL:
	case VPLAT_VHU_SET_VRING_ERR:
	case VPLAT_VHU_SET_VRING_ENABLE: {
		if (m->nfds && m->hdr.request != VPLAT_VHU_SET_VRING_KICK &&
		    m->hdr.request != VPLAT_VHU_SET_VRING_CALL &&
		    m->hdr.request != VPLAT_VHU_SET_VRING_ERR)
			return VPLAT_EPROTO;
		bool r = false;
		int rc = vplat_vhu_vring_msg(b, m, &r);
		if (r && !rc) {
			reply_build(b, &m->hdr, &m->u.state, sizeof(m->u.state));
			*replied = true;
		}
		return rc;
	}
	case VPLAT_VHU_GET_INFLIGHT_FD:
		if (!has_pf(b, VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD))
			return VPLAT_EPROTO;
		*replied = true;
		return vplat_vhu_inflight_get(b, m);
	case VPLAT_VHU_SET_INFLIGHT_FD:
		return has_pf(b, VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD) ? vplat_vhu_inflight_set(b, m)
									: VPLAT_EPROTO;
	default:
		return handle_simple(b, m, replied);
	}
}

static const char *req_name(uint32_t r)
{
	static const char *const names[] = {
	    [1] = "GET_FEATURES", [2] = "SET_FEATURES", [3] = "SET_OWNER", [4] = "RESET_OWNER",
	    [5] = "SET_MEM_TABLE", [8] = "SET_VRING_NUM", [9] = "SET_VRING_ADDR",
	    [10] = "SET_VRING_BASE", [11] = "GET_VRING_BASE", [12] = "SET_VRING_KICK",
	    [13] = "SET_VRING_CALL", [14] = "SET_VRING_ERR", [15] = "GET_PROTOCOL_FEATURES",
	    [16] = "SET_PROTOCOL_FEATURES", [17] = "GET_QUEUE_NUM", [18] = "SET_VRING_ENABLE",
	    [24] = "GET_CONFIG", [25] = "SET_CONFIG", [31] = "GET_INFLIGHT_FD",
	    [32] = "SET_INFLIGHT_FD", [34] = "RESET_DEVICE", [36] = "GET_MAX_MEM_SLOTS",
	    [37] = "ADD_MEM_REG", [38] = "REM_MEM_REG", [39] = "SET_STATUS", [40] = "GET_STATUS",
	};
	return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "unknown";
}

/* Handle one received message; fds not taken by a handler are closed here. */
static int handle_msg(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	b->stats.messages++;
	b->reply_len = 0;
	vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "%s (%u) size %u fds %u", req_name(m->hdr.request),
		m->hdr.request, m->hdr.size, m->nfds);
	bool replied = false;
	int rc;
	if ((m->hdr.flags & 3u) != VPLAT_VHU_VERSION || (m->hdr.flags & VPLAT_VHU_FLAG_REPLY))
		rc = VPLAT_EPROTO;
	else
		rc = dispatch(b, m, &replied);
	vplat_vhu_close_fds(m);
	bool need_ack = (m->hdr.flags & VPLAT_VHU_FLAG_NEED_REPLY) &&
			has_pf(b, VPLAT_VHU_PROTOCOL_F_REPLY_ACK);
	if (rc == VHU_REFUSE) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_WARN, "%s (%u) refused", req_name(m->hdr.request),
			m->hdr.request);
		if (need_ack) {
			reply_u64(b, &m->hdr, 1);
			return reply_send(b) ? VPLAT_ENODEV : 0;
		}
		return 0;
	}
	if (rc) {
		b->stats.errors++;
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR, "%s (%u) refused: %s", req_name(m->hdr.request),
			m->hdr.request, vplat_strerror(rc));
		vhu_close(&b->reply_fd);
		b->reply_len = 0;
		if (need_ack || replied) {
			/* A failure reply: u64 1 (or an empty payload where one was expected). */
			reply_u64(b, &m->hdr, 1);
			reply_send(b);
		}
		return VPLAT_EPROTO;
	}
	if (!replied && need_ack)
		reply_u64(b, &m->hdr, 0);
	return reply_send(b) ? VPLAT_ENODEV : 0;
}

struct process_args {
	struct vplat_vhu_backend *b;
	const void *buf;
	size_t len;
	const int *fds;
	uint32_t nfds;
};

static int process_guarded(void *arg);

static int process_common(struct process_args *a)
{
	struct vplat_vhu_backend *b = a->b;
	if (!b)
		return VPLAT_EINVAL;
	struct vplat_vhu_backend *bs[1] = {b};
	int rc = vplat_vhu_backends_guard(bs, 1, process_guarded, a);
	return rc == VPLAT_EFAULT ? VPLAT_EPROTO : rc;
}

int vplat_vhu_backend_process(struct vplat_vhu_backend *b, const void *buf, size_t len)
{
	struct process_args a = {b, buf, len, NULL, 0};
	return process_common(&a);
}

int vplat_vhu_backend_process_fds(struct vplat_vhu_backend *b, const void *buf, size_t len,
				  const int *fds, uint32_t nfds)
{
	if (nfds && !fds)
		return VPLAT_EINVAL;
	struct process_args a = {b, buf, len, fds, nfds};
	return process_common(&a);
}

static int process_unguarded(const struct process_args *a)
{
	static struct vhu_msg m; /* large; one thread at a time per back-end anyway */
	struct vplat_vhu_backend *b = a->b;
	if (!b || !b->dev || !a->buf)
		return VPLAT_EINVAL;
	memset(&m.hdr, 0, sizeof(m.hdr));
	m.nfds = 0;
	m.borrowed = true;
	if (a->len < VPLAT_VHU_HDR_SIZE || a->nfds > VPLAT_VHU_MAX_FDS)
		return VPLAT_EPROTO;
	memcpy(&m.hdr, a->buf, VPLAT_VHU_HDR_SIZE);
	if (m.hdr.size > VPLAT_VHU_MAX_PAYLOAD || a->len - VPLAT_VHU_HDR_SIZE != m.hdr.size)
		return VPLAT_EPROTO;
	memset(&m.u, 0, sizeof(m.u));
	memcpy(&m.u, (const uint8_t *)a->buf + VPLAT_VHU_HDR_SIZE, m.hdr.size);
	for (uint32_t i = 0; i < a->nfds; i++)
		m.fds[i] = a->fds[i];
	m.nfds = a->nfds;
	int rc = handle_msg(b, &m); /* (forgets the borrowed fds it did not take) */
	if (rc) {
		int conn = b->conn;
		b->conn = -1;
		vplat_vhu_backend_disconnect(b);
		b->conn = conn;
	}
	return rc;
}

static int process_guarded(void *arg)
{
	return process_unguarded(arg);
}

static int handle_socket(struct vplat_vhu_backend *b)
{
	static _Thread_local struct vhu_msg m;
	/* The queue threads wait while a message is read and handled: the control path never
	 * runs beside ring processing. */
	vplat_vhu_threads_park(b);
	int rc = vplat_vhu_recv_msg(b->conn, &m, b->p.io_timeout_ms);
	if (rc == 0)
		rc = handle_msg(b, &m);
	vplat_vhu_close_fds(&m);
	vplat_vhu_threads_resume(b);
	if (rc) {
		if (rc == VPLAT_EPROTO && b->stats.messages == 0)
			b->stats.errors++; /* malformed frame, counted here (handle_msg never ran) */
		vplat_vhu_backend_disconnect(b);
		return VPLAT_ENODEV;
	}
	return 0;
}

static int handle_unguarded(struct vplat_vhu_backend *b, const struct vplat_vhu_pollfd *pf)
{
	if (pf->queue < 0)
		return handle_socket(b);
	uint32_t q = (uint32_t)pf->queue;
	if (q >= VPLAT_VHU_MAX_QUEUES || b->vrings[q].kick_fd != pf->fd)
		return 0; /* stale entry: the ring was restarted meanwhile */
	uint64_t v;
	if (read(pf->fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	vplat_vhu_vring_kick(b, (uint16_t)q);
	return 0;
}

struct handle_args {
	struct vplat_vhu_backend *b;
	const struct vplat_vhu_pollfd *pf;
};

static int handle_guarded(void *arg)
{
	struct handle_args *a = arg;
	return handle_unguarded(a->b, a->pf);
}

int vplat_vhu_backend_handle(struct vplat_vhu_backend *b, const struct vplat_vhu_pollfd *pf)
{
	if (!b || !pf || b->conn < 0)
		return VPLAT_ENODEV;
	struct handle_args a = {b, pf};
	struct vplat_vhu_backend *bs[1] = {b};
	int rc = vplat_vhu_backends_guard(bs, 1, handle_guarded, &a);
	return rc == VPLAT_EFAULT ? VPLAT_ENODEV : rc;
}

static int service_guarded(void *arg)
{
	struct vplat_vhu_backend *b = arg;
	return (int)vplat_vhu_service_pass(b);
}

unsigned vplat_vhu_backend_service(struct vplat_vhu_backend *b)
{
	struct vplat_vhu_backend *bs[1] = {b};
	int rc = vplat_vhu_backends_guard(bs, 1, service_guarded, b);
	return rc < 0 ? 0 : (unsigned)rc;
}

struct service_args {
	struct vplat_vhu_backend *b;
	unsigned passes;
};

static int service_n_guarded(void *arg)
{
	const struct service_args *a = arg;
	unsigned busy = 0;
	for (unsigned i = 0; i < a->passes; i++)
		busy += vplat_vhu_service_pass(a->b);
	return busy > (unsigned)INT32_MAX ? INT32_MAX : (int)busy;
}

unsigned vplat_vhu_backend_service_n(struct vplat_vhu_backend *b, unsigned passes)
{
	struct vplat_vhu_backend *bs[1] = {b};
	struct service_args a = {b, passes};
	int rc = vplat_vhu_backends_guard(bs, 1, service_n_guarded, &a);
	return rc < 0 ? 0 : (unsigned)rc;
}

/* Busy polling: passes between two kicks of a ring that had nothing new (see below). */
#define VHU_POLL_REKICK 64u

unsigned vplat_vhu_service_queue(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vhu_vring *v = &b->vrings[q];
	if (!v->started || !v->enabled)
		return 0; /* before the device's queue lookup: most rings of a pass are idle */
	struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	if (!vq)
		return 0;
	if (!vq->kick_disabled)
		vplat_vq_set_notification(vq, false);
	if (!vplat_vq_has_avail(vq))
		return 0;
	/* A split ring whose last kick took nothing and whose available index has not moved
	 * since (a receive ring whose buffers wait for frames) is kicked again only every
	 * VHU_POLL_REKICK passes. */
	uint16_t idx = 0;
	if (!vq->packed && vq->nresubmit == 0u) {
		idx = vplat_le16_to_cpu(((const volatile struct vplat_virtq_avail *)vq->driver)->idx);
		if (!v->polled_more && idx == v->polled_avail && ++v->polled_skips < VHU_POLL_REKICK)
			return 0;
	}
	v->polled_avail = idx;
	v->polled_skips = 0;
	/* Progress is a chain taken: a receive ring whose buffers wait for frames has buffers
	 * available on every pass and is not work. */
	uint32_t seq = vq->pop_seq;
	vplat_vhu_vring_kick(b, q);
	v->polled_more = vq->pop_seq != seq;
	return v->polled_more ? 1u : 0u;
}

unsigned vplat_vhu_service_pass(struct vplat_vhu_backend *b)
{
	unsigned busy = 0;
	if (!b->dev)
		return 0;
	uint16_t n = b->dev->nvqs < VPLAT_VHU_MAX_QUEUES ? b->dev->nvqs : VPLAT_VHU_MAX_QUEUES;
	bool threads = b->threads != NULL; /* one look per pass, not a call per ring */
	for (uint16_t q = 0; q < n; q++)
		if (!threads || !vplat_vhu_threads_serve(b, q))
			busy += vplat_vhu_service_queue(b, q);
	return busy;
}

unsigned vplat_vhu_rearm_queue(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vhu_vring *v = &b->vrings[q];
	struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	if (!v->started || !v->enabled || !vq || !vq->kick_disabled)
		return 0;
	/* Kicks on first, then one more look: a buffer made available after the look comes
	 * with a kick, one made available before it is served here. */
	uint32_t seq = vq->pop_seq;
	if (vplat_vq_set_notification(vq, true))
		vplat_vhu_vring_kick(b, q);
	return vq->pop_seq != seq ? 1u : 0u;
}

unsigned vplat_vhu_rearm_pass(struct vplat_vhu_backend *b)
{
	unsigned busy = 0;
	for (uint16_t q = 0; b->dev && q < b->dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++)
		if (!vplat_vhu_threads_serve(b, q))
			busy += vplat_vhu_rearm_queue(b, q);
	return busy;
}

static int rearm_guarded(void *arg)
{
	return (int)vplat_vhu_rearm_pass(arg);
}

unsigned vplat_vhu_backend_rearm(struct vplat_vhu_backend *b)
{
	struct vplat_vhu_backend *bs[1] = {b};
	int rc = vplat_vhu_backends_guard(bs, 1, rearm_guarded, b);
	return rc < 0 ? 0 : (unsigned)rc;
}

struct poll_args {
	struct vplat_vhu_backend *b;
	int timeout_ms;
};

static int poll_unguarded(struct vplat_vhu_backend *b, int timeout_ms);

static int poll_guarded(void *arg)
{
	struct poll_args *a = arg;
	return poll_unguarded(a->b, a->timeout_ms);
}

int vplat_vhu_backend_poll(struct vplat_vhu_backend *b, int timeout_ms)
{
	if (!b)
		return VPLAT_ENODEV;
	struct poll_args a = {b, timeout_ms};
	struct vplat_vhu_backend *bs[1] = {b};
	int rc = vplat_vhu_backends_guard(bs, 1, poll_guarded, &a);
	return rc == VPLAT_EFAULT ? VPLAT_ENODEV : rc;
}

static int poll_unguarded(struct vplat_vhu_backend *b, int timeout_ms)
{
	struct vplat_vhu_pollfd pf[VPLAT_VHU_MAX_QUEUES + 1];
	struct pollfd p[VPLAT_VHU_MAX_QUEUES + 1];
	if (b->conn < 0)
		return VPLAT_ENODEV;
	size_t n = vplat_vhu_backend_pollfds(b, pf, VPLAT_VHU_MAX_QUEUES + 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = pf[i].fd, .events = POLLIN};
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++)
		if (b->vrings[q].started && b->vrings[q].polling &&
		    !vplat_vhu_threads_serve(b, (uint16_t)q)) {
			vplat_vhu_vring_kick(b, (uint16_t)q);
			timeout_ms = 0;
		}
	/* Work a dispatch budget left on a ring (VPLAT-FFI-013): one more budget now, and no
	 * sleeping while some is still left (the driver may not kick for it). */
	if (vplat_device_has_more(b->dev)) {
		(void)vplat_device_dispatch(b->dev);
		if (vplat_device_has_more(b->dev))
			timeout_ms = 0;
	}
	int r = poll(p, (nfds_t)n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : VPLAT_EIO;
	/* Kicks first, then the socket: a message may restart the rings listed here. */
	for (size_t i = n; i-- > 0;) {
		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		int rc = vplat_vhu_backend_handle(b, &pf[i]);
		if (rc)
			return rc;
	}
	return 0;
}
