/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the virtio-pci function model driven by a hostile driver
 * (sec: Virtio Transport Options / Virtio Over PCI Bus).
 *
 * The input is a sequence of 7-byte records { op, off_lo, off_hi, val[4] }:
 *   op bit 0     0 = read, 1 = write
 *   op bits 1-2  width index: 1, 2, 4, 8 bytes
 *   op bit 3     misalign the offset by one byte
 *   op bits 4-6  0-1: config space (off & 0xff), 2-3: BAR4 (off & 0x3fff: common cfg, ISR,
 *                device cfg, notify), 4: BAR1 (MSI-X, off & 0xfff), 5: write val to guest
 *                memory at (off % 64 KiB), 6: device event (config change, used notification,
 *                needs reset, run the queues; with off bit 15 a full driver bring-up through
 *                the BARs, MSI-X included when val bit 31 is set), 7: any BAR index
 *                (off & 7) at a far offset (off << 12)
 * The function has 12 bytes of device config, 2 queues over 64 KiB of guest memory, 3 MSI-X
 * vectors and one shared memory region.
 *
 * Checked: no crash, no access outside guest memory (ASan), and the model's invariants: the
 * INTx line follows ISR while MSI-X is off and INTx is not disabled; MSI-X messages only while
 * MSI-X is enabled and the function is not masked; refused accesses read 0; vectors read back
 * as a table entry or NO_VECTOR.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/pci.h"
#include "vplat/vq.h"
#include "vplat/spec/virtio_pci.h"
#include "fuzz_dev.h"

#define GPA_BASE 0x10000u
#define MEM_SIZE 0x10000u
#define NQUEUES  2
#define NMSIX    3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t guest[MEM_SIZE] __attribute__((aligned(4096)));
static struct vplat_mem_region regions[1];
static struct vplat_mem mem;
static struct vplat_vq vqs[NQUEUES];
static uint8_t config[12];
static struct vplat_device dev;
static struct vplat_pci t;
static struct vplat_pci_msix_entry msix[NMSIX];
static uint64_t pending[1];
static bool line;
static struct vplat_shm_region shm[1] = {{.id = 1, .addr = 0x1000, .len = 0x3000, .bar = 2}};

static void f_queue_notify(struct vplat_device *d, struct vplat_vq *vq)
{
	static const uint8_t fill[16] = "vplat-fuzz-pci.";

	(void)d;
	fz_serve(vq, fill, 4 * NQUEUES);
}

static void f_config_write(struct vplat_device *d, uint32_t off, const void *src, uint32_t len)
{
	(void)d;
	fz_config_store(config, sizeof(config), off, src, len);
}

static const struct vplat_device_ops fuzz_ops = {
	.name = "fuzz",
	.device_id = VPLAT_VIRTIO_ID_NET,
	.features = VPLAT_BIT(0) | VPLAT_BIT(5),
	.queue_notify = f_queue_notify,
	.config_write = f_config_write,
};

static uint16_t msix_ctrl(void)
{
	return (uint16_t)(t.cfg[t.msix_cap + 2] | t.cfg[t.msix_cap + 3] << 8);
}

static uint16_t command(void)
{
	return (uint16_t)(t.cfg[VPLAT_PCI_CFG_COMMAND] | t.cfg[VPLAT_PCI_CFG_COMMAND + 1] << 8);
}

static void f_intx(void *opaque, bool level)
{
	CHECK(opaque == &t);
	CHECK(level != line);
	line = level;
}

static void f_msi(void *opaque, uint64_t addr, uint32_t data)
{
	uint16_t ctrl = msix_ctrl();
	bool found = false;

	CHECK(opaque == &t);
	CHECK((ctrl & VPLAT_PCI_MSIX_CTRL_ENABLE) && !(ctrl & VPLAT_PCI_MSIX_CTRL_MASKALL));
	/* some unmasked vector carries this message */
	for (unsigned v = 0; v < NMSIX; v++) {
		const struct vplat_pci_msix_entry *e = &msix[v];
		uint64_t a = (uint64_t)vplat_le32_to_cpu(e->addr_hi) << 32 |
			     vplat_le32_to_cpu(e->addr_lo);
		if (!(vplat_le32_to_cpu(e->vector_ctrl) & VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT) &&
		    vplat_le32_to_cpu(e->data) == data && a == addr)
			found = true;
	}
	CHECK(found);
}

