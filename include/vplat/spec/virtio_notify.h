/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_notify.h
 * The 32-bit available-buffer notification value used with VIRTIO_F_NOTIFICATION_DATA.
 *
 * Written from the virtio 1.4 specification: content.tex "Driver Notifications", and the two
 * transports that carry the value, transport-mmio.tex (the QueueNotify register) and
 * transport-pci.tex ("Available Buffer Notifications"). The value is a le32 laid out as
 *
 * | bits   | field     | split ring                  | packed ring                        |
 * |--------|-----------|-----------------------------|------------------------------------|
 * | 0..15  | vq_index  | virtqueue index             | virtqueue index                    |
 * | 16..30 | next_off  | available index, bits 0..14 | offset of the next available desc. |
 * | 31     | next_wrap | available index, bit 15     | driver's wrap counter              |
 *
 * On PCI with VIRTIO_F_NOTIF_CONFIG_DATA, bits 0..15 carry the queue's
 * `queue_notif_config_data` (`vq_notif_config_data`) instead of its index.
 *
 * Without VIRTIO_F_NOTIFICATION_DATA the driver writes only the queue index (MMIO: a 32-bit
 * write; PCI: a 16-bit write). The macros below take and return host-order integers: convert
 * the register value with vplat_le32_to_cpu() first where it was read as little-endian bytes.
 */
#ifndef VPLAT_SPEC_VIRTIO_NOTIFY_H
#define VPLAT_SPEC_VIRTIO_NOTIFY_H

#include <stdint.h>
#include "vplat/spec/types.h"

/** Mask of the `vq_index` (or `vq_notif_config_data`) field, bits 0..15. */
#define VPLAT_VIRTIO_NOTIFY_VQ_INDEX_MASK 0x0000ffffu
/** Bit position of the `next_off` field. */
#define VPLAT_VIRTIO_NOTIFY_NEXT_OFF_SHIFT 16
/** Mask of the `next_off` field once shifted down (15 bits). */
#define VPLAT_VIRTIO_NOTIFY_NEXT_OFF_MASK 0x7fffu
/** Bit position of the `next_wrap` field. */
#define VPLAT_VIRTIO_NOTIFY_NEXT_WRAP_SHIFT 31

/** The `vq_index` (or `vq_notif_config_data`) of host-order notification value @p d. */
#define VPLAT_VIRTIO_NOTIFY_VQ_INDEX(d)                                                           \
	((uint16_t)((uint32_t)(d) & VPLAT_VIRTIO_NOTIFY_VQ_INDEX_MASK))
/** The 15-bit `next_off` of host-order notification value @p d. */
#define VPLAT_VIRTIO_NOTIFY_NEXT_OFF(d)                                                           \
	((uint16_t)(((uint32_t)(d) >> VPLAT_VIRTIO_NOTIFY_NEXT_OFF_SHIFT) &                        \
		    VPLAT_VIRTIO_NOTIFY_NEXT_OFF_MASK))
/** The 1-bit `next_wrap` of host-order notification value @p d. */
#define VPLAT_VIRTIO_NOTIFY_NEXT_WRAP(d)                                                          \
	((uint16_t)(((uint32_t)(d) >> VPLAT_VIRTIO_NOTIFY_NEXT_WRAP_SHIFT) & 1u))
/**
 * For a split ring: the full 16-bit available index carried in @p d
 * (`next_off` is its low 15 bits and `next_wrap` its bit 15).
 */
#define VPLAT_VIRTIO_NOTIFY_SPLIT_AVAIL_IDX(d) ((uint16_t)((uint32_t)(d) >> 16))
/** Build a host-order notification value from @p vq, @p next_off and @p next_wrap. */
#define VPLAT_VIRTIO_NOTIFY_DATA(vq, next_off, next_wrap)                                         \
	((uint32_t)(((uint32_t)(vq) & VPLAT_VIRTIO_NOTIFY_VQ_INDEX_MASK) |                        \
		    (((uint32_t)(next_off) & VPLAT_VIRTIO_NOTIFY_NEXT_OFF_MASK)                    \
		     << VPLAT_VIRTIO_NOTIFY_NEXT_OFF_SHIFT) |                                     \
		    (((uint32_t)(next_wrap) & 1u) << VPLAT_VIRTIO_NOTIFY_NEXT_WRAP_SHIFT)))

/** @cond */
_Static_assert(VPLAT_VIRTIO_NOTIFY_DATA(0xffffu, 0, 0) == 0x0000ffffu, "vq_index is bits 0..15");
_Static_assert(VPLAT_VIRTIO_NOTIFY_DATA(0, 0x7fffu, 0) == 0x7fff0000u, "next_off is bits 16..30");
_Static_assert(VPLAT_VIRTIO_NOTIFY_DATA(0, 0, 1) == 0x80000000u, "next_wrap is bit 31");
_Static_assert(VPLAT_VIRTIO_NOTIFY_SPLIT_AVAIL_IDX(VPLAT_VIRTIO_NOTIFY_DATA(3, 0x1234, 1)) ==
		       0x9234u,
	       "split ring: next_off | next_wrap << 15 is the available index");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_NOTIFY_H */
