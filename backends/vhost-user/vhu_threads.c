/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue threads: each thread serves its own set of rings (kick fds, host-end fds, or busy
 * polling) with no lock on the data path. The control path (every vhost-user message,
 * disconnect) parks the threads first: a thread parks only at the top of its loop, outside
 * any ring or device access, so while they are parked the caller's thread owns every ring.
 *
 * Park handshake: the control thread sets park_req (release) and writes the thread's wake
 * eventfd; the thread sees park_req (acquire) at the top of its loop, takes the mutex, marks
 * itself parked and waits on the condition variable until park_req is cleared. The mutex
 * and condition variable are used only on this path.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_setname_np */
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include "vhu_internal.h"

#ifdef VPLAT_TEST_HOOKS
void *(*vplat_vhu_test_aligned_alloc)(size_t align, size_t size);
int (*vplat_vhu_test_pthread_create)(pthread_t *th, const pthread_attr_t *attr,
				     void *(*fn)(void *), void *arg);
#define VHU_ALIGNED_ALLOC(a, n)                                                                    \
	(vplat_vhu_test_aligned_alloc ? vplat_vhu_test_aligned_alloc(a, n) : aligned_alloc(a, n))
#define VHU_PTHREAD_CREATE(th, attr, fn, arg)                                                      \
	(vplat_vhu_test_pthread_create ? vplat_vhu_test_pthread_create(th, attr, fn, arg)           \
				       : pthread_create(th, attr, fn, arg))
#else
#define VHU_ALIGNED_ALLOC(a, n) aligned_alloc(a, n)
#define VHU_PTHREAD_CREATE(th, attr, fn, arg) pthread_create(th, attr, fn, arg)
#endif

#define EV_WAKE 0u
#define EV_KICK 1u
#define EV_HOST 2u
#define HOST_FDS 8u
#define BUSY_PASSES 64u        /* passes over the rings between two looks at the fds */
#define IDLE_NS_DEFAULT 2000000u

struct vhu_qthread {
	struct vplat_vhu_backend *b;
	struct vplat_vhu_threads *ts;
	pthread_t th;
	bool started;
	int wake_fd;
	int epfd;
	uint64_t queues;  /* bit q: this thread serves ring q */
	bool faulted;     /* a SIGBUS was caught here: sleep until parked */
	bool has_polling; /* a ring started without a kick fd: kick it every round */
	bool sleeping;    /* busy polling: idle, waiting for a kick */
	/* Shared with the control thread, on a line of their own (the thread's own flags
	 * above may be read together as one word). */
	_Alignas(64) int park_req; /* __atomic; set by the control thread */
	bool parked;               /* under ts->lock */
};

struct vplat_vhu_threads {
	struct vplat_vhu_threads_params p;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool stop; /* under lock */
	uint16_t n;
	struct vhu_qthread th[];
};

static _Thread_local struct vhu_qthread *self;

bool vplat_vhu_on_queue_thread(void)
{
	return self != NULL;
}

void vplat_vhu_queue_thread_faulted(struct vplat_vhu_backend *b)
{
	if (self)
		self->faulted = true;
	if (b->conn >= 0)
		(void)shutdown(b->conn, SHUT_RDWR); /* the control thread sees the peer go */
}

static int64_t mono_ns(void)
{
	struct timespec t;
	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void drain(int fd)
{
	uint64_t v;
	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* Rebuild the epoll set from the rings as they are now (the thread is the only one looking
 * at them: called after a park, before any ring access). */
static void rebuild(struct vhu_qthread *t)
{
	struct vplat_vhu_backend *b = t->b;
	const struct vplat_vhu_threads_params *p = &t->ts->p;
	if (t->epfd >= 0)
		close(t->epfd);
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->epfd < 0)
		return;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)EV_WAKE << 32};
	(void)epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->wake_fd, &ev);
	t->has_polling = false;
	for (uint16_t q = 0; b->dev && q < b->dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++) {
		if (!(t->queues & ((uint64_t)1 << q)))
			continue;
		const struct vplat_vhu_vring *v = &b->vrings[q];
		if (v->started && v->kick_fd >= 0) {
			ev.data.u64 = ((uint64_t)EV_KICK << 32) | q;
			(void)epoll_ctl(t->epfd, EPOLL_CTL_ADD, v->kick_fd, &ev);
		} else if (v->started && v->polling) {
			t->has_polling = true;
		}
		int fds[HOST_FDS];
		unsigned nh = p->host_fds ? p->host_fds(p->opaque, q, fds, HOST_FDS) : 0;
		for (unsigned i = 0; i < nh && i < HOST_FDS; i++) {
			ev.data.u64 = ((uint64_t)EV_HOST << 32) | q;
			(void)epoll_ctl(t->epfd, EPOLL_CTL_ADD, fds[i], &ev);
		}
	}
}

