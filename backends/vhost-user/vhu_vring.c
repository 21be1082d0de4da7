/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rings: SET_VRING_NUM/ADDR/BASE/KICK/CALL/ERR/ENABLE, GET_VRING_BASE, and the device status
 * the back-end drives on the front-end's behalf (ACKNOWLEDGE|DRIVER, features, FEATURES_OK
 * when the first ring starts, DRIVER_OK once a ring runs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vhu_internal.h"

#define S_ACK  VPLAT_VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRV  VPLAT_VIRTIO_STATUS_DRIVER
#define S_FOK  VPLAT_VIRTIO_STATUS_FEATURES_OK
#define S_DOK  VPLAT_VIRTIO_STATUS_DRIVER_OK

static uint32_t stop_ring(struct vplat_vhu_backend *b, uint16_t q);

static void signal_fd(int fd)
{
	uint64_t one = 1;
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the peer will see it anyway. */
	}
}

static void vhu_used(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_vhu_backend *b = dev->transport;
	if (vq->index >= VPLAT_VHU_MAX_QUEUES)
		return;
	struct vplat_vhu_vring *v = &b->vrings[vq->index];
	v->calls++;
	if (!b->threads)
		b->stats.calls++; /* queue threads count per ring only: no shared line */
	signal_fd(v->call_fd);
}

/* No back-end channel is negotiated, so a configuration change can only be reported for
 * DEVICE_NEEDS_RESET, through each ring's error eventfd. */
static void vhu_config(struct vplat_device *dev)
{
	struct vplat_vhu_backend *b = dev->transport;
	if (!(dev->status & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET))
		return;
	vplat_vhu_log(b, VPLAT_VHU_LOG_WARN, "device needs reset (reason %d)",
		-(int)dev->needs_reset_reason);
	for (uint16_t q = 0; q < dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++)
		signal_fd(b->vrings[q].err_fd);
}

const struct vplat_interrupt_ops vplat_vhu_notify_ops = {.used = vhu_used, .config = vhu_config};

/* Virtio feature bits of the vhost-user feature word (bit 30 is the protocol's own). */
static uint64_t virtio_bits(uint64_t f)
{
	return f & ~(VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES) | VPLAT_BIT(VPLAT_VHU_F_LOG_ALL));
}

int vplat_vhu_ensure_features(struct vplat_vhu_backend *b)
{
	struct vplat_device *d = b->dev;
	uint8_t s = vplat_device_get_status(d);
	if (s & S_FOK)
		return 0;
	if (!b->features_set)
		return VPLAT_EPERM;
	if (!(s & S_ACK))
		vplat_device_set_status(d, s |= S_ACK);
	if (!(s & S_DRV))
		vplat_device_set_status(d, s |= S_DRV);
	vplat_device_set_driver_features64(d, virtio_bits(b->features));
	vplat_device_set_status(d, s | S_FOK);
	if (!(vplat_device_get_status(d) & S_FOK)) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR, "device refused features 0x%llx",
			(unsigned long long)virtio_bits(b->features));
		return VPLAT_EPROTO;
	}
	return 0;
}

static int ensure_driver_ok(struct vplat_vhu_backend *b)
{
	uint8_t s = vplat_device_get_status(b->dev);
	if (s & S_DOK)
		return 0;
	return vplat_device_set_status(b->dev, s | S_DOK);
}

