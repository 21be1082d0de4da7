/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the vhost-user back end (backends/vhost-user) as a hostile front end sees
 * it, over a real socket with real descriptors. A back end with an entropy device is set up
 * once per process; each input talks to it as a new front end and ends with a disconnect (what
 * resets a back end between front ends). The socketpair is made once per process too: each
 * connection hands the back end a dup() of its end (which the back end closes at the
 * disconnect), and a dropped connection's unread bytes and descriptors are discarded from both
 * ends before the next one, so every connection starts on an empty socket as a new socketpair
 * would (a socketpair and its two closes cost more than the handling of a message here).
 *
 * Input: u16 length L, then L bytes written to the start of the "guest RAM" memfd (ring
 * contents for the rings the script sets up), then records {ctl, header[12], payload...}:
 *   ctl bits 0-2  how many descriptors to attach (SCM_RIGHTS), bits 3-5 the first one in the
 *                 pool (consecutive, wrapping): memfds of 64 KiB (the guest RAM), 4 KiB, 1 MiB
 *                 (sparse), 0 bytes and 8 KiB, an eventfd, and the read end of a pipe; the
 *                 pool has 7 entries, so "first 7" is "first 0", and "first 7" with 0 or 1
 *                 descriptors sends the message over the real socket (below);
 *   ctl bit 6     then serve every started ring as if kicked (vplat_vhu_backend_service());
 *   ctl bit 7     then kick through the kick eventfds the back end polls (vplat_vhu_backend_poll);
 *   header        request, flags and payload size as the front end sends them; the payload
 *                 is the next min(size, what is left) bytes (the size field is rewritten to
 *                 that when it is within VPLAT_VHU_MAX_PAYLOAD, so the back end never waits
 *                 for bytes that do not come; larger sizes are sent as is and must be refused).
 * A message is handed to vplat_vhu_backend_process_fds() with the pool's descriptors (the same
 * handler, without the socket round trip, which costs more than the handling on this machine:
 * a sendmsg() and two recvmsg() with SCM_RIGHTS, and a close() of every descriptor the back
 * end does not keep; in process the back end dup()s only what it keeps). A message whose ctl
 * says "first 7" with 0 or 1 descriptors (1 in 32 of random control bytes) is sent on the
 * socket instead and read by vplat_vhu_backend_handle() (framing, SCM_RIGHTS, closing what is
 * not kept, a refusal closing the connection), so the socket path stays fuzzed, with and
 * without a descriptor.
 * So SET_MEM_TABLE, ADD/REM_MEM_REG, GET/SET_INFLIGHT_FD, SET_VRING_KICK/CALL/ERR and
 * SET_VRING_ADDR followed by kicks all run with mappable descriptors, and rings are walked in
 * the memfd's pages.
 *
 * Checked (abort() when false): every reply the back end writes is a whole message with the
 * REPLY flag, a payload of at most VPLAT_VHU_MAX_PAYLOAD bytes and at most one descriptor;
 * after the disconnect at the end of each input the process has exactly the descriptors it had
 * before the input (nothing received is leaked, nothing of the pool is closed), and the back end
 * maps nothing.
 *
 * Per input the harness makes only the system calls the input needs: the eventfd is read back
 * to 0 only after an input that passed it, the front end's socket is drained only when the back
 * end wrote a reply (b.reply_len after a message; 8 at most between drains), the back end's end
 * is flushed only after a message went through the socket, and the connection outlives the
 * input: at the end the back end is reset by vplat_vhu_backend_disconnect() with its connection
 * held aside (as vplat_vhu_backend_process_fds() does when it refuses a message), which leaves
 * it as a new connection finds it; the descriptor count allows for that one connection.
 */
#define _GNU_SOURCE
#include <fcntl.h>
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
#include "vplat/rng.h"
#include "vplat/backend/vhost_user.h"
#include "vplat/val/mock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE 0x10000u
#define NPOOL	 7

static struct vplat_vhu_backend b;
static struct vplat_rng rng;
static struct vplat_rng_mock mock;
static int pool[NPOOL];
static int sv[2];     /* [0] the back end's end (dup()ed per connection), [1] the front end */
static uint8_t *ram;  /* our mapping of pool[0] */
static size_t dirty;  /* bytes of ram the previous input may have changed */
static int base_fds, base_ours;

/* The /proc name of the pool's pipe, counted as ours by fz_count_ours(). */
static char pool_pipe[64];
static int memfd(size_t len)
{
	int fd = memfd_create("vplat-fuzz", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)len))
		abort();
	return fd;
}

