/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user front-end: guest memory, connection, handshake, ring start/stop, inflight region
 * and reconnect. The transport the validation driver talks to is vhu_frontend_transport.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include "vhu_frontend.h"

#define FE_PF_WANTED                                                                               \
	(VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_MQ) | VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_REPLY_ACK) |           \
	 VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_CONFIG) | VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD) | \
	 VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_RESET_DEVICE) | VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_STATUS) |   \
	 VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_CONFIGURE_MEM_SLOTS))

/* VPLAT_VHU_FE_DEBUG=1 in the environment: every message sent and every reply received,
 * on standard error (to see what a third-party back end was sent when it misbehaves). */
static int fe_debug = -1;

static void fe_log(const char *dir, const struct vhu_hdr *h, const void *payload)
{
	if (fe_debug < 0) {
		const char *e = getenv("VPLAT_VHU_FE_DEBUG");
		fe_debug = e && *e && strcmp(e, "0") != 0;
	}
	if (!fe_debug)
		return;
	const uint8_t *b = payload;
	fprintf(stderr, "vhu-fe %s req %u flags 0x%x size %u:", dir, h->request, h->flags, h->size);
	for (uint32_t i = 0; i < h->size && i < 32; i++)
		fprintf(stderr, " %02x", b[i]);
	fprintf(stderr, "%s\n", h->size > 32 ? " ..." : "");
}

static int fe_fail(struct vplat_vhu_frontend *fe, int rc)
{
	if (rc) {
		fe->errors++;
		fe->last_error = rc;
	}
	return rc;
}

int vplat_vhu_frontend_call(struct vplat_vhu_frontend *fe, uint32_t request, uint32_t flags,
			    const void *payload, uint32_t size, const int *fds, uint32_t nfds,
			    void *reply, uint32_t reply_size)
{
	static _Thread_local struct vhu_msg m;
	if (fe->sock < 0)
		return VPLAT_ENODEV;
	if (size > VPLAT_VHU_MAX_PAYLOAD)
		return VPLAT_EINVAL;
	uint8_t buf[VPLAT_VHU_HDR_SIZE + VPLAT_VHU_MAX_PAYLOAD];
	struct vhu_hdr h = {.request = request, .flags = flags | VPLAT_VHU_VERSION, .size = size};
	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), payload, size);
	fe_log("->", &h, buf + sizeof(h));
	if (vplat_vhu_send(fe->sock, buf, sizeof(h) + size, fds, nfds))
		return fe_fail(fe, VPLAT_EIO);
	if (!reply_size)
		return 0;
	int rc = vplat_vhu_recv_msg(fe->sock, &m, fe->p.timeout_ms);
	if (rc) {
		if (fe_debug > 0)
			fprintf(stderr, "vhu-fe <- no reply to req %u: %d\n", request, rc);
		return fe_fail(fe, rc);
	}
	fe_log("<-", &m.hdr, &m.u);
	if (m.hdr.request != request || !(m.hdr.flags & VPLAT_VHU_FLAG_REPLY) ||
	    m.hdr.size != reply_size) {
		vplat_vhu_close_fds(&m);
		return fe_fail(fe, VPLAT_EPROTO);
	}
	if (reply)
		memcpy(reply, &m.u, reply_size);
	fe->reply_fd = m.nfds ? vplat_vhu_take_fd(&m, 0) : -1;
	vplat_vhu_close_fds(&m);
	return 0;
}

/* A request without a reply of its own: ask for an ack when REPLY_ACK is negotiated. */
int vplat_vhufe_set(struct vplat_vhu_frontend *fe, uint32_t request, const void *payload, uint32_t size,
	   const int *fds, uint32_t nfds)
{
	if (!(fe->protocol_features & VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_REPLY_ACK)))
		return vplat_vhu_frontend_call(fe, request, 0, payload, size, fds, nfds, NULL, 0);
	uint64_t ack = 1;
	int rc = vplat_vhu_frontend_call(fe, request, VPLAT_VHU_FLAG_NEED_REPLY, payload, size, fds,
					 nfds, &ack, sizeof(ack));
	if (!rc && fe->reply_fd >= 0)
		vhu_close(&fe->reply_fd);
	return rc ? rc : (ack ? fe_fail(fe, VPLAT_EPROTO) : 0);
}

int vplat_vhufe_get_u64(struct vplat_vhu_frontend *fe, uint32_t request, uint64_t *v)
{
	int rc = vplat_vhu_frontend_call(fe, request, 0, NULL, 0, NULL, 0, v, sizeof(*v));
	if (!rc)
		vhu_close(&fe->reply_fd);
	return rc;
}

