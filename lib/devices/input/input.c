/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input device (sec: Device Types / Input Device). Freestanding.
 *
 * The configuration space is rebuilt from the host end's capabilities whenever the driver
 * writes select or subsel. Events wait in a ring of VPLAT_INPUT_QUEUE entries: the committed
 * part (complete sequences) from head on, then the open sequence; eventq buffers take one
 * committed event each.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/input.h"

#define EVQ      VPLAT_VIRTIO_INPUT_EVENTQ
#define STQ      VPLAT_VIRTIO_INPUT_STATUSQ
#define EV_LEN   ((uint32_t)sizeof(struct vplat_virtio_input_event))
#define CFG_HDR  8u /* select, subsel, size, reserved[5] */
#define CFG_LEN  ((uint32_t)sizeof(struct vplat_virtio_input_config))

void vplat_input_caps_set(struct vplat_input_caps *caps, uint16_t type, uint16_t code)
{
	if (caps && type < VPLAT_EV_CNT && code < 8u * VPLAT_INPUT_BITMAP)
		caps->ev[type][code / 8u] |= (uint8_t)(1u << (code % 8u));
}

void vplat_input_caps_abs(struct vplat_input_caps *caps, uint16_t axis,
			  const struct vplat_input_absinfo *info)
{
	if (!caps || !info || axis >= VPLAT_INPUT_ABS_CNT)
		return;
	caps->abs[axis] = *info;
	vplat_input_caps_set(caps, VPLAT_EV_ABS, axis);
}

/* Bytes of a bitmap up to its last non-zero byte. */
static uint8_t bitmap_size(const uint8_t *bm)
{
	uint32_t n = VPLAT_INPUT_BITMAP;
	while (n > 0u && bm[n - 1u] == 0u)
		n--;
	return (uint8_t)n;
}

static uint8_t put_string(uint8_t *u, const char *s)
{
	uint32_t n = 0;
	if (s) {
		while (n < VPLAT_INPUT_STRING_MAX && s[n] != '\0')
			n++;
		(void)memcpy(u, s, n);
	}
	return (uint8_t)n;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xffu);
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	for (unsigned i = 0; i < 4u; i++)
		p[i] = (uint8_t)((u >> (8u * i)) & 0xffu);
}

/* Show what select/subsel ask for (devicenormative: size 0 for an unsupported combination). */
static void cfg_rebuild(struct vplat_input *d)
{
	const struct vplat_input_caps *c = d->caps;
	uint8_t sel = d->cfg[0];
	uint8_t sub = d->cfg[1];
	uint8_t *u = &d->cfg[CFG_HDR];
	uint8_t size = 0;
	(void)memset(&d->cfg[2], 0, CFG_LEN - 2u);
	switch (sel) {
	case VPLAT_VIRTIO_INPUT_CFG_ID_NAME:
		if (sub == 0u)
			size = put_string(u, c->name);
		break;
	case VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL:
		if (sub == 0u)
			size = put_string(u, c->serial);
		break;
	case VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS:
		if (sub == 0u && c->has_ids) {
			put_le16(&u[0], c->bustype);
			put_le16(&u[2], c->vendor);
			put_le16(&u[4], c->product);
			put_le16(&u[6], c->version);
			size = (uint8_t)sizeof(struct vplat_virtio_input_devids);
		}
		break;
	case VPLAT_VIRTIO_INPUT_CFG_PROP_BITS:
		if (sub == 0u) {
			size = bitmap_size(c->prop);
			(void)memcpy(u, c->prop, size);
		}
		break;
	case VPLAT_VIRTIO_INPUT_CFG_EV_BITS:
		if (sub < VPLAT_EV_CNT) {
			size = bitmap_size(c->ev[sub]);
			(void)memcpy(u, c->ev[sub], size);
		}
		break;
	case VPLAT_VIRTIO_INPUT_CFG_ABS_INFO:
		if (sub < VPLAT_INPUT_ABS_CNT &&
		    (c->ev[VPLAT_EV_ABS][sub / 8u] & (1u << (sub % 8u))) != 0u) {
			const struct vplat_input_absinfo *a = &c->abs[sub];
			put_le32(&u[0], a->min);
			put_le32(&u[4], a->max);
			put_le32(&u[8], a->fuzz);
			put_le32(&u[12], a->flat);
			put_le32(&u[16], a->res);
			size = (uint8_t)sizeof(struct vplat_virtio_input_absinfo);
		}
		break;
	default:
		break; /* UNSET and unknown selectors: size 0 */
	}
	d->cfg[2] = size;
}

static void input_config_write(struct vplat_device *dev, uint32_t off, const void *data,
			       uint32_t len)
{
	struct vplat_input *d = dev->opaque;
	const uint8_t *b = data;
	bool changed = false;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = off + i;
		if (o < 2u) { /* select, subsel; the driver MUST NOT write the rest */
			d->cfg[o] = b[i];
			changed = true;
		}
	}
	if (changed)
		cfg_rebuild(d);
}

/* ---- eventq --------------------------------------------------------------------------- */

