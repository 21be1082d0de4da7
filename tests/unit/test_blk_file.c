/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block device with its POSIX host ends (vplat/blk_file.h): synchronous file end, io_uring
 * end, forced thread-pool fallback, read-only and odd-sized images, O_DIRECT, and a process-
 * crash test (a child writes and FLUSHes through the device, is SIGKILLed, and the parent
 * finds every flushed write in the file). A process kill keeps the page cache, so that test
 * cannot see whether FLUSH reached the disk: durability (power loss) is tested by
 * blk_durable.c under the dur_shim.c system-call shim. Transports: _i bit 0 (mmio/pci), rings:
 * bit 1 (split/packed) where the test loops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "blkdrv.h"
#include "testutil.h"
#include "vplat/host/blk_file.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define NREQ 32u

struct rig {
	struct vplat_loopback lb;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[NREQ];
	struct vplat_blk_file file;
	struct vplat_blk_aio aio;
	bool use_aio;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	char path[64];
};

static const char *img_dir = "/tmp"; /* where make_image() puts images */

static void make_image(char *path, size_t pathlen, uint64_t size)
{
	snprintf(path, pathlen, "%s/vplat-blk-XXXXXX", img_dir);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

/* aio: 0 sync file end, 1 io_uring (or its fallback), 2 forced thread pool. */
static void rig_up(struct rig *r, int variant, uint64_t size, unsigned fflags, int aio,
		   uint64_t want)
{
	memset(r, 0, sizeof(*r));
	make_image(r->path, sizeof(r->path), size);
	ck_assert_int_eq(vplat_blk_file_open(&r->file, r->path, fflags), 0);
	struct vplat_blk_config c = {.writeback = true};
	vplat_blk_file_config(&r->file, &c);
	const struct vplat_blk_host_ops *ops = &vplat_blk_host_file;
	void *host = &r->file;
	if (aio) {
		ck_assert_int_eq(vplat_blk_aio_init(&r->aio, &r->file, 64,
						    aio == 2   ? VPLAT_BLK_AIO_THREADS
						    : aio == 3 ? VPLAT_BLK_AIO_INLINE
						    : aio == 4 ? VPLAT_BLK_AIO_WAIT
							       : 0),
				 0);
		if (aio == 2)
			ck_assert(!r->aio.uring);
		ops = &vplat_blk_host_aio;
		host = &r->aio;
		r->use_aio = true;
	}
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 4u << 20), 0);
	ck_assert_int_eq(vplat_blk_init(&r->blk, vplat_loopback_mem(&r->lb), &c, ops, host, r->reqs,
					NREQ),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_blk_device(&r->blk)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	want |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq, 0, 128), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
}

static void rig_down(struct rig *r)
{
	ck_assert_int_eq(r->vq.error, 0);
	vplat_val_vq_fini(&r->vq);
	if (r->use_aio)
		vplat_blk_aio_fini(&r->aio);
	vplat_blk_file_close(&r->file);
	vplat_loopback_fini(&r->lb);
	unlink(r->path);
}

static void *dma(struct rig *r, uint32_t len)
{
	return blkdrv_dma(&r->lb, len, 512);
}

static uint8_t *post(struct rig *r, uint32_t type, uint64_t sector, void *out, uint32_t outlen,
		     void *in, uint32_t inlen, void *token)
{
	return blkdrv_post(&r->lb, &r->vq, 512, type, sector, out, outlen, in, inlen, token);
}

/* Wait for one used buffer, polling the asynchronous end. */
static void *wait_one(struct rig *r)
{
	void *tok;
	for (int spin = 0; spin < 200000; spin++) {
		if (vplat_val_vq_get_used(&r->vq, &tok, NULL) == 0)
			return tok;
		if (r->use_aio)
			vplat_blk_aio_poll(&r->aio);
		if (spin > 100)
			usleep(50);
	}
	ck_abort_msg("request never completed");
	return NULL;
}

