/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cross-checks every number in include/vplat/spec/: each constant, struct size and field
 * offset is compared with the value transcribed from the virtio 1.4 TeX sources (literals
 * below), and, where the build host has them, with Linux's <linux/virtio_*.h> and
 * <linux/pci_regs.h>. A missing Linux header makes its cross-check skip (exit 77). Linux
 * macros newer than 6.1 are compared only when defined; the cases tagged "linux-newer" (run
 * as their own CTest test, allowed to skip) report those that were not, and <linux/virtio_can.h>.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "vplat/spec.h"

#ifdef __has_include
#if __has_include(<linux/virtio_config.h>) && __has_include(<linux/virtio_ids.h>)
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#define HAVE_LINUX_CONFIG 1
#endif
#if __has_include(<linux/virtio_ring.h>)
#include <linux/virtio_ring.h>
#define HAVE_LINUX_RING 1
#endif
#if __has_include(<linux/virtio_mmio.h>)
#include <linux/virtio_mmio.h>
#define HAVE_LINUX_MMIO 1
#endif
#if __has_include(<linux/virtio_pci.h>)
#include <linux/virtio_pci.h>
#define HAVE_LINUX_PCI 1
#endif
#if __has_include(<linux/pci_regs.h>)
#include <linux/pci_regs.h>
#define HAVE_LINUX_PCI_REGS 1
#endif
#if __has_include(<linux/virtio_net.h>)
#include <linux/virtio_net.h>
#define HAVE_LINUX_NET 1
#endif
#if __has_include(<linux/virtio_blk.h>)
#include <linux/virtio_blk.h>
#define HAVE_LINUX_BLK 1
#endif
#if __has_include(<linux/virtio_console.h>)
#include <linux/virtio_console.h>
#define HAVE_LINUX_CONSOLE 1
#endif
#if __has_include(<linux/virtio_gpio.h>)
#include <linux/virtio_gpio.h>
#define HAVE_LINUX_GPIO 1
#endif
#if __has_include(<linux/virtio_snd.h>)
#include <linux/virtio_snd.h>
#define HAVE_LINUX_SND 1
#endif
#if __has_include(<linux/virtio_i2c.h>)
#include <linux/virtio_i2c.h>
#define HAVE_LINUX_I2C 1
#endif
#if __has_include(<linux/virtio_input.h>)
#include <linux/virtio_input.h>
#define HAVE_LINUX_INPUT 1
#endif
#if __has_include(<linux/virtio_vsock.h>)
#include <linux/virtio_vsock.h>
#define HAVE_LINUX_VSOCK 1
#endif
#if __has_include(<linux/virtio_can.h>)
#include <linux/virtio_can.h>
#define HAVE_LINUX_CAN 1
#endif
#endif /* __has_include */

/* One comparison: what our header says and what it must be. */
struct kv {
	const char *what;
	uint64_t ours;
	uint64_t want;
};

/* Our constant against a spec literal. */
#define K(ours, want) {#ours, (uint64_t)(ours), (uint64_t)(want)}
/* Our constant against a Linux constant. */
#define L(ours, lnx) {#ours " == " #lnx, (uint64_t)(ours), (uint64_t)(lnx)}
/* Struct size against a literal, field offset against a literal. */
#define S(type, want) {"sizeof(" #type ")", sizeof(type), (uint64_t)(want)}
#define O(type, field, want) {"offsetof(" #type ", " #field ")", offsetof(type, field), (uint64_t)(want)}
/* Field offset and width against literals; FA checks the element size of an array member. */
#define F(type, field, off, width)                                                                \
	O(type, field, off), {"sizeof(" #type "." #field ")", sizeof(((type *)0)->field), (uint64_t)(width)}
#define FA(type, field, off, elem)                                                                \
	O(type, field, off),                                                                      \
	{"sizeof(" #type "." #field "[0])", sizeof(((type *)0)->field[0]), (uint64_t)(elem)}
/* The same for the struct named by T, which each table #defines first. */
#define FT(field, off, width) F(T, field, off, width)
#define FAT(field, off, elem) FA(T, field, off, elem)
/* Struct size / field offset against Linux's. */
#define LS(type, ltype) {"sizeof(" #type ") == sizeof(" #ltype ")", sizeof(type), sizeof(ltype)}
#define LO(type, field, ltype, lfield)                                                            \
	{"offsetof(" #type ", " #field ") == offsetof(" #ltype ", " #lfield ")",                 \
	 offsetof(type, field), offsetof(ltype, lfield)}

static void check(const struct kv *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(t[i].ours == t[i].want, "%s: have %#llx, want %#llx", t[i].what,
			      (unsigned long long)t[i].ours, (unsigned long long)t[i].want);
}
#define CHECK(...)                                                                                \
	do {                                                                                      \
		const struct kv t_[] = {__VA_ARGS__};                                             \
		check(t_, sizeof(t_) / sizeof(t_[0]));                                            \
	} while (0)

/* ---- virtio_config.h, virtio_ring.h (content.tex, split-ring.tex, packed-ring.tex) ---- */

START_TEST(config_spec)
{
	CHECK(K(VPLAT_VIRTIO_STATUS_ACKNOWLEDGE, 1), K(VPLAT_VIRTIO_STATUS_DRIVER, 2),
	      K(VPLAT_VIRTIO_STATUS_DRIVER_OK, 4), K(VPLAT_VIRTIO_STATUS_FEATURES_OK, 8),
	      K(VPLAT_VIRTIO_STATUS_SUSPEND, 16), K(VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET, 64),
	      K(VPLAT_VIRTIO_STATUS_FAILED, 128), K(VPLAT_VIRTIO_F_NOTIFY_ON_EMPTY, 24),
	      K(VPLAT_VIRTIO_F_ANY_LAYOUT, 27), K(VPLAT_VIRTIO_F_INDIRECT_DESC, 28),
	      K(VPLAT_VIRTIO_F_EVENT_IDX, 29), K(VPLAT_VIRTIO_F_VERSION_1, 32),
	      K(VPLAT_VIRTIO_F_ACCESS_PLATFORM, 33), K(VPLAT_VIRTIO_F_RING_PACKED, 34),
	      K(VPLAT_VIRTIO_F_IN_ORDER, 35), K(VPLAT_VIRTIO_F_ORDER_PLATFORM, 36),
	      K(VPLAT_VIRTIO_F_SR_IOV, 37), K(VPLAT_VIRTIO_F_NOTIFICATION_DATA, 38),
	      K(VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA, 39), K(VPLAT_VIRTIO_F_RING_RESET, 40),
	      K(VPLAT_VIRTIO_F_ADMIN_VQ, 41), K(VPLAT_VIRTIO_F_SUSPEND, 43),
	      K(VPLAT_VIRTIO_TRANSPORT_F_START, 24), K(VPLAT_VIRTIO_TRANSPORT_F_END, 40),
	      K(VPLAT_BIT(63), 0x8000000000000000ull), K(VPLAT_VIRTIO_ID_NET, 1),
	      K(VPLAT_VIRTIO_ID_BLOCK, 2), K(VPLAT_VIRTIO_ID_CONSOLE, 3), K(VPLAT_VIRTIO_ID_RNG, 4),
	      K(VPLAT_VIRTIO_ID_BALLOON, 5), K(VPLAT_VIRTIO_ID_SCSI, 8), K(VPLAT_VIRTIO_ID_9P, 9),
	      K(VPLAT_VIRTIO_ID_GPU, 16), K(VPLAT_VIRTIO_ID_INPUT, 18), K(VPLAT_VIRTIO_ID_VSOCK, 19),
	      K(VPLAT_VIRTIO_ID_FS, 26), K(VPLAT_VIRTIO_ID_I2C, 34),
	      K(VPLAT_VIRTIO_ID_WATCHDOG, 35), K(VPLAT_VIRTIO_ID_CAN, 36),
	      K(VPLAT_VIRTIO_ID_GPIO, 41));
}
END_TEST

START_TEST(config_linux)
{
#if !(defined(HAVE_LINUX_CONFIG))
	VPLAT_SKIP("no <linux/virtio_config.h> or <linux/virtio_ids.h> to check against");
#endif
#ifdef HAVE_LINUX_CONFIG
	CHECK(L(VPLAT_VIRTIO_STATUS_ACKNOWLEDGE, VIRTIO_CONFIG_S_ACKNOWLEDGE),
	      L(VPLAT_VIRTIO_STATUS_DRIVER, VIRTIO_CONFIG_S_DRIVER),
	      L(VPLAT_VIRTIO_STATUS_DRIVER_OK, VIRTIO_CONFIG_S_DRIVER_OK),
	      L(VPLAT_VIRTIO_STATUS_FEATURES_OK, VIRTIO_CONFIG_S_FEATURES_OK),
	      L(VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET, VIRTIO_CONFIG_S_NEEDS_RESET),
	      L(VPLAT_VIRTIO_STATUS_FAILED, VIRTIO_CONFIG_S_FAILED),
	      L(VPLAT_VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_NOTIFY_ON_EMPTY),
	      L(VPLAT_VIRTIO_F_ANY_LAYOUT, VIRTIO_F_ANY_LAYOUT),
	      L(VPLAT_VIRTIO_F_VERSION_1, VIRTIO_F_VERSION_1),
	      L(VPLAT_VIRTIO_ID_NET, VIRTIO_ID_NET), L(VPLAT_VIRTIO_ID_BLOCK, VIRTIO_ID_BLOCK),
	      L(VPLAT_VIRTIO_ID_CONSOLE, VIRTIO_ID_CONSOLE), L(VPLAT_VIRTIO_ID_RNG, VIRTIO_ID_RNG),
	      L(VPLAT_VIRTIO_ID_BALLOON, VIRTIO_ID_BALLOON), L(VPLAT_VIRTIO_ID_SCSI, VIRTIO_ID_SCSI),
	      L(VPLAT_VIRTIO_ID_9P, VIRTIO_ID_9P), L(VPLAT_VIRTIO_ID_GPU, VIRTIO_ID_GPU),
	      L(VPLAT_VIRTIO_ID_INPUT, VIRTIO_ID_INPUT), L(VPLAT_VIRTIO_ID_VSOCK, VIRTIO_ID_VSOCK));
#ifdef VIRTIO_ID_GPIO /* 5.15: all of the IDs below exist */
	CHECK(L(VPLAT_VIRTIO_ID_FS, VIRTIO_ID_FS), L(VPLAT_VIRTIO_ID_I2C, VIRTIO_ID_I2C_ADAPTER),
	      L(VPLAT_VIRTIO_ID_WATCHDOG, VIRTIO_ID_WATCHDOG), L(VPLAT_VIRTIO_ID_CAN, VIRTIO_ID_CAN),
	      L(VPLAT_VIRTIO_ID_GPIO, VIRTIO_ID_GPIO));
#endif
#ifdef VIRTIO_F_ACCESS_PLATFORM
	CHECK(L(VPLAT_VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_ACCESS_PLATFORM),
	      L(VPLAT_VIRTIO_F_RING_PACKED, VIRTIO_F_RING_PACKED),
	      L(VPLAT_VIRTIO_F_IN_ORDER, VIRTIO_F_IN_ORDER),
	      L(VPLAT_VIRTIO_F_ORDER_PLATFORM, VIRTIO_F_ORDER_PLATFORM),
	      L(VPLAT_VIRTIO_F_SR_IOV, VIRTIO_F_SR_IOV));
#endif
#ifdef VIRTIO_F_NOTIFICATION_DATA
	CHECK(L(VPLAT_VIRTIO_F_NOTIFICATION_DATA, VIRTIO_F_NOTIFICATION_DATA));
#endif
#ifdef VIRTIO_F_NOTIF_CONFIG_DATA
	CHECK(L(VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA, VIRTIO_F_NOTIF_CONFIG_DATA));
#endif
#ifdef VIRTIO_F_RING_RESET
	CHECK(L(VPLAT_VIRTIO_F_RING_RESET, VIRTIO_F_RING_RESET));
#endif
#ifdef VIRTIO_F_ADMIN_VQ
	CHECK(L(VPLAT_VIRTIO_F_ADMIN_VQ, VIRTIO_F_ADMIN_VQ));
#endif
#ifdef VIRTIO_CONFIG_S_SUSPEND
	CHECK(L(VPLAT_VIRTIO_STATUS_SUSPEND, VIRTIO_CONFIG_S_SUSPEND));
#endif
#ifdef VIRTIO_F_SUSPEND
	CHECK(L(VPLAT_VIRTIO_F_SUSPEND, VIRTIO_F_SUSPEND));
#endif
#endif
}
END_TEST

START_TEST(ring_spec)
{
	CHECK(K(VPLAT_VIRTQ_DESC_F_NEXT, 1), K(VPLAT_VIRTQ_DESC_F_WRITE, 2),
	      K(VPLAT_VIRTQ_DESC_F_INDIRECT, 4), K(VPLAT_VIRTQ_MAX_SIZE, 32768),
	      K(VPLAT_VIRTQ_AVAIL_F_NO_INTERRUPT, 1), K(VPLAT_VIRTQ_USED_F_NO_NOTIFY, 1),
	      K(VPLAT_VIRTQ_DESC_SIZE(256), 4096), K(VPLAT_VIRTQ_AVAIL_SIZE(256), 518),
	      K(VPLAT_VIRTQ_USED_SIZE(256), 2054), K(VPLAT_VIRTQ_DESC_ALIGN, 16),
	      K(VPLAT_VIRTQ_AVAIL_ALIGN, 2), K(VPLAT_VIRTQ_USED_ALIGN, 4),
	      K(VPLAT_VIRTQ_DESC_F_AVAIL, 0x80), K(VPLAT_VIRTQ_DESC_F_USED, 0x8000),
	      K(VPLAT_RING_EVENT_FLAGS_ENABLE, 0), K(VPLAT_RING_EVENT_FLAGS_DISABLE, 1),
	      K(VPLAT_RING_EVENT_FLAGS_DESC, 2), K(VPLAT_PVIRTQ_DESC_SIZE(100), 1600),
	      K(VPLAT_PVIRTQ_EVENT_SIZE, 4));
#define T struct vplat_virtq_desc
	CHECK(S(T, 16), FT(addr, 0, 8), FT(len, 8, 4), FT(flags, 12, 2), FT(next, 14, 2));
#undef T
#define T struct vplat_virtq_avail
	CHECK(S(T, 4), FT(flags, 0, 2), FT(idx, 2, 2), FAT(ring, 4, 2));
#undef T
#define T struct vplat_virtq_used_elem
	CHECK(S(T, 8), FT(id, 0, 4), FT(len, 4, 4));
#undef T
#define T struct vplat_virtq_used
	CHECK(S(T, 4), FT(flags, 0, 2), FT(idx, 2, 2), FAT(ring, 4, 8));
#undef T
#define T struct vplat_pvirtq_desc
	CHECK(S(T, 16), FT(addr, 0, 8), FT(len, 8, 4), FT(id, 12, 2), FT(flags, 14, 2));
#undef T
#define T struct vplat_pvirtq_event_suppress
	CHECK(S(T, 4), FT(desc, 0, 2), FT(flags, 2, 2));
#undef T
}
END_TEST

START_TEST(ring_linux)
{
#if !(defined(HAVE_LINUX_RING))
	VPLAT_SKIP("no <linux/virtio_ring.h> to check against");
#endif
#ifdef HAVE_LINUX_RING
	CHECK(L(VPLAT_VIRTQ_DESC_F_NEXT, VRING_DESC_F_NEXT),
	      L(VPLAT_VIRTQ_DESC_F_WRITE, VRING_DESC_F_WRITE),
	      L(VPLAT_VIRTQ_DESC_F_INDIRECT, VRING_DESC_F_INDIRECT),
	      L(VPLAT_VIRTQ_AVAIL_F_NO_INTERRUPT, VRING_AVAIL_F_NO_INTERRUPT),
	      L(VPLAT_VIRTQ_USED_F_NO_NOTIFY, VRING_USED_F_NO_NOTIFY),
	      L(VPLAT_VIRTIO_F_INDIRECT_DESC, VIRTIO_RING_F_INDIRECT_DESC),
	      L(VPLAT_VIRTIO_F_EVENT_IDX, VIRTIO_RING_F_EVENT_IDX),
	      LS(struct vplat_virtq_desc, struct vring_desc),
	      LO(struct vplat_virtq_desc, len, struct vring_desc, len),
	      LO(struct vplat_virtq_desc, flags, struct vring_desc, flags),
	      LO(struct vplat_virtq_desc, next, struct vring_desc, next),
	      LO(struct vplat_virtq_avail, idx, struct vring_avail, idx),
	      LO(struct vplat_virtq_avail, ring, struct vring_avail, ring),
	      LS(struct vplat_virtq_used_elem, struct vring_used_elem),
	      LO(struct vplat_virtq_used_elem, len, struct vring_used_elem, len),
	      LO(struct vplat_virtq_used, ring, struct vring_used, ring));
#ifdef VRING_PACKED_EVENT_FLAG_DESC
	CHECK(L(VPLAT_VIRTQ_DESC_F_AVAIL, 1u << VRING_PACKED_DESC_F_AVAIL),
	      L(VPLAT_VIRTQ_DESC_F_USED, 1u << VRING_PACKED_DESC_F_USED),
	      L(VPLAT_RING_EVENT_FLAGS_ENABLE, VRING_PACKED_EVENT_FLAG_ENABLE),
	      L(VPLAT_RING_EVENT_FLAGS_DISABLE, VRING_PACKED_EVENT_FLAG_DISABLE),
	      L(VPLAT_RING_EVENT_FLAGS_DESC, VRING_PACKED_EVENT_FLAG_DESC),
	      LS(struct vplat_pvirtq_desc, struct vring_packed_desc),
	      LO(struct vplat_pvirtq_desc, len, struct vring_packed_desc, len),
	      LO(struct vplat_pvirtq_desc, id, struct vring_packed_desc, id),
	      LO(struct vplat_pvirtq_desc, flags, struct vring_packed_desc, flags),
	      LS(struct vplat_pvirtq_event_suppress, struct vring_packed_desc_event),
	      LO(struct vplat_pvirtq_event_suppress, flags, struct vring_packed_desc_event, flags));
#endif
#endif
}
END_TEST

/* ---- virtio_notify.h, virtio_mmio.h (content.tex, transport-mmio.tex) ---- */

START_TEST(notify_layout)
{
	uint32_t d = 0x80058003u; /* vq 0x8003, next_off 5, wrap 1 */

	CHECK(K(VPLAT_VIRTIO_NOTIFY_VQ_INDEX_MASK, 0xffff), K(VPLAT_VIRTIO_NOTIFY_NEXT_OFF_SHIFT, 16),
	      K(VPLAT_VIRTIO_NOTIFY_NEXT_OFF_MASK, 0x7fff), K(VPLAT_VIRTIO_NOTIFY_NEXT_WRAP_SHIFT, 31),
	      K(VPLAT_VIRTIO_NOTIFY_VQ_INDEX(d), 0x8003), K(VPLAT_VIRTIO_NOTIFY_NEXT_OFF(d), 5),
	      K(VPLAT_VIRTIO_NOTIFY_NEXT_WRAP(d), 1), K(VPLAT_VIRTIO_NOTIFY_SPLIT_AVAIL_IDX(d), 0x8005),
	      K(VPLAT_VIRTIO_NOTIFY_DATA(0x8003, 5, 1), d),
	      K(VPLAT_VIRTIO_NOTIFY_DATA(0x1ffff, 0xffff, 3), 0xffffffffu),
	      K(VPLAT_VIRTIO_NOTIFY_NEXT_WRAP(0x7fffffffu), 0));
}
END_TEST

START_TEST(mmio_spec)
{
	CHECK(K(VPLAT_VIRTIO_MMIO_MAGIC_VALUE, 0x000), K(VPLAT_VIRTIO_MMIO_VERSION, 0x004),
	      K(VPLAT_VIRTIO_MMIO_DEVICE_ID, 0x008), K(VPLAT_VIRTIO_MMIO_VENDOR_ID, 0x00c),
	      K(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES, 0x010), K(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0x014),
	      K(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, 0x020), K(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0x024),
	      K(VPLAT_VIRTIO_MMIO_QUEUE_SEL, 0x030), K(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX, 0x034),
	      K(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, 0x038), K(VPLAT_VIRTIO_MMIO_QUEUE_READY, 0x044),
	      K(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, 0x050), K(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 0x060),
	      K(VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, 0x064), K(VPLAT_VIRTIO_MMIO_STATUS, 0x070),
	      K(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, 0x080), K(VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x084),
	      K(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x090), K(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0x094),
	      K(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x0a0), K(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0x0a4),
	      K(VPLAT_VIRTIO_MMIO_SHM_SEL, 0x0ac), K(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW, 0x0b0),
	      K(VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH, 0x0b4), K(VPLAT_VIRTIO_MMIO_SHM_BASE_LOW, 0x0b8),
	      K(VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH, 0x0bc), K(VPLAT_VIRTIO_MMIO_QUEUE_RESET, 0x0c0),
	      K(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION, 0x0fc), K(VPLAT_VIRTIO_MMIO_CONFIG, 0x100),
	      K(VPLAT_VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE, 0x028),
	      K(VPLAT_VIRTIO_MMIO_LEGACY_QUEUE_ALIGN, 0x03c), K(VPLAT_VIRTIO_MMIO_LEGACY_QUEUE_PFN, 0x040),
	      K(VPLAT_VIRTIO_MMIO_MAGIC, 0x74726976), K(VPLAT_VIRTIO_MMIO_VERSION_MODERN, 2),
	      K(VPLAT_VIRTIO_MMIO_VERSION_LEGACY, 1), K(VPLAT_VIRTIO_MMIO_SHM_NONE, UINT64_MAX),
	      K(VPLAT_VIRTIO_MMIO_INT_VRING, 1), K(VPLAT_VIRTIO_MMIO_INT_CONFIG, 2));
	/* The magic value is "virt" as little-endian bytes. */
	const uint32_t magic = VPLAT_VIRTIO_MMIO_MAGIC;
	CHECK(K(magic & 0xff, 'v'), K((magic >> 8) & 0xff, 'i'), K((magic >> 16) & 0xff, 'r'),
	      K(magic >> 24, 't'));
}
END_TEST

START_TEST(mmio_linux)
{
#if !(defined(HAVE_LINUX_MMIO))
	VPLAT_SKIP("no <linux/virtio_mmio.h> to check against");
#endif
#ifdef HAVE_LINUX_MMIO
	CHECK(L(VPLAT_VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_MAGIC_VALUE),
	      L(VPLAT_VIRTIO_MMIO_VERSION, VIRTIO_MMIO_VERSION),
	      L(VPLAT_VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_DEVICE_ID),
	      L(VPLAT_VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_VENDOR_ID),
	      L(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_DEVICE_FEATURES),
	      L(VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DEVICE_FEATURES_SEL),
	      L(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_MMIO_DRIVER_FEATURES),
	      L(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES_SEL),
	      L(VPLAT_VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE, VIRTIO_MMIO_GUEST_PAGE_SIZE),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_SEL, VIRTIO_MMIO_QUEUE_SEL),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX, VIRTIO_MMIO_QUEUE_NUM_MAX),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, VIRTIO_MMIO_QUEUE_NUM),
	      L(VPLAT_VIRTIO_MMIO_LEGACY_QUEUE_ALIGN, VIRTIO_MMIO_QUEUE_ALIGN),
	      L(VPLAT_VIRTIO_MMIO_LEGACY_QUEUE_PFN, VIRTIO_MMIO_QUEUE_PFN),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_READY, VIRTIO_MMIO_QUEUE_READY),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_QUEUE_NOTIFY),
	      L(VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_INTERRUPT_STATUS),
	      L(VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INTERRUPT_ACK),
	      L(VPLAT_VIRTIO_MMIO_STATUS, VIRTIO_MMIO_STATUS),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_DESC_LOW),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_DESC_HIGH),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, VIRTIO_MMIO_QUEUE_AVAIL_LOW),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_HIGH),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, VIRTIO_MMIO_QUEUE_USED_LOW),
	      L(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, VIRTIO_MMIO_QUEUE_USED_HIGH),
	      L(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_CONFIG_GENERATION),
	      L(VPLAT_VIRTIO_MMIO_CONFIG, VIRTIO_MMIO_CONFIG),
	      L(VPLAT_VIRTIO_MMIO_INT_VRING, VIRTIO_MMIO_INT_VRING),
	      L(VPLAT_VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_CONFIG));
