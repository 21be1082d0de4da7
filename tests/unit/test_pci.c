/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci modern function model (lib/transport/pci.c).
 *
 * Each test names the clause it checks. "PCI" below abbreviates
 * "Virtio Transport Options / Virtio Over PCI Bus".
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/pci.h"
#include "vplat/spec/virtio_pci.h"

#define GPA_BASE  0x100000u
#define MEM_SIZE  0x10000u
#define NQUEUES   2
#define QSIZE_MAX 64
#define NMSIX     3

#define RING_DESC(q)   (GPA_BASE + 0x4000u * (q))
#define RING_DRIVER(q) (GPA_BASE + 0x4000u * (q) + 0x1000u)
#define RING_DEVICE(q) (GPA_BASE + 0x4000u * (q) + 0x2000u)

/* BAR4 layout (vplat/pci.h). */
#define COMMON 0x0000u
#define ISR    0x1000u
#define DEVCFG 0x2000u
#define NOTIFY 0x3000u

static struct vplat_mem_region regions[2];
static struct vplat_mem mem;
static void *guest;
static struct vplat_vq vqs[NQUEUES];
static uint8_t config[12];
static struct vplat_device dev;
static struct vplat_pci t;
static struct vplat_pci_msix_entry msix[NMSIX];
static uint64_t pending[1];

static int kicks, kick_index, queue_resets;
static uint32_t kick_data;
static int intx_calls;
static bool intx_level;
static int msi_count;
static uint64_t msi_addr;
static uint32_t msi_data;

static void t_queue_notify(struct vplat_device *d, struct vplat_vq *vq)
{
	(void)d;
	kicks++;
	kick_index = vq->index;
	kick_data = vq->notify_data;
}

static void t_queue_reset(struct vplat_device *d, struct vplat_vq *vq)
{
	(void)d;
	(void)vq;
	queue_resets++;
}

static const struct vplat_device_ops test_ops = {
	.name = "pci-test",
	.device_id = VPLAT_VIRTIO_ID_RNG,
	.features = VPLAT_BIT(0) | VPLAT_BIT(VPLAT_VIRTIO_F_ADMIN_VQ),
	.queue_notify = t_queue_notify,
	.queue_reset = t_queue_reset,
};

static void t_intx(void *opaque, bool level)
{
	ck_assert_ptr_eq(opaque, &t);
	intx_calls++;
	intx_level = level;
}

static void t_msi(void *opaque, uint64_t addr, uint32_t data)
{
	ck_assert_ptr_eq(opaque, &t);
	msi_count++;
	msi_addr = addr;
	msi_data = data;
}

static struct vplat_pci_params params(void)
{
	struct vplat_pci_params p = {
		.msix = msix,
		.nmsix = NMSIX,
		.msix_pending = pending,
		.intx = t_intx,
		.msi = t_msi,
		.opaque = &t,
	};
	return p;
}

static void setup(void)
{
	struct vplat_pci_params p = params();

	guest = calloc(1, MEM_SIZE);
	ck_assert_ptr_nonnull(guest);
	ck_assert_int_eq(vplat_mem_init(&mem, regions, 2), 0);
	ck_assert_int_eq(vplat_mem_add(&mem, GPA_BASE, MEM_SIZE, guest), 0);
	for (unsigned i = 0; i < sizeof(config); i++)
		config[i] = (uint8_t)(0x10 + i);
	ck_assert_int_eq(vplat_device_init(&dev, &test_ops, NULL, &mem, vqs, NQUEUES, QSIZE_MAX,
					   config, sizeof(config)),
			 0);
	ck_assert_int_eq(vplat_pci_init(&t, &dev, &p), 0);
	kicks = queue_resets = intx_calls = msi_count = 0;
	kick_index = -1;
	intx_level = false;
}

static void teardown(void)
{
	free(guest);
}

static uint32_t cfg_rd(uint32_t off, unsigned size)
{
	uint32_t v = 0xdead;

	ck_assert_int_eq(vplat_pci_cfg_read(&t, off, size, &v), 0);
	return v;
}

static void cfg_wr(uint32_t off, unsigned size, uint32_t v)
{
	ck_assert_int_eq(vplat_pci_cfg_write(&t, off, size, v), 0);
}

static uint64_t bar_rd(unsigned bar, uint64_t off, unsigned size)
{
	uint64_t v = 0xdead;

	ck_assert_int_eq(vplat_pci_bar_read(&t, bar, off, size, &v), 0);
	return v;
}

static void bar_wr(unsigned bar, uint64_t off, unsigned size, uint64_t v)
{
	ck_assert_int_eq(vplat_pci_bar_write(&t, bar, off, size, v), 0);
}

#define COMMON_RD(field, size)    bar_rd(4, COMMON + VPLAT_VIRTIO_PCI_COMMON_##field, size)
#define COMMON_WR(field, size, v) bar_wr(4, COMMON + VPLAT_VIRTIO_PCI_COMMON_##field, size, v)

static void set_status(uint8_t s)
{
	COMMON_WR(DEVICE_STATUS, 1, s);
}

