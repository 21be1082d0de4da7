/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/can: CAN frames per second through vplat's virtual CAN bus, guest to guest, against a
 * floor (a memcpy of the same bytes) measured in the same run.
 *
 * Every node is a vplat CAN device on its own in-process loopback (virtio-mmio, split rings),
 * driven by the validation driver. Each node queues a batch of frames on its Txq; the bus
 * arbitrates (identifier priority), delivers every frame to every other node's Rxq and
 * acknowledges it to the sender (LATE_TX_ACK); the drivers collect completions and repost
 * Rxq buffers. The timed section covers all of it: driver, device, bus. No bit-timing model
 * (frames move as fast as the host allows); the rate a real bus allows is printed for scale.
 * The floor (not a peer) copies each frame's header and payload once per receiver with memcpy,
 * timed in bulk.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/can.h"
#include "vplat/vplat.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "hist.h"

#define BATCH 32  /* frames a node queues per round, and frames moved per bus run */
#define RXBUFS 128

struct node {
	struct vplat_loopback lb;
	struct vplat_can can;
	struct vplat_canbus_node *bn;
	struct vplat_val_dev d;
	struct vplat_val_vq txq, rxq, ctlq;
	struct vplat_val_buf tx[BATCH][2];
	uint8_t *rx[RXBUFS];
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *dma(struct node *n, uint32_t len)
{
	uint64_t gpa;
	return vplat_val_alloc(vplat_loopback_dma(&n->lb), len, 8, &gpa);
}

static int node_up(struct node *n, struct vplat_canbus *bus, unsigned idx, unsigned len, bool fd)
{
	uint64_t feat = VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) |
			VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD) |
			VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK);
	n->bn = vplat_canbus_add_node(bus, "bench");
	if (!n->bn || vplat_loopback_init(&n->lb, VPLAT_LOOPBACK_MMIO, 1u << 20) ||
	    vplat_can_init(&n->can, vplat_loopback_mem(&n->lb), feat, &vplat_can_host_bus, n->bn))
		return -1;
	vplat_canbus_node_bind(n->bn, &n->can);
	if (vplat_loopback_attach(&n->lb, vplat_can_device(&n->can)) ||
	    vplat_loopback_val_init(&n->lb, &n->d) ||
	    vplat_val_negotiate(&n->d, feat | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)) ||
	    vplat_val_vq_setup(&n->d, &n->txq, 0, 2 * BATCH) ||
	    vplat_val_vq_setup(&n->d, &n->rxq, 1, RXBUFS) ||
	    vplat_val_vq_setup(&n->d, &n->ctlq, 2, 4) || vplat_val_driver_ok(&n->d))
		return -1;
	for (unsigned k = 0; k < BATCH; k++) {
		struct vplat_virtio_can_tx_out *h = dma(n, 16 + 64);
		uint8_t *res = dma(n, 1);
		if (!h || !res)
			return -1;
		h->msg_type = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_TX);
		h->length = vplat_cpu_to_le16((uint16_t)len);
		h->flags = vplat_cpu_to_le32(fd ? VPLAT_VIRTIO_CAN_FLAGS_FD : 0);
		h->can_id = vplat_cpu_to_le32(((idx << 5) | k) & 0x7ff);
		memset((uint8_t *)h + 16, (int)k, len);
		n->tx[k][0] = (struct vplat_val_buf){.ptr = h, .len = 16 + len};
		n->tx[k][1] = (struct vplat_val_buf){.ptr = res, .len = 1};
	}
	for (unsigned k = 0; k < RXBUFS; k++) {
		n->rx[k] = dma(n, 16 + 64);
		struct vplat_val_buf b = {.ptr = n->rx[k], .len = 16 + 64};
		if (!n->rx[k] || vplat_val_vq_add(&n->rxq, &b, 0, 1, n->rx[k]))
			return -1;
	}
	vplat_val_vq_kick(&n->rxq);
	/* START */
	uint16_t *q = dma(n, 2);
	uint8_t *r = dma(n, 1);
	*q = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START);
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 2}, {.ptr = r, .len = 1}};
	void *tok;
	if (vplat_val_vq_add(&n->ctlq, b, 1, 1, r) || (vplat_val_vq_kick(&n->ctlq), 0) ||
	    vplat_val_wait_used(&n->ctlq, &tok, NULL, 1000) || *r != 0)
		return -1;
	return 0;
}