int vplat_vhufe_set_u64(struct vplat_vhu_frontend *fe, uint32_t request, uint64_t v)
{
	return vplat_vhufe_set(fe, request, &v, sizeof(v), NULL, 0);
}

static int handshake(struct vplat_vhu_frontend *fe)
{
	int rc = vplat_vhufe_get_u64(fe, VPLAT_VHU_GET_FEATURES, &fe->backend_features);
	fe->protocol_features = 0;
	if (!rc && (fe->backend_features & VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES))) {
		uint64_t pf = 0;
		rc = vplat_vhufe_get_u64(fe, VPLAT_VHU_GET_PROTOCOL_FEATURES, &pf);
		pf &= FE_PF_WANTED;
		if (fe->p.no_inflight)
			pf &= ~VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD);
		if (fe->p.no_status)
			pf &= ~VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_STATUS);
		if (!rc)
			rc = vplat_vhufe_set_u64(fe, VPLAT_VHU_SET_PROTOCOL_FEATURES, pf);
		if (!rc)
			fe->protocol_features = pf;
	}
	fe->nqueues = fe->p.num_queues ? fe->p.num_queues : 1;
	if (!rc && vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_MQ)) {
		uint64_t n = 0;
		rc = vplat_vhufe_get_u64(fe, VPLAT_VHU_GET_QUEUE_NUM, &n);
		/* The back end's maximum: DPDK's vhost library answers 128 (queue pairs it could
		 * serve) whatever the PMD uses; present at most what we can drive, as QEMU only
		 * checks that the queues it wants fit under the maximum. */
		if (!rc && n == 0)
			rc = fe_fail(fe, VPLAT_EPROTO);
		if (!rc)
			fe->nqueues = (uint16_t)(n > VPLAT_VHU_MAX_QUEUES ? VPLAT_VHU_MAX_QUEUES : n);
	}
	if (!rc)
		rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_OWNER, NULL, 0, NULL, 0);
	if (!rc) {
		struct vhu_memory t = {.nregions = 1};
		t.regions[0] = (struct vhu_region){.gpa = fe->p.mem_gpa, .size = fe->p.mem_size,
						   .uaddr = (uint64_t)(uintptr_t)fe->mem,
						   .mmap_offset = 0};
		rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_MEM_TABLE, &t, 8 + sizeof(t.regions[0]), &fe->memfd, 1);
	}
	return rc;
}

static int fe_connect(struct vplat_vhu_frontend *fe)
{
	if (fe->p.path) {
		int fd = vplat_vhu_connect(fe->p.path, fe->p.timeout_ms);
		if (fd < 0)
			return fd;
		fe->sock = fd;
	}
	return handshake(fe);
}

int vplat_vhu_frontend_init(struct vplat_vhu_frontend *fe, const struct vplat_vhu_frontend_params *p)
{
	if (!fe || !p || !p->device_id || (!p->path && p->fd < 0))
		return VPLAT_EINVAL;
	memset(fe, 0, sizeof(*fe));
	fe->p = *p;
	fe->sock = p->path ? -1 : p->fd;
	fe->memfd = fe->inflight_fd = fe->reply_fd = -1;
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++)
		fe->vqs[q].kick_fd = fe->vqs[q].call_fd = fe->vqs[q].err_fd = -1;
	if (!fe->p.mem_size)
		fe->p.mem_size = 16u << 20;
	if (!fe->p.mem_gpa)
		fe->p.mem_gpa = VPLAT_VHU_FRONTEND_GPA;
	if (!fe->p.queue_size_max)
		fe->p.queue_size_max = 256;
	if (!fe->p.timeout_ms)
		fe->p.timeout_ms = 5000;
	if (fe->p.mem_size % 4096 || fe->p.mem_size > SIZE_MAX ||
	    fe->p.mem_gpa + fe->p.mem_size < fe->p.mem_gpa) {
		vplat_vhu_frontend_fini(fe);
		return VPLAT_EINVAL;
	}
	fe->memfd = memfd_create("vplat-guest-ram", MFD_CLOEXEC);
	void *m = MAP_FAILED;
	if (fe->memfd >= 0 && ftruncate(fe->memfd, (off_t)fe->p.mem_size) == 0)
		m = mmap(NULL, (size_t)fe->p.mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fe->memfd, 0);
	if (m == MAP_FAILED) {
		vplat_vhu_frontend_fini(fe);
		return VPLAT_ENOMEM;
	}
	fe->mem = m;
	vplat_val_mem_init(&fe->dma, fe->mem, fe->p.mem_gpa, fe->p.mem_size);
	int rc = fe_connect(fe);
	if (rc)
		vplat_vhu_frontend_fini(fe);
	return rc;
}