static void setup(void)
{
	static const size_t sizes[5] = {RAM_SIZE, 4096, 1u << 20, 0, 8192};
	for (int i = 0; i < 5; i++)
		pool[i] = memfd(sizes[i]);
	pool[5] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int p[2];
	if (pool[5] < 0 || pipe2(p, O_CLOEXEC))
		abort();
	pool[6] = p[0];
	close(p[1]);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, pool[0], 0);
	if (ram == MAP_FAILED)
		abort();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	if (vplat_vhu_backend_init(&b, NULL) ||
	    vplat_rng_init(&rng, vplat_vhu_backend_mem(&b), &vplat_rng_host_mock, &mock) ||
	    vplat_vhu_backend_attach(&b, vplat_rng_device(&rng)))
		abort();
	char l[40];
	snprintf(l, sizeof(l), "/proc/self/fd/%d", pool[6]);
	if (readlink(l, pool_pipe, sizeof(pool_pipe) - 1) <= 0)
		abort();
	base_fds = fz_count_fds();
	base_ours = fz_count_ours(false, pool_pipe);
}

/* Close the descriptors a received message carried; returns how many. */
FZ_HARNESS static int close_fds(struct msghdr *m)
{
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t k = 0; k < cnt; k++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
			close(f);
			n++;
		}
	}
	return n;
}

/* Read every reply pending on the front end's socket; close the descriptors that came with it.
 * One recvmsg() takes as many replies as are queued, up to the first one with descriptors (a
 * Unix stream read ends after the data that carried them), so more than one descriptor in one
 * read is more than one on one reply. A read that got no descriptor and did not fill the buffer
 * emptied the socket: no further read (and no EAGAIN) is needed. */
