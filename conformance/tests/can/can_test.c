/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the CAN device tests (can_test.h). */
#include <time.h>
#include "can_test.h"

enum vplat_result can_up(struct vplat_test_ctx *t, uint64_t feats, struct cdev *c)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	if ((feats & off) != feats)
		return vplat_t_skip(t, "CAN feature 0x%llx not offered",
				    (unsigned long long)(feats & ~off));
	int rc = vplat_val_negotiate(t->d, feats | F(VERSION_1));
	if (rc)
		return vplat_t_error(t, "negotiation of 0x%llx failed: %s",
				     (unsigned long long)feats, vplat_strerror(rc));
	struct vplat_val_vq **qs[3] = {&c->txq, &c->rxq, &c->ctlq};
	for (uint16_t q = 0; q < 3; q++) {
		/* A second bring-up in one test reuses the storage. */
		if (*qs[q])
			vplat_val_vq_fini(*qs[q]);
		else
			*qs[q] = vplat_t_vq(t);
		uint16_t max = vplat_val_queue_max(t->d, q);
		if (!*qs[q] || max == 0)
			return vplat_t_error(t, "queue %u missing", q);
		rc = vplat_val_vq_setup(t->d, *qs[q], q, max < 32 ? max : 32);
		if (rc)
			return vplat_t_error(t, "queue %u setup failed: %s", q, vplat_strerror(rc));
	}
	rc = vplat_val_driver_ok(t->d);
	if (rc)
		return vplat_t_error(t, "DRIVER_OK failed: %s", vplat_strerror(rc));
	return VPLAT_PASS;
}

int can_ctl(struct vplat_test_ctx *t, struct cdev *c, uint16_t msg_type)
{
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	uint8_t *q = dmab(t, 2), *a = dmab(t, 1);
	if (!q || !a)
		return -1;
	q[0] = (uint8_t)msg_type, q[1] = (uint8_t)(msg_type >> 8);
	*a = C_UNTOUCHED;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 2}, {.ptr = a, .len = 1}};
	int rc = xfer(t, c->ctlq, b, 1, 1, NULL) == 0 ? *a : -1;
	vplat_val_mem_release(t->d->mem, mark);
	return rc;
}

struct cframe can_frame(uint32_t flags, uint32_t id, uint16_t len)
{
	struct cframe f = {.length = len, .flags = flags, .can_id = id};
	f.sdu_len = (flags & FL_RTR) ? 0 : len;
	for (unsigned i = 0; i < 64; i++)
		f.sdu[i] = (uint8_t)(0xc0 + i);
	return f;
}

/* The request in DMA memory: header + sdu in one readable buffer, 1 writable byte. */
static int tx_build(struct vplat_test_ctx *t, const struct cframe *f, struct vplat_val_buf b[2],
		    uint8_t **res)
{
	uint32_t n = 16 + (f->sdu_len > 64 ? 64 : f->sdu_len);
	struct vplat_virtio_can_tx_out *h = dmab(t, n);
	uint8_t *a = dmab(t, 1);
	if (!h || !a)
		return VPLAT_ENOMEM;
	h->msg_type = vplat_cpu_to_le16(f->msg_type ? f->msg_type : VPLAT_VIRTIO_CAN_TX);
	h->length = vplat_cpu_to_le16(f->length);
	h->reserved_classic_dlc = f->dlc;
	h->padding = f->padding;
	h->reserved_xl_priority = vplat_cpu_to_le16(f->xl_prio);
	h->flags = vplat_cpu_to_le32(f->flags);
	h->can_id = vplat_cpu_to_le32(f->can_id);
	memcpy((uint8_t *)h + 16, f->sdu, n - 16);
	*a = C_UNTOUCHED;
	b[0] = (struct vplat_val_buf){.ptr = h, .len = n};
	b[1] = (struct vplat_val_buf){.ptr = a, .len = 1};
	*res = a;
	return 0;
}

int can_tx(struct vplat_test_ctx *t, struct cdev *c, const struct cframe *f, uint32_t *used)
{
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	struct vplat_val_buf b[2];
	uint8_t *a;
	int rc = tx_build(t, f, b, &a);
	if (rc == 0)
		rc = xfer(t, c->txq, b, 1, 1, used) == 0 ? *a : -1;
	else
		rc = -1;
	vplat_val_mem_release(t->d->mem, mark);
	return rc;
}

int can_tx_post(struct vplat_test_ctx *t, struct cdev *c, const struct cframe *f, uint8_t **res)
{
	struct vplat_val_buf b[2];
	int rc = tx_build(t, f, b, res);
	if (rc == 0)
		rc = vplat_val_vq_add(c->txq, b, 1, 1, *res);
	if (rc == 0)
		vplat_val_vq_kick(c->txq);
	return rc;
}

int can_rx_post(struct vplat_test_ctx *t, struct cdev *c, unsigned n, uint32_t size, uint8_t **bufs)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = dmab(t, size);
		if (!p)
			return VPLAT_ENOMEM;
		memset(p, C_UNTOUCHED, size);
		struct vplat_val_buf b = {.ptr = p, .len = size};
		int rc = vplat_val_vq_add(c->rxq, &b, 0, 1, p);
		if (rc)
			return rc;
		if (bufs)
			bufs[i] = p;
	}
	vplat_val_vq_kick(c->rxq);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool can_rx_wait(struct vplat_test_ctx *t, struct cdev *c, unsigned ms, uint8_t **buf, uint32_t *len)
{
	uint64_t end = now_ms() + ms;
	for (;;) {
		void *tok;
		if (vplat_val_vq_get_used(c->rxq, &tok, len) == 0) {
			*buf = tok;
			return true;
		}
		if (now_ms() >= end || vplat_t_expired(t))
			return false;
		vplat_t_poll(t);
	}
}
