/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/ring: device-side chains per second through split and packed rings, in-process,
 * next to the physical floor: a memcpy of the same descriptor bytes, timed in bulk.
 *
 * For each layout the driver side (this program) fills the whole ring with chains of
 * --chain-len descriptors; the timed section is the device side only: vplat_vq_pop() of every
 * chain, vplat_vq_push() and one vplat_vq_interrupt() per batch. The floor copies the same
 * descriptors (16 bytes each) out of the same table with memcpy, the least work any device
 * must do to read them, over many iterations with one clock read per 1000 copies (so the
 * clock costs nothing). It is a floor, not a peer: no implementation can go below it, and
 * none is measured here. The ratio is ring time / floor time: how many copies of its
 * descriptors one chain through vplat's checked walker costs.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/device.h"
#include "vplat/error.h"

#define GPA UINT64_C(0x100000)

struct bench {
	uint8_t *ram;
	size_t ram_size;
	struct vplat_mem_region regs[1];
	struct vplat_mem mem;
	struct vplat_device dev;
	struct vplat_vq vq;
	uint16_t qsize, chain_len;
	bool packed;
	uint64_t desc, drv, dev_area, bufs;
	/* driver state */
	uint16_t avail_idx, slot;
	bool wrap;
};

static void nop_kick(struct vplat_device *d, struct vplat_vq *q)
{
	(void)d;
	(void)q;
}
static void nop_used(struct vplat_device *d, struct vplat_vq *q)
{
	(void)d;
	(void)q;
}
static void nop_cfg(struct vplat_device *d)
{
	(void)d;
}
static const struct vplat_interrupt_ops nops = {nop_used, nop_cfg};
static const struct vplat_device_ops ops = {.name = "bench", .device_id = 0x7d,
					    .queue_notify = nop_kick};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *hva(struct bench *b, uint64_t gpa)
{
	return b->ram + (gpa - GPA);
}

static int setup(struct bench *b, bool packed, uint16_t qsize, uint16_t chain_len)
{
	memset(b, 0, sizeof(*b));
	b->packed = packed;
	b->qsize = qsize;
	b->chain_len = chain_len;
	b->ram_size = (size_t)qsize * 16 * 2 + 0x10000 + (size_t)qsize * chain_len * 64;
	b->ram = aligned_alloc(4096, (b->ram_size + 4095) & ~(size_t)4095);
	if (!b->ram)
		return -1;
	memset(b->ram, 0, b->ram_size);
	b->desc = GPA;
	b->drv = GPA + (uint64_t)qsize * 16;
	b->dev_area = b->drv + 0x8000;
	b->bufs = b->dev_area + 0x8000;
	vplat_mem_init(&b->mem, b->regs, 1);
	vplat_mem_add(&b->mem, GPA, b->ram_size, b->ram);
	vplat_device_init(&b->dev, &ops, b, &b->mem, &b->vq, 1, qsize, NULL, 0);
	vplat_device_attach(&b->dev, &nops, NULL);
	vplat_device_set_status(&b->dev, 3);
	vplat_device_set_driver_features64(
		&b->dev, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
				 (packed ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0));
	vplat_device_set_status(&b->dev, 0xb);
	b->vq.size = qsize;
	b->vq.desc_addr = b->desc;
	b->vq.driver_addr = b->drv;
	b->vq.device_addr = b->dev_area;
	if (vplat_device_queue_enable(&b->dev, 0) || vplat_device_set_status(&b->dev, 0xf))
		return -1;
	b->wrap = true;
	/* Split: the descriptor table never changes; chain k uses descriptors k*len.. */
	if (!packed) {
		struct vplat_virtq_desc *t = hva(b, b->desc);
		for (uint32_t i = 0; i < qsize; i++) {
			bool last = (i % chain_len) == (uint32_t)chain_len - 1;
			t[i].addr = b->bufs + (uint64_t)i * 64;
			t[i].len = 64;
			t[i].flags = (uint16_t)((last ? 0 : VPLAT_VIRTQ_DESC_F_NEXT) |
						(last ? VPLAT_VIRTQ_DESC_F_WRITE : 0));
			t[i].next = (uint16_t)(i + 1);
		}
	}
	return 0;
}

/* Driver: make a full ring of chains available (not timed). */
static unsigned refill(struct bench *b)
{
	unsigned chains = b->qsize / b->chain_len;
	if (!b->packed) {
		struct vplat_virtq_avail *a = hva(b, b->drv);
		for (unsigned k = 0; k < chains; k++)
			a->ring[(b->avail_idx + k) & (b->qsize - 1)] = (uint16_t)(k * b->chain_len);
		b->avail_idx = (uint16_t)(b->avail_idx + chains);
		__atomic_store_n(&a->idx, b->avail_idx, __ATOMIC_RELEASE);
		return chains;
	}
	struct vplat_pvirtq_desc *r = hva(b, b->desc);
	for (unsigned k = 0; k < chains; k++) {
		for (unsigned j = 0; j < b->chain_len; j++) {
			bool last = j == b->chain_len - 1u;
			uint16_t fl = (uint16_t)((last ? VPLAT_VIRTQ_DESC_F_WRITE : VPLAT_VIRTQ_DESC_F_NEXT) |
						 (b->wrap ? VPLAT_VIRTQ_DESC_F_AVAIL : VPLAT_VIRTQ_DESC_F_USED));
			r[b->slot].addr = b->bufs + (uint64_t)b->slot * 64;
			r[b->slot].len = 64;
			r[b->slot].id = (uint16_t)k;
			__atomic_store_n(&r[b->slot].flags, fl, __ATOMIC_RELEASE);
			if (++b->slot == b->qsize) {
				b->slot = 0;
				b->wrap = !b->wrap;
			}
		}
	}
	return chains;
}