static void check_state(void)
{
	bool msix_on = msix_ctrl() & VPLAT_PCI_MSIX_CTRL_ENABLE;
	bool want = !msix_on && t.isr != 0 && !(command() & VPLAT_PCI_COMMAND_INTX_DISABLE);

	CHECK(line == want);
	CHECK(t.isr <= 3u);
	CHECK(t.config_msix_vector < NMSIX || t.config_msix_vector == VPLAT_VIRTIO_PCI_NO_VECTOR);
	for (unsigned q = 0; q < NQUEUES; q++)
		CHECK(vqs[q].msix_vector < NMSIX ||
		      vqs[q].msix_vector == VPLAT_VIRTIO_PCI_NO_VECTOR);
}

static void bar_access(unsigned bar, uint64_t off, unsigned width, bool write, uint64_t val)
{
	uint64_t got = 0xa5a5a5a5a5a5a5a5u;
	int rc;

	if (write) {
		rc = vplat_pci_bar_write(&t, bar, off, width, val);
		CHECK(rc == 0 || rc == VPLAT_EINVAL);
		return;
	}
	rc = vplat_pci_bar_read(&t, bar, off, width, &got);
	CHECK(rc == 0 || rc == VPLAT_EINVAL);
	if (rc != 0)
		CHECK(got == 0);
	else if (width < 8)
		CHECK(got < (UINT64_C(1) << (8u * width)));
}

static void cfg_access(uint32_t off, unsigned width, bool write, uint32_t val)
{
	uint32_t got = 0xa5a5a5a5u;
	int rc;

	if (write) {
		rc = vplat_pci_cfg_write(&t, off, width, val);
		CHECK(rc == 0 || rc == VPLAT_EINVAL);
		/* identity stays put */
		CHECK(t.cfg[0] == 0xf4 && t.cfg[1] == 0x1a);
		return;
	}
	rc = vplat_pci_cfg_read(&t, off, width, &got);
	CHECK(rc == 0 || rc == VPLAT_EINVAL);
	if (rc != 0)
		CHECK(got == 0);
}

/* Ring areas of queue q (any layout fits: split or packed, up to 16 entries). */
#define RING_DESC(q)   (GPA_BASE + 0x2000u * (q))
#define RING_DRIVER(q) (GPA_BASE + 0x2000u * (q) + 0x800u)
#define RING_DEVICE(q) (GPA_BASE + 0x2000u * (q) + 0x1000u)

static void cwr(uint32_t off, unsigned size, uint64_t v)
{
	CHECK(vplat_pci_bar_write(&t, 4, off, size, v) == 0);
}

/*
 * A well-behaved driver's bring-up, so the fuzzer starts from live queues: @p sel picks
 * transport features like fuzz_mmio.c does; bit 31 also turns MSI-X on with vector 0 for
 * config changes and vectors 1, 2 for the queues.
 */
