/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Busy polling shared by the daemons' main loops (vplat-device --busy-poll, vplat-platform run
 * --busy-poll): passes over the rings of one or more back ends without a system call between
 * them, host-end work after every pass, and the adaptive fall-back to sleeping on the kick fds
 * once the rings have been idle for a while, so an idle daemon burns no core.
 */
#include <time.h>
#include "vhu_internal.h"

/* Passes per turn: the caller then looks at its sockets and host-end fds once, without
 * sleeping (a message on a socket is served within one turn). */
#define BUSY_SPINS 4096u
/* Passes per SIGBUS guard (one sigsetjmp per group). */
#define BUSY_PASSES 32u
/* Idle passes between two clock reads (a multiple of BUSY_PASSES). */
#define BUSY_CLOCK_EVERY 256u
/* Default idle time before sleeping. */
#define BUSY_IDLE_NS 2000000u

static int64_t mono_ns(void)
{
	struct timespec t;
	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

struct spin_args {
	struct vplat_vhu_backend *const *bs;
	size_t n;
	int (*pass)(void *arg);
	void *arg;
};

static int spin_guarded(void *arg)
{
	const struct spin_args *a = arg;
	unsigned busy = 0;
	for (unsigned i = 0; i < BUSY_PASSES; i++) {
		for (size_t k = 0; k < a->n; k++)
			if (a->bs[k])
				busy += vplat_vhu_service_pass(a->bs[k]);
		if (a->pass && a->pass(a->arg) > 0)
			busy++;
	}
	return busy > (unsigned)INT32_MAX ? INT32_MAX : (int)busy;
}

bool vplat_vhu_busy_spin(struct vplat_vhu_busy *st, struct vplat_vhu_backend *const *bs,
			 size_t n, int (*pass)(void *arg), void *arg,
			 const volatile sig_atomic_t *stop)
{
	if (!st)
		return true;
	struct spin_args a = {bs, n, pass, arg};
	int64_t limit = st->idle_ns ? (int64_t)st->idle_ns : (int64_t)BUSY_IDLE_NS;
	unsigned idle = 0;
	for (unsigned i = 0; i < BUSY_SPINS && !(stop && *stop); i += BUSY_PASSES) {
		/* A fault drops that front end (the guard resets its back end): not idle, the
		 * caller sees the disconnection at its next look. */
		int busy = vplat_vhu_backends_guard(bs, n, spin_guarded, &a);
		if (busy != 0) {
			idle = 0;
			st->idle_since = 0;
			continue;
		}
		idle += BUSY_PASSES;
		if ((idle & (BUSY_CLOCK_EVERY - 1u)) != 0u)
			continue;
		/* The idle clock runs across turns: one turn takes far less than the limit on an
		 * idle machine, so a clock restarted per turn would never expire. */
		int64_t now = mono_ns();
		if (st->idle_since == 0) {
			st->idle_since = now;
		} else if (now - st->idle_since >= limit) {
			st->idle_since = 0;
			return true;
		}
	}
	return false;
}

static int rearm_all(void *arg)
{
	const struct spin_args *a = arg;
	unsigned busy = 0;
	for (size_t k = 0; k < a->n; k++)
		if (a->bs[k])
			busy += vplat_vhu_rearm_pass(a->bs[k]);
	return busy > (unsigned)INT32_MAX ? INT32_MAX : (int)busy;
}

unsigned vplat_vhu_backends_rearm(struct vplat_vhu_backend *const *bs, size_t n)
{
	struct spin_args a = {bs, n, NULL, NULL};
	int rc = vplat_vhu_backends_guard(bs, n, rearm_all, &a);
	/* After a fault the rings of the dropped front end are gone; the others' kicks may not
	 * all be on: report work, so the caller spins (and re-arms) again. */
	return rc < 0 ? 1u : (unsigned)rc;
}
