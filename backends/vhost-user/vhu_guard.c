/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIGBUS guard around guest-memory access.
 *
 * The front-end's memory arrives as file descriptors that we map shared. Their size is
 * checked at map time (vhu_mem.c), but the front-end keeps the file and may shrink it later
 * (ftruncate on a memfd; F_SEAL_SHRINK cannot be imposed on somebody else's file): touching a
 * page of the mapping past the new end of file raises SIGBUS, whose default action would
 * kill the daemon and every device it serves.
 *
 * Every entry point that may touch guest memory (message and kick handling, busy polling,
 * and host-end work the caller wraps with vplat_vhu_backends_guard()) runs under a
 * sigsetjmp frame kept per thread. A process-wide SIGBUS handler looks at the faulting
 * address: if a guard is active on this thread and the address lies inside a mapping of one
 * of the guarded back-ends (a memory region or the inflight region), the handler jumps back
 * to the guard. Any other SIGBUS is handed to the action installed before ours (by default:
 * the process dies, as it would have without the guard).
 *
 * After a fault the guard replaces every mapping of the faulted back-end, in place, by
 * private anonymous zero pages (MAP_FIXED), so that whatever the abandoned code path left
 * behind (queue pointers into the old mapping) cannot fault again; then it disconnects the
 * front-end, which stops the rings, resets the device and unmaps everything. The device is
 * "broken" for that session only: the next front-end gets a reset device.
 *
 * Limits: the jump abandons the device code in the middle of whatever it was doing; the
 * device is reset right after, which is how its state is made consistent again, but host
 * resources in flight (an asynchronous block request's buffers) are left to the host end's
 * own reset (so a device's reset must also clear any "inside processing" flag: blk's
 * in_process, net's in_rx). vplat_vhu_vring_kick() touches the ring areas before entering
 * the device, so a file shrunk under a ring usually faults there, before any device code
 * runs. Other devices served in the same guarded call (vplat-platform's dispatch) lose
 * the event in progress. Threads other than the guarded one (a block thread pool) are not
 * covered: they read and write guest memory with system calls (preadv/pwritev, io_uring),
 * which return EFAULT instead of raising SIGBUS.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "vhu_internal.h"

struct vhu_guard {
	sigjmp_buf jb;
	struct vplat_vhu_backend *const *bs;
	size_t n;
	struct vplat_vhu_backend *faulted;
	uintptr_t addr;
	struct vhu_guard *outer;
};

static _Thread_local struct vhu_guard *volatile cur_guard;
static struct sigaction old_bus;

static bool in_range(uintptr_t a, const void *base, uint64_t len)
{
	uintptr_t s = (uintptr_t)base;
	return base && a >= s && a - s < len;
}

static struct vplat_vhu_backend *owner(const struct vhu_guard *g, uintptr_t a)
{
	for (size_t i = 0; i < g->n; i++) {
		struct vplat_vhu_backend *b = g->bs[i];
		if (!b)
			continue;
		for (uint32_t r = 0; r < b->nregions && r < VPLAT_VHU_MAX_REGIONS; r++)
			if (in_range(a, b->regions[r].map, b->regions[r].map_size))
				return b;
		if (in_range(a, b->inflight.map, b->inflight.size))
			return b;
	}
	return NULL;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct vhu_guard *g = cur_guard;
	uintptr_t a = (uintptr_t)si->si_addr;
	struct vplat_vhu_backend *b;
	for (struct vhu_guard *x = g; x; x = x->outer)
		if ((b = owner(x, a))) {
			x->faulted = b;
			x->addr = a;
			siglongjmp(x->jb, 1);
		}
	/* Not ours: what would have happened without the guard. */
	if (old_bus.sa_flags & SA_SIGINFO) {
		if (old_bus.sa_sigaction) {
			old_bus.sa_sigaction(sig, si, uc);
			return;
		}
	} else if (old_bus.sa_handler != SIG_DFL && old_bus.sa_handler != SIG_IGN) {
		old_bus.sa_handler(sig);
		return;
	}
	signal(SIGBUS, SIG_DFL); /* returning re-runs the access, which now kills */
}

static void install_once(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
}

/* Once per process, whichever thread comes first (a second sigaction() would record our
 * own handler as the previous action). */
static void install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, install_once);
}

/* Make @b's mappings harmless (zero pages at the same addresses), then drop the front-end. */
static void after_fault(struct vplat_vhu_backend *b, uintptr_t addr)
{
	for (uint32_t r = 0; r < b->nregions && r < VPLAT_VHU_MAX_REGIONS; r++) {
		struct vplat_vhu_region *g = &b->regions[r];
		if (g->map)
			mmap(g->map, (size_t)g->map_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
	if (b->inflight.map)
		mmap(b->inflight.map, (size_t)b->inflight.size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	b->stats.faults++;
	b->stats.errors++;
	vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR,
		      "SIGBUS at %p in guest memory: the front-end shrank a shared memory file "
		      "under its mapping; device reset, front-end dropped",
		      (void *)addr);
	if (vplat_vhu_on_queue_thread())
		vplat_vhu_queue_thread_faulted(b); /* the control thread disconnects */
	else
		vplat_vhu_backend_disconnect(b);
}

int vplat_vhu_backends_guard(struct vplat_vhu_backend *const *bs, size_t n,
			     int (*fn)(void *arg), void *arg)
{
	if (!fn)
		return VPLAT_EINVAL;
	install();
	struct vhu_guard g;
	memset(&g, 0, sizeof(g));
	g.bs = bs;
	g.n = bs ? n : 0;
	g.outer = cur_guard;
	struct vhu_guard *volatile gp = &g; /* read through memory after the jump */
	/* No mask saved (no system call per guarded call): the handler runs with SA_NODEFER and
	 * an empty sa_mask, so the signal mask at the jump is the one we had here. */
	if (sigsetjmp(g.jb, 0)) {
		cur_guard = gp->outer;
		after_fault(gp->faulted, gp->addr);
		return VPLAT_EFAULT;
	}
	cur_guard = &g;
	int rc = fn(arg);
	cur_guard = g.outer;
	return rc;
}
