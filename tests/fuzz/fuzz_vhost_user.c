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
 *                 (sparse), 0 bytes and 8 KiB, an eventfd, and the read end of a pipe;
 *   ctl bit 6     then serve every started ring as if kicked (vplat_vhu_backend_service());
 *   ctl bit 7     then kick through the kick eventfds the back end polls (vplat_vhu_backend_poll);
 *   header        request, flags and payload size as the front end sends them; the payload
 *                 is the next min(size, what is left) bytes (the size field is rewritten to
 *                 that when it is within VPLAT_VHU_MAX_PAYLOAD, so the back end never waits
 *                 for bytes that do not come; larger sizes are sent as is and must be refused).
 * A message with no descriptor is handed to vplat_vhu_backend_process() (the same handler,
 * without the socket round trip, which costs more than the handling on this machine); one with
 * descriptors is sent on the socket and read by vplat_vhu_backend_handle() (framing, SCM_RIGHTS).
 * So SET_MEM_TABLE, ADD/REM_MEM_REG, GET/SET_INFLIGHT_FD, SET_VRING_KICK/CALL/ERR and
 * SET_VRING_ADDR followed by kicks all run with mappable descriptors, and rings are walked in
 * the memfd's pages.
 *
 * Checked (abort() when false): every reply the back end writes is a whole message with the
 * REPLY flag, a payload of at most VPLAT_VHU_MAX_PAYLOAD bytes and at most one descriptor;
 * after the disconnect at the end of each input the process has exactly the descriptors it had
 * before the input (nothing received is leaked, nothing of the pool is closed), and the back end
 * maps nothing.
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
static int close_fds(struct msghdr *m)
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

/* Read every reply pending on the front end's socket; close the descriptors that came with it. */
static void drain(int fd)
{
	for (;;) {
		uint8_t buf[VPLAT_VHU_HDR_SIZE + VPLAT_VHU_MAX_PAYLOAD + 1];
		union {
			char b[CMSG_SPACE(sizeof(int) * 8)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {.iov_base = buf, .iov_len = VPLAT_VHU_HDR_SIZE};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
				   .msg_controllen = sizeof(ctl.b)};
		ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n <= 0)
			return;
		int fds = close_fds(&m);
		uint32_t flags, len;
		memcpy(&flags, buf + 4, 4);
		memcpy(&len, buf + 8, 4);
		if (n != VPLAT_VHU_HDR_SIZE || fds > 1 || !(flags & VPLAT_VHU_FLAG_REPLY) ||
		    len > VPLAT_VHU_MAX_PAYLOAD)
			abort();
		if (len && recv(fd, buf, len, MSG_DONTWAIT) != (ssize_t)len)
			abort(); /* the back end writes whole messages */
	}
}

/* Discard what the back end left unread on its end of the socket (a message refused before
 * its payload was read), closing the descriptors that came with it. */
static void flush_back(void)
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
static void connect_front(void)
{
	int fd = fcntl(sv[0], F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || vplat_vhu_backend_set_conn(&b, fd))
		abort();
}

static void send_msg(int fd, const uint8_t *msg, size_t len, uint8_t ctl)
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

	uint64_t v;
	if (read(pool[5], &v, sizeof(v)) < 0) /* the eventfd starts each input at 0 */
		v = 0;
	const int front = sv[1];
	unsigned nmsg = 0;
	while (size >= 1 + VPLAT_VHU_HDR_SIZE) {
		uint8_t ctl = data[0];
		memcpy(msg, data + 1, VPLAT_VHU_HDR_SIZE);
		data += 1 + VPLAT_VHU_HDR_SIZE;
		size -= 1 + VPLAT_VHU_HDR_SIZE;
		uint32_t psize;
		memcpy(&psize, msg + 8, 4);
		size_t take = 0;
		if (psize <= VPLAT_VHU_MAX_PAYLOAD) {
			take = psize < size ? psize : size;
			psize = (uint32_t)take;
			memcpy(msg + 8, &psize, 4);
			memcpy(msg + VPLAT_VHU_HDR_SIZE, data, take);
			data += take;
			size -= take;
		}
		if (!vplat_vhu_backend_connected(&b))
			connect_front(); /* lazily: the first message, or the first after a drop */
		int rc;
		if ((ctl & 7u) == 0 && psize <= VPLAT_VHU_MAX_PAYLOAD) {
			/* No descriptors: straight into the message handler (same parser, no
			 * socket round trip; replies still go out on the socket). */
			rc = vplat_vhu_backend_process(&b, msg, VPLAT_VHU_HDR_SIZE + take);
		} else {
			send_msg(front, msg, VPLAT_VHU_HDR_SIZE + take, ctl);
			struct vplat_vhu_pollfd pf = {.fd = b.conn, .queue = -1};
			rc = vplat_vhu_backend_handle(&b, &pf);
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
		 * connection. A message refused by vplat_vhu_backend_process() (a whole frame
		 * here, so refused by the handler) has already reset the back end as a
		 * disconnect does, keeping only the connection, which is then the same as a new
		 * one (nothing is left unread on the socket: that message never went through
		 * it). Every other refusal closed the back end's descriptor: what it left
		 * unread is discarded and the next message connects anew. */
		if (rc != 0 && !vplat_vhu_backend_connected(&b)) {
			drain(front);
			flush_back();
		} else if (++nmsg % 8 == 0) {
			drain(front); /* (the socket holds far more than 8 replies) */
		}
	}
	vplat_vhu_backend_disconnect(&b);
	drain(front);
	flush_back();
	if (b.nregions != 0 || b.inflight.map)
		abort();
	if (fz_count_fds() != base_fds) {
		if (fz_count_ours(false, pool_pipe) != base_ours) {
			fz_count_ours(true, pool_pipe);
			abort();
		}
		base_fds = fz_count_fds(); /* not ours: the runtime's, from now on */
	}
	return 0;
}