static uint8_t req(struct rig *r, uint32_t type, uint64_t sector, void *out, uint32_t outlen,
		   void *in, uint32_t inlen)
{
	uint8_t *st = post(r, type, sector, out, outlen, in, inlen, (void *)1);
	wait_one(r);
	return *st;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

static void pread_file(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void integrity(struct rig *r, unsigned rounds)
{
	/* Random sizes and places, queue depth up to 8, read back and compare with the file. */
	uint32_t seed = 99;
	uint64_t mark = vplat_val_mem_mark(vplat_loopback_dma(&r->lb));
	for (unsigned k = 0; k < rounds; k++) {
		uint8_t *w[8], *st[8];
		uint64_t sec[8];
		uint32_t len[8];
		for (unsigned j = 0; j < 8; j++) {
			seed = seed * 1103515245u + 12345u;
			len[j] = 512u * (1 + (seed >> 8) % 16);
			sec[j] = (uint64_t)(k * 8 + j) * 16; /* disjoint */
			w[j] = dma(r, len[j]);
			fill(w[j], len[j], seed);
			st[j] = post(r, VPLAT_VIRTIO_BLK_T_OUT, sec[j], w[j], len[j], NULL, 0,
				     (void *)(uintptr_t)(j + 1));
		}
		for (unsigned j = 0; j < 8; j++)
			wait_one(r);
		for (unsigned j = 0; j < 8; j++) {
			ck_assert_uint_eq(*st[j], 0);
			uint8_t *rb = dma(r, len[j]);
			ck_assert_uint_eq(req(r, VPLAT_VIRTIO_BLK_T_IN, sec[j], NULL, 0, rb, len[j]), 0);
			ck_assert_mem_eq(rb, w[j], len[j]);
		}
		uint8_t *chk = malloc(len[0]);
		pread_file(r->path, sec[0] * 512, chk, len[0]);
		ck_assert_mem_eq(chk, w[0], len[0]);
		free(chk);
		vplat_val_mem_release(vplat_loopback_dma(&r->lb), mark);
	}
}

START_TEST(sync_file_end)
{
	struct rig r;
	rig_up(&r, _i, 1u << 20, 0, 0, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) |
				   VPLAT_BIT(VPLAT_VIRTIO_BLK_F_WRITE_ZEROES) |
				   VPLAT_BIT(VPLAT_VIRTIO_BLK_F_DISCARD) |
				   VPLAT_BIT(VPLAT_VIRTIO_BLK_F_SECURE_ERASE));
	integrity(&r, 4);
	uint64_t fs = r.file.fsyncs;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, 0), 0);
	ck_assert_uint_eq(r.file.fsyncs, fs + 1);
	/* WRITE_ZEROES with and without unmap, SECURE_ERASE: reads give zeroes afterwards. */
	uint32_t types[3] = {VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, VPLAT_VIRTIO_BLK_T_WRITE_ZEROES,
			     VPLAT_VIRTIO_BLK_T_SECURE_ERASE};
	for (unsigned t = 0; t < 3; t++) {
		struct vplat_virtio_blk_discard_write_zeroes *seg = dma(&r, 16);
		seg->sector = vplat_cpu_to_le64(16);
		seg->num_sectors = vplat_cpu_to_le32(8);
		seg->flags = vplat_cpu_to_le32(t == 0 ? 1 : 0);
		uint8_t *w = dma(&r, 4096);
		memset(w, 0x3c, 4096);
		ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 16, w, 4096, NULL, 0), 0);
		ck_assert_uint_eq(req(&r, types[t], 0, seg, 16, NULL, 0), 0);
		ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 16, NULL, 0, w, 4096), 0);
		for (unsigned i = 0; i < 4096; i++)
			ck_assert_uint_eq(w[i], 0);
	}
	struct vplat_virtio_blk_discard_write_zeroes *seg = dma(&r, 16);
	seg->sector = vplat_cpu_to_le64(0);
	seg->num_sectors = vplat_cpu_to_le32(8);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 0, seg, 16, NULL, 0), 0);
	rig_down(&r);
}
END_TEST

START_TEST(writethrough_syncs_each_write)
{
	/* No FLUSH negotiated: every write is made durable (fdatasync) before it completes. */
	struct rig r;
	rig_up(&r, _i, 1u << 16, 0, 0, 0);
	uint8_t *w = dma(&r, 512);
	uint64_t fs = r.file.fsyncs;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, w, 512, NULL, 0), 0);
	ck_assert_uint_eq(r.file.fsyncs, fs + 1);
	rig_down(&r);
}
END_TEST

