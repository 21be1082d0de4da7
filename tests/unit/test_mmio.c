/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-mmio v2 register model (lib/transport/mmio.c).
 *
 * Each test names the clause it checks. "Layout" below abbreviates
 * "Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout".
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"
#include "vplat/spec/virtio_mmio.h"

#define GPA_BASE  0x100000u
#define MEM_SIZE  0x10000u
#define NQUEUES   2
#define QSIZE_MAX 64
#define VENDOR    0x4c504c56u /* "VLPL" */
#define F_ADMIN   VPLAT_BIT(VPLAT_VIRTIO_F_ADMIN_VQ)

/* Split ring of 8 entries for queue q: descriptors, available ring, used ring. */
#define RING_DESC(q)   (GPA_BASE + 0x4000u * (q))
#define RING_DRIVER(q) (GPA_BASE + 0x4000u * (q) + 0x1000u)
#define RING_DEVICE(q) (GPA_BASE + 0x4000u * (q) + 0x2000u)

static struct vplat_mem_region regions[2];
static struct vplat_mem mem;
static void *guest;
static struct vplat_vq vqs[NQUEUES];
static uint8_t config[12];
static struct vplat_device dev;
static struct vplat_mmio t;

/* What the device model and the interrupt line saw. */
static int kicks;
static int kick_index;
static uint32_t kick_data;
static int queue_resets;
static uint8_t written[8];
static uint32_t written_off, written_len;
static int irq_calls;
static bool irq_level;

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

static void t_config_write(struct vplat_device *d, uint32_t off, const void *data, uint32_t len)
{
	(void)d;
	written_off = off;
	written_len = len;
	memcpy(written, data, len);
}

static const struct vplat_device_ops test_ops = {
	.name = "mmio-test",
	.device_id = VPLAT_VIRTIO_ID_RNG,
	.features = VPLAT_BIT(0) | VPLAT_BIT(5) | F_ADMIN,
	.queue_notify = t_queue_notify,
	.queue_reset = t_queue_reset,
	.config_write = t_config_write,
};

static void t_irq(void *opaque, bool level)
{
	ck_assert_ptr_eq(opaque, &t);
	irq_calls++;
	irq_level = level;
}

static void setup(void)
{
	guest = calloc(1, MEM_SIZE);
	ck_assert_ptr_nonnull(guest);
	ck_assert_int_eq(vplat_mem_init(&mem, regions, 2), 0);
	ck_assert_int_eq(vplat_mem_add(&mem, GPA_BASE, MEM_SIZE, guest), 0);
	for (unsigned i = 0; i < sizeof(config); i++)
		config[i] = (uint8_t)(0x10 + i);
	ck_assert_int_eq(vplat_device_init(&dev, &test_ops, NULL, &mem, vqs, NQUEUES, QSIZE_MAX,
					   config, sizeof(config)),
			 0);
	ck_assert_int_eq(vplat_mmio_init(&t, &dev, VENDOR, t_irq, &t), 0);
	kicks = queue_resets = irq_calls = 0;
	kick_index = -1;
	irq_level = false;
}

static void teardown(void)
{
	free(guest);
}

static uint32_t rd(uint32_t off)
{
	uint64_t v = 0xdead;

	ck_assert_int_eq(vplat_mmio_read(&t, off, 4, &v), 0);
	ck_assert_uint_le(v, UINT32_MAX);
	return (uint32_t)v;
}

static void wr(uint32_t off, uint32_t v)
{
	ck_assert_int_eq(vplat_mmio_write(&t, off, 4, v), 0);
}

/* Driver side of "General Initialization And Device Operation / Device Initialization" up to
 * FEATURES_OK with @p features (VERSION_1 added). */
static void negotiate(uint64_t features)
{
	features |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
					     VPLAT_VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_ne(rd(VPLAT_VIRTIO_MMIO_STATUS) & VPLAT_VIRTIO_STATUS_FEATURES_OK, 0);
}

