/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CAN device (sec: Device Types / CAN Device, virtio 1.4). Freestanding.
 *
 * Txq requests are validated (devicenormative:Device Types / CAN Device / Device Operation /
 * CAN Message Transmission) and handed to the host end; with LATE_TX_ACK they wait in a
 * table of VPLAT_CAN_TX_INFLIGHT slots until the host end reports the bus accepted them. A
 * frame the host end cannot take yet (VPLAT_EAGAIN) is held and blocks the Txq until
 * vplat_can_resume(), so frames reach the bus in the order the driver queued them.
 */
#include <string.h>
#include "vplat/can.h"
#include "vplat/error.h"

#define TXQ  VPLAT_VIRTIO_CAN_TXQ
#define RXQ  VPLAT_VIRTIO_CAN_RXQ
#define CTLQ VPLAT_VIRTIO_CAN_CONTROLQ
#define RES_OK  VPLAT_VIRTIO_CAN_RESULT_OK
#define RES_BAD VPLAT_VIRTIO_CAN_RESULT_NOT_OK
#define FL_EXT VPLAT_VIRTIO_CAN_FLAGS_EXTENDED
#define FL_FD  VPLAT_VIRTIO_CAN_FLAGS_FD
#define FL_RTR VPLAT_VIRTIO_CAN_FLAGS_RTR
#define HDR_LEN 16u

#define CAN_ALL_FEATURES                                                                           \
	(VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) | VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD) |       \
	 VPLAT_BIT(VPLAT_VIRTIO_CAN_F_RTR_FRAMES) | VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK))

bool vplat_can_frame_valid(const struct vplat_can_frame *f)
{
	if (!f || (f->flags & ~(uint32_t)(FL_EXT | FL_FD | FL_RTR)))
		return false;
	bool fd = f->flags & FL_FD;
	uint32_t max_id = (f->flags & FL_EXT) ? VPLAT_VIRTIO_CAN_ID_EXT_MASK
					      : VPLAT_VIRTIO_CAN_ID_STD_MASK;
	if (f->id > max_id)
		return false;
	if (f->len > (fd ? VPLAT_VIRTIO_CAN_MAX_DLEN_FD : VPLAT_VIRTIO_CAN_MAX_DLEN_CLASSIC))
		return false;
	if (fd && (f->flags & FL_RTR))
		return false; /* RTR frames are classic only (sec: Feature bits) */
	if (f->dlc && (fd || f->len != 8 || f->dlc < 9 || f->dlc > 15))
		return false;
	return true;
}

/* A CAN FD length a DLC encodes: 0..8, 12, 16, 20, 24, 32, 48, 64. */
static bool fd_len_valid(uint8_t len)
{
	return len <= 8 || len == 12 || len == 16 || len == 20 || len == 24 || len == 32 ||
	       len == 48 || len == 64;
}

static bool has(const struct vplat_can *can, unsigned bit)
{
	return vplat_device_has_feature(&can->dev, bit);
}

/* Is the frame's type negotiated? (an FD frame needs CAN_FD, a classic one CAN_CLASSIC, an
 * RTR frame RTR_FRAMES) */
static bool type_negotiated(const struct vplat_can *can, uint32_t flags)
{
	if (flags & FL_FD)
		return has(can, VPLAT_VIRTIO_CAN_F_CAN_FD);
	if (!has(can, VPLAT_VIRTIO_CAN_F_CAN_CLASSIC))
		return false;
	return !(flags & FL_RTR) || has(can, VPLAT_VIRTIO_CAN_F_RTR_FRAMES);
}

/* Write the 1-byte result and return the request to the driver. */
static void complete(struct vplat_can *can, struct vplat_vq *vq, struct vplat_chain *c,
		     uint8_t result)
{
	(void)can;
	uint32_t w = (uint32_t)vplat_chain_write(c, 0, &result, 1);
	(void)vplat_vq_push(vq, c, w);
}

/* ---- Txq ------------------------------------------------------------------------------ */