static void evq_flush(struct vplat_input *d)
{
	struct vplat_vq *vq = &d->vqs[EVQ];
	bool used = false;
	while (d->ncommit > 0u) {
		struct vplat_iov iov[4];
		struct vplat_chain c = {.iov = iov, .iov_cap = 4};
		int rc = vplat_vq_pop(vq, &c);
		if (rc == VPLAT_E2BIG) {
			d->stats.malformed++; /* too many segments for an 8-byte event */
			(void)vplat_vq_push(vq, &c, 0);
			used = true;
			continue;
		}
		if (rc != 0)
			break;
		used = true;
		if (c.write_len < EV_LEN) {
			d->stats.malformed++;
			(void)vplat_vq_push(vq, &c, 0);
			continue;
		}
		const struct vplat_input_event *e = &d->q[d->head];
		struct vplat_virtio_input_event w = {
			.type = vplat_cpu_to_le16(e->type),
			.code = vplat_cpu_to_le16(e->code),
			.value = vplat_cpu_to_le32((uint32_t)e->value),
		};
		uint32_t n = (uint32_t)vplat_chain_write(&c, 0, &w, EV_LEN);
		(void)vplat_vq_push(vq, &c, n);
		d->head = (d->head + 1u) % VPLAT_INPUT_QUEUE;
		d->ncommit--;
		d->stats.events++;
	}
	if (used)
		(void)vplat_vq_interrupt(vq);
}

static void queue_clear(struct vplat_input *d)
{
	d->head = 0;
	d->ncommit = 0;
	d->nopen = 0;
	d->overflow = false;
}

int vplat_input_send(struct vplat_input *d, uint16_t type, uint16_t code, int32_t value)
{
	if (!vplat_device_is_live(&d->dev)) {
		d->stats.dropped++;
		return VPLAT_ENODEV;
	}
	if (d->overflow || d->ncommit + d->nopen >= VPLAT_INPUT_QUEUE) {
		d->overflow = true;
	} else {
		uint32_t at = (d->head + d->ncommit + d->nopen) % VPLAT_INPUT_QUEUE;
		d->q[at] = (struct vplat_input_event){.type = type, .code = code, .value = value};
		d->nopen++;
	}
	if (type != VPLAT_EV_SYN || code != VPLAT_SYN_REPORT)
		return 0;
	if (d->overflow) {
		/* The whole sequence goes (devicenormative: "either buffer or drop the entire
		 * sequence"), the events held of it and the ones that did not fit. */
		d->stats.dropped += d->nopen;
		d->stats.dropped_seqs++;
		d->nopen = 0;
		d->overflow = false;
		return VPLAT_ENOSPC;
	}
	d->ncommit += d->nopen;
	d->nopen = 0;
	evq_flush(d);
	return 0;
}

uint32_t vplat_input_pending(const struct vplat_input *d)
{
	return d->ncommit;
}

/* ---- statusq -------------------------------------------------------------------------- */

static void stq_process(struct vplat_input *d)
{
	struct vplat_vq *vq = &d->vqs[STQ];
	bool used = false;
	for (;;) {
		struct vplat_iov iov[4];
		struct vplat_chain c = {.iov = iov, .iov_cap = 4};
		int rc = vplat_vq_pop(vq, &c);
		if (rc == VPLAT_E2BIG) {
			d->stats.malformed++;
			(void)vplat_vq_push(vq, &c, 0);
			used = true;
			continue;
		}
		if (rc != 0)
			break;
		used = true;
		struct vplat_virtio_input_event e;
		if (c.read_len < EV_LEN || vplat_chain_read(&c, 0, &e, EV_LEN) != EV_LEN) {
			d->stats.malformed++;
		} else {
			d->stats.status++;
			if (d->host->status)
				d->host->status(d->host_opaque, vplat_le16_to_cpu(e.type),
						vplat_le16_to_cpu(e.code),
						(int32_t)vplat_le32_to_cpu(e.value));
		}
		(void)vplat_vq_push(vq, &c, 0);
	}
	if (used)
		(void)vplat_vq_interrupt(vq);
}

/* ---- device ops ----------------------------------------------------------------------- */

static void input_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_input *d = dev->opaque;
	if (vq == &d->vqs[EVQ])
		evq_flush(d);
	else
		stq_process(d);
}

static void input_reset(struct vplat_device *dev)
{
	struct vplat_input *d = dev->opaque;
	queue_clear(d);
	d->cfg[0] = 0;
	d->cfg[1] = 0;
	cfg_rebuild(d);
}

static void input_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_input *d = dev->opaque;
	if (vq == &d->vqs[EVQ])
		queue_clear(d); /* the events' buffers went with the queue */
}

static void input_driver_ok(struct vplat_device *dev)
{
	evq_flush(dev->opaque);
}

static const struct vplat_device_ops input_ops = {
	.name = "input",
	.device_id = VPLAT_VIRTIO_ID_INPUT,
	.features = 0,
	.driver_ok = input_driver_ok,
	.queue_notify = input_queue_notify, /* serves synchronously; status() must not block */
	.reset = input_reset,
	.queue_reset = input_queue_reset,
	.config_write = input_config_write,
};

int vplat_input_init(struct vplat_input *d, struct vplat_mem *mem,
		     const struct vplat_input_caps *caps, const struct vplat_input_host_ops *host,
		     void *host_opaque)
{
	if (!d || !caps || !host)
		return VPLAT_EINVAL;
	(void)memset(d, 0, sizeof(*d));
	d->caps = caps;
	d->host = host;
	d->host_opaque = host_opaque;
	int rc = vplat_device_init(&d->dev, &input_ops, d, mem, d->vqs, 2, 256, d->cfg, CFG_LEN);
	if (rc == 0)
		cfg_rebuild(d);
	return rc;
}

struct vplat_device *vplat_input_device(struct vplat_input *d)
{
	return &d->dev;
}

const struct vplat_input_stats *vplat_input_stats(const struct vplat_input *d)
{
	return &d->stats;
}