static void driver_ok(void)
{
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
					     VPLAT_VIRTIO_STATUS_FEATURES_OK |
					     VPLAT_VIRTIO_STATUS_DRIVER_OK);
	ck_assert(vplat_device_is_live(&dev));
}

/* sec: MMIO-specific Initialization And Device Operation / Virtqueue Configuration. */
static void setup_queue(uint32_t q, uint32_t size)
{
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, q);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, size);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC(q));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, RING_DRIVER(q));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, RING_DEVICE(q));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
}

/* devicenormative: Layout: "MUST return 0x74726976 in MagicValue", "MUST return value 0x2 in
 * Version"; DeviceID and VendorID from the table. */
START_TEST(mmio_identity_registers)
{
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_DEVICE_ID), VPLAT_VIRTIO_ID_RNG);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_VENDOR_ID), VENDOR);
}
END_TEST

/* drivernormative: Layout: "MUST only use 32 bit wide and aligned reads and writes to access
 * the control registers": other accesses are refused, read 0 and change nothing. */
START_TEST(mmio_control_width_and_alignment)
{
	static const unsigned sizes[] = {1, 2, 8};
	uint64_t v;

	for (unsigned i = 0; i < 3; i++) {
		v = 0x55;
		ck_assert_int_eq(vplat_mmio_read(&t, VPLAT_VIRTIO_MMIO_MAGIC_VALUE, sizes[i], &v),
				 VPLAT_EINVAL);
		ck_assert_uint_eq(v, 0);
		ck_assert_int_eq(vplat_mmio_write(&t, VPLAT_VIRTIO_MMIO_STATUS, sizes[i], 1),
				 VPLAT_EINVAL);
	}
	v = 0x55;
	ck_assert_int_eq(vplat_mmio_read(&t, VPLAT_VIRTIO_MMIO_MAGIC_VALUE + 1, 4, &v),
			 VPLAT_EINVAL);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(vplat_mmio_read(&t, VPLAT_VIRTIO_MMIO_VERSION, 3, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_read(&t, VPLAT_VIRTIO_MMIO_VERSION, 0, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_write(&t, VPLAT_VIRTIO_MMIO_STATUS + 2, 4, 1), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_read(&t, 0, 4, NULL), VPLAT_EINVAL);
	/* nothing changed */
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_STATUS), 0);
}
END_TEST

/* drivernormative: Layout: "MUST NOT read from the write-only registers (direction W)": the
 * model answers such reads with 0. */
START_TEST(mmio_write_only_registers_read_zero)
{
	static const uint32_t wo[] = {
		VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, VPLAT_VIRTIO_MMIO_DRIVER_FEATURES,
		VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, VPLAT_VIRTIO_MMIO_QUEUE_SEL,
		VPLAT_VIRTIO_MMIO_QUEUE_SIZE,          VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY,
		VPLAT_VIRTIO_MMIO_INTERRUPT_ACK,       VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW,
		VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH,     VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW,
		VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH,   VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW,
		VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH,   VPLAT_VIRTIO_MMIO_SHM_SEL,
	};

	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 8);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC(1));
	wr(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	wr(VPLAT_VIRTIO_MMIO_SHM_SEL, 3);
	for (unsigned i = 0; i < sizeof(wo) / sizeof(wo[0]); i++)
		ck_assert_uint_eq(rd(wo[i]), 0);
	/* undescribed offsets read 0 as well (RAZ/WI) */
	ck_assert_uint_eq(rd(0x018), 0);
	ck_assert_uint_eq(rd(0x0f8), 0);
}
END_TEST

/* drivernormative: Layout: "MUST NOT write to the read-only registers (direction R)": the model
 * ignores such writes. */
