/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include "common.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/spec/virtio_gpio.h"
#include "vplat/spec/virtio_i2c.h"
#include "vplat/spec/virtio_input.h"
#include "vplat/spec/virtio_snd.h"
#include "vplat/spec/virtio_vsock.h"
#include "vplat/vsock.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

int creq_queue(uint32_t device_id)
{
	switch (device_id) {
	case VPLAT_VIRTIO_ID_RNG: return 0;   /* requestq */
	case VPLAT_VIRTIO_ID_BLOCK: return 0; /* requestq1 */
	case VPLAT_VIRTIO_ID_NET: return 1;   /* transmitq1 */
	case VPLAT_VIRTIO_ID_CONSOLE: return 1; /* transmitq of port 0 */
	case VPLAT_VIRTIO_ID_GPIO: return VPLAT_VIRTIO_GPIO_REQUESTQ;
	case VPLAT_VIRTIO_ID_CAN: return VPLAT_VIRTIO_CAN_CONTROLQ;
	case VPLAT_VIRTIO_ID_WATCHDOG: return 0; /* pingq (spec/16-watchdog.md) */
	case VPLAT_VIRTIO_ID_I2C: return VPLAT_VIRTIO_I2C_REQUESTQ;
	case VPLAT_VIRTIO_ID_INPUT: return VPLAT_VIRTIO_INPUT_STATUSQ;
	case VPLAT_VIRTIO_ID_VSOCK: return VPLAT_VIRTIO_VSOCK_TXQ;
	case VPLAT_VIRTIO_ID_SOUND: return VPLAT_VIRTIO_SND_VQ_CONTROL;
	default: return -1;
	}
}

static uint8_t *dma(struct vplat_test_ctx *t, uint32_t len, uint64_t *gpa)
{
	return vplat_val_alloc(t->d->mem, len, 16, gpa);
}

/* A request of one readable buffer (a copy of @p out) and up to two writable ones. */
static int creq_parts(struct vplat_test_ctx *t, struct creq *r, const void *out, uint32_t out_len,
		      uint32_t in1, uint32_t in2)
{
	uint64_t gpa;
	r->ptr[0] = dma(t, out_len, &gpa);
	r->snap[0] = dma(t, out_len, &gpa);
	if (!r->ptr[0] || !r->snap[0])
		return VPLAT_ENOMEM;
	memcpy(r->ptr[0], out, out_len);
	memcpy(r->snap[0], out, out_len);
	r->bufs[0] = (struct vplat_val_buf){.ptr = r->ptr[0], .len = out_len};
	r->n_out = 1;
	uint32_t in[2] = {in1, in2};
	for (unsigned i = 0; i < 2; i++) {
		if (!in[i])
			continue;
		unsigned k = r->n_out + r->n_in;
		r->ptr[k] = dma(t, in[i], &gpa);
		if (!r->ptr[k])
			return VPLAT_ENOMEM;
		memset(r->ptr[k], 0xa5, in[i]);
		r->bufs[k] = (struct vplat_val_buf){.ptr = r->ptr[k], .len = in[i]};
		r->n_in++;
	}
	return 0;
}