/* The asynchronous end (io_uring or the thread pool) under load: 6 rounds of 8 requests
 * checked against the file, then a flush; tears the rig down. */
static void aio_integrity_and_flush(struct rig *r)
{
	integrity(r, 6);
	ck_assert_uint_eq(req(r, VPLAT_VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, 0), 0);
	ck_assert_uint_ge(r->aio.completed, 48);
	rig_down(r);
}

START_TEST(uring_end)
{
	struct rig r;
	rig_up(&r, _i, 1u << 20, 0, 1, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH));
	if (!r.aio.uring) {
		/* The thread-pool fallback has its own test below. */
		rig_down(&r);
		VPLAT_SKIP("no io_uring (built without liburing, or io_uring_queue_init failed)");
	}
	aio_integrity_and_flush(&r);
}
END_TEST

static bool efd_readable(const struct rig *r)
{
	struct pollfd p = {.fd = vplat_blk_aio_fd(&r->aio), .events = POLLIN};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Complete the one request in flight by vplat_blk_aio_reap() alone (the eventfd is not read)
 * and take it from the used ring. Bounded by a count, not a clock: up to 20 s of 1 ms sleeps
 * on a loaded machine. */
static void reap_one(struct rig *r)
{
	unsigned got = 0;
	void *tok;
	for (int i = 0; i < 20000 && vplat_val_vq_get_used(&r->vq, &tok, NULL) != 0; i++) {
		unsigned n = vplat_blk_aio_reap(&r->aio);
		got += n;
		if (!n)
			usleep(1000);
	}
	ck_assert_uint_eq(got, 1);
}

/*
 * vplat_blk_aio_reap() (busy polling, vplat-device blk --busy-poll): completes a finished
 * request without the eventfd, leaves the eventfd readable for vplat_blk_aio_poll() to drain,
 * and finds nothing when nothing is in flight. _i: 0 io_uring (skips without), 1 thread pool.
 */
START_TEST(aio_reap)
{
	struct rig r;
	rig_up(&r, 0, 1u << 20, 0, _i ? 2 : 1, 0);
	if (!_i && !r.aio.uring) {
		rig_down(&r);
		VPLAT_SKIP("no io_uring (built without liburing, or io_uring_queue_init failed)");
	}
	ck_assert_uint_eq(vplat_blk_aio_reap(NULL), 0);
	ck_assert_uint_eq(vplat_blk_aio_reap(&r.aio), 0); /* nothing in flight */
	uint8_t *w = dma(&r, 4096), *b = dma(&r, 4096);
	fill(w, 4096, 5);
	uint8_t *st[2];
	st[0] = post(&r, VPLAT_VIRTIO_BLK_T_OUT, 8, w, 4096, NULL, 0, (void *)1);
	reap_one(&r);
	ck_assert_uint_eq(*st[0], VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r.aio.completed, 1);
	/* The eventfd was not read: it still says a completion came... */
	ck_assert(efd_readable(&r));
	/* ...and vplat_blk_aio_poll() drains it with nothing left to complete. */
	ck_assert_uint_eq(vplat_blk_aio_poll(&r.aio), 0);
	ck_assert(!efd_readable(&r));
	ck_assert_uint_eq(vplat_blk_aio_reap(&r.aio), 0);
	/* The data went where it should: read it back through the reaping path too. */
	st[1] = post(&r, VPLAT_VIRTIO_BLK_T_IN, 8, NULL, 0, b, 4096, (void *)2);
	reap_one(&r);
	ck_assert_uint_eq(*st[1], VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(b, w, 4096);
	ck_assert_uint_eq(r.aio.completed + r.aio.inline_done, 2);
	rig_down(&r);
}
END_TEST

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Empty looks (vplat_blk_aio_reap() returning 0) over 16 O_DIRECT 4 KiB reads of @p img's
 * contents, one at a time, each completed by reaping alone; -1 if a read took over 5 s.
 * *@p ns gets the time the 16 reads took. */
static long empty_reaps(struct rig *r, const uint8_t *img, uint64_t *ns)
{
	uint64_t start = now_ns();
	uint8_t *b = vplat_val_alloc(vplat_loopback_dma(&r->lb), 4096, 4096, NULL);
	ck_assert_ptr_nonnull(b);
	long empty = 0;
	for (unsigned k = 0; k < 16; k++) {
		memset(b, 0, 4096);
		uint8_t *st = post(r, VPLAT_VIRTIO_BLK_T_IN, (uint64_t)k * 64u, NULL, 0, b, 4096,
				   (void *)1);
		void *tok;
		uint64_t t0 = now_ns();
		while (vplat_val_vq_get_used(&r->vq, &tok, NULL) != 0) {
			if (vplat_blk_aio_reap(&r->aio) == 0)
				empty++;
			if (now_ns() - t0 > 5000000000u)
				return -1;
		}
		ck_assert_uint_eq(*st, VPLAT_VIRTIO_BLK_S_OK);
		ck_assert_mem_eq(b, img + (size_t)k * 64u * 512u, 4096);
	}
	*ns = now_ns() - start;
	return empty;
}

/*
 * VPLAT_BLK_AIO_WAIT: vplat_blk_aio_reap() sleeps in the kernel for a completion while an
 * O_DIRECT read waits for the disk, instead of returning 0 at once: a few empty looks per
 * request at most (each a wait of up to VPLAT_BLK_AIO_WAIT_NS) where the same loop without
 * the flag looks thousands of times. Needs io_uring and O_DIRECT on /var/tmp; skips where
 * the disk answers too fast for the spinning loop to look more often than the waiting one.
 */
START_TEST(aio_reap_wait)
{
	char probe[64];
	snprintf(probe, sizeof(probe), "/var/tmp/vplat-blk-XXXXXX");
	int fd = mkstemp(probe);
	if (fd < 0)
		VPLAT_SKIP("cannot create %s: %s", probe, strerror(errno));
	close(fd);
	fd = open(probe, O_RDONLY | O_DIRECT);
	unlink(probe);
	if (fd < 0)
		VPLAT_SKIP("the file system of /var/tmp has no O_DIRECT");
	close(fd);
	uint8_t *img = malloc(1u << 20);
	ck_assert_ptr_nonnull(img);
	fill(img, 1u << 20, 77);
	const char *saved = img_dir;
	img_dir = "/var/tmp";
	long empty[2]; /* 0: without the flag, 1: with it */
	uint64_t ns[2] = {0, 0};
	bool uring = true;
	for (int w = 0; w < 2 && uring; w++) {
		struct rig r;
		rig_up(&r, 0, 1u << 20, VPLAT_BLK_FILE_DIRECT, w ? 4 : 1, 0);
		/* Real blocks (O_DIRECT reads a hole without the disk), written back and dropped
		 * from the page cache. */
		fd = open(r.path, O_WRONLY);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(pwrite(fd, img, 1u << 20, 0), 1 << 20);
		ck_assert_int_eq(fsync(fd), 0);
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
		uring = r.aio.uring;
		empty[w] = uring ? empty_reaps(&r, img, &ns[w]) : 0;
		rig_down(&r);
	}
	img_dir = saved;
	free(img);
	if (!uring)
		VPLAT_SKIP("no io_uring (built without liburing, or io_uring_queue_init failed)");
	ck_assert_int_ge(empty[0], 0);
	ck_assert_int_ge(empty[1], 0);
	printf("aio_reap_wait: %ld empty looks over 16 reads in %llu us without VPLAT_BLK_AIO_WAIT, "
	       "%ld in %llu us with\n", empty[0], (unsigned long long)(ns[0] / 1000u), empty[1],
	       (unsigned long long)(ns[1] / 1000u));
	if (empty[0] < 16 * 50)
		VPLAT_SKIP("the disk answers in %ld empty looks per read: too fast to tell a wait "
			   "from a spin", empty[0] / 16);
	/* An empty look with the flag is a wait that ran out (VPLAT_BLK_AIO_WAIT_NS): however
	 * slow the disk is on a loaded machine, at most one per 100 us of the reads' time, plus
	 * one per read for a wait cut short. Spinning looks every few microseconds. */
	long bound = (long)(ns[1] / 100000u) + 16;
	ck_assert_msg(empty[1] <= bound,
		      "%ld empty looks in %llu us with VPLAT_BLK_AIO_WAIT (bound %ld; %ld without)",
		      empty[1], (unsigned long long)(ns[1] / 1000u), bound, empty[0]);
}
END_TEST

/* Post one request and wait for it (polling the end); its status. */
static uint8_t req_aio(struct rig *r, uint32_t type, uint64_t sector, uint8_t *buf)
{
	uint8_t *st = type == VPLAT_VIRTIO_BLK_T_OUT
			      ? post(r, type, sector, buf, 4096, NULL, 0, (void *)1)
			      : post(r, type, sector, NULL, 0, buf, 4096, (void *)1);
	wait_one(r);
	return *st;
}

/*
 * With VPLAT_BLK_AIO_INLINE the io_uring end does without a thread hand-off what cannot
 * block: on a memory file system (tmpfs, where io_uring hands every request to a kernel
 * worker) reads and writes complete in the submitting thread; elsewhere a buffered read of
 * cached pages completes at once (RWF_NOWAIT) and a write is queued. Without the flag every
 * request goes through io_uring. Checked by the counters (inline_done: done at once;
 * completed: through the completion queue) and the data.
 */
START_TEST(uring_inline)
{
	struct statfs sf;
	bool shm = statfs("/dev/shm", &sf) == 0 && (long)sf.f_type == 0x01021994L;
	bool disk = statfs("/var/tmp", &sf) == 0 && (long)sf.f_type != 0x01021994L &&
		    (long)sf.f_type != 0x858458f6L;
	unsigned ran = 0;
	for (int k = 0; k < 2; k++) {
		if (!(k ? disk : shm))
			continue;
		img_dir = k ? "/var/tmp" : "/dev/shm";
		struct rig r;
		/* without the flag: nothing at once, all three through the completion queue */
		rig_up(&r, 0, 1u << 20, 0, 1, 0);
		img_dir = "/tmp";
		if (!r.aio.uring) {
			rig_down(&r);
			VPLAT_SKIP("no io_uring (built without liburing, or io_uring_queue_init failed)");
		}
		uint8_t *w0 = dma(&r, 4096), *b0 = dma(&r, 4096);
		fill(w0, 4096, 21 + (uint32_t)k);
		ck_assert_uint_eq(req_aio(&r, VPLAT_VIRTIO_BLK_T_OUT, 16, w0), 0);
		ck_assert_uint_eq(req_aio(&r, VPLAT_VIRTIO_BLK_T_IN, 16, b0), 0);
		ck_assert_mem_eq(b0, w0, 4096);
		ck_assert_uint_eq(r.aio.inline_done, 0);
		ck_assert_uint_eq(r.aio.completed, 2);
		rig_down(&r);
		img_dir = k ? "/var/tmp" : "/dev/shm";
		rig_up(&r, 0, 1u << 20, 0, 3, 0);
		img_dir = "/tmp";
		if (!r.aio.uring) {
			rig_down(&r);
			VPLAT_SKIP("no io_uring (built without liburing, or io_uring_queue_init failed)");
		}
		uint8_t *w = dma(&r, 4096), *b = dma(&r, 4096);
		fill(w, 4096, 11 + (uint32_t)k);
		ck_assert_uint_eq(req_aio(&r, VPLAT_VIRTIO_BLK_T_OUT, 16, w), 0);
		ck_assert_uint_eq(req_aio(&r, VPLAT_VIRTIO_BLK_T_IN, 16, b), 0);
		ck_assert_mem_eq(b, w, 4096);
		ck_assert_uint_eq(req_aio(&r, VPLAT_VIRTIO_BLK_T_IN, 16, b), 0);
		ck_assert_mem_eq(b, w, 4096);
		if (k == 0) { /* tmpfs: all three at once */
			ck_assert_uint_eq(r.aio.inline_done, 3);
			ck_assert_uint_eq(r.aio.completed, 0);
			ran++;
		} else {
			/* disk: the write queued; the reads of the page it left in the cache at
			 * once, where the file system has RWF_NOWAIT (else all three queued) */
			char c;
			struct iovec v = {.iov_base = &c, .iov_len = 1};
			int fd = open(r.path, O_RDONLY);
			bool nowait = fd >= 0 && (preadv2(fd, &v, 1, 0, RWF_NOWAIT) >= 0 || errno == EAGAIN);
			if (fd >= 0)
				close(fd);
			if (nowait) {
				ck_assert_uint_eq(r.aio.inline_done, 2);
				ck_assert_uint_eq(r.aio.completed, 1);
				ran++;
			}
		}
		rig_down(&r);
	}
	if (!ran)
		VPLAT_SKIP("neither a tmpfs /dev/shm nor RWF_NOWAIT on /var/tmp");
}
END_TEST

/* vplat_blk_aio_init() refuses flags it does not know (a caller built against a newer
 * header gets an error, not a silently ignored request). */
START_TEST(aio_unknown_flags)
{
	struct rig r;
	rig_up(&r, 0, 1u << 16, 0, 0, 0);
	struct vplat_blk_aio a;
	ck_assert_int_eq(vplat_blk_aio_init(&a, &r.file, 8, 0x8u), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_aio_init(&a, &r.file, 8, 0x80000000u), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_aio_init(&a, &r.file, 8,
					    VPLAT_BLK_AIO_THREADS | VPLAT_BLK_AIO_INLINE), 0);
	vplat_blk_aio_fini(&a);
	/* VPLAT_BLK_AIO_WAIT is known (io_uring end; the thread pool ignores it). */
	ck_assert_int_eq(vplat_blk_aio_init(&a, &r.file, 8, VPLAT_BLK_AIO_WAIT), 0);
	vplat_blk_aio_fini(&a);
	ck_assert_int_eq(vplat_blk_aio_init(&a, &r.file, 8,
					    VPLAT_BLK_AIO_THREADS | VPLAT_BLK_AIO_WAIT), 0);
	vplat_blk_aio_fini(&a);
	rig_down(&r);
}
END_TEST

START_TEST(thread_pool_fallback)
{
	/* Forced as if io_uring_queue_init() had failed. */
	struct rig r;
	rig_up(&r, _i, 1u << 20, 0, 2, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH));
	aio_integrity_and_flush(&r);
}
END_TEST

START_TEST(odd_sized_image)
{
	/* 1000 bytes: capacity 2 sectors; the tail reads as zeroes; writing it extends the file. */
	for (int aio = 0; aio < 3; aio++) {
		struct rig r;
		rig_up(&r, _i, 1000, 0, aio, 0);
		ck_assert_uint_eq(vplat_le64_to_cpu(r.blk.config.capacity), 2);
		int fd = open(r.path, O_WRONLY);
		uint8_t ones[1000];
		memset(ones, 0xff, sizeof(ones));
		ck_assert_int_eq(pwrite(fd, ones, 1000, 0), 1000);
		close(fd);
		uint8_t *b = dma(&r, 1024);
		ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, b, 1024), 0);
		ck_assert_uint_eq(b[999], 0xff);
		for (unsigned i = 1000; i < 1024; i++)
			ck_assert_uint_eq(b[i], 0);
		ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 2, NULL, 0, b, 512),
				  VPLAT_VIRTIO_BLK_S_IOERR);
		memset(b, 0x42, 512);
		ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 1, b, 512, NULL, 0), 0);
		struct stat st;
		ck_assert_int_eq(stat(r.path, &st), 0);
		ck_assert_int_eq(st.st_size, 1024);
		rig_down(&r);
	}
}
END_TEST