START_TEST(mmio_read_only_registers_ignore_writes)
{
	uint32_t feat0 = rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES);
	uint32_t gen = rd(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION);

	wr(VPLAT_VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VPLAT_VIRTIO_MMIO_VERSION, 1);
	wr(VPLAT_VIRTIO_MMIO_DEVICE_ID, 7);
	wr(VPLAT_VIRTIO_MMIO_VENDOR_ID, 7);
	wr(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX, 1);
	wr(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	wr(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW, 0);
	wr(VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH, 0);
	wr(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION, gen + 1);
	wr(0x018, 0xffffffffu); /* undescribed */
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_DEVICE_ID), VPLAT_VIRTIO_ID_RNG);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_VENDOR_ID), VENDOR);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES), feat0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX), QSIZE_MAX);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION), gen);
	ck_assert_int_eq(irq_calls, 0);
}
END_TEST

/* Table, DeviceFeatures: "bits DeviceFeaturesSel*32 to (DeviceFeaturesSel*32)+31"; no feature
 * exceeds 63, so selects above 1 read 0. */
START_TEST(mmio_device_features_select)
{
	wr(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)dev.host_features);
	ck_assert_uint_ne(rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES) & VPLAT_BIT(5), 0);
	wr(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES),
			  (uint32_t)(dev.host_features >> 32));
	ck_assert_uint_ne(rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES) & 1u, 0); /* VERSION_1 = bit 32 */
	wr(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffffu);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES), 0);
}
END_TEST

/* sec: Virtio Over MMIO: NOTIF_CONFIG_DATA, SR_IOV and ADMIN_VQ have no MMIO mechanism and are
 * never offered, even when the model offers them. */
START_TEST(mmio_offer_trimmed)
{
	ck_assert_uint_eq(dev.host_features & F_ADMIN, 0);
	wr(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint32_t hi = rd(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert_uint_eq(hi & (1u << (VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA - 32)), 0);
	ck_assert_uint_eq(hi & (1u << (VPLAT_VIRTIO_F_SR_IOV - 32)), 0);
	ck_assert_uint_eq(hi & (1u << (VPLAT_VIRTIO_F_ADMIN_VQ - 32)), 0);
	/* what the device can serve stays */
	ck_assert_uint_ne(hi & (1u << (VPLAT_VIRTIO_F_RING_RESET - 32)), 0);
	ck_assert_uint_ne(hi & (1u << (VPLAT_VIRTIO_F_NOTIFICATION_DATA - 32)), 0);
}
END_TEST

/* Table, DriverFeatures/DriverFeaturesSel; drivernormative: Layout: "Before writing to the
 * DriverFeatures register, the driver MUST write a value to the DriverFeaturesSel register". */
START_TEST(mmio_driver_features_select)
{
	negotiate(VPLAT_BIT(5) | VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	ck_assert_uint_eq(dev.features, VPLAT_BIT(5) | VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET) |
						VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1));
	/* words above 1 carry nothing, and bits are frozen from FEATURES_OK on */
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffffu);
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert(vplat_device_has_feature(&dev, 5));
}
END_TEST

/* Table, QueueSizeMax: "zero (0x0) if the queue is not available". */
START_TEST(mmio_queue_size_max)
{
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX), QSIZE_MAX);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX), QSIZE_MAX);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, NQUEUES);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX), 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 0x10000u); /* would alias queue 0 if truncated */
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX), 0);
	ck_assert_int_eq(vplat_device_set_queue_max(&dev, 1, 0), 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX), 0);
}
END_TEST

/* sec: MMIO-specific Initialization And Device Operation / Virtqueue Configuration: size and
 * the three areas, then QueueReady=1; QueueReady "returns the last value written to it". */
START_TEST(mmio_queue_configuration)
{
	negotiate(0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 8);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC(1));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, RING_DRIVER(1));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, RING_DEVICE(1));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	ck_assert_uint_eq(vqs[1].size, 8);
	ck_assert_uint_eq(vqs[1].desc_addr, RING_DESC(1));
	ck_assert_uint_eq(vqs[1].driver_addr, RING_DRIVER(1));
	ck_assert_uint_eq(vqs[1].device_addr, RING_DEVICE(1));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert(vqs[1].enabled);
	/* the other queue is untouched */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	/* 64-bit addresses are assembled from both halves */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x12);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, 0x345000);
	ck_assert_uint_eq(vqs[0].desc_addr, UINT64_C(0x1200345000));
}
END_TEST

