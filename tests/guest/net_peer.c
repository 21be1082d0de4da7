/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_peer - the vplat side of tests/guest/net_stream.sh.
 *
 * A vplat switch with two ports: a QEMU `-netdev stream` socket (we listen on a unix socket,
 * QEMU connects with server=off) and a vplat virtio-net device driven in-process by the
 * validation driver through the loopback backend. The driver side plays host 10.0.9.1: it
 * answers ARP and ICMP echo requests, and once it has seen the guest it pings the guest too.
 *
 * Usage: net_peer SOCKET_PATH [TIMEOUT_S] [VARIANT] [QEMU_DGRAM_PATH]
 *   VARIANT bit 0: PCI (else MMIO), bit 1: packed ring (else split), for the vplat device.
 *   With QEMU_DGRAM_PATH the socket is a unix datagram socket bound at SOCKET_PATH that
 *   sends to QEMU_DGRAM_PATH (QEMU `-netdev dgram`); otherwise a stream socket listening at
 *   SOCKET_PATH (QEMU `-netdev stream,server=off`).
 * Stops when the guest disconnects, on SIGTERM, at the timeout, or shortly after both
 * directions worked. Exit status: 0 when the guest's echo requests were answered (>= 3) and
 * the guest answered ours (>= 1); 1 otherwise. Prints a summary line "NETPEER: ...".
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "netdrv.h"
#include "vplat/host/net_host.h"
#include "vplat/fabric/switch.h"

static const uint8_t my_mac[6] = {0x02, 0x76, 0x70, 0x6c, 0x61, 0x74};
static const uint8_t my_ip[4] = {10, 0, 9, 1};

