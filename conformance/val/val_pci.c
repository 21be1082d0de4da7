/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver side of virtio-pci, modern interface (sec: Virtio Transport Options / Virtio Over PCI
 * Bus): find the virtio structures through the vendor capabilities, program unassigned BARs,
 * then access common config, notify, ISR and device config in their BARs. MSI-X stays off.
 */
#include "val_internal.h"
#include "vplat/spec/virtio_pci.h"
#include "vplat/val/val.h"

/* Largest number of capabilities walked: 256 bytes of config space hold at most 48. */
#define PCI_MAX_CAPS 48u
/* The common config fields up to queue_device exist in every modern device. */
#define PCI_COMMON_MIN_LEN 56u

static uint32_t cfg_rd(struct vplat_val_dev *d, uint32_t off, unsigned size)
{
	return (uint32_t)val_rd(d, VPLAT_VAL_SPACE_PCI_CFG, off, size);
}

static void cfg_wr(struct vplat_val_dev *d, uint32_t off, unsigned size, uint32_t v)
{
	val_wr(d, VPLAT_VAL_SPACE_PCI_CFG, off, size, v);
}

static uint32_t cc_rd(struct vplat_val_dev *d, uint32_t off, unsigned size)
{
	return (uint32_t)val_rd(d, VPLAT_VAL_SPACE_BAR(d->common.bar),
				(uint64_t)d->common.offset + off, size);
}

static void cc_wr(struct vplat_val_dev *d, uint32_t off, unsigned size, uint32_t v)
{
	val_wr(d, VPLAT_VAL_SPACE_BAR(d->common.bar), (uint64_t)d->common.offset + off, size, v);
}

static void cc_wr64(struct vplat_val_dev *d, uint32_t off, uint64_t v)
{
	cc_wr(d, off, 4, (uint32_t)v); /* low half first */
	cc_wr(d, off + 4, 4, (uint32_t)(v >> 32));
}

static struct vplat_val_pci_region *region_of(struct vplat_val_dev *d, uint8_t type)
{
	switch (type) {
	case VPLAT_VIRTIO_PCI_CAP_COMMON_CFG:
		return &d->common;
	case VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG:
		return &d->notify;
	case VPLAT_VIRTIO_PCI_CAP_ISR_CFG:
		return &d->isr;
	case VPLAT_VIRTIO_PCI_CAP_DEVICE_CFG:
		return &d->device;
	default:
		return NULL;
	}
}

/* One vendor capability at @pos: keep the first usable one of each type. */
static void take_cap(struct vplat_val_dev *d, uint32_t pos)
{
	uint8_t len = (uint8_t)cfg_rd(d, pos + 2, 1);
	uint8_t type = (uint8_t)cfg_rd(d, pos + 3, 1);
	uint8_t bar = (uint8_t)cfg_rd(d, pos + 4, 1);
	struct vplat_val_pci_region *r = region_of(d, type);
	/* The driver must ignore capabilities naming a reserved BAR value. */
	if (!r || r->present || bar > 5 || len < sizeof(struct vplat_virtio_pci_cap))
		return;
	if (type == VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG) {
		if (len < sizeof(struct vplat_virtio_pci_notify_cap))
			return;
		d->notify_off_multiplier = cfg_rd(d, pos + 16, 4);
	}
	r->bar = bar;
	r->offset = cfg_rd(d, pos + 8, 4);
	r->length = cfg_rd(d, pos + 12, 4);
	r->present = true;
}

static int walk_caps(struct vplat_val_dev *d)
{
	if (!(cfg_rd(d, VPLAT_PCI_CFG_STATUS, 2) & VPLAT_PCI_STATUS_CAP_LIST))
		return VPLAT_ENOTSUP;
	uint32_t pos = cfg_rd(d, VPLAT_PCI_CFG_CAPABILITY_LIST, 1) & 0xfcu;
	for (unsigned n = 0; pos != 0; n++) {
		if (n >= PCI_MAX_CAPS || pos < VPLAT_PCI_CFG_HEADER_SIZE)
			return VPLAT_EPROTO; /* loop, or a pointer into the header */
		if (cfg_rd(d, pos, 1) == VPLAT_PCI_CAP_ID_VNDR)
			take_cap(d, pos);
		pos = cfg_rd(d, pos + 1, 1) & 0xfcu;
	}
	if (!d->common.present)
		return VPLAT_ENOTSUP; /* legacy-only device */
	if (d->common.length < PCI_COMMON_MIN_LEN || !d->notify.present || !d->isr.present)
		return VPLAT_EPROTO;
	return 0;
}

