/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The front-end seen by the validation driver: a struct vplat_val_transport_ops whose
 * operations become vhost-user messages (see vplat/val/vhost_user_frontend.h).
 */
#include <poll.h>
#include <string.h>
#include "vhu_frontend.h"
#include "vplat/spec/virtio_net.h"
#include "vplat/val/val.h"
#include "vplat/val/vhost_user_frontend.h"

/* Interrupt causes, as the driver reads them from vplat_val_isr(). */
#define FE_INT_VRING  1u
#define FE_INT_CONFIG 2u

/* Bits of the vhost-user feature word the mmio v2 window never offers: bits 30
 * (VHOST_USER_F_PROTOCOL_FEATURES) and 26 (VHOST_F_LOG_ALL, dirty logging for migration,
 * offered by libvhost-user and DPDK) are vhost's own, not virtio features; bits 24
 * (NOTIFY_ON_EMPTY) and 27 (ANY_LAYOUT) are legacy-only. Back ends serving legacy front ends
 * too offer them (libvhost-user and DPDK do); QEMU's modern transports strip them
 * (legacy_features in virtio-pci and virtio-mmio v2), and so does this modern-only transport. */
#define FE_NOT_OFFERED                                                                             \
	(VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES) | VPLAT_BIT(VPLAT_VHU_F_LOG_ALL) |                    \
	 VPLAT_BIT(VPLAT_VIRTIO_F_NOTIFY_ON_EMPTY) | VPLAT_BIT(VPLAT_VIRTIO_F_ANY_LAYOUT))

/* Device-specific legacy-only bits: the network device's VIRTIO_NET_F_GSO (6), which DPDK's
 * vhost library offers and QEMU's virtio-net strips from its modern interface. */
static uint64_t not_offered(const struct vplat_vhu_frontend *fe)
{
	uint64_t m = FE_NOT_OFFERED;
	if (fe->p.device_id == VPLAT_VIRTIO_ID_NET)
		m |= VPLAT_BIT(VPLAT_VIRTIO_NET_F_GSO);
	return m;
}

/* Collect call eventfd signals into the interrupt status; error eventfd signals (the device
 * needs a reset) count as configuration change interrupts. */
static bool drain_calls(struct vplat_vhu_frontend *fe)
{
	bool any = false;
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++) {
		uint64_t v;
		if (fe->vqs[q].call_fd >= 0 &&
		    read(fe->vqs[q].call_fd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
			fe->irq_count++;
			fe->isr |= FE_INT_VRING;
			any = true;
		}
		if (fe->vqs[q].err_fd >= 0 &&
		    read(fe->vqs[q].err_fd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
			fe->irq_count++;
			fe->isr |= FE_INT_CONFIG;
			/* the device needs a reset: show it in the status, as a device would,
			 * also to back ends without the STATUS protocol feature */
			fe->status |= VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
			any = true;
		}
	}
	return any;
}

/* Wait up to @ms for a call or error eventfd, then collect. */
static void wait_calls(struct vplat_vhu_frontend *fe, int ms)
{
	struct pollfd p[2 * VPLAT_VHU_MAX_QUEUES];
	nfds_t n = 0;
	for (uint32_t q = 0; q < VPLAT_VHU_MAX_QUEUES; q++) {
		if (fe->vqs[q].call_fd >= 0)
			p[n++] = (struct pollfd){.fd = fe->vqs[q].call_fd, .events = POLLIN};
		if (fe->vqs[q].err_fd >= 0)
			p[n++] = (struct pollfd){.fd = fe->vqs[q].err_fd, .events = POLLIN};
	}
	if (n)
		poll(p, n, ms);
	drain_calls(fe);
}

/* Config reads fetch the space from offset 0 up to the end of the access, as QEMU's front end
 * only ever asks GET_CONFIG for the whole space from offset 0: libvhost-user (so
 * qemu-storage-daemon) ignores the offset and copies from the start of the space. */
static uint32_t config_read(struct vplat_vhu_frontend *fe, uint32_t off, unsigned size)
{
	enum { CFG_MAX = 256 };
	if (!vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_CONFIG) || size > 8 || off + size > CFG_MAX)
		return 0;
	struct {
		uint32_t offset, size, flags;
		uint8_t data[CFG_MAX];
	} c = {.offset = 0, .size = off + size}, r;
	memset(&r, 0, sizeof(r));
	if (vplat_vhu_frontend_call(fe, VPLAT_VHU_GET_CONFIG, 0, &c, 12 + off + size, NULL, 0, &r,
				    12 + off + size))
		return 0;
	uint32_t v = 0;
	for (unsigned i = 0; i < size && i < 4; i++)
		v |= (uint32_t)r.data[off + i] << (8 * i);
	return v;
}

