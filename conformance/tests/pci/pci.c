/* SPDX-License-Identifier: BSD-3-Clause */
/* virtio-pci modern requirements (spec/03-transports.md 3.2). */
#include "../common/common.h"
#include "vplat/spec/virtio_pci.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

static void cfg_wr(struct vplat_test_ctx *t, uint64_t off, unsigned size, uint64_t v)
{
	t->d->io.ops->write(t->d->io.ctx, VPLAT_VAL_SPACE_PCI_CFG, off, size, v);
}

/* Size of memory BAR @p bar (64-bit BARs read together), by the usual all-ones probe. */
static uint64_t bar_size(struct vplat_test_ctx *t, unsigned bar)
{
	uint64_t off = VPLAT_PCI_CFG_BAR(bar);
	uint32_t orig = (uint32_t)cfg_rd(t, off, 4);
	if (orig & 1)
		return 0; /* I/O BAR */
	bool is64 = ((orig >> 1) & 3) == 2;
	uint32_t orig_hi = is64 ? (uint32_t)cfg_rd(t, off + 4, 4) : 0;
	cfg_wr(t, off, 4, 0xffffffffu);
	uint64_t mask = cfg_rd(t, off, 4) & ~UINT64_C(0xf);
	if (is64) {
		cfg_wr(t, off + 4, 4, 0xffffffffu);
		mask |= cfg_rd(t, off + 4, 4) << 32;
		cfg_wr(t, off + 4, 4, orig_hi);
	} else {
		mask |= UINT64_C(0xffffffff00000000);
	}
	cfg_wr(t, off, 4, orig);
	return mask ? (~mask + 1) : 0;
}

