/* SPDX-License-Identifier: BSD-3-Clause */
/* covers(unit.test_ivshmem_server): VPLAT-SHM-002 VPLAT-SHM-004 VPLAT-SHM-011 VPLAT-SHM-012
 * (one region of one size for every peer, a pattern written through one peer's mapping read
 * through another's, doorbells only to present peers and vectors, departures withdraw the ID
 * and a later peer reuses it, a misbehaving client is dropped and the rest keep working) */
/* Shared-memory server and client (QEMU ivshmem-server protocol, spec/17-shmem.md): join
 * exchange, one region for all peers, doorbells, departures, misbehaving clients, no leaks.
 * The server runs its dispatch loop on a thread; the test thread plays the clients. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "testutil.h"
#include "vplat/error.h"
#include "vplat/fabric/ivshmem_server.h"

#define SHM_SIZE (64u * 1024u)
#define VECS 2u

struct srv {
	struct vplat_ivshmem_server *s;
	pthread_t th;
	int stop[2];
	char path[108];
};

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void *srv_loop(void *arg)
{
	struct srv *v = arg;
	for (;;) {
		int fds[16];
		struct pollfd pfd[17];
		size_t n = vplat_ivshmem_server_pollfds(v->s, fds, 16);
		if (n > 16)
			n = 16;
		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		pfd[n] = (struct pollfd){.fd = v->stop[0], .events = POLLIN};
		if (poll(pfd, (nfds_t)n + 1, -1) < 0)
			continue;
		if (pfd[n].revents)
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (pfd[i].revents)
				vplat_ivshmem_server_dispatch(v->s, pfd[i].fd);
	}
}

static void srv_start(struct srv *v)
{
	snprintf(v->path, sizeof(v->path), "/tmp/vplat-ivs-test-%d.sock", (int)getpid());
	struct vplat_ivshmem_server_config cfg = {
		.path = v->path, .shm_size = SHM_SIZE, .vectors = VECS, .max_peers = 4};
	ck_assert_int_eq(vplat_ivshmem_server_create(&cfg, &v->s), 0);
	ck_assert_int_eq(pipe(v->stop), 0);
	ck_assert_int_eq(pthread_create(&v->th, NULL, srv_loop, v), 0);
}

static void srv_stop(struct srv *v)
{
	ck_assert_int_eq(write(v->stop[1], "x", 1), 1);
	pthread_join(v->th, NULL);
	close(v->stop[0]);
	close(v->stop[1]);
	vplat_ivshmem_server_destroy(v->s);
	ck_assert_int_ne(access(v->path, F_OK), 0); /* socket path removed */
}