static void node_down(struct node *n)
{
	vplat_val_vq_fini(&n->txq);
	vplat_val_vq_fini(&n->rxq);
	vplat_val_vq_fini(&n->ctlq);
	vplat_loopback_fini(&n->lb);
}

/* Repost every returned Rxq buffer; returns frames received. */
static unsigned rx_service(struct node *n)
{
	void *tok;
	unsigned got = 0;
	while (vplat_val_vq_get_used(&n->rxq, &tok, NULL) == 0) {
		struct vplat_val_buf b = {.ptr = tok, .len = 16 + 64};
		vplat_val_vq_add(&n->rxq, &b, 0, 1, tok);
		got++;
	}
	if (got)
		vplat_val_vq_kick(&n->rxq);
	return got;
}

/* Frames/s for @p nodes nodes moving at least @p frames frames; *rx gets deliveries. */
static double run_bus(unsigned nodes, unsigned frames, unsigned len, bool fd, uint64_t *moved,
		      uint64_t *rx, uint64_t *lost)
{
	struct vplat_canbus *bus = vplat_canbus_new(NULL);
	struct node *n = calloc(nodes, sizeof(*n));
	if (!bus || !n)
		return -1;
	for (unsigned i = 0; i < nodes; i++)
		if (node_up(&n[i], bus, i, len, fd)) {
			fprintf(stderr, "bench-can: node set-up failed\n");
			return -1;
		}
	*moved = *rx = 0;
	double t0 = now();
	while (*moved < frames) {
		for (unsigned i = 0; i < nodes; i++) { /* every node queues a batch */
			for (unsigned k = 0; k < BATCH; k++)
				vplat_val_vq_add(&n[i].txq, n[i].tx[k], 1, 1,
						 (void *)(uintptr_t)n[i].tx[k][1].ptr);
			vplat_val_vq_kick(&n[i].txq);
		}
		int m;
		do {
			m = vplat_canbus_run(bus, BATCH);
			*moved += (unsigned)(m > 0 ? m : 0);
			for (unsigned i = 0; i < nodes; i++)
				*rx += rx_service(&n[i]);
		} while (m > 0);
		for (unsigned i = 0; i < nodes; i++) { /* collect Txq completions */
			void *tok;
			while (vplat_val_vq_get_used(&n[i].txq, &tok, NULL) == 0)
				;
		}
	}
	double t = now() - t0;
	*lost = 0;
	for (unsigned i = 0; i < nodes; i++) {
		*lost += vplat_canbus_node_stats(n[i].bn)->overruns;
		node_down(&n[i]);
	}
	free(n);
	vplat_canbus_free(bus);
	return (double)*moved / t;
}

/*
 * Latency of one frame from node 0's Txq to node 1's Rxq, open loop: frame i is due at
 * t0 + i/rate and its latency runs from that due time to the moment node 1's driver sees it
 * in its used ring (so a stall of this process counts for every frame it delays). The bus
 * is driven in this thread, as in run_bus(). @p svc gets send-to-receive times (no
 * schedule: what a closed loop would report).
 */