static enum vplat_result ids(struct vplat_test_ctx *t)
{
	VPLAT_T_CHECK_EQ(t, 1, cfg_rd(t, VPLAT_PCI_CFG_VENDOR_ID, 2), 0x1af4, "Vendor ID 0x1AF4");
	VPLAT_T_CHECK_EQ(t, 2, cfg_rd(t, VPLAT_PCI_CFG_DEVICE_ID, 2), 0x1040 + t->dev->device_id,
			 "Device ID 0x1040 + device type");
	return VPLAT_PASS;
}
VPLAT_TEST(pci_ids, "VPLAT-PCI-001", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Discovery", 0, VPLAT_TF_PCI, "Vendor ID 0x1AF4, Device ID 0x1040 + type", ids);

static enum vplat_result nontransitional_ids(struct vplat_test_ctx *t)
{
	uint64_t did = cfg_rd(t, VPLAT_PCI_CFG_DEVICE_ID, 2);
	if (did >= 0x1000 && did < 0x1040)
		return vplat_t_skip(t, "transitional device (Device ID 0x%llx): VPLAT-PCI-002 is about "
				    "non-transitional devices (pci_ids checks the ID)",
				    (unsigned long long)did);
	uint64_t rev = cfg_rd(t, VPLAT_PCI_CFG_REVISION_ID, 1);
	uint64_t sub = cfg_rd(t, VPLAT_PCI_CFG_SUBSYSTEM_ID, 2);
	VPLAT_T_CHECK_MSG(t, 1, rev >= 1, "Revision ID >= 1", "Revision ID %llu",
			  (unsigned long long)rev);
	VPLAT_T_CHECK_MSG(t, 2, sub >= 0x40, "Subsystem Device ID >= 0x40",
			  "Subsystem Device ID 0x%llx", (unsigned long long)sub);
	return VPLAT_PASS;
}
VPLAT_TEST(pci_nontransitional_ids, "VPLAT-PCI-002", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Discovery", 0, VPLAT_TF_PCI, "Revision ID >= 1 and Subsystem Device ID >= 0x40", nontransitional_ids);

static enum vplat_result caps(struct vplat_test_ctx *t)
{
	const struct vplat_val_pci_region *r[4] = {&t->d->common, &t->d->notify, &t->d->isr,
						   &t->d->device};
	static const char *const what[4] = {"common", "notify", "ISR", "device"};
	for (int i = 0; i < 4; i++) {
		if (i == 3 && !r[i]->present)
			continue; /* device config is optional for devices without one */
		VPLAT_T_CHECK_MSG(t, 1 + i, r[i]->present, "capability present",
				  "no %s configuration capability", what[i]);
		uint64_t size = bar_size(t, r[i]->bar);
		VPLAT_T_CHECK_MSG(t, 5 + i, size && (uint64_t)r[i]->offset + r[i]->length <= size,
				  "structure inside its BAR", "%s: BAR%u size 0x%llx, offset 0x%x len 0x%x",
				  what[i], r[i]->bar, (unsigned long long)size, r[i]->offset, r[i]->length);
	}
	VPLAT_T_CHECK_MSG(t, 9, t->d->common.length >= 56, "common configuration at least 56 bytes",
			  "length %u", t->d->common.length);
	return VPLAT_PASS;
}
VPLAT_TEST(pci_capabilities, "VPLAT-PCI-003", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / Virtio Structure PCI Capabilities", 0, VPLAT_TF_PCI, "common, notify and ISR (and device) capabilities present, each inside its BAR", caps);

static enum vplat_result notify_cap(struct vplat_test_ctx *t)
{
	uint32_t mult = t->d->notify_off_multiplier;
	VPLAT_T_CHECK_MSG(t, 1, (mult & 1) == 0, "notify_off_multiplier even or 0", "multiplier %u",
			  mult);
	uint16_t nq = (uint16_t)common_rd(t, VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES, 2);
	for (uint16_t q = 0; q < nq; q++) {
		common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, q);
		uint64_t off = common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIFY_OFF, 2) * mult;
		VPLAT_T_CHECK_MSG(t, 2, off + 2 <= t->d->notify.length,
				  "every queue's notify address inside the capability",
				  "queue %u at +0x%llx, capability 0x%x bytes", q,
				  (unsigned long long)off, t->d->notify.length);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(pci_notify_capability, "VPLAT-PCI-004", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Layout / Notification capability", 0, VPLAT_TF_PCI, "notify_off_multiplier even; each queue's notify address inside the capability", notify_cap);

static enum vplat_result queues(struct vplat_test_ctx *t)
{
	uint16_t nq = (uint16_t)common_rd(t, VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES, 2);
	VPLAT_T_CHECK_MSG(t, 1, nq >= 1, "num_queues >= 1", "num_queues %u", nq);
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, 0);
	uint64_t qs = common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE, 2);
	VPLAT_T_CHECK_MSG(t, 2, qs >= 1 && qs <= 32768, "queue 0 has a size", "queue_size %llu",
			  (unsigned long long)qs);
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, nq);
	VPLAT_T_CHECK_EQ(t, 3, common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE, 2), 0,
			 "queue_size 0 for queue num_queues (unavailable)");
	return VPLAT_PASS;
}
VPLAT_TEST(pci_queue_discovery, "VPLAT-PCI-006", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Layout / Common configuration structure layout", 0, VPLAT_TF_PCI, "num_queues and queue_size describe the queues; a queue past the end reads size 0", queues);

static enum vplat_result reset(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1, 0);
	uint64_t st = 1;
	while ((st = common_rd(t, VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1)) != 0 && !vplat_t_expired(t))
		vplat_t_poll(t);
	VPLAT_T_CHECK_EQ(t, 1, st, 0, "device_status reads 0 after reset");
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, 0);
	VPLAT_T_CHECK_EQ(t, 2, common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE, 2), 0,
			 "queue_enable 0 after reset");
	return VPLAT_PASS;
}
VPLAT_TEST(pci_reset, "VPLAT-PCI-005 VPLAT-CORE-021", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Layout / Common configuration structure layout", 0, VPLAT_TF_PCI, "device_status 0 after reset; queue_enable then reads 0", reset);

static enum vplat_result isr_clears(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	struct creq req;
	int q = creq_queue(t->dev->device_id);
	if (q < 0)
		return vplat_t_skip(t, "no request model for device type %u", t->dev->device_id);
	enum vplat_result r = bringup(t, 0, &vq, q, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, post(t, vq, &req, &req) == 0);
	uint32_t id, len;
	raw_wait(t, vq, 1, &id, &len);
	uint64_t isr_addr = t->d->isr.offset;
	unsigned sp = VPLAT_VAL_SPACE_BAR(t->d->isr.bar);
	uint64_t v = t->d->io.ops->read(t->d->io.ctx, sp, isr_addr, 1);
	/* With MSI-X enabled the ISR queue bit is optional; without, it is how INTx is shared. */
	if (!(v & 1))
		return vplat_t_skip(t, "ISR queue bit not used (MSI-X delivery)");
	/* A hypervisor's device may raise a new notification between two reads (QEMU's
	 * virtio-serial does now and then): a read-to-clear ISR reads 0 within a few reads, one
	 * that does not clear never does. */
	uint64_t v2 = t->d->io.ops->read(t->d->io.ctx, sp, isr_addr, 1);
	for (int i = 0; i < 3 && v2 != 0; i++)
		v2 = t->d->io.ops->read(t->d->io.ctx, sp, isr_addr, 1);
	VPLAT_T_CHECK_EQ(t, 2, v2, 0, "ISR reads 0 after being read");
	return VPLAT_PASS;
}
VPLAT_TEST(pci_isr_read_clears, "VPLAT-PCI-007", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Layout / ISR status capability", 0, VPLAT_TF_PCI, "reading the ISR status clears it", isr_clears);

static enum vplat_result msix_no_vector(struct vplat_test_ctx *t)
{
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR, 2, 0x7fff);
	uint64_t v = common_rd(t, VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR, 2);
	VPLAT_T_CHECK_EQ(t, 1, v, 0xffff, "config_msix_vector reads NO_VECTOR for an unmappable vector");
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, 0);
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR, 2, 0x7fff);
	VPLAT_T_CHECK_EQ(t, 2, common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR, 2), 0xffff,
			 "queue_msix_vector reads NO_VECTOR for an unmappable vector");
	return VPLAT_PASS;
}
VPLAT_TEST(pci_msix_no_vector, "VPLAT-PCI-008", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI-specific Initialization And Device Operation / Device Initialization / MSI-X Vector Configuration", 0, VPLAT_TF_PCI, "writing vector 0x7fff makes config and queue vectors read NO_VECTOR", msix_no_vector);

static enum vplat_result queue_reset(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	if (!(vplat_val_get_device_features(t->d) & F(RING_RESET)))
		return vplat_t_skip(t, "VIRTIO_F_RING_RESET not offered");
	enum vplat_result r = bringup(t, F(RING_RESET), &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, 0);
	VPLAT_T_CHECK_EQ(t, 1, common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET, 2), 0,
			 "queue_reset 0 on an enabled queue");
	common_wr(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET, 2, 1);
	uint64_t v;
	while ((v = common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET, 2)) == 1 && !vplat_t_expired(t))
		vplat_t_poll(t);
	VPLAT_T_CHECK_EQ(t, 2, v, 0, "queue_reset reads 0 when done");
	VPLAT_T_CHECK_EQ(t, 3, common_rd(t, VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE, 2), 0,
			 "queue_enable 0 after the queue reset");
	return VPLAT_PASS;
}
VPLAT_TEST(pci_queue_reset, "VPLAT-PCI-009 VPLAT-CORE-040", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Layout / Common configuration structure layout", 0, VPLAT_TF_PCI, "queue_reset: reset on 1, then queue_reset and queue_enable read 0", queue_reset);

static enum vplat_result generation(struct vplat_test_ctx *t)
{
	uint64_t g1 = common_rd(t, VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION, 1);
	uint64_t g2 = common_rd(t, VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION, 1);
	VPLAT_T_CHECK_EQ(t, 1, g2, g1, "config_generation stable without config changes");
	return VPLAT_PASS;
}
VPLAT_TEST(pci_config_generation_stable, "VPLAT-PCI-010 VPLAT-CORE-031", "devicenormative:Virtio Transport Options / Virtio Over PCI Bus / PCI Device Layout / Common configuration structure layout", 0, VPLAT_TF_PCI, "config_generation does not change between two reads", generation);
