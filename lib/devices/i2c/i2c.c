/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I2C adapter device (sec: Device Types / I2C Adapter Device). Freestanding.
 *
 * Requests are parsed as they are popped and held until their group (requests chained with
 * VIRTIO_I2C_FLAGS_FAIL_NEXT) is complete; the group then runs as one transfer on the host
 * end and every request of it is completed, in ring order. Data goes through the device's
 * bounce buffer, so the host end never sees guest memory and a write buffer is never written
 * (devicenormative: "MUST not change the value of the buf for a write request").
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/i2c.h"

#define I2C_RQ     VPLAT_VIRTIO_I2C_REQUESTQ
#define FAIL_NEXT  VPLAT_VIRTIO_I2C_FLAGS_FAIL_NEXT
#define M_RD       VPLAT_VIRTIO_I2C_FLAGS_M_RD
#define MSG_OK     VPLAT_VIRTIO_I2C_MSG_OK
#define MSG_ERR    VPLAT_VIRTIO_I2C_MSG_ERR
#define HDR_LEN    ((uint32_t)sizeof(struct vplat_virtio_i2c_out_hdr))

bool vplat_i2c_addr_decode(uint16_t raw, uint16_t *addr, uint16_t *flags)
{
	if (raw & 1u)
		return false;
	if ((raw & VPLAT_VIRTIO_I2C_ADDR_10BIT_MASK) == VPLAT_VIRTIO_I2C_ADDR_10BIT) {
		*addr = (uint16_t)(((raw >> 1) & 0x3u) << 8 | (raw >> 8));
		*flags = VPLAT_I2C_MSG_TEN;
		return true;
	}
	if (raw >> 8)
		return false;
	*addr = (uint16_t)(raw >> 1);
	*flags = 0;
	return true;
}

/* Whether a chain offset can be passed as a size_t (always on 64-bit hosts; on 32-bit ones a
 * chain's writable part may be longer than SIZE_MAX). */
static bool off_fits(uint64_t off)
{
	return off <= (uint64_t)SIZE_MAX;
}

/* Complete one request: status byte last in its device-writable part. A read request's
 * buffer gets @p data (OK) or zeros (ERR). */
static void req_complete(struct vplat_i2c *d, const struct vplat_chain *c,
			 const struct vplat_i2c_msg *m, uint8_t status)
{
	uint32_t w = 0;
	if ((c->write_len >= 1u) && off_fits(c->write_len - 1u)) {
		size_t st = (size_t)(c->write_len - 1u);
		if (m && (m->flags & VPLAT_I2C_MSG_RD) && m->len == st) {
			if (status != MSG_OK)
				(void)memset(m->buf, 0, m->len);
			(void)vplat_chain_write(c, 0, m->buf, m->len);
		}
		struct vplat_virtio_i2c_in_hdr in = {.status = status};
		(void)vplat_chain_write(c, st, &in, sizeof(in));
		w = (uint32_t)c->write_len;
	} else if (c->write_tail) {
		*c->write_tail = status; /* a chain too long to map that still ends writable */
		w = 1;
	}
	d->stats.requests++;
	if (status != MSG_OK)
		d->stats.errors++;
	else if (m && (m->flags & VPLAT_I2C_MSG_RD))
		d->stats.bytes_read += m->len;
	else if (m)
		d->stats.bytes_written += m->len;
	(void)vplat_vq_push(&d->vqs[I2C_RQ], c, w);
}

static void group_reset(struct vplat_i2c *d)
{
	d->npend = 0;
	d->used = 0;
}

/* Fail every held request (none was attempted). */
static void group_fail(struct vplat_i2c *d)
{
	for (unsigned i = 0; i < d->npend; i++)
		req_complete(d, &d->pend[i].chain, &d->msgs[i], MSG_ERR);
	group_reset(d);
}

/* The open group is complete: run it and answer every request of it. */
static void group_run(struct vplat_i2c *d)
{
	unsigned n = d->npend;
	int done = d->host->transfer(d->host_opaque, d->msgs, n);
	d->stats.transfers++;
	if (done < 0 || (unsigned)done > n)
		done = 0; /* an error, or a host end that claims more than it was given */
	if ((unsigned)done < n)
		d->stats.host_errors++;
	for (unsigned i = 0; i < n; i++)
		req_complete(d, &d->pend[i].chain, &d->msgs[i],
			     i < (unsigned)done ? MSG_OK : MSG_ERR);
	group_reset(d);
}

/* Parse the request in pend[npend] into msgs[npend] (buffer taken from the bounce area).
 * Returns false for a malformed request; *flags gets its header flags (0 if unreadable). */