static double run_ring(struct bench *b, unsigned iters, uint64_t *nchains)
{
	struct vplat_iov iov[64];
	struct vplat_chain c = {.iov = iov, .iov_cap = 64};
	double t = 0;
	*nchains = 0;
	for (unsigned it = 0; it < iters; it++) {
		unsigned want = refill(b);
		double t0 = now();
		for (unsigned k = 0; k < want; k++) {
			if (vplat_vq_pop(&b->vq, &c) != 0) {
				fprintf(stderr, "ring: unexpected pop failure\n");
				exit(1);
			}
			vplat_vq_push(&b->vq, &c, 0);
		}
		vplat_vq_interrupt(&b->vq);
		t += now() - t0;
		*nchains += want;
	}
	return t;
}

/* The floor: @p iters copies of the ring's descriptor table, one clock read per 1000. */
static double run_floor(struct bench *b, unsigned iters, uint64_t *nchains)
{
	unsigned chains = b->qsize / b->chain_len;
	size_t bytes = (size_t)chains * b->chain_len * 16;
	uint8_t *dst = malloc(bytes);
	const uint8_t *src = hva(b, b->desc);
	double t = 0;
	*nchains = 0;
	for (unsigned it = 0; it < iters;) {
		unsigned n = iters - it < 1000 ? iters - it : 1000;
		double t0 = now();
		for (unsigned k = 0; k < n; k++) {
			memcpy(dst, src, bytes);
			__asm__ volatile("" : : "r"(dst) : "memory"); /* keep every copy */
		}
		t += now() - t0;
		it += n;
		*nchains += (uint64_t)chains * n;
	}
	free(dst);
	return t;
}

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    bench-ring - chains per second through vplat's split and packed virtqueues\n\n"
	      "SYNOPSIS\n"
	      "    bench-ring [--queue-size N] [--chain-len N] [--iterations N] [--layout L]\n\n"
	      "DESCRIPTION\n"
	      "    Fills a ring of N entries with chains of --chain-len descriptors (64-byte\n"
	      "    buffers, the last device-writable), then times the device side: pop, push\n"
	      "    and one notification check per ring. In the same run it times the floor, a\n"
	      "    memcpy of the same descriptor bytes timed in bulk (one clock read per 1000\n"
	      "    copies; a floor, not a peer), and prints ns per chain for both and the ratio\n"
	      "    ring-time / floor-time.\n\n"
	      "OPTIONS\n"
	      "    --queue-size N   ring entries (default 256; power of two for split)\n"
	      "    --chain-len N    descriptors per chain (default 1)\n"
	      "    --iterations N   rings processed per layout (default 20000)\n"
	      "    --layout L       split, packed or both (default both)\n"
	      "    -h, --help       this text\n\n"
	      "EXIT STATUS\n"
	      "    0 on success, 1 on a failure, 2 on bad arguments.\n",
	      out);
}

int main(int argc, char **argv)
{
	unsigned qsize = 256, chain_len = 1, iters = 20000;
	const char *layout = "both";
	static const struct option longopts[] = {{"queue-size", required_argument, 0, 'q'},
						 {"chain-len", required_argument, 0, 'c'},
						 {"iterations", required_argument, 0, 'i'},
						 {"layout", required_argument, 0, 'l'},
						 {"help", no_argument, 0, 'h'},
						 {0, 0, 0, 0}};
	int o;
	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end = NULL;
		unsigned long v = 0;
		if (o != 'h' && o != 'l') {
			v = strtoul(optarg, &end, 0);
			if (!*optarg || *end || v == 0 || v > 32768) {
				fprintf(stderr, "bench-ring: bad value '%s' for --%s\n", optarg,
					longopts[o == 'q' ? 0 : o == 'c' ? 1 : 2].name);
				return 2;
			}
		}
		switch (o) {
		case 'q': qsize = (unsigned)v; break;
		case 'c': chain_len = (unsigned)v; break;
		case 'i': iters = (unsigned)v; break;
		case 'l': layout = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (strcmp(layout, "split") && strcmp(layout, "packed") && strcmp(layout, "both")) {
		fprintf(stderr, "bench-ring: --layout must be split, packed or both\n");
		return 2;
	}
	if (chain_len > qsize || chain_len > 64) {
		fprintf(stderr, "bench-ring: --chain-len must be at most the queue size and 64\n");
		return 2;
	}
	printf("bench-ring: queue %u, chain %u descriptor(s), %u rings per layout\n", qsize,
	       chain_len, iters);
	printf("%-7s %14s %12s %16s %8s\n", "layout", "ring chains/s", "ns/chain",
	       "floor ns/chain", "ratio");
	for (int packed = 0; packed < 2; packed++) {
		if ((packed && !strcmp(layout, "split")) || (!packed && !strcmp(layout, "packed")))
			continue;
		struct bench b;
		if (!packed && (qsize & (qsize - 1))) {
			fprintf(stderr, "bench-ring: split rings need a power-of-two size\n");
			return 2;
		}
		if (setup(&b, packed, (uint16_t)qsize, (uint16_t)chain_len) != 0) {
			fprintf(stderr, "bench-ring: setup failed\n");
			return 1;
		}
		uint64_t n_ring, n_copy;
		double t_ring = run_ring(&b, iters, &n_ring);
		double t_copy = run_floor(&b, iters, &n_copy);
		double r_ring = (double)n_ring / t_ring;
		double ns_ring = t_ring * 1e9 / (double)n_ring, ns_copy = t_copy * 1e9 / (double)n_copy;
		printf("%-7s %14.0f %12.2f %16.2f %8.1f\n", packed ? "packed" : "split", r_ring,
		       ns_ring, ns_copy, ns_ring / ns_copy);
		free(b.ram);
	}
	return 0;
}
