/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network host ends: QEMU-compatible stream and datagram sockets (framing checked byte for
 * byte against the format of QEMU 7.2 net/stream.c and net/dgram.c), the socket switch port,
 * and Linux tap with IFF_VNET_HDR inside a private network namespace (skipped, with the
 * reason printed, where /dev/net/tun or CAP_NET_ADMIN is missing).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testutil.h"
#include "netdrv.h"
#include "vplat/host/net_host.h"
#include "vplat/fabric/switch.h"

static void fill(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 3u);
	f[0] = 0x02; /* unicast destination */
	f[6] = 0x02;
}

START_TEST(stream_framing)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct vplat_net_sock *s = calloc(1, sizeof(*s));
	ck_assert_int_eq(vplat_net_sock_adopt(s, VPLAT_NET_SOCK_STREAM, sv[0]), 0);
	static uint8_t f[1514], raw[1600], got[2048];
	fill(f, 1514, 1);
	/* vplat -> peer: 4-byte big-endian length, then the frame. */
	ck_assert_int_eq(vplat_net_sock_send(s, f, 1514), 0);
	ck_assert_int_eq(read(sv[1], raw, sizeof(raw)), 1518);
	ck_assert_uint_eq(raw[0], 0);
	ck_assert_uint_eq(raw[1], 0);
	ck_assert_uint_eq(raw[2], 0x05);
	ck_assert_uint_eq(raw[3], 0xea);
	ck_assert_mem_eq(raw + 4, f, 1514);
	/* peer -> vplat, one byte at a time: reassembled across the prefix and the frame. */
	raw[0] = 0, raw[1] = 0, raw[2] = 0, raw[3] = 60;
	fill(raw + 4, 60, 9);
	for (int i = 0; i < 64; i++) {
		ck_assert_int_eq(vplat_net_sock_recv(s, got, sizeof(got)), VPLAT_EAGAIN);
		ck_assert_int_eq(write(sv[1], raw + i, 1), 1);
	}
	ck_assert_int_eq(vplat_net_sock_recv(s, got, sizeof(got)), 60);
	ck_assert_mem_eq(got, raw + 4, 60);
	/* Two frames in one write. */
	memcpy(raw + 64, raw, 64);
	ck_assert_int_eq(write(sv[1], raw, 128), 128);
	ck_assert_int_eq(vplat_net_sock_recv(s, got, sizeof(got)), 60);
	ck_assert_int_eq(vplat_net_sock_recv(s, got, sizeof(got)), 60);
	ck_assert_int_eq(vplat_net_sock_recv(s, got, sizeof(got)), VPLAT_EAGAIN);
	/* A hostile length (above the maximum) is a protocol error; so is 0. */
	raw[0] = 0x7f;
	ck_assert_int_eq(write(sv[1], raw, 4), 4);
	ck_assert_int_eq(vplat_net_sock_recv(s, got, sizeof(got)), VPLAT_EPROTO);
	ck_assert_uint_eq(s->stats.rx_errors, 1);
	ck_assert_int_eq(vplat_net_sock_send(s, f, 0), VPLAT_ENOTSUP);
	vplat_net_sock_close(s);
	close(sv[1]);
	/* A zero length is refused as well. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(vplat_net_sock_adopt(s, VPLAT_NET_SOCK_STREAM, sv[0]), 0);
	memset(raw, 0, 8);
	ck_assert_int_eq(write(sv[1], raw, 8), 8);
	ck_assert_int_eq(vplat_net_sock_recv(s, got, sizeof(got)), VPLAT_EPROTO);
	vplat_net_sock_close(s);
	close(sv[1]);
	free(s);
}
END_TEST

START_TEST(stream_backpressure_keeps_frames_whole)
{
	/* Fill the socket until the kernel takes a frame only in part; the rest goes out
	 * later and the peer sees only whole frames. */
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	struct vplat_net_sock *s = calloc(1, sizeof(*s));
	struct vplat_net_sock *peer = calloc(1, sizeof(*peer));
	ck_assert_int_eq(vplat_net_sock_adopt(s, VPLAT_NET_SOCK_STREAM, sv[0]), 0);
	ck_assert_int_eq(vplat_net_sock_adopt(peer, VPLAT_NET_SOCK_STREAM, sv[1]), 0);
	static uint8_t f[1000], got[2048];
	int sent = 0, rcvd = 0, rc;
	for (int k = 0; k < 400; k++) {
		fill(f, sizeof(f), (uint8_t)sent);
		while ((rc = vplat_net_sock_send(s, f, sizeof(f))) == VPLAT_EAGAIN) {
			while (vplat_net_sock_recv(peer, got, sizeof(got)) == (int)sizeof(f)) {
				ck_assert_uint_eq(got[1], (uint8_t)(rcvd + 3));
				rcvd++;
			}
			vplat_net_sock_flush(s);
		}
		ck_assert_int_eq(rc, 0);
		sent++;
	}
	for (int spin = 0; spin < 1000 && rcvd < sent; spin++) {
		vplat_net_sock_flush(s);
		while (vplat_net_sock_recv(peer, got, sizeof(got)) == (int)sizeof(f))
			rcvd++;
	}
	ck_assert_int_eq(rcvd, sent);
	vplat_net_sock_close(s);
	vplat_net_sock_close(peer);
	free(s);
	free(peer);
}
END_TEST