/* Parse and check one Txq request (devicenormative: CAN Message Transmission). */
static bool tx_parse(struct vplat_can *can, const struct vplat_chain *c, struct vplat_can_frame *f)
{
	struct vplat_virtio_can_tx_out h;
	if (vplat_chain_read(c, 0, &h, HDR_LEN) != HDR_LEN || c->write_len < 1)
		return false;
	if (vplat_le16_to_cpu(h.msg_type) != VPLAT_VIRTIO_CAN_TX)
		return false;
	(void)memset(f, 0, sizeof(*f));
	f->flags = vplat_le32_to_cpu(h.flags);
	f->id = vplat_le32_to_cpu(h.can_id);
	uint16_t len = vplat_le16_to_cpu(h.length);
	if (len > VPLAT_VIRTIO_CAN_MAX_DLEN_FD)
		return false;
	f->len = (uint8_t)len;
	/* reserved_classic_dlc, padding and reserved_xl_priority never make a frame fail
	 * (VPLAT-CAN-025); a classic DLC of 9..15 on an 8-byte classic frame is passed on. */
	if (!(f->flags & FL_FD) && len == 8 && h.reserved_classic_dlc >= 9 &&
	    h.reserved_classic_dlc <= 15)
		f->dlc = h.reserved_classic_dlc;
	/* Undefined flag bits are treated like a type that was not negotiated; then the type,
	 * identifier and length ranges (CAN FD: only lengths a DLC encodes, VPLAT-CAN-019); then
	 * the controller state. */
	if (!vplat_can_frame_valid(f) || !type_negotiated(can, f->flags) || !can->started)
		return false;
	if ((f->flags & FL_FD) && !fd_len_valid(f->len))
		return false;
	if (!(f->flags & FL_RTR) && f->len &&
	    vplat_chain_read(c, HDR_LEN, f->data, f->len) != f->len)
		return false; /* the sdu is shorter than `length` */
	return true;
}

static struct vplat_can_pending *pending_free_slot(struct vplat_can *can)
{
	for (unsigned i = 0; i < VPLAT_CAN_TX_INFLIGHT; i++)
		if (!can->pending[i].token)
			return &can->pending[i];
	return NULL;
}

/* Hand the held frame to the host end. Returns false if it must wait (VPLAT_EAGAIN). */
static bool tx_submit_held(struct vplat_can *can)
{
	struct vplat_vq *vq = &can->vqs[TXQ];
	if (++can->next_token == 0)
		can->next_token = 1;
	uint32_t token = can->next_token;
	int rc = can->host->send(can->host_opaque, &can->held_frame, token);
	if (rc == VPLAT_EAGAIN)
		return false;
	can->held_valid = false;
	can->held.chain.iov = can->held.iov;
	if (rc != 0) {
		can->stats.tx_rejected++;
		complete(can, vq, &can->held.chain, RES_BAD);
		return true;
	}
	if (!has(can, VPLAT_VIRTIO_CAN_F_LATE_TX_ACK)) {
		/* Scheduled: may be marked used already (sec: CAN Message Transmission). */
		can->stats.tx_ok++;
		complete(can, vq, &can->held.chain, RES_OK);
		return true;
	}
	struct vplat_can_pending *p = pending_free_slot(can); /* caller checked npending */
	*p = can->held;
	p->chain.iov = p->iov;
	p->token = token;
	can->npending++;
	return true;
}

static void tx_process(struct vplat_can *can)
{
	struct vplat_vq *vq = &can->vqs[TXQ];
	while (can->npending < VPLAT_CAN_TX_INFLIGHT) {
		if (!can->held_valid) {
			struct vplat_chain *c = &can->held.chain;
			*c = (struct vplat_chain){.iov = can->held.iov, .iov_cap = VPLAT_CAN_SEGS};
			int rc = vplat_vq_pop(vq, c);
			if (rc == VPLAT_E2BIG) {
				can->stats.tx_rejected++;
				(void)vplat_vq_push(vq, c, 0); /* too many segments: no result written */
				continue;
			}
			if (rc != 0)
				break;
			if (!tx_parse(can, c, &can->held_frame)) {
				can->stats.tx_rejected++;
				complete(can, vq, c, RES_BAD); /* not scheduled */
				continue;
			}
			can->held_valid = true;
		}
		if (!tx_submit_held(can))
			break;
	}
	(void)vplat_vq_interrupt(vq);
}

/* STOP or bus-off: cancel everything waiting (sec: Controller Mode). */
static void tx_cancel_all(struct vplat_can *can)
{
	struct vplat_vq *vq = &can->vqs[TXQ];
	for (unsigned i = 0; i < VPLAT_CAN_TX_INFLIGHT; i++) {
		struct vplat_can_pending *p = &can->pending[i];
		if (!p->token)
			continue;
		p->token = 0;
		can->stats.tx_cancelled++;
		complete(can, vq, &p->chain, RES_BAD);
	}
	can->npending = 0;
	if (can->held_valid) {
		can->held_valid = false;
		can->held.chain.iov = can->held.iov;
		can->stats.tx_cancelled++;
		complete(can, vq, &can->held.chain, RES_BAD);
	}
	(void)vplat_vq_interrupt(vq);
}

