/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The validation driver instance: probe, reset, status, feature negotiation, configuration
 * space and queue registers, on top of a transport table (val_mmio.c, val_pci.c).
 */
#include <string.h>
#include <time.h>
#include "val_internal.h"

/* Where vplat_val_init() starts placing PCI BARs that firmware left unassigned. */
#define VAL_PCI_MMIO_BASE UINT64_C(0xe0000000)

uint64_t vplat_val_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void nap(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000};
	nanosleep(&ts, NULL);
}

void vplat_val_idle(struct vplat_val_dev *d)
{
	if (d->t->wait)
		d->t->wait(d);
	else
		nap();
}

uint64_t vplat_val_io_irq_count(struct vplat_val_dev *d)
{
	return d->io.ops->irq_count ? d->io.ops->irq_count(d->io.ctx) : 0;
}

void vplat_val_io_wait(struct vplat_val_dev *d)
{
	if (d->io.ops->poll)
		d->io.ops->poll(d->io.ctx);
	else
		nap();
}

static uint64_t deadline_after(uint32_t ms)
{
	return vplat_val_now_ns() + (uint64_t)ms * 1000000u;
}

int vplat_val_init(struct vplat_val_dev *d, const struct vplat_val_io *io,
		   struct vplat_val_mem *mem, enum vplat_val_transport tr)
{
	if (!d || !io || !io->ops || !io->ops->read || !io->ops->write || !mem)
		return VPLAT_EINVAL;
	memset(d, 0, sizeof(*d));
	switch (tr) {
	case VPLAT_VAL_MMIO:
		d->t = &vplat_val_mmio_transport;
		break;
	case VPLAT_VAL_PCI:
		d->t = &vplat_val_pci_transport;
		break;
	default:
		return VPLAT_EINVAL;
	}
	d->io = *io;
	d->mem = mem;
	d->transport = tr;
	d->timeout_ms = VPLAT_VAL_TIMEOUT_MS;
	d->pci_mmio_next = VAL_PCI_MMIO_BASE;
	return d->t->probe(d);
}

int vplat_val_init_transport(struct vplat_val_dev *d, const struct vplat_val_transport_ops *ops,
			     void *ctx, struct vplat_val_mem *mem)
{
	if (!d || !ops || !mem || !ops->probe || !ops->get_status || !ops->set_status ||
	    !ops->get_features || !ops->set_features || !ops->cfg_read || !ops->cfg_write ||
	    !ops->queue_max || !ops->queue_program || !ops->queue_enable || !ops->queue_ready ||
	    !ops->notify_target || !ops->notify || !ops->isr ||
	    (ops->queue_reset_write && !ops->queue_reset_read))
		return VPLAT_EINVAL;
	memset(d, 0, sizeof(*d));
	d->t = ops;
	d->transport_ctx = ctx;
	d->mem = mem;
	d->transport = VPLAT_VAL_CUSTOM;
	d->timeout_ms = VPLAT_VAL_TIMEOUT_MS;
	return d->t->probe(d);
}

int vplat_val_reset(struct vplat_val_dev *d)
{
	d->t->set_status(d, 0);
	/* The driver must not go on until the status reads 0 (sec: Device Status Field). */
	uint64_t end = deadline_after(d->timeout_ms);
	while (d->t->get_status(d) != 0) {
		if (vplat_val_now_ns() > end)
			return VPLAT_ETIMEDOUT;
		vplat_val_idle(d);
	}
	return 0;
}

uint8_t vplat_val_get_status(struct vplat_val_dev *d)
{
	return d->t->get_status(d);
}

void vplat_val_set_status(struct vplat_val_dev *d, uint8_t status)
{
	d->t->set_status(d, status);
}

void vplat_val_add_status(struct vplat_val_dev *d, uint8_t bits)
{
	d->t->set_status(d, (uint8_t)(d->t->get_status(d) | bits));
}

uint64_t vplat_val_get_device_features(struct vplat_val_dev *d)
{
	uint64_t lo = d->t->get_features(d, 0);
	uint64_t hi = d->t->get_features(d, 1);
	return lo | hi << 32;
}

void vplat_val_set_driver_features(struct vplat_val_dev *d, uint64_t features)
{
	d->t->set_features(d, 0, (uint32_t)features);
	d->t->set_features(d, 1, (uint32_t)(features >> 32));
}

int vplat_val_negotiate(struct vplat_val_dev *d, uint64_t wanted)
{
	d->features = 0;
	d->device_features = 0;
	int r = vplat_val_reset(d);
	if (r)
		return r;
	vplat_val_add_status(d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	vplat_val_add_status(d, VPLAT_VIRTIO_STATUS_DRIVER);
	uint64_t offer = vplat_val_get_device_features(d);
	d->device_features = offer;
	if (!(offer & VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1))) {
		vplat_val_add_status(d, VPLAT_VIRTIO_STATUS_FAILED);
		return VPLAT_ENOTSUP; /* legacy device */
	}
	/* The driver MUST accept VERSION_1 and MUST NOT accept what was not offered. */
	uint64_t f = (wanted & offer) | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	vplat_val_set_driver_features(d, f);
	vplat_val_add_status(d, VPLAT_VIRTIO_STATUS_FEATURES_OK);
	if (!(vplat_val_get_status(d) & VPLAT_VIRTIO_STATUS_FEATURES_OK))
		return VPLAT_EPROTO;
	d->features = f;
	return 0;
}

