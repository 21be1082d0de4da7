/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the ivshmem client (lib/fabric/ivshmem/ivshmem_server.c, the side a vplat
 * VM runs against an ivshmem server, spec/17-shmem.md) facing a hostile server. For each input
 * the harness makes a socketpair, writes the input's messages into the server's end (8-byte
 * little-endian values with 0, 1 or 2 descriptors attached from a pool of eventfds and a memfd
 * made once per process, optionally a cut-off last message) and hangs up; the client then joins
 * on the other end (vplat_ivshmem_client_open_fd(), the join vplat_ivshmem_client_connect()
 * runs after its connect()) and reads notices (vplat_ivshmem_client_dispatch()) until the
 * server is gone. No thread and no listening socket: the whole exchange is queued in the
 * socket before the client reads (what a server that writes faster than the client reads
 * does); a message that no longer fits is dropped with everything after it, and the model
 * sees the script as sent.
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
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
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

static int evfd[2], memfd_ = -1, base_fds, base_ours;
static struct msg script[NMSG];
static unsigned nscript;

FZ_HARNESS static void put_le64(uint8_t *b, int64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

/* Play the server: queue the script on @fd (never blocking), then hang up. Returns how many
 * messages went out whole (a cut-off message counts: its 3 bytes went out). Consecutive
 * messages without descriptors go out in one write: on a stream socket the client reads the
 * same bytes as from one write each (a message with descriptors is a write of its own, so
 * they arrive with its 8 bytes). */
FZ_HARNESS static unsigned serve(int fd)
{
	uint8_t buf[NMSG * 8];
	size_t blen = 0;
	unsigned bfirst = 0, i;
	for (i = 0; i <= nscript; i++) {
		bool fds = i < nscript && script[i].nfd;
		if (i < nscript && !fds) {
			if (blen == 0)
				bfirst = i;
			put_le64(buf + blen, script[i].v);
			blen += script[i].cut ? 3 : 8;
			continue;
		}
		if (blen) { /* the batch before this message (or before the end) */
			ssize_t n = send(fd, buf, blen, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n != (ssize_t)blen) { /* the socket is full: the server stops here */
				i = bfirst + (n > 0 ? (unsigned)n / 8 : 0);
				if (n > 0 && n % 8 != 0) {
					script[i].cut = true; /* part of a message went out */
					i++;
				}
				break;
			}
			blen = 0;
		}
		if (i == nscript)
			break;
		uint8_t b[8];
		put_le64(b, script[i].v);
		union {
			char c[CMSG_SPACE(sizeof(int) * 2)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {.iov_base = b, .iov_len = 8};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.c;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)script[i].nfd);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)script[i].nfd);
		int pfd[2] = {script[i].mem ? memfd_ : evfd[0], evfd[1]};
		memcpy(CMSG_DATA(c), pfd, sizeof(int) * (size_t)script[i].nfd);
		if (sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) != 8)
			break;
	}
	close(fd);
	return i;
}

static void setup(void)
{
	evfd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	evfd[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	memfd_ = memfd_create("vplat-fuzz-shm", MFD_CLOEXEC);
	if (evfd[0] < 0 || evfd[1] < 0 || memfd_ < 0 || ftruncate(memfd_, SHM))
		abort();
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

FZ_HARNESS static struct mpeer *mfind(unsigned id, bool create)
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
FZ_HARNESS static int mapply(const struct msg *m, unsigned vectors)
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

/* The input's script (see the top); returns the client's vector count. */
FZ_HARNESS static unsigned parse(const uint8_t *data, size_t size)
{
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
	return vectors;
}

/* The model's join: version, id, shared memory, then notices until self is complete. Returns
 * what the join should return; *next is the first message after the join, *id the ID. */
FZ_HARNESS static int model_join(unsigned vectors, unsigned *next, int64_t *id)
{
	memset(mp, 0, sizeof(mp));
	*next = 0;
	*id = -1;
	if (nscript < 3 || script[0].cut || script[0].v != 0 || script[0].nfd ||
	    script[1].cut || script[1].v < 0 || script[1].v > 0xffff || script[1].nfd ||
	    script[2].cut || script[2].v != -1 || script[2].nfd != 1)
		return VPLAT_EPROTO; /* (or VPLAT_EIO when the server hung up first) */
	*id = script[1].v;
	for (unsigned i = 3;; i++) {
		*next = i;
		struct mpeer *self = mfind((unsigned)*id, false);
		if (self && self->nfd == vectors)
			return 0;
		if (i == nscript)
			return VPLAT_EIO;
		if (mapply(&script[i], vectors))
			return VPLAT_EPROTO;
	}
}

/* Presence agrees with the model for every ID the client could have taken from the script:
 * each value's low 16 bits (an ID, or what a value out of range or -1 would become if cut to
 * 16 bits). Every other ID is absent in the model, and the client learns IDs only from
 * messages; checking these instead of all of 0..255 (256 searches of 64 slots on both sides)
 * halves the cost of an input. Rings vector 0 of every present peer whose first descriptor is
 * an eventfd; returns whether it rang any. */
FZ_HARNESS static bool check_peers(struct vplat_ivshmem_client *c)
{
	static uint8_t seen[0x10000 / 8];
	uint16_t ids[NMSG + 1];
	unsigned nid = 0;
	bool rang = false;
	ids[nid++] = 0xffff;
	seen[0xffff / 8] |= 1u << (0xffff % 8);
	for (unsigned k = 0; k < nscript; k++) {
		uint16_t id16 = (uint16_t)script[k].v;
		if (seen[id16 / 8] & (1u << (id16 % 8)))
			continue;
		seen[id16 / 8] |= (uint8_t)(1u << (id16 % 8));
		ids[nid++] = id16;
	}
	for (unsigned k = 0; k < nid; k++) {
		seen[ids[k] / 8] = 0;
		struct mpeer *p = mfind(ids[k], false);
		if (vplat_ivshmem_client_peer_present(c, ids[k]) != (p != NULL))
			abort();
		if (p && p->nfd && !p->mem0) {
			if (vplat_ivshmem_client_ring(c, ids[k], 0) != 0)
				abort();
			rang = true;
		}
	}
	return rang;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd_ < 0)
		setup();
	if (size < 1)
		return 0;
	unsigned vectors = parse(data, size);
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		abort();
	nscript = serve(sp[0]);
	unsigned i;
	int64_t id;
	int want = model_join(vectors, &i, &id);
	struct vplat_ivshmem_client *c = NULL;
	bool rang = false;
	int rc = vplat_ivshmem_client_open_fd(sp[1], (uint16_t)vectors, &c);
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
		rang = check_peers(c);
		vplat_ivshmem_client_close(c);
	} else if (rc != want && !(want == VPLAT_EPROTO && rc == VPLAT_EIO)) {
		abort();
	}
	uint64_t v;
	while (rang && (read(evfd[0], &v, sizeof(v)) > 0 || read(evfd[1], &v, sizeof(v)) > 0))
		; /* (only the client's rings write to the pool's eventfds) */
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