START_TEST(dgram_and_unix_paths)
{
	char dir[] = "/tmp/vplat-net-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char a[128], b[128], l[128];
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(l, sizeof(l), "%s/listen", dir);
	struct vplat_net_sock *x = calloc(4, sizeof(*x));
	/* Datagrams: one frame each, no prefix. */
	ck_assert_int_eq(vplat_net_sock_dgram_unix(&x[0], a, b), 0);
	ck_assert_int_eq(vplat_net_sock_dgram_unix(&x[1], b, a), 0);
	static uint8_t f[1514], got[2048];
	fill(f, 1514, 4);
	ck_assert_int_eq(vplat_net_sock_send(&x[0], f, 1514), 0);
	ck_assert_int_eq(vplat_net_sock_send(&x[0], f, 60), 0);
	ck_assert_int_eq(vplat_net_sock_recv(&x[1], got, sizeof(got)), 1514);
	ck_assert_mem_eq(got, f, 1514);
	ck_assert_int_eq(vplat_net_sock_recv(&x[1], got, sizeof(got)), 60);
	ck_assert_int_eq(vplat_net_sock_recv(&x[1], got, sizeof(got)), VPLAT_EAGAIN);
	/* Stream listen / connect / accept. */
	ck_assert_int_eq(vplat_net_sock_listen_unix(&x[2], l), 0);
	ck_assert_int_eq(vplat_net_sock_accept(&x[2]), VPLAT_EAGAIN);
	ck_assert_int_eq(vplat_net_sock_connect_unix(&x[3], l), 0);
	ck_assert_int_eq(vplat_net_sock_accept(&x[2]), 0);
	ck_assert_int_eq(vplat_net_sock_send(&x[3], f, 100), 0);
	ck_assert_int_eq(vplat_net_sock_recv(&x[2], got, sizeof(got)), 100);
	/* The peer goes away: the listener drops it and waits for the next one. */
	vplat_net_sock_close(&x[3]);
	ck_assert_int_eq(vplat_net_sock_recv(&x[2], got, sizeof(got)), VPLAT_ENODEV);
	ck_assert_int_eq(vplat_net_sock_fd(&x[2]), x[2].listen_fd);
	for (int i = 0; i < 3; i++)
		vplat_net_sock_close(&x[i]);
	free(x);
	unlink(a), unlink(b), unlink(l), rmdir(dir);
}
END_TEST