#ifdef VIRTIO_MMIO_SHM_SEL
	CHECK(L(VPLAT_VIRTIO_MMIO_SHM_SEL, VIRTIO_MMIO_SHM_SEL),
	      L(VPLAT_VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_LEN_LOW),
	      L(VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH, VIRTIO_MMIO_SHM_LEN_HIGH),
	      L(VPLAT_VIRTIO_MMIO_SHM_BASE_LOW, VIRTIO_MMIO_SHM_BASE_LOW),
	      L(VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH, VIRTIO_MMIO_SHM_BASE_HIGH));
#endif
#ifdef VIRTIO_MMIO_QUEUE_RESET
	CHECK(L(VPLAT_VIRTIO_MMIO_QUEUE_RESET, VIRTIO_MMIO_QUEUE_RESET));
#endif
#endif
}
END_TEST

/* ---- virtio_pci.h (transport-pci.tex, PCI type-0 header) ---- */

START_TEST(pci_spec)
{
	CHECK(K(VPLAT_VIRTIO_PCI_VENDOR_ID, 0x1af4), K(VPLAT_VIRTIO_PCI_DEVICE_ID_FIRST, 0x1000),
	      K(VPLAT_VIRTIO_PCI_DEVICE_ID_LAST, 0x107f), K(VPLAT_VIRTIO_PCI_DEVICE_ID_BASE, 0x1040),
	      K(VPLAT_VIRTIO_PCI_DEVICE_ID(VPLAT_VIRTIO_ID_NET), 0x1041),
	      K(VPLAT_VIRTIO_PCI_DEVICE_ID(VPLAT_VIRTIO_ID_GPIO), 0x1069),
	      K(VPLAT_VIRTIO_PCI_TRANS_ID_LAST, 0x103f), K(VPLAT_VIRTIO_PCI_TRANS_ID_NET, 0x1000),
	      K(VPLAT_VIRTIO_PCI_TRANS_ID_BLOCK, 0x1001), K(VPLAT_VIRTIO_PCI_TRANS_ID_BALLOON, 0x1002),
	      K(VPLAT_VIRTIO_PCI_TRANS_ID_CONSOLE, 0x1003), K(VPLAT_VIRTIO_PCI_TRANS_ID_SCSI, 0x1004),
	      K(VPLAT_VIRTIO_PCI_TRANS_ID_RNG, 0x1005), K(VPLAT_VIRTIO_PCI_TRANS_ID_9P, 0x1009),
	      K(VPLAT_VIRTIO_PCI_MODERN_MIN_REVISION, 1), K(VPLAT_VIRTIO_PCI_MODERN_MIN_SUBSYS_ID, 0x40),
	      K(VPLAT_VIRTIO_PCI_CAP_COMMON_CFG, 1), K(VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG, 2),
	      K(VPLAT_VIRTIO_PCI_CAP_ISR_CFG, 3), K(VPLAT_VIRTIO_PCI_CAP_DEVICE_CFG, 4),
	      K(VPLAT_VIRTIO_PCI_CAP_PCI_CFG, 5), K(VPLAT_VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 8),
	      K(VPLAT_VIRTIO_PCI_CAP_VENDOR_CFG, 9), K(VPLAT_VIRTIO_PCI_NO_VECTOR, 0xffff),
	      K(VPLAT_VIRTIO_PCI_MSIX_MAX_VECTORS, 0x800), K(VPLAT_VIRTIO_PCI_ISR_QUEUE, 1),
	      K(VPLAT_VIRTIO_PCI_ISR_CONFIG, 2),
	      K(VPLAT_VIRTIO_PCI_NOTIFY_OFFSET(0x3000, 5, 4), 0x3014),
	      K(VPLAT_VIRTIO_PCI_NOTIFY_OFFSET(0, 0xffff, 0xffffffffu), 0xfffeffff0001ull));
	CHECK(K(VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE_SELECT, 0),
	      K(VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE, 4),
	      K(VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE_SELECT, 8),
	      K(VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE, 12), K(VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR, 16),
	      K(VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES, 18), K(VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, 20),
	      K(VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION, 21), K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, 22),
	      K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE, 24), K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR, 26),
	      K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE, 28), K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIFY_OFF, 30),
	      K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC, 32), K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER, 40),
	      K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DEVICE, 48),
	      K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA, 56),
	      K(VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET, 58), K(VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_INDEX, 60),
	      K(VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_NUM, 62), K(VPLAT_VIRTIO_PCI_COMMON_CFG_SIZE, 64));
	CHECK(K(VPLAT_VIRTIO_PCI_LEGACY_HOST_FEATURES, 0), K(VPLAT_VIRTIO_PCI_LEGACY_GUEST_FEATURES, 4),
	      K(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_PFN, 8), K(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_NUM, 12),
	      K(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_SEL, 14), K(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, 16),
	      K(VPLAT_VIRTIO_PCI_LEGACY_STATUS, 18), K(VPLAT_VIRTIO_PCI_LEGACY_ISR, 19),
	      K(VPLAT_VIRTIO_PCI_LEGACY_MSI_CONFIG_VECTOR, 20),
	      K(VPLAT_VIRTIO_PCI_LEGACY_MSI_QUEUE_VECTOR, 22),
	      K(VPLAT_VIRTIO_PCI_LEGACY_CONFIG_OFF(0), 20), K(VPLAT_VIRTIO_PCI_LEGACY_CONFIG_OFF(1), 24),
	      K(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_ADDR_SHIFT, 12), K(VPLAT_VIRTIO_PCI_LEGACY_VRING_ALIGN, 4096));
#define T struct vplat_virtio_pci_cap
	CHECK(S(T, 16), FT(cap_vndr, 0, 1), FT(cap_next, 1, 1), FT(cap_len, 2, 1), FT(cfg_type, 3, 1),
	      FT(bar, 4, 1), FT(id, 5, 1), FT(padding, 6, 2), FT(offset, 8, 4), FT(length, 12, 4));
#undef T
#define T struct vplat_virtio_pci_cap64
	CHECK(S(T, 24), FT(cap, 0, 16), FT(offset_hi, 16, 4), FT(length_hi, 20, 4));
#undef T
#define T struct vplat_virtio_pci_notify_cap
	CHECK(S(T, 20), FT(cap, 0, 16), FT(notify_off_multiplier, 16, 4));
#undef T
#define T struct vplat_virtio_pci_cfg_cap
	CHECK(S(T, 20), FT(cap, 0, 16), FT(pci_cfg_data, 16, 4));
#undef T
#define T struct vplat_virtio_pci_vndr_data
	CHECK(S(T, 6), FT(cap_vndr, 0, 1), FT(cap_next, 1, 1), FT(cap_len, 2, 1), FT(cfg_type, 3, 1),
	      FT(vendor_id, 4, 2));
#undef T
#define T struct vplat_virtio_pci_common_cfg
	CHECK(S(T, 64), FT(device_feature_select, 0, 4), FT(device_feature, 4, 4),
	      FT(driver_feature_select, 8, 4), FT(driver_feature, 12, 4), FT(config_msix_vector, 16, 2),
	      FT(num_queues, 18, 2), FT(device_status, 20, 1), FT(config_generation, 21, 1),
	      FT(queue_select, 22, 2), FT(queue_size, 24, 2), FT(queue_msix_vector, 26, 2),
	      FT(queue_enable, 28, 2), FT(queue_notify_off, 30, 2), FT(queue_desc, 32, 8),
	      FT(queue_driver, 40, 8), FT(queue_device, 48, 8), FT(queue_notif_config_data, 56, 2),
	      FT(queue_reset, 58, 2), FT(admin_queue_index, 60, 2), FT(admin_queue_num, 62, 2));
#undef T
}
END_TEST

START_TEST(pci_regs_spec)
{
	CHECK(K(VPLAT_PCI_CFG_VENDOR_ID, 0x00), K(VPLAT_PCI_CFG_DEVICE_ID, 0x02),
	      K(VPLAT_PCI_CFG_COMMAND, 0x04), K(VPLAT_PCI_CFG_STATUS, 0x06),
	      K(VPLAT_PCI_CFG_REVISION_ID, 0x08), K(VPLAT_PCI_CFG_CLASS_PROG, 0x09),
	      K(VPLAT_PCI_CFG_CLASS_SUB, 0x0a), K(VPLAT_PCI_CFG_CLASS_BASE, 0x0b),
	      K(VPLAT_PCI_CFG_CACHE_LINE_SIZE, 0x0c), K(VPLAT_PCI_CFG_LATENCY_TIMER, 0x0d),
	      K(VPLAT_PCI_CFG_HEADER_TYPE, 0x0e), K(VPLAT_PCI_CFG_BIST, 0x0f), K(VPLAT_PCI_CFG_BAR0, 0x10),
	      K(VPLAT_PCI_CFG_BAR1, 0x14), K(VPLAT_PCI_CFG_BAR2, 0x18), K(VPLAT_PCI_CFG_BAR3, 0x1c),
	      K(VPLAT_PCI_CFG_BAR4, 0x20), K(VPLAT_PCI_CFG_BAR5, 0x24), K(VPLAT_PCI_CFG_BAR(0), 0x10),
	      K(VPLAT_PCI_CFG_BAR(5), 0x24), K(VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID, 0x2c),
	      K(VPLAT_PCI_CFG_SUBSYSTEM_ID, 0x2e), K(VPLAT_PCI_CFG_ROM_ADDRESS, 0x30),
	      K(VPLAT_PCI_CFG_CAPABILITY_LIST, 0x34), K(VPLAT_PCI_CFG_INTERRUPT_LINE, 0x3c),
	      K(VPLAT_PCI_CFG_INTERRUPT_PIN, 0x3d), K(VPLAT_PCI_CFG_HEADER_SIZE, 0x40),
	      K(VPLAT_PCI_CFG_SPACE_SIZE, 0x100), K(VPLAT_PCI_COMMAND_IO, 0x1),
	      K(VPLAT_PCI_COMMAND_MEMORY, 0x2), K(VPLAT_PCI_COMMAND_MASTER, 0x4),
	      K(VPLAT_PCI_COMMAND_INTX_DISABLE, 0x400), K(VPLAT_PCI_STATUS_INTERRUPT, 0x08),
	      K(VPLAT_PCI_STATUS_CAP_LIST, 0x10), K(VPLAT_PCI_HEADER_TYPE_NORMAL, 0x00),
	      K(VPLAT_PCI_HEADER_TYPE_MULTIFN, 0x80), K(VPLAT_PCI_BAR_SPACE_IO, 0x1),
	      K(VPLAT_PCI_BAR_MEM_TYPE_MASK, 0x6), K(VPLAT_PCI_BAR_MEM_TYPE_64, 0x4),
	      K(VPLAT_PCI_BAR_MEM_PREFETCH, 0x8), K(VPLAT_PCI_CAP_ID_VNDR, 0x09),
	      K(VPLAT_PCI_CAP_ID_MSIX, 0x11), K(VPLAT_PCI_MSIX_CTRL_TABLE_SIZE, 0x7ff),
	      K(VPLAT_PCI_MSIX_CTRL_MASKALL, 0x4000), K(VPLAT_PCI_MSIX_CTRL_ENABLE, 0x8000),
	      K(VPLAT_PCI_MSIX_BIR_MASK, 0x7), K(VPLAT_PCI_MSIX_OFFSET_MASK, 0xfffffff8u),
	      K(VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT, 1));
#define T struct vplat_pci_msix_cap
	CHECK(S(T, 12), FT(cap_id, 0, 1), FT(cap_next, 1, 1), FT(msg_ctrl, 2, 2), FT(table, 4, 4),
	      FT(pba, 8, 4));
#undef T
#define T struct vplat_pci_msix_entry
	CHECK(S(T, 16), FT(addr_lo, 0, 4), FT(addr_hi, 4, 4), FT(data, 8, 4), FT(vector_ctrl, 12, 4));
#undef T
}
END_TEST

