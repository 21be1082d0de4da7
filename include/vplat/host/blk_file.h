/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/blk_file.h
 * POSIX host ends of the block device (lib/host): an image file or a block device.
 *
 * - vplat_blk_host_file: synchronous preadv/pwritev in the calling thread. FLUSH is
 *   fdatasync(); a write submitted with vplat_blk_req.sync is followed by fdatasync() before
 *   it completes. DISCARD punches a hole (files) or issues BLKDISCARD (block devices);
 *   WRITE_ZEROES uses FALLOC_FL_PUNCH_HOLE (unmap) or FALLOC_FL_ZERO_RANGE, falling back to
 *   writing zeroes; SECURE_ERASE is BLKSECDISCARD on block devices and an overwrite with
 *   zeroes plus fdatasync() on files.
 * - vplat_blk_host_aio: asynchronous. Reads, writes and flushes go to io_uring (liburing);
 *   when io_uring_queue_init() fails (old kernel, seccomp, RLIMIT_MEMLOCK) or the caller asks,
 *   a small pthread pool runs the synchronous path instead. Either way completions are
 *   collected by vplat_blk_aio_poll() in the embedder's thread, which must be the thread that
 *   serves the device's queues, and which may sleep in poll(2) on vplat_blk_aio_fd().
 *
 * Images whose size is not a multiple of 512 bytes: the capacity is rounded up; the missing
 * tail reads as zeroes and a write to the last sector extends the file to the full sector.
 *
 * With VPLAT_BLK_FILE_DIRECT a second descriptor is opened with O_DIRECT and used for
 * requests whose offset, length and every segment are aligned to vplat_blk_file.align; other
 * requests use the buffered descriptor.
 *
 * Hosted (POSIX, Linux). Thread rules: a struct vplat_blk_file may be used by several
 * threads at once (it only does positioned I/O); a struct vplat_blk_aio by one thread.
 */
#ifndef VPLAT_BLK_FILE_H
#define VPLAT_BLK_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/blk.h"
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** vplat_blk_file_open() flag: open read-only (the device then offers VIRTIO_BLK_F_RO). */
#define VPLAT_BLK_FILE_RDONLY 0x1u
/** vplat_blk_file_open() flag: use O_DIRECT for aligned requests. */
#define VPLAT_BLK_FILE_DIRECT 0x2u

/** An open image file or block device. Fields are read-only to users. */
struct vplat_blk_file {
	int fd;           /**< buffered descriptor */
	int dfd;          /**< O_DIRECT descriptor, or -1 */
	uint64_t size;    /**< bytes (file size or device size) */
	uint32_t align;   /**< O_DIRECT alignment (logical block size), 512 if unknown */
	bool read_only;   /**< opened read-only */
	bool blockdev;    /**< a block device, not a regular file */
	uint64_t fsyncs;  /**< fdatasync() calls made */
};

/**
 * Open an image.
 * @param f      caller storage
 * @param path   file or block device
 * @param flags  VPLAT_BLK_FILE_* bits
 * @return 0, VPLAT_EINVAL, or VPLAT_EIO / VPLAT_ENOENT / VPLAT_EPERM from open(2) and
 *         fstat(2); VPLAT_ENOTSUP if O_DIRECT was asked and the file system refuses it
 */
VPLAT_API int vplat_blk_file_open(struct vplat_blk_file *f, const char *path, unsigned flags);

/** Close the descriptors. Safe to call twice. */
VPLAT_API void vplat_blk_file_close(struct vplat_blk_file *f);

/**
 * Fill the size-dependent fields of a device configuration: capacity (rounded up to whole
 * sectors), read_only, and discard / write_zeroes / secure_erase as the image supports them.
 * Other fields are left as they are.
 */
VPLAT_API void vplat_blk_file_config(const struct vplat_blk_file *f, struct vplat_blk_config *cfg);

/**
 * Perform @p req synchronously in the calling thread.
 * @return 0, VPLAT_ENOTSUP (the image cannot do it) or VPLAT_EIO
 */
VPLAT_API int vplat_blk_file_exec(struct vplat_blk_file *f, const struct vplat_blk_req *req);

/** Synchronous host end; the host argument is a struct vplat_blk_file. */
VPLAT_API extern const struct vplat_blk_host_ops vplat_blk_host_file;

