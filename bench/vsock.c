/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/vsock: stream MB/s through the virtio socket device on the in-process loopback
 * (virtio-mmio, split rings), driven as Linux's vsock transport drives it (rx buffers of a
 * 44-byte header and 4 KiB payload, tx packets of up to 64 KiB, CREDIT_UPDATEs), against a
 * host end that consumes at once; both directions, 256 KiB credit window. The reference is the
 * same byte count through a UNIX socketpair (64 KiB writes and reads) in the same run. Numbers
 * are printed, not judged.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "vsock_guest.h"

#define CHUNK 65536u

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sink {
	uint64_t got;
	struct vplat_vsock_conn *c;
};

static int s_connect(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	(void)d;
	((struct sink *)host)->c = c;
	return 0;
}

static int s_recv(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c,
		  const struct vplat_chain *pkt, size_t off, uint32_t len)
{
	static uint8_t buf[CHUNK];
	struct sink *s = host;
	uint32_t n = len < CHUNK ? len : CHUNK;
	if (vplat_chain_read(pkt, off, buf, n) != n)
		return VPLAT_EIO;
	s->got += len;
	return vplat_vsock_consumed(d, c, len);
}

static void s_closed(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	(void)host;
	(void)d;
	(void)c;
}

static const struct vplat_vsock_host_ops sink_ops = {
	.connect = s_connect, .recv = s_recv, .closed = s_closed};

int main(int argc, char **argv)
{
	unsigned long mib = 64;
	int o;
	static const struct option opts[] = {{"mib", required_argument, NULL, 'm'}, {0}};
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'm') {
			printf("usage: bench-vsock [--mib N]\n");
			return 2;
		}
		mib = strtoul(optarg, NULL, 0);
	}
	uint64_t total = (uint64_t)mib << 20;
	static struct vguest g;
	struct sink s = {0};
	if (vg_up(&g, 0, 3, 256u * 1024u, &sink_ops, &s)) {
		fprintf(stderr, "bench-vsock: set-up failed (%d)\n", g.err);
		return 1;
	}
	vg_post_rx(&g, VG_NRX);
	struct vplat_vsock_hdr h = vg_hdr(&g, VPLAT_VIRTIO_VSOCK_OP_REQUEST, 1000, 2, 2000), o2;
	h.buf_alloc = 256u * 1024u;
	if (vg_tx(&g, &h, NULL) || !vg_rx(&g, &o2, NULL) || !s.c) {
		fprintf(stderr, "bench-vsock: no connection\n");
		return 1;
	}
	vg_post_rx(&g, 1);
	static uint8_t data[CHUNK];
	memset(data, 0x5a, sizeof(data));
	/* guest -> host */
	uint64_t sent = 0;
	uint32_t peer_fwd = 0;
	double t0 = now();
	while (sent < total) {
		uint32_t credit = 256u * 1024u - (uint32_t)(sent - peer_fwd);
		uint32_t n = credit < CHUNK ? credit : CHUNK;
		if (n) {
			h = vg_hdr(&g, VPLAT_VIRTIO_VSOCK_OP_RW, 1000, 2, 2000);
			h.len = n;
			if (vg_tx(&g, &h, data))
				return 1;
			sent += n;
		}
		unsigned k = 0;
		while (vg_rx(&g, &o2, NULL)) {
			peer_fwd = o2.fwd_cnt;
			k++;
		}
		if (k)
			vg_post_rx(&g, k);
	}
	double up = (double)total / (now() - t0) / 1e6;
	/* host -> guest */
	uint64_t rcvd = 0, fwd_sent = 0;
	t0 = now();
	while (rcvd < total) {
		(void)vplat_vsock_send(&g.d, s.c, data, CHUNK);
		unsigned k = 0;
		while (vg_rx(&g, &o2, NULL)) {
			rcvd += o2.len;
			k++;
		}
		if (k)
			vg_post_rx(&g, k);
		if (rcvd - fwd_sent >= 64u * 1024u) {
			h = vg_hdr(&g, VPLAT_VIRTIO_VSOCK_OP_CREDIT_UPDATE, 1000, 2, 2000);
			h.buf_alloc = 256u * 1024u;
			h.fwd_cnt = (uint32_t)rcvd;
			if (vg_tx(&g, &h, NULL))
				return 1;
			fwd_sent = rcvd;
		}
	}
	double down = (double)total / (now() - t0) / 1e6;
	if (s.got != total || g.err || g.d.stats.credit_violations) {
		fprintf(stderr, "bench-vsock: host got %llu of %llu bytes (err %d)\n",
			(unsigned long long)s.got, (unsigned long long)total, g.err);
		return 1;
	}
	/* reference: a UNIX socketpair */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	static uint8_t rb[CHUNK];
	t0 = now();
	for (uint64_t done = 0; done < total;) {
		ssize_t w = write(sv[0], data, CHUNK);
		if (w <= 0)
			return 1;
		for (ssize_t r = 0; r < w;) {
			ssize_t k = read(sv[1], rb, (size_t)(w - r));
			if (k <= 0)
				return 1;
			r += k;
		}
		done += (uint64_t)w;
	}
	double ref = (double)total / (now() - t0) / 1e6;
	printf("bench-vsock: %lu MiB each way, one stream, 256 KiB credit, virtio-mmio split ring\n",
	       mib);
	printf("  guest -> host (64 KiB tx packets):        %.0f MB/s\n", up);
	printf("  host -> guest (4 KiB rx buffers):          %.0f MB/s\n", down);
	printf("  reference, UNIX socketpair (64 KiB I/O):  %.0f MB/s\n", ref);
	vplat_device_reset(vplat_vsock_device(&g.d));
	vg_down(&g);
	return 0;
}