static void config_write(struct vplat_vhu_frontend *fe, uint32_t off, unsigned size, uint64_t val)
{
	if (!vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_CONFIG) || size > 8)
		return;
	struct {
		uint32_t offset, size, flags;
		uint8_t data[8];
	} c = {.offset = off, .size = size};
	for (unsigned i = 0; i < size; i++)
		c.data[i] = (uint8_t)(val >> (8 * i));
	vplat_vhufe_set(fe, VPLAT_VHU_SET_CONFIG, &c, 12 + size, NULL, 0);
}

static uint8_t status_read(struct vplat_vhu_frontend *fe)
{
	uint64_t s = 0;
	drain_calls(fe); /* an error eventfd signal sets DEVICE_NEEDS_RESET */
	if (vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_STATUS) && fe->status &&
	    vplat_vhufe_get_u64(fe, VPLAT_VHU_GET_STATUS, &s) == 0)
		return fe->status | (uint8_t)(s & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	return fe->status;
}

static void status_write(struct vplat_vhu_frontend *fe, uint8_t val)
{
	if (val == 0) {
		vplat_vhufe_reset(fe);
		return;
	}
	uint8_t added = val & (uint8_t)~fe->status;
	bool st = vhufe_pf(fe, VPLAT_VHU_PROTOCOL_F_STATUS);
	if (added & VPLAT_VIRTIO_STATUS_FEATURES_OK) {
		uint64_t offer = fe->backend_features & ~not_offered(fe);
		bool ok = !(fe->driver_features & ~offer) && vplat_vhufe_send_features(fe) == 0;
		if (ok && st) {
			uint64_t s = 0;
			ok = vplat_vhufe_set_u64(fe, VPLAT_VHU_SET_STATUS, val) == 0 &&
			     vplat_vhufe_get_u64(fe, VPLAT_VHU_GET_STATUS, &s) == 0 &&
			     (s & VPLAT_VIRTIO_STATUS_FEATURES_OK);
		}
		if (!ok)
			val &= (uint8_t)~VPLAT_VIRTIO_STATUS_FEATURES_OK;
	}
	if ((added & VPLAT_VIRTIO_STATUS_DRIVER_OK) && (val & VPLAT_VIRTIO_STATUS_FEATURES_OK)) {
		/* Rings start now, as QEMU starts vhost rings; a ring the back-end refuses makes
		 * the device need a reset. */
		if (vplat_vhufe_start_rings(fe))
			val |= VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	}
	if (st && (added & (VPLAT_VIRTIO_STATUS_DRIVER_OK | VPLAT_VIRTIO_STATUS_FAILED)))
		vplat_vhufe_set_u64(fe, VPLAT_VHU_SET_STATUS, val & (uint8_t)~VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	fe->status = val;
}

static struct vplat_vhu_frontend *fe_of(struct vplat_val_dev *d)
{
	return d->transport_ctx;
}

static int fe_probe(struct vplat_val_dev *d)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	d->device_id = fe->p.device_id;
	d->vendor_id = VPLAT_VHU_FRONTEND_VENDOR;
	d->num_queues = fe->nqueues;
	return 0;
}

static uint8_t fe_get_status(struct vplat_val_dev *d)
{
	return status_read(fe_of(d));
}

static void fe_set_status(struct vplat_val_dev *d, uint8_t status)
{
	status_write(fe_of(d), status);
}

static uint32_t fe_get_features(struct vplat_val_dev *d, uint32_t sel)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	uint64_t f = fe->backend_features & ~not_offered(fe);
	return sel > 1 ? 0 : (uint32_t)(f >> (32 * sel));
}