static void negotiate(uint64_t features)
{
	features |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	set_status(VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	COMMON_WR(DRIVER_FEATURE_SELECT, 4, 0);
	COMMON_WR(DRIVER_FEATURE, 4, (uint32_t)features);
	COMMON_WR(DRIVER_FEATURE_SELECT, 4, 1);
	COMMON_WR(DRIVER_FEATURE, 4, (uint32_t)(features >> 32));
	set_status(VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
		   VPLAT_VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_ne(COMMON_RD(DEVICE_STATUS, 1) & VPLAT_VIRTIO_STATUS_FEATURES_OK, 0);
}

static void driver_ok(void)
{
	set_status(VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
		   VPLAT_VIRTIO_STATUS_FEATURES_OK | VPLAT_VIRTIO_STATUS_DRIVER_OK);
	ck_assert(vplat_device_is_live(&dev));
}

/* sec: PCI-specific Initialization And Device Operation / Device Initialization / Virtqueue
 * Configuration. */
static void setup_queue(uint16_t q, uint16_t size)
{
	COMMON_WR(QUEUE_SELECT, 2, q);
	COMMON_WR(QUEUE_SIZE, 2, size);
	COMMON_WR(QUEUE_DESC, 4, RING_DESC(q));
	COMMON_WR(QUEUE_DESC + 4, 4, 0);
	COMMON_WR(QUEUE_DRIVER, 8, RING_DRIVER(q));
	COMMON_WR(QUEUE_DEVICE, 4, RING_DEVICE(q));
	COMMON_WR(QUEUE_DEVICE + 4, 4, 0);
	COMMON_WR(QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 1);
}

/* Find the first capability of virtio cfg_type @p type (0 if none). */
static uint32_t find_vcap(uint8_t type)
{
	uint32_t at = cfg_rd(VPLAT_PCI_CFG_CAPABILITY_LIST, 1);

	for (int n = 0; at != 0 && n < 48; n++) {
		if (cfg_rd(at, 1) == VPLAT_PCI_CAP_ID_VNDR && cfg_rd(at + 3, 1) == type)
			return at;
		at = cfg_rd(at + 1, 1);
	}
	return 0;
}

static uint32_t find_cap(uint8_t id)
{
	uint32_t at = cfg_rd(VPLAT_PCI_CFG_CAPABILITY_LIST, 1);

	for (int n = 0; at != 0 && n < 48; n++) {
		if (cfg_rd(at, 1) == id)
			return at;
		at = cfg_rd(at + 1, 1);
	}
	return 0;
}

static void msix_enable(bool on, bool function_mask)
{
	uint32_t at = find_cap(VPLAT_PCI_CAP_ID_MSIX);
	uint32_t ctrl = cfg_rd(at + 2, 2) & ~(VPLAT_PCI_MSIX_CTRL_ENABLE |
					      VPLAT_PCI_MSIX_CTRL_MASKALL);

	if (on)
		ctrl |= VPLAT_PCI_MSIX_CTRL_ENABLE;
	if (function_mask)
		ctrl |= VPLAT_PCI_MSIX_CTRL_MASKALL;
	cfg_wr(at + 2, 2, ctrl);
}

static void msix_program(uint16_t v, uint64_t addr, uint32_t data, bool masked)
{
	bar_wr(1, v * 16u + 0, 8, addr);
	bar_wr(1, v * 16u + 8, 4, data);
	bar_wr(1, v * 16u + 12, 4, masked ? 1u : 0u);
}

/* devicenormative: PCI / PCI Device Discovery: vendor 0x1AF4, device 0x1040 + ID; "SHOULD have
 * a PCI Revision ID of 1 or higher", "Subsystem Device ID of 0x40 or higher". */
START_TEST(pci_ids)
{
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_DEVICE_ID, 2), 0x1040 + VPLAT_VIRTIO_ID_RNG);
	ck_assert_uint_ge(cfg_rd(VPLAT_PCI_CFG_REVISION_ID, 1), 1);
	ck_assert_uint_ge(cfg_rd(VPLAT_PCI_CFG_SUBSYSTEM_ID, 2), 0x40);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_REVISION_ID, 4) >> 8, 0xff0000u); /* rng: other */
	ck_assert_uint_ne(cfg_rd(VPLAT_PCI_CFG_STATUS, 2) & VPLAT_PCI_STATUS_CAP_LIST, 0);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_INTERRUPT_PIN, 1), 1);
	/* read-only: a write changes nothing */
	cfg_wr(VPLAT_PCI_CFG_VENDOR_ID, 4, 0);
	cfg_wr(VPLAT_PCI_CFG_REVISION_ID, 4, 0);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_VENDOR_ID, 4), 0x1af4u | (0x1044u << 16));
	ck_assert_uint_ge(cfg_rd(VPLAT_PCI_CFG_REVISION_ID, 1), 1);
}
END_TEST

/* Class code per device type, and the subsystem IDs the embedder chooses. */
START_TEST(pci_class_codes)
{
	static const struct {
		uint32_t id, cls;
	} want[] = {{VPLAT_VIRTIO_ID_NET, 0x020000}, {VPLAT_VIRTIO_ID_BLOCK, 0x010000},
		    {VPLAT_VIRTIO_ID_CONSOLE, 0x078000}, {VPLAT_VIRTIO_ID_GPIO, 0xff0000}};
	struct vplat_pci_params p = params();

	for (unsigned i = 0; i < 4; i++) {
		struct vplat_device_ops ops = test_ops;
		ops.device_id = want[i].id;
		ops.features = 0;
		ck_assert_int_eq(vplat_device_init(&dev, &ops, NULL, &mem, vqs, NQUEUES, QSIZE_MAX,
						   config, sizeof(config)),
				 0);
		p.subsys_vendor = 0x1234;
		p.subsys_id = 0x4321;
		ck_assert_int_eq(vplat_pci_init(&t, &dev, &p), 0);
		ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_REVISION_ID, 4) >> 8, want[i].cls);
		ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_DEVICE_ID, 2), 0x1040 + want[i].id);
		ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID, 2), 0x1234);
		ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_SUBSYSTEM_ID, 2), 0x4321);
	}
}
END_TEST

/* Walk the capability list: every entry inside config space past the header, dword aligned,
 * no loop; every virtio structure capability (sec: PCI / Virtio Structure PCI Capabilities)
 * names a BAR that exists and lies inside it; the mandatory ones are present
 * (devicenormative: Common configuration structure layout, Notification capability, ISR
 * status capability, Device-specific configuration, PCI configuration access capability). */
