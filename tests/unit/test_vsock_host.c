/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsock host end (vplat/host/vsock_host.h): the hybrid UNIX-socket convention both ways
 * (including 1 MiB each way through a 64 KiB credit window) and the VM-to-VM fabric with its
 * allowlist, the guests driven through the loopback backend (_i: transport and ring layout).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "testutil.h"
#include "vsock_guest.h"
#include "vplat/host/vsock_host.h"

#define OP(x) VPLAT_VIRTIO_VSOCK_OP_##x
#define MIB   (1u << 20)

static char dir[64], path[128];

static void mkdirs(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vsock-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.sock", dir);
}

static void rmdirs(void)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A stream socket and the address of @p p in @p a. */
static int unix_socket(const char *p, struct sockaddr_un *a)
{
	*a = (struct sockaddr_un){.sun_family = AF_UNIX};
	ck_assert_uint_lt(strlen(p), sizeof(a->sun_path));
	memcpy(a->sun_path, p, strlen(p) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static int listen_at(const char *p)
{
	struct sockaddr_un a;
	int fd = unix_socket(p, &a);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

static int connect_to(const char *p)
{
	struct sockaddr_un a;
	int fd = unix_socket(p, &a);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* A guest with CID @p cid and credit @p buf_alloc on host end @p h, bound to it, with
 * @p nrx rx buffers posted: the bring-up of every test here. */
static struct vguest *guest_on(struct vplat_vsock_host *h, int variant, uint64_t cid,
			       uint32_t buf_alloc, unsigned nrx)
{
	ck_assert_ptr_nonnull(h);
	struct vguest *g = malloc(sizeof(*g));
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(vg_up(g, variant, cid, buf_alloc, &vplat_vsock_host_ops, h), 0);
	vplat_vsock_host_bind(h, &g->d);
	vg_post_rx(g, nrx);
	return g;
}

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131u + seed) ^ (i >> 9));
}

START_TEST(guest_to_host_socket)
{
	mkdirs();
	int e = 0;
	struct vplat_vsock_host *h = vplat_vsock_host_new(path, &e);
	struct vguest *g = guest_on(h, _i, 3, 65536, 32);
	char p7000[160];
	snprintf(p7000, sizeof(p7000), "%s_7000", path);
	int lfd = listen_at(p7000);
	struct vplat_vsock_hdr o, q = vg_hdr(g, OP(REQUEST), 40000, 2, 7000);
	ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
	ck_assert(vg_rx(g, &o, NULL));
	ck_assert_uint_eq(o.op, OP(RESPONSE));
	int afd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(afd, 0);
	/* Nothing listens at PATH_7001: RST. */
	q = vg_hdr(g, OP(REQUEST), 40001, 2, 7001);
	ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
	ck_assert(vg_rx(g, &o, NULL));
	ck_assert_uint_eq(o.op, OP(RST));
	ck_assert_uint_eq(o.dst_port, 40001);
	/* Data both ways. */
	q = vg_hdr(g, OP(RW), 40000, 2, 7000);
	q.len = 5;
	ck_assert_int_eq(vg_tx(g, &q, "hello"), 0);
	char buf[16] = {0};
	ck_assert_int_eq(read(afd, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(write(afd, "world!", 6), 6);
	int fds[8];
	ck_assert_uint_ge(vplat_vsock_host_fds(h, fds, 8), 2);
	vplat_vsock_host_dispatch(h);
	uint8_t data[VG_PAY];
	ck_assert(vg_rx(g, &o, data));
	ck_assert_uint_eq(o.op, OP(RW));
	ck_assert_uint_eq(o.len, 6);
	ck_assert_mem_eq(data, "world!", 6);
	/* The guest closes (SHUTDOWN both): the socket sees EOF, the guest gets RST. */
	q = vg_hdr(g, OP(SHUTDOWN), 40000, 2, 7000);
	q.flags = 3;
	ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
	ck_assert_int_eq(read(afd, buf, sizeof(buf)), 0);
	ck_assert(vg_rx(g, &o, NULL));
	ck_assert_uint_eq(o.op, OP(RST));
	ck_assert_uint_eq(vplat_vsock_host_nconns(h), 0);
	ck_assert_int_eq(g->err, 0);
	close(afd);
	close(lfd);
	vplat_device_reset(vplat_vsock_device(&g->d));
	vg_down(g);
	free(g);
	vplat_vsock_host_free(h);
	ck_assert_int_ne(access(path, F_OK), 0); /* PATH removed */
	rmdirs();
}
END_TEST

/* Host client -> guest listener over PATH + CONNECT, 1 MiB each way. The guest gives 64 KiB of
 * credit and the device 64 KiB: neither side may ever have more than that in flight. */
START_TEST(host_to_guest_1mib)
{
	/* covers: VPLAT-VSK-009 VPLAT-VSK-011 */
	mkdirs();
	struct vplat_vsock_host *h = vplat_vsock_host_new(path, NULL);
	struct vguest *g = guest_on(h, _i, 3, 65536, 64);
	int cfd = connect_to(path);
	ck_assert_int_eq(write(cfd, "CONNECT 80\n", 11), 11);
	vplat_vsock_host_dispatch(h);
	struct vplat_vsock_hdr o, q;
	ck_assert(vg_rx(g, &o, NULL));
	ck_assert_uint_eq(o.op, OP(REQUEST));
	ck_assert_uint_eq(o.dst_port, 80);
	ck_assert_uint_eq(o.src_cid, 2);
	uint32_t hport = o.src_port;
	vg_post_rx(g, 1);
	q = vg_hdr(g, OP(RESPONSE), 80, 2, hport);
	q.buf_alloc = 65536;
	ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
	char line[32] = {0}, want[32];
	snprintf(want, sizeof(want), "OK %u\n", hport);
	ck_assert_int_eq(read(cfd, line, strlen(want)), (ssize_t)strlen(want));
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(fcntl(cfd, F_SETFL, O_NONBLOCK), 0);

	uint8_t *src = malloc(MIB), *got = malloc(MIB), *back = malloc(MIB);
	pattern(src, MIB, 7);
	/* Host -> guest. */
	size_t wr = 0, rd = 0;
	uint32_t fwd = 0, fwd_sent = 0;
	for (unsigned spin = 0; rd < MIB && spin < 100000; spin++) {
		if (wr < MIB) {
			ssize_t w = write(cfd, src + wr, MIB - wr);
			if (w > 0)
				wr += (size_t)w;
		}
		vplat_vsock_host_dispatch(h);
		unsigned n = 0;
		while (vg_rx(g, &o, got + rd)) {
			ck_assert_uint_eq(o.op, OP(RW));
			rd += o.len;
			n++;
			/* The device never sends beyond the credit the guest gave. */
			ck_assert_uint_le(rd - fwd_sent, 65536);
		}
		fwd = (uint32_t)rd;
		if (n)
			vg_post_rx(g, n);
		if (fwd - fwd_sent >= 16384 || (n && rd == wr)) {
			q = vg_hdr(g, OP(CREDIT_UPDATE), 80, 2, hport);
			q.buf_alloc = 65536;
			q.fwd_cnt = fwd;
			ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
			fwd_sent = fwd;
		}
	}
	ck_assert_uint_eq(rd, MIB);
	ck_assert_mem_eq(got, src, MIB);
	/* Guest -> host: the guest respects the device's credit (64 KiB) from its updates. */
	size_t sent = 0, recvd = 0;
	uint32_t peer_fwd = 0;
	for (unsigned spin = 0; recvd < MIB && spin < 100000; spin++) {
		uint32_t credit = 65536u - (uint32_t)(sent - peer_fwd);
		uint32_t n = (uint32_t)(MIB - sent) < credit ? (uint32_t)(MIB - sent) : credit;
		if (n > 16384)
			n = 16384;
		if (n) {
			q = vg_hdr(g, OP(RW), 80, 2, hport);
			q.len = n;
			q.fwd_cnt = fwd;
			ck_assert_int_eq(vg_tx(g, &q, src + sent), 0);
			sent += n;
		}
		ssize_t r = read(cfd, back + recvd, MIB - recvd);
		if (r > 0)
			recvd += (size_t)r;
		vplat_vsock_host_dispatch(h);
		unsigned k = 0;
		while (vg_rx(g, &o, NULL)) {
			ck_assert_uint_eq(o.op, OP(CREDIT_UPDATE));
			peer_fwd = o.fwd_cnt;
			k++;
		}
		if (k)
			vg_post_rx(g, k);
	}
	ck_assert_uint_eq(recvd, MIB);
	ck_assert_mem_eq(back, src, MIB);
	ck_assert_uint_eq(g->d.stats.credit_violations, 0);
	/* The host client half-closes: the guest gets SHUTDOWN(SEND) and can still send. */
	ck_assert_int_eq(shutdown(cfd, SHUT_WR), 0);
	vplat_vsock_host_dispatch(h);
	ck_assert(vg_rx(g, &o, NULL));
	ck_assert_uint_eq(o.op, OP(SHUTDOWN));
	ck_assert_uint_eq(o.flags, VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND);
	vg_post_rx(g, 1);
	q = vg_hdr(g, OP(RW), 80, 2, hport);
	q.len = 4;
	ck_assert_int_eq(vg_tx(g, &q, "tail"), 0);
	ck_assert_int_eq(fcntl(cfd, F_SETFL, 0), 0);
	ck_assert_int_eq(read(cfd, line, 4), 4);
	ck_assert_mem_eq(line, "tail", 4);
	/* The guest shuts down sending: EOF at the client; the guest closes: RST. */
	q = vg_hdr(g, OP(SHUTDOWN), 80, 2, hport);
	q.flags = VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND;
	ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
	ck_assert_int_eq(read(cfd, line, 4), 0);
	q.flags = 3;
	ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
	ck_assert(vg_rx(g, &o, NULL));
	ck_assert_uint_eq(o.op, OP(RST));
	close(cfd);
	ck_assert_uint_eq(vplat_vsock_host_nconns(h), 0);
	/* CONNECT to a port nobody listens on: the guest refuses, the client sees EOF. */
	cfd = connect_to(path);
	ck_assert_int_eq(write(cfd, "CONNECT 81\n", 11), 11);
	vplat_vsock_host_dispatch(h);
	vg_post_rx(g, 1);
	ck_assert(vg_rx(g, &o, NULL));
	ck_assert_uint_eq(o.op, OP(REQUEST));
	q = vg_hdr(g, OP(RST), 81, 2, o.src_port);
	ck_assert_int_eq(vg_tx(g, &q, NULL), 0);
	ck_assert_int_eq(read(cfd, line, sizeof(line)), 0);
	close(cfd);
	/* Not the protocol: closed at once. */
	cfd = connect_to(path);
	ck_assert_int_eq(write(cfd, "HELLO\n", 6), 6);
	vplat_vsock_host_dispatch(h);
	ck_assert_int_eq(read(cfd, line, sizeof(line)), 0);
	close(cfd);
	ck_assert_uint_eq(vplat_vsock_host_nconns(h), 0);
	ck_assert_int_eq(g->err, 0);
	free(src);
	free(got);
	free(back);
	vplat_device_reset(vplat_vsock_device(&g->d));
	vg_down(g);
	free(g);
	vplat_vsock_host_free(h);
	rmdirs();
}
END_TEST

/* @p from sends a packet without payload (@p op from its port @p sport to @p dcid:@p dport);
 * the op of the packet @p to receives next, into @p o (0: none). */
static uint16_t relay(struct vguest *from, uint16_t op, uint32_t sport, uint64_t dcid,
		      uint32_t dport, struct vguest *to, struct vplat_vsock_hdr *o)
{
	struct vplat_vsock_hdr q = vg_hdr(from, op, sport, dcid, dport);
	ck_assert_int_eq(vg_tx(from, &q, NULL), 0);
	return vg_rx(to, o, NULL) ? o->op : 0;
}

/* Three VMs on one fabric; only 3 <-> 4 is allowed. */
START_TEST(fabric_isolation)
{
	/* covers: VPLAT-VSK-018 */
	struct vplat_vsock_fabric *f = vplat_vsock_fabric_new();
	struct vplat_vsock_host *h[3];
	struct vguest *g[3];
	for (unsigned i = 0; i < 3; i++) {
		h[i] = vplat_vsock_host_new(NULL, NULL);
		g[i] = guest_on(h[i], _i, 3 + i, 8192, 32);
		ck_assert_int_eq(vplat_vsock_fabric_join(f, h[i]), 0);
	}
	ck_assert_int_eq(vplat_vsock_fabric_join(f, h[0]), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_vsock_fabric_allow(f, 3, 4), 0);
	ck_assert_int_eq(vplat_vsock_fabric_allow(f, 3, 2), VPLAT_EINVAL);
	struct vplat_vsock_hdr o, q;
	/* 3 -> 4:5000: 4 sees a REQUEST from 3, accepts, 3 gets RESPONSE. */
	q = vg_hdr(g[0], OP(REQUEST), 1111, 4, 5000);
	ck_assert_int_eq(vg_tx(g[0], &q, NULL), 0);
	ck_assert(!vg_rx(g[0], &o, NULL));
	ck_assert(vg_rx(g[1], &o, NULL));
	ck_assert_uint_eq(o.op, OP(REQUEST));
	ck_assert_uint_eq(o.src_cid, 3);
	ck_assert_uint_eq(o.src_port, 1111);
	ck_assert_uint_eq(o.dst_cid, 4);
	ck_assert_uint_eq(o.dst_port, 5000);
	ck_assert_uint_eq(relay(g[1], OP(RESPONSE), 5000, 3, 1111, g[0], &o), OP(RESPONSE));
	ck_assert_uint_eq(o.src_cid, 4);
	/* Data both ways, more than the 8 KiB credit: the fabric holds it until credit. */
	uint8_t big[20000], got[20000];
	pattern(big, sizeof(big), 3);
	q = vg_hdr(g[0], OP(RW), 1111, 4, 5000);
	q.len = 8192;
	ck_assert_int_eq(vg_tx(g[0], &q, big), 0);
	size_t n = 0;
	while (vg_rx(g[1], &o, got + n)) {
		ck_assert_uint_eq(o.op, OP(RW));
		n += o.len;
	}
	ck_assert_uint_eq(n, 8192);
	ck_assert_mem_eq(got, big, 8192);
	/* 3 got a CREDIT_UPDATE as 4 took the data. */
	ck_assert(vg_rx(g[0], &o, NULL));
	ck_assert_uint_eq(o.op, OP(CREDIT_UPDATE));
	ck_assert_uint_eq(o.fwd_cnt, 8192);
	q = vg_hdr(g[1], OP(RW), 5000, 3, 1111);
	q.len = 4;
	ck_assert_int_eq(vg_tx(g[1], &q, "pong"), 0);
	uint8_t d4[VG_PAY];
	ck_assert(vg_rx(g[0], &o, d4));
	ck_assert_uint_eq(o.op, OP(RW));
	ck_assert_mem_eq(d4, "pong", 4);
	/* Isolation: 3 -> 5 and 5 -> 3 and 5 -> 4 get RST; nobody else sees anything. */
	ck_assert_uint_eq(relay(g[0], OP(REQUEST), 1112, 5, 5000, g[0], &o), OP(RST));
	ck_assert_uint_eq(relay(g[2], OP(REQUEST), 1113, 3, 1111, g[2], &o), OP(RST));
	ck_assert_uint_eq(relay(g[2], OP(REQUEST), 1114, 4, 5000, g[2], &o), OP(RST));
	ck_assert(!vg_rx(g[1], &o, NULL));
	ck_assert(!vg_rx(g[0], &o, NULL));
	/* 3 resets the connection: 4 gets RST. */
	ck_assert_uint_eq(relay(g[0], OP(RST), 1111, 4, 5000, g[1], &o), OP(RST));
	ck_assert_uint_eq(o.dst_port, 5000);
	ck_assert_uint_eq(vplat_vsock_nconns(&g[1]->d), 0);
	/* A guest that refuses: RST reaches the initiator. */
	ck_assert_uint_eq(relay(g[1], OP(REQUEST), 2222, 3, 6000, g[0], &o), OP(REQUEST));
	ck_assert_uint_eq(relay(g[0], OP(RST), 6000, 4, 2222, g[1], &o), OP(RST));
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(vplat_vsock_host_nconns(h[i]), 0);
		ck_assert_int_eq(g[i]->err, 0);
	}
	for (unsigned i = 0; i < 3; i++) {
		vplat_device_reset(vplat_vsock_device(&g[i]->d));
		vg_down(g[i]);
		free(g[i]);
		vplat_vsock_host_free(h[i]);
	}
	vplat_vsock_fabric_free(f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vsock_host");
	TCase *tc = tcase_create("vsock_host");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, guest_to_host_socket, 0, 4);
	tcase_add_loop_test(tc, host_to_guest_1mib, 0, 4);
	tcase_add_loop_test(tc, fabric_isolation, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