int vplat_vhu_set_status(struct vplat_vhu_backend *b, uint8_t status)
{
	if (status == 0) {
		/* QEMU sends SET_STATUS 0 before GET_VRING_BASE: stop the rings but keep where
		 * each stood, so GET_VRING_BASE still reports it. */
		for (uint16_t q = 0; q < b->dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++)
			stop_ring(b, q);
		vplat_device_reset(b->dev);
		return 0;
	}
	uint8_t s = vplat_device_get_status(b->dev);
	uint8_t early = status & (S_ACK | S_DRV);
	if ((s | early) != s)
		vplat_device_set_status(b->dev, s | early);
	/* FEATURES_OK is set from SET_STATUS only after ACKNOWLEDGE and DRIVER (VPLAT-CORE-017):
	 * a front end that forwards the driver's status out of order reads FEATURES_OK back
	 * clear. QEMU 7.2 does not forward the driver's status: after SET_FEATURES it sends
	 * FEATURES_OK alone (vhost_user_add_status()) and never reads it back; for it, as for
	 * front ends without SET_STATUS, the features are applied when the first ring starts
	 * (vplat_vhu_ensure_features()), so this is not an error. */
	if ((status & S_FOK) && (status & (S_ACK | S_DRV)) != (S_ACK | S_DRV)) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "SET_STATUS 0x%02x: FEATURES_OK without "
			      "ACKNOWLEDGE and DRIVER not applied (features apply when a ring "
			      "starts)", status);
		return 0; /* GET_STATUS shows FEATURES_OK clear */
	}
	if ((status & S_FOK) && vplat_vhu_ensure_features(b))
		return 0; /* refused: GET_STATUS shows FEATURES_OK clear */
	if ((status & S_DOK) && !(vplat_device_get_status(b->dev) & S_DOK)) {
		ensure_driver_ok(b);
		for (uint16_t q = 0; q < b->dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++)
			vplat_vhu_vring_kick(b, q); /* buffers queued before DRIVER_OK */
	}
	if (status & VPLAT_VIRTIO_STATUS_FAILED)
		vplat_device_set_status(b->dev, vplat_device_get_status(b->dev) |
						   VPLAT_VIRTIO_STATUS_FAILED);
	return 0;
}

/* Read the used index the driver sees in a split ring's used area. */
static uint16_t split_used_idx(const struct vplat_vq *vq)
{
	const volatile uint16_t *p = (const volatile uint16_t *)vq->device;
	return vplat_le16_to_cpu(p[1]);
}

static int start_ring(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vhu_vring *v = &b->vrings[q];
	struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	if (!vq || !v->addr_set || v->num == 0 || v->num > vq->size_max)
		return VPLAT_EINVAL;
	int rc = vplat_vhu_ensure_features(b);
	if (rc)
		return rc;
	vq->size = (uint16_t)v->num;
	vq->desc_addr = v->desc_gpa;
	vq->driver_addr = v->driver_gpa;
	vq->device_addr = v->device_gpa;
	rc = vplat_device_queue_enable(b->dev, q);
	if (rc) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR, "ring %u: rings not usable (%s)", q, vplat_strerror(rc));
		return rc;
	}
	uint16_t avail = (uint16_t)v->base, used;
	if (vq->packed) {
		/* QEMU's and DPDK's packed base: bits 0..15 next available slot + wrap counter,
		 * bits 16..31 next used slot + wrap counter (0 there: same as the available one). */
		used = (uint16_t)(v->base >> 16);
		if (!used)
			used = avail;
	} else {
		used = split_used_idx(vq);
	}
	vplat_vhu_inflight_recover(b, q, &avail, &used);
	rc = vplat_device_queue_set_base(b->dev, q, avail, used);
	if (rc)
		return rc;
	vq->resubmit = v->resubmit;
	vq->nresubmit = v->resubmit ? v->nresubmit : 0;
	vq->replay = v->replay;
	vq->nreplay = v->replay ? v->nreplay : 0;
	v->nreplay_seen = vq->nreplay;
	vplat_vhu_inflight_attach(b, q);
	/* Front-ends start rings once the driver set DRIVER_OK (QEMU 7.2 sends no SET_STATUS
	 * with DRIVER_OK for most devices even with the STATUS protocol feature), so a started
	 * ring means the driver is ready. */
	rc = ensure_driver_ok(b);
	if (rc)
		return rc;
	v->started = true;
	if (!(b->features & VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES)))
		v->enabled = true;
	vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "ring %u started: size %u, base %u, %s", q, v->num, avail,
		vq->packed ? "packed" : "split");
	if (v->enabled)
		vplat_vhu_vring_kick(b, q); /* buffers may have arrived before the kick fd */
	return 0;
}