/** vplat_blk_aio_init() flag: do not try io_uring, use the thread pool. */
#define VPLAT_BLK_AIO_THREADS 0x1u
/**
 * vplat_blk_aio_init() flag (io_uring end): do at once, in the submitting thread, what cannot
 * wait for a device: a memory file system's reads and writes (tmpfs has no non-blocking
 * read, so io_uring would hand each of them to a kernel worker thread), and elsewhere
 * buffered reads whose pages are all cached (tried with RWF_NOWAIT; a miss goes to
 * io_uring). For a back end with a core of its own (busy polling), where a hand-off costs a
 * wake-up and nothing runs in parallel with the serving thread anyway. Without it every
 * request goes through io_uring, whose workers do queue-depth-32 work in parallel.
 */
#define VPLAT_BLK_AIO_INLINE 0x2u
/**
 * vplat_blk_aio_init() flag (io_uring end): vplat_blk_aio_reap() waits in the kernel for a
 * completion, at most VPLAT_BLK_AIO_WAIT_NS, when none is ready, every request is submitted
 * and some are in flight (waiting for a device), instead of returning 0 at once. For a back
 * end busy polling on a vCPU: a vCPU that spins while the virtual disk works slows that
 * disk (the host's device emulation shares the host's CPUs with the spinning vCPU); one
 * that sleeps in the kernel until the interrupt does not. The rings are not polled during
 * the wait: a request the driver makes available meanwhile waits for the first completion
 * (or the limit).
 */
#define VPLAT_BLK_AIO_WAIT 0x4u
/** Longest wait of vplat_blk_aio_reap() with VPLAT_BLK_AIO_WAIT, in nanoseconds. */
#define VPLAT_BLK_AIO_WAIT_NS 200000u

/** Asynchronous host end state. Fields are private. */
struct vplat_blk_aio {
	struct vplat_blk_file *file; /**< the image (borrowed) */
	void *impl;                  /**< io_uring or thread pool (allocated) */
	bool uring;                  /**< io_uring in use (else the thread pool) */
	int efd;                     /**< eventfd signalled on completions */
	uint64_t completed;          /**< requests completed through vplat_blk_aio_poll() */
	/** requests done at once in the submitting thread, never queued (io_uring end with
	 *  VPLAT_BLK_AIO_INLINE only: a memory file system's reads and writes; elsewhere
	 *  buffered reads whose pages are cached, tried with RWF_NOWAIT) */
	uint64_t inline_done;
};

/**
 * Start the asynchronous end.
 * @param a      caller storage
 * @param file   an open image, kept open while @p a is used
 * @param depth  requests in flight at most (io_uring entries; pool queue), 1..4096
 * @param flags  VPLAT_BLK_AIO_* bits
 * @return 0; VPLAT_EINVAL; VPLAT_ENOMEM; VPLAT_EIO if neither io_uring nor threads start
 */
VPLAT_API int vplat_blk_aio_init(struct vplat_blk_aio *a, struct vplat_blk_file *file,
				 unsigned depth, unsigned flags);

/**
 * @return a descriptor that becomes readable (POLLIN) when completions are waiting
 */
VPLAT_API int vplat_blk_aio_fd(const struct vplat_blk_aio *a);

/**
 * Collect finished requests and complete them with vplat_blk_complete(). Does not block.
 * @return requests completed
 */
VPLAT_API unsigned vplat_blk_aio_poll(struct vplat_blk_aio *a);

/**
 * Busy polling: collect finished requests like vplat_blk_aio_poll(), but without reading
 * the eventfd, and without any system call while nothing has finished (io_uring: a look at
 * the completion queue in shared memory; thread pool: one relaxed load before the lock).
 * A loop that calls this on every pass sees a completion as soon as it is posted; the
 * eventfd stays readable until the next vplat_blk_aio_poll(), so a loop that goes back to
 * sleeping in poll(2) must call that first (or take one extra wake-up). With
 * VPLAT_BLK_AIO_WAIT (io_uring) it sleeps in the kernel, at most VPLAT_BLK_AIO_WAIT_NS,
 * when nothing has finished but submitted requests wait for the device.
 * @param a  a started end (NULL or stopped: 0)
 * @return requests completed
 */
VPLAT_API unsigned vplat_blk_aio_reap(struct vplat_blk_aio *a);

/**
 * Stop the end: waits for requests in flight (completing nothing), frees everything.
 * Safe to call twice.
 */
VPLAT_API void vplat_blk_aio_fini(struct vplat_blk_aio *a);

/** Asynchronous host end; the host argument is a struct vplat_blk_aio. */
VPLAT_API extern const struct vplat_blk_host_ops vplat_blk_host_aio;

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_BLK_FILE_H */