/* Give BAR @bar an address if it has none (firmware normally does this). */
static int bar_setup(struct vplat_val_dev *d, unsigned bar)
{
	uint32_t reg = VPLAT_PCI_CFG_BAR(bar);
	uint32_t lo = cfg_rd(d, reg, 4);
	if (lo & VPLAT_PCI_BAR_SPACE_IO)
		return VPLAT_ENOTSUP;
	bool is64 = (lo & VPLAT_PCI_BAR_MEM_TYPE_MASK) == VPLAT_PCI_BAR_MEM_TYPE_64;
	if (is64 && bar == 5)
		return VPLAT_EPROTO;
	uint64_t addr = lo & ~UINT64_C(0xf);
	if (is64)
		addr |= (uint64_t)cfg_rd(d, reg + 4, 4) << 32;
	if (addr != 0)
		return 0;
	/* Size it: write all ones, read back the writable address bits. */
	cfg_wr(d, reg, 4, 0xffffffffu);
	uint64_t mask = cfg_rd(d, reg, 4) & ~UINT64_C(0xf);
	if (is64) {
		cfg_wr(d, reg + 4, 4, 0xffffffffu);
		mask |= (uint64_t)cfg_rd(d, reg + 4, 4) << 32;
	} else {
		mask |= UINT64_C(0xffffffff00000000);
	}
	uint64_t size = ~mask + 1;
	if ((uint32_t)mask == 0 || (size & (size - 1)))
		return VPLAT_EPROTO;
	addr = (d->pci_mmio_next + size - 1) & ~(size - 1);
	d->pci_mmio_next = addr + size;
	cfg_wr(d, reg, 4, (uint32_t)addr);
	if (is64)
		cfg_wr(d, reg + 4, 4, (uint32_t)(addr >> 32));
	return 0;
}

static int pci_probe(struct vplat_val_dev *d)
{
	if (cfg_rd(d, VPLAT_PCI_CFG_VENDOR_ID, 2) != VPLAT_VIRTIO_PCI_VENDOR_ID)
		return VPLAT_ENODEV;
	uint32_t did = cfg_rd(d, VPLAT_PCI_CFG_DEVICE_ID, 2);
	if (did < VPLAT_VIRTIO_PCI_DEVICE_ID_FIRST || did > VPLAT_VIRTIO_PCI_DEVICE_ID_LAST)
		return VPLAT_ENODEV;
	/* Transitional IDs name the type through the subsystem device ID. */
	d->device_id = did >= VPLAT_VIRTIO_PCI_DEVICE_ID_BASE
			   ? did - VPLAT_VIRTIO_PCI_DEVICE_ID_BASE
			   : cfg_rd(d, VPLAT_PCI_CFG_SUBSYSTEM_ID, 2);
	if (d->device_id == 0)
		return VPLAT_ENODEV;
	d->vendor_id = cfg_rd(d, VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID, 2);
	int r = walk_caps(d);
	if (r)
		return r;
	const struct vplat_val_pci_region *regs[] = {&d->common, &d->notify, &d->isr, &d->device};
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (regs[i]->present && (r = bar_setup(d, regs[i]->bar)) != 0)
			return r;
	}
	uint32_t cmd = cfg_rd(d, VPLAT_PCI_CFG_COMMAND, 2);
	cfg_wr(d, VPLAT_PCI_CFG_COMMAND, 2,
	       cmd | VPLAT_PCI_COMMAND_MEMORY | VPLAT_PCI_COMMAND_MASTER);
	d->num_queues = (uint16_t)cc_rd(d, VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES, 2);
	return 0;
}

static uint8_t pci_get_status(struct vplat_val_dev *d)
{
	return (uint8_t)cc_rd(d, VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1);
}

static void pci_set_status(struct vplat_val_dev *d, uint8_t status)
{
	cc_wr(d, VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1, status);
}

static uint32_t pci_get_features(struct vplat_val_dev *d, uint32_t sel)
{
	cc_wr(d, VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE_SELECT, 4, sel);
	return cc_rd(d, VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE, 4);
}

static void pci_set_features(struct vplat_val_dev *d, uint32_t sel, uint32_t val)
{
	cc_wr(d, VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE_SELECT, 4, sel);
	cc_wr(d, VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE, 4, val);
}