/* Stop a ring; returns the next available index (+ packed wrap bit) for GET_VRING_BASE. */
static uint32_t stop_ring(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vhu_vring *v = &b->vrings[q];
	struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	uint32_t base = v->base;
	if (v->started && vq) {
		base = vq->last_avail;
		if (vq->packed)
			base = (vq->last_avail & 0x7fffu) | ((uint32_t)vq->avail_wrap << 15) |
			       (((vq->used_idx & 0x7fffu) | ((uint32_t)vq->used_wrap << 15)) << 16);
		vplat_device_queue_reset(b->dev, q);
	}
	free(v->resubmit);
	v->resubmit = NULL;
	v->nresubmit = 0;
	free(v->replay);
	v->replay = NULL;
	v->nreplay = 0;
	v->started = false;
	v->polling = false;
	v->base = base;
	vhu_close(&v->kick_fd);
	return base;
}

void vplat_vhu_vring_stop_all(struct vplat_vhu_backend *b)
{
	/* Rings past the attached device's queues are never touched (ring_of() refuses their
	 * index, every other path takes a device queue's index, a back end is attached once), so
	 * they are still as vplat_vhu_backend_init() left them: a disconnect visits only the
	 * device's rings (64 rings cost more than handling a message). */
	uint16_t n = b->dev && b->dev->nvqs < VPLAT_VHU_MAX_QUEUES ? b->dev->nvqs
								     : (uint16_t)VPLAT_VHU_MAX_QUEUES;
	for (uint16_t q = 0; q < n; q++) {
		struct vplat_vhu_vring *v = &b->vrings[q];
		if (b->dev)
			stop_ring(b, q);
		vhu_close(&v->kick_fd);
		vhu_close(&v->call_fd);
		vhu_close(&v->err_fd);
		free(v->copy_free); /* inflight tracking's free list (packed rings) */
		memset(v, 0, sizeof(*v));
		v->kick_fd = v->call_fd = v->err_fd = -1;
	}
}

/*
 * Touch the three ring areas before the device runs. A memory file the front-end shrank under
 * the mapping then faults here, under the SIGBUS guard, before any device code is half-way
 * through its work (a device jumped out of mid-ring relies on its reset to be consistent
 * again), and also for devices that read nothing on a kick (a receive queue with no frame to
 * deliver), which would otherwise only fault later, in host-end dispatch. Only a ring mapped
 * through the current memory table: after a map change the device re-translates first.
 */
static void probe_ring(struct vplat_vhu_backend *b, uint16_t q)
{
	const struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	if (!vq || !vq->live || !vq->desc || !vq->driver || !vq->device ||
	    vq->mem_generation != b->dev->mem->generation)
		return;
	(void)*(const volatile uint8_t *)vq->desc;
	(void)*(const volatile uint8_t *)vq->driver;
	(void)*(const volatile uint8_t *)vq->device;
}

void vplat_vhu_vring_kick(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vhu_vring *v = &b->vrings[q];
	if (!v->started || !v->enabled)
		return;
	v->kicks++;
	if (!b->threads)
		b->stats.kicks++;
	probe_ring(b, q);
	/* At most the ring's dispatch budget; what is left is served by the back end's loop
	 * (vplat_vhu_backend_poll(), or the embedder through vplat_device_dispatch()). */
	(void)vplat_device_kick(b->dev, q, 0);
}

/* Which ring a message names; VPLAT_EPROTO if the device has no such ring. */
static int ring_of(const struct vplat_vhu_backend *b, uint32_t index)
{
	if (index >= b->dev->nvqs || index >= VPLAT_VHU_MAX_QUEUES ||
	    !vplat_device_vq(b->dev, (uint16_t)index))
		return VPLAT_EPROTO;
	return (int)index;
}

static int set_addr(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	const struct vhu_addr *a = &m->u.addr;
	int q = ring_of(b, a->index);
	if (q < 0 || m->hdr.size != sizeof(*a))
		return VPLAT_EPROTO;
	struct vplat_vhu_vring *v = &b->vrings[q];
	if (v->started)
		return VPLAT_EPROTO; /* addresses of a running ring are frozen */
	uint64_t d, dr, dv;
	/* The first byte of each area must be guest memory now; the whole ring is checked
	 * against the map when the ring starts (the size may still change). */
	if (vplat_vhu_ua_to_gpa(b, a->desc, 1, &d) || vplat_vhu_ua_to_gpa(b, a->avail, 1, &dr) ||
	    vplat_vhu_ua_to_gpa(b, a->used, 1, &dv)) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR,
			      "ring %d: address outside the memory table (%u regions): guest memory "
			      "is not shared with this back end; " VHU_SHARE_HINT, q, b->nregions);
		return VPLAT_EPROTO;
	}
	v->desc_ua = a->desc;
	v->driver_ua = a->avail;
	v->device_ua = a->used;
	v->desc_gpa = d;
	v->driver_gpa = dr;
	v->device_gpa = dv;
	v->addr_set = true;
	return 0;
}