static struct vplat_ivshmem_client *join(struct srv *v)
{
	struct vplat_ivshmem_client *c = NULL;
	ck_assert_int_eq(vplat_ivshmem_client_connect(v->path, VECS, &c), 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Apply server notices until peer @p id's presence is @p want (or fail after ~5 s). */
static void await_peer(struct vplat_ivshmem_client *c, uint16_t id, bool want)
{
	for (int i = 0; i < 500; i++) {
		int rc;
		while ((rc = vplat_ivshmem_client_dispatch(c)) == 0)
			;
		ck_assert_int_eq(rc, VPLAT_EAGAIN);
		if (vplat_ivshmem_client_peer_present(c, id) == want)
			return;
		struct pollfd p = {.fd = vplat_ivshmem_client_sock_fd(c), .events = POLLIN};
		poll(&p, 1, 10);
	}
	ck_abort_msg("peer %u presence never became %d", id, want);
}

/*
 * Ring @p vector of @p peer once the server has announced it: a peer is present from its
 * first eventfd on, its other vectors follow in separate messages (one per vector).
 */
static int ring_announced(struct vplat_ivshmem_client *c, uint16_t peer, uint16_t vector)
{
	int rc = VPLAT_ENOENT;
	for (int i = 0; i < 500 && (rc = vplat_ivshmem_client_ring(c, peer, vector)) == VPLAT_ENOENT; i++) {
		while (vplat_ivshmem_client_dispatch(c) == 0)
			;
		struct pollfd p = {.fd = vplat_ivshmem_client_sock_fd(c), .events = POLLIN};
		poll(&p, 1, 10);
	}
	return rc;
}

START_TEST(two_peers_share_and_ring)
{
	int before = count_fds();
	struct srv v;
	srv_start(&v);
	struct vplat_ivshmem_client *a = join(&v), *b = join(&v);
	int ida = vplat_ivshmem_client_id(a), idb = vplat_ivshmem_client_id(b);
	ck_assert_int_eq(ida, 0);
	ck_assert_int_eq(idb, 1);
	/* b learned a during its join; a learns b from the server's notice. */
	ck_assert(vplat_ivshmem_client_peer_present(b, (uint16_t)ida));
	await_peer(a, (uint16_t)idb, true);
	ck_assert_uint_eq(vplat_ivshmem_client_shm_size(a), SHM_SIZE);
	ck_assert_uint_eq(vplat_ivshmem_client_shm_size(b), SHM_SIZE);

	/* One region: a pattern written through a's mapping reads back through b's. */
	uint8_t *ma = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   vplat_ivshmem_client_shm_fd(a), 0);
	uint8_t *mb = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   vplat_ivshmem_client_shm_fd(b), 0);
	ck_assert_ptr_ne(ma, MAP_FAILED);
	ck_assert_ptr_ne(mb, MAP_FAILED);
	for (unsigned i = 0; i < SHM_SIZE; i++)
		ma[i] = (uint8_t)(i * 7u + 3u);
	for (unsigned i = 0; i < SHM_SIZE; i++)
		ck_assert_uint_eq(mb[i], (uint8_t)(i * 7u + 3u));
	mb[100] = 0x5a;
	ck_assert_uint_eq(ma[100], 0x5a);
	munmap(ma, SHM_SIZE);
	munmap(mb, SHM_SIZE);

	/* Doorbells both ways, per vector. */
	ck_assert_int_eq(vplat_ivshmem_client_wait(b, 1, 0), VPLAT_ETIMEDOUT);
	ck_assert_int_eq(ring_announced(a, (uint16_t)idb, 1), 0);
	ck_assert_int_eq(vplat_ivshmem_client_wait(b, 0, 0), VPLAT_ETIMEDOUT);
	ck_assert_int_eq(vplat_ivshmem_client_wait(b, 1, 1000), 1);
	ck_assert_int_eq(vplat_ivshmem_client_ring(b, (uint16_t)ida, 0), 0);
	ck_assert_int_eq(vplat_ivshmem_client_ring(b, (uint16_t)ida, 0), 0);
	ck_assert_int_eq(vplat_ivshmem_client_wait(a, 0, 1000), 2);
	ck_assert_int_eq(vplat_ivshmem_client_ring(b, (uint16_t)ida, VECS), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_ivshmem_client_ring(b, 77, 0), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_ivshmem_client_wait(a, VECS, 0), VPLAT_ENOENT);

	/* b leaves: a is told, can no longer ring it; a later peer reuses the ID. */
	vplat_ivshmem_client_close(b);
	await_peer(a, (uint16_t)idb, false);
	ck_assert_int_eq(vplat_ivshmem_client_ring(a, (uint16_t)idb, 0), VPLAT_ENOENT);
	struct vplat_ivshmem_client *c = join(&v);
	ck_assert_int_eq(vplat_ivshmem_client_id(c), idb);
	await_peer(a, (uint16_t)idb, true);
	ck_assert_int_eq(ring_announced(c, (uint16_t)ida, 1), 0);
	ck_assert_int_eq(vplat_ivshmem_client_wait(a, 1, 1000), 1);

	vplat_ivshmem_client_close(c);
	vplat_ivshmem_client_close(a);
	srv_stop(&v);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path));
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