/* Park until the control thread lets go; false when the threads are stopping. */
static bool park(struct vhu_qthread *t)
{
	struct vplat_vhu_threads *ts = t->ts;
	pthread_mutex_lock(&ts->lock);
	t->parked = true;
	pthread_cond_broadcast(&ts->cv);
	while (__atomic_load_n(&t->park_req, __ATOMIC_ACQUIRE) && !ts->stop)
		pthread_cond_wait(&ts->cv, &ts->lock);
	bool stop = ts->stop;
	t->parked = false;
	pthread_mutex_unlock(&ts->lock);
	t->faulted = false;
	t->sleeping = false;
	drain(t->wake_fd);
	return !stop;
}

/* --- guarded work ------------------------------------------------------------------- */

struct work {
	struct vhu_qthread *t;
	uint16_t q;
	unsigned passes;
};

static int kick_guarded(void *arg)
{
	const struct work *w = arg;
	vplat_vhu_vring_kick(w->t->b, w->q);
	return 0;
}

static int host_guarded(void *arg)
{
	const struct work *w = arg;
	const struct vplat_vhu_threads_params *p = &w->t->ts->p;
	p->host_dispatch(p->opaque, w->q);
	return 0;
}

static void guarded(struct vhu_qthread *t, int (*fn)(void *), uint16_t q)
{
	struct work w = {.t = t, .q = q};
	struct vplat_vhu_backend *bs[1] = {t->b};
	(void)vplat_vhu_backends_guard(bs, 1, fn, &w);
}

/* Busy polling: @passes passes over this thread's rings (the host ends are served by the
 * look at the fds that follows each round). */
static int spin_guarded(void *arg)
{
	const struct work *w = arg;
	struct vhu_qthread *t = w->t;
	unsigned busy = 0;
	for (unsigned i = 0; i < w->passes; i++)
		for (uint64_t m = t->queues; m != 0u; m &= m - 1u)
			busy += vplat_vhu_service_queue(t->b, (uint16_t)__builtin_ctzll(m));
	return busy > (unsigned)INT32_MAX ? INT32_MAX : (int)busy;
}

static int rearm_guarded(void *arg)
{
	const struct work *w = arg;
	unsigned busy = 0;
	for (uint64_t m = w->t->queues; m != 0u; m &= m - 1u)
		busy += vplat_vhu_rearm_queue(w->t->b, (uint16_t)__builtin_ctzll(m));
	return (int)busy;
}

/* The events of one epoll_wait(); timeout in ms (0: just look). */
static void wait_events(struct vhu_qthread *t, int timeout)
{
	struct epoll_event ev[16];
	int n = epoll_wait(t->epfd, ev, 16, timeout);
	uint64_t hosts = 0;
	for (int i = 0; i < n; i++) {
		uint32_t kind = (uint32_t)(ev[i].data.u64 >> 32);
		uint16_t q = (uint16_t)ev[i].data.u64;
		if (kind == EV_WAKE) {
			drain(t->wake_fd);
		} else if (kind == EV_KICK) {
			if (q < VPLAT_VHU_MAX_QUEUES && t->b->vrings[q].kick_fd >= 0)
				drain(t->b->vrings[q].kick_fd);
			if (!t->faulted)
				guarded(t, kick_guarded, q);
		} else {
			hosts |= (uint64_t)1 << q;
		}
	}
	if (t->ts->p.host_dispatch && !t->faulted)
		for (; hosts != 0u; hosts &= hosts - 1u)
			guarded(t, host_guarded, (uint16_t)__builtin_ctzll(hosts));
	if (t->has_polling && !t->faulted)
		for (uint64_t m = t->queues; m != 0u; m &= m - 1u) {
			uint16_t q = (uint16_t)__builtin_ctzll(m);
			if (t->b->vrings[q].polling)
				guarded(t, kick_guarded, q);
		}
}

/* Queues of this thread that stopped at their dispatch budget with chains left
 * (VPLAT-FFI-013): served again without waiting for a kick that may never come. */
static uint64_t queues_with_more(const struct vhu_qthread *t)
{
	uint64_t more = 0;
	const struct vplat_device *dev = t->b->dev;
	if (!dev || t->faulted)
		return 0;
	for (uint64_t m = t->queues; m != 0u; m &= m - 1u) {
		uint16_t q = (uint16_t)__builtin_ctzll(m);
		if (q < dev->nvqs && dev->vqs[q].more)
			more |= (uint64_t)1 << q;
	}
	return more;
}

