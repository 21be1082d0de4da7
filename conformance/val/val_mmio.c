/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver side of virtio-mmio version 2 (sec: Virtio Transport Options / Virtio Over MMIO).
 * Control registers take aligned 32-bit accesses; config space takes the field's width.
 */
#include "val_internal.h"
#include "vplat/spec/virtio_mmio.h"
#include "vplat/val/val.h"

static uint32_t rd(struct vplat_val_dev *d, uint32_t off)
{
	return (uint32_t)val_rd(d, VPLAT_VAL_SPACE_MMIO, off, 4);
}

static void wr(struct vplat_val_dev *d, uint32_t off, uint32_t v)
{
	val_wr(d, VPLAT_VAL_SPACE_MMIO, off, 4, v);
}

static int mmio_probe(struct vplat_val_dev *d)
{
	if (rd(d, VPLAT_VIRTIO_MMIO_MAGIC_VALUE) != VPLAT_VIRTIO_MMIO_MAGIC)
		return VPLAT_ENODEV;
	uint32_t ver = rd(d, VPLAT_VIRTIO_MMIO_VERSION);
	if (ver == VPLAT_VIRTIO_MMIO_VERSION_LEGACY)
		return VPLAT_ENOTSUP;
	if (ver != VPLAT_VIRTIO_MMIO_VERSION_MODERN)
		return VPLAT_ENODEV;
	/* Device ID 0 is a placeholder: the driver must ignore the device. */
	d->device_id = rd(d, VPLAT_VIRTIO_MMIO_DEVICE_ID);
	if (d->device_id == 0)
		return VPLAT_ENODEV;
	d->vendor_id = rd(d, VPLAT_VIRTIO_MMIO_VENDOR_ID);
	d->num_queues = 0;
	return 0;
}

static uint8_t mmio_get_status(struct vplat_val_dev *d)
{
	return (uint8_t)rd(d, VPLAT_VIRTIO_MMIO_STATUS);
}

static void mmio_set_status(struct vplat_val_dev *d, uint8_t status)
{
	wr(d, VPLAT_VIRTIO_MMIO_STATUS, status);
}

static uint32_t mmio_get_features(struct vplat_val_dev *d, uint32_t sel)
{
	wr(d, VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
	return rd(d, VPLAT_VIRTIO_MMIO_DEVICE_FEATURES);
}

static void mmio_set_features(struct vplat_val_dev *d, uint32_t sel, uint32_t val)
{
	wr(d, VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
	wr(d, VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, val);
}

static uint32_t mmio_generation(struct vplat_val_dev *d)
{
	return rd(d, VPLAT_VIRTIO_MMIO_CONFIG_GENERATION);
}

static uint32_t mmio_cfg_read(struct vplat_val_dev *d, uint32_t off, unsigned size)
{
	return (uint32_t)val_rd(d, VPLAT_VAL_SPACE_MMIO, (uint64_t)VPLAT_VIRTIO_MMIO_CONFIG + off,
				size);
}

static void mmio_cfg_write(struct vplat_val_dev *d, uint32_t off, unsigned size, uint32_t val)
{
	val_wr(d, VPLAT_VAL_SPACE_MMIO, (uint64_t)VPLAT_VIRTIO_MMIO_CONFIG + off, size, val);
}

/* Register @off of queue @q (QueueSel first). */
static uint16_t queue_rd(struct vplat_val_dev *d, uint16_t q, uint32_t off)
{
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_SEL, q);
	return (uint16_t)rd(d, off);
}

static void queue_wr(struct vplat_val_dev *d, uint16_t q, uint32_t off, uint32_t v)
{
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_SEL, q);
	wr(d, off, v);
}

static uint16_t mmio_queue_max(struct vplat_val_dev *d, uint16_t q)
{
	return queue_rd(d, q, VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX);
}

static void mmio_queue_program(struct vplat_val_dev *d, uint16_t q, uint16_t size, uint64_t desc,
			       uint64_t driver, uint64_t device)
{
	queue_wr(d, q, VPLAT_VIRTIO_MMIO_QUEUE_SIZE, size);
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)driver);
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(driver >> 32));
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)device);
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(device >> 32));
}

static void mmio_queue_enable(struct vplat_val_dev *d, uint16_t q)
{
	queue_wr(d, q, VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
}

static uint16_t mmio_queue_ready(struct vplat_val_dev *d, uint16_t q)
{
	return queue_rd(d, q, VPLAT_VIRTIO_MMIO_QUEUE_READY);
}

static void mmio_queue_reset_write(struct vplat_val_dev *d, uint16_t q)
{
	queue_wr(d, q, VPLAT_VIRTIO_MMIO_QUEUE_RESET, 1);
}

static uint16_t mmio_queue_reset_read(struct vplat_val_dev *d, uint16_t q)
{
	return queue_rd(d, q, VPLAT_VIRTIO_MMIO_QUEUE_RESET);
}

static void mmio_notify_target(struct vplat_val_dev *d, uint16_t q, uint64_t *off, uint32_t *value)
{
	(void)d;
	*off = VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY;
	*value = q;
}

static void mmio_notify(struct vplat_val_dev *d, uint64_t off, uint32_t value)
{
	wr(d, (uint32_t)off, value);
}

static uint32_t mmio_isr(struct vplat_val_dev *d)
{
	uint32_t v = rd(d, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS);
	if (v)
		wr(d, VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, v);
	return v;
}

const struct vplat_val_transport_ops vplat_val_mmio_transport = {
    .probe = mmio_probe,
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = mmio_get_features,
    .set_features = mmio_set_features,
    .generation = mmio_generation,
    .cfg_read = mmio_cfg_read,
    .cfg_write = mmio_cfg_write,
    .queue_max = mmio_queue_max,
    .queue_program = mmio_queue_program,
    .queue_enable = mmio_queue_enable,
    .queue_ready = mmio_queue_ready,
    .queue_reset_write = mmio_queue_reset_write,
    .queue_reset_read = mmio_queue_reset_read,
    .notify_target = mmio_notify_target,
    .notify = mmio_notify,
    .isr = mmio_isr,
    .irq_count = vplat_val_io_irq_count,
    .wait = vplat_val_io_wait,
};