int creq_build(struct vplat_test_ctx *t, struct creq *r)
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
	case VPLAT_VIRTIO_ID_WATCHDOG:
		/* A ping (spec/16-watchdog.md, VPLAT-WDT-002): one device-writable buffer. */
		r->ptr[0] = dma(t, 8, &gpa);
		if (!r->ptr[0])
			return VPLAT_ENOMEM;
		memset(r->ptr[0], 0, 8);
		r->bufs[0] = (struct vplat_val_buf){.ptr = r->ptr[0], .len = 8};
		r->n_in = 1;
		return 0;
	case VPLAT_VIRTIO_ID_BLOCK: {
		/* GET_ID (sec: Block Device / Device Operation): 16-byte header, 20 bytes, status. */
		struct vplat_virtio_blk_req_hdr h = {.type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_GET_ID)};
		return creq_parts(t, r, &h, sizeof(h), 20, 1);
	}
	case VPLAT_VIRTIO_ID_NET: {
		/* One 60-byte broadcast frame behind a 12-byte VERSION_1 header. */
		uint8_t pkt[12 + 60] = {0};
		memset(pkt + 12, 0xff, 6);
		pkt[12 + 12] = 0x88; /* ethertype 0x88b5: local experimental */
		pkt[12 + 13] = 0xb5;
		return creq_parts(t, r, pkt, sizeof(pkt), 0, 0);
	}
	case VPLAT_VIRTIO_ID_CONSOLE: {
		/* A line of output on port 0 (sec: Console Device / Device Operation). */
		static const char line[] = "vplat-conform\n";
		return creq_parts(t, r, line, sizeof(line) - 1, 0, 0);
	}
	case VPLAT_VIRTIO_ID_GPIO: {
		/* GET_DIRECTION of line 0 (sec: GPIO Device / requestq Operation): 8 + 2 bytes. */
		struct vplat_virtio_gpio_request q = {
			.type = vplat_cpu_to_le16(VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION)};
		return creq_parts(t, r, &q, sizeof(q), 2, 0);
	}
	case VPLAT_VIRTIO_ID_CAN: {
		/* SET_CTRL_MODE_START (sec: CAN Device / Controller Mode): 2 + 1 bytes; a START
		 * while STARTED is answered OK too, so the request can be repeated. */
		struct vplat_virtio_can_control_out c = {
			.msg_type = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START)};
		return creq_parts(t, r, &c, sizeof(c), 1, 0);
	}
	case VPLAT_VIRTIO_ID_I2C: {
		/* A quick (zero-length) write to 0x48 (spec/18-i2c.md): an 8-byte header and the
		 * status byte. OK where a device acknowledges there, ERR elsewhere: either way a
		 * complete request that can be repeated. */
		struct vplat_virtio_i2c_out_hdr h = {.addr = vplat_cpu_to_le16(0x48 << 1)};
		return creq_parts(t, r, &h, sizeof(h), 1, 0);
	}
	case VPLAT_VIRTIO_ID_INPUT: {
		/* A status event (spec/19-input.md): an LED, 8 device-readable bytes, nothing
		 * device-writable (used length 0). */
		struct vplat_virtio_input_event e = {.type = vplat_cpu_to_le16(VPLAT_EV_LED)};
		return creq_parts(t, r, &e, sizeof(e), 0, 0);
	}
	case VPLAT_VIRTIO_ID_VSOCK: {
		/* An RST from the guest's CID to a host port nobody uses (spec/21-vsock.md): the
		 * device takes it and answers nothing, so it can be repeated. */
		uint8_t raw[VPLAT_VIRTIO_VSOCK_HDR_SIZE];
		struct vplat_vsock_hdr h = {.src_cid = vplat_val_config_read(t->d, 0, 4) |
						       (vplat_val_config_read(t->d, 4, 4) << 32),
					    .dst_cid = VPLAT_VSOCK_CID_HOST, .src_port = 4000,
					    .dst_port = 40099, .type = VPLAT_VIRTIO_VSOCK_TYPE_STREAM,
					    .op = VPLAT_VIRTIO_VSOCK_OP_RST};
		vplat_vsock_hdr_encode(&h, raw);
		return creq_parts(t, r, raw, sizeof(raw), 0, 0);
	}
	case VPLAT_VIRTIO_ID_SOUND: {
		/* PCM_INFO of stream 0 (spec/22-sound.md): a 4-byte status and the 32-byte
		 * information written, nothing changed, so it can be repeated. */
		struct vplat_virtio_snd_query_info q = {
		    .hdr.code = vplat_cpu_to_le32(VPLAT_VIRTIO_SND_R_PCM_INFO),
		    .start_id = vplat_cpu_to_le32(0), .count = vplat_cpu_to_le32(1),
		    .size = vplat_cpu_to_le32(sizeof(struct vplat_virtio_snd_pcm_info))};
		return creq_parts(t, r, &q, sizeof(q),
				  4u + (uint32_t)sizeof(struct vplat_virtio_snd_pcm_info), 0);
	}
	default:
		return VPLAT_ENOTSUP;
	}
}

uint64_t dev_required_features(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	switch (t->dev->device_id) {
	case VPLAT_VIRTIO_ID_CAN: {
		/* FEATURES_OK needs CAN_CLASSIC or CAN_FD (sec: CAN Device / Feature bits). */
		uint64_t cl = VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC);
		return (off & cl) ? cl : (off & VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD));
	}
	case VPLAT_VIRTIO_ID_I2C:
		/* FEATURES_OK needs it (spec/18-i2c.md VPLAT-I2C-001). */
		return off & VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST);
	default:
		return 0;
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

static enum vplat_result up(struct vplat_test_ctx *t, uint64_t wanted, struct vplat_val_vq **vqp, int q,
			    uint16_t size, bool driver_ok)
{
	uint64_t offered = vplat_val_get_device_features(t->d);
	wanted |= dev_required_features(t);
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
		/* A network driver initializes receiveq1 along with the queue it uses (virtio
		 * 5.1.5, step 1), and some devices serve no ring before the first pair is live:
		 * DPDK's vhost library waits for rings 0 and 1 (virtio_is_ready). No buffers are
		 * posted on it, so nothing is received. */
		if (t->dev->device_id == VPLAT_VIRTIO_ID_NET && q != 0) {
			struct vplat_val_vq *rx = vplat_t_vq(t);
			if (!rx)
				return vplat_t_error(t, "more than 8 queues in one test");
			rc = vplat_val_vq_setup(t->d, rx, 0, size);
			if (rc)
				return vplat_t_error(t, "receiveq1 setup failed: %s", vplat_strerror(rc));
		}
	}
	if (driver_ok && (rc = vplat_val_driver_ok(t->d)) != 0)
		return vplat_t_error(t, "DRIVER_OK failed: %s", vplat_strerror(rc));
	return VPLAT_PASS;
}

enum vplat_result bringup(struct vplat_test_ctx *t, uint64_t wanted, struct vplat_val_vq **vq, int q,
			  uint16_t size)
{
	return up(t, wanted, vq, q, size, true);
}

enum vplat_result bringup_no_driver_ok(struct vplat_test_ctx *t, uint64_t wanted,
				       struct vplat_val_vq **vq, int q, uint16_t size)
{
	return up(t, wanted, vq, q, size, false);
}

int wait_used(struct vplat_test_ctx *t, struct vplat_val_vq *vq, void **token, uint32_t *len)
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

int post(struct vplat_test_ctx *t, struct vplat_val_vq *vq, struct creq *req, void *token)
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

int raw_wait(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint16_t ndesc, uint32_t *id,
	     uint32_t *len)
{
	for (;;) {
		int rc = vplat_val_vq_raw_used(vq, ndesc, id, len);
		if (rc != VPLAT_EAGAIN || vplat_t_expired(t))
			return rc;
		vplat_t_poll(t);
	}
}