static void *qthread_main(void *arg)
{
	struct vhu_qthread *t = arg;
	const struct vplat_vhu_threads_params *p = &t->ts->p;
	struct vplat_vhu_backend *bs[1] = {t->b};
	int64_t idle_since = 0;
	char name[16];
	(void)snprintf(name, sizeof(name), "vhu-q%u", (unsigned)(t - t->ts->th));
	(void)pthread_setname_np(pthread_self(), name); /* ps -L, top -H, the tests */
	self = t;
	if (!park(t)) /* started parked: the control thread lets us go with the rings as they are */
		return NULL;
	rebuild(t);
	for (;;) {
		if (__atomic_load_n(&t->park_req, __ATOMIC_ACQUIRE)) {
			if (!park(t))
				break;
			rebuild(t);
			idle_since = 0;
			continue;
		}
		if (t->epfd < 0)
			break;
		if (!p->busy_poll || t->sleeping || t->faulted) {
			uint64_t more = queues_with_more(t);
			wait_events(t, t->faulted ? -1 : (t->has_polling || more != 0u) ? 0 : -1);
			for (; more != 0u; more &= more - 1u)
				guarded(t, kick_guarded, (uint16_t)__builtin_ctzll(more));
			t->sleeping = false; /* woken by work: spin again */
			continue;
		}
		/* This loop is not vplat_vhu_busy_spin() (vhu_busy.c), on purpose: the semantics
		 * differ.
		 * - Rings: busy_spin passes over vplat_vhu_service_pass(), every ring of the back
		 *   end that no queue thread serves; here only this thread's rings (t->queues),
		 *   which no other thread touches (no lock on the data path).
		 * - Parking and stopping: busy_spin runs up to 4096 passes a turn, looking at a
		 *   sig_atomic_t stop flag every 32; here park_req (an __atomic acquire load, the
		 *   handshake above) is seen every BUSY_PASSES (64), and a stop comes as a park
		 *   request (park() returns false).
		 * - Faults: after a SIGBUS busy_spin spins on (its caller disconnects at its next
		 *   look); here t->faulted stops the spinning at once, until the thread is parked.
		 * - Fds and idle: here the thread's fds (wake, kicks, host ends, polling rings) are
		 *   looked at after every round and the idle clock is read every round; when idle,
		 *   the thread re-arms only its own rings and sleeps in epoll_wait().
		 * One loop for both would need the ring set, the park check and the fault rule as
		 * parameters of busy_spin; not done. */
		struct work w = {.t = t, .passes = BUSY_PASSES};
		int busy = vplat_vhu_backends_guard(bs, 1, spin_guarded, &w);
		wait_events(t, 0);
		if (busy != 0) {
			idle_since = 0;
			continue;
		}
		int64_t now = mono_ns();
		if (idle_since == 0) {
			idle_since = now;
		} else if (now - idle_since >= (int64_t)(p->idle_ns ? p->idle_ns : IDLE_NS_DEFAULT)) {
			/* Kicks on, one more look, then sleep until a kick (an idle core is free). */
			idle_since = 0;
			if (vplat_vhu_backends_guard(bs, 1, rearm_guarded, &w) == 0)
				t->sleeping = true;
		}
	}
	return NULL;
}

/* --- control side ------------------------------------------------------------------- */

void vplat_vhu_threads_park(struct vplat_vhu_backend *b)
{
	struct vplat_vhu_threads *ts = b->threads;
	if (!ts || vplat_vhu_on_queue_thread())
		return;
	for (uint16_t i = 0; i < ts->n; i++) {
		__atomic_store_n(&ts->th[i].park_req, 1, __ATOMIC_RELEASE);
		uint64_t one = 1;
		if (write(ts->th[i].wake_fd, &one, sizeof(one)) < 0) {
			/* saturated counter: the thread wakes anyway */
		}
	}
	pthread_mutex_lock(&ts->lock);
	for (uint16_t i = 0; i < ts->n; i++)
		while (!ts->th[i].parked)
			pthread_cond_wait(&ts->cv, &ts->lock);
	pthread_mutex_unlock(&ts->lock);
}

void vplat_vhu_threads_resume(struct vplat_vhu_backend *b)
{
	struct vplat_vhu_threads *ts = b->threads;
	if (!ts || vplat_vhu_on_queue_thread())
		return;
	/* A memory table change: every ring catches up here, not on whichever thread kicks
	 * first (vplat_device_remap() walks all rings). */
	if (b->dev)
		vplat_device_remap(b->dev);
	pthread_mutex_lock(&ts->lock);
	for (uint16_t i = 0; i < ts->n; i++)
		__atomic_store_n(&ts->th[i].park_req, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&ts->cv);
	pthread_mutex_unlock(&ts->lock);
}

