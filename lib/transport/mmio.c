/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-mmio version 2 register model
 * (sec: Virtio Transport Options / Virtio Over MMIO).
 *
 * Every register of the "MMIO Device Register Layout" table is served here; everything that
 * is device state (status, features, queues, config space) lives in the device core and is
 * reached through the vplat_device_*() calls. The model keeps only what is transport state:
 * the select registers and InterruptStatus.
 *
 * Access rules, all from devicenormative/drivernormative
 * "Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout":
 *  - control registers (0x000..0x0ff): 32-bit aligned accesses only; anything else returns
 *    VPLAT_EINVAL, reads 0 and changes nothing;
 *  - reads of write-only registers and of offsets the table does not describe return 0;
 *    writes to read-only registers and to undescribed offsets are ignored (RAZ/WI, return 0);
 *  - config space (0x100+): 1-, 2- and 4-byte accesses, naturally aligned; an aligned 8-byte
 *    access is also accepted (a VMM may see one from a guest that reads a 64-bit field in
 *    one go) and served as one config access. Bytes past the device's config space read 0
 *    and ignore writes (the core decides that).
 *
 * Freestanding: no libc beyond <string.h> mem*.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vplat/error.h"
#include "vplat/mmio.h"
#include "vplat/spec/virtio_mmio.h"

/* Feature bits virtio-mmio has no mechanism for: NOTIF_CONFIG_DATA is PCI-only
 * (queue_notif_config_data), SR-IOV is a PCI capability and the administration virtqueue
 * needs admin_queue_index/num, which only the PCI common configuration carries. */
#define MMIO_UNSUPPORTED_FEATURES                                                                  \
	(VPLAT_BIT(VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA) | VPLAT_BIT(VPLAT_VIRTIO_F_SR_IOV) |          \
	 VPLAT_BIT(VPLAT_VIRTIO_F_ADMIN_VQ))

/* Bits of InterruptStatus the spec defines. */
#define MMIO_INT_MASK (VPLAT_VIRTIO_MMIO_INT_VRING | VPLAT_VIRTIO_MMIO_INT_CONFIG)

/* ------------------------------------------------------------------------------------------ */
/* Interrupt line                                                                              */
/* ------------------------------------------------------------------------------------------ */

/*
 * The line is asserted while at least one InterruptStatus bit is set
 * (sec: ... / MMIO-specific Initialization And Device Operation / Notifications From The
 * Device). The callback runs only when the level changes.
 */
static void mmio_update_irq(struct vplat_mmio *t)
{
	bool level = (t->interrupt_status & MMIO_INT_MASK) != 0;

	if (level == t->irq_level)
		return;
	t->irq_level = level;
	if (t->irq)
		t->irq(t->irq_opaque, level);
}

static void mmio_raise(struct vplat_mmio *t, uint32_t bit)
{
	t->interrupt_status |= bit;
	mmio_update_irq(t);
}

static void mmio_notify_used(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)vq;
	/* InterruptStatus bit 0: Used Buffer Notification. */
	mmio_raise(dev->transport, VPLAT_VIRTIO_MMIO_INT_VRING);
}

static void mmio_notify_config(struct vplat_device *dev)
{
	/* InterruptStatus bit 1: Configuration Change Notification. */
	mmio_raise(dev->transport, VPLAT_VIRTIO_MMIO_INT_CONFIG);
}

static const struct vplat_interrupt_ops mmio_notify_ops = {
	.used = mmio_notify_used,
	.config = mmio_notify_config,
};

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* The queue QueueSel points at, or NULL if that queue does not exist (QueueSizeMax 0). */
static struct vplat_vq *mmio_sel_vq(struct vplat_mmio *t)
{
	struct vplat_vq *vq;

	if (t->queue_sel > UINT16_MAX)
		return NULL;
	vq = vplat_device_vq(t->dev, (uint16_t)t->queue_sel);
	if (vq == NULL || vq->size_max == 0)
		return NULL;
	return vq;
}

/* The shared memory region whose shmid is SHMSel, or NULL. */
static const struct vplat_shm_region *mmio_sel_shm(const struct vplat_mmio *t)
{
	const struct vplat_device *dev = t->dev;

	for (uint8_t i = 0; dev->shm != NULL && i < dev->nshm; i++) {
		if (dev->shm[i].id == t->shm_sel)
			return &dev->shm[i];
	}
	return NULL;
}