static bool req_parse(struct vplat_i2c *d, uint32_t *flags)
{
	const struct vplat_chain *c = &d->pend[d->npend].chain;
	struct vplat_i2c_msg *m = &d->msgs[d->npend];
	struct vplat_virtio_i2c_out_hdr h;
	*flags = 0;
	if (c->read_len < HDR_LEN || vplat_chain_read(c, 0, &h, HDR_LEN) != HDR_LEN)
		return false;
	uint32_t f = vplat_le32_to_cpu(h.flags);
	*flags = f;
	if (c->write_len < 1 || (f & ~(uint32_t)(FAIL_NEXT | M_RD)))
		return false; /* no status byte; reserved flag bits */
	if (!vplat_i2c_addr_decode(vplat_le16_to_cpu(h.addr), &m->addr, &m->flags))
		return false;
	uint64_t len;
	if (f & M_RD) {
		if (c->read_len != HDR_LEN)
			return false; /* a read request with a device-readable buffer */
		len = c->write_len - 1;
		m->flags |= VPLAT_I2C_MSG_RD;
	} else {
		if (c->write_len != 1)
			return false; /* a write request with a device-writable buffer */
		len = c->read_len - HDR_LEN;
	}
	if (len > VPLAT_I2C_GROUP_BYTES - d->used)
		return false; /* the group's data does not fit */
	m->len = (uint32_t)len;
	m->buf = d->bounce + d->used;
	if (!(f & M_RD) && vplat_chain_read(c, HDR_LEN, m->buf, m->len) != m->len)
		return false;
	d->used += m->len;
	return true;
}

static void rq_process(struct vplat_i2c *d)
{
	struct vplat_vq *vq = &d->vqs[I2C_RQ];
	for (;;) {
		struct vplat_i2c_pending *p = &d->pend[d->npend];
		p->chain = (struct vplat_chain){.iov = p->iov, .iov_cap = VPLAT_I2C_REQUEST_SEGS};
		int rc = vplat_vq_pop(vq, &p->chain);
		uint32_t flags = 0;
		bool ok;
		if (rc == VPLAT_E2BIG) {
			/* Too many segments: nothing of it is mapped, its flags are unknown. */
			p->chain.nread = 0;
			p->chain.nwrite = 0;
			p->chain.read_len = 0;
			p->chain.write_len = 0;
			ok = false;
		} else if (rc != 0) {
			break;
		} else {
			ok = req_parse(d, &flags);
		}
		if (!ok)
			d->stats.malformed++;
		if (d->failing || !ok) {
			/* The group failed: fail what is held, this one, and (FAIL_NEXT) the rest. */
			group_fail(d);
			req_complete(d, &p->chain, NULL, MSG_ERR);
			d->failing = (flags & FAIL_NEXT) != 0;
			continue;
		}
		d->npend++;
		if (!(flags & FAIL_NEXT)) {
			group_run(d);
		} else if (d->npend == VPLAT_I2C_GROUP_MAX) {
			group_fail(d); /* longer than a transfer may be: the whole group fails */
			d->failing = true;
		}
	}
	(void)vplat_vq_interrupt(vq);
}

/* ---- device ops ----------------------------------------------------------------------- */

static void i2c_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)vq;
	rq_process(dev->opaque);
}

static void i2c_forget(struct vplat_i2c *d)
{
	group_reset(d); /* held buffers went with the queue */
	d->failing = false;
}

static void i2c_reset(struct vplat_device *dev)
{
	i2c_forget(dev->opaque);
}

static void i2c_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)vq;
	i2c_forget(dev->opaque);
}

/* devicenormative: "MUST reject any driver that doesn't negotiate this feature". */
static bool i2c_validate_features(struct vplat_device *dev, uint64_t features)
{
	(void)dev;
	return (features & VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST)) != 0;
}

static const struct vplat_device_ops i2c_ops = {
	.name = "i2c",
	.device_id = VPLAT_VIRTIO_ID_I2C,
	.features = VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST),
	.validate_features = i2c_validate_features,
	.queue_notify = i2c_queue_notify, /* serves synchronously; the host end must not block */
	.reset = i2c_reset,
	.queue_reset = i2c_queue_reset,
};

int vplat_i2c_init(struct vplat_i2c *d, struct vplat_mem *mem,
		   const struct vplat_i2c_host_ops *host, void *host_opaque)
{
	if (!d || !host || !host->transfer)
		return VPLAT_EINVAL;
	(void)memset(d, 0, sizeof(*d));
	d->host = host;
	d->host_opaque = host_opaque;
	return vplat_device_init(&d->dev, &i2c_ops, d, mem, d->vqs, 1, 256, NULL, 0);
}

struct vplat_device *vplat_i2c_device(struct vplat_i2c *d)
{
	return &d->dev;
}

const struct vplat_i2c_stats *vplat_i2c_stats(const struct vplat_i2c *d)
{
	return &d->stats;
}