/* QueueReady=1 with rings outside guest memory, a bad size, or before FEATURES_OK is refused
 * by the core: the queue stays not ready and QueueReady reads 0. */
START_TEST(mmio_queue_ready_refused)
{
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 8);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC(0));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, RING_DRIVER(0));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, RING_DEVICE(0));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1); /* before FEATURES_OK */
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	negotiate(0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, 0x10); /* not guest memory */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC(0));
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 6); /* not a power of 2 */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 0x10008); /* above 16 bits */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 8);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 1);
}
END_TEST

/* drivernormative: Layout: "When QueueReady is not zero, the driver MUST NOT access QueueSize,
 * QueueDescLow, ...": the model ignores such writes so a live ring never moves. */
START_TEST(mmio_queue_registers_locked_while_ready)
{
	negotiate(0);
	setup_queue(0, 8);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 1);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 16);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, 1);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x1000);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 1);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x1000);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 1);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1); /* again: no change */
	ck_assert_uint_eq(vqs[0].size, 8);
	ck_assert_uint_eq(vqs[0].desc_addr, RING_DESC(0));
	ck_assert_uint_eq(vqs[0].driver_addr, RING_DRIVER(0));
	ck_assert_uint_eq(vqs[0].device_addr, RING_DEVICE(0));
	ck_assert(vqs[0].enabled);
}
END_TEST

/* drivernormative: Layout: "To stop using the queue the driver MUST write zero (0x0) to this
 * QueueReady and MUST read the value back to ensure synchronization." */
START_TEST(mmio_queue_ready_zero_stops_queue)
{
	negotiate(0);
	setup_queue(1, 8);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(!vqs[1].enabled);
	ck_assert(!vqs[1].live);
	/* the queue can be configured again */
	setup_queue(1, 4);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(vqs[1].size, 4);
}
END_TEST

/* devicenormative: Layout, QueueReset: 0 on reset and after QueueReady; writing 1 resets the
 * queue; "MUST present 0 in both QueueReset and QueueReady when queue reset has completed";
 * sec: Virtqueue Reset / Virtqueue Re-enable. */
START_TEST(mmio_queue_reset_sequence)
{
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_RESET), 0);
	negotiate(VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	setup_queue(0, 8);
	setup_queue(1, 8);
	driver_ok();
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_RESET), 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_RESET, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_RESET), 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_int_eq(queue_resets, 1);
	ck_assert_uint_eq(vqs[1].desc_addr, 0);
	/* queue 0 is still live, and the device too */
	ck_assert(vqs[0].enabled);
	ck_assert(vplat_device_is_live(&dev));
	/* re-enable with different parameters */
	setup_queue(1, 16);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_RESET), 0);
	ck_assert_uint_eq(vqs[1].size, 16);
	/* kicks reach the re-enabled queue */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert_int_eq(kicks, 1);
}
END_TEST

/* Table, QueueReset: "If VIRTIO_F_RING_RESET has been negotiated, writing one ... resets the
 * queue": without the feature the write does nothing. */
START_TEST(mmio_queue_reset_needs_feature)
{
	negotiate(0);
	setup_queue(0, 8);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_RESET, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_int_eq(queue_resets, 0);
}
END_TEST

/* sec: MMIO-specific Initialization And Device Operation / Available Buffer Notifications:
 * without NOTIFICATION_DATA the value is the queue index. */
START_TEST(mmio_queue_notify_index)
{
	negotiate(0);
	setup_queue(0, 8);
	setup_queue(1, 8);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert_int_eq(kicks, 0); /* before DRIVER_OK: ignored */
	driver_ok();
	wr(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert_int_eq(kicks, 1);
	ck_assert_int_eq(kick_index, 1);
	ck_assert_uint_eq(kick_data, 0);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, 0x10000u); /* not a queue index */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, 7);        /* no such queue */
	ck_assert_int_eq(kicks, 1);
}
END_TEST