START_TEST(socket_port_gets_complete_frames)
{
	/* A net device sends a UDP frame with a partial checksum through the switch to a QEMU
	 * stream port: the socket peer receives it whole and with a valid checksum; a frame from
	 * the socket reaches the device. */
	struct vplat_switch sw;
	ck_assert_int_eq(vplat_switch_init(&sw, NULL), 0);
	struct vplat_switch_net_port np;
	ck_assert_int_eq(vplat_switch_net_port_init(&np, vplat_switch_iface(&sw), NULL, NULL, NULL),
			 0);
	struct netdrv *n = calloc(1, sizeof(*n));
	struct vplat_net_config cfg = {.pairs = 1};
	ck_assert_int_eq(netdrv_up(n, _i, &cfg, &vplat_switch_net_host, &np,
				   VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM), 1526, 8, 16, 1u << 20),
			 0);
	vplat_switch_net_port_bind(&np, &n->net);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct vplat_net_sock *s = calloc(2, sizeof(*s));
	ck_assert_int_eq(vplat_net_sock_adopt(&s[0], VPLAT_NET_SOCK_STREAM, sv[0]), 0);
	ck_assert_int_eq(vplat_net_sock_adopt(&s[1], VPLAT_NET_SOCK_STREAM, sv[1]), 0);
	ck_assert_int_eq(vplat_net_sock_attach(&s[0], vplat_switch_iface(&sw), NULL), 0);
	uint8_t f[100] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0};
	f[40] = 0x12, f[41] = 0x34;
	struct vplat_virtio_net_hdr h = {.flags = VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM};
	h.csum_start = vplat_cpu_to_le16(34);
	h.csum_offset = vplat_cpu_to_le16(6);
	ck_assert_int_eq(netdrv_tx(n, 0, &h, f, sizeof(f), true), 0);
	vplat_switch_builtin_ops.run(&sw, 0);
	static uint8_t got[2048];
	ck_assert_int_eq(vplat_net_sock_recv(&s[1], got, sizeof(got)), 100);
	uint32_t sum = 0x1234;
	for (size_t i = 34; i < 100; i++)
		sum += (i & 1) ? got[i] : (uint32_t)got[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(sum, 0xffff);
	/* socket -> device */
	uint8_t back[64] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5, 7};
	ck_assert_int_eq(vplat_net_sock_send(&s[1], back, sizeof(back)), 0);
	ck_assert_int_eq(vplat_net_sock_poll(&s[0], 1), 1);
	vplat_switch_builtin_ops.run(&sw, 1);
	ck_assert_int_eq(netdrv_rx(n, 0, got, sizeof(got), NULL, NULL), 64);
	ck_assert_mem_eq(got, back, 64);
	vplat_net_sock_close(&s[0]);
	vplat_net_sock_close(&s[1]);
	free(s);
	netdrv_down(n);
	free(n);
	vplat_switch_fini(&sw);
}
END_TEST

/* ---- tap ---------------------------------------------------------------------------------- */

static int if_up(const char *name, const char *ip)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin->sin_addr);
	int rc = ioctl(fd, SIOCSIFADDR, &ifr);
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	rc |= ioctl(fd, SIOCSIFNETMASK, &ifr);
	rc |= ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	rc |= ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

/* Wait for a frame of @p ethertype from the tap. */
static int tap_wait(struct vplat_net_tap *t, uint16_t type, struct vplat_virtio_net_hdr *h,
		    const uint8_t **f)
{
	for (int spin = 0; spin < 200; spin++) {
		struct pollfd p = {.fd = t->fd, .events = POLLIN};
		poll(&p, 1, 10);
		int n;
		while ((n = vplat_net_tap_recv(t, h, f)) > 0)
			if (n >= 14 && ((*f)[12] << 8 | (*f)[13]) == type)
				return n;
	}
	return -1;
}