START_TEST(misbehaving_client_dropped)
{
	int before = count_fds();
	struct srv v;
	srv_start(&v);
	struct vplat_ivshmem_client *a = join(&v);
	/* A raw client joins, then sends data (with a descriptor): the server drops it. */
	int bad = raw_connect(v.path);
	await_peer(a, 1, true);
	int junk[2];
	ck_assert_int_eq(pipe(junk), 0);
	char b[CMSG_SPACE(sizeof(int))];
	memset(b, 0, sizeof(b));
	uint64_t word = 0x1234;
	struct iovec iov = {.iov_base = &word, .iov_len = sizeof(word)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = b,
			   .msg_controllen = sizeof(b)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &junk[0], sizeof(int));
	ck_assert_int_eq(sendmsg(bad, &m, MSG_NOSIGNAL), (ssize_t)sizeof(word));
	close(junk[0]);
	close(junk[1]);
	await_peer(a, 1, false);
	/* The server closed its end: reading drains the join messages then hits EOF. */
	char sink[256];
	ssize_t r;
	while ((r = read(bad, sink, sizeof(sink))) > 0)
		;
	/* EOF, or ECONNRESET since the server closed with our message unread. */
	ck_assert(r == 0 || errno == ECONNRESET);
	close(bad);

	/* A client that connects and hangs up at once is cleaned up too. */
	int quick = raw_connect(v.path);
	close(quick);

	/* The rest keep working: a new peer joins, rings a and is rung. */
	struct vplat_ivshmem_client *c = join(&v);
	await_peer(a, (uint16_t)vplat_ivshmem_client_id(c), true);
	ck_assert_int_eq(vplat_ivshmem_client_ring(c, 0, 0), 0);
	ck_assert_int_eq(vplat_ivshmem_client_wait(a, 0, 1000), 1);
	ck_assert_int_eq(ring_announced(a, (uint16_t)vplat_ivshmem_client_id(c), 1), 0);
	ck_assert_int_eq(vplat_ivshmem_client_wait(c, 1, 1000), 1);
	vplat_ivshmem_client_close(c);
	vplat_ivshmem_client_close(a);
	srv_stop(&v);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(full_server_and_bad_config)
{
	int before = count_fds();
	struct vplat_ivshmem_server *s = NULL;
	struct vplat_ivshmem_server_config cfg = {.shm_size = 4096, .vectors = 1, .max_peers = 2};
	cfg.shm_size = 4095;
	ck_assert_int_eq(vplat_ivshmem_server_create(&cfg, &s), VPLAT_EINVAL);
	cfg.shm_size = 4096;
	cfg.vectors = 0;
	ck_assert_int_eq(vplat_ivshmem_server_create(&cfg, &s), VPLAT_EINVAL);
	cfg.vectors = 65;
	ck_assert_int_eq(vplat_ivshmem_server_create(&cfg, &s), VPLAT_EINVAL);
	cfg.vectors = 1;
	ck_assert_int_eq(vplat_ivshmem_server_create(&cfg, &s), 0);
	ck_assert_int_eq(vplat_ivshmem_server_listen_fd(s), -1);
	int sp[3][2];
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp[i]), 0);
	ck_assert_int_eq(vplat_ivshmem_server_add_client(s, sp[0][0]), 0);
	ck_assert_int_eq(vplat_ivshmem_server_add_client(s, sp[1][0]), 1);
	ck_assert_int_eq(vplat_ivshmem_server_add_client(s, sp[2][0]), VPLAT_ENOSPC);
	ck_assert_uint_eq(vplat_ivshmem_server_peers(s), 2);
	ck_assert_int_eq(vplat_ivshmem_server_dispatch(s, 12345), VPLAT_ENOENT);
	/* Peer 0 hangs up; dispatch on its socket removes it. */
	close(sp[0][1]);
	ck_assert_int_eq(vplat_ivshmem_server_dispatch(s, sp[0][0]), 0);
	ck_assert_uint_eq(vplat_ivshmem_server_peers(s), 1);
	vplat_ivshmem_server_destroy(s);
	close(sp[1][1]);
	close(sp[2][1]);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* vplat_ivshmem_client_open_fd(): the join over a socket the caller connected (here one end of
 * a socketpair whose other end the server took with vplat_ivshmem_server_add_client(), which
 * writes the whole join before it returns, so no server thread is needed). */