/* Same clause, with VIRTIO_F_NOTIFICATION_DATA: le32 {vq_index:16, next_off:15, next_wrap:1}. */
START_TEST(mmio_queue_notify_data)
{
	negotiate(VPLAT_BIT(VPLAT_VIRTIO_F_NOTIFICATION_DATA));
	setup_queue(0, 8);
	setup_queue(1, 8);
	driver_ok();
	uint32_t v = VPLAT_VIRTIO_NOTIFY_DATA(1, 5, 1);
	wr(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, v);
	ck_assert_int_eq(kicks, 1);
	ck_assert_int_eq(kick_index, 1);
	ck_assert_uint_eq(kick_data, v);
}
END_TEST

/* devicenormative: Layout: "MUST present each event by setting the corresponding bit in
 * InterruptStatus ... until the driver acknowledges the interrupt ... Bits which do not
 * represent events which took place MUST be zero"; sec: Notifications From The Device. */
START_TEST(mmio_interrupt_status_and_ack)
{
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	dev.interrupt->used(&dev, &vqs[0]);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), VPLAT_VIRTIO_MMIO_INT_VRING);
	ck_assert(irq_level);
	ck_assert_int_eq(irq_calls, 1);
	dev.interrupt->config(&dev);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS),
			  VPLAT_VIRTIO_MMIO_INT_VRING | VPLAT_VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq_calls, 1); /* still asserted: no new edge */
	/* reading does not clear */
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	wr(VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, VPLAT_VIRTIO_MMIO_INT_VRING | 0xfff0u);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), VPLAT_VIRTIO_MMIO_INT_CONFIG);
	ck_assert(irq_level);
	wr(VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, VPLAT_VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!irq_level);
	ck_assert_int_eq(irq_calls, 2);
	/* a new event raises the line again */
	dev.interrupt->used(&dev, &vqs[1]);
	ck_assert(irq_level);
	ck_assert_int_eq(irq_calls, 3);
}
END_TEST

/* Table, Status: reads return the flags, non-zero writes set them. */
START_TEST(mmio_status_read_write)
{
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_STATUS), VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	/* upper 24 bits are reserved: ignored */
	wr(VPLAT_VIRTIO_MMIO_STATUS, 0xff00u | VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
					     VPLAT_VIRTIO_STATUS_DRIVER);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_STATUS),
			  VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
}
END_TEST

/* devicenormative: Layout: "Upon reset, the device MUST clear all bits in InterruptStatus and
 * ready bits in the QueueReady register for all queues in the device"; Table, Status:
 * "Writing zero (0x0) to this register triggers a device reset." */
START_TEST(mmio_status_zero_resets_everything)
{
	negotiate(VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	setup_queue(0, 8);
	setup_queue(1, 8);
	driver_ok();
	dev.interrupt->used(&dev, &vqs[0]);
	vplat_device_config_changed(&dev);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	ck_assert(irq_level);

	wr(VPLAT_VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!irq_level);
	for (uint32_t q = 0; q < NQUEUES; q++) {
		wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, q);
		ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_READY), 0);
		ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_QUEUE_RESET), 0);
		ck_assert_uint_eq(vqs[q].desc_addr, 0);
	}
	ck_assert_uint_eq(dev.features, 0);
	/* kicks after reset go nowhere */
	wr(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(kicks, 0);
	/* the device can be brought up again */
	negotiate(0);
	setup_queue(0, 8);
	driver_ok();
}
END_TEST

/* devicenormative: Layout: "MUST change value returned in ConfigGeneration if there is any risk
 * of a driver seeing an inconsistent configuration state"; a change after DRIVER_OK also
 * sends a configuration change notification (InterruptStatus bit 1). */
