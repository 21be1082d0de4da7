/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the shared-memory server's handling of its clients (vplat/ivshmem_server.h,
 * spec/17-shmem.md). Up to six clients on socket pairs; the input is a script of joins, client
 * writes (bytes, with or without a passed descriptor), hang-ups, drains of what the server sent
 * and dispatches. Invariants: every message the server sends is 8 bytes with at most one
 * descriptor; a client that sends anything or hangs up is gone after its dispatch; the peer
 * count matches the server's client sockets; no descriptor leaks.
 *
 * One server per vector count (1..4, the input's first byte) is made once per process (its
 * memfd is what a server costs); an input ends with every client it joined hanging up, which
 * leaves the server as a new one is (no peers; IDs are the lowest free ones, so the next input
 * sees the same IDs a new server would give), and the process then has exactly the
 * descriptors it had before the input.
 *
 * System calls an input does not need are left out (each costs 1.5-2 us on the machine this
 * was measured on, more than the server's own work): a client write without a descriptor is
 * only its dispatch (the server reads nothing of it), and a drain takes up to 32 messages per
 * recvmmsg().
 */
#define _GNU_SOURCE /* readlink() in fuzz_fds.h */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fuzz_fds.h"
#include "vplat/error.h"
#include "vplat/fabric/ivshmem_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SLOTS 6
#define MAX_PEERS 4

/* The server's eventfds come from a pool kept for the process: the target is linked with
 * --wrap=eventfd,--wrap=close (tests/fuzz/CMakeLists.txt), so the library's eventfd() takes a
 * pool entry and its close() of that entry gives it back. An eventfd() and its close() were 8
 * of the 19 system calls of an average input, and nothing here ever signals an eventfd, so an
 * entry is as good as a new one (the server code, and the descriptors it passes to the peers,
 * are unchanged). A server that does not close one is caught exactly: every entry must be back
 * after the input (check_pool()); one closed twice aborts at the second close(). */
#define POOL (MAX_PEERS * 4) /* peers x vectors (at most 4 per client here) */
static int pool_fd[POOL];
static bool pool_out[POOL];
static bool pool_made;

int __real_eventfd(unsigned int initval, int flags);
int __real_close(int fd);
int __wrap_eventfd(unsigned int initval, int flags);
int __wrap_close(int fd);

FZ_HARNESS int __wrap_eventfd(unsigned int initval, int flags)
{
	if (pool_made && initval == 0 && flags == (EFD_NONBLOCK | EFD_CLOEXEC))
		for (int i = 0; i < POOL; i++)
			if (!pool_out[i]) {
				pool_out[i] = true;
				return pool_fd[i];
			}
	return __real_eventfd(initval, flags);
}

FZ_HARNESS int __wrap_close(int fd)
{
	if (pool_made)
		for (int i = 0; i < POOL; i++)
			if (pool_fd[i] == fd) {
				if (!pool_out[i])
					abort(); /* closed twice */
				pool_out[i] = false;
				return 0;
			}
	return __real_close(fd);
}

FZ_HARNESS static void make_pool(void)
{
	for (int i = 0; i < POOL; i++) {
		pool_fd[i] = __real_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (pool_fd[i] < 0)
			abort();
	}
	pool_made = true;
}

FZ_HARNESS static void check_pool(void)
{
	for (int i = 0; i < POOL; i++)
		if (pool_out[i]) {
			fprintf(stderr, "fuzz_ivshmem_server: eventfd %d not closed by the server\n",
				pool_fd[i]);
			abort();
		}
}

FZ_HARNESS static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Close the descriptors @fd[0..n): one close_range() per run of consecutive numbers (received
 * descriptors take the lowest free numbers, so one drain's are mostly one run) instead of one
 * close() each. */
FZ_HARNESS static void close_runs(int *fd, size_t n)
{
	qsort(fd, n, sizeof(*fd), cmp_int);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && fd[j + 1] == fd[j] + 1)
			j++;
		if (j == i)
			close(fd[i]);
		else if (close_range((unsigned)fd[i], (unsigned)fd[j], 0) != 0)
			abort();
		i = j + 1;
	}
}