/* SET_VRING_KICK / CALL / ERR: u64 index + no-fd flag, at most one fd. */
static int set_fd(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	if (m->hdr.size != 8 || (m->u.u64 & ~(uint64_t)(VPLAT_VHU_VRING_IDX_MASK | VPLAT_VHU_VRING_NOFD)))
		return VPLAT_EPROTO;
	int q = ring_of(b, (uint32_t)(m->u.u64 & VPLAT_VHU_VRING_IDX_MASK));
	bool nofd = m->u.u64 & VPLAT_VHU_VRING_NOFD;
	if (q < 0 || m->nfds != (nofd ? 0u : 1u))
		return VPLAT_EPROTO;
	struct vplat_vhu_vring *v = &b->vrings[q];
	int fd = nofd ? -1 : vplat_vhu_take_fd(m, 0);
	if (!nofd && fd < 0)
		return VPLAT_EIO; /* only a borrowed fd, whose dup() failed */
	switch (m->hdr.request) {
	case VPLAT_VHU_SET_VRING_CALL:
		vhu_close(&v->call_fd);
		v->call_fd = fd;
		return 0;
	case VPLAT_VHU_SET_VRING_ERR:
		vhu_close(&v->err_fd);
		v->err_fd = fd;
		return 0;
	default:
		break;
	}
	if (v->started)
		stop_ring(b, (uint16_t)q);
	v->kick_fd = fd;
	v->polling = nofd;
	int rc = start_ring(b, (uint16_t)q);
	if (rc) {
		vhu_close(&v->kick_fd);
		v->polling = false;
		return VPLAT_EPROTO;
	}
	return 0;
}

static int state_msg(struct vplat_vhu_backend *b, struct vhu_msg *m, bool *reply)
{
	const struct vhu_state *st = &m->u.state;
	int q = ring_of(b, st->index);
	if (q < 0 || m->hdr.size != sizeof(*st))
		return VPLAT_EPROTO;
	struct vplat_vhu_vring *v = &b->vrings[q];
	switch (m->hdr.request) {
	case VPLAT_VHU_SET_VRING_NUM:
		if (v->started || st->num == 0 || st->num > VPLAT_VIRTQ_MAX_SIZE)
			return VPLAT_EPROTO;
		v->num = st->num;
		return 0;
	case VPLAT_VHU_SET_VRING_BASE:
		/* split: the next available index; packed: two 16-bit halves (see start_ring) */
		if (v->started || (st->num > UINT16_MAX &&
				   !(b->features & VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED))))
			return VPLAT_EPROTO;
		v->base = st->num;
		return 0;
	case VPLAT_VHU_SET_VRING_ENABLE:
		if (st->num > 1)
			return VPLAT_EPROTO;
		v->enabled = st->num == 1;
		if (v->enabled)
			vplat_vhu_vring_kick(b, (uint16_t)q);
		return 0;
	default: /* GET_VRING_BASE: stop the ring and report where it stood */
		m->u.state.num = stop_ring(b, (uint16_t)q);
		vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "ring %d stopped at 0x%x after %llu kicks", q,
			m->u.state.num, (unsigned long long)b->vrings[q].kicks);
		*reply = true;
		return 0;
	}
}

int vplat_vhu_vring_msg(struct vplat_vhu_backend *b, struct vhu_msg *m, bool *reply)
{
	switch (m->hdr.request) {
	case VPLAT_VHU_SET_VRING_ADDR:
		return set_addr(b, m);
	case VPLAT_VHU_SET_VRING_KICK:
	case VPLAT_VHU_SET_VRING_CALL:
	case VPLAT_VHU_SET_VRING_ERR:
		return set_fd(b, m);
	default:
		return state_msg(b, m, reply);
	}
}