START_TEST(pci_linux)
{
#if !(defined(HAVE_LINUX_PCI) && defined(HAVE_LINUX_PCI_REGS) && defined(HAVE_LINUX_CONFIG))
	VPLAT_SKIP("no <linux/virtio_pci.h>, <linux/pci_regs.h> or <linux/virtio_config.h> to check against");
#endif
#ifdef HAVE_LINUX_PCI
	CHECK(L(VPLAT_VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_COMMON_CFG),
	      L(VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG),
	      L(VPLAT_VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_ISR_CFG),
	      L(VPLAT_VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_DEVICE_CFG),
	      L(VPLAT_VIRTIO_PCI_CAP_PCI_CFG, VIRTIO_PCI_CAP_PCI_CFG),
	      L(VPLAT_VIRTIO_PCI_NO_VECTOR, VIRTIO_MSI_NO_VECTOR),
	      L(VPLAT_VIRTIO_PCI_ISR_CONFIG, VIRTIO_PCI_ISR_CONFIG),
	      L(VPLAT_VIRTIO_PCI_LEGACY_HOST_FEATURES, VIRTIO_PCI_HOST_FEATURES),
	      L(VPLAT_VIRTIO_PCI_LEGACY_GUEST_FEATURES, VIRTIO_PCI_GUEST_FEATURES),
	      L(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_PFN, VIRTIO_PCI_QUEUE_PFN),
	      L(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_NUM, VIRTIO_PCI_QUEUE_NUM),
	      L(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_SEL, VIRTIO_PCI_QUEUE_SEL),
	      L(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, VIRTIO_PCI_QUEUE_NOTIFY),
	      L(VPLAT_VIRTIO_PCI_LEGACY_STATUS, VIRTIO_PCI_STATUS),
	      L(VPLAT_VIRTIO_PCI_LEGACY_ISR, VIRTIO_PCI_ISR),
	      L(VPLAT_VIRTIO_PCI_LEGACY_MSI_CONFIG_VECTOR, VIRTIO_MSI_CONFIG_VECTOR),
	      L(VPLAT_VIRTIO_PCI_LEGACY_MSI_QUEUE_VECTOR, VIRTIO_MSI_QUEUE_VECTOR),
	      L(VPLAT_VIRTIO_PCI_LEGACY_CONFIG_OFF(0), VIRTIO_PCI_CONFIG_OFF(0)),
	      L(VPLAT_VIRTIO_PCI_LEGACY_CONFIG_OFF(1), VIRTIO_PCI_CONFIG_OFF(1)),
	      L(VPLAT_VIRTIO_PCI_LEGACY_QUEUE_ADDR_SHIFT, VIRTIO_PCI_QUEUE_ADDR_SHIFT),
	      L(VPLAT_VIRTIO_PCI_LEGACY_VRING_ALIGN, VIRTIO_PCI_VRING_ALIGN));
	CHECK(LS(struct vplat_virtio_pci_cap, struct virtio_pci_cap),
	      L(offsetof(struct vplat_virtio_pci_cap, cap_vndr), VIRTIO_PCI_CAP_VNDR),
	      L(offsetof(struct vplat_virtio_pci_cap, cap_next), VIRTIO_PCI_CAP_NEXT),
	      L(offsetof(struct vplat_virtio_pci_cap, cap_len), VIRTIO_PCI_CAP_LEN),
	      L(offsetof(struct vplat_virtio_pci_cap, cfg_type), VIRTIO_PCI_CAP_CFG_TYPE),
	      L(offsetof(struct vplat_virtio_pci_cap, bar), VIRTIO_PCI_CAP_BAR),
	      L(offsetof(struct vplat_virtio_pci_cap, offset), VIRTIO_PCI_CAP_OFFSET),
	      L(offsetof(struct vplat_virtio_pci_cap, length), VIRTIO_PCI_CAP_LENGTH),
	      LO(struct vplat_virtio_pci_cap, id, struct virtio_pci_cap, id),
	      LO(struct vplat_virtio_pci_cap, padding, struct virtio_pci_cap, padding),
	      LS(struct vplat_virtio_pci_notify_cap, struct virtio_pci_notify_cap),
	      L(offsetof(struct vplat_virtio_pci_notify_cap, notify_off_multiplier),
		VIRTIO_PCI_NOTIFY_CAP_MULT),
	      LS(struct vplat_virtio_pci_cfg_cap, struct virtio_pci_cfg_cap),
	      LO(struct vplat_virtio_pci_cfg_cap, pci_cfg_data, struct virtio_pci_cfg_cap, pci_cfg_data));
#define LC(ours, lnx) L(offsetof(struct vplat_virtio_pci_common_cfg, ours), lnx)
#define LCO(ours, lf) LO(struct vplat_virtio_pci_common_cfg, ours, struct virtio_pci_common_cfg, lf)
	CHECK(LC(device_feature_select, VIRTIO_PCI_COMMON_DFSELECT),
	      LC(device_feature, VIRTIO_PCI_COMMON_DF), LC(driver_feature_select, VIRTIO_PCI_COMMON_GFSELECT),
	      LC(driver_feature, VIRTIO_PCI_COMMON_GF), LC(config_msix_vector, VIRTIO_PCI_COMMON_MSIX),
	      LC(num_queues, VIRTIO_PCI_COMMON_NUMQ), LC(device_status, VIRTIO_PCI_COMMON_STATUS),
	      LC(config_generation, VIRTIO_PCI_COMMON_CFGGENERATION),
	      LC(queue_select, VIRTIO_PCI_COMMON_Q_SELECT), LC(queue_size, VIRTIO_PCI_COMMON_Q_SIZE),
	      LC(queue_msix_vector, VIRTIO_PCI_COMMON_Q_MSIX), LC(queue_enable, VIRTIO_PCI_COMMON_Q_ENABLE),
	      LC(queue_notify_off, VIRTIO_PCI_COMMON_Q_NOFF), LC(queue_desc, VIRTIO_PCI_COMMON_Q_DESCLO),
	      LC(queue_driver, VIRTIO_PCI_COMMON_Q_AVAILLO), LC(queue_device, VIRTIO_PCI_COMMON_Q_USEDLO),
	      L(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC + 4, VIRTIO_PCI_COMMON_Q_DESCHI),
	      L(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER + 4, VIRTIO_PCI_COMMON_Q_AVAILHI),
	      L(VPLAT_VIRTIO_PCI_COMMON_QUEUE_DEVICE + 4, VIRTIO_PCI_COMMON_Q_USEDHI),
	      LCO(device_feature_select, device_feature_select), LCO(driver_feature, guest_feature),
	      LCO(config_msix_vector, msix_config), LCO(config_generation, config_generation),
	      LCO(queue_notify_off, queue_notify_off), LCO(queue_desc, queue_desc_lo),
	      LCO(queue_driver, queue_avail_lo), LCO(queue_device, queue_used_lo),
	      /* Linux's struct stops before queue_notif_config_data. */
	      L(offsetof(struct vplat_virtio_pci_common_cfg, queue_notif_config_data),
		sizeof(struct virtio_pci_common_cfg)));
#ifdef VIRTIO_PCI_COMMON_Q_RESET
	CHECK(LC(queue_notif_config_data, VIRTIO_PCI_COMMON_Q_NDATA),
	      LC(queue_reset, VIRTIO_PCI_COMMON_Q_RESET));
#endif
#ifdef VIRTIO_PCI_COMMON_ADM_Q_IDX
#define LMO(ours, lf) LO(struct vplat_virtio_pci_common_cfg, ours, struct virtio_pci_modern_common_cfg, lf)
	CHECK(LC(admin_queue_index, VIRTIO_PCI_COMMON_ADM_Q_IDX),
	      LC(admin_queue_num, VIRTIO_PCI_COMMON_ADM_Q_NUM),
	      LMO(queue_notif_config_data, queue_notify_data), LMO(queue_reset, queue_reset),
	      LMO(admin_queue_index, admin_queue_index), LMO(admin_queue_num, admin_queue_num));
#undef LMO
#endif
#undef LC
#undef LCO
#ifdef VIRTIO_PCI_CAP_SHARED_MEMORY_CFG
	CHECK(L(VPLAT_VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG),
	      LS(struct vplat_virtio_pci_cap64, struct virtio_pci_cap64),
	      LO(struct vplat_virtio_pci_cap64, offset_hi, struct virtio_pci_cap64, offset_hi),
	      LO(struct vplat_virtio_pci_cap64, length_hi, struct virtio_pci_cap64, length_hi));
#endif
#ifdef VIRTIO_PCI_CAP_VENDOR_CFG
	CHECK(L(VPLAT_VIRTIO_PCI_CAP_VENDOR_CFG, VIRTIO_PCI_CAP_VENDOR_CFG));
#endif
#endif /* HAVE_LINUX_PCI */
#if defined(HAVE_LINUX_CONFIG) && defined(VIRTIO_TRANS_ID_NET)
	CHECK(L(VPLAT_VIRTIO_PCI_TRANS_ID_NET, VIRTIO_TRANS_ID_NET),
	      L(VPLAT_VIRTIO_PCI_TRANS_ID_BLOCK, VIRTIO_TRANS_ID_BLOCK),
	      L(VPLAT_VIRTIO_PCI_TRANS_ID_BALLOON, VIRTIO_TRANS_ID_BALLOON),
	      L(VPLAT_VIRTIO_PCI_TRANS_ID_CONSOLE, VIRTIO_TRANS_ID_CONSOLE),
	      L(VPLAT_VIRTIO_PCI_TRANS_ID_SCSI, VIRTIO_TRANS_ID_SCSI),
	      L(VPLAT_VIRTIO_PCI_TRANS_ID_RNG, VIRTIO_TRANS_ID_RNG),
	      L(VPLAT_VIRTIO_PCI_TRANS_ID_9P, VIRTIO_TRANS_ID_9P));
#endif
#ifdef HAVE_LINUX_PCI_REGS
	CHECK(L(VPLAT_PCI_CFG_VENDOR_ID, PCI_VENDOR_ID), L(VPLAT_PCI_CFG_DEVICE_ID, PCI_DEVICE_ID),
	      L(VPLAT_PCI_CFG_COMMAND, PCI_COMMAND), L(VPLAT_PCI_CFG_STATUS, PCI_STATUS),
	      L(VPLAT_PCI_CFG_REVISION_ID, PCI_REVISION_ID), L(VPLAT_PCI_CFG_CLASS_PROG, PCI_CLASS_PROG),
	      L(VPLAT_PCI_CFG_CLASS_SUB, PCI_CLASS_DEVICE), L(VPLAT_PCI_CFG_CLASS_BASE, PCI_CLASS_DEVICE + 1),
	      L(VPLAT_PCI_CFG_CACHE_LINE_SIZE, PCI_CACHE_LINE_SIZE),
	      L(VPLAT_PCI_CFG_LATENCY_TIMER, PCI_LATENCY_TIMER),
	      L(VPLAT_PCI_CFG_HEADER_TYPE, PCI_HEADER_TYPE), L(VPLAT_PCI_CFG_BIST, PCI_BIST),
	      L(VPLAT_PCI_CFG_BAR0, PCI_BASE_ADDRESS_0), L(VPLAT_PCI_CFG_BAR1, PCI_BASE_ADDRESS_1),
	      L(VPLAT_PCI_CFG_BAR2, PCI_BASE_ADDRESS_2), L(VPLAT_PCI_CFG_BAR3, PCI_BASE_ADDRESS_3),
	      L(VPLAT_PCI_CFG_BAR4, PCI_BASE_ADDRESS_4), L(VPLAT_PCI_CFG_BAR5, PCI_BASE_ADDRESS_5),
	      L(VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID, PCI_SUBSYSTEM_VENDOR_ID),
	      L(VPLAT_PCI_CFG_SUBSYSTEM_ID, PCI_SUBSYSTEM_ID),
	      L(VPLAT_PCI_CFG_ROM_ADDRESS, PCI_ROM_ADDRESS),
	      L(VPLAT_PCI_CFG_CAPABILITY_LIST, PCI_CAPABILITY_LIST),
	      L(VPLAT_PCI_CFG_INTERRUPT_LINE, PCI_INTERRUPT_LINE),
	      L(VPLAT_PCI_CFG_INTERRUPT_PIN, PCI_INTERRUPT_PIN),
	      L(VPLAT_PCI_COMMAND_IO, PCI_COMMAND_IO), L(VPLAT_PCI_COMMAND_MEMORY, PCI_COMMAND_MEMORY),
	      L(VPLAT_PCI_COMMAND_MASTER, PCI_COMMAND_MASTER),
	      L(VPLAT_PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_INTX_DISABLE),
	      L(VPLAT_PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT),
	      L(VPLAT_PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST),
	      L(VPLAT_PCI_HEADER_TYPE_NORMAL, PCI_HEADER_TYPE_NORMAL),
	      L(VPLAT_PCI_HEADER_TYPE_MULTIFN, PCI_HEADER_TYPE_MASK + 1),
	      L(VPLAT_PCI_BAR_SPACE_IO, PCI_BASE_ADDRESS_SPACE_IO),
	      L(VPLAT_PCI_BAR_MEM_TYPE_MASK, PCI_BASE_ADDRESS_MEM_TYPE_MASK),
	      L(VPLAT_PCI_BAR_MEM_TYPE_64, PCI_BASE_ADDRESS_MEM_TYPE_64),
	      L(VPLAT_PCI_BAR_MEM_PREFETCH, PCI_BASE_ADDRESS_MEM_PREFETCH),
	      L(VPLAT_PCI_CAP_ID_VNDR, PCI_CAP_ID_VNDR), L(VPLAT_PCI_CAP_ID_MSIX, PCI_CAP_ID_MSIX),
	      L(VPLAT_PCI_MSIX_CTRL_TABLE_SIZE, PCI_MSIX_FLAGS_QSIZE),
	      L(VPLAT_PCI_MSIX_CTRL_MASKALL, PCI_MSIX_FLAGS_MASKALL),
	      L(VPLAT_PCI_MSIX_CTRL_ENABLE, PCI_MSIX_FLAGS_ENABLE),
	      L(VPLAT_PCI_MSIX_BIR_MASK, PCI_MSIX_TABLE_BIR),
	      L(VPLAT_PCI_MSIX_OFFSET_MASK, PCI_MSIX_TABLE_OFFSET),
	      L(offsetof(struct vplat_pci_msix_cap, msg_ctrl), PCI_MSIX_FLAGS),
	      L(offsetof(struct vplat_pci_msix_cap, table), PCI_MSIX_TABLE),
	      L(offsetof(struct vplat_pci_msix_cap, pba), PCI_MSIX_PBA),
	      L(sizeof(struct vplat_pci_msix_cap), PCI_CAP_MSIX_SIZEOF),
	      L(sizeof(struct vplat_pci_msix_entry), PCI_MSIX_ENTRY_SIZE),
	      L(offsetof(struct vplat_pci_msix_entry, addr_lo), PCI_MSIX_ENTRY_LOWER_ADDR),
	      L(offsetof(struct vplat_pci_msix_entry, addr_hi), PCI_MSIX_ENTRY_UPPER_ADDR),
	      L(offsetof(struct vplat_pci_msix_entry, data), PCI_MSIX_ENTRY_DATA),
	      L(offsetof(struct vplat_pci_msix_entry, vector_ctrl), PCI_MSIX_ENTRY_VECTOR_CTRL),
	      L(VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT, PCI_MSIX_ENTRY_CTRL_MASKBIT));
#endif
}
END_TEST

/* ---- virtio_net.h (device-types/net/description.tex) ---- */