void vplat_can_tx_done(struct vplat_can *can, uint32_t token, bool ok)
{
	if (!can || !token || !has(can, VPLAT_VIRTIO_CAN_F_LATE_TX_ACK))
		return;
	for (unsigned i = 0; i < VPLAT_CAN_TX_INFLIGHT; i++) {
		struct vplat_can_pending *p = &can->pending[i];
		if (p->token != token)
			continue;
		p->token = 0;
		can->npending--;
		if (ok)
			can->stats.tx_ok++;
		else
			can->stats.tx_rejected++;
		complete(can, &can->vqs[TXQ], &p->chain, (uint8_t)(ok ? RES_OK : RES_BAD));
		tx_process(can); /* a slot is free: continue with the Txq (and notify) */
		return;
	}
}

void vplat_can_resume(struct vplat_can *can)
{
	if (can && vplat_device_is_live(&can->dev)) {
		/* A resume is a dispatch call too: at most the queue's budget (VPLAT-FFI-013). */
		bool opened = vplat_vq_dispatch_begin(&can->vqs[TXQ]);
		tx_process(can);
		(void)vplat_vq_dispatch_end(&can->vqs[TXQ], opened);
	}
}

/* ---- controller mode ------------------------------------------------------------------ */

static void set_status(struct vplat_can *can, uint16_t status)
{
	if (vplat_le16_to_cpu(can->config.status) == status)
		return;
	can->config.status = vplat_cpu_to_le16(status);
	vplat_device_config_changed(&can->dev);
}

static void ctrl_stop(struct vplat_can *can)
{
	bool was = can->started;
	can->started = false;
	tx_cancel_all(can);
	if (was && can->host->set_mode)
		can->host->set_mode(can->host_opaque, false);
}

void vplat_can_bus_off(struct vplat_can *can)
{
	if (!can || !can->started)
		return;
	can->stats.bus_off++;
	ctrl_stop(can);
	set_status(can, VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF); /* with a config change notification */
}

static uint8_t ctrl_one(struct vplat_can *can, uint16_t type)
{
	switch (type) {
	case VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START:
		if (!can->started && can->host->set_mode &&
		    can->host->set_mode(can->host_opaque, true) != 0)
			return RES_BAD;
		can->started = true;
		/* status is updated before the request is marked used */
		set_status(can, 0);
		return RES_OK;
	case VPLAT_VIRTIO_CAN_SET_CTRL_MODE_STOP:
		ctrl_stop(can);
		return RES_OK;
	default:
		return RES_BAD;
	}
}

static void ctrl_process(struct vplat_can *can)
{
	struct vplat_vq *vq = &can->vqs[CTLQ];
	struct vplat_iov iov[VPLAT_CAN_SEGS];
	for (;;) {
		struct vplat_chain c = {.iov = iov, .iov_cap = VPLAT_CAN_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		if (rc == VPLAT_E2BIG) {
			(void)vplat_vq_push(vq, &c, 0);
			continue;
		}
		if (rc != 0)
			break;
		vplat_le16 raw;
		uint8_t res = RES_BAD;
		/* Processed in order, one at a time (sec: Controller Mode). */
		if (vplat_chain_read(&c, 0, &raw, sizeof(raw)) == sizeof(raw) && c.write_len >= 1)
			res = ctrl_one(can, vplat_le16_to_cpu(raw));
		can->stats.ctrl++;
		complete(can, vq, &c, res);
	}
	(void)vplat_vq_interrupt(vq);
}

/* ---- Rxq ------------------------------------------------------------------------------ */

int vplat_can_receive(struct vplat_can *can, const struct vplat_can_frame *f)
{
	if (!can || !f)
		return VPLAT_EINVAL;
	if (!can->started || !vplat_device_is_live(&can->dev)) {
		can->stats.rx_dropped++;
		return VPLAT_EPERM;
	}
	if (!vplat_can_frame_valid(f)) {
		can->stats.rx_dropped++;
		return VPLAT_EINVAL;
	}
	if (!type_negotiated(can, f->flags)) {
		can->stats.rx_dropped++; /* the driver could not take it */
		return 0;
	}
	struct vplat_vq *vq = &can->vqs[RXQ];
	struct vplat_iov iov[VPLAT_CAN_SEGS];
	struct vplat_chain c = {.iov = iov, .iov_cap = VPLAT_CAN_SEGS};
	int rc = vplat_vq_pop(vq, &c);
	if (rc == VPLAT_EAGAIN)
		return VPLAT_EAGAIN;
	/* An RTR frame is followed by `length` zero bytes (VPLAT-CAN-030). */
	static const uint8_t zero[VPLAT_VIRTIO_CAN_MAX_DLEN_CLASSIC];
	uint32_t dlen = f->len;
	if (rc != 0 || c.write_len < HDR_LEN + dlen) {
		if (rc == 0 || rc == VPLAT_E2BIG)
			(void)vplat_vq_push(vq, &c, 0);
		can->stats.rx_dropped++;
		(void)vplat_vq_interrupt(vq);
		return rc == 0 || rc == VPLAT_E2BIG ? 0 : rc;
	}
	struct vplat_virtio_can_rx h = {
		.msg_type = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_RX),
		.length = vplat_cpu_to_le16(f->len),
		.reserved_classic_dlc = 0, /* reserved fields are 0 (VPLAT-CAN-028) */
		.flags = vplat_cpu_to_le32(f->flags),
		.can_id = vplat_cpu_to_le32(f->id),
	};
	(void)vplat_chain_write(&c, 0, &h, HDR_LEN);
	(void)vplat_chain_write(&c, HDR_LEN, (f->flags & FL_RTR) ? zero : f->data, dlen);
	(void)vplat_vq_push(vq, &c, HDR_LEN + dlen);
	(void)vplat_vq_interrupt(vq);
	can->stats.rx++;
	return 0;
}