struct vplat_val_mem *vplat_vhu_frontend_dma(struct vplat_vhu_frontend *fe)
{
	return &fe->dma;
}

int vplat_vhu_frontend_val_init(struct vplat_vhu_frontend *fe, struct vplat_val_dev *d)
{
	return vplat_val_init_transport(d, &vplat_vhu_frontend_transport, fe, &fe->dma);
}

/* Front-end user address of a guest address (wraps for addresses outside our memory, which
 * the back-end then refuses). */
static uint64_t gpa_to_ua(const struct vplat_vhu_frontend *fe, uint64_t gpa)
{
	return (uint64_t)(uintptr_t)fe->mem + (gpa - fe->p.mem_gpa);
}

static int inflight_setup(struct vplat_vhu_frontend *fe)
{
	if (!vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD))
		return 0;
	struct vhu_inflight_desc d = {.num_queues = fe->nqueues,
				      .queue_size = fe->p.queue_size_max};
	if (fe->inflight_fd < 0) {
		int rc = vplat_vhu_frontend_call(fe, VPLAT_VHU_GET_INFLIGHT_FD, 0, &d, sizeof(d), NULL,
						 0, &d, sizeof(d));
		if (rc)
			return rc;
		if (fe->reply_fd < 0)
			return fe_fail(fe, VPLAT_EPROTO);
		fe->inflight_fd = fe->reply_fd;
		fe->reply_fd = -1;
		fe->inflight_size = d.mmap_size;
		fe->inflight_queues = d.num_queues;
		fe->inflight_qsize = d.queue_size;
	}
	d = (struct vhu_inflight_desc){.mmap_size = fe->inflight_size, .mmap_offset = 0,
				       .num_queues = fe->inflight_queues,
				       .queue_size = fe->inflight_qsize};
	return vplat_vhufe_set(fe, VPLAT_VHU_SET_INFLIGHT_FD, &d, sizeof(d), &fe->inflight_fd, 1);
}

static int ring_fds(struct vplat_vhu_frontend *fe, uint16_t q)
{
	struct vplat_vhu_frontend_vq *v = &fe->vqs[q];
	if (v->call_fd < 0)
		v->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (v->kick_fd < 0)
		v->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (v->err_fd < 0)
		v->err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (v->call_fd < 0 || v->kick_fd < 0 || v->err_fd < 0)
		return VPLAT_EIO;
	uint64_t idx = q;
	int rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_VRING_CALL, &idx, 8, &v->call_fd, 1);
	if (!rc)
		rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_VRING_ERR, &idx, 8, &v->err_fd, 1);
	if (!rc)
		rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_VRING_KICK, &idx, 8, &v->kick_fd, 1);
	return rc;
}

int vplat_vhufe_ring_start(struct vplat_vhu_frontend *fe, uint16_t q, uint32_t base)
{
	struct vplat_vhu_frontend_vq *v = &fe->vqs[q];
	struct vhu_state st = {.index = q, .num = v->size};
	int rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	if (!rc) {
		struct vhu_addr a = {.index = q, .desc = gpa_to_ua(fe, v->desc),
				     .used = gpa_to_ua(fe, v->device),
				     .avail = gpa_to_ua(fe, v->driver)};
		rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
	}
	if (!rc) {
		st.num = base;
		rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_VRING_BASE, &st, sizeof(st), NULL, 0);
	}
	if (!rc)
		rc = ring_fds(fe, q);
	if (!rc && (fe->backend_features & VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES))) {
		st.num = 1;
		rc = vplat_vhufe_set(fe, VPLAT_VHU_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0);
	}
	/* A failed start keeps a ring that was running (a reconnection cut short by another
	 * crash of the back-end): the next reconnection starts it again. */
	if (!rc)
		v->started = true;
	return rc;
}

static bool any_started(const struct vplat_vhu_frontend *fe)
{
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++)
		if (fe->vqs[q].started)
			return true;
	return false;
}

int vplat_vhufe_kick(struct vplat_vhu_frontend *fe, uint32_t q)
{
	uint64_t one = 1;
	if (q >= VPLAT_VHU_MAX_QUEUES || !fe->vqs[q].started)
		return 0;
	return write(fe->vqs[q].kick_fd, &one, sizeof(one)) < 0 ? VPLAT_EIO : 0;
}

int vplat_vhufe_start_rings(struct vplat_vhu_frontend *fe)
{
	int rc = any_started(fe) ? 0 : inflight_setup(fe);
	/* packed: next available and next used slot 0, both wrap counters 1 */
	uint32_t base = (fe->driver_features & VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED)) ? 0x80008000u : 0;
	for (uint16_t q = 0; !rc && q < VPLAT_VHU_MAX_QUEUES; q++)
		if (fe->vqs[q].ready && !fe->vqs[q].started)
			rc = vplat_vhufe_ring_start(fe, q, base);
	return rc;
}