START_TEST(net_spec)
{
	CHECK(K(VPLAT_VIRTIO_NET_F_CSUM, 0), K(VPLAT_VIRTIO_NET_F_GUEST_CSUM, 1),
	      K(VPLAT_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, 2), K(VPLAT_VIRTIO_NET_F_MTU, 3),
	      K(VPLAT_VIRTIO_NET_F_MAC, 5), K(VPLAT_VIRTIO_NET_F_GSO, 6),
	      K(VPLAT_VIRTIO_NET_F_GUEST_TSO4, 7), K(VPLAT_VIRTIO_NET_F_GUEST_TSO6, 8),
	      K(VPLAT_VIRTIO_NET_F_GUEST_ECN, 9), K(VPLAT_VIRTIO_NET_F_GUEST_UFO, 10),
	      K(VPLAT_VIRTIO_NET_F_HOST_TSO4, 11), K(VPLAT_VIRTIO_NET_F_HOST_TSO6, 12),
	      K(VPLAT_VIRTIO_NET_F_HOST_ECN, 13), K(VPLAT_VIRTIO_NET_F_HOST_UFO, 14),
	      K(VPLAT_VIRTIO_NET_F_MRG_RXBUF, 15), K(VPLAT_VIRTIO_NET_F_STATUS, 16),
	      K(VPLAT_VIRTIO_NET_F_CTRL_VQ, 17), K(VPLAT_VIRTIO_NET_F_CTRL_RX, 18),
	      K(VPLAT_VIRTIO_NET_F_CTRL_VLAN, 19), K(VPLAT_VIRTIO_NET_F_CTRL_RX_EXTRA, 20),
	      K(VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE, 21), K(VPLAT_VIRTIO_NET_F_MQ, 22),
	      K(VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR, 23), K(VPLAT_VIRTIO_NET_F_GUEST_RSC4, 41),
	      K(VPLAT_VIRTIO_NET_F_GUEST_RSC6, 42), K(VPLAT_VIRTIO_NET_F_DEVICE_STATS, 50),
	      K(VPLAT_VIRTIO_NET_F_HASH_TUNNEL, 51), K(VPLAT_VIRTIO_NET_F_VQ_NOTF_COAL, 52),
	      K(VPLAT_VIRTIO_NET_F_NOTF_COAL, 53), K(VPLAT_VIRTIO_NET_F_GUEST_USO4, 54),
	      K(VPLAT_VIRTIO_NET_F_GUEST_USO6, 55), K(VPLAT_VIRTIO_NET_F_HOST_USO, 56),
	      K(VPLAT_VIRTIO_NET_F_HASH_REPORT, 57), K(VPLAT_VIRTIO_NET_F_GUEST_HDRLEN, 59),
	      K(VPLAT_VIRTIO_NET_F_RSS, 60), K(VPLAT_VIRTIO_NET_F_RSC_EXT, 61),
	      K(VPLAT_VIRTIO_NET_F_STANDBY, 62), K(VPLAT_VIRTIO_NET_F_SPEED_DUPLEX, 63),
	      K(VPLAT_VIRTIO_NET_F_RSS_CONTEXT, 64), K(VPLAT_VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO, 65),
	      K(VPLAT_VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM, 66),
	      K(VPLAT_VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO, 67),
	      K(VPLAT_VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM, 68),
	      K(VPLAT_VIRTIO_NET_F_OUT_NET_HEADER, 69), K(VPLAT_VIRTIO_NET_F_IPSEC, 70),
	      K(VPLAT_VIRTIO_NET_OFFLOAD_GUEST_UDP_TUNNEL_GSO, 46),
	      K(VPLAT_VIRTIO_NET_OFFLOAD_GUEST_UDP_TUNNEL_GSO_CSUM, 47));
	CHECK(K(VPLAT_VIRTIO_NET_S_LINK_UP, 1), K(VPLAT_VIRTIO_NET_S_ANNOUNCE, 2),
	      K(VPLAT_VIRTIO_NET_DUPLEX_HALF, 0), K(VPLAT_VIRTIO_NET_DUPLEX_FULL, 1),
	      K(VPLAT_VIRTIO_NET_DUPLEX_UNKNOWN, 0xff), K(VPLAT_VIRTIO_NET_SPEED_MAX, 0x7fffffff),
	      K(VPLAT_VIRTIO_NET_SPEED_UNKNOWN, 0xffffffff), K(VPLAT_VIRTIO_NET_MTU_MIN, 68),
	      K(VPLAT_VIRTIO_NET_RSS_MIN_KEY_SIZE, 40),
	      K(VPLAT_VIRTIO_NET_RSS_MIN_INDIRECTION_TABLE_LENGTH, 128),
	      K(VPLAT_VIRTIO_NET_HASH_TYPE_IPv4, 1u << 0), K(VPLAT_VIRTIO_NET_HASH_TYPE_TCPv4, 1u << 1),
	      K(VPLAT_VIRTIO_NET_HASH_TYPE_UDPv4, 1u << 2), K(VPLAT_VIRTIO_NET_HASH_TYPE_IPv6, 1u << 3),
	      K(VPLAT_VIRTIO_NET_HASH_TYPE_TCPv6, 1u << 4), K(VPLAT_VIRTIO_NET_HASH_TYPE_UDPv6, 1u << 5),
	      K(VPLAT_VIRTIO_NET_HASH_TYPE_IP_EX, 1u << 6), K(VPLAT_VIRTIO_NET_HASH_TYPE_TCP_EX, 1u << 7),
	      K(VPLAT_VIRTIO_NET_HASH_TYPE_UDP_EX, 1u << 8),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_2784, 1u << 0),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_2890, 1u << 1),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_7676, 1u << 2),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_UDP, 1u << 3),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_VXLAN, 1u << 4),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_VXLAN_GPE, 1u << 5),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GENEVE, 1u << 6),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_IPIP, 1u << 7),
	      K(VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_NVGRE, 1u << 8));
	CHECK(K(VPLAT_VIRTIO_NET_HDR_LEGACY_SIZE, 10), K(VPLAT_VIRTIO_NET_HDR_SIZE, 12),
	      K(VPLAT_VIRTIO_NET_HDR_HASH_SIZE, 20), K(VPLAT_VIRTIO_NET_HDR_TUNNEL_SIZE, 24),
	      K(VPLAT_VIRTIO_NET_HDR_FULL_SIZE, 32), K(VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM, 1),
	      K(VPLAT_VIRTIO_NET_HDR_F_DATA_VALID, 2), K(VPLAT_VIRTIO_NET_HDR_F_RSC_INFO, 4),
	      K(VPLAT_VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM, 8), K(VPLAT_VIRTIO_NET_HDR_F_SECURITY, 16),
	      K(VPLAT_VIRTIO_NET_HDR_F_SECURITY_ERR, 32),
	      K(VPLAT_VIRTIO_NET_HDR_F_SECURITY_SA_SOFT_EXPIRY_WARN, 64),
	      K(VPLAT_VIRTIO_NET_HDR_GSO_NONE, 0), K(VPLAT_VIRTIO_NET_HDR_GSO_TCPV4, 1),
	      K(VPLAT_VIRTIO_NET_HDR_GSO_UDP, 3), K(VPLAT_VIRTIO_NET_HDR_GSO_TCPV6, 4),
	      K(VPLAT_VIRTIO_NET_HDR_GSO_UDP_L4, 5), K(VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4, 0x20),
	      K(VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV6, 0x40), K(VPLAT_VIRTIO_NET_HDR_GSO_ECN, 0x80),
	      K(VPLAT_VIRTIO_NET_HASH_REPORT_NONE, 0), K(VPLAT_VIRTIO_NET_HASH_REPORT_IPv4, 1),
	      K(VPLAT_VIRTIO_NET_HASH_REPORT_TCPv4, 2), K(VPLAT_VIRTIO_NET_HASH_REPORT_UDPv4, 3),
	      K(VPLAT_VIRTIO_NET_HASH_REPORT_IPv6, 4), K(VPLAT_VIRTIO_NET_HASH_REPORT_TCPv6, 5),
	      K(VPLAT_VIRTIO_NET_HASH_REPORT_UDPv6, 6), K(VPLAT_VIRTIO_NET_HASH_REPORT_IPv6_EX, 7),
	      K(VPLAT_VIRTIO_NET_HASH_REPORT_TCPv6_EX, 8), K(VPLAT_VIRTIO_NET_HASH_REPORT_UDPv6_EX, 9));
	CHECK(K(VPLAT_VIRTIO_NET_OK, 0), K(VPLAT_VIRTIO_NET_ERR, 1), K(VPLAT_VIRTIO_NET_CTRL_RX, 0),
	      K(VPLAT_VIRTIO_NET_CTRL_RX_PROMISC, 0), K(VPLAT_VIRTIO_NET_CTRL_RX_ALLMULTI, 1),
	      K(VPLAT_VIRTIO_NET_CTRL_RX_ALLUNI, 2), K(VPLAT_VIRTIO_NET_CTRL_RX_NOMULTI, 3),
	      K(VPLAT_VIRTIO_NET_CTRL_RX_NOUNI, 4), K(VPLAT_VIRTIO_NET_CTRL_RX_NOBCAST, 5),
	      K(VPLAT_VIRTIO_NET_CTRL_MAC, 1), K(VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, 0),
	      K(VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET, 1), K(VPLAT_VIRTIO_NET_CTRL_VLAN, 2),
	      K(VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, 0), K(VPLAT_VIRTIO_NET_CTRL_VLAN_DEL, 1),
	      K(VPLAT_VIRTIO_NET_CTRL_ANNOUNCE, 3), K(VPLAT_VIRTIO_NET_CTRL_ANNOUNCE_ACK, 0),
	      K(VPLAT_VIRTIO_NET_CTRL_MQ, 4), K(VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 0),
	      K(VPLAT_VIRTIO_NET_CTRL_MQ_RSS_CONFIG, 1), K(VPLAT_VIRTIO_NET_CTRL_MQ_HASH_CONFIG, 2),
	      K(VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN, 1), K(VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX, 0x8000),
	      K(VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS, 5), K(VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, 0),
	      K(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL, 6), K(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_TX_SET, 0),
	      K(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_RX_SET, 1), K(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET, 2),
	      K(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET, 3), K(VPLAT_VIRTIO_NET_CTRL_HASH_TUNNEL, 7),
	      K(VPLAT_VIRTIO_NET_CTRL_HASH_TUNNEL_SET, 0), K(VPLAT_VIRTIO_NET_CTRL_STATS, 8),
	      K(VPLAT_VIRTIO_NET_CTRL_STATS_QUERY, 0), K(VPLAT_VIRTIO_NET_CTRL_STATS_GET, 1),
	      K(VPLAT_VIRTIO_NET_CTRL_RSS_CTX, 9), K(VPLAT_VIRTIO_NET_CTRL_RSS_CTX_CAP_GET, 0),
	      K(VPLAT_VIRTIO_NET_CTRL_RSS_CTX_ADD, 1), K(VPLAT_VIRTIO_NET_CTRL_RSS_CTX_MOD, 2),
	      K(VPLAT_VIRTIO_NET_CTRL_RSS_CTX_DEL, 3));
#define T struct vplat_virtio_net_config
	CHECK(S(T, 28), FT(mac, 0, 6), FT(status, 6, 2), FT(max_virtqueue_pairs, 8, 2), FT(mtu, 10, 2),
	      FT(speed, 12, 4), FT(duplex, 16, 1), FT(rss_max_key_size, 17, 1),
	      FT(rss_max_indirection_table_length, 18, 2), FT(supported_hash_types, 20, 4),
	      FT(supported_tunnel_types, 24, 4));
#undef T
#define T struct vplat_virtio_net_hdr
	CHECK(S(T, 12), FT(flags, 0, 1), FT(gso_type, 1, 1), FT(hdr_len, 2, 2), FT(gso_size, 4, 2),
	      FT(csum_start, 6, 2), FT(csum_offset, 8, 2), FT(num_buffers, 10, 2));
#undef T
#define T struct vplat_virtio_net_hdr_hash
	CHECK(S(T, 20), FT(hdr, 0, 12), FT(hash_value, 12, 4), FT(hash_report, 16, 2),
	      FT(padding_reserved, 18, 2));
#undef T
#define T struct vplat_virtio_net_ctrl_hdr
	CHECK(S(T, 2), FT(ctrl_class, 0, 1), FT(command, 1, 1));
#undef T
#define T struct vplat_virtio_net_ctrl_mac
	CHECK(S(T, 4), FT(entries, 0, 4), FAT(macs, 4, 6));
#undef T
#define T struct vplat_virtio_net_ctrl_mq
	CHECK(S(T, 2), FT(virtqueue_pairs, 0, 2));
#undef T
#define T struct vplat_virtio_net_ctrl_coal
	CHECK(S(T, 8), FT(max_packets, 0, 4), FT(max_usecs, 4, 4));
#undef T
#define T struct vplat_virtio_net_ctrl_coal_vq
	CHECK(S(T, 12), FT(vq_index, 0, 2), FT(reserved, 2, 2), FT(coal, 4, 8));
#undef T
}
END_TEST

START_TEST(net_linux)
{
#if !(defined(HAVE_LINUX_NET))
	VPLAT_SKIP("no <linux/virtio_net.h> to check against");
#endif
#ifdef HAVE_LINUX_NET
	CHECK(L(VPLAT_VIRTIO_NET_F_CSUM, VIRTIO_NET_F_CSUM),
	      L(VPLAT_VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_CSUM),
	      L(VPLAT_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS),
	      L(VPLAT_VIRTIO_NET_F_MAC, VIRTIO_NET_F_MAC), L(VPLAT_VIRTIO_NET_F_GSO, VIRTIO_NET_F_GSO),
	      L(VPLAT_VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO4),
	      L(VPLAT_VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_TSO6),
	      L(VPLAT_VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_GUEST_ECN),
	      L(VPLAT_VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_GUEST_UFO),
	      L(VPLAT_VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO4),
	      L(VPLAT_VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_TSO6),
	      L(VPLAT_VIRTIO_NET_F_HOST_ECN, VIRTIO_NET_F_HOST_ECN),
	      L(VPLAT_VIRTIO_NET_F_HOST_UFO, VIRTIO_NET_F_HOST_UFO),
	      L(VPLAT_VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_MRG_RXBUF),
	      L(VPLAT_VIRTIO_NET_F_STATUS, VIRTIO_NET_F_STATUS),
	      L(VPLAT_VIRTIO_NET_F_CTRL_VQ, VIRTIO_NET_F_CTRL_VQ),
	      L(VPLAT_VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_CTRL_RX),
	      L(VPLAT_VIRTIO_NET_F_CTRL_VLAN, VIRTIO_NET_F_CTRL_VLAN),
	      L(VPLAT_VIRTIO_NET_F_CTRL_RX_EXTRA, VIRTIO_NET_F_CTRL_RX_EXTRA),
	      L(VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE, VIRTIO_NET_F_GUEST_ANNOUNCE),
	      L(VPLAT_VIRTIO_NET_F_MQ, VIRTIO_NET_F_MQ),
	      L(VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_CTRL_MAC_ADDR),
	      L(VPLAT_VIRTIO_NET_S_LINK_UP, VIRTIO_NET_S_LINK_UP),
	      L(VPLAT_VIRTIO_NET_S_ANNOUNCE, VIRTIO_NET_S_ANNOUNCE),
	      L(VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_F_NEEDS_CSUM),
	      L(VPLAT_VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_F_DATA_VALID),
	      L(VPLAT_VIRTIO_NET_HDR_GSO_NONE, VIRTIO_NET_HDR_GSO_NONE),
	      L(VPLAT_VIRTIO_NET_HDR_GSO_TCPV4, VIRTIO_NET_HDR_GSO_TCPV4),
	      L(VPLAT_VIRTIO_NET_HDR_GSO_UDP, VIRTIO_NET_HDR_GSO_UDP),
	      L(VPLAT_VIRTIO_NET_HDR_GSO_TCPV6, VIRTIO_NET_HDR_GSO_TCPV6),
	      L(VPLAT_VIRTIO_NET_HDR_GSO_ECN, VIRTIO_NET_HDR_GSO_ECN),
	      L(VPLAT_VIRTIO_NET_OK, VIRTIO_NET_OK), L(VPLAT_VIRTIO_NET_ERR, VIRTIO_NET_ERR),
	      L(VPLAT_VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX),
	      L(VPLAT_VIRTIO_NET_CTRL_RX_PROMISC, VIRTIO_NET_CTRL_RX_PROMISC),
	      L(VPLAT_VIRTIO_NET_CTRL_RX_ALLMULTI, VIRTIO_NET_CTRL_RX_ALLMULTI),
	      L(VPLAT_VIRTIO_NET_CTRL_RX_ALLUNI, VIRTIO_NET_CTRL_RX_ALLUNI),
	      L(VPLAT_VIRTIO_NET_CTRL_RX_NOMULTI, VIRTIO_NET_CTRL_RX_NOMULTI),
	      L(VPLAT_VIRTIO_NET_CTRL_RX_NOUNI, VIRTIO_NET_CTRL_RX_NOUNI),
	      L(VPLAT_VIRTIO_NET_CTRL_RX_NOBCAST, VIRTIO_NET_CTRL_RX_NOBCAST),
	      L(VPLAT_VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC),
	      L(VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, VIRTIO_NET_CTRL_MAC_TABLE_SET),
	      L(VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET, VIRTIO_NET_CTRL_MAC_ADDR_SET),
	      L(VPLAT_VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN),
	      L(VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, VIRTIO_NET_CTRL_VLAN_ADD),
	      L(VPLAT_VIRTIO_NET_CTRL_VLAN_DEL, VIRTIO_NET_CTRL_VLAN_DEL),
	      L(VPLAT_VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE),
	      L(VPLAT_VIRTIO_NET_CTRL_ANNOUNCE_ACK, VIRTIO_NET_CTRL_ANNOUNCE_ACK),
	      L(VPLAT_VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ),
	      L(VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET),
	      L(VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN),
	      L(VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX),
	      L(VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS),
	      L(VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET),
	      LO(struct vplat_virtio_net_config, status, struct virtio_net_config, status),
	      LO(struct vplat_virtio_net_config, max_virtqueue_pairs, struct virtio_net_config,
		 max_virtqueue_pairs),
	      LS(struct vplat_virtio_net_hdr, struct virtio_net_hdr_v1),
	      LO(struct vplat_virtio_net_hdr, gso_type, struct virtio_net_hdr_v1, gso_type),
	      LO(struct vplat_virtio_net_hdr, hdr_len, struct virtio_net_hdr_v1, hdr_len),
	      LO(struct vplat_virtio_net_hdr, gso_size, struct virtio_net_hdr_v1, gso_size),
	      LO(struct vplat_virtio_net_hdr, csum_start, struct virtio_net_hdr_v1, csum_start),
	      LO(struct vplat_virtio_net_hdr, csum_offset, struct virtio_net_hdr_v1, csum_offset),
	      LO(struct vplat_virtio_net_hdr, num_buffers, struct virtio_net_hdr_v1, num_buffers),
	      L(VPLAT_VIRTIO_NET_HDR_LEGACY_SIZE, sizeof(struct virtio_net_hdr)),
	      L(VPLAT_VIRTIO_NET_HDR_SIZE, sizeof(struct virtio_net_hdr_mrg_rxbuf)),
	      LS(struct vplat_virtio_net_ctrl_hdr, struct virtio_net_ctrl_hdr),
	      LS(struct vplat_virtio_net_ctrl_mac, struct virtio_net_ctrl_mac),
	      LS(struct vplat_virtio_net_ctrl_mq, struct virtio_net_ctrl_mq));
#ifdef VIRTIO_NET_F_MTU
	CHECK(L(VPLAT_VIRTIO_NET_F_MTU, VIRTIO_NET_F_MTU),
	      LO(struct vplat_virtio_net_config, mtu, struct virtio_net_config, mtu));
#endif
#ifdef VIRTIO_NET_F_SPEED_DUPLEX
	CHECK(L(VPLAT_VIRTIO_NET_F_SPEED_DUPLEX, VIRTIO_NET_F_SPEED_DUPLEX),
	      LO(struct vplat_virtio_net_config, speed, struct virtio_net_config, speed),
	      LO(struct vplat_virtio_net_config, duplex, struct virtio_net_config, duplex));
#endif
#ifdef VIRTIO_NET_F_STANDBY
	CHECK(L(VPLAT_VIRTIO_NET_F_STANDBY, VIRTIO_NET_F_STANDBY));
#endif
#ifdef VIRTIO_NET_F_RSC_EXT
	CHECK(L(VPLAT_VIRTIO_NET_F_RSC_EXT, VIRTIO_NET_F_RSC_EXT),
	      L(VPLAT_VIRTIO_NET_HDR_F_RSC_INFO, VIRTIO_NET_HDR_F_RSC_INFO));
#endif
#ifdef VIRTIO_NET_HASH_REPORT_NONE
	CHECK(L(VPLAT_VIRTIO_NET_F_HASH_REPORT, VIRTIO_NET_F_HASH_REPORT),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_NONE, VIRTIO_NET_HASH_REPORT_NONE),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_IPv4, VIRTIO_NET_HASH_REPORT_IPv4),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_TCPv4, VIRTIO_NET_HASH_REPORT_TCPv4),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_UDPv4, VIRTIO_NET_HASH_REPORT_UDPv4),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_IPv6, VIRTIO_NET_HASH_REPORT_IPv6),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_TCPv6, VIRTIO_NET_HASH_REPORT_TCPv6),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_UDPv6, VIRTIO_NET_HASH_REPORT_UDPv6),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_IPv6_EX, VIRTIO_NET_HASH_REPORT_IPv6_EX),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_TCPv6_EX, VIRTIO_NET_HASH_REPORT_TCPv6_EX),
	      L(VPLAT_VIRTIO_NET_HASH_REPORT_UDPv6_EX, VIRTIO_NET_HASH_REPORT_UDPv6_EX),
	      L(VPLAT_VIRTIO_NET_CTRL_MQ_HASH_CONFIG, VIRTIO_NET_CTRL_MQ_HASH_CONFIG),
	      LS(struct vplat_virtio_net_hdr_hash, struct virtio_net_hdr_v1_hash),
	      LO(struct vplat_virtio_net_hdr_hash, hash_value, struct virtio_net_hdr_v1_hash, hash_value),
	      LO(struct vplat_virtio_net_hdr_hash, hash_report, struct virtio_net_hdr_v1_hash,
		 hash_report));
