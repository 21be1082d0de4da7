/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/mem.h
 * Guest memory map: guest-physical ranges backed by host-virtual memory.
 *
 * Every guest address a device touches goes through this map. Translation is bounds-checked
 * and overflow-safe: a range that is not wholly inside guest memory is refused, never clipped.
 * The map stores its regions in caller-provided storage, kept sorted by guest address, and
 * never allocates. Freestanding.
 *
 * Thread rules: lookups are read-only and may run concurrently; changing the map
 * (vplat_mem_add(), vplat_mem_remove(), vplat_mem_clear()) must be serialised with every
 * lookup and every queue that uses the map by the caller. Queues keep host pointers to their
 * rings: after changing the map of a running device, call vplat_device_remap() before the old
 * host memory goes away.
 */
#ifndef VPLAT_MEM_H
#define VPLAT_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One contiguous guest-physical range and the host memory behind it. */
struct vplat_mem_region {
	uint64_t gpa;  /**< first guest-physical address */
	uint64_t size; /**< length in bytes, never 0 */
	void *hva;     /**< host address of @ref gpa; owned by the caller */
};

/** A scatter-gather segment in host memory. */
struct vplat_iov {
	void *base; /**< host address */
	size_t len; /**< length in bytes */
};

/** A guest memory map. Initialise with vplat_mem_init(); all fields are read-only to users. */
struct vplat_mem {
	struct vplat_mem_region *regions; /**< caller storage, sorted by gpa, non-overlapping */
	uint32_t nregions;                /**< regions in use */
	uint32_t max_regions;             /**< capacity of @ref regions */
	uint32_t generation;              /**< bumped on every change (see vplat_device_remap()) */
};

/**
 * Initialise an empty map on caller storage.
 *
 * @param m        the map
 * @param storage  array of @p max regions, owned by the caller and kept alive while @p m is used
 * @param max      capacity of @p storage (at least 1)
 * @return 0, or VPLAT_EINVAL if an argument is NULL or @p max is 0
 */
VPLAT_API int vplat_mem_init(struct vplat_mem *m, struct vplat_mem_region *storage, uint32_t max);

/**
 * Add a region.
 *
 * @param m     the map
 * @param gpa   first guest-physical address
 * @param size  length in bytes
 * @param hva   host memory of at least @p size bytes, owned by the caller
 * @return 0; VPLAT_EINVAL if @p size is 0 or @p hva is NULL; VPLAT_EOVERFLOW if the guest or
 *         host range wraps around the address space; VPLAT_EEXIST if it overlaps a region
 *         already in the map; VPLAT_ENOSPC if the storage is full
 */
VPLAT_API int vplat_mem_add(struct vplat_mem *m, uint64_t gpa, uint64_t size, void *hva);

/**
 * Remove the region that starts at @p gpa and has exactly @p size bytes.
 *
 * @return 0 or VPLAT_ENOENT
 */
VPLAT_API int vplat_mem_remove(struct vplat_mem *m, uint64_t gpa, uint64_t size);

/** Remove every region. */
VPLAT_API void vplat_mem_clear(struct vplat_mem *m);

/**
 * Translate a guest range that must lie inside a single region.
 *
 * @param m    the map
 * @param gpa  first guest-physical address
 * @param len  length in bytes; 0 is refused
 * @return the host address of @p gpa, or NULL if any byte of [gpa, gpa+len) is outside one
 *         region (including ranges that wrap the 64-bit space)
 */
VPLAT_API void *vplat_mem_translate(const struct vplat_mem *m, uint64_t gpa, uint64_t len);

/**
 * Translate a guest range into host segments, splitting it where it crosses adjacent regions.
 *
 * @param m        the map
 * @param gpa      first guest-physical address
 * @param len      length in bytes (0 produces no segment and succeeds)
 * @param iov      where to store segments
 * @param iov_cap  capacity of @p iov
 * @param n        in: segments already used in @p iov; out: advanced by the segments added
 * @return 0; VPLAT_EFAULT if part of the range is not guest memory; VPLAT_E2BIG if @p iov
 *         is too small (then *@p n is unchanged)
 */
VPLAT_API int vplat_mem_map(const struct vplat_mem *m, uint64_t gpa, uint64_t len,
			    struct vplat_iov *iov, uint32_t iov_cap, uint32_t *n);

/**
 * Copy @p len bytes of guest memory at @p gpa into @p dst.
 *
 * @return 0 or VPLAT_EFAULT (nothing is copied then)
 */
VPLAT_API int vplat_mem_read(const struct vplat_mem *m, uint64_t gpa, void *dst, size_t len);

/**
 * Copy @p len bytes from @p src into guest memory at @p gpa.
 *
 * @return 0 or VPLAT_EFAULT (nothing is written then)
 */
VPLAT_API int vplat_mem_write(const struct vplat_mem *m, uint64_t gpa, const void *src, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_MEM_H */