static int run_lat(unsigned len, bool fd, double rate, unsigned frames, struct bh *h,
		   struct bh *svc)
{
	struct vplat_canbus *bus = vplat_canbus_new(NULL);
	struct node *n = calloc(2, sizeof(*n));
	if (!bus || !n)
		return -1;
	for (unsigned i = 0; i < 2; i++)
		if (node_up(&n[i], bus, i, len, fd))
			return -1;
	struct bh_pace pace;
	bh_pace_init(&pace, (uint64_t)(1e9 / rate));
	int rc = 0;
	for (unsigned f = 0; f < frames && !rc; f++) {
		uint64_t due = bh_pace_next(&pace), sent = bh_now_ns();
		unsigned k = f % BATCH;
		vplat_val_vq_add(&n[0].txq, n[0].tx[k], 1, 1, (void *)(uintptr_t)n[0].tx[k][1].ptr);
		vplat_val_vq_kick(&n[0].txq);
		unsigned got = 0;
		for (unsigned spin = 0; !got && spin < 1000000; spin++) {
			vplat_canbus_run(bus, BATCH);
			got = rx_service(&n[1]);
		}
		if (!got) {
			fprintf(stderr, "bench-can: frame %u not delivered\n", f);
			rc = -1;
		}
		uint64_t end = bh_now_ns();
		bh_add(h, end - due);
		bh_add(svc, end - sent);
		void *tok;
		while (vplat_val_vq_get_used(&n[0].txq, &tok, NULL) == 0)
			;
		rx_service(&n[0]);
	}
	for (unsigned i = 0; i < 2; i++)
		node_down(&n[i]);
	free(n);
	vplat_canbus_free(bus);
	return rc;
}

/* The same bytes with memcpy: the frame (16-byte header + payload) into each receiver. */
static double run_memcpy(unsigned nodes, uint64_t frames, unsigned len)
{
	size_t fl = 16 + len;
	uint8_t *src = calloc(BATCH, fl), *dst = calloc((size_t)BATCH * nodes, fl);
	volatile uint8_t sink = 0;
	double t0 = now();
	for (uint64_t f = 0; f < frames; f++) {
		unsigned k = (unsigned)(f % BATCH);
		src[k * fl] = (uint8_t)f;
		for (unsigned r = 1; r < nodes; r++)
			memcpy(dst + ((size_t)k * nodes + r) * fl, src + k * fl, fl);
		sink ^= dst[((size_t)k * nodes + 1) * fl];
	}
	double t = now() - t0;
	(void)sink;
	free(src);
	free(dst);
	return (double)frames / t;
}

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    bench-can - CAN frames per second through vplat's virtual CAN bus\n\n"
	      "SYNOPSIS\n"
	      "    bench-can [--nodes N] [--frames N] [--len N] [--fd]\n\n"
	      "DESCRIPTION\n"
	      "    Connects N vplat CAN devices (each on an in-process virtio-mmio loopback with\n"
	      "    split rings, driven by the validation driver) to one virtual bus. Every node\n"
	      "    queues frames; the bus arbitrates by identifier, delivers each frame to every\n"
	      "    other node and acknowledges it to its sender (LATE_TX_ACK). Prints frames/s\n"
	      "    won on the bus (each delivered N-1 times), the same rate for the floor (a\n"
	      "    memcpy of the frame into each receiver; not a peer), their ratio, and for scale\n"
	      "    the frame rate a real 500 kbit/s (classic) or 2 Mbit/s data phase (FD) bus\n"
	      "    allows. Without --nodes it runs 2 and 8 nodes.\n\n"
	      "OPTIONS\n"
	      "    --nodes N    nodes on the bus, 2..64 (default: 2, then 8)\n"
	      "    --frames N   frames to move per run (default 200000)\n"
	      "    --len N      payload bytes per frame (default 8; up to 64 with --fd)\n"
	      "    --fd         CAN FD frames\n"
	      "    --lat-frames N  then send N frames node 0 -> node 1 at --lat-rate frames/s\n"
	      "                 (open loop) and print p50/p99/p99.9 latency (default 20000;\n"
	      "                 0 = none)\n"
	      "    --lat-rate R frames per second of the latency run (default 20000)\n"
	      "    --machine    also print LAT/LATCURVE lines for tools/bench\n"
	      "    -h, --help   this text\n\n"
	      "EXIT STATUS\n"
	      "    0 on success, 1 on a failure, 2 on bad arguments.\n",
	      out);
}

