/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the ivshmem client (lib/fabric/ivshmem/ivshmem_server.c, the side a vplat
 * VM runs against an ivshmem server, spec/17-shmem.md) facing a hostile server. A listening
 * socket and a helper thread playing the server are set up once per process; for each input
 * the helper accepts the client's connection, writes the input's messages (8-byte little-endian
 * values with 0, 1 or 2 descriptors attached from a pool of eventfds and a memfd, optionally a
 * cut-off last message) and hangs up, while the client joins (vplat_ivshmem_client_connect())
 * and then reads notices (vplat_ivshmem_client_dispatch()) until the server is gone.
 *
 * Input: byte 0 the client's vector count (1..4); then records of 2 bytes {kind, arg}:
 *   kind bits 0-1  value: 0 = arg (a peer id 0..255), 1 = -1, 2 = 0x10000 + arg (out of range),
 *                  3 = 0 (protocol version); bits 2-3 descriptors attached (0, 1, 2; 3 = 1 memfd)
 *   kind 0xff      a cut-off message (3 bytes) and nothing after it.
 *
 * Checked (abort() when false), against a model of the join exchange and of the peer table:
 * - the join succeeds exactly when the model's does (version 0 without descriptor, an id,
 *   -1 with the shared memory, then notices until this peer has its vectors), with the id and
 *   the shared-memory size the server sent;
 * - every notice after the join returns what the model says (0, or VPLAT_EPROTO for a value out
 *   of range, two descriptors, a peer with more vectors than configured, a full peer table;
 *   VPLAT_EIO once the server is gone), and which peers are present agrees with the model;
 * - ringing a present peer's vectors works; after vplat_ivshmem_client_close() (or a failed
 *   join) the process has exactly the sockets, eventfds and memfds it had before the input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "fuzz_fds.h"
#include "vplat/error.h"
#include "vplat/fabric/ivshmem_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NMSG 128
#define SHM  8192

struct msg {
	int64_t v;
	int nfd;  /* descriptors attached */
	bool mem; /* the memfd rather than eventfds */
	bool cut; /* only 3 bytes, then hang up */
};

static char path[108];
static int lfd = -1, evfd[2], memfd_ = -1, base_fds, base_ours;
static struct msg script[NMSG];
static unsigned nscript;
static sem_t go, done;

static void put_le64(uint8_t *b, int64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

static void *server(void *arg)
{
	(void)arg;
	sem_post(&done); /* started (thread start-up may open files for a moment) */
	for (;;) {
		while (sem_wait(&go))
			;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		for (unsigned i = 0; fd >= 0 && i < nscript; i++) {
			uint8_t b[8];
			put_le64(b, script[i].v);
			union {
				char c[CMSG_SPACE(sizeof(int) * 2)];
				struct cmsghdr align;
			} ctl;
			struct iovec iov = {.iov_base = b, .iov_len = script[i].cut ? 3 : 8};
			struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
			if (script[i].nfd) {
				memset(&ctl, 0, sizeof(ctl));
				m.msg_control = ctl.c;
				m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)script[i].nfd);
				struct cmsghdr *c = CMSG_FIRSTHDR(&m);
				c->cmsg_level = SOL_SOCKET;
				c->cmsg_type = SCM_RIGHTS;
				c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)script[i].nfd);
				int fds[2] = {script[i].mem ? memfd_ : evfd[0], evfd[1]};
				memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)script[i].nfd);
			}
			if (sendmsg(fd, &m, MSG_NOSIGNAL) != (ssize_t)iov.iov_len)
				break; /* the client gave up (failed join); NMSG messages fit */
		}
		if (fd >= 0)
			close(fd);
		sem_post(&done);
	}
	return NULL;
}

static void remove_socket(void)
{
	unlink(path);
}

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/vplat-fuzz-ivshmem-client-%d.sock", (int)getpid());
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4))
		abort();
	atexit(remove_socket);
	evfd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	evfd[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	memfd_ = memfd_create("vplat-fuzz-shm", MFD_CLOEXEC);
	if (evfd[0] < 0 || evfd[1] < 0 || memfd_ < 0 || ftruncate(memfd_, SHM))
		abort();
	pthread_t t;
	if (sem_init(&go, 0, 0) || sem_init(&done, 0, 0) || pthread_create(&t, NULL, server, NULL))
		abort();
	while (sem_wait(&done))
		;
	base_fds = fz_count_fds();
	base_ours = fz_count_ours(false, NULL);
}

/* Model of the client's peer table. */
struct mpeer {
	bool present;
	bool mem0; /* its first vector is the memfd (not rung: a write would grow it) */
	unsigned id, nfd;
};
static struct mpeer mp[VPLAT_IVSHMEM_CLIENT_MAX_PEERS];

