/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Asynchronous host end of the block device: io_uring (liburing) for reads, writes and
 * flushes, with a pthread pool running the synchronous path when io_uring is unavailable.
 * Completions reach the device only through vplat_blk_aio_poll(), in the embedder's thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>
#ifdef VPLAT_HAVE_LIBURING
#include <liburing.h>
#endif
#include "blk_host_internal.h"
#include "vplat/error.h"
#include "vplat/host/blk_file.h"

#define POOL_THREADS 4u

struct done {
	struct vplat_blk_req *req;
	int rc;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct vplat_blk_req **todo; /* ring of cap entries */
	struct done *done;           /* cap entries */
	struct done *batch;          /* poll's private copy */
	unsigned cap, head, ntodo, ndone, inflight, nth;
	bool stop;
	pthread_t th[POOL_THREADS];
	struct vplat_blk_aio *a;
};

static void efd_signal(int efd)
{
	uint64_t one = 1;
	while (write(efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void efd_drain(int efd)
{
	uint64_t v;
	while (read(efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* ---- thread pool --------------------------------------------------------------------- */

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->ntodo && !p->stop)
			pthread_cond_wait(&p->cv, &p->lock);
		if (!p->ntodo)
			break; /* stopping and nothing left */
		struct vplat_blk_req *r = p->todo[p->head];
		p->head = (p->head + 1) % p->cap;
		p->ntodo--;
		pthread_mutex_unlock(&p->lock);
		int rc = vplat_blk_file_exec(p->a->file, r);
		pthread_mutex_lock(&p->lock);
		unsigned k = p->ndone;
		p->done[k] = (struct done){.req = r, .rc = rc};
		/* Stored atomically: vplat_blk_aio_reap() looks at it without the lock. */
		__atomic_store_n(&p->ndone, k + 1u, __ATOMIC_RELAXED);
		efd_signal(p->a->efd);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cv);
	free(p->todo);
	free(p->done);
	free(p->batch);
	free(p);
}

static int pool_start(struct vplat_blk_aio *a, unsigned depth)
{
	struct pool *p = calloc(1, sizeof(*p));
	if (!p)
		return VPLAT_ENOMEM;
	p->a = a;
	p->cap = depth;
	p->todo = calloc(depth, sizeof(*p->todo));
	p->done = calloc(depth, sizeof(*p->done));
	p->batch = calloc(depth, sizeof(*p->batch));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cv, NULL);
	a->impl = p;
	if (!p->todo || !p->done || !p->batch) {
		pool_stop(p);
		a->impl = NULL;
		return VPLAT_ENOMEM;
	}
	for (; p->nth < POOL_THREADS; p->nth++)
		if (pthread_create(&p->th[p->nth], NULL, pool_worker, p) != 0)
			break;
	if (p->nth == 0) {
		pool_stop(p);
		a->impl = NULL;
		return VPLAT_EIO;
	}
	return 0;
}

static int pool_submit(struct pool *p, struct vplat_blk_req *r)
{
	pthread_mutex_lock(&p->lock);
	if (p->inflight == p->cap) {
		pthread_mutex_unlock(&p->lock);
		return VPLAT_EAGAIN;
	}
	p->todo[(p->head + p->ntodo) % p->cap] = r;
	p->ntodo++;
	p->inflight++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->lock);
	return VPLAT_BLK_INPROGRESS;
}

static unsigned pool_poll(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	unsigned n = p->ndone;
	memcpy(p->batch, p->done, n * sizeof(*p->batch));
	__atomic_store_n(&p->ndone, 0u, __ATOMIC_RELAXED);
	p->inflight -= n;
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < n; i++)
		vplat_blk_complete(p->batch[i].req, p->batch[i].rc);
	return n;
}

/* ---- io_uring ------------------------------------------------------------------------ */

#ifdef VPLAT_HAVE_LIBURING
/* Requests done in the submitting thread instead of through io_uring (see uring_inline()). */
enum inline_io {
	INLINE_NONE,   /* everything through io_uring */
	INLINE_NOWAIT, /* buffered reads: preadv2(RWF_NOWAIT) first, io_uring only on a miss */
	INLINE_MEMORY, /* a memory file system: reads and writes synchronously, never queued */
};

struct uring {
	struct io_uring ring;
	unsigned inflight;
	enum inline_io inl;
	bool wait; /* VPLAT_BLK_AIO_WAIT: vplat_blk_aio_reap() sleeps for a completion */
};

#define TMPFS_MAGIC_ 0x01021994L
#define RAMFS_MAGIC_ 0x858458f6L