static void check_cap_list(unsigned want_shm)
{
	uint32_t at = cfg_rd(VPLAT_PCI_CFG_CAPABILITY_LIST, 1);
	unsigned seen[10] = {0}, n = 0, msix_caps = 0;
	uint8_t visited[256] = {0};

	while (at != 0) {
		ck_assert_uint_ge(at, 0x40);
		ck_assert_uint_le(at, 0xfc);
		ck_assert_uint_eq(at & 3u, 0);
		ck_assert(!visited[at]);
		visited[at] = 1;
		ck_assert_uint_lt(n++, 48);
		uint32_t id = cfg_rd(at, 1);
		if (id == VPLAT_PCI_CAP_ID_MSIX) {
			msix_caps++;
			ck_assert_uint_le(at + 12, 256);
			uint32_t table = cfg_rd(at + 4, 4), pba = cfg_rd(at + 8, 4);
			uint32_t size = (cfg_rd(at + 2, 2) & 0x7ffu) + 1;
			ck_assert_uint_eq(size, NMSIX);
			uint64_t bsz = vplat_pci_bar_size(&t, table & 7u);
			ck_assert_uint_le((table & ~7u) + size * 16u, bsz);
			ck_assert_uint_le((pba & ~7u) + 8u, vplat_pci_bar_size(&t, pba & 7u));
		} else {
			ck_assert_uint_eq(id, VPLAT_PCI_CAP_ID_VNDR);
			uint32_t len = cfg_rd(at + 2, 1), type = cfg_rd(at + 3, 1);
			uint32_t bar = cfg_rd(at + 4, 1);
			uint64_t off = cfg_rd(at + 8, 4), length = cfg_rd(at + 12, 4);
			ck_assert_uint_ge(len, 16);
			ck_assert_uint_le(at + len, 256);
			ck_assert_uint_lt(type, 10);
			seen[type]++;
			if (type == VPLAT_VIRTIO_PCI_CAP_SHARED_MEMORY_CFG) {
				ck_assert_uint_ge(len, 24);
				off |= (uint64_t)cfg_rd(at + 16, 4) << 32;
				length |= (uint64_t)cfg_rd(at + 20, 4) << 32;
			}
			if (type == VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG) {
				ck_assert_uint_ge(len, 20);
				uint32_t mult = cfg_rd(at + 16, 4);
				ck_assert_uint_eq(mult, 4);
				/* cap.length >= queue_notify_off * multiplier + 4, every queue */
				ck_assert_uint_ge(length, (NQUEUES - 1) * mult + 4);
				ck_assert_uint_eq(off & 3u, 0);
			}
			if (type == VPLAT_VIRTIO_PCI_CAP_COMMON_CFG ||
			    type == VPLAT_VIRTIO_PCI_CAP_DEVICE_CFG)
				ck_assert_uint_eq(off & 3u, 0);
			if (type != VPLAT_VIRTIO_PCI_CAP_PCI_CFG) {
				uint64_t bsz = vplat_pci_bar_size(&t, bar);
				ck_assert_uint_le(bar, 5);
				ck_assert_uint_gt(length, 0);
				ck_assert_uint_gt(bsz, 0);
				ck_assert_uint_le(off, bsz);
				ck_assert_uint_le(length, bsz - off);
			} else {
				ck_assert_uint_ge(len, 20);
			}
		}
		at = cfg_rd(at + 1, 1);
	}
	ck_assert_uint_eq(seen[VPLAT_VIRTIO_PCI_CAP_COMMON_CFG], 1);
	ck_assert_uint_eq(seen[VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG], 1);
	ck_assert_uint_eq(seen[VPLAT_VIRTIO_PCI_CAP_ISR_CFG], 1);
	ck_assert_uint_eq(seen[VPLAT_VIRTIO_PCI_CAP_DEVICE_CFG], 1);
	ck_assert_uint_eq(seen[VPLAT_VIRTIO_PCI_CAP_PCI_CFG], 1);
	ck_assert_uint_eq(seen[VPLAT_VIRTIO_PCI_CAP_SHARED_MEMORY_CFG], want_shm);
	ck_assert_uint_eq(msix_caps, 1);
}

START_TEST(pci_cap_list_walk)
{
	check_cap_list(0);
	ck_assert_uint_eq(vplat_pci_bar_size(&t, 2), 0);
}
END_TEST

/* devicenormative: PCI / Shared memory capability: one cap64 per region, inside the BAR it
 * names, cap.id unique. */
START_TEST(pci_cap_list_shared_memory)
{
	static struct vplat_shm_region shm[3] = {
		{.id = 1, .addr = 0, .len = 0x10000, .bar = 2},
		{.id = 4, .addr = UINT64_C(0x100000000), .len = UINT64_C(0x100000000), .bar = 2},
		{.id = 9, .addr = 0x20000, .len = 0x1000, .bar = 2},
	};
	struct vplat_pci_params p = params();

	dev.shm = shm;
	dev.nshm = 3;
	ck_assert_int_eq(vplat_pci_init(&t, &dev, &p), 0);
	check_cap_list(3);
	ck_assert_uint_eq(vplat_pci_bar_size(&t, 2), UINT64_C(0x200000000));
	uint32_t at = find_vcap(VPLAT_VIRTIO_PCI_CAP_SHARED_MEMORY_CFG);
	ck_assert_uint_eq(cfg_rd(at + 5, 1), 1); /* cap.id = shmid */
	/* BAR2 is 64-bit prefetchable; sizing reads back the 8 GiB mask */
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_BAR2, 4) & 0xfu, 0xcu);
	cfg_wr(VPLAT_PCI_CFG_BAR2, 4, 0xffffffffu);
	cfg_wr(VPLAT_PCI_CFG_BAR3, 4, 0xffffffffu);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_BAR2, 4), 0x0000000cu);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_BAR3, 4), 0xfffffffeu);
	/* the model does not serve the regions' memory */
	uint64_t v;
	ck_assert_int_eq(vplat_pci_bar_read(&t, 2, 0, 4, &v), VPLAT_EINVAL);

	/* duplicate shmid, wrong BAR, too many regions: refused */
	shm[2].id = 4;
	ck_assert_int_eq(vplat_pci_init(&t, &dev, &p), VPLAT_EINVAL);
	shm[2].id = 9;
	shm[2].bar = 0;
	ck_assert_int_eq(vplat_pci_init(&t, &dev, &p), VPLAT_EINVAL);
	shm[2].bar = 2;
	static struct vplat_shm_region many[4];
	for (uint8_t i = 0; i < 4; i++)
		many[i] = (struct vplat_shm_region){.id = i, .addr = i * 0x1000u, .len = 0x1000,
						    .bar = 2};
	dev.shm = many;
	dev.nshm = 4;
	ck_assert_int_eq(vplat_pci_init(&t, &dev, &p), VPLAT_EINVAL);
}
END_TEST

/* [PCI] BAR sizing: writing all ones reads back the size mask with the type bits; the address
 * the driver programs is what vplat_pci_bar_addr() reports. */
START_TEST(pci_bar_sizing)
{
	/* BAR1: 32-bit memory, 4 KiB (MSI-X) */
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_BAR1, 4), 0);
	cfg_wr(VPLAT_PCI_CFG_BAR1, 4, 0xffffffffu);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_BAR1, 4), 0xfffff000u);
	ck_assert_uint_eq(vplat_pci_bar_size(&t, 1), 0x1000);
	cfg_wr(VPLAT_PCI_CFG_BAR1, 4, 0xfebf1234u);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_BAR1, 4), 0xfebf1000u);
	ck_assert_uint_eq(vplat_pci_bar_addr(&t, 1), 0xfebf1000u);

	/* BAR4/5: 64-bit memory, not prefetchable */
	uint64_t size = vplat_pci_bar_size(&t, 4);
	ck_assert_uint_ge(size, NOTIFY + 4u * NQUEUES);
	ck_assert_uint_eq(size & (size - 1), 0);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_BAR4, 4) & 0xfu, VPLAT_PCI_BAR_MEM_TYPE_64);
	cfg_wr(VPLAT_PCI_CFG_BAR4, 4, 0xffffffffu);
	cfg_wr(VPLAT_PCI_CFG_BAR5, 4, 0xffffffffu);
	uint64_t mask = (uint64_t)cfg_rd(VPLAT_PCI_CFG_BAR5, 4) << 32 |
			(cfg_rd(VPLAT_PCI_CFG_BAR4, 4) & ~0xfu);
	ck_assert_uint_eq(~mask + 1, size);
	cfg_wr(VPLAT_PCI_CFG_BAR4, 4, 0xe0000000u);
	cfg_wr(VPLAT_PCI_CFG_BAR5, 4, 0x80);
	ck_assert_uint_eq(vplat_pci_bar_addr(&t, 4), UINT64_C(0x80e0000000));
	ck_assert_uint_eq(vplat_pci_bar_size(&t, 5), 0); /* reported on the low index */
	ck_assert_uint_eq(vplat_pci_bar_addr(&t, 5), 0);

	/* unused BARs and the ROM BAR are hardwired to 0 */
	static const uint32_t unused[] = {VPLAT_PCI_CFG_BAR0, VPLAT_PCI_CFG_BAR2,
					  VPLAT_PCI_CFG_BAR3, VPLAT_PCI_CFG_ROM_ADDRESS};
	for (unsigned i = 0; i < 4; i++) {
		cfg_wr(unused[i], 4, 0xffffffffu);
		ck_assert_uint_eq(cfg_rd(unused[i], 4), 0);
	}
	ck_assert_uint_eq(vplat_pci_bar_size(&t, 0), 0);
	ck_assert_uint_eq(vplat_pci_bar_size(&t, 6), 0);
}
END_TEST