static uint32_t lo32(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t hi32(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

static uint64_t set_lo32(uint64_t v, uint32_t lo)
{
	return (v & ~(uint64_t)UINT32_MAX) | lo;
}

static uint64_t set_hi32(uint64_t v, uint32_t hi)
{
	return (v & UINT32_MAX) | ((uint64_t)hi << 32);
}

/* Device reset from the driver (Status = 0) or from the embedder's side via the core. */
static void mmio_reset(struct vplat_mmio *t)
{
	/* devicenormative: MMIO Device Register Layout: "Upon reset, the device MUST clear all
	 * bits in InterruptStatus and ready bits in the QueueReady register for all queues"
	 * (the core clears every queue's enabled flag). */
	vplat_device_reset(t->dev);
	t->interrupt_status = 0;
	mmio_update_irq(t);
}

/* ------------------------------------------------------------------------------------------ */
/* Control register reads                                                                      */
/* ------------------------------------------------------------------------------------------ */

static uint32_t mmio_read_queue_reg(struct vplat_mmio *t, uint32_t off)
{
	struct vplat_vq *vq = mmio_sel_vq(t);

	if (vq == NULL)
		return 0; /* QueueSizeMax 0: "the queue is not available" */
	switch (off) {
	case VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX:
		return vq->size_max;
	case VPLAT_VIRTIO_MMIO_QUEUE_READY:
		/* "Reading from this register returns the last value written to it." The core
		 * clears it on reset, on queue reset and when an enable is refused. */
		return vq->enabled ? 1u : 0u;
	case VPLAT_VIRTIO_MMIO_QUEUE_RESET:
		/* devicenormative: 0 on reset and after QueueReady=1; 1 while a reset is in
		 * progress. Resets complete synchronously, so this reads 1 only if the core ever
		 * reports one pending. */
		return vq->reset_pending ? 1u : 0u;
	default:
		return 0;
	}
}

static uint32_t mmio_read_shm_reg(struct vplat_mmio *t, uint32_t off)
{
	const struct vplat_shm_region *r = mmio_sel_shm(t);

	/* A non-existent region reads length -1 and base 0xffffffffffffffff
	 * (table entries SHMLenLow/High, SHMBaseLow/High). */
	uint64_t len = r != NULL ? r->len : VPLAT_VIRTIO_MMIO_SHM_NONE;
	uint64_t base = r != NULL ? r->addr : VPLAT_VIRTIO_MMIO_SHM_NONE;

	switch (off) {
	case VPLAT_VIRTIO_MMIO_SHM_LEN_LOW:
		return lo32(len);
	case VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH:
		return hi32(len);
	case VPLAT_VIRTIO_MMIO_SHM_BASE_LOW:
		return lo32(base);
	default: /* VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH */
		return hi32(base);
	}
}

static uint32_t mmio_read_reg(struct vplat_mmio *t, uint32_t off)
{
	struct vplat_device *dev = t->dev;

	switch (off) {
	case VPLAT_VIRTIO_MMIO_MAGIC_VALUE:
		/* devicenormative: "MUST return 0x74726976 in MagicValue" */
		return VPLAT_VIRTIO_MMIO_MAGIC;
	case VPLAT_VIRTIO_MMIO_VERSION:
		/* devicenormative: "MUST return value 0x2 in Version" */
		return VPLAT_VIRTIO_MMIO_VERSION_MODERN;
	case VPLAT_VIRTIO_MMIO_DEVICE_ID:
		return dev->ops->device_id;
	case VPLAT_VIRTIO_MMIO_VENDOR_ID:
		return t->vendor_id;
	case VPLAT_VIRTIO_MMIO_DEVICE_FEATURES:
		/* bits DeviceFeaturesSel*32 .. +31; words above 1 read 0 (the core) */
		return vplat_device_get_features(dev, t->device_features_sel);
	case VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX:
	case VPLAT_VIRTIO_MMIO_QUEUE_READY:
	case VPLAT_VIRTIO_MMIO_QUEUE_RESET:
		return mmio_read_queue_reg(t, off);
	case VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS:
		/* devicenormative: bits stay set until ACKed; undefined bits read 0 */
		return t->interrupt_status & MMIO_INT_MASK;
	case VPLAT_VIRTIO_MMIO_STATUS:
		return vplat_device_get_status(dev);
	case VPLAT_VIRTIO_MMIO_SHM_LEN_LOW:
	case VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH:
	case VPLAT_VIRTIO_MMIO_SHM_BASE_LOW:
	case VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH:
		return mmio_read_shm_reg(t, off);
	case VPLAT_VIRTIO_MMIO_CONFIG_GENERATION:
		/* devicenormative: changes whenever config may read inconsistently (the core
		 * bumps it in vplat_device_config_changed()) */
		return dev->config_generation;
	default:
		/* Write-only registers (DeviceFeaturesSel, DriverFeatures, DriverFeaturesSel,
		 * QueueSel, QueueSize, QueueNotify, InterruptACK, Queue{Desc,Driver,Device}*,
		 * SHMSel) and undescribed offsets read 0. */
		return 0;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Control register writes                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* QueueReady (RW). */
static void mmio_write_queue_ready(struct vplat_mmio *t, struct vplat_vq *vq, uint32_t val)
{
	if (val != 0) {
		if (vq->enabled)
			return;
		/* The core checks size and rings; on error the queue stays not ready and the
		 * driver sees QueueReady read 0. */
		(void)vplat_device_queue_enable(t->dev, vq->index);
	} else if (vq->enabled) {
		/* drivernormative: "To stop using the queue the driver MUST write zero (0x0) to
		 * QueueReady and MUST read the value back": the queue stops and is back to its
		 * defaults when the write returns. */
		vplat_device_queue_reset(t->dev, vq->index);
	}
}

/* QueueReset (RW), VIRTIO_F_RING_RESET only. */
static void mmio_write_queue_reset(struct vplat_mmio *t, struct vplat_vq *vq, uint32_t val)
{
	if (val != 1 || !vplat_device_has_feature(t->dev, VPLAT_VIRTIO_F_RING_RESET))
		return;
	/* devicenormative: "The device MUST reset the queue when 1 is written to QueueReset
	 * ... MUST present 0 in both QueueReset and QueueReady when queue reset has
	 * completed." The reset is synchronous: both read 0 when this write returns. */
	vplat_device_queue_reset(t->dev, vq->index);
}

/* Queue registers the driver writes while setting a queue up. */
static void mmio_write_queue_reg(struct vplat_mmio *t, uint32_t off, uint32_t val)
{
	struct vplat_vq *vq = mmio_sel_vq(t);

	if (vq == NULL)
		return; /* no such queue: nothing to configure */
	if (off == VPLAT_VIRTIO_MMIO_QUEUE_READY) {
		mmio_write_queue_ready(t, vq, val);
		return;
	}
	if (off == VPLAT_VIRTIO_MMIO_QUEUE_RESET) {
		mmio_write_queue_reset(t, vq, val);
		return;
	}
	/* drivernormative: "When QueueReady is not zero, the driver MUST NOT access QueueSize,
	 * QueueDescLow, ..., QueueDeviceHigh." A live queue's layout must not change under
	 * the device, so such writes are ignored. */
	if (vq->enabled)
		return;
	switch (off) {
	case VPLAT_VIRTIO_MMIO_QUEUE_SIZE:
		/* The core validates the size (<= QueueSizeMax, power of 2 for split) when the
		 * queue is enabled. Sizes above 16 bits can never be valid: keep them out. */
		vq->size = val > UINT16_MAX ? 0 : (uint16_t)val;
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW:
		vq->desc_addr = set_lo32(vq->desc_addr, val);
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH:
		vq->desc_addr = set_hi32(vq->desc_addr, val);
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		vq->driver_addr = set_lo32(vq->driver_addr, val);
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		vq->driver_addr = set_hi32(vq->driver_addr, val);
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		vq->device_addr = set_lo32(vq->device_addr, val);
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		vq->device_addr = set_hi32(vq->device_addr, val);
		break;
	default:
		break;
	}
}

/* QueueNotify (W) (sec: ... / MMIO-specific Initialization And Device Operation / Available
 * Buffer Notifications). */
static void mmio_write_notify(struct vplat_mmio *t, uint32_t val)
{
	struct vplat_device *dev = t->dev;

	if (vplat_device_has_feature(dev, VPLAT_VIRTIO_F_NOTIFICATION_DATA)) {
		/* le32 { vq_index:16, next_off:15, next_wrap:1 } */
		(void)vplat_device_kick(dev, VPLAT_VIRTIO_NOTIFY_VQ_INDEX(val), val);
		return;
	}
	/* Without NOTIFICATION_DATA the value is the 16-bit queue index; anything wider names
	 * no queue. */
	if (val <= UINT16_MAX)
		(void)vplat_device_kick(dev, (uint16_t)val, 0);
}

static void mmio_write_reg(struct vplat_mmio *t, uint32_t off, uint32_t val)
{
	struct vplat_device *dev = t->dev;

	switch (off) {
	case VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = val;
		break;
	case VPLAT_VIRTIO_MMIO_DRIVER_FEATURES:
		/* The core ignores words above 1 and writes after FEATURES_OK. */
		vplat_device_set_driver_features(dev, t->driver_features_sel, val);
		break;
	case VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = val;
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = val;
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_SIZE:
	case VPLAT_VIRTIO_MMIO_QUEUE_READY:
	case VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
	case VPLAT_VIRTIO_MMIO_QUEUE_RESET:
		mmio_write_queue_reg(t, off, val);
		break;
	case VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY:
		mmio_write_notify(t, val);
		break;
	case VPLAT_VIRTIO_MMIO_INTERRUPT_ACK:
		/* Acknowledged events clear; the line drops when none is left. */
		t->interrupt_status &= ~(val & MMIO_INT_MASK);
		mmio_update_irq(t);
		break;
	case VPLAT_VIRTIO_MMIO_STATUS:
		/* Writing 0 resets; the 8-bit status lives in the low byte, the upper 24 bits are
		 * reserved and ignored. */
		if ((val & 0xffu) == 0)
			mmio_reset(t);
		else
			(void)vplat_device_set_status(dev, (uint8_t)val);
		break;
	case VPLAT_VIRTIO_MMIO_SHM_SEL:
		t->shm_sel = val;
		break;
	default:
		/* Read-only registers (MagicValue, Version, DeviceID, VendorID, DeviceFeatures,
		 * QueueSizeMax, InterruptStatus, SHMLen*, SHMBase*, ConfigGeneration) and
		 * undescribed offsets: ignored. */
		break;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Config space                                                                                */
/* ------------------------------------------------------------------------------------------ */

static bool mmio_config_access_ok(uint64_t off, unsigned size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	return (off & (size - 1u)) == 0; /* natural alignment */
}

static int mmio_config_read(struct vplat_mmio *t, uint64_t coff, unsigned size, uint64_t *val)
{
	uint8_t buf[8] = {0};
	uint64_t v = 0;

	/* Offsets that do not fit the core's 32-bit config offsets are far past any config
	 * space: they read 0 like any other byte outside it. */
	if (coff <= UINT32_MAX - 8u)
		vplat_device_config_read(t->dev, (uint32_t)coff, buf, size);
	for (unsigned i = size; i-- > 0;)
		v = (v << 8) | buf[i]; /* config space is little-endian */
	*val = v;
	return 0;
}

static int mmio_config_write(struct vplat_mmio *t, uint64_t coff, unsigned size, uint64_t val)
{
	uint8_t buf[8];

	for (unsigned i = 0; i < size; i++)
		buf[i] = (uint8_t)(val >> (8u * i));
	if (coff <= UINT32_MAX - 8u)
		vplat_device_config_write(t->dev, (uint32_t)coff, buf, size);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                  */
/* ------------------------------------------------------------------------------------------ */

int vplat_mmio_init(struct vplat_mmio *t, struct vplat_device *dev, uint32_t vendor_id,
		    vplat_irq_fn irq, void *opaque)
{
	if (t == NULL || dev == NULL || dev->ops == NULL)
		return VPLAT_EINVAL;
	if (dev->host_features & MMIO_UNSUPPORTED_FEATURES) {
		int rc = vplat_device_set_offer(dev, dev->host_features &
							     ~MMIO_UNSUPPORTED_FEATURES);
		if (rc != 0)
			return VPLAT_EINVAL;
	}
	(void)memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->vendor_id = vendor_id;
	t->irq = irq;
	t->irq_opaque = opaque;
	vplat_device_attach(dev, &mmio_notify_ops, t);
	return 0;
}

int vplat_mmio_read(struct vplat_mmio *t, uint64_t off, unsigned size, uint64_t *val)
{
	if (val == NULL)
		return VPLAT_EINVAL;
	*val = 0;
	if (t == NULL || t->dev == NULL)
		return VPLAT_EINVAL;
	if (off >= VPLAT_MMIO_CONFIG_OFFSET) {
		if (!mmio_config_access_ok(off, size))
			return VPLAT_EINVAL;
		return mmio_config_read(t, off - VPLAT_MMIO_CONFIG_OFFSET, size, val);
	}
	/* drivernormative: "The driver MUST only use 32 bit wide and aligned reads and writes
	 * to access the control registers". */
	if (size != 4 || (off & 3u) != 0)
		return VPLAT_EINVAL;
	*val = mmio_read_reg(t, (uint32_t)off);
	return 0;
}

int vplat_mmio_write(struct vplat_mmio *t, uint64_t off, unsigned size, uint64_t val)
{
	if (t == NULL || t->dev == NULL)
		return VPLAT_EINVAL;
	if (off >= VPLAT_MMIO_CONFIG_OFFSET) {
		if (!mmio_config_access_ok(off, size))
			return VPLAT_EINVAL;
		return mmio_config_write(t, off - VPLAT_MMIO_CONFIG_OFFSET, size, val);
	}
	if (size != 4 || (off & 3u) != 0)
		return VPLAT_EINVAL;
	mmio_write_reg(t, (uint32_t)off, (uint32_t)val);
	return 0;
}
