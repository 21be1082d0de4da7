/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Power-loss model for the block host ends, as an LD_PRELOAD shim (tests only).
 *
 * It watches the image named by VPLAT_DUR_IMAGE at the system-call boundary the host ends
 * use and keeps VPLAT_DUR_IMAGE.durable: the image as it would be after a power loss, i.e.
 * holding only what the storage stack was asked to make stable:
 *  - fdatasync()/fsync() on an image descriptor returning 0: the durable copy becomes the
 *    image as it is (everything written so far survives);
 *  - a write (pwrite/pwritev/pwritev2/write) on a descriptor opened with O_DSYNC/O_SYNC, or
 *    pwritev2 with RWF_DSYNC/RWF_SYNC, returning success: its bytes go to the durable copy;
 *  - io_uring (liburing's io_uring_submit*): the SQEs being submitted are read; an FSYNC on an
 *    image descriptor makes the durable copy the image as it is at submission (writes that
 *    completed before it are in the page cache), a WRITE/WRITEV with RWF_DSYNC/RWF_SYNC puts
 *    its bytes in the durable copy. Before it reads the image, the shim waits (up to 2 s)
 *    until every SQE submitted earlier on that ring has posted its CQE: the kernel runs them
 *    asynchronously (io-wq, O_DIRECT DMA), and a read racing one of them copied a half-written
 *    block into the durable copy (seen as "durable seq -1" about 2 runs in 12). Such a write
 *    had not completed when the FLUSH was posted, so the FLUSH need not cover it; taking it
 *    whole is "newer than required", which the test allows. The price: a host end that
 *    reported a write complete before its CQE would no longer be caught here.
 * Anything else (a pwrite without a sync, the page cache) is lost at power-off, so a host end
 * that stops calling fdatasync, or completes a FLUSH without asking for one, leaves the durable
 * copy behind and the test reading it fails. A layer above the host end could not tell; a
 * shim on the calls can, without a line of test code in the host end.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#if __has_include(<liburing.h>)
#include <liburing.h>
#define HAVE_URING 1
#endif

#define MAXFD 4096
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Held shared by a pwrite*() on an image descriptor for the length of the system call, and
 * exclusively (taken before lock) while the image is copied into the durable copy: a copy that
 * raced another thread's pwrite (the thread-pool host end runs a FLUSH's fdatasync next to
 * writes) took a half-written block. A write still running when the sync was called was not
 * complete, so the sync need not cover it; waiting for it gives "newer than required".
 */
static pthread_rwlock_t wlock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static unsigned char fdkind[MAXFD]; /* 0 other, 1 image, 2 image opened O_DSYNC/O_SYNC */
static unsigned long long n_sync, n_dsync_writes, n_uring_fsync, n_uring_dsync;