/* [PCI] command register: memory, bus master and INTx disable are writable; I/O space is
 * hardwired to 0 (no I/O BAR). Config accesses: 1/2/4 bytes, naturally aligned, 0..255. */
START_TEST(pci_command_and_cfg_access)
{
	uint32_t v;

	cfg_wr(VPLAT_PCI_CFG_COMMAND, 2, 0xffff);
	v = cfg_rd(VPLAT_PCI_CFG_COMMAND, 2);
	ck_assert_uint_eq(v & VPLAT_PCI_COMMAND_IO, 0);
	ck_assert_uint_ne(v & VPLAT_PCI_COMMAND_MEMORY, 0);
	ck_assert_uint_ne(v & VPLAT_PCI_COMMAND_MASTER, 0);
	ck_assert_uint_ne(v & VPLAT_PCI_COMMAND_INTX_DISABLE, 0);
	cfg_wr(VPLAT_PCI_CFG_INTERRUPT_LINE, 1, 11);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_INTERRUPT_LINE, 1), 11);

	v = 5;
	ck_assert_int_eq(vplat_pci_cfg_read(&t, 0, 3, &v), VPLAT_EINVAL);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(vplat_pci_cfg_read(&t, 2, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_cfg_read(&t, 1, 2, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_cfg_read(&t, 256, 1, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_cfg_read(&t, 0, 1, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_cfg_write(&t, 0x04, 8, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_cfg_write(&t, 0x3d, 2, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_cfg_write(&t, 0x1000, 4, 0), VPLAT_EINVAL);
}
END_TEST

/* drivernormative: PCI / Virtio Structure PCI Capabilities: "The driver MUST NOT write into
 * any field of the capability structure" (except PCI_CFG): the model keeps them read-only. */
START_TEST(pci_caps_read_only)
{
	uint32_t at = find_vcap(VPLAT_VIRTIO_PCI_CAP_COMMON_CFG);
	uint32_t before[4];

	for (unsigned i = 0; i < 4; i++)
		before[i] = cfg_rd(at + 4 * i, 4);
	for (unsigned i = 0; i < 4; i++)
		cfg_wr(at + 4 * i, 4, 0xa5a5a5a5u);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(cfg_rd(at + 4 * i, 4), before[i]);
}
END_TEST

/* devicenormative: Common configuration structure layout: "MUST present the feature bits it
 * is offering in device_feature ... for any device_feature_select" (0 above word 1); "MUST
 * present any valid feature bits the driver has written in driver_feature". */
START_TEST(pci_common_features)
{
	COMMON_WR(DEVICE_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(COMMON_RD(DEVICE_FEATURE, 4), (uint32_t)dev.host_features);
	COMMON_WR(DEVICE_FEATURE_SELECT, 4, 1);
	ck_assert_uint_eq(COMMON_RD(DEVICE_FEATURE_SELECT, 4), 1);
	uint32_t hi = (uint32_t)COMMON_RD(DEVICE_FEATURE, 4);
	ck_assert_uint_eq(hi, (uint32_t)(dev.host_features >> 32));
	ck_assert_uint_ne(hi & 1u, 0); /* VERSION_1 */
	ck_assert_uint_eq(hi & (1u << (VPLAT_VIRTIO_F_ADMIN_VQ - 32)), 0); /* trimmed */
	ck_assert_uint_eq(hi & (1u << (VPLAT_VIRTIO_F_SR_IOV - 32)), 0);
	COMMON_WR(DEVICE_FEATURE_SELECT, 4, 2);
	ck_assert_uint_eq(COMMON_RD(DEVICE_FEATURE, 4), 0);
	COMMON_WR(DEVICE_FEATURE, 4, 0xffffffffu); /* read-only */
	COMMON_WR(DEVICE_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(COMMON_RD(DEVICE_FEATURE, 4), (uint32_t)dev.host_features);

	set_status(VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	COMMON_WR(DRIVER_FEATURE_SELECT, 4, 0);
	COMMON_WR(DRIVER_FEATURE, 4, 0xffffffffu); /* includes bits never offered */
	ck_assert_uint_eq(COMMON_RD(DRIVER_FEATURE, 4), (uint32_t)dev.host_features);
	COMMON_WR(DRIVER_FEATURE_SELECT, 4, 1);
	COMMON_WR(DRIVER_FEATURE, 4, 1);
	ck_assert_uint_eq(COMMON_RD(DRIVER_FEATURE, 4), 1);
	COMMON_WR(DRIVER_FEATURE_SELECT, 4, 5);
	ck_assert_uint_eq(COMMON_RD(DRIVER_FEATURE, 4), 0);
}
END_TEST

/* drivernormative: PCI / PCI Device Layout: field-width accesses; devicenormative: 64-bit
 * fields as independent 32-bit halves. Anything else is refused and reads 0. */
START_TEST(pci_common_access_widths)
{
	uint64_t v;

	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE, 2, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE + 2, 2,
					    &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES, 4, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 2, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 1, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC + 2, 2, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC + 4, 8, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_write(&t, 4, VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 4,
					     VPLAT_VIRTIO_STATUS_ACKNOWLEDGE),
			 VPLAT_EINVAL);
	ck_assert_uint_eq(COMMON_RD(DEVICE_STATUS, 1), 0); /* unchanged */
	ck_assert_int_eq(vplat_pci_bar_write(&t, 4, VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 4, 1),
			 VPLAT_EINVAL);
	ck_assert_uint_eq(COMMON_RD(QUEUE_SELECT, 2), 0);
	/* 64-bit field: halves and one aligned 64-bit access */
	COMMON_WR(QUEUE_DESC + 4, 4, 0x12);
	COMMON_WR(QUEUE_DESC, 4, 0x34000);
	ck_assert_uint_eq(COMMON_RD(QUEUE_DESC, 8), UINT64_C(0x1200034000));
	ck_assert_uint_eq(COMMON_RD(QUEUE_DESC + 4, 4), 0x12);
	/* past the structure in its page: reads 0, writes ignored */
	ck_assert_uint_eq(bar_rd(4, 0x40, 4), 0);
	bar_wr(4, 0x40, 4, 1);
	/* BAR bounds and widths */
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, vplat_pci_bar_size(&t, 4), 1, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, vplat_pci_bar_size(&t, 4) - 2, 4, &v),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, UINT64_MAX, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, 0, 3, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 0, 0, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 3, 0, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 7, 0, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_write(&t, 5, 0, 4, 0), VPLAT_EINVAL);
}
END_TEST

/* sec: Common configuration structure layout: num_queues, queue_size ("On reset, specifies
 * the maximum queue size"; "MUST present a 0 in queue_size if the virtqueue ... is
 * unavailable"), queue_notify_off; admin fields without VIRTIO_F_ADMIN_VQ. */
START_TEST(pci_common_queue_fields)
{
	ck_assert_uint_eq(COMMON_RD(NUM_QUEUES, 2), NQUEUES);
	COMMON_WR(NUM_QUEUES, 2, 9); /* read-only */
	ck_assert_uint_eq(COMMON_RD(NUM_QUEUES, 2), NQUEUES);
	for (uint16_t q = 0; q < NQUEUES; q++) {
		COMMON_WR(QUEUE_SELECT, 2, q);
		ck_assert_uint_eq(COMMON_RD(QUEUE_SELECT, 2), q);
		ck_assert_uint_eq(COMMON_RD(QUEUE_SIZE, 2), QSIZE_MAX);
		ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 0);
		ck_assert_uint_eq(COMMON_RD(QUEUE_NOTIFY_OFF, 2), q);
		ck_assert_uint_eq(COMMON_RD(QUEUE_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);
		ck_assert_uint_eq(COMMON_RD(QUEUE_RESET, 2), 0);
		ck_assert_uint_eq(COMMON_RD(QUEUE_NOTIF_CONFIG_DATA, 2), 0);
	}
	COMMON_WR(QUEUE_SELECT, 2, NQUEUES);
	ck_assert_uint_eq(COMMON_RD(QUEUE_SIZE, 2), 0);
	COMMON_WR(QUEUE_SELECT, 2, 0xffff);
	ck_assert_uint_eq(COMMON_RD(QUEUE_SIZE, 2), 0);
	COMMON_WR(QUEUE_ENABLE, 2, 1); /* nothing to enable */
	ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 0);
	ck_assert_uint_eq(COMMON_RD(ADMIN_QUEUE_INDEX, 2), 0);
	ck_assert_uint_eq(COMMON_RD(ADMIN_QUEUE_NUM, 2), 0);
}
END_TEST

/* drivernormative: Common configuration structure layout: "MUST configure the other
 * virtqueue fields before enabling the virtqueue"; "MUST NOT write a 0 to queue_enable".
 * The model locks a live queue's layout and ignores queue_enable=0. */
START_TEST(pci_queue_enable_and_lock)
{
	COMMON_WR(QUEUE_SELECT, 2, 0);
	COMMON_WR(QUEUE_SIZE, 2, 8);
	COMMON_WR(QUEUE_ENABLE, 2, 1); /* before FEATURES_OK: refused by the core */
	ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 0);
	negotiate(0);
	setup_queue(1, 8);
	ck_assert_uint_eq(vqs[1].size, 8);
	ck_assert_uint_eq(vqs[1].driver_addr, RING_DRIVER(1));
	COMMON_WR(QUEUE_SIZE, 2, 16);
	COMMON_WR(QUEUE_DESC, 8, 0);
	COMMON_WR(QUEUE_DEVICE + 4, 4, 1);
	COMMON_WR(QUEUE_ENABLE, 2, 0);
	ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 1);
	ck_assert_uint_eq(COMMON_RD(QUEUE_SIZE, 2), 8);
	ck_assert_uint_eq(COMMON_RD(QUEUE_DESC, 8), RING_DESC(1));
	ck_assert_uint_eq(vqs[1].device_addr, RING_DEVICE(1));
	/* rings outside guest memory: the enable is refused */
	COMMON_WR(QUEUE_SELECT, 2, 0);
	COMMON_WR(QUEUE_SIZE, 2, 8);
	COMMON_WR(QUEUE_DESC, 8, 0x1000);
	COMMON_WR(QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 0);
}
END_TEST

/* devicenormative: Common configuration structure layout, queue_reset: 0 on reset and after
 * queue_enable; writing 1 resets; then "present 0 in both queue_reset and queue_enable";
 * sec: Virtqueue Reset / Virtqueue Re-enable. */
START_TEST(pci_queue_reset_sequence)
{
	negotiate(VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	setup_queue(0, 8);
	setup_queue(1, 8);
	driver_ok();
	ck_assert_uint_eq(COMMON_RD(QUEUE_RESET, 2), 0);
	COMMON_WR(QUEUE_RESET, 2, 1);
	ck_assert_uint_eq(COMMON_RD(QUEUE_RESET, 2), 0);
	ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 0);
	ck_assert_uint_eq(COMMON_RD(QUEUE_SIZE, 2), QSIZE_MAX);
	ck_assert_uint_eq(queue_resets, 1);
	ck_assert(vqs[0].enabled);
	setup_queue(1, 4);
	ck_assert_uint_eq(COMMON_RD(QUEUE_RESET, 2), 0);
	bar_wr(4, NOTIFY + 4, 2, 1);
	ck_assert_int_eq(kicks, 1);
	ck_assert_int_eq(kick_index, 1);
}
END_TEST

START_TEST(pci_queue_reset_needs_feature)
{
	negotiate(0);
	setup_queue(0, 8);
	COMMON_WR(QUEUE_RESET, 2, 1);
	ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 1);
	ck_assert_int_eq(queue_resets, 0);
}
END_TEST

/* devicenormative: MSI-X Vector Configuration: "MUST report mapping failures by returning the
 * NO_VECTOR value when the relevant config_msix_vector/queue_msix_vector field is read";
 * "MUST return vector mapped to a given event". */
START_TEST(pci_msix_vector_mapping)
{
	ck_assert_uint_eq(COMMON_RD(CONFIG_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);
	COMMON_WR(CONFIG_MSIX_VECTOR, 2, 2);
	ck_assert_uint_eq(COMMON_RD(CONFIG_MSIX_VECTOR, 2), 2);
	COMMON_WR(CONFIG_MSIX_VECTOR, 2, NMSIX);
	ck_assert_uint_eq(COMMON_RD(CONFIG_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);
	COMMON_WR(QUEUE_SELECT, 2, 1);
	COMMON_WR(QUEUE_MSIX_VECTOR, 2, 1);
	ck_assert_uint_eq(COMMON_RD(QUEUE_MSIX_VECTOR, 2), 1);
	COMMON_WR(QUEUE_MSIX_VECTOR, 2, 0x7ff);
	ck_assert_uint_eq(COMMON_RD(QUEUE_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);
	COMMON_WR(QUEUE_MSIX_VECTOR, 2, 0);
	COMMON_WR(QUEUE_MSIX_VECTOR, 2, VPLAT_VIRTIO_PCI_NO_VECTOR); /* unmapping */
	ck_assert_uint_eq(COMMON_RD(QUEUE_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);

	/* a function without MSI-X maps nothing */
	struct vplat_pci_params p = params();
	p.msix = NULL;
	ck_assert_int_eq(vplat_pci_init(&t, &dev, &p), 0);
	ck_assert_uint_eq(find_cap(VPLAT_PCI_CAP_ID_MSIX), 0);
	ck_assert_uint_eq(vplat_pci_bar_size(&t, 1), 0);
	COMMON_WR(CONFIG_MSIX_VECTOR, 2, 0);
	ck_assert_uint_eq(COMMON_RD(CONFIG_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);
}
END_TEST

/* devicenormative: ISR status capability: ISR bit 0 before a queue interrupt (MSI-X off), the
 * PCI Status Interrupt bit mirrors ISR, "MUST reset ISR status to 0 on driver read" which
 * de-asserts INTx. */
START_TEST(pci_isr_read_clears)
{
	dev.interrupt->used(&dev, &vqs[0]);
	ck_assert(intx_level);
	ck_assert_int_eq(intx_calls, 1);
	ck_assert_uint_ne(cfg_rd(VPLAT_PCI_CFG_STATUS, 2) & VPLAT_PCI_STATUS_INTERRUPT, 0);
	dev.interrupt->config(&dev);
	ck_assert_int_eq(intx_calls, 1);
	ck_assert_uint_eq(bar_rd(4, ISR, 1),
			  VPLAT_VIRTIO_PCI_ISR_QUEUE | VPLAT_VIRTIO_PCI_ISR_CONFIG);
	ck_assert(!intx_level);
	ck_assert_int_eq(intx_calls, 2);
	ck_assert_uint_eq(cfg_rd(VPLAT_PCI_CFG_STATUS, 2) & VPLAT_PCI_STATUS_INTERRUPT, 0);
	ck_assert_uint_eq(bar_rd(4, ISR, 1), 0);
	/* ISR is a byte: other widths refused, writes ignored */
	uint64_t v;
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, ISR, 4, &v), VPLAT_EINVAL);
	dev.interrupt->used(&dev, &vqs[1]);
	bar_wr(4, ISR, 1, 0);
	ck_assert(intx_level);
	/* INTx disable in the command register masks the line, not ISR */
	cfg_wr(VPLAT_PCI_CFG_COMMAND, 2, VPLAT_PCI_COMMAND_INTX_DISABLE);
	ck_assert(!intx_level);
	ck_assert_uint_ne(cfg_rd(VPLAT_PCI_CFG_STATUS, 2) & VPLAT_PCI_STATUS_INTERRUPT, 0);
	cfg_wr(VPLAT_PCI_CFG_COMMAND, 2, 0);
	ck_assert(intx_level);
	ck_assert_uint_eq(bar_rd(4, ISR, 1), VPLAT_VIRTIO_PCI_ISR_QUEUE);
	ck_assert(!intx_level);
}
END_TEST

/* sec: Used Buffer Notifications / Notification of Device Configuration Changes with MSI-X
 * enabled: the mapped vector's message, no INTx. */
START_TEST(pci_msix_delivery)
{
	msix_program(1, UINT64_C(0xfee0000000001000), 0x4041, false);
	msix_program(2, 0xfee00000u, 0x99, false);
	msix_enable(true, false);
	COMMON_WR(CONFIG_MSIX_VECTOR, 2, 2);
	COMMON_WR(QUEUE_SELECT, 2, 0);
	COMMON_WR(QUEUE_MSIX_VECTOR, 2, 1);
	dev.interrupt->used(&dev, &vqs[0]);
	ck_assert_int_eq(msi_count, 1);
	ck_assert_uint_eq(msi_addr, UINT64_C(0xfee0000000001000));
	ck_assert_uint_eq(msi_data, 0x4041);
	ck_assert_int_eq(intx_calls, 0);
	dev.interrupt->config(&dev);
	ck_assert_int_eq(msi_count, 2);
	ck_assert_uint_eq(msi_data, 0x99);
	/* devicenormative: ISR status capability: the config bit is set before the message */
	ck_assert_uint_eq(bar_rd(4, ISR, 1), VPLAT_VIRTIO_PCI_ISR_CONFIG);
	ck_assert_int_eq(intx_calls, 0);
	/* devicenormative: Used Buffer Notifications: NO_VECTOR → no interrupt at all */
	dev.interrupt->used(&dev, &vqs[1]);
	ck_assert_int_eq(msi_count, 2);
	ck_assert_int_eq(intx_calls, 0);
	/* table reads back what was written */
	ck_assert_uint_eq(bar_rd(1, 16 + 0, 4), 0x00001000u);
	ck_assert_uint_eq(bar_rd(1, 16 + 4, 4), 0xfee00000u);
	ck_assert_uint_eq(bar_rd(1, 16 + 8, 8), 0x4041u);
}
END_TEST

/* [PCI] MSI-X: a masked vector (per-vector or function mask) sets its pending bit instead of
 * sending; unmasking sends the pending message once and clears the bit. Vectors start
 * masked. */
START_TEST(pci_msix_masking_and_pending)
{
	ck_assert_uint_eq(bar_rd(1, 12, 4), 1); /* masked after reset */
	msix_program(0, 0xfee00000u, 7, true);
	msix_enable(true, false);
	COMMON_WR(QUEUE_SELECT, 2, 0);
	COMMON_WR(QUEUE_MSIX_VECTOR, 2, 0);
	dev.interrupt->used(&dev, &vqs[0]);
	dev.interrupt->used(&dev, &vqs[0]);
	ck_assert_int_eq(msi_count, 0);
	ck_assert_uint_eq(bar_rd(1, 0x800, 8), 1); /* PBA bit 0 */
	bar_wr(1, 0x800, 8, 0);                    /* PBA is read-only */
	ck_assert_uint_eq(bar_rd(1, 0x800, 4), 1);
	bar_wr(1, 12, 4, 0); /* unmask */
	ck_assert_int_eq(msi_count, 1);
	ck_assert_uint_eq(msi_data, 7);
	ck_assert_uint_eq(bar_rd(1, 0x800, 4), 0);

	/* function mask */
	msix_enable(true, true);
	dev.interrupt->used(&dev, &vqs[0]);
	ck_assert_int_eq(msi_count, 1);
	ck_assert_uint_eq(bar_rd(1, 0x800, 4), 1);
	msix_enable(true, false);
	ck_assert_int_eq(msi_count, 2);
	ck_assert_uint_eq(bar_rd(1, 0x800, 4), 0);

	/* table accesses are DWORD or QWORD, aligned */
	uint64_t v;
	ck_assert_int_eq(vplat_pci_bar_read(&t, 1, 0, 2, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 1, 4, 8, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_write(&t, 1, 13, 1, 0), VPLAT_EINVAL);
	/* entries past the table read 0 */
	ck_assert_uint_eq(bar_rd(1, NMSIX * 16u, 4), 0);
}
END_TEST

/* sec: Available Buffer Notifications: a 16-bit write of the queue index at cap.offset +
 * queue_notify_off * notify_off_multiplier. */
START_TEST(pci_notify_16bit)
{
	negotiate(0);
	setup_queue(0, 8);
	setup_queue(1, 8);
	driver_ok();
	bar_wr(4, NOTIFY + 4 * 1, 2, 1);
	ck_assert_int_eq(kicks, 1);
	ck_assert_int_eq(kick_index, 1);
	ck_assert_uint_eq(kick_data, 0);
	bar_wr(4, NOTIFY, 2, 0);
	ck_assert_int_eq(kick_index, 0);
	uint64_t v;
	ck_assert_int_eq(vplat_pci_bar_write(&t, 4, NOTIFY + 2, 2, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_write(&t, 4, NOTIFY, 1, 0), VPLAT_EINVAL);
	ck_assert_uint_eq(bar_rd(4, NOTIFY, 2), 0); /* notify area reads 0 */
	bar_wr(4, NOTIFY + 4 * NQUEUES, 2, 0);      /* past the area: ignored */
	ck_assert_int_eq(kicks, 2);
	(void)v;
}
END_TEST

/* Same clause with VIRTIO_F_NOTIFICATION_DATA: the 32-bit value reaches the device. */
START_TEST(pci_notify_data)
{
	negotiate(VPLAT_BIT(VPLAT_VIRTIO_F_NOTIFICATION_DATA));
	setup_queue(1, 8);
	driver_ok();
	uint32_t d = VPLAT_VIRTIO_NOTIFY_DATA(1, 0x1234, 1);
	bar_wr(4, NOTIFY + 4, 4, d);
	ck_assert_int_eq(kicks, 1);
	ck_assert_int_eq(kick_index, 1);
	ck_assert_uint_eq(kick_data, d);
}
END_TEST

/* devicenormative: Common configuration structure layout: "MUST reset when 0 is written to
 * device_status, and present a 0 in device_status once that is done", "present a 0 in
 * queue_enable on reset"; MSI-X Vector Configuration: events unmapped upon reset. */
START_TEST(pci_status_reset_clears_everything)
{
	negotiate(VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	setup_queue(0, 8);
	COMMON_WR(QUEUE_MSIX_VECTOR, 2, 1);
	COMMON_WR(CONFIG_MSIX_VECTOR, 2, 0);
	driver_ok();
	dev.interrupt->used(&dev, &vqs[0]);
	ck_assert(intx_level);
	set_status(0);
	ck_assert_uint_eq(COMMON_RD(DEVICE_STATUS, 1), 0);
	ck_assert(!intx_level);
	ck_assert_uint_eq(bar_rd(4, ISR, 1), 0);
	ck_assert_uint_eq(COMMON_RD(CONFIG_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);
	for (uint16_t q = 0; q < NQUEUES; q++) {
		COMMON_WR(QUEUE_SELECT, 2, q);
		ck_assert_uint_eq(COMMON_RD(QUEUE_ENABLE, 2), 0);
		ck_assert_uint_eq(COMMON_RD(QUEUE_RESET, 2), 0);
		ck_assert_uint_eq(COMMON_RD(QUEUE_MSIX_VECTOR, 2), VPLAT_VIRTIO_PCI_NO_VECTOR);
		ck_assert_uint_eq(COMMON_RD(QUEUE_SIZE, 2), QSIZE_MAX);
		ck_assert_uint_eq(COMMON_RD(QUEUE_DESC, 8), 0);
	}
	ck_assert_uint_eq(dev.features, 0);
	negotiate(0);
	setup_queue(0, 8);
	driver_ok();
}
END_TEST

/* config_generation: "The device changes this every time the configuration noticeably
 * changes"; the device configuration is read through the DEVICE_CFG window. */
START_TEST(pci_config_generation_and_device_cfg)
{
	uint8_t g0 = (uint8_t)COMMON_RD(CONFIG_GENERATION, 1);

	vplat_device_config_changed(&dev);
	ck_assert_uint_ne(COMMON_RD(CONFIG_GENERATION, 1), g0);
	COMMON_WR(CONFIG_GENERATION, 1, g0); /* read-only */
	ck_assert_uint_ne(COMMON_RD(CONFIG_GENERATION, 1), g0);
	ck_assert_uint_eq(bar_rd(4, DEVCFG, 1), 0x10);
	ck_assert_uint_eq(bar_rd(4, DEVCFG + 2, 2), 0x1312);
	ck_assert_uint_eq(bar_rd(4, DEVCFG + 4, 4), 0x17161514u);
	ck_assert_uint_eq(bar_rd(4, DEVCFG, 8), UINT64_C(0x1716151413121110));
	ck_assert_uint_eq(bar_rd(4, DEVCFG + 0x100, 4), 0); /* past config_len */
	uint64_t v;
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, DEVCFG + 1, 2, &v), VPLAT_EINVAL);
	/* a config change with DRIVER_OK set interrupts (ISR bit 1, INTx) */
	negotiate(0);
	driver_ok();
	vplat_device_config_changed(&dev);
	ck_assert(intx_level);
	ck_assert_uint_eq(bar_rd(4, ISR, 1), VPLAT_VIRTIO_PCI_ISR_CONFIG);
}
END_TEST

/* devicenormative: PCI configuration access capability: a read of pci_cfg_data reads
 * cap.length bytes at cap.offset of cap.bar; a write writes them. */
START_TEST(pci_cfg_window)
{
	uint32_t at = find_vcap(VPLAT_VIRTIO_PCI_CAP_PCI_CFG);
	uint32_t data = at + 16;

	ck_assert_uint_ne(at, 0);
	cfg_wr(at + 4, 1, 4);                                        /* cap.bar */
	cfg_wr(at + 8, 4, COMMON + VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES); /* cap.offset */
	cfg_wr(at + 12, 4, 2);                                       /* cap.length */
	ck_assert_uint_eq(cfg_rd(at + 4, 1), 4);
	ck_assert_uint_eq(cfg_rd(data, 2), NQUEUES);
	ck_assert_uint_eq(cfg_rd(data, 4) & 0xffffu, NQUEUES);
	/* write device_status through the window */
	cfg_wr(at + 8, 4, COMMON + VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS);
	cfg_wr(at + 12, 4, 1);
	cfg_wr(data, 1, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_eq(COMMON_RD(DEVICE_STATUS, 1), VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_eq(cfg_rd(data, 1), VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	/* ISR through the window also clears it */
	dev.interrupt->used(&dev, &vqs[0]);
	cfg_wr(at + 8, 4, ISR);
	ck_assert_uint_eq(cfg_rd(data, 1), 1);
	ck_assert(!intx_level);
	ck_assert_uint_eq(bar_rd(4, ISR, 1), 0);
	/* a window onto nothing reads 0 and does no harm */
	cfg_wr(at + 4, 1, 0);
	ck_assert_uint_eq(cfg_rd(data, 4), 0);
	cfg_wr(at + 4, 1, 4);
	cfg_wr(at + 12, 4, 3);
	cfg_wr(data, 4, 0xffffffffu);
	cfg_wr(at + 12, 4, 4);
	cfg_wr(at + 8, 4, 0xfffffffcu);
	cfg_wr(data, 4, 0xffffffffu);
	ck_assert_uint_eq(COMMON_RD(DEVICE_STATUS, 1), VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
}
END_TEST

START_TEST(pci_init_arguments)
{
	struct vplat_pci_params p = params();
	struct vplat_pci other;

	ck_assert_int_eq(vplat_pci_init(NULL, &dev, &p), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_init(&other, NULL, &p), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_init(&other, &dev, NULL), VPLAT_EINVAL);
	p.subsys_id = 0x10; /* a legacy driver might bind */
	ck_assert_int_eq(vplat_pci_init(&other, &dev, &p), VPLAT_EINVAL);
	p = params();
	p.nmsix = 129;
	ck_assert_int_eq(vplat_pci_init(&other, &dev, &p), VPLAT_EINVAL);
	p.nmsix = 0;
	ck_assert_int_eq(vplat_pci_init(&other, &dev, &p), VPLAT_EINVAL);
	p = params();
	p.msi = NULL;
	ck_assert_int_eq(vplat_pci_init(&other, &dev, &p), VPLAT_EINVAL);
	p = params();
	p.msix_pending = NULL;
	ck_assert_int_eq(vplat_pci_init(&other, &dev, &p), VPLAT_EINVAL);
	ck_assert_ptr_eq(dev.transport, &t);
	/* BAR accesses without a transport or a result pointer, and misaligned device config. */
	uint64_t v = 1;
	ck_assert_int_eq(vplat_pci_bar_read(NULL, 4, 0, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_write(NULL, 4, 0, 4, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_read(&t, 4, 0, 4, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_write(&t, 4, DEVCFG + 1u, 2, 0xabcd), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_pci_bar_write(&t, 4, DEVCFG + 2u, 4, 0), VPLAT_EINVAL);
	/* A device type past the virtio PCI ID range, shared memory regions without a table. */
	p = params();
	const struct vplat_device_ops *saved = dev.ops;
	struct vplat_device_ops big = *dev.ops;
	big.device_id = VPLAT_VIRTIO_PCI_DEVICE_ID_LAST - VPLAT_VIRTIO_PCI_DEVICE_ID(0) + 1u;
	dev.ops = &big;
	ck_assert_int_eq(vplat_pci_init(&other, &dev, &p), VPLAT_EINVAL);
	dev.ops = saved;
	dev.nshm = 1;
	dev.shm = NULL;
	ck_assert_int_eq(vplat_pci_init(&other, &dev, &p), VPLAT_EINVAL);
	dev.nshm = 0;
	/* A device offering a feature PCI cannot serve (ADMIN_VQ) that a driver already uses
	 * (status not 0): its offer cannot be trimmed any more, so the function is refused
	 * instead of offering ADMIN_VQ with no admin queue behind it. */
	static struct vplat_vq vqs2[NQUEUES];
	struct vplat_device dev2;
	ck_assert_int_eq(vplat_device_init(&dev2, &test_ops, NULL, &mem, vqs2, NQUEUES, QSIZE_MAX,
					   config, sizeof(config)),
			 0);
	dev2.status = VPLAT_VIRTIO_STATUS_ACKNOWLEDGE;
	ck_assert_int_eq(vplat_pci_init(&other, &dev2, &p), VPLAT_EINVAL);
	ck_assert(dev2.host_features & VPLAT_BIT(VPLAT_VIRTIO_F_ADMIN_VQ));
	dev2.status = 0; /* the same device before any driver: trimmed and accepted */
	ck_assert_int_eq(vplat_pci_init(&other, &dev2, &p), 0);
	ck_assert(!(dev2.host_features & VPLAT_BIT(VPLAT_VIRTIO_F_ADMIN_VQ)));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc = tcase_create("function");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pci_ids);
	tcase_add_test(tc, pci_class_codes);
	tcase_add_test(tc, pci_cap_list_walk);
	tcase_add_test(tc, pci_cap_list_shared_memory);
	tcase_add_test(tc, pci_bar_sizing);
	tcase_add_test(tc, pci_command_and_cfg_access);
	tcase_add_test(tc, pci_caps_read_only);
	tcase_add_test(tc, pci_common_features);
	tcase_add_test(tc, pci_common_access_widths);
	tcase_add_test(tc, pci_common_queue_fields);
	tcase_add_test(tc, pci_queue_enable_and_lock);
	tcase_add_test(tc, pci_queue_reset_sequence);
	tcase_add_test(tc, pci_queue_reset_needs_feature);
	tcase_add_test(tc, pci_msix_vector_mapping);
	tcase_add_test(tc, pci_isr_read_clears);
	tcase_add_test(tc, pci_msix_delivery);
	tcase_add_test(tc, pci_msix_masking_and_pending);
	tcase_add_test(tc, pci_notify_16bit);
	tcase_add_test(tc, pci_notify_data);
	tcase_add_test(tc, pci_status_reset_clears_everything);
	tcase_add_test(tc, pci_config_generation_and_device_cfg);
	tcase_add_test(tc, pci_cfg_window);
	tcase_add_test(tc, pci_init_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(make_suite());
}