static void bring_up(uint32_t sel, uint16_t qsize)
{
	uint64_t want = ((uint64_t)(sel & 0x7fff0000u) | ((uint64_t)(sel & 0xffffu) << 32)) |
			VPLAT_BIT(0) | VPLAT_BIT(5) | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	uint64_t f = dev.host_features & want;
	bool use_msix = sel & 0x80000000u;
	uint8_t s = VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER;

	CHECK(vplat_pci_cfg_write(&t, VPLAT_PCI_CFG_COMMAND, 2,
				  VPLAT_PCI_COMMAND_MEMORY | VPLAT_PCI_COMMAND_MASTER) == 0);
	if (use_msix) {
		for (uint16_t v = 0; v < NMSIX; v++) {
			CHECK(vplat_pci_bar_write(&t, 1, v * 16u, 8, 0xfee00000u + v * 0x10u) == 0);
			CHECK(vplat_pci_bar_write(&t, 1, v * 16u + 8, 4, 0x40 + v) == 0);
			CHECK(vplat_pci_bar_write(&t, 1, v * 16u + 12, 4, 0) == 0);
		}
		CHECK(vplat_pci_cfg_write(&t, t.msix_cap + 2u, 2, VPLAT_PCI_MSIX_CTRL_ENABLE) == 0);
	}
	cwr(VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1, 0);
	cwr(VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	cwr(VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1, s);
	for (uint32_t w = 0; w < 2; w++) {
		cwr(VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE_SELECT, 4, w);
		cwr(VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE, 4, (uint32_t)(f >> (32u * w)));
	}
	s |= VPLAT_VIRTIO_STATUS_FEATURES_OK;
	cwr(VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1, s);
	if (use_msix)
		cwr(VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR, 2, 0);
	for (uint16_t q = 0; q < NQUEUES; q++) {
		cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 2, q);
		cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE, 2, qsize);
		cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC, 8, RING_DESC(q));
		cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER, 4, RING_DRIVER(q));
		cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER + 4, 4, 0);
		cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DEVICE, 8, RING_DEVICE(q));
		if (use_msix)
			cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR, 2, 1u + q);
		cwr(VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE, 2, 1);
	}
	cwr(VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 1, s | VPLAT_VIRTIO_STATUS_DRIVER_OK);
}

static void device_event(uint16_t which, uint32_t v32)
{
	if (which & 0x8000u) {
		bring_up(v32, (uint16_t)(1u << (which & 3u) * 2u));
		return;
	}
	switch (which % 4u) {
	case 0:
		vplat_device_config_changed(&dev);
		break;
	case 1:
		dev.interrupt->used(&dev, &vqs[(which >> 2) % NQUEUES]);
		break;
	case 2:
		vplat_device_needs_reset(&dev, VPLAT_EPROTO);
		break;
	default:
		for (uint16_t q = 0; q < NQUEUES; q++)
			f_queue_notify(&dev, &vqs[q]);
		break;
	}
}

static void setup(void)
{
	struct vplat_pci_params p = {
		.msix = msix,
		.nmsix = NMSIX,
		.msix_pending = pending,
		.intx = f_intx,
		.msi = f_msi,
		.opaque = &t,
	};

	memset(guest, 0, sizeof(guest));
	memset(config, 0x5a, sizeof(config));
	line = false;
	if (vplat_mem_init(&mem, regions, 1) != 0 ||
	    vplat_mem_add(&mem, GPA_BASE, MEM_SIZE, guest) != 0 ||
	    vplat_device_init(&dev, &fuzz_ops, NULL, &mem, vqs, NQUEUES, 16, config,
			      sizeof(config)) != 0)
		__builtin_trap();
	dev.shm = shm;
	dev.nshm = 1;
	if (vplat_pci_init(&t, &dev, &p) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = {1, 2, 4, 8};

	setup();
	for (size_t i = 0; i + 7 <= size; i += 7) {
		const uint8_t *r = data + i;
		uint8_t op = r[0];
		uint16_t off = (uint16_t)(r[1] | r[2] << 8);
		uint32_t v32 = (uint32_t)r[3] | (uint32_t)r[4] << 8 | (uint32_t)r[5] << 16 |
			       (uint32_t)r[6] << 24;
		unsigned width = widths[(op >> 1) & 3u];
		bool write = op & 1u;
		uint64_t val = width == 8 ? ((uint64_t)v32 << 32 | v32) : v32;
		unsigned mis = (op & 8u) ? 1u : 0u;

		switch ((op >> 4) & 7u) {
		case 0:
		case 1:
			cfg_access((off & 0xffu) + mis, width, write, v32);
			break;
		case 2:
		case 3:
			bar_access(4, (uint64_t)(off & 0x3fffu) + mis, width, write, val);
			break;
		case 4:
			bar_access(1, (uint64_t)(off & 0xfffu) + mis, width, write, val);
			break;
		case 5: {
			uint32_t g = off % (MEM_SIZE - 3u);
			memcpy(&guest[g], &v32, 4);
			break;
		}
		case 6:
			device_event(off, v32);
			break;
		default:
			bar_access(off & 7u, (uint64_t)off << 12 | mis, width, write, val);
			break;
		}
		check_state();
	}
	return 0;
}