struct peer {
	struct netdrv n;
	uint8_t guest_mac[6];
	uint8_t guest_ip[4];
	bool guest_known;
	unsigned arp_answered, echo_answered, echo_replies, pings_sent;
	uint64_t next_ping;
	uint8_t buf[2048];
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	return vplat_switch_monotonic_ns(NULL);
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i < len; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void send_frame(struct peer *p, const uint8_t *f, size_t len)
{
	if (netdrv_tx(&p->n, 0, NULL, f, len, false) != 0)
		fprintf(stderr, "net_peer: transmit failed\n");
}

static void on_arp(struct peer *p, const uint8_t *f, int len)
{
	/* request (op 1) for our IP */
	if (len < 42 || f[20] != 0 || f[21] != 1 || memcmp(f + 38, my_ip, 4) != 0)
		return;
	memcpy(p->guest_mac, f + 22, 6);
	memcpy(p->guest_ip, f + 28, 4);
	p->guest_known = true;
	uint8_t r[42];
	memcpy(r, f + 6, 6);
	memcpy(r + 6, my_mac, 6);
	memcpy(r + 12, f + 12, 8); /* ethertype, htype, ptype, hlen, plen */
	r[20] = 0, r[21] = 2;	   /* reply */
	memcpy(r + 22, my_mac, 6);
	memcpy(r + 28, my_ip, 4);
	memcpy(r + 32, f + 22, 10); /* target = the asker */
	send_frame(p, r, sizeof(r));
	p->arp_answered++;
}

static void on_ipv4(struct peer *p, const uint8_t *f, int len)
{
	const uint8_t *ip = f + 14;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (len < 14 + 20 || ip[9] != 1 || memcmp(ip + 16, my_ip, 4) != 0 ||
	    (size_t)len < 14 + ihl + 8)
		return;
	const uint8_t *icmp = ip + ihl;
	if (icmp[0] == 0) { /* echo reply to our ping */
		p->echo_replies++;
		return;
	}
	if (icmp[0] != 8)
		return;
	uint8_t r[1514];
	size_t n = (size_t)len < sizeof(r) ? (size_t)len : sizeof(r);
	memcpy(r, f, n);
	memcpy(r, f + 6, 6);
	memcpy(r + 6, my_mac, 6);
	memcpy(r + 14 + 12, ip + 16, 4); /* swapping the addresses keeps the IP checksum */
	memcpy(r + 14 + 16, ip + 12, 4);
	uint8_t *ri = r + 14 + ihl;
	ri[0] = 0, ri[2] = 0, ri[3] = 0;
	size_t ilen = (size_t)((ip[2] << 8) | ip[3]);
	if (ilen < ihl + 8 || 14 + ilen > n)
		return;
	uint16_t c = csum(ri, ilen - ihl);
	ri[2] = (uint8_t)(c >> 8), ri[3] = (uint8_t)c;
	send_frame(p, r, 14 + ilen);
	p->echo_answered++;
}

static void ping_guest(struct peer *p)
{
	uint8_t f[14 + 20 + 8 + 32] = {0};
	memcpy(f, p->guest_mac, 6);
	memcpy(f + 6, my_mac, 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14, *ic = ip + 20;
	ip[0] = 0x45, ip[3] = 60, ip[8] = 64, ip[9] = 1;
	memcpy(ip + 12, my_ip, 4);
	memcpy(ip + 16, p->guest_ip, 4);
	uint16_t c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	ic[0] = 8, ic[4] = 0x76, ic[5] = 0x70, ic[7] = (uint8_t)++p->pings_sent;
	for (int i = 0; i < 32; i++)
		ic[8 + i] = (uint8_t)i;
	c = csum(ic, 40);
	ic[2] = (uint8_t)(c >> 8), ic[3] = (uint8_t)c;
	send_frame(p, f, sizeof(f));
}

static void drain(struct peer *p)
{
	int len;
	while ((len = netdrv_rx(&p->n, 0, p->buf, sizeof(p->buf), NULL, NULL)) >= 0 ||
	       len == VPLAT_E2BIG) {
		if (len < 14)
			continue;
		uint16_t type = (uint16_t)(p->buf[12] << 8 | p->buf[13]);
		if (type == 0x0806)
			on_arp(p, p->buf, len);
		else if (type == 0x0800)
			on_ipv4(p, p->buf, len);
	}
}

/* Move frames until the guest leaves, SIGTERM, the timeout, or both directions worked. */
static void serve(struct vplat_switch *sw, struct vplat_net_sock *sock, struct peer *pp,
		  unsigned timeout)
{
	uint64_t start = now_ns(), deadline = start + (uint64_t)timeout * 1000000000u;
	bool had_peer = false;
	uint64_t done_at = 0;
	while (!stop && now_ns() < deadline) {
		struct pollfd pf = {.fd = vplat_net_sock_fd(sock), .events = POLLIN};
		poll(&pf, 1, 10);
		uint64_t t = now_ns();
		int fed = vplat_net_sock_poll(sock, t);
		if (fed == VPLAT_ENODEV && had_peer)
			break; /* QEMU exited */
		if (fed >= 0)
			had_peer = true;
		vplat_switch_builtin_ops.run(sw, t);
		drain(pp);
		if (pp->guest_known && pp->pings_sent < 3 && t >= pp->next_ping) {
			ping_guest(pp);
			pp->next_ping = t + 100000000u;
		}
		vplat_switch_builtin_ops.run(sw, now_ns());
		if (!done_at && pp->echo_answered >= 3 && pp->echo_replies >= 3)
			done_at = t;
		if (done_at && t - done_at > 300000000u)
			break; /* both directions worked; leave the guest to finish */
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr,
			"usage: net_peer SOCKET_PATH [TIMEOUT_S] [VARIANT] [QEMU_DGRAM_PATH]\n");
		return 2;
	}
	unsigned timeout = argc > 2 ? (unsigned)atoi(argv[2]) : 60;
	int variant = argc > 3 ? atoi(argv[3]) : 0;
	static struct vplat_switch sw;
	static struct vplat_switch_net_port np;
	static struct vplat_net_sock sock;
	static struct peer p;
	if (vplat_switch_init(&sw, NULL) ||
	    vplat_switch_net_port_init(&np, vplat_switch_iface(&sw), NULL, NULL, NULL))
		return 1;
	struct vplat_net_config cfg = {.has_mac = true, .pairs = 1, .mtu = 1500};
	memcpy(cfg.mac, my_mac, 6);
	int rc =
	    netdrv_up(&p.n, variant, &cfg, &vplat_switch_net_host, &np,
		      VPLAT_BIT(VPLAT_VIRTIO_NET_F_MRG_RXBUF) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM) |
			  VPLAT_BIT(VPLAT_VIRTIO_NET_F_MAC),
		      1526, 64, 128, 4u << 20);
	if (rc) {
		fprintf(stderr, "net_peer: device set-up failed: %d\n", rc);
		return 1;
	}
	vplat_switch_net_port_bind(&np, &p.n.net);
	signal(SIGTERM, on_term);
	int src = argc > 4 ? vplat_net_sock_dgram_unix(&sock, argv[1], argv[4])
			   : vplat_net_sock_listen_unix(&sock, argv[1]);
	if (src || vplat_net_sock_attach(&sock, vplat_switch_iface(&sw), NULL)) {
		fprintf(stderr, "net_peer: cannot listen on %s\n", argv[1]);
		return 1;
	}
	printf("NETPEER: %s socket %s, device over %s with %s rings\n",
	       argc > 4 ? "dgram" : "stream", argv[1], variant & 1 ? "virtio-pci" : "virtio-mmio",
	       variant & 2 ? "packed" : "split");
	fflush(stdout);
	serve(&sw, &sock, &p, timeout);
	struct vplat_switch_port_stats st;
	vplat_switch_builtin_ops.port_stats(&sw, sock.port, &st);
	printf("NETPEER: arp_answered=%u echo_answered=%u pings_sent=%u echo_replies=%u "
	       "socket rx=%llu tx=%llu device rx=%llu tx=%llu\n",
	       p.arp_answered, p.echo_answered, p.pings_sent, p.echo_replies,
	       (unsigned long long)sock.stats.rx_frames, (unsigned long long)sock.stats.tx_frames,
	       (unsigned long long)vplat_net_stats(&p.n.net)->rx_frames,
	       (unsigned long long)vplat_net_stats(&p.n.net)->tx_frames);
	vplat_net_sock_close(&sock);
	netdrv_down(&p.n);
	vplat_switch_fini(&sw);
	return p.echo_answered >= 3 && p.echo_replies >= 1 ? 0 : 1;
}