/* ---- device ops ----------------------------------------------------------------------- */

static void can_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_can *can = dev->opaque;
	if (vq->index == TXQ)
		tx_process(can);
	else if (vq->index == CTLQ)
		ctrl_process(can);
	else if (can->host->rx_ready)
		can->host->rx_ready(can->host_opaque);
}

/* Forget every held request: their rings are gone (device or queue reset). */
static void tx_forget(struct vplat_can *can)
{
	for (unsigned i = 0; i < VPLAT_CAN_TX_INFLIGHT; i++)
		can->pending[i].token = 0;
	can->npending = 0;
	can->held_valid = false;
}

static void can_reset(struct vplat_device *dev)
{
	struct vplat_can *can = dev->opaque;
	tx_forget(can);
	if (can->started && can->host->set_mode)
		can->host->set_mode(can->host_opaque, false);
	can->started = false;
	can->config.status = 0;
}

static void can_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	if (vq->index == TXQ)
		tx_forget(dev->opaque);
}

/* At least one of CAN_CLASSIC and CAN_FD is negotiated (sec: Feature bit requirements). */
static bool can_validate(struct vplat_device *dev, uint64_t f)
{
	(void)dev;
	return (f & (VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD))) != 0;
}

static const struct vplat_feature_dep can_deps[] = {
	{VPLAT_VIRTIO_CAN_F_RTR_FRAMES, VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC)},
};

static const struct vplat_device_ops can_ops = {
	.name = "can",
	.device_id = VPLAT_VIRTIO_ID_CAN,
	.features = CAN_ALL_FEATURES,
	.deps = can_deps,
	.ndeps = 1,
	.validate_features = can_validate,
	.queue_notify = can_queue_notify, /* serves synchronously, never blocks */
	.reset = can_reset,
	.queue_reset = can_queue_reset,
};

int vplat_can_init(struct vplat_can *can, struct vplat_mem *mem, uint64_t features,
		   const struct vplat_can_host_ops *host, void *host_opaque)
{
	if (!can || !host || !host->send || (features & ~CAN_ALL_FEATURES) ||
	    !can_validate(NULL, features))
		return VPLAT_EINVAL;
	(void)memset(can, 0, sizeof(*can));
	can->host = host;
	can->host_opaque = host_opaque;
	int rc = vplat_device_init(&can->dev, &can_ops, can, mem, can->vqs, 3, 256,
				   (uint8_t *)&can->config, sizeof(can->config));
	if (rc)
		return rc;
	uint64_t core = can->dev.host_features & ~CAN_ALL_FEATURES;
	return vplat_device_set_offer(&can->dev,
				      (core & ~VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER)) | features);
}

struct vplat_device *vplat_can_device(struct vplat_can *can)
{
	return &can->dev;
}

bool vplat_can_started(const struct vplat_can *can)
{
	return can->started;
}

const struct vplat_can_stats *vplat_can_stats(const struct vplat_can *can)
{
	return &can->stats;
}
