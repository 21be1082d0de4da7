/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci modern (non-transitional) function model
 * (sec: Virtio Transport Options / Virtio Over PCI Bus).
 *
 * This file: the virtio structures in BAR4 (common configuration, ISR, device configuration,
 * notifications), BAR access dispatch and initialisation. pci_config.c holds the PCI
 * configuration space (header, BARs, capability list, PCI_CFG window), pci_irq.c the
 * interrupt routing and the MSI-X table. The BARs served by vplat_pci_bar_read()/write():
 *
 *   BAR1  (32-bit memory, 4 KiB)      MSI-X table at 0x000, PBA at 0x800
 *   BAR2/3 (64-bit prefetchable)      shared memory regions (mapped by the VMM, not served here)
 *   BAR4/5 (64-bit memory)            common cfg 0x0000, ISR 0x1000, device cfg 0x2000,
 *                                     notify 0x3000 + 4 * queue (notify_off_multiplier 4)
 *
 * Access widths (drivernormative: Virtio Transport Options / Virtio Over PCI Bus / PCI Device
 * Layout: "8-bit wide accesses for 8-bit wide fields, 16-bit wide and aligned accesses for
 * 16-bit wide fields and 32-bit wide and aligned accesses for 32-bit and 64-bit wide fields"):
 * common cfg accepts exactly the field's width at the field's offset; 64-bit fields take two
 * independent 32-bit halves (devicenormative: PCI Device Layout) or one aligned 64-bit access.
 * Any other width or offset inside a field is refused with VPLAT_EINVAL (reads 0, nothing
 * changes). Bytes of a BAR that no structure describes read 0 and ignore writes.
 *
 * Not modelled: I/O BARs and the legacy interface, expansion ROM, PCI error status bits, PCIe
 * extended config space, power management. Bus Master Enable is not checked: MSI-X messages
 * are sent whatever its value.
 *
 * Freestanding: no libc beyond <string.h> mem*.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vplat/error.h"
#include "transport/pci_internal.h"

/* Feature bits this model cannot serve: SR-IOV needs the SR-IOV extended capability and the
 * admin virtqueue needs admin queues behind admin_queue_index/num. NOTIF_CONFIG_DATA is
 * supported: queue_notif_config_data is the queue index. */
#define PCI_UNSUPPORTED_FEATURES                                                                   \
	(VPLAT_BIT(VPLAT_VIRTIO_F_SR_IOV) | VPLAT_BIT(VPLAT_VIRTIO_F_ADMIN_VQ))

/* ------------------------------------------------------------------------------------------ */
/* Notifications from the device                                                               */
/* ------------------------------------------------------------------------------------------ */

static void pci_notify_used(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_pci *t = dev->transport;

	/* sec: Used Buffer Notifications: MSI-X enabled → queue_msix_vector; disabled → set
	 * ISR bit 0 (devicenormative: ISR status capability: "before sending") and INTx. */
	if (vplat_pci_msix_enabled(t)) {
		vplat_pci_msix_notify(t, vq->msix_vector);
		return;
	}
	t->isr |= VPLAT_VIRTIO_PCI_ISR_QUEUE;
	vplat_pci_intx_update(t);
}

static void pci_notify_config(struct vplat_device *dev)
{
	struct vplat_pci *t = dev->transport;

	/* devicenormative: ISR status capability: "MUST set the Device Configuration Interrupt
	 * bit in ISR status before sending a device configuration change notification". */
	t->isr |= VPLAT_VIRTIO_PCI_ISR_CONFIG;
	if (vplat_pci_msix_enabled(t))
		vplat_pci_msix_notify(t, t->config_msix_vector);
	vplat_pci_intx_update(t);
}

static const struct vplat_interrupt_ops pci_notify_ops = {
	.used = pci_notify_used,
	.config = pci_notify_config,
};

/* ------------------------------------------------------------------------------------------ */
/* Common configuration (BAR4 + 0x0000)                                                        */
/* ------------------------------------------------------------------------------------------ */

/* The queue queue_select points at, or NULL if it does not exist (queue_size reads 0). */
static struct vplat_vq *sel_vq(struct vplat_pci *t)
{
	struct vplat_vq *vq = vplat_device_vq(t->dev, t->queue_select);

	return (vq != NULL && vq->size_max != 0) ? vq : NULL;
}

/* Is [off, off+size) one whole field, or a 32-bit half of a 64-bit field? */
static bool common_access_ok(uint32_t off, unsigned size)
{
	if (off >= VPLAT_VIRTIO_PCI_COMMON_CFG_SIZE || (off & (size - 1u)) != 0)
		return false;
	if (off < VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR)
		return size == 4; /* the four le32 feature fields */
	if (off == VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS ||
	    off == VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION)
		return size == 1;
	if (off >= VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC &&
	    off < VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA)
		return size == 4 || size == 8; /* le64 fields */
	return size == 2;                      /* every other field is le16 */
}

static uint64_t vq_addr_field(struct vplat_vq *vq, uint32_t base)
{
	if (base == VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC)
		return vq->desc_addr;
	if (base == VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER)
		return vq->driver_addr;
	return vq->device_addr;
}

static uint64_t common_read_queue(struct vplat_pci *t, uint32_t off, unsigned size)
{
	struct vplat_vq *vq = sel_vq(t);

	if (vq == NULL)
		return 0; /* devicenormative: "present a 0 in queue_size" for an unavailable queue */
	if (off >= VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC &&
	    off < VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA) {
		uint32_t base = off & ~7u;
		uint64_t v = vq_addr_field(vq, base);

		if (size == 8)
			return v;
		return off == base ? (uint32_t)v : (uint32_t)(v >> 32);
	}
	switch (off) {
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE:
		return vq->size; /* the maximum after reset (the core), or what the driver wrote */
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR:
		return vq->msix_vector;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE:
		return vq->enabled ? 1u : 0u;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIFY_OFF:
		/* notify address = 0x3000 + queue_notify_off * 4 */
		return vq->index;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA:
		/* "exists only if VIRTIO_F_NOTIF_CONFIG_DATA has been negotiated"; the trivial
		 * choice the spec's note suggests: the queue index. */
		return vplat_device_has_feature(t->dev, VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA) ? vq->index
											 : 0u;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET:
		/* devicenormative: 0 on reset and after queue_enable; 1 while a reset is
		 * ongoing (resets are synchronous here) */
		return vq->reset_pending ? 1u : 0u;
	default:
		return 0;
	}
}

static uint64_t common_read(struct vplat_pci *t, uint32_t off, unsigned size)
{
	struct vplat_device *dev = t->dev;
	uint32_t sel;

	switch (off) {
	case VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE_SELECT:
		return t->device_feature_select;
	case VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE:
		/* devicenormative: Common configuration structure layout: the offered bits for
		 * any select value (0 above word 1, the core) */
		return vplat_device_get_features(dev, t->device_feature_select);
	case VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE_SELECT:
		return t->driver_feature_select;
	case VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE:
		/* devicenormative: "MUST present any valid feature bits the driver has written"
		 * (valid = offered) */
		sel = t->driver_feature_select;
		if (sel > 1)
			return 0;
		return (uint32_t)((dev->driver_features & dev->host_features) >> (32u * sel));
	case VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR:
		return t->config_msix_vector;
	case VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES:
		return dev->nvqs;
	case VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS:
		return vplat_device_get_status(dev);
	case VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION:
		return (uint8_t)dev->config_generation;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT:
		return t->queue_select;
	case VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_INDEX:
	case VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_NUM:
		return 0; /* VIRTIO_F_ADMIN_VQ is never offered: no admin queues */
	default:
		return common_read_queue(t, off, size);
	}
}

/* Device reset: devicenormative: Common configuration structure layout ("MUST reset when 0
 * is written to device_status", "present a 0 in queue_enable on reset") and MSI-X Vector
 * Configuration ("all queue and configuration change events are unmapped upon reset"). */
static void pci_reset(struct vplat_pci *t)
{
	struct vplat_device *dev = t->dev;

	vplat_device_reset(dev);
	t->config_msix_vector = VPLAT_VIRTIO_PCI_NO_VECTOR;
	for (uint16_t i = 0; dev->vqs != NULL && i < dev->nvqs; i++)
		dev->vqs[i].msix_vector = VPLAT_VIRTIO_PCI_NO_VECTOR;
	if (t->p.msix != NULL)
		(void)memset(t->p.msix_pending, 0, ((t->p.nmsix + 63u) / 64u) * sizeof(uint64_t));
	t->device_feature_select = 0;
	t->driver_feature_select = 0;
	t->queue_select = 0;
	t->isr = 0;
	vplat_pci_intx_update(t);
}

/* A vector the table has, or NO_VECTOR: devicenormative: MSI-X Vector Configuration: "report
 * mapping failures by returning the NO_VECTOR value when the ... field is read". */
static uint16_t pci_map_vector(const struct vplat_pci *t, uint64_t v)
{
	return v < vplat_pci_nmsix(t) ? (uint16_t)v : VPLAT_VIRTIO_PCI_NO_VECTOR;
}

static void common_write_addr(struct vplat_vq *vq, uint32_t off, unsigned size, uint64_t val)
{
	uint32_t base = off & ~7u;
	uint64_t *field = base == VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC     ? &vq->desc_addr
			  : base == VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER ? &vq->driver_addr
									 : &vq->device_addr;

	if (size == 8)
		*field = val;
	else if (off == base)
		*field = (*field & ~(uint64_t)UINT32_MAX) | (uint32_t)val;
	else
		*field = (*field & UINT32_MAX) | (uint64_t)(uint32_t)val << 32;
}

static void common_write_queue(struct vplat_pci *t, uint32_t off, unsigned size, uint64_t val)
{
	struct vplat_vq *vq = sel_vq(t);

	if (vq == NULL)
		return;
	switch (off) {
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR:
		vq->msix_vector = pci_map_vector(t, val);
		return;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE:
		/* drivernormative: "The driver MUST NOT write a 0 to queue_enable": only 1 acts.
		 * On error the core leaves the queue disabled and queue_enable reads 0. */
		if (val == 1 && !vq->enabled)
			(void)vplat_device_queue_enable(t->dev, vq->index);
		return;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET:
		/* devicenormative: "MUST reset the queue when 1 is written to queue_reset ...
		 * present 0 in both queue_reset and queue_enable when queue reset has
		 * completed" (synchronous: both read 0 when this write returns). */
		if (val == 1 && vplat_device_has_feature(t->dev, VPLAT_VIRTIO_F_RING_RESET))
			vplat_device_queue_reset(t->dev, vq->index);
		return;
	default:
		break;
	}
	/* "The driver MUST configure the other virtqueue fields before enabling the
	 * virtqueue": the layout of an enabled queue must not change under the device. */
	if (vq->enabled)
		return;
	if (off == VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE)
		vq->size = (uint16_t)val; /* validated by the core at enable */
	else if (off >= VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC &&
		 off < VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA)
		common_write_addr(vq, off, size, val);
	/* queue_notify_off, queue_notif_config_data: read-only, ignored */
}

static void common_write(struct vplat_pci *t, uint32_t off, unsigned size, uint64_t val)
{
	struct vplat_device *dev = t->dev;

	switch (off) {
	case VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE_SELECT:
		t->device_feature_select = (uint32_t)val;
		break;
	case VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE_SELECT:
		t->driver_feature_select = (uint32_t)val;
		break;
	case VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE:
		vplat_device_set_driver_features(dev, t->driver_feature_select, (uint32_t)val);
		break;
	case VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR:
		t->config_msix_vector = pci_map_vector(t, val);
		break;
	case VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS:
		if ((uint8_t)val == 0)
			pci_reset(t);
		else
			(void)vplat_device_set_status(dev, (uint8_t)val);
		break;
	case VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT:
		t->queue_select = (uint16_t)val;
		break;
	case VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE:
	case VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES:
	case VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION:
	case VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_INDEX:
	case VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_NUM:
		break; /* read-only (drivernormative: "MUST NOT write to device_feature, ...") */
	default:
		common_write_queue(t, off, size, val);
		break;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* BAR4: common cfg, ISR, device cfg, notifications                                            */
/* ------------------------------------------------------------------------------------------ */

static int virtio_bar_read(struct vplat_pci *t, uint64_t off, unsigned size, uint64_t *val)
{
	if (off < PCI_ISR_OFF) {
		if (off >= VPLAT_VIRTIO_PCI_COMMON_CFG_SIZE)
			return 0; /* padding after the structure */
		if (!common_access_ok((uint32_t)off, size))
			return VPLAT_EINVAL;
		*val = common_read(t, (uint32_t)off, size);
		return 0;
	}
	if (off < PCI_DEVICE_OFF) {
		if (off != PCI_ISR_OFF)
			return 0;
		if (size != 1)
			return VPLAT_EINVAL;
		/* devicenormative: ISR status capability: "MUST reset ISR status to 0 on driver
		 * read"; the read de-asserts INTx. */
		*val = t->isr;
		t->isr = 0;
		vplat_pci_intx_update(t);
		return 0;
	}
	if (off < PCI_NOTIFY_OFF) {
		uint8_t buf[8] = {0};

		if ((off & (size - 1u)) != 0)
			return VPLAT_EINVAL;
		/* Past config_len the core reads 0. */
		vplat_device_config_read(t->dev, (uint32_t)(off - PCI_DEVICE_OFF), buf, size);
		*val = (uint64_t)get_le(buf + 4, size > 4 ? size - 4 : 0) << 32 |
		       get_le(buf, size > 4 ? 4 : size);
		return 0;
	}
	return 0; /* notify area and the rest: write-only / unused, read 0 */
}

static int notify_write(struct vplat_pci *t, uint64_t off, unsigned size, uint64_t val)
{
	uint64_t rel = off - PCI_NOTIFY_OFF;
	struct vplat_device *dev = t->dev;

	if (rel >= t->notify_len)
		return 0; /* past the notify area: unused */
	/* sec: PCI-specific Initialization And Device Operation / Available Buffer
	 * Notifications: a 16-bit write of the queue index (or queue_notif_config_data, the
	 * same value here) or, with VIRTIO_F_NOTIFICATION_DATA, a 32-bit notification value.
	 * The notify address names the queue. */
	if ((rel % PCI_NOTIFY_MULT) != 0 || (size != 2 && size != 4))
		return VPLAT_EINVAL;
	uint16_t index = (uint16_t)(rel / PCI_NOTIFY_MULT);
	uint32_t data = 0;

	if (vplat_device_has_feature(dev, VPLAT_VIRTIO_F_NOTIFICATION_DATA))
		data = (uint32_t)val;
	(void)vplat_device_kick(dev, index, data); /* more work: the redispatch callback */
	return 0;
}

static int virtio_bar_write(struct vplat_pci *t, uint64_t off, unsigned size, uint64_t val)
{
	if (off < PCI_ISR_OFF) {
		if (off >= VPLAT_VIRTIO_PCI_COMMON_CFG_SIZE)
			return 0;
		if (!common_access_ok((uint32_t)off, size))
			return VPLAT_EINVAL;
		common_write(t, (uint32_t)off, size, val);
		return 0;
	}
	if (off < PCI_DEVICE_OFF)
		return (off == PCI_ISR_OFF && size != 1) ? VPLAT_EINVAL : 0; /* ISR is read-only */
	if (off < PCI_NOTIFY_OFF) {
		uint8_t buf[8];

		if ((off & (size - 1u)) != 0)
			return VPLAT_EINVAL;
		put_le(buf, size > 4 ? 4 : size, (uint32_t)val);
		if (size > 4)
			put_le(buf + 4, 4, (uint32_t)(val >> 32));
		vplat_device_config_write(t->dev, (uint32_t)(off - PCI_DEVICE_OFF), buf, size);
		return 0;
	}
	return notify_write(t, off, size, val);
}

/* ------------------------------------------------------------------------------------------ */
/* BAR dispatch                                                                                */
/* ------------------------------------------------------------------------------------------ */

static int bar_check(const struct vplat_pci *t, unsigned bar, uint64_t off, unsigned size)
{
	if (t == NULL || t->dev == NULL || bar > 5 || !valid_size(size))
		return VPLAT_EINVAL;
	uint64_t bsz = t->bar_size[bar];

	if (bsz == 0 || off >= bsz || size > bsz - off)
		return VPLAT_EINVAL;
	return 0;
}

int vplat_pci_bar_read(struct vplat_pci *t, unsigned bar, uint64_t off, unsigned size,
		       uint64_t *val)
{
	int rc;

	if (val == NULL)
		return VPLAT_EINVAL;
	*val = 0;
	rc = bar_check(t, bar, off, size);
	if (rc != 0)
		return rc;
	if (bar == PCI_VIRTIO_BAR)
		rc = virtio_bar_read(t, off, size, val);
	else if (bar == PCI_MSIX_BAR)
		rc = vplat_pci_msix_bar_access(t, off, size, val, 0);
	else
		rc = VPLAT_EINVAL; /* shared memory BAR: the VMM maps the regions itself */
	if (rc != 0)
		*val = 0;
	return rc;
}

int vplat_pci_bar_write(struct vplat_pci *t, unsigned bar, uint64_t off, unsigned size,
			uint64_t val)
{
	int rc = bar_check(t, bar, off, size);

	if (rc != 0)
		return rc;
	if (size < 8)
		val &= (UINT64_C(1) << (8u * size)) - 1u;
	if (bar == PCI_VIRTIO_BAR)
		return virtio_bar_write(t, off, size, val);
	if (bar == PCI_MSIX_BAR)
		return vplat_pci_msix_bar_access(t, off, size, NULL, val);
	return VPLAT_EINVAL;
}

uint64_t vplat_pci_bar_size(const struct vplat_pci *t, unsigned bar)
{
	return (t != NULL && bar <= 5) ? t->bar_size[bar] : 0;
}

uint64_t vplat_pci_bar_addr(const struct vplat_pci *t, unsigned bar)
{
	if (t == NULL || bar > 5 || t->bar_size[bar] == 0)
		return 0;
	/* misra-deviation: 11.8 the view is only read on this path (see docs/misra.md) */
	struct vplat_pci_func f = pci_func((struct vplat_pci *)t);

	return vplat_pci_func_bar_addr(&f, bar);
}

static bool shm_ok(const struct vplat_device *dev)
{
	if (dev->nshm > 0 && dev->shm == NULL)
		return false;
	for (uint8_t i = 0; i < dev->nshm; i++) {
		const struct vplat_shm_region *r = &dev->shm[i];

		/* devicenormative: Shared memory capability: inside the BAR (BAR2 here), and
		 * cap.id unique per device. */
		if (r->bar != PCI_SHM_BAR || r->len == 0 || r->addr > (UINT64_C(1) << 62) ||
		    r->len > (UINT64_C(1) << 62) - r->addr)
			return false;
		for (uint8_t j = 0; j < i; j++) {
			if (dev->shm[j].id == r->id)
				return false;
		}
	}
	return true;
}

static int pci_check(const struct vplat_device *dev, const struct vplat_pci_params *p)
{
	unsigned caps = CAP_VIRTIO_LEN * 2u + CAP_NOTIFY_LEN + CAP_PCICFG_LEN +
			(dev->config_len > 0 ? CAP_VIRTIO_LEN : 0u) + CAP_SHM_LEN * dev->nshm +
			(p->msix != NULL ? CAP_MSIX_LEN : 0u);

	if (dev->ops->device_id == 0 ||
	    VPLAT_VIRTIO_PCI_DEVICE_ID(dev->ops->device_id) > VPLAT_VIRTIO_PCI_DEVICE_ID_LAST)
		return VPLAT_EINVAL;
	if (dev->config_len > PCI_DEVICE_MAX || !shm_ok(dev))
		return VPLAT_EINVAL;
	if (caps > VPLAT_PCI_CFG_SPACE_SIZE - VPLAT_PCI_CFG_HEADER_SIZE)
		return VPLAT_EINVAL;
	if (p->subsys_id != 0 && p->subsys_id < VPLAT_VIRTIO_PCI_MODERN_MIN_SUBSYS_ID)
		return VPLAT_EINVAL;
	if (p->msix != NULL && (p->nmsix == 0 || p->nmsix > PCI_MSIX_MAX ||
				p->msix_pending == NULL || p->msi == NULL))
		return VPLAT_EINVAL;
	return 0;
}

int vplat_pci_init(struct vplat_pci *t, struct vplat_device *dev,
		   const struct vplat_pci_params *p)
{
	if (t == NULL || dev == NULL || dev->ops == NULL || p == NULL || pci_check(dev, p) != 0)
		return VPLAT_EINVAL;
	if (dev->host_features & PCI_UNSUPPORTED_FEATURES) {
		if (vplat_device_set_offer(dev, dev->host_features & ~PCI_UNSUPPORTED_FEATURES) != 0)
			return VPLAT_EINVAL;
	}
	(void)memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->p = *p;
	t->config_msix_vector = VPLAT_VIRTIO_PCI_NO_VECTOR;
	t->notify_base = PCI_NOTIFY_OFF;
	/* devicenormative: Notification capability: cap.length >= queue_notify_off *
	 * notify_off_multiplier + 4 for every queue. */
	t->notify_len = PCI_NOTIFY_MULT * (dev->nvqs > 0 ? dev->nvqs : 1u);
	if (p->msix != NULL) {
		/* [PCI] MSI-X: every vector is masked after reset. */
		for (uint16_t v = 0; v < p->nmsix; v++) {
			(void)memset(&p->msix[v], 0, sizeof(p->msix[v]));
			p->msix[v].vector_ctrl = vplat_cpu_to_le32(VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT);
		}
		(void)memset(p->msix_pending, 0, ((p->nmsix + 63u) / 64u) * sizeof(uint64_t));
	}
	for (uint16_t i = 0; dev->vqs != NULL && i < dev->nvqs; i++)
		dev->vqs[i].msix_vector = VPLAT_VIRTIO_PCI_NO_VECTOR;
	vplat_pci_build_config(t);
	vplat_device_attach(dev, &pci_notify_ops, t);
	return 0;
}