/* For the test: the shim is loaded, and what it saw. */
void vplat_dur_shim_stats(unsigned long long *syncs, unsigned long long *dsync_writes,
			  unsigned long long *uring_fsyncs, unsigned long long *uring_dsync)
{
	pthread_mutex_lock(&lock);
	*syncs = n_sync;
	*dsync_writes = n_dsync_writes;
	*uring_fsyncs = n_uring_fsync;
	*uring_dsync = n_uring_dsync;
	pthread_mutex_unlock(&lock);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static bool is_image(const char *path)
{
	const char *img = getenv("VPLAT_DUR_IMAGE");
	return img && path && !strcmp(img, path);
}

static int durable_fd(void)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s.durable", getenv("VPLAT_DUR_IMAGE"));
	return REAL(open)(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

/*
 * Durable copy := the image now. Called with wlock held exclusively and the lock held. Written
 * to a new file renamed over the old one, so that a reader (the test's check, on another
 * thread than a pool worker's fdatasync) sees the old copy or the new one, never half of each.
 */
static void snapshot(int imgfd)
{
	char p[4096], t[4100];
	snprintf(p, sizeof(p), "%s.durable", getenv("VPLAT_DUR_IMAGE"));
	snprintf(t, sizeof(t), "%s.tmp", p);
	int d = REAL(open)(t, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (d < 0)
		return;
	static char buf[1 << 16];
	off_t off = 0;
	ssize_t n;
	while ((n = pread(imgfd, buf, sizeof(buf), off)) > 0) {
		REAL(pwrite)(d, buf, (size_t)n, off);
		off += n;
	}
	close(d);
	rename(t, p);
}

/* Durable copy gets these bytes at @off. Called with the lock held. */
static void apply(const struct iovec *v, int n, off_t off)
{
	int d = durable_fd();
	if (d < 0)
		return;
	for (int i = 0; i < n; i++) {
		REAL(pwrite)(d, v[i].iov_base, v[i].iov_len, off);
		off += (off_t)v[i].iov_len;
	}
	close(d);
}

static int kind(int fd)
{
	return fd >= 0 && fd < MAXFD ? fdkind[fd] : 0;
}

static void opened(int fd, const char *path, int flags)
{
	if (fd < 0 || fd >= MAXFD)
		return;
	pthread_rwlock_wrlock(&wlock);
	pthread_mutex_lock(&lock);
	fdkind[fd] = is_image(path) ? ((flags & (O_DSYNC | O_SYNC)) ? 2 : 1) : 0;
	if (fdkind[fd]) {
		/* First sight of the image: what is on it now is durable (the test synced it). */
		struct stat st;
		char p[4096];
		snprintf(p, sizeof(p), "%s.durable", path);
		if (stat(p, &st) != 0)
			snapshot(fd);
	}
	pthread_mutex_unlock(&lock);
	pthread_rwlock_unlock(&wlock);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	int fd = REAL(open)(path, flags, m);
	opened(fd, path, flags);
	return fd;
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	int fd = REAL(openat)(dir, path, flags, m);
	opened(fd, path, flags);
	return fd;
}
int openat64(int dir, const char *path, int flags, ...) __attribute__((alias("openat")));

int close(int fd)
{
	if (fd >= 0 && fd < MAXFD)
		fdkind[fd] = 0;
	return REAL(close)(fd);
}

static void wrote(int fd, const struct iovec *v, int n, off_t off, ssize_t got, int rwflags)
{
	if (got <= 0 || !kind(fd))
		return;
	if (kind(fd) != 2 && !(rwflags & (RWF_DSYNC | RWF_SYNC)))
		return;
	/* Only the bytes the call wrote. */
	struct iovec c[64];
	int k = 0;
	size_t left = (size_t)got;
	for (int i = 0; i < n && i < 64 && left; i++) {
		c[k] = v[i];
		if (c[k].iov_len > left)
			c[k].iov_len = left;
		left -= c[k].iov_len;
		k++;
	}
	pthread_mutex_lock(&lock);
	n_dsync_writes++;
	apply(c, k, off);
	pthread_mutex_unlock(&lock);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	bool img = kind(fd) != 0;
	if (img)
		pthread_rwlock_rdlock(&wlock);
	ssize_t r = REAL(pwrite)(fd, buf, len, off);
	if (img)
		pthread_rwlock_unlock(&wlock);
	struct iovec v = {(void *)buf, len};
	wrote(fd, &v, 1, off, r, 0);
	return r;
}
ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off) __attribute__((alias("pwrite")));

ssize_t pwritev(int fd, const struct iovec *v, int n, off_t off)
{
	bool img = kind(fd) != 0;
	if (img)
		pthread_rwlock_rdlock(&wlock);
	ssize_t r = REAL(pwritev)(fd, v, n, off);
	if (img)
		pthread_rwlock_unlock(&wlock);
	wrote(fd, v, n, off, r, 0);
	return r;
}
ssize_t pwritev64(int fd, const struct iovec *v, int n, off_t off)
	__attribute__((alias("pwritev")));

ssize_t pwritev2(int fd, const struct iovec *v, int n, off_t off, int flags)
{
	bool img = kind(fd) != 0;
	if (img)
		pthread_rwlock_rdlock(&wlock);
	ssize_t r = REAL(pwritev2)(fd, v, n, off, flags);
	if (img)
		pthread_rwlock_unlock(&wlock);
	wrote(fd, v, n, off, r, flags);
	return r;
}
ssize_t pwritev64v2(int fd, const struct iovec *v, int n, off_t off, int flags)
	__attribute__((alias("pwritev2")));

static void synced(int fd, int r)
{
	if (r != 0 || !kind(fd))
		return;
	pthread_rwlock_wrlock(&wlock);
	pthread_mutex_lock(&lock);
	n_sync++;
	snapshot(fd);
	pthread_mutex_unlock(&lock);
	pthread_rwlock_unlock(&wlock);
}

int fdatasync(int fd)
{
	int r = REAL(fdatasync)(fd);
	synced(fd, r);
	return r;
}

int fsync(int fd)
{
	int r = REAL(fsync)(fd);
	synced(fd, r);
	return r;
}

#ifdef HAVE_URING
/* Per ring: SQEs the kernel accepted through the shim, and its CQ tail when first seen. */
#define MAXRING 16
static struct {
	struct io_uring *ring;
	unsigned submitted, cq_base;
} rings[MAXRING];
static unsigned long long n_unsettled;

static unsigned *ring_slot(struct io_uring *ring, unsigned **base)
{
	int i, free = -1;
	for (i = 0; i < MAXRING && rings[i].ring != ring; i++)
		if (!rings[i].ring && free < 0)
			free = i;
	if (i == MAXRING) {
		if (free < 0)
			return NULL;
		i = free;
		rings[i].ring = ring;
		rings[i].submitted = 0;
		rings[i].cq_base = __atomic_load_n(ring->cq.ktail, __ATOMIC_ACQUIRE);
	}
	*base = &rings[i].cq_base;
	return &rings[i].submitted;
}

/*
 * Wait until every SQE submitted earlier on @ring has posted its CQE (one CQE per SQE: the
 * host ends use no multishot or CQE_SKIP), so that no earlier write is still landing in the
 * image while snapshot() reads it. Bounded: a CQ overflow (CQEs held back in the kernel until
 * the application reaps) would never settle; then snapshot as before and say so.
 */
static void uring_settle(struct io_uring *ring)
{
	unsigned *base, *sub = ring_slot(ring, &base);
	if (!sub)
		return;
	for (int spin = 0; __atomic_load_n(ring->cq.ktail, __ATOMIC_ACQUIRE) - *base != *sub; spin++) {
		if (spin >= 200000) { /* 2 s */
			n_unsettled++;
			fprintf(stderr, "dur_shim: io_uring did not settle before an FSYNC snapshot "
					"(%llu times)\n", n_unsettled);
			return;
		}
		usleep(10);
	}
}

static void uring_submitted(struct io_uring *ring, int r)
{
	if (r <= 0)
		return;
	pthread_mutex_lock(&lock);
	unsigned *base, *sub = ring_slot(ring, &base);
	if (sub)
		*sub += (unsigned)r;
	pthread_mutex_unlock(&lock);
}

/* The SQEs queued since the last submission (liburing 2.x: sqe_head..sqe_tail). */
static void uring_seen(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	bool settled = false;
	pthread_rwlock_wrlock(&wlock);
	pthread_mutex_lock(&lock);
	for (unsigned i = sq->sqe_head; i != sq->sqe_tail; i++) {
		const struct io_uring_sqe *e = &sq->sqes[i & sq->ring_mask];
		if ((e->flags & IOSQE_FIXED_FILE) || !kind(e->fd))
			continue;
		if (e->opcode == IORING_OP_FSYNC) {
			n_uring_fsync++;
			if (!settled)
				uring_settle(ring);
			settled = true;
			snapshot(e->fd);
		} else if ((e->opcode == IORING_OP_WRITEV || e->opcode == IORING_OP_WRITE) &&
			   (kind(e->fd) == 2 || (e->rw_flags & (RWF_DSYNC | RWF_SYNC)))) {
			n_uring_dsync++;
			if (e->opcode == IORING_OP_WRITEV) {
				apply((const struct iovec *)(uintptr_t)e->addr, (int)e->len, (off_t)e->off);
			} else {
				struct iovec v = {(void *)(uintptr_t)e->addr, e->len};
				apply(&v, 1, (off_t)e->off);
			}
		}
	}
	pthread_mutex_unlock(&lock);
	pthread_rwlock_unlock(&wlock);
}

int io_uring_submit(struct io_uring *ring)
{
	uring_seen(ring);
	int r = REAL(io_uring_submit)(ring);
	uring_submitted(ring, r);
	return r;
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	uring_seen(ring);
	int r = REAL(io_uring_submit_and_wait)(ring, wait_nr);
	uring_submitted(ring, r);
	return r;
}

/* A ring set up later at the same address starts from zero. */
void io_uring_queue_exit(struct io_uring *ring)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAXRING; i++)
		if (rings[i].ring == ring)
			rings[i].ring = NULL;
	pthread_mutex_unlock(&lock);
	REAL(io_uring_queue_exit)(ring);
}
#endif
