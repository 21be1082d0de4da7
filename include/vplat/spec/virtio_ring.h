/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_ring.h
 * Split and packed virtqueue layouts.
 *
 * Written from the virtio 1.4 specification, split-ring.tex ("Split Virtqueues") and
 * packed-ring.tex ("Packed Virtqueues"). All fields are little-endian.
 */
#ifndef VPLAT_SPEC_VIRTIO_RING_H
#define VPLAT_SPEC_VIRTIO_RING_H

#include <stddef.h>
#include "vplat/spec/types.h"

/** @name Descriptor flags (both layouts)
 * @{ */
#define VPLAT_VIRTQ_DESC_F_NEXT     1u /**< the chain continues (split: via `next`) */
#define VPLAT_VIRTQ_DESC_F_WRITE    2u /**< buffer is device-writable */
#define VPLAT_VIRTQ_DESC_F_INDIRECT 4u /**< buffer holds a table of descriptors */
/** @} */

/** Largest queue size a split ring may have (sec: Split Virtqueues). */
#define VPLAT_VIRTQ_MAX_SIZE 32768u

/** Split ring descriptor (sec: Virtqueues / The Virtqueue Descriptor Table). */
struct vplat_virtq_desc {
	vplat_le64 addr;  /**< guest-physical address of the buffer */
	vplat_le32 len;   /**< length of the buffer in bytes */
	vplat_le16 flags; /**< VPLAT_VIRTQ_DESC_F_* */
	vplat_le16 next;  /**< next descriptor index when F_NEXT is set */
};

/** Available ring flag: the driver asks for no used-buffer notification. */
#define VPLAT_VIRTQ_AVAIL_F_NO_INTERRUPT 1u
/** Used ring flag: the device asks for no available-buffer notification. */
#define VPLAT_VIRTQ_USED_F_NO_NOTIFY 1u

/** Split available ring header; followed by `ring[Q]` and `used_event`. */
struct vplat_virtq_avail {
	vplat_le16 flags; /**< VPLAT_VIRTQ_AVAIL_F_* */
	vplat_le16 idx;   /**< where the driver puts the next entry (mod 2^16) */
	vplat_le16 ring[]; /**< Q descriptor-chain heads, then le16 used_event */
};

/** Split used ring element. */
struct vplat_virtq_used_elem {
	vplat_le32 id;  /**< head index of the used chain */
	vplat_le32 len; /**< bytes written into the chain's writable buffers */
};

/** Split used ring header; followed by `ring[Q]` and `avail_event`. */
struct vplat_virtq_used {
	vplat_le16 flags; /**< VPLAT_VIRTQ_USED_F_* */
	vplat_le16 idx;   /**< where the device puts the next entry (mod 2^16) */
	struct vplat_virtq_used_elem ring[]; /**< Q elements, then le16 avail_event */
};

/** Bytes of a split descriptor table of @p q entries (alignment 16). */
#define VPLAT_VIRTQ_DESC_SIZE(q)  ((size_t)(q) * 16u)
/** Bytes of a split available ring of @p q entries incl. used_event (alignment 2). */
#define VPLAT_VIRTQ_AVAIL_SIZE(q) (6u + (size_t)(q) * 2u)
/** Bytes of a split used ring of @p q entries incl. avail_event (alignment 4). */
#define VPLAT_VIRTQ_USED_SIZE(q)  (6u + (size_t)(q) * 8u)
/** Required alignments of the three split ring parts. */
#define VPLAT_VIRTQ_DESC_ALIGN  16u
#define VPLAT_VIRTQ_AVAIL_ALIGN 2u  /**< @copydoc VPLAT_VIRTQ_DESC_ALIGN */
#define VPLAT_VIRTQ_USED_ALIGN  4u  /**< @copydoc VPLAT_VIRTQ_DESC_ALIGN */

/** @name Packed ring descriptor flags (sec: Packed Virtqueues)
 * @{ */
#define VPLAT_VIRTQ_DESC_F_AVAIL (1u << 7)  /**< driver's wrap counter when made available */
#define VPLAT_VIRTQ_DESC_F_USED  (1u << 15) /**< device's wrap counter when used */
/** @} */

/** Packed ring descriptor (sec: Packed Virtqueues / Packed Virtqueue Descriptor Format...). */
struct vplat_pvirtq_desc {
	vplat_le64 addr;  /**< buffer address (unused in used descriptors) */
	vplat_le32 len;   /**< buffer length, or bytes written in a used descriptor */
	vplat_le16 id;    /**< buffer ID (meaningful in the last descriptor of a chain) */
	vplat_le16 flags; /**< VPLAT_VIRTQ_DESC_F_* including AVAIL/USED */
};

/** @name Packed event suppression `flags` values
 * @{ */
#define VPLAT_RING_EVENT_FLAGS_ENABLE  0x0u /**< notify on every event */
#define VPLAT_RING_EVENT_FLAGS_DISABLE 0x1u /**< no notifications */
#define VPLAT_RING_EVENT_FLAGS_DESC    0x2u /**< notify at the descriptor in `desc` (needs EVENT_IDX) */
/** @} */

/** Packed ring event suppression structure (driver and device areas). */
struct vplat_pvirtq_event_suppress {
	vplat_le16 desc;  /**< bits 0..14 descriptor offset, bit 15 wrap counter */
	vplat_le16 flags; /**< bits 0..1 VPLAT_RING_EVENT_FLAGS_* , rest reserved */
};

/** Bytes of a packed descriptor ring of @p q entries (alignment 16). */
#define VPLAT_PVIRTQ_DESC_SIZE(q) ((size_t)(q) * 16u)
/** Bytes of a packed event suppression area (alignment 4). */
#define VPLAT_PVIRTQ_EVENT_SIZE 4u

/** @cond */
_Static_assert(sizeof(struct vplat_virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(sizeof(struct vplat_virtq_avail) == 4, "virtq_avail header is 4 bytes");
_Static_assert(sizeof(struct vplat_virtq_used_elem) == 8, "virtq_used_elem is 8 bytes");
_Static_assert(sizeof(struct vplat_virtq_used) == 4, "virtq_used header is 4 bytes");
_Static_assert(sizeof(struct vplat_pvirtq_desc) == 16, "pvirtq_desc is 16 bytes");
_Static_assert(sizeof(struct vplat_pvirtq_event_suppress) == 4, "event suppress is 4 bytes");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_RING_H */
