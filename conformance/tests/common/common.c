/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include "common.h"

int creq_queue(uint32_t device_id)
{
	switch (device_id) {
	case VPLAT_VIRTIO_ID_RNG: return 0; /* requestq */
	default: return -1;
	}
}

static uint8_t *dma(struct vplat_t *t, uint32_t len, uint64_t *gpa)
{
	return vplat_val_alloc(t->d->mem, len, 16, gpa);
}

int creq_build(struct vplat_t *t, struct creq *r)
{
	uint64_t gpa;
	memset(r, 0, sizeof(*r));
	switch (t->dev->device_id) {
	case VPLAT_VIRTIO_ID_RNG:
		/* sec: Entropy Device -- one device-writable buffer. */
		r->ptr[0] = dma(t, 64, &gpa);
		if (!r->ptr[0])
			return VPLAT_ENOMEM;
		memset(r->ptr[0], 0, 64);
		r->bufs[0] = (struct vplat_val_buf){.ptr = r->ptr[0], .len = 64};
		r->n_in = 1;
		return 0;
	default:
		return VPLAT_ENOTSUP;
	}
}

bool creq_readable_intact(const struct creq *r)
{
	for (unsigned i = 0; i < r->n_out; i++)
		if (r->snap[i] && memcmp(r->snap[i], r->ptr[i], r->bufs[i].len) != 0)
			return false;
	return true;
}

uint32_t creq_in_len(const struct creq *r)
{
	uint32_t n = 0;
	for (unsigned i = r->n_out; i < r->n_out + r->n_in; i++)
		n += r->bufs[i].len;
	return n;
}

static enum vplat_result up(struct vplat_t *t, uint64_t wanted, struct vplat_val_vq **vqp, int q,
			    uint16_t size, bool driver_ok)
{
	uint64_t offered = vplat_val_get_device_features(t->d);
	int rc = vplat_val_negotiate(t->d, (wanted & offered) | F(VERSION_1));
	if (rc)
		return vplat_t_error(t, "negotiation of 0x%llx failed: %s",
				     (unsigned long long)((wanted & offered) | F(VERSION_1)),
				     vplat_strerror(rc));
	if (vqp) {
		struct vplat_val_vq *vq = vplat_t_vq(t);
		if (!vq)
			return vplat_t_error(t, "more than 8 queues in one test");
		*vqp = vq;
		uint16_t max = vplat_val_queue_max(t->d, (uint16_t)q);
		if (max == 0)
			return vplat_t_error(t, "queue %d does not exist", q);
		if (size == 0)
			size = max < 64 ? max : 64;
		rc = vplat_val_vq_setup(t->d, vq, (uint16_t)q, size);
		if (rc)
			return vplat_t_error(t, "queue %d setup failed: %s", q, vplat_strerror(rc));
	}
	if (driver_ok && (rc = vplat_val_driver_ok(t->d)) != 0)
		return vplat_t_error(t, "DRIVER_OK failed: %s", vplat_strerror(rc));
	return VPLAT_PASS;
}

enum vplat_result bringup(struct vplat_t *t, uint64_t wanted, struct vplat_val_vq **vq, int q,
			  uint16_t size)
{
	return up(t, wanted, vq, q, size, true);
}

enum vplat_result bringup_no_driver_ok(struct vplat_t *t, uint64_t wanted,
				       struct vplat_val_vq **vq, int q, uint16_t size)
{
	return up(t, wanted, vq, q, size, false);
}

int wait_used(struct vplat_t *t, struct vplat_val_vq *vq, void **token, uint32_t *len)
{
	for (;;) {
		int rc = vplat_val_vq_get_used(vq, token, len);
		if (rc != VPLAT_EAGAIN)
			return rc;
		if (vplat_t_expired(t))
			return VPLAT_ETIMEDOUT;
		vplat_t_poll(t);
	}
}

int post(struct vplat_t *t, struct vplat_val_vq *vq, struct creq *req, void *token)
{
	int rc = creq_build(t, req);
	if (rc)
		return rc;
	rc = vplat_val_vq_add(vq, req->bufs, req->n_out, req->n_in, token);
	if (rc)
		return rc;
	vplat_val_vq_kick(vq);
	return 0;
}