/* Read everything pending on a client end; check the message framing. One recvmmsg() takes up
 * to 32 messages (each entry is one recvmsg() of at most 8 bytes, and a Unix stream read ends
 * after the data that carried descriptors, so each entry is one message of the server's); the
 * checks are per entry as before. */
FZ_HARNESS static void drain(int fd)
{
	enum { N = 32 };
	static unsigned char buf[N][8];
	static union {
		char b[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} ctl[N];
	static struct iovec iov[N];
	static struct mmsghdr mm[N];
	for (;;) {
		for (unsigned k = 0; k < N; k++) {
			iov[k] = (struct iovec){.iov_base = buf[k], .iov_len = sizeof(buf[k])};
			memset(&mm[k], 0, sizeof(mm[k]));
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
			mm[k].msg_hdr.msg_control = ctl[k].b;
			mm[k].msg_hdr.msg_controllen = sizeof(ctl[k].b);
		}
		int got = recvmmsg(fd, mm, N, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);
		if (got <= 0)
			return;
		int rx[N * 8];
		size_t nrx = 0;
		bool eof = false;
		for (int k = 0; k < got; k++) {
			struct msghdr *m = &mm[k].msg_hdr;
			eof = mm[k].msg_len == 0; /* the server hung up */
			if (eof)
				break;
			if (mm[k].msg_len != 8)
				abort(); /* the server writes whole 8-byte messages */
			int fds = 0;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
				size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t j = 0; j < cnt; j++) {
					int f;
					memcpy(&f, CMSG_DATA(c) + j * sizeof(int), sizeof(int));
					if (nrx < sizeof(rx) / sizeof(rx[0]))
						rx[nrx++] = f;
					else
						close(f);
					fds++;
				}
			}
			if (fds > 1)
				abort();
		}
		close_runs(rx, nrx);
		if (eof || got < N)
			return;
	}
}

/* Every client hangs up and the server sees it: the server is left without peers. What the
 * server sent and the script did not drain (op 4 checks its framing) is discarded with the
 * socket: reading and closing every descriptor here was half of an input's system calls. */
FZ_HARNESS static void hang_up_all(struct vplat_ivshmem_server *s, int *cli)
{
	for (int i = 0; i < SLOTS; i++)
		if (cli[i] >= 0) {
			close(cli[i]);
			cli[i] = -1;
		}
	for (unsigned k = 0; k <= SLOTS && vplat_ivshmem_server_peers(s) != 0; k++) {
		int fd;
		if (vplat_ivshmem_server_pollfds(s, &fd, 1) == 0 ||
		    vplat_ivshmem_server_dispatch(s, fd) != 0)
			abort();
	}
	if (vplat_ivshmem_server_peers(s) != 0)
		abort();
}

/* Peers the server still has are exactly the ones whose socket it lists; forget the slots of
 * the ones it dropped (e.g. a socket that filled up). Harness code: its comparisons are no
 * feedback about the server. */