FZ_HARNESS static void drain(int fd)
{
	static uint8_t buf[16 * (VPLAT_VHU_HDR_SIZE + VPLAT_VHU_MAX_PAYLOAD)];
	size_t have = 0;
	for (;;) {
		union {
			char b[CMSG_SPACE(sizeof(int) * 8)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {.iov_base = buf + have, .iov_len = sizeof(buf) - have};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
				   .msg_controllen = sizeof(ctl.b)};
		ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n <= 0)
			break;
		int fds = close_fds(&m);
		if (fds > 1)
			abort();
		have += (size_t)n;
		size_t off = 0;
		while (have - off >= VPLAT_VHU_HDR_SIZE) {
			uint32_t flags, len;
			memcpy(&flags, buf + off + 4, 4);
			memcpy(&len, buf + off + 8, 4);
			if (!(flags & VPLAT_VHU_FLAG_REPLY) || len > VPLAT_VHU_MAX_PAYLOAD)
				abort();
			if (have - off < VPLAT_VHU_HDR_SIZE + len)
				break;
			off += VPLAT_VHU_HDR_SIZE + len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (fds == 0 && (size_t)n < iov.iov_len)
			break; /* the socket is empty */
	}
	if (have != 0)
		abort(); /* the back end writes whole messages */
}

/* Discard what the back end left unread on its end of the socket (a message refused before
 * its payload was read), closing the descriptors that came with it. */
FZ_HARNESS static void flush_back(void)
{
	for (;;) {
		uint8_t buf[4096];
		union {
			char b[CMSG_SPACE(sizeof(int) * 8)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
				   .msg_controllen = sizeof(ctl.b)};
		if (recvmsg(sv[0], &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		close_fds(&m);
	}
}

/* A new front end: the back end gets its own descriptor of the socket's back-end end. */
FZ_HARNESS static void connect_front(void)
{
	int fd = fcntl(sv[0], F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || vplat_vhu_backend_set_conn(&b, fd))
		abort();
}

FZ_HARNESS static void send_msg(int fd, const uint8_t *msg, size_t len, uint8_t ctl)
{
	unsigned nfds = ctl & 7u, first = (ctl >> 3) & 7u;
	union {
		char b[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds) {
		memset(&cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf.b;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		for (unsigned k = 0; k < nfds; k++)
			memcpy(CMSG_DATA(c) + k * sizeof(int), &pool[(first + k) % NPOOL], sizeof(int));
	}
	if (sendmsg(fd, &m, MSG_NOSIGNAL) != (ssize_t)len)
		abort();
}

/* The next record of the script into @msg (header and payload, the size field rewritten as
 * the top says); returns the payload length taken, *ctl the control byte, *psize the size as
 * sent. */
FZ_HARNESS static size_t next_msg(const uint8_t **data, size_t *size, uint8_t *msg, uint8_t *ctl,
				  uint32_t *psize)
{
	*ctl = (*data)[0];
	memcpy(msg, *data + 1, VPLAT_VHU_HDR_SIZE);
	*data += 1 + VPLAT_VHU_HDR_SIZE;
	*size -= 1 + VPLAT_VHU_HDR_SIZE;
	memcpy(psize, msg + 8, 4);
	size_t take = 0;
	if (*psize <= VPLAT_VHU_MAX_PAYLOAD) {
		take = *psize < *size ? *psize : *size;
		*psize = (uint32_t)take;
		memcpy(msg + 8, psize, 4);
		memcpy(msg + VPLAT_VHU_HDR_SIZE, *data, take);
		*data += take;
		*size -= take;
	}
	return take;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[VPLAT_VHU_HDR_SIZE + VPLAT_VHU_MAX_PAYLOAD];
	if (!ram)
		setup();
	if (size < 2)
		return 0;
	size_t rl = (size_t)data[0] | (size_t)data[1] << 8;
	data += 2;
	size -= 2;
	if (rl > size)
		rl = size;
	if (rl > RAM_SIZE)
		rl = RAM_SIZE;
	memcpy(ram, data, rl);
	if (dirty > rl)
		memset(ram + rl, 0, dirty - rl);
	dirty = RAM_SIZE; /* the device writes wherever the rings point */
	data += rl;
	size -= rl;

	/* The pool's eventfd starts each input at 0: only an input that passed it can have
	 * changed it (a kick written into it, a call signalled through it). */
	static bool ev_passed = true;
	uint64_t v;
	if (ev_passed && read(pool[5], &v, sizeof(v)) < 0)
		v = 0;
	ev_passed = false;
	const int front = sv[1];
	unsigned replies = 0; /* replies on the front end's socket since the last drain */
	bool via_socket = false; /* a message went through the socket since the last flush */
	while (size >= 1 + VPLAT_VHU_HDR_SIZE) {
		uint8_t ctl;
		uint32_t psize;
		size_t take = next_msg(&data, &size, msg, &ctl, &psize);
		if (!vplat_vhu_backend_connected(&b))
			connect_front(); /* lazily: the first message, or the first after a drop */
		int rc;
		unsigned nfds = ctl & 7u, first = (ctl >> 3) & 7u;
		for (unsigned k = 0; k < nfds; k++)
			ev_passed |= (first + k) % NPOOL == 5;
		if (first != 7u || nfds > 1) {
			/* Straight into the message handler with the pool's descriptors (same
			 * parser, no socket round trip; replies still go out on the socket). A
			 * size field above VPLAT_VHU_MAX_PAYLOAD comes with no payload and is
			 * refused by the handler's framing check. */
			int fds[8];
			for (unsigned k = 0; k < nfds; k++)
				fds[k] = pool[(first + k) % NPOOL];
			rc = vplat_vhu_backend_process_fds(&b, msg, VPLAT_VHU_HDR_SIZE + take, fds,
							   nfds);
			replies += b.reply_len != 0;
		} else {
			send_msg(front, msg, VPLAT_VHU_HDR_SIZE + take, ctl);
			struct vplat_vhu_pollfd pf = {.fd = b.conn, .queue = -1};
			rc = vplat_vhu_backend_handle(&b, &pf);
			replies++;
			via_socket = true;
		}
		if (rc == 0 && (ctl & 0x40))
			vplat_vhu_backend_service(&b);
		if (rc == 0 && (ctl & 0x80)) {
			uint64_t one = 1;
			for (unsigned i = 0; i < VPLAT_VHU_MAX_QUEUES; i++)
				if (b.vrings[i].kick_fd >= 0 &&
				    write(b.vrings[i].kick_fd, &one, sizeof(one)) < 0)
					break;
			rc = vplat_vhu_backend_poll(&b, 0);
		}
		/* A refused message drops the front end: the next messages go to a new
		 * connection. A message refused by vplat_vhu_backend_process_fds() (a whole frame
		 * here, so refused by the handler) has already reset the back end as a
		 * disconnect does, keeping only the connection, which is then the same as a new
		 * one (nothing is left unread on the socket: that message never went through
		 * it). Every other refusal closed the back end's descriptor: what it left
		 * unread is discarded and the next message connects anew. */
		if (rc != 0 && !vplat_vhu_backend_connected(&b)) {
			drain(front);
			flush_back();
			replies = 0;
			via_socket = false;
		} else if (replies >= 8) {
			drain(front); /* (the socket holds far more than 8 replies) */
			replies = 0;
		}
	}
	/* The front end goes away. Its connection is kept for the next input, as a refusal
	 * in the handler keeps it: the back end is reset exactly as by a disconnect, and the
	 * next input finds it as a new connection would (a refusal on the socket path still
	 * closes the back end's descriptor, and the next message connects anew). */
	int conn = b.conn;
	b.conn = -1;
	vplat_vhu_backend_disconnect(&b);
	b.conn = conn;
	if (replies)
		drain(front);
	if (via_socket)
		flush_back();
	if (b.nregions != 0 || b.inflight.map)
		abort();
	int kept = conn >= 0; /* the connection kept for the next input */
	if (fz_count_fds() != base_fds + kept) {
		if (fz_count_ours(false, pool_pipe) != base_ours + kept) {
			fz_count_ours(true, pool_pipe);
			abort();
		}
		base_fds = fz_count_fds() - kept; /* not ours: the runtime's, from now on */
	}
	return 0;
}
