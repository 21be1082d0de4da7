/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/backend/xen.h
 * Xen ioreq-server back end: vplat devices behind vplat's own virtio-mmio model, served to a
 * Xen guest (domU) from a privileged domain (dom0).
 *
 * Two layers:
 * - vplat_xen_dispatch() is pure: one I/O request in (a copy of Xen's ioreq_t), the MMIO
 *   model called for the device window it falls in, the answer out. It needs no Xen library,
 *   is built on every platform and is what the unit test and the fuzz target drive.
 * - vplat_xen_server_open() and friends (built only when Xen's libraries are found:
 *   VPLAT_WITH_XEN, the vplat-xen tool's static library) register an ioreq server for one domain, map each device's window to it,
 *   bind one event channel per vCPU, make the domain's RAM reachable through a caller's
 *   @ref vplat_mem by foreign mapping (a mapping cache: each 2 MiB chunk mapped on first
 *   touch and kept, not a map per access) and raise the devices' interrupts with
 *   xendevicemodel_set_irq_level().
 * - vplat_xen_mapcache_new() and friends are that cache without Xen: the foreign mapping is a
 *   callback, so it is unit-tested on any host.
 *
 * Every request is treated as hostile: a width other than 1, 2, 4 or 8, a repeat count other
 * than 1, an address outside every window, a window overrun, a data pointer instead of data,
 * a port-I/O or PCI-config request are answered (reads return 0, as the MMIO model answers a
 * refused access; writes change nothing) and counted; none stops the server.
 *
 * Thread rules: one thread per server; the MMIO transports in the windows must not be used by
 * another thread at the same time.
 */
#ifndef VPLAT_BACKEND_XEN_H
#define VPLAT_BACKEND_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ioreq direction: the guest writes (Xen's IOREQ_WRITE). */
#define VPLAT_XEN_IOREQ_WRITE 0u
/** ioreq direction: the guest reads (Xen's IOREQ_READ). */
#define VPLAT_XEN_IOREQ_READ 1u
/** ioreq type: port I/O (Xen's IOREQ_TYPE_PIO); refused, Arm has none. */
#define VPLAT_XEN_IOREQ_TYPE_PIO 0u
/** ioreq type: memory-mapped I/O (Xen's IOREQ_TYPE_COPY). */
#define VPLAT_XEN_IOREQ_TYPE_COPY 1u
/** ioreq type: PCI configuration access (Xen's IOREQ_TYPE_PCI_CONFIG); refused. */
#define VPLAT_XEN_IOREQ_TYPE_PCI_CONFIG 2u
/** ioreq type: the guest's memory map shrank (Xen's IOREQ_TYPE_INVALIDATE). */
#define VPLAT_XEN_IOREQ_TYPE_INVALIDATE 8u

/** ioreq slot state: no request (Xen's STATE_IOREQ_NONE). */
#define VPLAT_XEN_STATE_NONE 0u
/** ioreq slot state: a request waits for the server (Xen's STATE_IOREQ_READY). */
#define VPLAT_XEN_STATE_IOREQ_READY 1u
/** ioreq slot state: the server answered (Xen's STATE_IORESP_READY). */
#define VPLAT_XEN_STATE_IORESP_READY 3u

/**
 * One I/O request: the fields of Xen's `ioreq_t` (public/hvm/ioreq.h), copied out of the
 * shared page before they are looked at, so a value cannot change between check and use.
 */
struct vplat_xen_ioreq {
	uint64_t addr;       /**< guest-physical address of the access */
	uint64_t data;       /**< write: the value; read: the answer (out) */
	uint32_t count;      /**< repeat count; only 1 is served */
	uint32_t size;       /**< access width in bytes; 1, 2, 4 or 8 are served */
	uint8_t dir;         /**< VPLAT_XEN_IOREQ_READ or VPLAT_XEN_IOREQ_WRITE */
	uint8_t type;        /**< VPLAT_XEN_IOREQ_TYPE_* */
	uint8_t data_is_ptr; /**< non-zero: @ref data is a guest address (string I/O); refused */
	uint8_t df;          /**< direction flag of string I/O; ignored */
};

/** One device window: guest-physical range and the virtio-mmio transport behind it. */
struct vplat_xen_window {
	uint64_t base;          /**< first guest-physical address of the window */
	uint64_t size;          /**< window length in bytes (libxl uses 0x200) */
	struct vplat_mmio *mmio; /**< the transport the window's accesses go to */
};

/** What vplat_xen_dispatch() did with a request (counted by the server). */
enum vplat_xen_dispatch_result {
	VPLAT_XEN_SERVED = 0,     /**< passed to the MMIO model, which accepted it */
	VPLAT_XEN_REJECTED = 1,   /**< passed to the MMIO model, which refused its width or
				   *   alignment (read answered 0) */
	VPLAT_XEN_REFUSED = 2,    /**< malformed or outside every window; the model was not
				   *   called (read answered 0) */
	VPLAT_XEN_INVALIDATE = 3, /**< the guest's memory map changed: the caller drops and
				   *   rebuilds its foreign mappings */
};

/**
 * Serve one request against a set of windows. Pure: no Xen call, no allocation.
 *
 * @param w    windows, non-overlapping (a request is matched against each in turn)
 * @param n    number of windows
 * @param req  the request (a private copy); for a read, @ref vplat_xen_ioreq.data receives
 *             the answer, zero-extended from @ref vplat_xen_ioreq.size bytes, 0 when refused
 * @return a vplat_xen_dispatch_result, or VPLAT_EINVAL if @p req is NULL or @p w is NULL
 *         with @p n non-zero
 */
VPLAT_API int vplat_xen_dispatch(const struct vplat_xen_window *w, unsigned n,
				 struct vplat_xen_ioreq *req);

/** Arm guest layout (Xen's public/arch-arm.h): first RAM bank, 3 GiB at 1 GiB. */
#define VPLAT_XEN_ARM_RAM0_BASE 0x40000000ull
/** Size of Arm's first guest RAM bank. */
#define VPLAT_XEN_ARM_RAM0_SIZE 0xc0000000ull
/** Arm's second guest RAM bank (guests above 3 GiB), at 8 GiB. */
#define VPLAT_XEN_ARM_RAM1_BASE 0x0200000000ull
/** Size of Arm's second guest RAM bank (1016 GiB). */
#define VPLAT_XEN_ARM_RAM1_SIZE 0xfe00000000ull

/** One guest-physical RAM bank: where a guest's RAM lives. */
struct vplat_xen_ram_bank {
	uint64_t base; /**< first guest-physical address */
	uint64_t size; /**< bytes (a multiple of 4 KiB) */
};

/**
 * Where Xen puts @p ram_size bytes of an Arm guest's RAM (libxl's layout): the first
 * VPLAT_XEN_ARM_RAM0_SIZE bytes at VPLAT_XEN_ARM_RAM0_BASE, the rest at
 * VPLAT_XEN_ARM_RAM1_BASE. Pure; rounds down to whole 4 KiB pages.
 *
 * @param ram_size  the guest's RAM in bytes (xenstore memory/static-max * 1024)
 * @param out       two banks; unused ones get size 0
 * @return number of banks used (0, 1 or 2); 0 also when @p out is NULL or @p ram_size does
 *         not fit both banks
 */
VPLAT_API unsigned vplat_xen_arm_ram_banks(uint64_t ram_size, struct vplat_xen_ram_bank out[2]);

/** Guest RAM is mapped on demand in chunks of this many bytes (2 MiB, 512 pages). */
#define VPLAT_XEN_CHUNK_SIZE 0x200000ull

/**
 * How a mapping cache reaches guest memory: the foreign-mapping calls, supplied by the server
 * (Xen's libraries) or by a test. The cache owns one address-space reservation per bank (the
 * caller makes it, inaccessible, before vplat_xen_mapcache_new()) and maps chunks into it at
 * fixed places, so chunks next to each other are next to each other in the host too.
 */
struct vplat_xen_mapcache_ops {
	/**
	 * Map @p npages guest pages from @p gpa at exactly @p at (inside the reservation).
	 * @return 0 with @p errs filled per page (0: mapped); VPLAT_EIO if nothing was mapped
	 *         and the range at @p at is still reserved; VPLAT_EEXIST if nothing was mapped
	 *         and the range no longer belongs to the cache (it is then never touched again)
	 */
	int (*map)(void *opaque, uint64_t gpa, uint64_t npages, void *at, int *errs);
	/** Unmap a chunk mapped by @ref map, leaving its range reserved. */
	void (*unmap)(void *opaque, void *at, uint64_t bytes);
	/** Give back a reserved range (no chunk in it is mapped) when the cache is freed. */
	void (*release)(void *opaque, void *at, uint64_t bytes);
};

/** Counters of a mapping cache. */
struct vplat_xen_mapcache_stats {
	uint64_t chunks_mapped; /**< chunks mapped now */
	uint64_t map_calls;     /**< chunk mappings made (monotonic) */
	uint64_t map_failures;  /**< chunk mappings that mapped nothing (monotonic) */
	uint64_t pages_refused; /**< pages the hypervisor refused to map (monotonic) */
	uint64_t drops;         /**< vplat_xen_mapcache_drop() calls */
};

struct vplat_xen_mapcache;

/**
 * Create a mapping cache for a domain's RAM banks: nothing is mapped until a lookup touches
 * it; then the 2 MiB chunk (VPLAT_XEN_CHUNK_SIZE) around the address is mapped once and kept
 * until vplat_xen_mapcache_drop(). Pages the hypervisor refuses (not the domain's) are never
 * translated. No Xen call: the foreign mapping goes through @p ops.
 *
 * @param out     the new cache
 * @param banks   the domain's RAM banks (copied), non-overlapping, page-aligned
 * @param nbanks  1 or 2
 * @param va      per bank, the start of a reservation of that bank's size
 * @param ops     the mapping calls (copied)
 * @param opaque  their argument
 * @return 0, VPLAT_EINVAL for a bad argument, VPLAT_ENOMEM
 */
VPLAT_API int vplat_xen_mapcache_new(struct vplat_xen_mapcache **out,
				     const struct vplat_xen_ram_bank *banks, unsigned nbanks,
				     uint8_t *const *va, const struct vplat_xen_mapcache_ops *ops,
				     void *opaque);

/**
 * The cache as a vplat_mem_resolve_fn (give it to vplat_mem_set_resolver() with the cache as
 * the argument): maps the chunks the range [gpa, gpa+len) touches (at most 32 chunks, 64 MiB,
 * per call) and answers the run of mapped pages from @p gpa on.
 * Thread-safe: the mapping of a chunk is serialised, a mapped chunk is looked up without a
 * lock.
 *
 * @param cache  the cache
 * @param gpa    guest address
 * @param len    bytes wanted from @p gpa (0: as many as one call maps)
 * @param avail  out: bytes mapped contiguously from @p gpa (up to the end of the run)
 * @return the host address of @p gpa, or NULL if it is outside the banks or its page could
 *         not be mapped
 */
VPLAT_API void *vplat_xen_mapcache_resolve(void *cache, uint64_t gpa, uint64_t len,
					   uint64_t *avail);

/**
 * Unmap every chunk (the domain's memory map changed: IOREQ_TYPE_INVALIDATE); the next
 * lookups map again. Not concurrently with a lookup: take the resolver out of the memory map
 * first, or stop the threads that use it.
 */
VPLAT_API void vplat_xen_mapcache_drop(struct vplat_xen_mapcache *c);

/** Counters of the cache. */
VPLAT_API void vplat_xen_mapcache_stats(const struct vplat_xen_mapcache *c,
					struct vplat_xen_mapcache_stats *out);

/** Unmap everything, give the reservations back (@ref vplat_xen_mapcache_ops.release), free. */
VPLAT_API void vplat_xen_mapcache_free(struct vplat_xen_mapcache *c);

/** Counters of one server (all monotonic since vplat_xen_server_open()). */
struct vplat_xen_stats {
	uint64_t served;     /**< requests the MMIO model accepted */
	uint64_t rejected;   /**< requests the MMIO model refused (width, alignment) */
	uint64_t refused;    /**< malformed requests answered without the model */
	uint64_t invalidate; /**< memory-map invalidations (mappings rebuilt) */
	uint64_t irq_errors; /**< xendevicemodel_set_irq_level() failures */
	uint64_t needs_reset; /**< times a device entered DEVICE_NEEDS_RESET (each logged) */
	struct vplat_xen_mapcache_stats ram; /**< the RAM mapping cache */
};

/** One device the server presents to the domain. */
struct vplat_xen_device {
	uint64_t base;            /**< window base (libxl: 0x2000000 + 0x200 * n) */
	uint64_t size;            /**< window size (0: 0x200) */
	uint32_t irq;             /**< the window's SPI (libxl: 33 + n) */
	struct vplat_device *dev; /**< the device; its transport is owned by the server */
};

/** Log callback: @p level 0 error, 1 warning, 2 info, 3 debug; @p msg has no newline. */
typedef void (*vplat_xen_log_fn)(void *opaque, int level, const char *msg);

/** Options of vplat_xen_server_open(). */
struct vplat_xen_options {
	uint32_t domid;                       /**< the guest domain */
	const struct vplat_xen_device *devs;  /**< devices (copied) */
	unsigned ndevs;                       /**< 0 .. VPLAT_XEN_MAX_DEVICES (more with
					       *   vplat_xen_server_add()) */
	struct vplat_mem *mem;                /**< the devices' memory map: the server makes it
					       *   resolve the domain's RAM (its resolver, see
					       *   vplat_mem_set_resolver()) and removes that on
					       *   close */
	uint64_t ram_base;                    /**< RAM base (0: Arm's layout, both banks as
					       *   vplat_xen_arm_ram_banks() places them;
					       *   otherwise one bank of @ref ram_size here) */
	uint64_t ram_size;                    /**< bytes of the domain's RAM */
	uint32_t vendor_id;                   /**< VendorID register (0: "vpl\0") */
	vplat_xen_log_fn log;                 /**< messages (NULL: none) */
	void *log_opaque;                     /**< argument of @ref log */
};

/** Most devices one server presents. */
#define VPLAT_XEN_MAX_DEVICES 16u
/** Most vCPUs of a served domain. */
#define VPLAT_XEN_MAX_VCPUS 64u

struct vplat_xen_server;

/**
 * Register an ioreq server for a domain and present the devices to it.
 *
 * @param out   the new server
 * @param opt   options
 * @param err   where to write a one-line reason on failure (may be NULL)
 * @param len   size of @p err
 * @return 0; VPLAT_EINVAL for bad options; VPLAT_ENOTSUP if this build has no Xen support or
 *         the hypervisor was built without CONFIG_IOREQ_SERVER; VPLAT_EIO when a Xen call fails
 */
VPLAT_API int vplat_xen_server_open(struct vplat_xen_server **out,
				    const struct vplat_xen_options *opt, char *err, size_t len);

/**
 * Present one more device to the domain (libxl adds its nodes one by one).
 *
 * @param s  the server
 * @param d  the device (copied); its window must not overlap another
 * @return 0; VPLAT_EINVAL for a bad or overlapping window or more than
 *         VPLAT_XEN_MAX_DEVICES devices; VPLAT_EIO when Xen refuses the window
 */
VPLAT_API int vplat_xen_server_add(struct vplat_xen_server *s, const struct vplat_xen_device *d);

/**
 * Make the domain's RAM reachable through the memory map (once; later calls return the first
 * result): the server's mapping cache becomes the map's resolver, so each 2 MiB chunk of RAM
 * is foreign-mapped when a device first touches it, and the first chunk of the first bank is
 * mapped now, as a check that this domain's memory can be mapped at all (mapping all of a
 * large guest up front took 75 s for 3 GiB under emulation, longer than libxl waits).
 * vplat_xen_server_open() does not call it, so that a caller can answer the toolstack's
 * handshake first; vplat_xen_server_dispatch() does before serving the first request if the
 * caller has not.
 *
 * @return 0, or VPLAT_EIO if the first chunk could not be mapped (the resolver is in place
 *         all the same; lookups try again chunk by chunk)
 */
VPLAT_API int vplat_xen_server_map_ram(struct vplat_xen_server *s);

/**
 * The descriptor to poll for input (the event-channel device).
 *
 * @return a file descriptor, or -1
 */
VPLAT_API int vplat_xen_server_fd(const struct vplat_xen_server *s);

/**
 * Serve every pending request. Call when vplat_xen_server_fd() is readable.
 *
 * @return 0, or VPLAT_EIO when the event channel failed (the domain is probably gone)
 */
VPLAT_API int vplat_xen_server_dispatch(struct vplat_xen_server *s);

/**
 * Whether the domain still exists (asks the hypervisor).
 *
 * @return true while the domain exists
 */
VPLAT_API bool vplat_xen_server_alive(struct vplat_xen_server *s);

/**
 * Counters of the server.
 *
 * @param s    the server
 * @param out  where to store them
 */
VPLAT_API void vplat_xen_server_stats(const struct vplat_xen_server *s,
				      struct vplat_xen_stats *out);

/**
 * Destroy the ioreq server, unmap the domain's RAM (removing it from the memory map), reset
 * the devices and free @p s. Safe after the domain died. NULL is ignored.
 */
VPLAT_API void vplat_xen_server_close(struct vplat_xen_server *s);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_BACKEND_XEN_H */