static void fe_set_features(struct vplat_val_dev *d, uint32_t sel, uint32_t val)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	if (sel > 1 || (fe->status & VPLAT_VIRTIO_STATUS_FEATURES_OK))
		return;
	uint64_t keep = sel ? UINT64_C(0xffffffff) : ~UINT64_C(0xffffffff);
	fe->driver_features = (fe->driver_features & keep) | ((uint64_t)val << (32 * sel));
}

static uint32_t fe_cfg_read(struct vplat_val_dev *d, uint32_t off, unsigned size)
{
	return config_read(fe_of(d), off, size);
}

static void fe_cfg_write(struct vplat_val_dev *d, uint32_t off, unsigned size, uint32_t val)
{
	config_write(fe_of(d), off, size, val);
}

static uint16_t fe_queue_max(struct vplat_val_dev *d, uint16_t q)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	return q < fe->nqueues ? fe->p.queue_size_max : 0;
}

/* Remembered until the queue is enabled; an enabled queue keeps its configuration. */
static void fe_queue_program(struct vplat_val_dev *d, uint16_t q, uint16_t size, uint64_t desc,
			     uint64_t driver, uint64_t device)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	if (q >= VPLAT_VHU_MAX_QUEUES || fe->vqs[q].ready)
		return;
	struct vplat_vhu_frontend_vq *v = &fe->vqs[q];
	v->size = size;
	v->desc = desc;
	v->driver = driver;
	v->device = device;
}

static void fe_queue_enable(struct vplat_val_dev *d, uint16_t q)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	if (q >= fe->nqueues || fe->vqs[q].ready)
		return; /* stopping one ring needs RING_RESET, which is not offered */
	if (!(fe->status & VPLAT_VIRTIO_STATUS_FEATURES_OK))
		return;
	fe->vqs[q].ready = true;
	if (fe->status & VPLAT_VIRTIO_STATUS_DRIVER_OK) /* late queue: start it at once */
		vplat_vhufe_start_rings(fe);
}

static uint16_t fe_queue_ready(struct vplat_val_dev *d, uint16_t q)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	return q < VPLAT_VHU_MAX_QUEUES && fe->vqs[q].ready;
}

static void fe_notify_target(struct vplat_val_dev *d, uint16_t q, uint64_t *off, uint32_t *value)
{
	(void)d;
	*off = 0;
	*value = q;
}

/* A kick is a write on the ring's kick eventfd; the queue is the low 16 bits of the value
 * (the rest is NOTIFICATION_DATA, which vhost-user does not carry). */
static void fe_notify(struct vplat_val_dev *d, uint64_t off, uint32_t value)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	(void)off;
	if (vplat_vhufe_kick(fe, value & 0xffffu))
		fe->errors++;
}

/* Read and acknowledge the causes collected from the call and error eventfds. */
static uint32_t fe_isr(struct vplat_val_dev *d)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	if (!drain_calls(fe) && !fe->isr)
		wait_calls(fe, 5);
	uint32_t v = fe->isr;
	fe->isr = 0;
	return v;
}

/* The back-end runs in another process: the eventfd write that follows a used-ring update
 * may still be on its way when the driver sees the buffer, so give it a few milliseconds. */
static uint64_t fe_irq_count(struct vplat_val_dev *d)
{
	struct vplat_vhu_frontend *fe = fe_of(d);
	if (!drain_calls(fe))
		wait_calls(fe, 5);
	return fe->irq_count;
}

/* While the driver waits: sleep until an eventfd fires (at most 1 ms), then collect. */
static void fe_wait(struct vplat_val_dev *d)
{
	wait_calls(fe_of(d), 1);
}

/* No generation counter (vhost-user has none) and no queue reset (RING_RESET is never started
 * on the back end): both are left out. */
const struct vplat_val_transport_ops vplat_vhu_frontend_transport = {
    .probe = fe_probe,
    .get_status = fe_get_status,
    .set_status = fe_set_status,
    .get_features = fe_get_features,
    .set_features = fe_set_features,
    .cfg_read = fe_cfg_read,
    .cfg_write = fe_cfg_write,
    .queue_max = fe_queue_max,
    .queue_program = fe_queue_program,
    .queue_enable = fe_queue_enable,
    .queue_ready = fe_queue_ready,
    .notify_target = fe_notify_target,
    .notify = fe_notify,
    .isr = fe_isr,
    .irq_count = fe_irq_count,
    .wait = fe_wait,
};