START_TEST(read_only_image)
{
	struct rig r;
	rig_up(&r, _i, 4096, VPLAT_BLK_FILE_RDONLY, 0, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_RO));
	ck_assert(vplat_val_has_feature(&r.d, VPLAT_VIRTIO_BLK_F_RO));
	ck_assert(!(r.d.device_features & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_DISCARD)));
	uint8_t *b = dma(&r, 512);
	memset(b, 1, 512);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, b, 512, NULL, 0),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, b, 512), 0);
	ck_assert_uint_eq(b[0], 0);
	/* The host end refuses writes on its own too. */
	struct vplat_blk_req fake = {.op = VPLAT_BLK_OP_WRITE, .iov = NULL, .niov = 0};
	ck_assert_int_eq(vplat_blk_file_exec(&r.file, &fake), VPLAT_EIO);
	rig_down(&r);
}
END_TEST

START_TEST(direct_io)
{
	/* O_DIRECT where the file system allows it (not tmpfs): aligned requests use it. */
	char path[64];
	snprintf(path, sizeof(path), "/var/tmp/vplat-blk-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		VPLAT_SKIP("cannot create %s: %s", path, strerror(errno));
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	close(fd);
	struct vplat_blk_file f;
	int rc = vplat_blk_file_open(&f, path, VPLAT_BLK_FILE_DIRECT);
	if (rc == VPLAT_ENOTSUP) {
		unlink(path);
		VPLAT_SKIP("the file system of /var/tmp has no O_DIRECT");
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_ge(f.dfd, 0);
	uint8_t *buf = aligned_alloc(4096, 8192);
	fill(buf, 8192, 5);
	struct vplat_iov v[2] = {{buf, 4096}, {buf + 4096, 4096}};
	struct vplat_blk_req w = {.op = VPLAT_BLK_OP_WRITE, .offset = 8192, .len = 8192, .iov = v,
				  .niov = 2};
	ck_assert_int_eq(vplat_blk_file_exec(&f, &w), 0);
	uint8_t *rb = aligned_alloc(4096, 8192);
	struct vplat_iov rv[1] = {{rb + 1, 512}}; /* unaligned: buffered path */
	struct vplat_blk_req rd = {.op = VPLAT_BLK_OP_READ, .offset = 8192, .len = 512, .iov = rv,
				   .niov = 1};
	ck_assert_int_eq(vplat_blk_file_exec(&f, &rd), 0);
	ck_assert_mem_eq(rb + 1, buf, 512);
	vplat_blk_file_close(&f);
	free(buf);
	free(rb);
	unlink(path);
}
END_TEST

/* Pages of @p path resident in the page cache (mincore over a read-only mapping), or -1. */
static long resident_pages(const char *path, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	long pg = sysconf(_SC_PAGESIZE), n = 0;
	size_t np = (len + (size_t)pg - 1) / (size_t)pg;
	unsigned char *vec = calloc(np, 1);
	if (!vec || mincore(m, len, vec) != 0)
		n = -1;
	for (size_t i = 0; n >= 0 && i < np; i++)
		n += vec[i] & 1;
	free(vec);
	munmap(m, len);
	return n;
}

START_TEST(direct_open_drops_page_cache)
{
	/* An image written through the page cache and then opened with O_DIRECT: the open
	 * writes the dirty pages back and drops them, so no O_DIRECT read later finds dirty
	 * pages (io_uring would punt it to a worker that writes them back first). */
	const size_t len = 1u << 20;
	char path[64];
	snprintf(path, sizeof(path), "/var/tmp/vplat-blk-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		VPLAT_SKIP("cannot create %s: %s", path, strerror(errno));
	uint8_t *buf = malloc(len);
	fill(buf, len, 9);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
	long before = resident_pages(path, len);
	if (before <= 0) {
		unlink(path);
		VPLAT_SKIP("the written image is not in the page cache here (mincore: %ld)", before);
	}
	struct vplat_blk_file f;
	int rc = vplat_blk_file_open(&f, path, VPLAT_BLK_FILE_DIRECT);
	if (rc == VPLAT_ENOTSUP) {
		unlink(path);
		VPLAT_SKIP("the file system of /var/tmp has no O_DIRECT");
	}
	ck_assert_int_eq(rc, 0);
	long after = resident_pages(path, len);
	vplat_blk_file_close(&f);
	unlink(path);
	ck_assert_int_ge(after, 0);
	ck_assert_msg(after <= before / 4, "%ld of %ld pages still cached after the open", after,
		      before);
}
END_TEST

#define CRASH_BLOCKS 1024u

/* Child: write blocks, FLUSH, report each flushed block on the pipe, keep writing. */
static void crash_child(const char *path, int aio, int report)
{
	struct rig *r = calloc(1, sizeof(*r));
	memset(r, 0, sizeof(*r));
	if (vplat_blk_file_open(&r->file, path, 0) != 0)
		_exit(2);
	struct vplat_blk_config c = {.writeback = true};
	vplat_blk_file_config(&r->file, &c);
	const struct vplat_blk_host_ops *ops = &vplat_blk_host_file;
	void *host = &r->file;
	if (aio) {
		if (vplat_blk_aio_init(&r->aio, &r->file, 64, 0) != 0)
			_exit(3);
		ops = &vplat_blk_host_aio;
		host = &r->aio;
		r->use_aio = true;
	}
	vplat_loopback_init(&r->lb, VPLAT_LOOPBACK_PCI, 4u << 20);
	vplat_blk_init(&r->blk, vplat_loopback_mem(&r->lb), &c, ops, host, r->reqs, NREQ);
	vplat_loopback_attach(&r->lb, vplat_blk_device(&r->blk));
	vplat_loopback_val_init(&r->lb, &r->d);
	vplat_val_negotiate(&r->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					   VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH));
	vplat_val_vq_setup(&r->d, &r->vq, 0, 128);
	vplat_val_driver_ok(&r->d);
	uint64_t mark = vplat_val_mem_mark(vplat_loopback_dma(&r->lb));
	/* Each block goes to its own place (no overwrite), so every flushed one can be checked. */
	for (uint32_t blkno = 0; blkno < CRASH_BLOCKS; blkno++) {
		uint8_t *w = dma(r, 4096);
		fill(w, 4096, blkno);
		if (req(r, VPLAT_VIRTIO_BLK_T_OUT, (uint64_t)blkno * 8, w, 4096, NULL, 0) ||
		    req(r, VPLAT_VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, 0))
			_exit(4);
		if (write(report, &blkno, sizeof(blkno)) != sizeof(blkno))
			_exit(5);
		vplat_val_mem_release(vplat_loopback_dma(&r->lb), mark);
	}
	for (;;)
		pause(); /* wait for the SIGKILL */
}

START_TEST(crash_consistency)
{
	/* A write completed before a completed FLUSH survives a SIGKILL of the writer (process
	 * crash; the page cache survives it too, so this is no durability test: blk_durable.c). */
	for (int aio = 0; aio < 2; aio++) {
		char path[64];
		make_image(path, sizeof(path), CRASH_BLOCKS * 4096u);
		int p[2];
		ck_assert_int_eq(pipe(p), 0);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(p[0]);
			crash_child(path, aio, p[1]);
		}
		close(p[1]);
		uint32_t last = 0, got;
		unsigned n = 0;
		while (n < 300 && read(p[0], &got, sizeof(got)) == sizeof(got)) {
			last = got;
			n++;
		}
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		close(p[0]);
		ck_assert(WIFSIGNALED(status));
		ck_assert_uint_ge(n, 300);
		/* Every block reported flushed must be in the file. */
		uint8_t want[4096], have[4096];
		for (uint32_t b = 0; b <= last; b++) {
			fill(want, 4096, b);
			pread_file(path, (uint64_t)b * 4096, have, 4096);
			ck_assert_mem_eq(have, want, 4096);
		}
		unlink(path);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("blk_file");
	TCase *tc = tcase_create("blk_file");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, sync_file_end, 0, 4);
	tcase_add_loop_test(tc, writethrough_syncs_each_write, 0, 2);
	tcase_add_loop_test(tc, thread_pool_fallback, 0, 4);
	tcase_add_loop_test(tc, aio_reap, 1, 2);
	tcase_add_loop_test(tc, odd_sized_image, 0, 2);
	tcase_add_loop_test(tc, read_only_image, 0, 2);
	tcase_add_test(tc, direct_io);
	tcase_add_test(tc, direct_open_drops_page_cache);
	tcase_add_test(tc, crash_consistency);
	tcase_add_test(tc, aio_unknown_flags);
	suite_add_tcase(s, tc);
	/* The io_uring end on its own (tag "uring": the CTest test unit.test_blk_file_uring), so
	 * that hosts without io_uring, such as qemu user mode, leave it out by label. */
	TCase *tu = tcase_create("uring");
	tcase_set_timeout(tu, 60);
	tcase_set_tags(tu, "uring");
	tcase_add_loop_test(tu, uring_end, 0, 4);
	tcase_add_loop_test(tu, aio_reap, 0, 1);
	tcase_add_test(tu, uring_inline);
	tcase_add_test(tu, aio_reap_wait);
	suite_add_tcase(s, tu);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