START_TEST(tap_offloads_in_netns)
{
	if (unshare(CLONE_NEWNET) != 0)
		VPLAT_SKIP("unshare(CLONE_NEWNET): %s", strerror(errno));
	struct vplat_net_tap *t = calloc(1, sizeof(*t));
	int rc = vplat_net_tap_open(t, "vpt%d");
	if (rc == VPLAT_ENODEV || rc == VPLAT_EPERM) {
		free(t);
		VPLAT_SKIP("/dev/net/tun unusable (%d)", rc);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(if_up(t->name, "10.77.0.1"), 0);
	ck_assert_int_eq(vplat_net_tap_set_offloads(t, VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM)),
			 0);
	/* The kernel sends UDP to 10.77.0.2: first an ARP request comes out of the tap. */
	int us = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9)};
	inet_pton(AF_INET, "10.77.0.2", &dst.sin_addr);
	ck_assert_int_eq(sendto(us, "hello", 5, 0, (struct sockaddr *)&dst, sizeof(dst)), 5);
	struct vplat_virtio_net_hdr h;
	const uint8_t *f;
	int n = tap_wait(t, 0x0806, &h, &f);
	ck_assert_int_ge(n, 42);
	uint8_t kmac[6];
	memcpy(kmac, f + 6, 6);
	/* Answer it from 02:00:00:00:00:99. */
	uint8_t arp[42] = {0};
	memcpy(arp, kmac, 6);
	memcpy(arp + 6, (uint8_t[]){2, 0, 0, 0, 0, 0x99}, 6);
	memcpy(arp + 12, (uint8_t[]){0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2}, 10);
	memcpy(arp + 22, arp + 6, 6);
	memcpy(arp + 28, (uint8_t[]){10, 77, 0, 2}, 4);
	memcpy(arp + 32, kmac, 6);
	memcpy(arp + 38, (uint8_t[]){10, 77, 0, 1}, 4);
	ck_assert_int_eq(vplat_net_tap_send(t, NULL, arp, sizeof(arp)), 0);
	/* The UDP frame follows, with a partial checksum (we allowed TUN_F_CSUM). */
	n = tap_wait(t, 0x0800, &h, &f);
	ck_assert_int_eq(n, 14 + 20 + 8 + 5);
	ck_assert_uint_eq(h.flags & VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM,
			  VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(vplat_le16_to_cpu(h.csum_start), 34);
	ck_assert_uint_eq(vplat_le16_to_cpu(h.csum_offset), 6);
	/* Reflect it back to 10.77.0.1:port with the partial checksum left to the kernel. */
	struct sockaddr_in me = {.sin_family = AF_INET};
	socklen_t ml = sizeof(me);
	ck_assert_int_eq(getsockname(us, (struct sockaddr *)&me, &ml), 0);
	uint8_t back[64];
	memcpy(back, f, (size_t)n);
	memcpy(back, kmac, 6);
	memcpy(back + 6, arp + 6, 6);
	memcpy(back + 26, (uint8_t[]){10, 77, 0, 2, 10, 77, 0, 1}, 8); /* swap addresses */
	memcpy(back + 34, &dst.sin_port, 2);
	memcpy(back + 36, &me.sin_port, 2);
	ck_assert_int_eq(vplat_net_tap_send(t, &h, back, (size_t)n), 0);
	char buf[16] = {0};
	struct pollfd p = {.fd = us, .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	ck_assert_int_eq(recv(us, buf, sizeof(buf), 0), 5);
	ck_assert_str_eq(buf, "hello");
	printf("tap %s: ARP and a partial-checksum UDP frame both ways\n", t->name);
	close(us);
	vplat_net_tap_close(t);
	free(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("net_host");
	TCase *tc = tcase_create("net_host");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stream_framing);
	tcase_add_test(tc, stream_backpressure_keeps_frames_whole);
	tcase_add_test(tc, dgram_and_unix_paths);
	tcase_add_loop_test(tc, socket_port_gets_complete_frames, 0, 4);
	tcase_add_test(tc, tap_offloads_in_netns);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