#endif
#ifdef VIRTIO_NET_RSS_HASH_TYPE_IPv4
	CHECK(L(VPLAT_VIRTIO_NET_F_RSS, VIRTIO_NET_F_RSS),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_IPv4, VIRTIO_NET_RSS_HASH_TYPE_IPv4),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_TCPv4, VIRTIO_NET_RSS_HASH_TYPE_TCPv4),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_UDPv4, VIRTIO_NET_RSS_HASH_TYPE_UDPv4),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_IPv6, VIRTIO_NET_RSS_HASH_TYPE_IPv6),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_TCPv6, VIRTIO_NET_RSS_HASH_TYPE_TCPv6),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_UDPv6, VIRTIO_NET_RSS_HASH_TYPE_UDPv6),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_IP_EX, VIRTIO_NET_RSS_HASH_TYPE_IP_EX),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_TCP_EX, VIRTIO_NET_RSS_HASH_TYPE_TCP_EX),
	      L(VPLAT_VIRTIO_NET_HASH_TYPE_UDP_EX, VIRTIO_NET_RSS_HASH_TYPE_UDP_EX),
	      L(VPLAT_VIRTIO_NET_CTRL_MQ_RSS_CONFIG, VIRTIO_NET_CTRL_MQ_RSS_CONFIG),
	      LO(struct vplat_virtio_net_config, rss_max_key_size, struct virtio_net_config,
		 rss_max_key_size),
	      LO(struct vplat_virtio_net_config, rss_max_indirection_table_length,
		 struct virtio_net_config, rss_max_indirection_table_length),
	      LO(struct vplat_virtio_net_config, supported_hash_types, struct virtio_net_config,
		 supported_hash_types));
#endif
#ifdef VIRTIO_NET_CTRL_NOTF_COAL_TX_SET
	CHECK(L(VPLAT_VIRTIO_NET_F_NOTF_COAL, VIRTIO_NET_F_NOTF_COAL),
	      L(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL, VIRTIO_NET_CTRL_NOTF_COAL),
	      L(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_TX_SET, VIRTIO_NET_CTRL_NOTF_COAL_TX_SET),
	      L(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_RX_SET, VIRTIO_NET_CTRL_NOTF_COAL_RX_SET),
	      LS(struct vplat_virtio_net_ctrl_coal, struct virtio_net_ctrl_coal_tx));
#endif
#ifdef VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET
	CHECK(L(VPLAT_VIRTIO_NET_F_VQ_NOTF_COAL, VIRTIO_NET_F_VQ_NOTF_COAL),
	      L(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET, VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET),
	      L(VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET, VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET),
	      LS(struct vplat_virtio_net_ctrl_coal, struct virtio_net_ctrl_coal),
	      LS(struct vplat_virtio_net_ctrl_coal_vq, struct virtio_net_ctrl_coal_vq),
	      LO(struct vplat_virtio_net_ctrl_coal_vq, coal, struct virtio_net_ctrl_coal_vq, coal));
#endif
#ifdef VIRTIO_NET_F_GUEST_USO4
	CHECK(L(VPLAT_VIRTIO_NET_F_GUEST_USO4, VIRTIO_NET_F_GUEST_USO4),
	      L(VPLAT_VIRTIO_NET_F_GUEST_USO6, VIRTIO_NET_F_GUEST_USO6),
	      L(VPLAT_VIRTIO_NET_F_HOST_USO, VIRTIO_NET_F_HOST_USO));
#endif
#ifdef VIRTIO_NET_HDR_GSO_UDP_L4
	CHECK(L(VPLAT_VIRTIO_NET_HDR_GSO_UDP_L4, VIRTIO_NET_HDR_GSO_UDP_L4));
#endif
#ifdef VIRTIO_NET_F_GUEST_HDRLEN
	CHECK(L(VPLAT_VIRTIO_NET_F_GUEST_HDRLEN, VIRTIO_NET_F_GUEST_HDRLEN));
#endif
#ifdef VIRTIO_NET_F_DEVICE_STATS
	CHECK(L(VPLAT_VIRTIO_NET_F_DEVICE_STATS, VIRTIO_NET_F_DEVICE_STATS));
#endif
#ifdef VIRTIO_NET_CTRL_STATS
	CHECK(L(VPLAT_VIRTIO_NET_CTRL_STATS, VIRTIO_NET_CTRL_STATS),
	      L(VPLAT_VIRTIO_NET_CTRL_STATS_QUERY, VIRTIO_NET_CTRL_STATS_QUERY),
	      L(VPLAT_VIRTIO_NET_CTRL_STATS_GET, VIRTIO_NET_CTRL_STATS_GET));
#endif
#ifdef VIRTIO_NET_F_HASH_TUNNEL
	CHECK(L(VPLAT_VIRTIO_NET_F_HASH_TUNNEL, VIRTIO_NET_F_HASH_TUNNEL));
#endif
#ifdef VIRTIO_NET_F_RSS_CONTEXT
	CHECK(L(VPLAT_VIRTIO_NET_F_RSS_CONTEXT, VIRTIO_NET_F_RSS_CONTEXT));
#endif
#ifdef VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO
	CHECK(L(VPLAT_VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO, VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO),
	      L(VPLAT_VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM, VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM),
	      L(VPLAT_VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO, VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO),
	      L(VPLAT_VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM, VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM));
#endif
#ifdef VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_MAPPED
	CHECK(L(VPLAT_VIRTIO_NET_OFFLOAD_GUEST_UDP_TUNNEL_GSO, VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_MAPPED),
	      L(VPLAT_VIRTIO_NET_OFFLOAD_GUEST_UDP_TUNNEL_GSO_CSUM,
		VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM_MAPPED));
#endif
#ifdef VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM
	CHECK(L(VPLAT_VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM, VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM));
#endif
#ifdef VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4
	CHECK(L(VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4, VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4),
	      L(VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV6, VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV6));
#endif
#endif /* HAVE_LINUX_NET */
}
END_TEST

/* ---- virtio_blk.h (device-types/blk/description.tex) ---- */

START_TEST(blk_spec)
{
	CHECK(K(VPLAT_VIRTIO_BLK_F_BARRIER, 0), K(VPLAT_VIRTIO_BLK_F_SIZE_MAX, 1),
	      K(VPLAT_VIRTIO_BLK_F_SEG_MAX, 2), K(VPLAT_VIRTIO_BLK_F_GEOMETRY, 4),
	      K(VPLAT_VIRTIO_BLK_F_RO, 5), K(VPLAT_VIRTIO_BLK_F_BLK_SIZE, 6),
	      K(VPLAT_VIRTIO_BLK_F_SCSI, 7), K(VPLAT_VIRTIO_BLK_F_FLUSH, 9),
	      K(VPLAT_VIRTIO_BLK_F_TOPOLOGY, 10), K(VPLAT_VIRTIO_BLK_F_CONFIG_WCE, 11),
	      K(VPLAT_VIRTIO_BLK_F_MQ, 12), K(VPLAT_VIRTIO_BLK_F_DISCARD, 13),
	      K(VPLAT_VIRTIO_BLK_F_WRITE_ZEROES, 14), K(VPLAT_VIRTIO_BLK_F_LIFETIME, 15),
	      K(VPLAT_VIRTIO_BLK_F_SECURE_ERASE, 16), K(VPLAT_VIRTIO_BLK_F_ZONED, 17),
	      K(VPLAT_VIRTIO_BLK_SECTOR_SIZE, 512), K(VPLAT_VIRTIO_BLK_SECTOR_SHIFT, 9),
	      K(1u << VPLAT_VIRTIO_BLK_SECTOR_SHIFT, VPLAT_VIRTIO_BLK_SECTOR_SIZE),
	      K(VPLAT_VIRTIO_BLK_ID_BYTES, 20), K(VPLAT_VIRTIO_BLK_Z_NONE, 0),
	      K(VPLAT_VIRTIO_BLK_Z_HM, 1), K(VPLAT_VIRTIO_BLK_Z_HA, 2));
	CHECK(K(VPLAT_VIRTIO_BLK_T_IN, 0), K(VPLAT_VIRTIO_BLK_T_OUT, 1),
	      K(VPLAT_VIRTIO_BLK_T_SCSI_CMD, 2), K(VPLAT_VIRTIO_BLK_T_SCSI_CMD_OUT, 3),
	      K(VPLAT_VIRTIO_BLK_T_FLUSH, 4), K(VPLAT_VIRTIO_BLK_T_FLUSH_OUT, 5),
	      K(VPLAT_VIRTIO_BLK_T_GET_ID, 8), K(VPLAT_VIRTIO_BLK_T_GET_LIFETIME, 10),
	      K(VPLAT_VIRTIO_BLK_T_DISCARD, 11), K(VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, 13),
	      K(VPLAT_VIRTIO_BLK_T_SECURE_ERASE, 14), K(VPLAT_VIRTIO_BLK_T_ZONE_APPEND, 15),
	      K(VPLAT_VIRTIO_BLK_T_ZONE_REPORT, 16), K(VPLAT_VIRTIO_BLK_T_ZONE_OPEN, 18),
	      K(VPLAT_VIRTIO_BLK_T_ZONE_CLOSE, 20), K(VPLAT_VIRTIO_BLK_T_ZONE_FINISH, 22),
	      K(VPLAT_VIRTIO_BLK_T_ZONE_RESET, 24), K(VPLAT_VIRTIO_BLK_T_ZONE_RESET_ALL, 26),
	      K(VPLAT_VIRTIO_BLK_T_BARRIER, 0x80000000u), K(VPLAT_VIRTIO_BLK_S_OK, 0),
	      K(VPLAT_VIRTIO_BLK_S_IOERR, 1), K(VPLAT_VIRTIO_BLK_S_UNSUPP, 2),
	      K(VPLAT_VIRTIO_BLK_S_ZONE_INVALID_CMD, 3), K(VPLAT_VIRTIO_BLK_S_ZONE_UNALIGNED_WP, 4),
	      K(VPLAT_VIRTIO_BLK_S_ZONE_OPEN_RESOURCE, 5), K(VPLAT_VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE, 6),
	      K(VPLAT_VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, 1),
	      K(VPLAT_VIRTIO_BLK_PRE_EOL_INFO_UNDEFINED, 0), K(VPLAT_VIRTIO_BLK_PRE_EOL_INFO_NORMAL, 1),
	      K(VPLAT_VIRTIO_BLK_PRE_EOL_INFO_WARNING, 2), K(VPLAT_VIRTIO_BLK_PRE_EOL_INFO_URGENT, 3),
	      K(VPLAT_VIRTIO_BLK_ZT_CONV, 1), K(VPLAT_VIRTIO_BLK_ZT_SWR, 2), K(VPLAT_VIRTIO_BLK_ZT_SWP, 3),
	      K(VPLAT_VIRTIO_BLK_ZS_NOT_WP, 0), K(VPLAT_VIRTIO_BLK_ZS_EMPTY, 1),
	      K(VPLAT_VIRTIO_BLK_ZS_IOPEN, 2), K(VPLAT_VIRTIO_BLK_ZS_EOPEN, 3),
	      K(VPLAT_VIRTIO_BLK_ZS_CLOSED, 4), K(VPLAT_VIRTIO_BLK_ZS_RDONLY, 13),
	      K(VPLAT_VIRTIO_BLK_ZS_FULL, 14), K(VPLAT_VIRTIO_BLK_ZS_OFFLINE, 15));
#define T struct vplat_virtio_blk_geometry
	CHECK(S(T, 4), FT(cylinders, 0, 2), FT(heads, 2, 1), FT(sectors, 3, 1));
#undef T
#define T struct vplat_virtio_blk_topology
	CHECK(S(T, 8), FT(physical_block_exp, 0, 1), FT(alignment_offset, 1, 1), FT(min_io_size, 2, 2),
	      FT(opt_io_size, 4, 4));
#undef T
#define T struct vplat_virtio_blk_zoned_characteristics
	CHECK(S(T, 24), FT(zone_sectors, 0, 4), FT(max_open_zones, 4, 4), FT(max_active_zones, 8, 4),
	      FT(max_append_sectors, 12, 4), FT(write_granularity, 16, 4), FT(model, 20, 1),
	      FT(unused2, 21, 3));
#undef T
#define T struct vplat_virtio_blk_config
	CHECK(S(T, 96), FT(capacity, 0, 8), FT(size_max, 8, 4), FT(seg_max, 12, 4), FT(geometry, 16, 4),
	      FT(blk_size, 20, 4), FT(topology, 24, 8), FT(writeback, 32, 1), FT(unused0, 33, 1),
	      FT(num_queues, 34, 2), FT(max_discard_sectors, 36, 4), FT(max_discard_seg, 40, 4),
	      FT(discard_sector_alignment, 44, 4), FT(max_write_zeroes_sectors, 48, 4),
	      FT(max_write_zeroes_seg, 52, 4), FT(write_zeroes_may_unmap, 56, 1), FT(unused1, 57, 3),
	      FT(max_secure_erase_sectors, 60, 4), FT(max_secure_erase_seg, 64, 4),
	      FT(secure_erase_sector_alignment, 68, 4), FT(zoned, 72, 24));
#undef T
#define T struct vplat_virtio_blk_req_hdr
	CHECK(S(T, 16), FT(type, 0, 4), FT(reserved, 4, 4), FT(sector, 8, 8));
#undef T
#define T struct vplat_virtio_blk_discard_write_zeroes
	CHECK(S(T, 16), FT(sector, 0, 8), FT(num_sectors, 8, 4), FT(flags, 12, 4));
#undef T
#define T struct vplat_virtio_blk_lifetime
	CHECK(S(T, 6), FT(pre_eol_info, 0, 2), FT(device_lifetime_est_typ_a, 2, 2),
	      FT(device_lifetime_est_typ_b, 4, 2));
#undef T
#define T struct vplat_virtio_blk_zone_descriptor
	CHECK(S(T, 64), FT(z_cap, 0, 8), FT(z_start, 8, 8), FT(z_wp, 16, 8), FT(z_type, 24, 1),
	      FT(z_state, 25, 1), FT(reserved, 26, 38));
#undef T
#define T struct vplat_virtio_blk_zone_report
	CHECK(S(T, 64), FT(nr_zones, 0, 8), FT(reserved, 8, 56), FAT(zones, 64, 64));
#undef T
}
END_TEST