static void threads_free(struct vplat_vhu_threads *ts)
{
	for (uint16_t i = 0; i < ts->n; i++) {
		if (ts->th[i].wake_fd >= 0)
			close(ts->th[i].wake_fd);
		if (ts->th[i].epfd >= 0)
			close(ts->th[i].epfd);
	}
	pthread_mutex_destroy(&ts->lock);
	pthread_cond_destroy(&ts->cv);
	free(ts);
}

void vplat_vhu_backend_stop_threads(struct vplat_vhu_backend *b)
{
	struct vplat_vhu_threads *ts = b ? b->threads : NULL;
	if (!ts)
		return;
	pthread_mutex_lock(&ts->lock);
	ts->stop = true;
	for (uint16_t i = 0; i < ts->n; i++)
		__atomic_store_n(&ts->th[i].park_req, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&ts->cv);
	pthread_mutex_unlock(&ts->lock);
	for (uint16_t i = 0; i < ts->n; i++) {
		if (!ts->th[i].started)
			continue;
		uint64_t one = 1;
		if (write(ts->th[i].wake_fd, &one, sizeof(one)) < 0) {
			/* the thread wakes anyway */
		}
		pthread_join(ts->th[i].th, NULL);
	}
	b->threads = NULL;
	threads_free(ts);
}

int vplat_vhu_backend_start_threads(struct vplat_vhu_backend *b,
				    const struct vplat_vhu_threads_params *p)
{
	if (!b || !p || !b->dev || p->nthreads == 0 || p->nthreads > VPLAT_VHU_MAX_QUEUES)
		return VPLAT_EINVAL;
	if (b->threads)
		return VPLAT_EBUSY;
	uint16_t group = p->group ? p->group : 1;
	/* The per-thread records are over-aligned (park_req sits on its own cache line): calloc()
	 * promises only max_align_t, so allocate at the type's alignment (aligned_alloc() wants a
	 * size that is a multiple of it). */
	size_t align = _Alignof(struct vplat_vhu_threads);
	size_t size = sizeof(struct vplat_vhu_threads) +
		      (size_t)p->nthreads * sizeof(struct vhu_qthread);
	size = (size + align - 1u) / align * align;
	struct vplat_vhu_threads *ts = VHU_ALIGNED_ALLOC(align, size);
	if (!ts)
		return VPLAT_ENOMEM;
	memset(ts, 0, size);
	ts->p = *p;
	ts->n = p->nthreads;
	pthread_mutex_init(&ts->lock, NULL);
	pthread_cond_init(&ts->cv, NULL);
	for (uint16_t i = 0; i < ts->n; i++) {
		struct vhu_qthread *t = &ts->th[i];
		t->b = b;
		t->ts = ts;
		t->epfd = -1;
		t->park_req = 1; /* start parked: see vplat_vhu_threads_resume() */
		t->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t->wake_fd < 0) {
			ts->n = (uint16_t)(i + 1u);
			threads_free(ts);
			return VPLAT_EIO;
		}
	}
	for (uint16_t q = 0; q < b->dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++)
		ts->th[(q / group) % ts->n].queues |= (uint64_t)1 << q;
	b->threads = ts;
	int rc = 0;
	for (uint16_t i = 0; i < ts->n && !rc; i++) {
		if (VHU_PTHREAD_CREATE(&ts->th[i].th, NULL, qthread_main, &ts->th[i]) != 0)
			rc = VPLAT_EIO;
		else
			ts->th[i].started = true;
	}
	if (rc) {
		vplat_vhu_backend_stop_threads(b);
		return rc;
	}
	vplat_vhu_threads_park(b); /* every thread is at its first park */
	vplat_vhu_threads_resume(b);
	vplat_vhu_log(b, VPLAT_VHU_LOG_INFO, "%u queue thread%s%s", ts->n, ts->n == 1 ? "" : "s",
		      p->busy_poll ? ", busy polling" : "");
	return 0;
}

bool vplat_vhu_threads_serve(const struct vplat_vhu_backend *b, uint16_t q)
{
	const struct vplat_vhu_threads *ts = b->threads;
	if (!ts || q >= VPLAT_VHU_MAX_QUEUES)
		return false;
	for (uint16_t i = 0; i < ts->n; i++)
		if (ts->th[i].queues & ((uint64_t)1 << q))
			return true;
	return false;
}