START_TEST(mmio_config_generation_changes)
{
	uint32_t g0 = rd(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION);

	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION), g0); /* stable */
	vplat_device_config_changed(&dev);
	uint32_t g1 = rd(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION);
	ck_assert_uint_ne(g1, g0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 0); /* no driver yet */
	negotiate(0);
	driver_ok();
	vplat_device_config_changed(&dev);
	ck_assert_uint_ne(rd(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION), g1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), VPLAT_VIRTIO_MMIO_INT_CONFIG);
	ck_assert(irq_level);
}
END_TEST

/* Table, Config: from 0x100, little-endian; drivernormative: Layout: 8-bit accesses for 8-bit
 * fields, 16-bit aligned for 16-bit, 32-bit aligned for 32- and 64-bit fields. */
START_TEST(mmio_config_space_reads)
{
	uint64_t v;

	ck_assert_int_eq(vplat_mmio_read(&t, 0x100, 1, &v), 0);
	ck_assert_uint_eq(v, 0x10);
	ck_assert_int_eq(vplat_mmio_read(&t, 0x102, 2, &v), 0);
	ck_assert_uint_eq(v, 0x1312);
	ck_assert_int_eq(vplat_mmio_read(&t, 0x104, 4, &v), 0);
	ck_assert_uint_eq(v, 0x17161514u);
	/* an aligned 64-bit access is accepted as one */
	ck_assert_int_eq(vplat_mmio_read(&t, 0x100, 8, &v), 0);
	ck_assert_uint_eq(v, UINT64_C(0x1716151413121110));
	/* misaligned or odd widths are refused */
	v = 1;
	ck_assert_int_eq(vplat_mmio_read(&t, 0x101, 2, &v), VPLAT_EINVAL);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(vplat_mmio_read(&t, 0x102, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_read(&t, 0x104, 8, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_read(&t, 0x100, 3, &v), VPLAT_EINVAL);
	/* past the config space: 0 */
	ck_assert_int_eq(vplat_mmio_read(&t, 0x100 + sizeof(config), 4, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(vplat_mmio_read(&t, UINT64_C(0xfffffffffffffff8), 8, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(vplat_mmio_read(&t, UINT64_C(0x100000100), 4, &v), 0);
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(mmio_config_space_writes)
{
	negotiate(0);
	ck_assert_int_eq(vplat_mmio_write(&t, 0x104, 4, 0xa1b2c3d4u), 0);
	ck_assert_uint_eq(written_off, 4);
	ck_assert_uint_eq(written_len, 4);
	ck_assert_uint_eq(written[0], 0xd4);
	ck_assert_uint_eq(written[3], 0xa1);
	ck_assert_int_eq(vplat_mmio_write(&t, 0x102, 2, 0xbeef), 0);
	ck_assert_uint_eq(written_off, 2);
	ck_assert_uint_eq(written[0], 0xef);
	written_len = 0;
	ck_assert_int_eq(vplat_mmio_write(&t, 0x103, 2, 0xbeef), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_write(&t, 0x100 + sizeof(config), 4, 1), 0); /* past end */
	ck_assert_uint_eq(written_len, 0);
}
END_TEST

/* Table, SHMLenLow/High and SHMBaseLow/High: a non-existent region reads length -1 and base
 * 0xffffffffffffffff. */
START_TEST(mmio_shm_without_regions)
{
	static const uint32_t sel[] = {0, 1, 255, 256, 0xffffffffu};

	for (unsigned i = 0; i < 5; i++) {
		wr(VPLAT_VIRTIO_MMIO_SHM_SEL, sel[i]);
		ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
		ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
		ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_BASE_LOW), 0xffffffffu);
		ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffffu);
	}
}
END_TEST

/* Table, SHMSel: selects the region by shmid (sec: Shared Memory Regions). */
START_TEST(mmio_shm_with_regions)
{
	static struct vplat_shm_region shm[2] = {
		{.id = 0, .addr = UINT64_C(0x123400000000), .len = UINT64_C(0x200000000)},
		{.id = 7, .addr = 0x80000000u, .len = 0x1000},
	};

	dev.shm = shm;
	dev.nshm = 2;
	wr(VPLAT_VIRTIO_MMIO_SHM_SEL, 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW), 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH), 2);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_BASE_LOW), 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH), 0x1234);
	wr(VPLAT_VIRTIO_MMIO_SHM_SEL, 7);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW), 0x1000);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH), 0);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_BASE_LOW), 0x80000000u);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH), 0);
	wr(VPLAT_VIRTIO_MMIO_SHM_SEL, 1); /* index 1 exists, shmid 1 does not */
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffffu);
	wr(VPLAT_VIRTIO_MMIO_SHM_SEL, 0x107); /* would alias shmid 7 if truncated */
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
}
END_TEST