int vplat_val_driver_ok(struct vplat_val_dev *d)
{
	vplat_val_add_status(d, VPLAT_VIRTIO_STATUS_DRIVER_OK);
	uint8_t s = vplat_val_get_status(d);
	if ((s & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET) || !(s & VPLAT_VIRTIO_STATUS_DRIVER_OK))
		return VPLAT_EPROTO;
	return 0;
}

bool vplat_val_has_feature(const struct vplat_val_dev *d, unsigned bit)
{
	return bit < 64 && (d->features & VPLAT_BIT(bit));
}

uint32_t vplat_val_config_generation(struct vplat_val_dev *d)
{
	return d->t->generation ? d->t->generation(d) : 0;
}

uint64_t vplat_val_config_read(struct vplat_val_dev *d, uint32_t off, unsigned size)
{
	if (size == 8) {
		uint64_t lo = d->t->cfg_read(d, off, 4);
		return lo | (uint64_t)d->t->cfg_read(d, off + 4, 4) << 32;
	}
	return d->t->cfg_read(d, off, size);
}

void vplat_val_config_write(struct vplat_val_dev *d, uint32_t off, unsigned size, uint64_t val)
{
	if (size == 8) {
		d->t->cfg_write(d, off, 4, (uint32_t)val);
		d->t->cfg_write(d, off + 4, 4, (uint32_t)(val >> 32));
		return;
	}
	d->t->cfg_write(d, off, size, (uint32_t)val);
}

/* Read [off, off+len) with the widest naturally aligned accesses of at most 32 bits. */
static void config_read_bytes(struct vplat_val_dev *d, uint32_t off, uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t o = off + (uint32_t)i;
		unsigned w = 1;
		if (!(o & 3) && len - i >= 4)
			w = 4;
		else if (!(o & 1) && len - i >= 2)
			w = 2;
		uint32_t v = d->t->cfg_read(d, o, w);
		for (unsigned b = 0; b < w; b++)
			p[i + b] = (uint8_t)(v >> (8 * b));
		i += w;
	}
}

int vplat_val_config_read_stable(struct vplat_val_dev *d, uint32_t off, void *buf, size_t len,
				 uint32_t timeout_ms)
{
	uint64_t end = deadline_after(timeout_ms);
	for (;;) {
		uint32_t g1 = vplat_val_config_generation(d);
		config_read_bytes(d, off, buf, len);
		if (vplat_val_config_generation(d) == g1)
			return 0;
		if (vplat_val_now_ns() > end)
			return VPLAT_ETIMEDOUT;
	}
}

uint32_t vplat_val_isr(struct vplat_val_dev *d)
{
	return d->t->isr(d);
}

uint64_t vplat_val_irq_count(struct vplat_val_dev *d)
{
	return d->t->irq_count ? d->t->irq_count(d) : 0;
}

uint16_t vplat_val_queue_max(struct vplat_val_dev *d, uint16_t index)
{
	return d->t->queue_max(d, index);
}

void vplat_val_queue_program(struct vplat_val_dev *d, uint16_t index, uint16_t size, uint64_t desc,
			     uint64_t driver, uint64_t device)
{
	d->t->queue_program(d, index, size, desc, driver, device);
}

int vplat_val_queue_enable(struct vplat_val_dev *d, uint16_t index)
{
	d->t->queue_enable(d, index);
	return d->t->queue_ready(d, index) == 1 ? 0 : VPLAT_EIO;
}

bool vplat_val_queue_enabled(struct vplat_val_dev *d, uint16_t index)
{
	return d->t->queue_ready(d, index) != 0;
}

int vplat_val_queue_reset(struct vplat_val_dev *d, uint16_t index)
{
	if (!vplat_val_has_feature(d, VPLAT_VIRTIO_F_RING_RESET) || !d->t->queue_reset_write)
		return VPLAT_ENOTSUP;
	d->t->queue_reset_write(d, index);
	/* Not complete until QueueReset / queue_reset reads back 0 (sec: Virtqueue Reset). */
	uint64_t end = deadline_after(d->timeout_ms);
	while (d->t->queue_reset_read(d, index) != 0) {
		if (vplat_val_now_ns() > end)
			return VPLAT_ETIMEDOUT;
		vplat_val_idle(d);
	}
	return d->t->queue_ready(d, index) ? VPLAT_EIO : 0;
}

void vplat_val_queue_notify(struct vplat_val_dev *d, uint16_t index, uint32_t value)
{
	uint64_t off;
	uint32_t unused;
	d->t->notify_target(d, index, &off, &unused);
	d->t->notify(d, off, value);
}