int main(int argc, char **argv)
{
	unsigned nodes = 0, frames = 200000, len = 8, lat_frames = 20000, lat_rate = 20000;
	bool fd = false, machine = false;
	static const struct option longopts[] = {{"nodes", required_argument, 0, 'n'},
						 {"frames", required_argument, 0, 'f'},
						 {"len", required_argument, 0, 'l'},
						 {"fd", no_argument, 0, 'd'},
						 {"lat-frames", required_argument, 0, 'L'},
						 {"lat-rate", required_argument, 0, 'R'},
						 {"machine", no_argument, 0, 'm'},
						 {"help", no_argument, 0, 'h'},
						 {0, 0, 0, 0}};
	int o;
	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end = NULL;
		unsigned long v = 0;
		if (o == 'n' || o == 'f' || o == 'l' || o == 'L' || o == 'R') {
			v = strtoul(optarg, &end, 0);
			if (!*optarg || *end || v > 100000000ul) {
				fprintf(stderr, "bench-can: bad value '%s'\n", optarg);
				return 2;
			}
		}
		switch (o) {
		case 'n': nodes = (unsigned)v; break;
		case 'f': frames = (unsigned)v; break;
		case 'l': len = (unsigned)v; break;
		case 'd': fd = true; break;
		case 'L': lat_frames = (unsigned)v; break;
		case 'R': lat_rate = v ? (unsigned)v : 1; break;
		case 'm': machine = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (lat_frames > 10000000u) {
		fprintf(stderr, "bench-can: --lat-frames up to 10000000\n");
		return 2;
	}
	if ((nodes && (nodes < 2 || nodes > 64)) || len > (fd ? 64u : 8u) || frames == 0) {
		fprintf(stderr, "bench-can: --nodes 2..64, --len up to 8 (64 with --fd), --frames > 0\n");
		return 2;
	}
	struct vplat_canbus_config rc = {.bitrate = 500000, .data_bitrate = 2000000};
	struct vplat_canbus *ref = vplat_canbus_new(&rc);
	struct vplat_can_frame f = {.id = 0x123, .flags = fd ? VPLAT_VIRTIO_CAN_FLAGS_FD : 0,
				    .len = (uint8_t)len};
	double wire = 1e9 / (double)vplat_canbus_frame_ns(ref, &f);
	vplat_canbus_free(ref);
	printf("bench-can: %u-byte %s frames, %u frames per run; a real bus carries %.0f frames/s\n",
	       len, fd ? "CAN FD" : "classic", frames, wire);
	printf("%-6s %14s %16s %8s %12s %9s\n", "nodes", "bus frames/s", "floor frames/s",
	       "ratio", "deliveries/s", "overruns");
	unsigned list[2] = {2, 8}, nl = 2;
	if (nodes) {
		list[0] = nodes;
		nl = 1;
	}
	for (unsigned i = 0; i < nl; i++) {
		uint64_t moved, rx, lost;
		double r_bus = run_bus(list[i], frames, len, fd, &moved, &rx, &lost);
		if (r_bus < 0)
			return 1;
		double r_cpy = run_memcpy(list[i], moved, len);
		printf("%-6u %14.0f %16.0f %8.1f %12.0f %9llu\n", list[i], r_bus, r_cpy, r_cpy / r_bus,
		       r_bus * (double)rx / (double)moved, (unsigned long long)lost);
		if (rx + lost != moved * (list[i] - 1)) {
			fprintf(stderr, "bench-can: %llu deliveries + %llu lost for %llu frames\n",
				(unsigned long long)rx, (unsigned long long)lost,
				(unsigned long long)moved);
			return 1;
		}
	}
	if (lat_frames) {
		struct bh h, svc;
		bh_init(&h);
		bh_init(&svc);
		if (run_lat(len, fd, lat_rate, lat_frames, &h, &svc))
			return 1;
		printf("node 0 -> node 1, one frame at a time at %u frames/s (open loop):\n", lat_rate);
		bh_print_head(stdout);
		bh_print(stdout, "vplat can bus, from due time", &h);
		bh_print(stdout, "  (send to receive only)", &svc);
		if (machine)
			bh_print_machine(stdout, "can-frame vplat", &h);
	}
	return 0;
}