START_TEST(blk_linux)
{
#if !(defined(HAVE_LINUX_BLK))
	VPLAT_SKIP("no <linux/virtio_blk.h> to check against");
#endif
#ifdef HAVE_LINUX_BLK
#define LBC(ours, lf) LO(struct vplat_virtio_blk_config, ours, struct virtio_blk_config, lf)
	CHECK(L(VPLAT_VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_SIZE_MAX),
	      L(VPLAT_VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_SEG_MAX),
	      L(VPLAT_VIRTIO_BLK_F_GEOMETRY, VIRTIO_BLK_F_GEOMETRY), L(VPLAT_VIRTIO_BLK_F_RO, VIRTIO_BLK_F_RO),
	      L(VPLAT_VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_BLK_SIZE),
	      L(VPLAT_VIRTIO_BLK_F_TOPOLOGY, VIRTIO_BLK_F_TOPOLOGY),
	      L(VPLAT_VIRTIO_BLK_F_BARRIER, VIRTIO_BLK_F_BARRIER), L(VPLAT_VIRTIO_BLK_F_SCSI, VIRTIO_BLK_F_SCSI),
	      L(VPLAT_VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_FLUSH), L(VPLAT_VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_WCE),
	      L(VPLAT_VIRTIO_BLK_F_CONFIG_WCE, VIRTIO_BLK_F_CONFIG_WCE),
	      L(VPLAT_VIRTIO_BLK_ID_BYTES, VIRTIO_BLK_ID_BYTES), L(VPLAT_VIRTIO_BLK_T_IN, VIRTIO_BLK_T_IN),
	      L(VPLAT_VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_OUT), L(VPLAT_VIRTIO_BLK_T_SCSI_CMD, VIRTIO_BLK_T_SCSI_CMD),
	      L(VPLAT_VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_FLUSH), L(VPLAT_VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_GET_ID),
	      L(VPLAT_VIRTIO_BLK_T_BARRIER, VIRTIO_BLK_T_BARRIER), L(VPLAT_VIRTIO_BLK_S_OK, VIRTIO_BLK_S_OK),
	      L(VPLAT_VIRTIO_BLK_S_IOERR, VIRTIO_BLK_S_IOERR), L(VPLAT_VIRTIO_BLK_S_UNSUPP, VIRTIO_BLK_S_UNSUPP),
	      LBC(capacity, capacity), LBC(size_max, size_max), LBC(seg_max, seg_max),
	      LBC(geometry.cylinders, geometry.cylinders), LBC(geometry.heads, geometry.heads),
	      LBC(geometry.sectors, geometry.sectors), LBC(blk_size, blk_size),
	      LBC(topology.physical_block_exp, physical_block_exp),
	      LBC(topology.alignment_offset, alignment_offset), LBC(topology.min_io_size, min_io_size),
	      LBC(topology.opt_io_size, opt_io_size), LBC(writeback, wce),
	      LS(struct vplat_virtio_blk_req_hdr, struct virtio_blk_outhdr),
	      LO(struct vplat_virtio_blk_req_hdr, reserved, struct virtio_blk_outhdr, ioprio),
	      LO(struct vplat_virtio_blk_req_hdr, sector, struct virtio_blk_outhdr, sector));
#ifdef VIRTIO_BLK_F_MQ
	CHECK(L(VPLAT_VIRTIO_BLK_F_MQ, VIRTIO_BLK_F_MQ), LBC(unused0, unused), LBC(num_queues, num_queues));
#endif
#ifdef VIRTIO_BLK_F_WRITE_ZEROES
	CHECK(L(VPLAT_VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_DISCARD),
	      L(VPLAT_VIRTIO_BLK_F_WRITE_ZEROES, VIRTIO_BLK_F_WRITE_ZEROES),
	      L(VPLAT_VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_DISCARD),
	      L(VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, VIRTIO_BLK_T_WRITE_ZEROES),
	      L(VPLAT_VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
	      LBC(max_discard_sectors, max_discard_sectors), LBC(max_discard_seg, max_discard_seg),
	      LBC(discard_sector_alignment, discard_sector_alignment),
	      LBC(max_write_zeroes_sectors, max_write_zeroes_sectors),
	      LBC(max_write_zeroes_seg, max_write_zeroes_seg),
	      LBC(write_zeroes_may_unmap, write_zeroes_may_unmap), LBC(unused1, unused1),
	      LS(struct vplat_virtio_blk_discard_write_zeroes, struct virtio_blk_discard_write_zeroes),
	      LO(struct vplat_virtio_blk_discard_write_zeroes, num_sectors,
		 struct virtio_blk_discard_write_zeroes, num_sectors),
	      LO(struct vplat_virtio_blk_discard_write_zeroes, flags,
		 struct virtio_blk_discard_write_zeroes, flags));
#endif
#ifdef VIRTIO_BLK_F_SECURE_ERASE
	CHECK(L(VPLAT_VIRTIO_BLK_F_SECURE_ERASE, VIRTIO_BLK_F_SECURE_ERASE),
	      L(VPLAT_VIRTIO_BLK_T_SECURE_ERASE, VIRTIO_BLK_T_SECURE_ERASE),
	      LBC(max_secure_erase_sectors, max_secure_erase_sectors),
	      LBC(max_secure_erase_seg, max_secure_erase_seg),
	      LBC(secure_erase_sector_alignment, secure_erase_sector_alignment));
#endif
#ifdef VIRTIO_BLK_F_ZONED
	CHECK(L(VPLAT_VIRTIO_BLK_F_ZONED, VIRTIO_BLK_F_ZONED),
	      LS(struct vplat_virtio_blk_config, struct virtio_blk_config),
	      LBC(zoned.zone_sectors, zoned.zone_sectors), LBC(zoned.max_open_zones, zoned.max_open_zones),
	      LBC(zoned.max_active_zones, zoned.max_active_zones),
	      LBC(zoned.max_append_sectors, zoned.max_append_sectors),
	      LBC(zoned.write_granularity, zoned.write_granularity), LBC(zoned.model, zoned.model),
	      L(VPLAT_VIRTIO_BLK_Z_NONE, VIRTIO_BLK_Z_NONE), L(VPLAT_VIRTIO_BLK_Z_HM, VIRTIO_BLK_Z_HM),
	      L(VPLAT_VIRTIO_BLK_Z_HA, VIRTIO_BLK_Z_HA),
	      L(VPLAT_VIRTIO_BLK_T_ZONE_APPEND, VIRTIO_BLK_T_ZONE_APPEND),
	      L(VPLAT_VIRTIO_BLK_T_ZONE_REPORT, VIRTIO_BLK_T_ZONE_REPORT),
	      L(VPLAT_VIRTIO_BLK_T_ZONE_OPEN, VIRTIO_BLK_T_ZONE_OPEN),
	      L(VPLAT_VIRTIO_BLK_T_ZONE_CLOSE, VIRTIO_BLK_T_ZONE_CLOSE),
	      L(VPLAT_VIRTIO_BLK_T_ZONE_FINISH, VIRTIO_BLK_T_ZONE_FINISH),
	      L(VPLAT_VIRTIO_BLK_T_ZONE_RESET, VIRTIO_BLK_T_ZONE_RESET),
	      L(VPLAT_VIRTIO_BLK_T_ZONE_RESET_ALL, VIRTIO_BLK_T_ZONE_RESET_ALL),
	      L(VPLAT_VIRTIO_BLK_S_ZONE_INVALID_CMD, VIRTIO_BLK_S_ZONE_INVALID_CMD),
	      L(VPLAT_VIRTIO_BLK_S_ZONE_UNALIGNED_WP, VIRTIO_BLK_S_ZONE_UNALIGNED_WP),
	      L(VPLAT_VIRTIO_BLK_S_ZONE_OPEN_RESOURCE, VIRTIO_BLK_S_ZONE_OPEN_RESOURCE),
	      L(VPLAT_VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE, VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE),
	      L(VPLAT_VIRTIO_BLK_ZT_CONV, VIRTIO_BLK_ZT_CONV), L(VPLAT_VIRTIO_BLK_ZT_SWR, VIRTIO_BLK_ZT_SWR),
	      L(VPLAT_VIRTIO_BLK_ZT_SWP, VIRTIO_BLK_ZT_SWP), L(VPLAT_VIRTIO_BLK_ZS_NOT_WP, VIRTIO_BLK_ZS_NOT_WP),
	      L(VPLAT_VIRTIO_BLK_ZS_EMPTY, VIRTIO_BLK_ZS_EMPTY), L(VPLAT_VIRTIO_BLK_ZS_IOPEN, VIRTIO_BLK_ZS_IOPEN),
	      L(VPLAT_VIRTIO_BLK_ZS_EOPEN, VIRTIO_BLK_ZS_EOPEN),
	      L(VPLAT_VIRTIO_BLK_ZS_CLOSED, VIRTIO_BLK_ZS_CLOSED),
	      L(VPLAT_VIRTIO_BLK_ZS_RDONLY, VIRTIO_BLK_ZS_RDONLY), L(VPLAT_VIRTIO_BLK_ZS_FULL, VIRTIO_BLK_ZS_FULL),
	      L(VPLAT_VIRTIO_BLK_ZS_OFFLINE, VIRTIO_BLK_ZS_OFFLINE),
	      LS(struct vplat_virtio_blk_zone_descriptor, struct virtio_blk_zone_descriptor),
	      LO(struct vplat_virtio_blk_zone_descriptor, z_wp, struct virtio_blk_zone_descriptor, z_wp),
	      LO(struct vplat_virtio_blk_zone_descriptor, z_state, struct virtio_blk_zone_descriptor, z_state),
	      LS(struct vplat_virtio_blk_zone_report, struct virtio_blk_zone_report),
	      LO(struct vplat_virtio_blk_zone_report, zones, struct virtio_blk_zone_report, zones));
#elif defined(VIRTIO_BLK_F_SECURE_ERASE)
	/* Before zoned support Linux's config ended where our `zoned` begins. */
	CHECK(L(offsetof(struct vplat_virtio_blk_config, zoned), sizeof(struct virtio_blk_config)));
#endif
#ifdef VIRTIO_BLK_F_LIFETIME
	CHECK(L(VPLAT_VIRTIO_BLK_F_LIFETIME, VIRTIO_BLK_F_LIFETIME));
#endif
#ifdef VIRTIO_BLK_T_GET_LIFETIME
	CHECK(L(VPLAT_VIRTIO_BLK_T_GET_LIFETIME, VIRTIO_BLK_T_GET_LIFETIME));
#endif
#undef LBC
#endif /* HAVE_LINUX_BLK */
}
END_TEST

/* ---- virtio_console.h, virtio_rng.h (device-types/console, device-types/entropy) ---- */

START_TEST(console_spec)
{
	CHECK(K(VPLAT_VIRTIO_CONSOLE_F_SIZE, 0), K(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT, 1),
	      K(VPLAT_VIRTIO_CONSOLE_F_EMERG_WRITE, 2), K(VPLAT_VIRTIO_CONSOLE_CTRL_RXQ, 2),
	      K(VPLAT_VIRTIO_CONSOLE_CTRL_TXQ, 3), K(VPLAT_VIRTIO_CONSOLE_PORT_RXQ(0), 0),
	      K(VPLAT_VIRTIO_CONSOLE_PORT_TXQ(0), 1), K(VPLAT_VIRTIO_CONSOLE_PORT_RXQ(1), 4),
	      K(VPLAT_VIRTIO_CONSOLE_PORT_TXQ(1), 5), K(VPLAT_VIRTIO_CONSOLE_PORT_RXQ(7), 16),
	      K(VPLAT_VIRTIO_CONSOLE_PORT_TXQ(7), 17), K(VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 0),
	      K(VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 1), K(VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE, 2),
	      K(VPLAT_VIRTIO_CONSOLE_PORT_READY, 3), K(VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT, 4),
	      K(VPLAT_VIRTIO_CONSOLE_RESIZE, 5), K(VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 6),
	      K(VPLAT_VIRTIO_CONSOLE_PORT_NAME, 7), K(VPLAT_VIRTIO_RNG_NUM_QUEUES, 1));
#define T struct vplat_virtio_console_config
	CHECK(S(T, 12), FT(cols, 0, 2), FT(rows, 2, 2), FT(max_nr_ports, 4, 4), FT(emerg_wr, 8, 4));
#undef T
#define T struct vplat_virtio_console_control
	CHECK(S(T, 8), FT(id, 0, 4), FT(event, 4, 2), FT(value, 6, 2));
#undef T
#define T struct vplat_virtio_console_resize
	CHECK(S(T, 4), FT(cols, 0, 2), FT(rows, 2, 2));
#undef T
}
END_TEST

START_TEST(console_linux)
{
#if !(defined(HAVE_LINUX_CONSOLE))
	VPLAT_SKIP("no <linux/virtio_console.h> to check against");
#endif
#ifdef HAVE_LINUX_CONSOLE
#define LCC(f) LO(struct vplat_virtio_console_config, f, struct virtio_console_config, f)
#define LCT(f) LO(struct vplat_virtio_console_control, f, struct virtio_console_control, f)
	CHECK(L(VPLAT_VIRTIO_CONSOLE_F_SIZE, VIRTIO_CONSOLE_F_SIZE),
	      L(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT, VIRTIO_CONSOLE_F_MULTIPORT),
	      L(VPLAT_VIRTIO_CONSOLE_F_EMERG_WRITE, VIRTIO_CONSOLE_F_EMERG_WRITE),
	      L(VPLAT_VIRTIO_CONSOLE_DEVICE_READY, VIRTIO_CONSOLE_DEVICE_READY),
	      L(VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, VIRTIO_CONSOLE_PORT_ADD),
	      L(VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE, VIRTIO_CONSOLE_PORT_REMOVE),
	      L(VPLAT_VIRTIO_CONSOLE_PORT_READY, VIRTIO_CONSOLE_PORT_READY),
	      L(VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT, VIRTIO_CONSOLE_CONSOLE_PORT),
	      L(VPLAT_VIRTIO_CONSOLE_RESIZE, VIRTIO_CONSOLE_RESIZE),
	      L(VPLAT_VIRTIO_CONSOLE_PORT_OPEN, VIRTIO_CONSOLE_PORT_OPEN),
	      L(VPLAT_VIRTIO_CONSOLE_PORT_NAME, VIRTIO_CONSOLE_PORT_NAME),
	      LS(struct vplat_virtio_console_config, struct virtio_console_config), LCC(cols), LCC(rows),
	      LCC(max_nr_ports), LCC(emerg_wr),
	      LS(struct vplat_virtio_console_control, struct virtio_console_control), LCT(id), LCT(event),
	      LCT(value));
#undef LCC
#undef LCT
#endif
}
END_TEST

/* ---- virtio_gpio.h (device-types/gpio/description.tex) ---- */

START_TEST(gpio_spec)
{
	CHECK(K(VPLAT_VIRTIO_GPIO_F_IRQ, 0), K(VPLAT_VIRTIO_GPIO_REQUESTQ, 0),
	      K(VPLAT_VIRTIO_GPIO_EVENTQ, 1), K(VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES, 1),
	      K(VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, 2), K(VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 3),
	      K(VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 4), K(VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 5),
	      K(VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 6), K(VPLAT_VIRTIO_GPIO_STATUS_OK, 0),
	      K(VPLAT_VIRTIO_GPIO_STATUS_ERR, 1), K(VPLAT_VIRTIO_GPIO_DIRECTION_NONE, 0),
	      K(VPLAT_VIRTIO_GPIO_DIRECTION_OUT, 1), K(VPLAT_VIRTIO_GPIO_DIRECTION_IN, 2),
	      K(VPLAT_VIRTIO_GPIO_IRQ_TYPE_NONE, 0), K(VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, 1),
	      K(VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING, 2), K(VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, 3),
	      K(VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, 4), K(VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW, 8),
	      K(VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID, 0), K(VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID, 1));
#define T struct vplat_virtio_gpio_config
	CHECK(S(T, 8), FT(ngpio, 0, 2), FT(padding, 2, 2), FT(gpio_names_size, 4, 4));
#undef T
#define T struct vplat_virtio_gpio_request
	CHECK(S(T, 8), FT(type, 0, 2), FT(gpio, 2, 2), FT(value, 4, 4));
#undef T
#define T struct vplat_virtio_gpio_response
	CHECK(S(T, 2), FT(status, 0, 1), FT(value, 1, 1));
#undef T
#define T struct vplat_virtio_gpio_response_names
	CHECK(S(T, 1), FT(status, 0, 1), FAT(value, 1, 1));
#undef T
#define T struct vplat_virtio_gpio_irq_request
	CHECK(S(T, 2), FT(gpio, 0, 2));
#undef T
#define T struct vplat_virtio_gpio_irq_response
	CHECK(S(T, 1), FT(status, 0, 1));
#undef T
}
END_TEST

START_TEST(gpio_linux)
{
#if !(defined(HAVE_LINUX_GPIO) && defined(VIRTIO_GPIO_IRQ_STATUS_VALID))
	VPLAT_SKIP("no <linux/virtio_gpio.h> (with the 5.17 interrupt ABI) to check against");
#endif
#if defined(HAVE_LINUX_GPIO) && defined(VIRTIO_GPIO_IRQ_STATUS_VALID)
	CHECK(L(VPLAT_VIRTIO_GPIO_F_IRQ, VIRTIO_GPIO_F_IRQ),
	      L(VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES, VIRTIO_GPIO_MSG_GET_NAMES),
	      L(VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, VIRTIO_GPIO_MSG_GET_DIRECTION),
	      L(VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, VIRTIO_GPIO_MSG_SET_DIRECTION),
	      L(VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, VIRTIO_GPIO_MSG_GET_VALUE),
	      L(VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, VIRTIO_GPIO_MSG_SET_VALUE),
	      L(VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, VIRTIO_GPIO_MSG_IRQ_TYPE),
	      L(VPLAT_VIRTIO_GPIO_STATUS_OK, VIRTIO_GPIO_STATUS_OK),
	      L(VPLAT_VIRTIO_GPIO_STATUS_ERR, VIRTIO_GPIO_STATUS_ERR),
	      L(VPLAT_VIRTIO_GPIO_DIRECTION_NONE, VIRTIO_GPIO_DIRECTION_NONE),
	      L(VPLAT_VIRTIO_GPIO_DIRECTION_OUT, VIRTIO_GPIO_DIRECTION_OUT),
	      L(VPLAT_VIRTIO_GPIO_DIRECTION_IN, VIRTIO_GPIO_DIRECTION_IN),
	      L(VPLAT_VIRTIO_GPIO_IRQ_TYPE_NONE, VIRTIO_GPIO_IRQ_TYPE_NONE),
	      L(VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING),
	      L(VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING, VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING),
	      L(VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH),
	      L(VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH),
	      L(VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW, VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW),
	      L(VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID, VIRTIO_GPIO_IRQ_STATUS_INVALID),
	      L(VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID, VIRTIO_GPIO_IRQ_STATUS_VALID),
	      LS(struct vplat_virtio_gpio_config, struct virtio_gpio_config),
	      LO(struct vplat_virtio_gpio_config, gpio_names_size, struct virtio_gpio_config,
		 gpio_names_size),
	      LS(struct vplat_virtio_gpio_request, struct virtio_gpio_request),
	      LO(struct vplat_virtio_gpio_request, gpio, struct virtio_gpio_request, gpio),
	      LO(struct vplat_virtio_gpio_request, value, struct virtio_gpio_request, value),
	      LS(struct vplat_virtio_gpio_response, struct virtio_gpio_response),
	      LO(struct vplat_virtio_gpio_response, value, struct virtio_gpio_response, value),
	      LS(struct vplat_virtio_gpio_response_names, struct virtio_gpio_response_get_names),
	      LS(struct vplat_virtio_gpio_irq_request, struct virtio_gpio_irq_request),
	      LS(struct vplat_virtio_gpio_irq_response, struct virtio_gpio_irq_response));
#endif
}
END_TEST

/* ---- virtio_i2c.h (device-types/i2c/description.tex) ---- */

START_TEST(i2c_spec)
{
	CHECK(K(VPLAT_VIRTIO_ID_I2C, 34), K(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST, 0),
	      K(VPLAT_VIRTIO_I2C_REQUESTQ, 0), K(VPLAT_VIRTIO_I2C_FLAGS_FAIL_NEXT, 1u << 0),
	      K(VPLAT_VIRTIO_I2C_FLAGS_M_RD, 1u << 1), K(VPLAT_VIRTIO_I2C_MSG_OK, 0),
	      K(VPLAT_VIRTIO_I2C_MSG_ERR, 1), K(VPLAT_VIRTIO_I2C_ADDR_10BIT_MASK, 0xf8),
	      K(VPLAT_VIRTIO_I2C_ADDR_10BIT, 0xf0));
#define T struct vplat_virtio_i2c_out_hdr
	CHECK(S(T, 8), FT(addr, 0, 2), FT(padding, 2, 2), FT(flags, 4, 4));
#undef T
#define T struct vplat_virtio_i2c_in_hdr
	CHECK(S(T, 1), FT(status, 0, 1));
#undef T
}
END_TEST

START_TEST(i2c_linux)
{
#ifndef HAVE_LINUX_I2C
	VPLAT_SKIP("no <linux/virtio_i2c.h> to check against");
#else
	CHECK(L(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST, VIRTIO_I2C_F_ZERO_LENGTH_REQUEST),
	      L(VPLAT_VIRTIO_I2C_FLAGS_FAIL_NEXT, VIRTIO_I2C_FLAGS_FAIL_NEXT),
	      L(VPLAT_VIRTIO_I2C_FLAGS_M_RD, VIRTIO_I2C_FLAGS_M_RD),
	      L(VPLAT_VIRTIO_I2C_MSG_OK, VIRTIO_I2C_MSG_OK),
	      L(VPLAT_VIRTIO_I2C_MSG_ERR, VIRTIO_I2C_MSG_ERR),
	      LS(struct vplat_virtio_i2c_out_hdr, struct virtio_i2c_out_hdr),
	      LO(struct vplat_virtio_i2c_out_hdr, addr, struct virtio_i2c_out_hdr, addr),
	      LO(struct vplat_virtio_i2c_out_hdr, padding, struct virtio_i2c_out_hdr, padding),
	      LO(struct vplat_virtio_i2c_out_hdr, flags, struct virtio_i2c_out_hdr, flags),
	      LS(struct vplat_virtio_i2c_in_hdr, struct virtio_i2c_in_hdr),
	      LO(struct vplat_virtio_i2c_in_hdr, status, struct virtio_i2c_in_hdr, status));
#endif
}
END_TEST

/* ---- virtio_input.h (device-types/input/description.tex) ---- */

START_TEST(input_spec)
{
	CHECK(K(VPLAT_VIRTIO_ID_INPUT, 18), K(VPLAT_VIRTIO_INPUT_EVENTQ, 0),
	      K(VPLAT_VIRTIO_INPUT_STATUSQ, 1), K(VPLAT_VIRTIO_INPUT_CFG_UNSET, 0x00),
	      K(VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 0x01), K(VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL, 0x02),
	      K(VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS, 0x03), K(VPLAT_VIRTIO_INPUT_CFG_PROP_BITS, 0x10),
	      K(VPLAT_VIRTIO_INPUT_CFG_EV_BITS, 0x11), K(VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, 0x12));
#define T struct vplat_virtio_input_absinfo
	CHECK(S(T, 20), FT(min, 0, 4), FT(max, 4, 4), FT(fuzz, 8, 4), FT(flat, 12, 4),
	      FT(res, 16, 4));
#undef T
#define T struct vplat_virtio_input_devids
	CHECK(S(T, 8), FT(bustype, 0, 2), FT(vendor, 2, 2), FT(product, 4, 2), FT(version, 6, 2));
#undef T
#define T struct vplat_virtio_input_config
	CHECK(S(T, 136), FT(select, 0, 1), FT(subsel, 1, 1), FT(size, 2, 1), FT(reserved, 3, 5),
	      FT(u, 8, 128));
#undef T
#define T struct vplat_virtio_input_event
	CHECK(S(T, 8), FT(type, 0, 2), FT(code, 2, 2), FT(value, 4, 4));
#undef T
}
END_TEST

/* ---- virtio_vsock.h (device-types/vsock/description.tex) ---- */

START_TEST(vsock_spec)
{
	CHECK(K(VPLAT_VIRTIO_ID_VSOCK, 19), K(VPLAT_VIRTIO_VSOCK_F_STREAM, 0),
	      K(VPLAT_VIRTIO_VSOCK_F_SEQPACKET, 1), K(VPLAT_VIRTIO_VSOCK_F_NO_IMPLIED_STREAM, 2),
	      K(VPLAT_VIRTIO_VSOCK_RXQ, 0), K(VPLAT_VIRTIO_VSOCK_TXQ, 1),
	      K(VPLAT_VIRTIO_VSOCK_EVENTQ, 2), K(VPLAT_VSOCK_CID_HOST, 2),
	      K(VPLAT_VSOCK_CID_ANY, 0xffffffffu), K(VPLAT_VIRTIO_VSOCK_HDR_SRC_CID, 0),
	      K(VPLAT_VIRTIO_VSOCK_HDR_DST_CID, 8), K(VPLAT_VIRTIO_VSOCK_HDR_SRC_PORT, 16),
	      K(VPLAT_VIRTIO_VSOCK_HDR_DST_PORT, 20), K(VPLAT_VIRTIO_VSOCK_HDR_LEN_OFF, 24),
	      K(VPLAT_VIRTIO_VSOCK_HDR_TYPE, 28), K(VPLAT_VIRTIO_VSOCK_HDR_OP, 30),
	      K(VPLAT_VIRTIO_VSOCK_HDR_FLAGS, 32), K(VPLAT_VIRTIO_VSOCK_HDR_BUF_ALLOC, 36),
	      K(VPLAT_VIRTIO_VSOCK_HDR_FWD_CNT, 40), K(VPLAT_VIRTIO_VSOCK_HDR_SIZE, 44),
	      K(VPLAT_VIRTIO_VSOCK_TYPE_STREAM, 1), K(VPLAT_VIRTIO_VSOCK_TYPE_SEQPACKET, 2),
	      K(VPLAT_VIRTIO_VSOCK_OP_INVALID, 0), K(VPLAT_VIRTIO_VSOCK_OP_REQUEST, 1),
	      K(VPLAT_VIRTIO_VSOCK_OP_RESPONSE, 2), K(VPLAT_VIRTIO_VSOCK_OP_RST, 3),
	      K(VPLAT_VIRTIO_VSOCK_OP_SHUTDOWN, 4), K(VPLAT_VIRTIO_VSOCK_OP_RW, 5),
	      K(VPLAT_VIRTIO_VSOCK_OP_CREDIT_UPDATE, 6), K(VPLAT_VIRTIO_VSOCK_OP_CREDIT_REQUEST, 7),
	      K(VPLAT_VIRTIO_VSOCK_SHUTDOWN_RCV, 1u << 0), K(VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND, 1u << 1),
	      K(VPLAT_VIRTIO_VSOCK_SEQ_EOM, 1u << 0), K(VPLAT_VIRTIO_VSOCK_SEQ_EOR, 1u << 1),
	      K(VPLAT_VIRTIO_VSOCK_EVENT_TRANSPORT_RESET, 0));
#define T struct vplat_virtio_vsock_config
	CHECK(S(T, 8), FT(guest_cid, 0, 8));
#undef T
#define T struct vplat_virtio_vsock_event
	CHECK(S(T, 4), FT(id, 0, 4));
#undef T
}
END_TEST

START_TEST(input_linux)
{
#ifndef HAVE_LINUX_INPUT
	VPLAT_SKIP("no <linux/virtio_input.h> to check against");
#else
	CHECK(L(VPLAT_VIRTIO_INPUT_CFG_UNSET, VIRTIO_INPUT_CFG_UNSET),
	      L(VPLAT_VIRTIO_INPUT_CFG_ID_NAME, VIRTIO_INPUT_CFG_ID_NAME),
	      L(VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL, VIRTIO_INPUT_CFG_ID_SERIAL),
	      L(VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS, VIRTIO_INPUT_CFG_ID_DEVIDS),
	      L(VPLAT_VIRTIO_INPUT_CFG_PROP_BITS, VIRTIO_INPUT_CFG_PROP_BITS),
	      L(VPLAT_VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_CFG_EV_BITS),
	      L(VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, VIRTIO_INPUT_CFG_ABS_INFO),
	      LS(struct vplat_virtio_input_absinfo, struct virtio_input_absinfo),
	      LO(struct vplat_virtio_input_absinfo, min, struct virtio_input_absinfo, min),
	      LO(struct vplat_virtio_input_absinfo, max, struct virtio_input_absinfo, max),
	      LO(struct vplat_virtio_input_absinfo, fuzz, struct virtio_input_absinfo, fuzz),
	      LO(struct vplat_virtio_input_absinfo, flat, struct virtio_input_absinfo, flat),
	      LO(struct vplat_virtio_input_absinfo, res, struct virtio_input_absinfo, res),
	      LS(struct vplat_virtio_input_devids, struct virtio_input_devids),
	      LO(struct vplat_virtio_input_devids, bustype, struct virtio_input_devids, bustype),
	      LO(struct vplat_virtio_input_devids, vendor, struct virtio_input_devids, vendor),
	      LO(struct vplat_virtio_input_devids, product, struct virtio_input_devids, product),
	      LO(struct vplat_virtio_input_devids, version, struct virtio_input_devids, version),
	      LS(struct vplat_virtio_input_config, struct virtio_input_config),
	      LO(struct vplat_virtio_input_config, select, struct virtio_input_config, select),
	      LO(struct vplat_virtio_input_config, subsel, struct virtio_input_config, subsel),
	      LO(struct vplat_virtio_input_config, size, struct virtio_input_config, size),
	      LO(struct vplat_virtio_input_config, reserved, struct virtio_input_config, reserved),
	      LO(struct vplat_virtio_input_config, u, struct virtio_input_config, u),
	      LS(struct vplat_virtio_input_event, struct virtio_input_event),
	      LO(struct vplat_virtio_input_event, type, struct virtio_input_event, type),
	      LO(struct vplat_virtio_input_event, code, struct virtio_input_event, code),
	      LO(struct vplat_virtio_input_event, value, struct virtio_input_event, value));
#endif
}
END_TEST

START_TEST(vsock_linux)
{
#ifndef HAVE_LINUX_VSOCK
	VPLAT_SKIP("no <linux/virtio_vsock.h> to check against");
#else
#define LH(ours, field) L(ours, offsetof(struct virtio_vsock_hdr, field))
	CHECK(L(VPLAT_VIRTIO_VSOCK_F_SEQPACKET, VIRTIO_VSOCK_F_SEQPACKET),
	      LH(VPLAT_VIRTIO_VSOCK_HDR_SRC_CID, src_cid), LH(VPLAT_VIRTIO_VSOCK_HDR_DST_CID, dst_cid),
	      LH(VPLAT_VIRTIO_VSOCK_HDR_SRC_PORT, src_port),
	      LH(VPLAT_VIRTIO_VSOCK_HDR_DST_PORT, dst_port), LH(VPLAT_VIRTIO_VSOCK_HDR_LEN_OFF, len),
	      LH(VPLAT_VIRTIO_VSOCK_HDR_TYPE, type), LH(VPLAT_VIRTIO_VSOCK_HDR_OP, op),
	      LH(VPLAT_VIRTIO_VSOCK_HDR_FLAGS, flags),
	      LH(VPLAT_VIRTIO_VSOCK_HDR_BUF_ALLOC, buf_alloc),
	      LH(VPLAT_VIRTIO_VSOCK_HDR_FWD_CNT, fwd_cnt),
	      L(VPLAT_VIRTIO_VSOCK_HDR_SIZE, sizeof(struct virtio_vsock_hdr)),
	      L(VPLAT_VIRTIO_VSOCK_TYPE_STREAM, VIRTIO_VSOCK_TYPE_STREAM),
	      L(VPLAT_VIRTIO_VSOCK_TYPE_SEQPACKET, VIRTIO_VSOCK_TYPE_SEQPACKET),
	      L(VPLAT_VIRTIO_VSOCK_OP_INVALID, VIRTIO_VSOCK_OP_INVALID),
	      L(VPLAT_VIRTIO_VSOCK_OP_REQUEST, VIRTIO_VSOCK_OP_REQUEST),
	      L(VPLAT_VIRTIO_VSOCK_OP_RESPONSE, VIRTIO_VSOCK_OP_RESPONSE),
	      L(VPLAT_VIRTIO_VSOCK_OP_RST, VIRTIO_VSOCK_OP_RST),
	      L(VPLAT_VIRTIO_VSOCK_OP_SHUTDOWN, VIRTIO_VSOCK_OP_SHUTDOWN),
	      L(VPLAT_VIRTIO_VSOCK_OP_RW, VIRTIO_VSOCK_OP_RW),
	      L(VPLAT_VIRTIO_VSOCK_OP_CREDIT_UPDATE, VIRTIO_VSOCK_OP_CREDIT_UPDATE),
	      L(VPLAT_VIRTIO_VSOCK_OP_CREDIT_REQUEST, VIRTIO_VSOCK_OP_CREDIT_REQUEST),
	      L(VPLAT_VIRTIO_VSOCK_SHUTDOWN_RCV, VIRTIO_VSOCK_SHUTDOWN_RCV),
	      L(VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND, VIRTIO_VSOCK_SHUTDOWN_SEND),
	      L(VPLAT_VIRTIO_VSOCK_SEQ_EOM, VIRTIO_VSOCK_SEQ_EOM),
	      L(VPLAT_VIRTIO_VSOCK_SEQ_EOR, VIRTIO_VSOCK_SEQ_EOR),
	      L(VPLAT_VIRTIO_VSOCK_EVENT_TRANSPORT_RESET, VIRTIO_VSOCK_EVENT_TRANSPORT_RESET),
	      LS(struct vplat_virtio_vsock_config, struct virtio_vsock_config),
	      LO(struct vplat_virtio_vsock_config, guest_cid, struct virtio_vsock_config, guest_cid),
	      LS(struct vplat_virtio_vsock_event, struct virtio_vsock_event),
	      LO(struct vplat_virtio_vsock_event, id, struct virtio_vsock_event, id));
#undef LH
#endif
}
END_TEST

/* ---- virtio_snd.h (device-types/sound/description.tex) ---- */

START_TEST(snd_spec)
{
	CHECK(K(VPLAT_VIRTIO_ID_SOUND, 25), K(VPLAT_VIRTIO_SND_VQ_CONTROL, 0),
	      K(VPLAT_VIRTIO_SND_VQ_EVENT, 1), K(VPLAT_VIRTIO_SND_VQ_TX, 2),
	      K(VPLAT_VIRTIO_SND_VQ_RX, 3), K(VPLAT_VIRTIO_SND_D_OUTPUT, 0),
	      K(VPLAT_VIRTIO_SND_D_INPUT, 1), K(VPLAT_VIRTIO_SND_R_JACK_INFO, 1),
	      K(VPLAT_VIRTIO_SND_R_JACK_REMAP, 2), K(VPLAT_VIRTIO_SND_R_PCM_INFO, 0x100),
	      K(VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS, 0x101), K(VPLAT_VIRTIO_SND_R_PCM_PREPARE, 0x102),
	      K(VPLAT_VIRTIO_SND_R_PCM_RELEASE, 0x103), K(VPLAT_VIRTIO_SND_R_PCM_START, 0x104),
	      K(VPLAT_VIRTIO_SND_R_PCM_STOP, 0x105), K(VPLAT_VIRTIO_SND_R_CHMAP_INFO, 0x200),
	      K(VPLAT_VIRTIO_SND_EVT_JACK_CONNECTED, 0x1000),
	      K(VPLAT_VIRTIO_SND_EVT_JACK_DISCONNECTED, 0x1001),
	      K(VPLAT_VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED, 0x1100),
	      K(VPLAT_VIRTIO_SND_EVT_PCM_XRUN, 0x1101), K(VPLAT_VIRTIO_SND_S_OK, 0x8000),
	      K(VPLAT_VIRTIO_SND_S_BAD_MSG, 0x8001), K(VPLAT_VIRTIO_SND_S_NOT_SUPP, 0x8002),
	      K(VPLAT_VIRTIO_SND_S_IO_ERR, 0x8003), K(VPLAT_VIRTIO_SND_PCM_FMT_S16, 5),
	      K(VPLAT_VIRTIO_SND_PCM_FMT_IEC958_SUBFRAME, 24), K(VPLAT_VIRTIO_SND_PCM_RATE_48000, 7),
	      K(VPLAT_VIRTIO_SND_PCM_RATE_384000, 13), K(VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE, 18),
	      K(VPLAT_VIRTIO_SND_CHMAP_BRC, 36));
#define T struct vplat_virtio_snd_config
	CHECK(S(T, 12), FT(jacks, 0, 4), FT(streams, 4, 4), FT(chmaps, 8, 4));
#undef T
#define T struct vplat_virtio_snd_query_info
	CHECK(S(T, 16), FT(start_id, 4, 4), FT(count, 8, 4), FT(size, 12, 4));
#undef T
#define T struct vplat_virtio_snd_jack_info
	CHECK(S(T, 24), FT(features, 4, 4), FT(hda_reg_defconf, 8, 4), FT(hda_reg_caps, 12, 4),
	      FT(connected, 16, 1), FT(padding, 17, 7));
#undef T
#define T struct vplat_virtio_snd_pcm_info
	CHECK(S(T, 32), FT(features, 4, 4), FT(formats, 8, 8), FT(rates, 16, 8),
	      FT(direction, 24, 1), FT(channels_min, 25, 1), FT(channels_max, 26, 1),
	      FT(padding, 27, 5));
#undef T
#define T struct vplat_virtio_snd_pcm_set_params
	CHECK(S(T, 24), FT(buffer_bytes, 8, 4), FT(period_bytes, 12, 4), FT(features, 16, 4),
	      FT(channels, 20, 1), FT(format, 21, 1), FT(rate, 22, 1), FT(padding, 23, 1));
#undef T
#define T struct vplat_virtio_snd_pcm_status
	CHECK(S(T, 8), FT(status, 0, 4), FT(latency_bytes, 4, 4));
#undef T
#define T struct vplat_virtio_snd_chmap_info
	CHECK(S(T, 24), FT(direction, 4, 1), FT(channels, 5, 1), FT(positions, 6, 18));
#undef T
	CHECK(S(struct vplat_virtio_snd_event, 8), S(struct vplat_virtio_snd_pcm_xfer, 4),
	      S(struct vplat_virtio_snd_pcm_hdr, 8), S(struct vplat_virtio_snd_jack_remap, 16));
}
END_TEST

START_TEST(snd_linux)
{
#ifndef HAVE_LINUX_SND
	VPLAT_SKIP("no <linux/virtio_snd.h> to check against");
#else
	CHECK(L(VPLAT_VIRTIO_SND_VQ_CONTROL, VIRTIO_SND_VQ_CONTROL),
	      L(VPLAT_VIRTIO_SND_VQ_EVENT, VIRTIO_SND_VQ_EVENT),
	      L(VPLAT_VIRTIO_SND_VQ_TX, VIRTIO_SND_VQ_TX), L(VPLAT_VIRTIO_SND_VQ_RX, VIRTIO_SND_VQ_RX),
	      L(VPLAT_VIRTIO_SND_VQ_MAX, VIRTIO_SND_VQ_MAX),
	      L(VPLAT_VIRTIO_SND_D_INPUT, VIRTIO_SND_D_INPUT),
	      L(VPLAT_VIRTIO_SND_R_JACK_INFO, VIRTIO_SND_R_JACK_INFO),
	      L(VPLAT_VIRTIO_SND_R_JACK_REMAP, VIRTIO_SND_R_JACK_REMAP),
	      L(VPLAT_VIRTIO_SND_R_PCM_INFO, VIRTIO_SND_R_PCM_INFO),
	      L(VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS, VIRTIO_SND_R_PCM_SET_PARAMS),
	      L(VPLAT_VIRTIO_SND_R_PCM_PREPARE, VIRTIO_SND_R_PCM_PREPARE),
	      L(VPLAT_VIRTIO_SND_R_PCM_RELEASE, VIRTIO_SND_R_PCM_RELEASE),
	      L(VPLAT_VIRTIO_SND_R_PCM_START, VIRTIO_SND_R_PCM_START),
	      L(VPLAT_VIRTIO_SND_R_PCM_STOP, VIRTIO_SND_R_PCM_STOP),
	      L(VPLAT_VIRTIO_SND_R_CHMAP_INFO, VIRTIO_SND_R_CHMAP_INFO),
	      L(VPLAT_VIRTIO_SND_EVT_JACK_CONNECTED, VIRTIO_SND_EVT_JACK_CONNECTED),
	      L(VPLAT_VIRTIO_SND_EVT_JACK_DISCONNECTED, VIRTIO_SND_EVT_JACK_DISCONNECTED),
	      L(VPLAT_VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED, VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED),
	      L(VPLAT_VIRTIO_SND_EVT_PCM_XRUN, VIRTIO_SND_EVT_PCM_XRUN),
	      L(VPLAT_VIRTIO_SND_S_OK, VIRTIO_SND_S_OK), L(VPLAT_VIRTIO_SND_S_BAD_MSG, VIRTIO_SND_S_BAD_MSG),
	      L(VPLAT_VIRTIO_SND_S_NOT_SUPP, VIRTIO_SND_S_NOT_SUPP),
	      L(VPLAT_VIRTIO_SND_S_IO_ERR, VIRTIO_SND_S_IO_ERR),
	      L(VPLAT_VIRTIO_SND_PCM_F_EVT_XRUNS, VIRTIO_SND_PCM_F_EVT_XRUNS),
	      L(VPLAT_VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_FMT_S16),
	      L(VPLAT_VIRTIO_SND_PCM_FMT_IEC958_SUBFRAME, VIRTIO_SND_PCM_FMT_IEC958_SUBFRAME),
	      L(VPLAT_VIRTIO_SND_PCM_RATE_48000, VIRTIO_SND_PCM_RATE_48000),
	      L(VPLAT_VIRTIO_SND_PCM_RATE_384000, VIRTIO_SND_PCM_RATE_384000),
	      L(VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE, VIRTIO_SND_CHMAP_MAX_SIZE),
	      L(VPLAT_VIRTIO_SND_CHMAP_BRC, VIRTIO_SND_CHMAP_BRC),
	      L(VPLAT_VIRTIO_SND_JACK_F_REMAP, VIRTIO_SND_JACK_F_REMAP),
	      LS(struct vplat_virtio_snd_config, struct virtio_snd_config),
	      LS(struct vplat_virtio_snd_query_info, struct virtio_snd_query_info),
	      LS(struct vplat_virtio_snd_jack_info, struct virtio_snd_jack_info),
	      LO(struct vplat_virtio_snd_jack_info, connected, struct virtio_snd_jack_info, connected),
	      LS(struct vplat_virtio_snd_jack_remap, struct virtio_snd_jack_remap),
	      LS(struct vplat_virtio_snd_pcm_info, struct virtio_snd_pcm_info),
	      LO(struct vplat_virtio_snd_pcm_info, formats, struct virtio_snd_pcm_info, formats),
	      LO(struct vplat_virtio_snd_pcm_info, rates, struct virtio_snd_pcm_info, rates),
	      LO(struct vplat_virtio_snd_pcm_info, direction, struct virtio_snd_pcm_info, direction),
	      LO(struct vplat_virtio_snd_pcm_info, channels_max, struct virtio_snd_pcm_info,
		 channels_max),
	      LS(struct vplat_virtio_snd_pcm_set_params, struct virtio_snd_pcm_set_params),
	      LO(struct vplat_virtio_snd_pcm_set_params, buffer_bytes, struct virtio_snd_pcm_set_params,
		 buffer_bytes),
	      LO(struct vplat_virtio_snd_pcm_set_params, period_bytes, struct virtio_snd_pcm_set_params,
		 period_bytes),
	      LO(struct vplat_virtio_snd_pcm_set_params, channels, struct virtio_snd_pcm_set_params,
		 channels),
	      LO(struct vplat_virtio_snd_pcm_set_params, format, struct virtio_snd_pcm_set_params,
		 format),
	      LO(struct vplat_virtio_snd_pcm_set_params, rate, struct virtio_snd_pcm_set_params, rate),
	      LS(struct vplat_virtio_snd_pcm_xfer, struct virtio_snd_pcm_xfer),
	      LS(struct vplat_virtio_snd_pcm_status, struct virtio_snd_pcm_status),
	      LO(struct vplat_virtio_snd_pcm_status, latency_bytes, struct virtio_snd_pcm_status,
		 latency_bytes),
	      LS(struct vplat_virtio_snd_event, struct virtio_snd_event),
	      LS(struct vplat_virtio_snd_chmap_info, struct virtio_snd_chmap_info),
	      LO(struct vplat_virtio_snd_chmap_info, positions, struct virtio_snd_chmap_info,
		 positions));
#endif
}
END_TEST

/* ---- virtio_can.h (device-types/can/description.tex) ---- */

START_TEST(can_spec)
{
	CHECK(K(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC, 0), K(VPLAT_VIRTIO_CAN_F_CAN_FD, 1),
	      K(VPLAT_VIRTIO_CAN_F_RTR_FRAMES, 2), K(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK, 3),
	      K(VPLAT_VIRTIO_CAN_TXQ, 0), K(VPLAT_VIRTIO_CAN_RXQ, 1), K(VPLAT_VIRTIO_CAN_CONTROLQ, 2),
	      K(VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF, 1), K(VPLAT_VIRTIO_CAN_RESULT_OK, 0),
	      K(VPLAT_VIRTIO_CAN_RESULT_NOT_OK, 1), K(VPLAT_VIRTIO_CAN_TX, 0x0001),
	      K(VPLAT_VIRTIO_CAN_RX, 0x0101), K(VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START, 0x0201),
	      K(VPLAT_VIRTIO_CAN_SET_CTRL_MODE_STOP, 0x0202), K(VPLAT_VIRTIO_CAN_FLAGS_EXTENDED, 0x8000),
	      K(VPLAT_VIRTIO_CAN_FLAGS_FD, 0x4000), K(VPLAT_VIRTIO_CAN_FLAGS_RTR, 0x2000),
	      K(VPLAT_VIRTIO_CAN_MAX_DLEN_CLASSIC, 8), K(VPLAT_VIRTIO_CAN_MAX_DLEN_FD, 64),
	      K(VPLAT_VIRTIO_CAN_ID_STD_MASK, 0x7ff), K(VPLAT_VIRTIO_CAN_ID_EXT_MASK, 0x1fffffff));
#define T struct vplat_virtio_can_config
	CHECK(S(T, 2), FT(status, 0, 2));
#undef T
#define T struct vplat_virtio_can_control_out
	CHECK(S(T, 2), FT(msg_type, 0, 2));
#undef T
#define T struct vplat_virtio_can_control_in
	CHECK(S(T, 1), FT(result, 0, 1));
#undef T
#define T struct vplat_virtio_can_tx_in
	CHECK(S(T, 1), FT(result, 0, 1));
#undef T
/* Txq and Rxq frames share the 16-byte header. */
#define CAN_FRAME_LAYOUT                                                                          \
	S(T, 16), FT(msg_type, 0, 2), FT(length, 2, 2), FT(reserved_classic_dlc, 4, 1),           \
		FT(padding, 5, 1), FT(reserved_xl_priority, 6, 2), FT(flags, 8, 4), FT(can_id, 12, 4), \
		FAT(sdu, 16, 1)
#define T struct vplat_virtio_can_tx_out
	CHECK(CAN_FRAME_LAYOUT);
#undef T
#define T struct vplat_virtio_can_rx
	CHECK(CAN_FRAME_LAYOUT);
#undef T
#undef CAN_FRAME_LAYOUT
}
END_TEST

START_TEST(can_linux)
{
#if !(defined(HAVE_LINUX_CAN))
	VPLAT_SKIP("no <linux/virtio_can.h> (not in Linux 6.1 headers) to check against");
#endif
#ifdef HAVE_LINUX_CAN
#define LTX(f) LO(struct vplat_virtio_can_tx_out, f, struct virtio_can_tx_out, f)
#define LRX(f) LO(struct vplat_virtio_can_rx, f, struct virtio_can_rx, f)
	CHECK(L(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC, VIRTIO_CAN_F_CAN_CLASSIC),
	      L(VPLAT_VIRTIO_CAN_F_CAN_FD, VIRTIO_CAN_F_CAN_FD),
	      L(VPLAT_VIRTIO_CAN_F_RTR_FRAMES, VIRTIO_CAN_F_RTR_FRAMES),
	      L(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK, VIRTIO_CAN_F_LATE_TX_ACK),
	      L(VPLAT_VIRTIO_CAN_RESULT_OK, VIRTIO_CAN_RESULT_OK),
	      L(VPLAT_VIRTIO_CAN_RESULT_NOT_OK, VIRTIO_CAN_RESULT_NOT_OK),
	      L(VPLAT_VIRTIO_CAN_FLAGS_EXTENDED, VIRTIO_CAN_FLAGS_EXTENDED),
	      L(VPLAT_VIRTIO_CAN_FLAGS_FD, VIRTIO_CAN_FLAGS_FD),
	      L(VPLAT_VIRTIO_CAN_FLAGS_RTR, VIRTIO_CAN_FLAGS_RTR),
	      L(VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF, VIRTIO_CAN_S_CTRL_BUSOFF),
	      L(VPLAT_VIRTIO_CAN_TX, VIRTIO_CAN_TX), L(VPLAT_VIRTIO_CAN_RX, VIRTIO_CAN_RX),
	      L(VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START, VIRTIO_CAN_SET_CTRL_MODE_START),
	      L(VPLAT_VIRTIO_CAN_SET_CTRL_MODE_STOP, VIRTIO_CAN_SET_CTRL_MODE_STOP),
	      L(VPLAT_VIRTIO_CAN_MAX_DLEN_FD, VIRTIO_CAN_MAX_DLEN),
	      LS(struct vplat_virtio_can_config, struct virtio_can_config),
	      LS(struct vplat_virtio_can_control_out, struct virtio_can_control_out),
	      LS(struct vplat_virtio_can_control_in, struct virtio_can_control_in),
	      LS(struct vplat_virtio_can_tx_in, struct virtio_can_tx_in),
	      LS(struct vplat_virtio_can_tx_out, struct virtio_can_tx_out), LTX(length),
	      LTX(reserved_classic_dlc), LTX(reserved_xl_priority), LTX(flags), LTX(can_id), LTX(sdu),
	      LS(struct vplat_virtio_can_rx, struct virtio_can_rx), LRX(length), LRX(flags),
	      LRX(can_id), LRX(sdu));
#undef LTX
#undef LRX
#endif
}
END_TEST

/* The cross-checks above that are compiled only when the installed Linux headers define the
 * name (newer than Debian 12's 6.1): a skip that lists those not checked on this machine. */
static void missing(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, "%s%s", len ? " " : "", name);
}

