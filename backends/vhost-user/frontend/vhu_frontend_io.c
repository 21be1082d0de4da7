/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The front-end seen by the validation driver: a virtio-mmio version 2 register window whose
 * accesses become vhost-user messages (see vplat/vhost_user_frontend.h).
 */
#include <poll.h>
#include <string.h>
#include "vhu_frontend.h"
#include "vplat/spec/virtio_mmio.h"
#include "vplat/spec/virtio_net.h"
#include "vplat/val/val.h"
#include "vplat/val/vhost_user_frontend.h"

#define M(x) VPLAT_VIRTIO_MMIO_##x

/* Bits of the vhost-user feature word the mmio v2 window never offers: bits 30
 * (VHOST_USER_F_PROTOCOL_FEATURES) and 26 (VHOST_F_LOG_ALL, dirty logging for migration,
 * offered by libvhost-user and DPDK) are vhost's own, not virtio features; bits 24
 * (NOTIFY_ON_EMPTY) and 27 (ANY_LAYOUT) are legacy-only. Back ends serving legacy front ends
 * too offer them (libvhost-user and DPDK do); QEMU's modern transports strip them
 * (legacy_features in virtio-pci and virtio-mmio v2), and so does this modern-only window. */
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

static bool pf(const struct vplat_vhu_frontend *fe, unsigned bit)
{
	return fe->protocol_features & VPLAT_BIT(bit);
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
			fe->isr |= VPLAT_VIRTIO_MMIO_INT_VRING;
			any = true;
		}
		if (fe->vqs[q].err_fd >= 0 &&
		    read(fe->vqs[q].err_fd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
			fe->irq_count++;
			fe->isr |= VPLAT_VIRTIO_MMIO_INT_CONFIG;
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
	if (!pf(fe, VPLAT_VHU_PROTOCOL_F_CONFIG) || size > 8 || off + size > CFG_MAX)
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
	if (!pf(fe, VPLAT_VHU_PROTOCOL_F_CONFIG) || size > 8)
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
	if (pf(fe, VPLAT_VHU_PROTOCOL_F_STATUS) && fe->status &&
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
	bool st = pf(fe, VPLAT_VHU_PROTOCOL_F_STATUS);
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

static void queue_ready(struct vplat_vhu_frontend *fe, uint32_t val)
{
	if (fe->qsel >= fe->nqueues || !val || fe->vqs[fe->qsel].ready)
		return; /* stopping one ring needs RING_RESET, which is not offered */
	if (!(fe->status & VPLAT_VIRTIO_STATUS_FEATURES_OK))
		return;
	fe->vqs[fe->qsel].ready = true;
	if (fe->status & VPLAT_VIRTIO_STATUS_DRIVER_OK) /* late queue: start it at once */
		vplat_vhufe_start_rings(fe);
}

static uint64_t queue_reg(struct vplat_vhu_frontend *fe, uint64_t off)
{
	const struct vplat_vhu_frontend_vq *v = fe->qsel < VPLAT_VHU_MAX_QUEUES ? &fe->vqs[fe->qsel]
										 : NULL;
	switch (off) {
	case M(QUEUE_SIZE_MAX):
		return fe->qsel < fe->nqueues ? fe->p.queue_size_max : 0;
	case M(QUEUE_READY):
		return v && v->ready;
	default:
		return 0;
	}
}

static uint64_t fe_read(void *ctx, unsigned space, uint64_t off, unsigned size)
{
	struct vplat_vhu_frontend *fe = ctx;
	if (space != VPLAT_VAL_SPACE_MMIO)
		return 0;
	if (off >= M(CONFIG))
		return config_read(fe, (uint32_t)(off - M(CONFIG)), size);
	switch (off) {
	case M(MAGIC_VALUE):
		return VPLAT_VIRTIO_MMIO_MAGIC;
	case M(VERSION):
		return VPLAT_VIRTIO_MMIO_VERSION_MODERN;
	case M(DEVICE_ID):
		return fe->p.device_id;
	case M(VENDOR_ID):
		return VPLAT_VHU_FRONTEND_VENDOR;
	case M(DEVICE_FEATURES): {
		uint64_t f = fe->backend_features & ~not_offered(fe);
		return fe->dfsel > 1 ? 0 : (uint32_t)(f >> (32 * fe->dfsel));
	}
	case M(INTERRUPT_STATUS):
		if (!drain_calls(fe) && !fe->isr)
			wait_calls(fe, 5);
		return fe->isr;
	case M(STATUS):
		return status_read(fe);
	case M(SHM_LEN_LOW):
	case M(SHM_LEN_HIGH):
	case M(SHM_BASE_LOW):
	case M(SHM_BASE_HIGH):
		return 0xffffffffu;
	case M(CONFIG_GENERATION):
		return 0;
	default:
		return queue_reg(fe, off);
	}
}

static void set_half(uint64_t *v, bool high, uint64_t val)
{
	if (high)
		*v = (*v & 0xffffffffu) | (val << 32);
	else
		*v = (*v & ~UINT64_C(0xffffffff)) | (val & 0xffffffffu);
}

static void queue_write(struct vplat_vhu_frontend *fe, uint64_t off, uint64_t val)
{
	if (fe->qsel >= VPLAT_VHU_MAX_QUEUES || fe->vqs[fe->qsel].ready)
		return;
	struct vplat_vhu_frontend_vq *v = &fe->vqs[fe->qsel];
	switch (off) {
	case M(QUEUE_SIZE):
		v->size = (uint16_t)val;
		break;
	case M(QUEUE_DESC_LOW):
	case M(QUEUE_DESC_HIGH):
		set_half(&v->desc, off == M(QUEUE_DESC_HIGH), val);
		break;
	case M(QUEUE_DRIVER_LOW):
	case M(QUEUE_DRIVER_HIGH):
		set_half(&v->driver, off == M(QUEUE_DRIVER_HIGH), val);
		break;
	case M(QUEUE_DEVICE_LOW):
	case M(QUEUE_DEVICE_HIGH):
		set_half(&v->device, off == M(QUEUE_DEVICE_HIGH), val);
		break;
	default:
		break;
	}
}

static void fe_write(void *ctx, unsigned space, uint64_t off, unsigned size, uint64_t val)
{
	struct vplat_vhu_frontend *fe = ctx;
	if (space != VPLAT_VAL_SPACE_MMIO)
		return;
	if (off >= M(CONFIG)) {
		config_write(fe, (uint32_t)(off - M(CONFIG)), size, val);
		return;
	}
	switch (off) {
	case M(DEVICE_FEATURES_SEL):
		fe->dfsel = (uint32_t)val;
		break;
	case M(DRIVER_FEATURES_SEL):
		fe->drfsel = (uint32_t)val;
		break;
	case M(DRIVER_FEATURES):
		if (fe->drfsel <= 1 && !(fe->status & VPLAT_VIRTIO_STATUS_FEATURES_OK))
			set_half(&fe->driver_features, fe->drfsel == 1, val);
		break;
	case M(QUEUE_SEL):
		fe->qsel = (uint32_t)val;
		break;
	case M(QUEUE_READY):
		queue_ready(fe, (uint32_t)val);
		break;
	case M(QUEUE_NOTIFY): {
		uint64_t one = 1;
		uint32_t q = (uint32_t)val & 0xffffu;
		if (q < VPLAT_VHU_MAX_QUEUES && fe->vqs[q].started &&
		    write(fe->vqs[q].kick_fd, &one, sizeof(one)) < 0)
			fe->errors++;
		break;
	}
	case M(INTERRUPT_ACK):
		fe->isr &= ~(uint32_t)val;
		break;
	case M(STATUS):
		status_write(fe, (uint8_t)val);
		break;
	default:
		queue_write(fe, off, val);
		break;
	}
}

/* The back-end runs in another process: the eventfd write that follows a used-ring update
 * may still be on its way when the driver sees the buffer, so give it a few milliseconds. */
static uint64_t fe_irq_count(void *ctx)
{
	struct vplat_vhu_frontend *fe = ctx;
	if (!drain_calls(fe))
		wait_calls(fe, 5);
	return fe->irq_count;
}

/* While the driver waits: sleep until an eventfd fires (at most 1 ms), then collect. */
static void fe_poll(void *ctx)
{
	wait_calls(ctx, 1);
}

static const struct vplat_val_io_ops fe_io_ops = {
    .read = fe_read,
    .write = fe_write,
    .irq_count = fe_irq_count,
    .poll = fe_poll,
};

void vplat_vhu_frontend_io_bind(struct vplat_vhu_frontend *fe)
{
	fe->io.ops = &fe_io_ops;
	fe->io.ctx = fe;
}