static struct mpeer *mfind(unsigned id, bool create)
{
	struct mpeer *free_slot = NULL;
	for (unsigned i = 0; i < VPLAT_IVSHMEM_CLIENT_MAX_PEERS; i++) {
		if (mp[i].present && mp[i].id == id)
			return &mp[i];
		if (!mp[i].present && !free_slot)
			free_slot = &mp[i];
	}
	if (!create || !free_slot)
		return NULL;
	*free_slot = (struct mpeer){.present = true, .id = id};
	return free_slot;
}

/* What the client should make of one notice. */
static int mapply(const struct msg *m, unsigned vectors)
{
	if (m->cut)
		return VPLAT_EPROTO;
	if (m->nfd > 1)
		return VPLAT_EPROTO;
	if (m->v < 0 || m->v > 0xffff)
		return VPLAT_EPROTO;
	struct mpeer *p = mfind((unsigned)m->v, m->nfd == 1);
	if (m->nfd == 0) {
		if (p)
			p->present = false;
		return 0;
	}
	if (!p || p->nfd >= vectors)
		return VPLAT_EPROTO;
	if (p->nfd++ == 0)
		p->mem0 = m->mem;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (lfd < 0)
		setup();
	if (size < 1)
		return 0;
	unsigned vectors = 1 + data[0] % 4;
	nscript = 0;
	for (size_t i = 1; i + 2 <= size && nscript < NMSG; i += 2) {
		struct msg *m = &script[nscript++];
		uint8_t k = data[i], a = data[i + 1];
		memset(m, 0, sizeof(*m));
		if (k == 0xff) {
			m->cut = true;
			m->v = a;
			break;
		}
		static const int64_t base[4] = {0, -1, 0x10000, 0};
		m->v = (k & 3) == 0 ? a : base[k & 3] + ((k & 3) == 2 ? a : 0);
		unsigned f = (k >> 2) & 3;
		m->nfd = f == 3 ? 1 : (int)f;
		m->mem = f == 3;
	}
	/* The model's join: version, id, shared memory, then notices until self is complete. */
	memset(mp, 0, sizeof(mp));
	unsigned i = 0;
	int want = 0;
	int64_t id = -1;
	if (nscript < 3 || script[0].cut || script[0].v != 0 || script[0].nfd ||
	    script[1].cut || script[1].v < 0 || script[1].v > 0xffff || script[1].nfd ||
	    script[2].cut || script[2].v != -1 || script[2].nfd != 1) {
		want = VPLAT_EPROTO; /* (or VPLAT_EIO when the server hung up first) */
	} else {
		id = script[1].v;
		for (i = 3;; i++) {
			struct mpeer *self = mfind((unsigned)id, false);
			if (self && self->nfd == vectors)
				break;
			if (i == nscript) {
				want = VPLAT_EIO;
				break;
			}
			if (mapply(&script[i], vectors)) {
				want = VPLAT_EPROTO;
				break;
			}
		}
	}
	sem_post(&go);
	struct vplat_ivshmem_client *c = NULL;
	int rc = vplat_ivshmem_client_connect(path, (uint16_t)vectors, &c);
	while (sem_wait(&done))
		;
	if (want == 0) {
		if (rc != 0 || vplat_ivshmem_client_id(c) != id)
			abort();
		if (vplat_ivshmem_client_shm_size(c) != (script[2].mem ? SHM : 0))
			abort(); /* (an eventfd has no size) */
		for (;; i++) {
			int d = vplat_ivshmem_client_dispatch(c);
			int w = i < nscript ? mapply(&script[i], vectors) : VPLAT_EIO;
			if (d != w)
				abort();
			if (i >= nscript)
				break;
		}
		for (unsigned k = 0; k < 256; k++) {
			struct mpeer *p = mfind(k, false);
			if (vplat_ivshmem_client_peer_present(c, (uint16_t)k) != (p != NULL))
				abort();
			if (p && p->nfd && !p->mem0 && vplat_ivshmem_client_ring(c, (uint16_t)k, 0) != 0)
				abort();
		}
		vplat_ivshmem_client_close(c);
	} else if (rc != want && !(want == VPLAT_EPROTO && rc == VPLAT_EIO)) {
		abort();
	}
	uint64_t v;
	while (read(evfd[0], &v, sizeof(v)) > 0 || read(evfd[1], &v, sizeof(v)) > 0)
		;
	/* Cheap check first; a difference is looked at closely, because libFuzzer opens pipes of
	 * its own to llvm-symbolizer the first time it prints a new function: only sockets,
	 * eventfds and memfds count. */
	if (fz_count_fds() != base_fds) {
		if (fz_count_ours(false, NULL) != base_ours)
			abort();
		base_fds = fz_count_fds(); /* not ours: the runtime's, from now on */
	}
	return 0;
}