/*
 * How the image's reads and writes can be done without a thread hand-off. io_uring first
 * tries a request without blocking (IOCB_NOWAIT); a file whose file system has no
 * non-blocking path (tmpfs on this project's Linux 6.18: preadv2(RWF_NOWAIT) fails with
 * EOPNOTSUPP) gets every request handed to a kernel worker thread (io_uring:
 * io_uring_queue_async_work for 83 044 of 83 044 requests in a tmpfs run of bench-vhost-blk):
 * a wake-up of another thread per request, which is most of a QD1 request's cost. A memory
 * file system never waits for a disk, so there the request is done at once, in this thread.
 * Elsewhere a buffered read whose pages are cached completes at once with RWF_NOWAIT; only
 * a read that would block (EAGAIN, or short: not all cached) goes to io_uring. O_DIRECT
 * requests always go to io_uring (RWF_NOWAIT does not make a synchronous O_DIRECT read
 * return before the disk answers).
 */
static enum inline_io uring_inline(const struct vplat_blk_file *f)
{
	struct statfs sf;
	if (fstatfs(f->fd, &sf) == 0 &&
	    ((long)sf.f_type == TMPFS_MAGIC_ || (long)sf.f_type == RAMFS_MAGIC_))
		return INLINE_MEMORY;
	char b;
	struct iovec v = {.iov_base = &b, .iov_len = 1};
	if (preadv2(f->fd, &v, 1, 0, RWF_NOWAIT) < 0 && errno != EAGAIN)
		return INLINE_NONE; /* EOPNOTSUPP: no non-blocking read here */
	return INLINE_NOWAIT;
}

static int uring_start(struct vplat_blk_aio *a, unsigned depth, unsigned flags)
{
	struct uring *u = calloc(1, sizeof(*u));
	if (!u)
		return VPLAT_ENOMEM;
	if (io_uring_queue_init(depth, &u->ring, 0) < 0) {
		free(u);
		return VPLAT_ENOTSUP;
	}
	if (io_uring_register_eventfd(&u->ring, a->efd) < 0) {
		io_uring_queue_exit(&u->ring);
		free(u);
		return VPLAT_ENOTSUP;
	}
	u->inl = flags & VPLAT_BLK_AIO_INLINE ? uring_inline(a->file) : INLINE_NONE;
	u->wait = flags & VPLAT_BLK_AIO_WAIT;
	a->impl = u;
	a->uring = true;
	return 0;
}

static int uring_submit(struct vplat_blk_aio *a, struct vplat_blk_req *r)
{
	struct uring *u = a->impl;
	struct vplat_blk_file *f = a->file;

	if (r->op != VPLAT_BLK_OP_READ && r->op != VPLAT_BLK_OP_WRITE && r->op != VPLAT_BLK_OP_FLUSH)
		return vplat_blk_file_exec(f, r); /* rare range commands: synchronously */
	if ((r->op != VPLAT_BLK_OP_READ && f->read_only))
		return r->op == VPLAT_BLK_OP_FLUSH ? 0 : VPLAT_EIO;
	int fd = vplat_blk_file_pick_fd(f, r);
	const struct iovec *iov = (const struct iovec *)(const void *)r->iov;
	if (u->inl == INLINE_MEMORY && r->op != VPLAT_BLK_OP_FLUSH) {
		a->inline_done++;
		return vplat_blk_file_exec(f, r);
	}
	if (u->inl == INLINE_NOWAIT && r->op == VPLAT_BLK_OP_READ && fd == f->fd) {
		ssize_t n = preadv2(fd, iov, (int)r->niov, (off_t)r->offset, RWF_NOWAIT);
		if (n >= 0 && (uint64_t)n == r->len) {
			a->inline_done++;
			return 0;
		}
		/* EAGAIN or short (not all cached, or the end of the file): the whole read
		 * again through io_uring, which may block */
	}
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	if (!sqe) {
		io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
		if (!sqe)
			return VPLAT_EAGAIN;
	}
	if (r->op == VPLAT_BLK_OP_READ) {
		io_uring_prep_readv(sqe, fd, iov, r->niov, r->offset);
	} else if (r->op == VPLAT_BLK_OP_WRITE) {
		io_uring_prep_writev(sqe, fd, iov, r->niov, r->offset);
		sqe->rw_flags = r->sync ? RWF_DSYNC : 0;
	} else {
		io_uring_prep_fsync(sqe, f->fd, IORING_FSYNC_DATASYNC);
		__atomic_fetch_add(&f->fsyncs, 1, __ATOMIC_RELAXED);
	}
	io_uring_sqe_set_data(sqe, r);
	u->inflight++;
	return VPLAT_BLK_INPROGRESS;
}

static unsigned uring_poll(struct vplat_blk_aio *a)
{
	struct uring *u = a->impl;
	struct io_uring_cqe *cqe;
	unsigned n = 0;

	while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		struct vplat_blk_req *r = io_uring_cqe_get_data(cqe);
		int res = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
		u->inflight--;
		int rc = 0;
		if (r->op == VPLAT_BLK_OP_FLUSH)
			rc = res < 0 ? VPLAT_EIO : 0;
		else if (res < 0 || (uint64_t)res < r->len)
			/* Short transfer (end of a non-512 image) or O_DIRECT refused: redo it on
			 * the synchronous path, which handles both. */
			rc = vplat_blk_file_exec(a->file, r);
		vplat_blk_complete(r, rc);
		n++;
	}
	return n;
}

