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
 * A map may also have a resolver (vplat_mem_set_resolver()): a function asked about any guest
 * address no region covers, which can make memory reachable on demand (the Xen back end maps a
 * domain's RAM chunk by chunk on first touch this way, instead of all of it up front).
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

/**
 * Resolver of a guest address that no region of a map covers (see vplat_mem_set_resolver()).
 *
 * Called from any lookup of the map (translation, vplat_mem_map(), reads and writes), so from
 * whichever thread does the lookup: if lookups run concurrently, the resolver must be
 * thread-safe. It must not change the map.
 *
 * @param opaque  the argument given to vplat_mem_set_resolver()
 * @param gpa     the guest address no region contains
 * @param len     bytes the caller wants from @p gpa (a hint, at least 1: the answer may be
 *                shorter or longer)
 * @param avail   out: how many bytes from @p gpa are guest memory, contiguous in the host from
 *                the address returned; that memory must stay valid until the map's generation
 *                changes (vplat_mem_set_resolver() again, vplat_mem_add(), vplat_mem_remove()
 *                or vplat_mem_clear())
 * @return the host address of @p gpa, or NULL if @p gpa is not guest memory. An answer of 0
 *         bytes, or one that wraps either address space, counts as NULL; one reaching into a
 *         region of the map is cut short where that region begins.
 */
typedef void *(*vplat_mem_resolve_fn)(void *opaque, uint64_t gpa, uint64_t len, uint64_t *avail);

/** A guest memory map. Initialise with vplat_mem_init(); all fields are read-only to users. */
struct vplat_mem {
	struct vplat_mem_region *regions; /**< caller storage, sorted by gpa, non-overlapping */
	uint32_t nregions;                /**< regions in use */
	uint32_t max_regions;             /**< capacity of @ref regions */
	uint32_t generation;              /**< bumped on every change (see vplat_device_remap()) */
	vplat_mem_resolve_fn resolve;     /**< asked about addresses no region covers (NULL: none) */
	void *resolve_opaque;             /**< argument of @ref resolve */
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

/** Remove every region (the resolver, if any, stays). */
VPLAT_API void vplat_mem_clear(struct vplat_mem *m);

/**
 * Set or remove the map's resolver: the function asked about guest addresses no region
 * covers. Lookups try the regions first; only a miss calls the resolver, and what it answers
 * is used for that lookup only (the map's storage is not changed, so a map with a resolver
 * can be small or empty). Counts as a change of the map: the generation is bumped,
 * so queues translate their rings again (vplat_device_remap()). Serialise it like
 * vplat_mem_add().
 *
 * @param m         the map
 * @param resolver  the resolver, or NULL for none
 * @param opaque    its argument
 * @return 0, or VPLAT_EINVAL if @p m is NULL
 */
VPLAT_API int vplat_mem_set_resolver(struct vplat_mem *m, vplat_mem_resolve_fn resolver,
				     void *opaque);

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