void vplat_vhufe_ring_stop_all(struct vplat_vhu_frontend *fe)
{
	for (uint16_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++) {
		struct vplat_vhu_frontend_vq *v = &fe->vqs[q];
		if (v->started) {
			struct vhu_state st = {.index = q};
			vplat_vhu_frontend_call(fe, VPLAT_VHU_GET_VRING_BASE, 0, &st, sizeof(st), NULL,
						0, &st, sizeof(st));
			vhu_close(&fe->reply_fd);
		}
		vhu_close(&v->kick_fd);
		vhu_close(&v->call_fd);
		vhu_close(&v->err_fd);
		memset(v, 0, sizeof(*v));
		v->kick_fd = v->call_fd = v->err_fd = -1;
	}
}

void vplat_vhufe_reset(struct vplat_vhu_frontend *fe)
{
	vplat_vhufe_ring_stop_all(fe);
	if (vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_RESET_DEVICE))
		vplat_vhufe_set(fe, VPLAT_VHU_RESET_DEVICE, NULL, 0, NULL, 0);
	if (vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_STATUS))
		vplat_vhufe_set_u64(fe, VPLAT_VHU_SET_STATUS, 0);
	vhu_close(&fe->inflight_fd); /* a reset device gets a fresh region */
	fe->status = 0;
	fe->driver_features = 0;
	fe->isr = 0;
}

int vplat_vhufe_send_features(struct vplat_vhu_frontend *fe)
{
	uint64_t f = fe->driver_features;
	if (fe->backend_features & VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES))
		f |= VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES);
	int rc = vplat_vhufe_set_u64(fe, VPLAT_VHU_SET_FEATURES, f);
	/* A back end refusing the features may just close the connection, and libvhost-user
	 * (qemu-storage-daemon) even acks the SET_FEATURES with success first (vu_panic on a
	 * driver without VERSION_1, then vu_dispatch's default ack 0, then the disconnect).
	 * Follow up with GET_FEATURES, as QEMU does without REPLY_ACK (enforce_reply), so a
	 * refusal shows as FEATURES_OK not set instead of passing unnoticed. */
	if (!rc) {
		uint64_t back;
		rc = vplat_vhufe_get_u64(fe, VPLAT_VHU_GET_FEATURES, &back);
	}
	return rc;
}

int vplat_vhu_frontend_reconnect(struct vplat_vhu_frontend *fe)
{
	if (!fe || !fe->p.path)
		return VPLAT_EINVAL;
	vhu_close(&fe->sock);
	int rc = fe_connect(fe);
	if (!rc && (fe->status & VPLAT_VIRTIO_STATUS_FEATURES_OK))
		rc = vplat_vhufe_send_features(fe);
	if (!rc && any_started(fe))
		rc = inflight_setup(fe);
	bool packed = fe->driver_features & VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	for (uint16_t q = 0; !rc && q < VPLAT_VHU_MAX_QUEUES; q++) {
		struct vplat_vhu_frontend_vq *v = &fe->vqs[q];
		if (!v->started)
			continue;
		uint32_t base = 0x80008000u; /* packed: slot 0, wrap counters 1 */
		if (!packed) {
			const uint16_t *used = vplat_val_mem_ptr(&fe->dma, v->device, 4);
			base = used ? __atomic_load_n(used + 1, __ATOMIC_ACQUIRE) : 0;
		}
		rc = vplat_vhufe_ring_start(fe, q, base);
	}
	if (!rc && vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_STATUS) && fe->status)
		rc = vplat_vhufe_set_u64(fe, VPLAT_VHU_SET_STATUS, fe->status);
	for (uint16_t q = 0; !rc && q < VPLAT_VHU_MAX_QUEUES; q++)
		rc = vplat_vhufe_kick(fe, q);
	return rc;
}

void vplat_vhu_frontend_fini(struct vplat_vhu_frontend *fe)
{
	if (!fe)
		return;
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++) {
		vhu_close(&fe->vqs[q].kick_fd);
		vhu_close(&fe->vqs[q].call_fd);
		vhu_close(&fe->vqs[q].err_fd);
		fe->vqs[q].ready = fe->vqs[q].started = false;
	}
	vhu_close(&fe->sock);
	vhu_close(&fe->inflight_fd);
	vhu_close(&fe->reply_fd);
	if (fe->mem)
		munmap(fe->mem, (size_t)fe->p.mem_size);
	fe->mem = NULL;
	vhu_close(&fe->memfd);
}
