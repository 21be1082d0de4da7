/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the busy-poll tests (busy_idle, busy_idle_blk, platform_busy): a monotonic clock
 * and how much CPU a process used, read from /proc/PID/schedstat. */
#ifndef VPLAT_TESTS_VHOST_USER_SCHEDSTAT_H
#define VPLAT_TESTS_VHOST_USER_SCHEDSTAT_H

#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* Seconds on CLOCK_MONOTONIC. */
static inline double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run plus run-queue wait of @p pid in ns, or -1. */
static inline long long sched_ns(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/schedstat", (int)pid);
	FILE *f = fopen(p, "r");
	long long run, wait;
	if (!f)
		return -1;
	int n = fscanf(f, "%lld %lld", &run, &wait);
	fclose(f);
	return n == 2 ? run + wait : -1;
}

#endif