START_TEST(linux_newer_names)
{
	char buf[2048] = "";
#if !defined(HAVE_LINUX_CONFIG) || !defined(HAVE_LINUX_RING) || !defined(HAVE_LINUX_MMIO) ||  \
	!defined(HAVE_LINUX_PCI) || !defined(HAVE_LINUX_NET) || !defined(HAVE_LINUX_BLK)
	VPLAT_SKIP("the Linux virtio headers are missing");
#endif
#ifndef VIRTIO_ID_GPIO
	missing(buf, sizeof(buf), "VIRTIO_ID_GPIO");
#endif
#ifndef VIRTIO_F_ACCESS_PLATFORM
	missing(buf, sizeof(buf), "VIRTIO_F_ACCESS_PLATFORM");
#endif
#ifndef VIRTIO_F_NOTIFICATION_DATA
	missing(buf, sizeof(buf), "VIRTIO_F_NOTIFICATION_DATA");
#endif
#ifndef VIRTIO_F_NOTIF_CONFIG_DATA
	missing(buf, sizeof(buf), "VIRTIO_F_NOTIF_CONFIG_DATA");
#endif
#ifndef VIRTIO_F_RING_RESET
	missing(buf, sizeof(buf), "VIRTIO_F_RING_RESET");
#endif
#ifndef VIRTIO_F_ADMIN_VQ
	missing(buf, sizeof(buf), "VIRTIO_F_ADMIN_VQ");
#endif
#ifndef VIRTIO_CONFIG_S_SUSPEND
	missing(buf, sizeof(buf), "VIRTIO_CONFIG_S_SUSPEND");
#endif
#ifndef VIRTIO_F_SUSPEND
	missing(buf, sizeof(buf), "VIRTIO_F_SUSPEND");
#endif
#ifndef VRING_PACKED_EVENT_FLAG_DESC
	missing(buf, sizeof(buf), "VRING_PACKED_EVENT_FLAG_DESC");
#endif
#ifndef VIRTIO_MMIO_SHM_SEL
	missing(buf, sizeof(buf), "VIRTIO_MMIO_SHM_SEL");
#endif
#ifndef VIRTIO_MMIO_QUEUE_RESET
	missing(buf, sizeof(buf), "VIRTIO_MMIO_QUEUE_RESET");
#endif
#ifndef VIRTIO_PCI_COMMON_Q_RESET
	missing(buf, sizeof(buf), "VIRTIO_PCI_COMMON_Q_RESET");
#endif
#ifndef VIRTIO_PCI_COMMON_ADM_Q_IDX
	missing(buf, sizeof(buf), "VIRTIO_PCI_COMMON_ADM_Q_IDX");
#endif
#ifndef VIRTIO_PCI_CAP_SHARED_MEMORY_CFG
	missing(buf, sizeof(buf), "VIRTIO_PCI_CAP_SHARED_MEMORY_CFG");
#endif
#ifndef VIRTIO_PCI_CAP_VENDOR_CFG
	missing(buf, sizeof(buf), "VIRTIO_PCI_CAP_VENDOR_CFG");
#endif
#ifndef VIRTIO_NET_F_MTU
	missing(buf, sizeof(buf), "VIRTIO_NET_F_MTU");
#endif
#ifndef VIRTIO_NET_F_SPEED_DUPLEX
	missing(buf, sizeof(buf), "VIRTIO_NET_F_SPEED_DUPLEX");
#endif
#ifndef VIRTIO_NET_F_STANDBY
	missing(buf, sizeof(buf), "VIRTIO_NET_F_STANDBY");
#endif
#ifndef VIRTIO_NET_F_RSC_EXT
	missing(buf, sizeof(buf), "VIRTIO_NET_F_RSC_EXT");
#endif
#ifndef VIRTIO_NET_HASH_REPORT_NONE
	missing(buf, sizeof(buf), "VIRTIO_NET_HASH_REPORT_NONE");
#endif
#ifndef VIRTIO_NET_RSS_HASH_TYPE_IPv4
	missing(buf, sizeof(buf), "VIRTIO_NET_RSS_HASH_TYPE_IPv4");
#endif
#ifndef VIRTIO_NET_CTRL_NOTF_COAL_TX_SET
	missing(buf, sizeof(buf), "VIRTIO_NET_CTRL_NOTF_COAL_TX_SET");
#endif
#ifndef VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET
	missing(buf, sizeof(buf), "VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET");
#endif
#ifndef VIRTIO_NET_F_GUEST_USO4
	missing(buf, sizeof(buf), "VIRTIO_NET_F_GUEST_USO4");
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
	missing(buf, sizeof(buf), "VIRTIO_NET_HDR_GSO_UDP_L4");
#endif
#ifndef VIRTIO_NET_F_GUEST_HDRLEN
	missing(buf, sizeof(buf), "VIRTIO_NET_F_GUEST_HDRLEN");
#endif
#ifndef VIRTIO_NET_F_DEVICE_STATS
	missing(buf, sizeof(buf), "VIRTIO_NET_F_DEVICE_STATS");
#endif
#ifndef VIRTIO_NET_CTRL_STATS
	missing(buf, sizeof(buf), "VIRTIO_NET_CTRL_STATS");
#endif
#ifndef VIRTIO_NET_F_HASH_TUNNEL
	missing(buf, sizeof(buf), "VIRTIO_NET_F_HASH_TUNNEL");
#endif
#ifndef VIRTIO_NET_F_RSS_CONTEXT
	missing(buf, sizeof(buf), "VIRTIO_NET_F_RSS_CONTEXT");
#endif
#ifndef VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO
	missing(buf, sizeof(buf), "VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO");
#endif
#ifndef VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_MAPPED
	missing(buf, sizeof(buf), "VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_MAPPED");
#endif
#ifndef VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM
	missing(buf, sizeof(buf), "VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM");
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4
	missing(buf, sizeof(buf), "VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4");
#endif
#ifndef VIRTIO_BLK_F_MQ
	missing(buf, sizeof(buf), "VIRTIO_BLK_F_MQ");
#endif
#ifndef VIRTIO_BLK_F_WRITE_ZEROES
	missing(buf, sizeof(buf), "VIRTIO_BLK_F_WRITE_ZEROES");
#endif
#ifndef VIRTIO_BLK_F_SECURE_ERASE
	missing(buf, sizeof(buf), "VIRTIO_BLK_F_SECURE_ERASE");
#endif
#ifndef VIRTIO_BLK_F_ZONED
	missing(buf, sizeof(buf), "VIRTIO_BLK_F_ZONED");
#endif
#ifndef VIRTIO_BLK_F_LIFETIME
	missing(buf, sizeof(buf), "VIRTIO_BLK_F_LIFETIME");
#endif
#ifndef VIRTIO_BLK_T_GET_LIFETIME
	missing(buf, sizeof(buf), "VIRTIO_BLK_T_GET_LIFETIME");
#endif
#ifndef VIRTIO_TRANS_ID_NET
	missing(buf, sizeof(buf), "VIRTIO_TRANS_ID_NET");
#endif
	if (buf[0])
		VPLAT_SKIP("not in these Linux headers, so not cross-checked: %s", buf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("wire");
	struct {
		const char *name;
		const TTest *spec;
		const TTest *lnx;
	} const groups[] = {
		{"config", config_spec, config_linux}, {"ring", ring_spec, ring_linux},
		{"mmio", mmio_spec, mmio_linux},       {"pci", pci_spec, pci_linux},
		{"net", net_spec, net_linux},          {"blk", blk_spec, blk_linux},
		{"console", console_spec, console_linux}, {"gpio", gpio_spec, gpio_linux},
		{"can", can_spec, NULL},               {"i2c", i2c_spec, i2c_linux},
		{"input", input_spec, input_linux},
		{"vsock", vsock_spec, vsock_linux},
		{"snd", snd_spec, snd_linux},
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		TCase *tc = tcase_create(groups[i].name);
		tcase_add_test(tc, groups[i].spec);
		if (groups[i].lnx)
			tcase_add_test(tc, groups[i].lnx);
		suite_add_tcase(s, tc);
	}
	TCase *tc = tcase_create("misc");
	tcase_add_test(tc, notify_layout);
	tcase_add_test(tc, pci_regs_spec);
	suite_add_tcase(s, tc);
	/* Cross-checks against Linux headers newer than Debian 12's linux-libc-dev (6.1): run
	 * on their own (CTest unit.test_wire_linux_newer, CK_INCLUDE_TAGS=linux-newer), allowed to
	 * skip there; unit.test_wire excludes them (CK_EXCLUDE_TAGS) and must not skip. */
	tc = tcase_create("linux-newer");
	tcase_set_tags(tc, "linux-newer");
	tcase_add_test(tc, can_linux);
	tcase_add_test(tc, linux_newer_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