/* A polled driver (no interrupt callback) still sees InterruptStatus. */
START_TEST(mmio_polled_without_irq)
{
	ck_assert_int_eq(vplat_mmio_init(&t, &dev, VENDOR, NULL, NULL), 0);
	dev.interrupt->used(&dev, &vqs[0]);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	wr(VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, 1);
	ck_assert_uint_eq(rd(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(irq_calls, 0);
}
END_TEST

START_TEST(mmio_init_arguments)
{
	struct vplat_mmio other;

	ck_assert_int_eq(vplat_mmio_init(NULL, &dev, 0, NULL, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_init(&other, NULL, 0, NULL, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mmio_write(NULL, 0x70, 4, 0), VPLAT_EINVAL);
	ck_assert_ptr_eq(dev.transport, &t);
	ck_assert_ptr_nonnull(dev.interrupt);
	uint64_t v = 1;
	ck_assert_int_eq(vplat_mmio_read(NULL, 0x70, 4, &v), VPLAT_EINVAL);
	ck_assert_uint_eq(v, 0);
	memset(&other, 0, sizeof(other)); /* never initialized: no device */
	ck_assert_int_eq(vplat_mmio_read(&other, 0x70, 4, &v), VPLAT_EINVAL);
	/* The offer cannot be trimmed once the driver started: the transport refuses to attach. */
	ck_assert_int_eq(vplat_device_init(&dev, &test_ops, NULL, &mem, vqs, NQUEUES, QSIZE_MAX,
					   config, sizeof(config)), 0);
	vplat_device_set_status(&dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_int_eq(vplat_mmio_init(&other, &dev, 0, NULL, NULL), VPLAT_EINVAL);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("mmio");
	TCase *tc = tcase_create("registers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mmio_identity_registers);
	tcase_add_test(tc, mmio_control_width_and_alignment);
	tcase_add_test(tc, mmio_write_only_registers_read_zero);
	tcase_add_test(tc, mmio_read_only_registers_ignore_writes);
	tcase_add_test(tc, mmio_device_features_select);
	tcase_add_test(tc, mmio_offer_trimmed);
	tcase_add_test(tc, mmio_driver_features_select);
	tcase_add_test(tc, mmio_queue_size_max);
	tcase_add_test(tc, mmio_queue_configuration);
	tcase_add_test(tc, mmio_queue_ready_refused);
	tcase_add_test(tc, mmio_queue_registers_locked_while_ready);
	tcase_add_test(tc, mmio_queue_ready_zero_stops_queue);
	tcase_add_test(tc, mmio_queue_reset_sequence);
	tcase_add_test(tc, mmio_queue_reset_needs_feature);
	tcase_add_test(tc, mmio_queue_notify_index);
	tcase_add_test(tc, mmio_queue_notify_data);
	tcase_add_test(tc, mmio_interrupt_status_and_ack);
	tcase_add_test(tc, mmio_status_read_write);
	tcase_add_test(tc, mmio_status_zero_resets_everything);
	tcase_add_test(tc, mmio_config_generation_changes);
	tcase_add_test(tc, mmio_config_space_reads);
	tcase_add_test(tc, mmio_config_space_writes);
	tcase_add_test(tc, mmio_shm_without_regions);
	tcase_add_test(tc, mmio_shm_with_regions);
	tcase_add_test(tc, mmio_polled_without_irq);
	tcase_add_test(tc, mmio_init_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(make_suite());
}
