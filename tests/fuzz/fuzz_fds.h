/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptor counting for the targets that pass file descriptors around (vhost-user, the
 * ivshmem server and client): a target compares the counts before and after each input to
 * catch a descriptor the code under test leaked.
 */
#ifndef VPLAT_FUZZ_FDS_H
#define VPLAT_FUZZ_FDS_H
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Harness code that is not part of what is fuzzed (fd counting, models, drains of what the code
 * under test wrote) is compiled without libFuzzer's instrumentation: its edges and comparisons
 * are no feedback about the code under test, and a loop over 256 descriptors or 64 model slots
 * with a comparison hook per iteration costs more than the input's own work. */
#define FZ_HARNESS __attribute__((no_sanitize("coverage")))

/* Open descriptors among the first 256: one poll() (closed ones answer POLLNVAL), much
 * cheaper than listing /proc/self/fd for every input. */
FZ_HARNESS static inline int fz_count_fds(void)
{
	static struct pollfd p[256];
	for (int i = 0; i < 256; i++)
		p[i] = (struct pollfd){.fd = i};
	if (poll(p, 256, 0) < 0)
		abort();
	int n = 0;
	for (int i = 0; i < 256; i++)
		n += !(p[i].revents & POLLNVAL);
	return n;
}

/* Descriptors of the kinds these targets pass around (sockets, eventfds, memfds, and @extra
 * when not NULL, e.g. a pipe's /proc name), so that a differing plain count caused by
 * libFuzzer's own pipes (to llvm-symbolizer) can be told apart; @say lists every descriptor. */
FZ_HARNESS static inline int fz_count_ours(bool say, const char *extra)
{
	int n = 0;
	for (int f = 0; f < 256; f++) {
		char l[40], t[64];
		snprintf(l, sizeof(l), "/proc/self/fd/%d", f);
		ssize_t k = readlink(l, t, sizeof(t) - 1);
		if (k <= 0)
			continue;
		t[k] = 0;
		if (say)
			fprintf(stderr, "fd %d: %s\n", f, t);
		n += !strncmp(t, "socket:", 7) || !strncmp(t, "anon_inode:[eventfd]", 20) ||
		     !strncmp(t, "/memfd:", 7) || (extra && !strcmp(t, extra));
	}
	return n;
}
#endif