START_TEST(client_open_fd_joins_over_socketpair)
{
	int before = count_fds();
	struct vplat_ivshmem_server *s = NULL;
	struct vplat_ivshmem_server_config cfg = {.shm_size = SHM_SIZE, .vectors = VECS, .max_peers = 4};
	ck_assert_int_eq(vplat_ivshmem_server_create(&cfg, &s), 0);
	int sa[2], sb[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sa), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sb), 0);
	ck_assert_int_eq(vplat_ivshmem_server_add_client(s, sa[0]), 0);
	struct vplat_ivshmem_client *a = NULL, *b = NULL;
	ck_assert_int_eq(vplat_ivshmem_client_open_fd(sa[1], VECS, &a), 0);
	ck_assert_int_eq(vplat_ivshmem_client_sock_fd(a), sa[1]); /* the client owns it */
	ck_assert_int_eq(vplat_ivshmem_server_add_client(s, sb[0]), 1);
	ck_assert_int_eq(vplat_ivshmem_client_open_fd(sb[1], VECS, &b), 0);
	ck_assert_int_eq(vplat_ivshmem_client_id(a), 0);
	ck_assert_int_eq(vplat_ivshmem_client_id(b), 1);
	ck_assert_uint_eq(vplat_ivshmem_client_shm_size(a), SHM_SIZE);
	ck_assert_uint_eq(vplat_ivshmem_client_shm_size(b), SHM_SIZE);
	/* b learned a in its join; a learns b from the notices already queued. */
	ck_assert(vplat_ivshmem_client_peer_present(b, 0));
	while (vplat_ivshmem_client_dispatch(a) == 0)
		;
	ck_assert(vplat_ivshmem_client_peer_present(a, 1));
	ck_assert_int_eq(vplat_ivshmem_client_ring(b, 0, 1), 0);
	ck_assert_int_eq(vplat_ivshmem_client_wait(a, 1, 1000), 1);
	/* a leaves: the server drops it and tells b. */
	vplat_ivshmem_client_close(a);
	ck_assert_int_eq(vplat_ivshmem_server_dispatch(s, sa[0]), 0);
	ck_assert_uint_eq(vplat_ivshmem_server_peers(s), 1);
	while (vplat_ivshmem_client_dispatch(b) == 0)
		;
	ck_assert(!vplat_ivshmem_client_peer_present(b, 0));
	vplat_ivshmem_client_close(b);
	vplat_ivshmem_server_destroy(s);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(client_open_fd_failures_close_the_socket)
{
	int before = count_fds();
	struct vplat_ivshmem_client *c = NULL;
	int sp[2];
	ck_assert_int_eq(vplat_ivshmem_client_open_fd(-1, VECS, &c), VPLAT_EINVAL);
	/* Bad arguments: the descriptor is closed all the same. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	ck_assert_int_eq(vplat_ivshmem_client_open_fd(sp[1], 0, &c), VPLAT_EINVAL);
	ck_assert_int_eq(fcntl(sp[1], F_GETFD), -1);
	ck_assert_int_eq(vplat_ivshmem_client_open_fd(sp[0], VECS, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(fcntl(sp[0], F_GETFD), -1);
	/* The server hangs up before the join is complete: VPLAT_EIO. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	uint8_t ver[8] = {0};
	ck_assert_int_eq(write(sp[0], ver, sizeof(ver)), 8);
	close(sp[0]);
	ck_assert_int_eq(vplat_ivshmem_client_open_fd(sp[1], VECS, &c), VPLAT_EIO);
	/* A wrong version: VPLAT_EPROTO. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	ver[0] = 7;
	ck_assert_int_eq(write(sp[0], ver, sizeof(ver)), 8);
	ck_assert_int_eq(vplat_ivshmem_client_open_fd(sp[1], VECS, &c), VPLAT_EPROTO);
	close(sp[0]);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ivshmem_server");
	TCase *t = tcase_create("server");
	tcase_add_test(t, two_peers_share_and_ring);
	tcase_add_test(t, misbehaving_client_dropped);
	tcase_add_test(t, full_server_and_bad_config);
	tcase_add_test(t, client_open_fd_joins_over_socketpair);
	tcase_add_test(t, client_open_fd_failures_close_the_socket);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
