/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the vhost-user daemon tests (busy_idle_blk, mq_threads): the names of a process's
 * threads, read from /proc/PID/task/TID/comm. */
#ifndef VPLAT_TESTS_VHOST_USER_THREAD_NAMES_H
#define VPLAT_TESTS_VHOST_USER_THREAD_NAMES_H

#include <dirent.h>
#include <stdio.h>
#include <sys/types.h>

/* Calls @p fn(name, arg) for each thread of @p pid whose name could be read (the kernel's
 * comm, newline included). Returns -1 if /proc/PID/task cannot be opened, else 0. */
static inline int for_each_thread_name(pid_t pid, void (*fn)(const char *name, void *arg),
				       void *arg)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char cp[400], comm[32] = "";
		snprintf(cp, sizeof(cp), "%s/%s/comm", path, e->d_name);
		FILE *f = fopen(cp, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				fn(comm, arg);
			fclose(f);
		}
	}
	closedir(d);
	return 0;
}

#endif