/*
 * VPLAT_BLK_AIO_WAIT: sleep in the kernel until a completion is ready, at most
 * VPLAT_BLK_AIO_WAIT_NS, when requests wait for the device and none is left unsubmitted.
 * Measured in bench-vhost-blk --poll --driver-poll on an O_DIRECT ext4 image in this
 * project's VM: a serving thread spinning through each request's ~50 us on the virtual disk
 * made that disk slower (QD1 ~20 us more per request) than one sleeping until the interrupt
 * (docs/performance.md, "Both sides polling"). True if a completion is ready.
 */
static bool uring_wait(struct uring *u)
{
	if (!u->wait || !u->inflight || io_uring_sq_ready(&u->ring) != 0u)
		return false;
	struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = VPLAT_BLK_AIO_WAIT_NS};
	struct io_uring_cqe *cqe;
	(void)io_uring_wait_cqe_timeout(&u->ring, &cqe, &ts); /* -ETIME, -EINTR: look anyway */
	return io_uring_cq_ready(&u->ring) != 0u;
}

static void uring_stop(struct vplat_blk_aio *a)
{
	struct uring *u = a->impl;
	struct io_uring_cqe *cqe;
	io_uring_submit(&u->ring);
	while (u->inflight && io_uring_wait_cqe(&u->ring, &cqe) == 0) {
		io_uring_cqe_seen(&u->ring, cqe);
		u->inflight--;
	}
	io_uring_queue_exit(&u->ring);
	free(u);
}
#endif

/* ---- public -------------------------------------------------------------------------- */

int vplat_blk_aio_init(struct vplat_blk_aio *a, struct vplat_blk_file *file, unsigned depth,
		       unsigned flags)
{
	if (!a || !file || depth == 0 || depth > 4096 ||
	    (flags & ~(VPLAT_BLK_AIO_THREADS | VPLAT_BLK_AIO_INLINE | VPLAT_BLK_AIO_WAIT)))
		return VPLAT_EINVAL;
	memset(a, 0, sizeof(*a));
	a->file = file;
	a->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->efd < 0)
		return VPLAT_EIO;
	int rc = VPLAT_ENOTSUP;
#ifdef VPLAT_HAVE_LIBURING
	if (!(flags & VPLAT_BLK_AIO_THREADS))
		rc = uring_start(a, depth, flags);
#else
	(void)flags;
#endif
	if (rc != 0)
		rc = pool_start(a, depth); /* io_uring refused (or not wanted): threads */
	if (rc != 0) {
		close(a->efd);
		a->efd = -1;
	}
	return rc;
}

int vplat_blk_aio_fd(const struct vplat_blk_aio *a)
{
	return a->efd;
}

unsigned vplat_blk_aio_poll(struct vplat_blk_aio *a)
{
	if (!a->impl)
		return 0;
	efd_drain(a->efd);
	unsigned n;
#ifdef VPLAT_HAVE_LIBURING
	if (a->uring)
		n = uring_poll(a);
	else
#endif
		n = pool_poll(a->impl);
	a->completed += n;
	return n;
}

unsigned vplat_blk_aio_reap(struct vplat_blk_aio *a)
{
	if (!a || !a->impl)
		return 0;
	unsigned n;
#ifdef VPLAT_HAVE_LIBURING
	if (a->uring) {
		/* A look at the completion queue's tail in shared memory: no system call while
		 * nothing completed. The eventfd stays signalled; vplat_blk_aio_poll() drains it. */
		struct uring *u = a->impl;
		if (io_uring_cq_ready(&u->ring) == 0u && !uring_wait(u))
			return 0;
		n = uring_poll(a);
	} else
#endif
	{
		struct pool *p = a->impl;
		if (__atomic_load_n(&p->ndone, __ATOMIC_RELAXED) == 0u)
			return 0; /* the lock only when a worker finished something */
		n = pool_poll(p);
	}
	a->completed += n;
	return n;
}

void vplat_blk_aio_fini(struct vplat_blk_aio *a)
{
	if (!a || !a->impl)
		return;
#ifdef VPLAT_HAVE_LIBURING
	if (a->uring)
		uring_stop(a);
	else
#endif
		pool_stop(a->impl);
	a->impl = NULL;
	close(a->efd);
	a->efd = -1;
}

static int aio_submit(void *host, struct vplat_blk_req *r)
{
	struct vplat_blk_aio *a = host;
#ifdef VPLAT_HAVE_LIBURING
	if (a->uring)
		return uring_submit(a, r);
#endif
	return pool_submit(a->impl, r);
}

static void aio_kick(void *host)
{
#ifdef VPLAT_HAVE_LIBURING
	struct vplat_blk_aio *a = host;
	if (a->uring)
		io_uring_submit(&((struct uring *)a->impl)->ring);
#else
	(void)host;
#endif
}

const struct vplat_blk_host_ops vplat_blk_host_aio = {.submit = aio_submit, .kick = aio_kick};