FZ_HARNESS static void check_peers(struct vplat_ivshmem_server *s, int *srv)
{
	int fds[SLOTS + 1];
	size_t n = vplat_ivshmem_server_pollfds(s, fds, SLOTS + 1);
	if (n != vplat_ivshmem_server_peers(s) || n > MAX_PEERS)
		abort();
	for (int k = 0; k < SLOTS; k++) {
		bool listed = false;
		for (size_t j = 0; j < n; j++)
			listed |= srv[k] >= 0 && fds[j] == srv[k];
		if (!listed)
			srv[k] = -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vplat_ivshmem_server *servers[4];
	struct vplat_ivshmem_server_config cfg = {
		.path = NULL, .shm_size = 4096, .vectors = 2, .max_peers = MAX_PEERS};
	if (size > 0)
		cfg.vectors = (uint16_t)(1 + data[0] % 4);
	struct vplat_ivshmem_server **slot = &servers[cfg.vectors - 1];
	/* The descriptor count at the end of the previous input is this one's "before" (one
	 * poll() per input); a new server's memfd makes a new baseline. */
	static int before = -1, before_ours;
	if (!*slot) {
		if (vplat_ivshmem_server_create(&cfg, slot) != 0)
			abort();
		before = -1;
	}
	static int spare = -1; /* what a join to a full server hands it (a copy) */
	if (spare < 0) {
		make_pool();
		spare = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (spare < 0)
			abort();
		before = -1;
	}
	if (before < 0) {
		before = fz_count_fds();
		before_ours = fz_count_ours(false, NULL);
	}
	struct vplat_ivshmem_server *s = *slot;
	int cli[SLOTS], srv[SLOTS];
	for (int i = 0; i < SLOTS; i++)
		cli[i] = srv[i] = -1;
	size_t pos = 1;
	while (pos + 2 <= size) {
		uint8_t op = data[pos] % 6, i = data[pos + 1] % SLOTS;
		pos += 2;
		switch (op) {
		case 0: { /* join */
			if (cli[i] >= 0)
				break;
			if (vplat_ivshmem_server_peers(s) >= MAX_PEERS) {
				/* Full: the server refuses and closes what it was given. A copy of
				 * the spare socket costs less than a socket pair nobody will use. */
				int c = fcntl(spare, F_DUPFD_CLOEXEC, 0);
				if (c < 0 || vplat_ivshmem_server_add_client(s, c) != VPLAT_ENOSPC)
					abort();
				break;
			}
			int sp[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0)
				abort();
			int id = vplat_ivshmem_server_add_client(s, sp[0]);
			if (id >= 0) {
				srv[i] = sp[0];
				cli[i] = sp[1];
			} else {
				close(sp[1]);
			}
			break;
		}
		case 1: /* send bytes */
		case 2: { /* send bytes and a descriptor */
			if (cli[i] < 0 || pos >= size)
				break;
			size_t len = 1 + data[pos] % 16;
			pos++;
			if (len > size - pos)
				len = size - pos;
			if (len == 0)
				break;
			union {
				char b[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} ctl;
			memset(&ctl, 0, sizeof(ctl));
			struct iovec iov = {.iov_base = (void *)(data + pos), .iov_len = len};
			struct msghdr m;
			memset(&m, 0, sizeof(m));
			m.msg_iov = &iov;
			m.msg_iovlen = 1;
			if (op == 2) {
				m.msg_control = ctl.b;
				m.msg_controllen = sizeof(ctl.b);
				struct cmsghdr *c = CMSG_FIRSTHDR(&m);
				c->cmsg_level = SOL_SOCKET;
				c->cmsg_type = SCM_RIGHTS;
				c->cmsg_len = CMSG_LEN(sizeof(int));
				memcpy(CMSG_DATA(c), &cli[i], sizeof(int));
			}
			pos += len;
			/* A peer the server dropped has no socket there: the send would fail
			 * (EPIPE) and nothing would be dispatched, so it is not made. */
			if (op == 2 && srv[i] < 0)
				break;
			/* Bytes alone are not sent: the server reads nothing a client writes (any
			 * write or a hang-up ends the peer, vplat_ivshmem_server_dispatch()), so a
			 * write is the dispatch alone. A descriptor is passed for real: it sits
			 * in the server's socket until the server closes it. */
			if (op == 2 && sendmsg(cli[i], &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				break;
			/* fall through to the dispatch the embedder's poll would cause */
			if (vplat_ivshmem_server_dispatch(s, srv[i]) == 0)
				srv[i] = -1; /* it sent something: gone */
			break;
		}
		case 3: /* hang up */
			if (cli[i] < 0)
				break;
			close(cli[i]);
			cli[i] = -1;
			if (srv[i] >= 0 && vplat_ivshmem_server_dispatch(s, srv[i]) != 0)
				abort();
			srv[i] = -1;
			break;
		case 4: /* drain what the server sent */
			if (cli[i] >= 0)
				drain(cli[i]);
			break;
		case 5: /* a dispatch on a descriptor that is not the server's */
			if (vplat_ivshmem_server_dispatch(s, -1 - i) != VPLAT_ENOENT)
				abort();
			break;
		}
		check_peers(s, srv);
	}
	hang_up_all(s, cli);
	check_pool();
	int now = fz_count_fds();
	if (now != before) {
		/* Ours (sockets, eventfds, memfds) must be as before; the runtime may have
		 * opened something of its own between inputs (a pipe to llvm-symbolizer). */
		if (fz_count_ours(false, NULL) != before_ours) {
			fz_count_ours(true, NULL);
			abort();
		}
		before = now;
	}
	return 0;
}