static uint32_t pci_generation(struct vplat_val_dev *d)
{
	return cc_rd(d, VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION, 1);
}

static uint32_t pci_cfg_read(struct vplat_val_dev *d, uint32_t off, unsigned size)
{
	if (!d->device.present)
		return 0;
	return (uint32_t)val_rd(d, VPLAT_VAL_SPACE_BAR(d->device.bar),
				(uint64_t)d->device.offset + off, size);
}

static void pci_cfg_write(struct vplat_val_dev *d, uint32_t off, unsigned size, uint32_t val)
{
	if (d->device.present)
		val_wr(d, VPLAT_VAL_SPACE_BAR(d->device.bar), (uint64_t)d->device.offset + off,
		       size, val);
}

static void select_queue(struct vplat_val_dev *d, uint16_t q)
{
	cc_wr(d, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, q);
}

/* The 16-bit per-queue common config field at @off of queue @q. */
static uint16_t queue_rd(struct vplat_val_dev *d, uint16_t q, uint32_t off)
{
	select_queue(d, q);
	return (uint16_t)cc_rd(d, off, 2);
}

static void queue_wr(struct vplat_val_dev *d, uint16_t q, uint32_t off, uint16_t v)
{
	select_queue(d, q);
	cc_wr(d, off, 2, v);
}

static uint16_t pci_queue_max(struct vplat_val_dev *d, uint16_t q)
{
	return queue_rd(d, q, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE);
}

static void pci_queue_program(struct vplat_val_dev *d, uint16_t q, uint16_t size, uint64_t desc,
			      uint64_t driver, uint64_t device)
{
	queue_wr(d, q, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE, size);
	cc_wr64(d, VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC, desc);
	cc_wr64(d, VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER, driver);
	cc_wr64(d, VPLAT_VIRTIO_PCI_COMMON_QUEUE_DEVICE, device);
}

static void pci_queue_enable(struct vplat_val_dev *d, uint16_t q)
{
	queue_wr(d, q, VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE, 1);
}

static uint16_t pci_queue_ready(struct vplat_val_dev *d, uint16_t q)
{
	return queue_rd(d, q, VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE);
}

static void pci_queue_reset_write(struct vplat_val_dev *d, uint16_t q)
{
	queue_wr(d, q, VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET, 1);
}

static uint16_t pci_queue_reset_read(struct vplat_val_dev *d, uint16_t q)
{
	return queue_rd(d, q, VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET);
}

static void pci_notify_target(struct vplat_val_dev *d, uint16_t q, uint64_t *off, uint32_t *value)
{
	uint32_t noff = queue_rd(d, q, VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIFY_OFF);
	*off = VPLAT_VIRTIO_PCI_NOTIFY_OFFSET(d->notify.offset, noff, d->notify_off_multiplier);
	*value = q;
	if (d->features & VPLAT_BIT(VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA))
		*value = cc_rd(d, VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA, 2);
}

static void pci_notify(struct vplat_val_dev *d, uint64_t off, uint32_t value)
{
	/* 32-bit with NOTIFICATION_DATA, else a 16-bit write (sec: Available Buffer Notifications).
	 */
	unsigned width = (d->features & VPLAT_BIT(VPLAT_VIRTIO_F_NOTIFICATION_DATA)) ? 4 : 2;
	val_wr(d, VPLAT_VAL_SPACE_BAR(d->notify.bar), off, width,
	       width == 2 ? (value & 0xffffu) : value);
}

static uint32_t pci_isr(struct vplat_val_dev *d)
{
	return (uint32_t)val_rd(d, VPLAT_VAL_SPACE_BAR(d->isr.bar), d->isr.offset, 1);
}

const struct vplat_val_transport_ops vplat_val_pci_transport = {
    .probe = pci_probe,
    .get_status = pci_get_status,
    .set_status = pci_set_status,
    .get_features = pci_get_features,
    .set_features = pci_set_features,
    .generation = pci_generation,
    .cfg_read = pci_cfg_read,
    .cfg_write = pci_cfg_write,
    .queue_max = pci_queue_max,
    .queue_program = pci_queue_program,
    .queue_enable = pci_queue_enable,
    .queue_ready = pci_queue_ready,
    .queue_reset_write = pci_queue_reset_write,
    .queue_reset_read = pci_queue_reset_read,
    .notify_target = pci_notify_target,
    .notify = pci_notify,
    .isr = pci_isr,
    .irq_count = vplat_val_io_irq_count,
    .wait = vplat_val_io_wait,
};
