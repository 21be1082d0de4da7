/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/i2c: I2C transfers per second through the virtio I2C adapter device on the in-process
 * loopback (virtio-mmio, split rings) and the simulated bus, driven by the validation driver.
 *
 * One transfer is what Linux's lm75 driver sends to read the temperature (SMBus "read word
 * data" through i2c-virtio): a group of two requests, a 1-byte register write with FAIL_NEXT
 * and a 2-byte read. The driver queues a batch of transfers, kicks once and collects every
 * completion; the timed section covers driver, device, bus model. Each request is one indirect
 * descriptor of three entries, as Linux's virtio core sends it. A second figure runs one
 * transfer per kick (the way i2c-virtio sends them: it waits for each transfer). Numbers are
 * printed, not judged.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/i2c.h"
#include "vplat/vplat.h"
#include "vplat/host/i2c_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define BATCH 32 /* transfers per kick (64 requests, indirect, in a 128-entry ring) */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct rig {
	struct vplat_loopback lb;
	struct vplat_i2c d;
	struct vplat_i2c_sim *sim;
	struct vplat_val_dev v;
	struct vplat_val_vq rq;
	struct vplat_val_buf w[BATCH][3], r[BATCH][3];
	uint8_t *rd[BATCH];
};

static void *dma(struct rig *g, uint32_t len)
{
	uint64_t gpa;
	void *p = vplat_val_alloc(vplat_loopback_dma(&g->lb), len, 8, &gpa);
	if (!p)
		abort();
	return p;
}

static void rig_up(struct rig *g)
{
	g->sim = vplat_i2c_sim_new();
	if (!g->sim || vplat_i2c_sim_add_lm75(g->sim, 0x48, 23500) ||
	    vplat_loopback_init(&g->lb, VPLAT_LOOPBACK_MMIO, 1u << 20) ||
	    vplat_i2c_init(&g->d, vplat_loopback_mem(&g->lb), &vplat_i2c_host_sim, g->sim) ||
	    vplat_loopback_attach(&g->lb, vplat_i2c_device(&g->d)) ||
	    vplat_loopback_val_init(&g->lb, &g->v) ||
	    vplat_val_negotiate(&g->v, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					   VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC) |
					   VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST)) ||
	    vplat_val_vq_setup(&g->v, &g->rq, 0, 128) ||
	    vplat_val_vq_use_indirect(&g->rq, true) || vplat_val_driver_ok(&g->v)) {
		fprintf(stderr, "bench-i2c: set-up failed\n");
		exit(1);
	}
	vplat_val_vq_set_interrupts(&g->rq, false);
	for (unsigned i = 0; i < BATCH; i++) {
		struct vplat_virtio_i2c_out_hdr *hw = dma(g, 8), *hr = dma(g, 8);
		hw->addr = hr->addr = vplat_cpu_to_le16(0x48 << 1);
		hw->flags = vplat_cpu_to_le32(VPLAT_VIRTIO_I2C_FLAGS_FAIL_NEXT);
		hr->flags = vplat_cpu_to_le32(VPLAT_VIRTIO_I2C_FLAGS_M_RD);
		uint8_t *reg = dma(g, 1);
		g->rd[i] = dma(g, 2);
		g->w[i][0] = (struct vplat_val_buf){.ptr = hw, .len = 8};
		g->w[i][1] = (struct vplat_val_buf){.ptr = reg, .len = 1};
		g->w[i][2] = (struct vplat_val_buf){.ptr = dma(g, 1), .len = 1};
		g->r[i][0] = (struct vplat_val_buf){.ptr = hr, .len = 8};
		g->r[i][1] = (struct vplat_val_buf){.ptr = g->rd[i], .len = 2};
		g->r[i][2] = (struct vplat_val_buf){.ptr = dma(g, 1), .len = 1};
	}
}

/* Run @p total transfers, @p batch per kick; returns transfers/s. */
static double run(struct rig *g, unsigned long total, unsigned batch)
{
	unsigned long done = 0;
	double t0 = now();
	while (done < total) {
		for (unsigned i = 0; i < batch; i++) {
			if (vplat_val_vq_add(&g->rq, g->w[i], 2, 1, &g->w[i]) ||
			    vplat_val_vq_add(&g->rq, g->r[i], 1, 2, &g->r[i]))
				abort();
		}
		vplat_val_vq_kick(&g->rq);
		void *tok;
		uint32_t len;
		for (unsigned i = 0; i < 2 * batch; i++)
			if (vplat_val_vq_get_used(&g->rq, &tok, &len))
				abort(); /* synchronous device: everything is back */
		done += batch;
	}
	double dt = now() - t0;
	if (g->rd[0][0] != 23 || g->d.stats.errors) { /* 23.5 C: 0x17 0x80 */
		fprintf(stderr, "bench-i2c: wrong data (0x%02x) or %llu errors\n", g->rd[0][0],
			(unsigned long long)g->d.stats.errors);
		exit(1);
	}
	return (double)done / dt;
}

int main(int argc, char **argv)
{
	unsigned long total = 2000000;
	static const struct option opts[] = {{"transfers", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		if (c == 't')
			total = strtoul(optarg, NULL, 0);
		else {
			printf("usage: bench-i2c [--transfers N]\n"
			       "  I2C transfers/s (SMBus read word: write 1 + read 2 bytes, one group)\n"
			       "  through the virtio I2C device on the loopback and the simulated LM75\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (total < BATCH)
		total = BATCH;
	static struct rig g;
	rig_up(&g);
	(void)run(&g, total / 10 + BATCH, BATCH); /* warm-up */
	double batched = run(&g, total, BATCH);
	double single = run(&g, total / 4 + 1, 1);
	printf("bench-i2c: %lu transfers (SMBus read word, lm75 at 0x48), virtio-mmio split ring\n",
	       total);
	printf("  %u transfers per kick: %.0f transfers/s (%.0f requests/s)\n", BATCH, batched,
	       2 * batched);
	printf("  1 transfer per kick:   %.0f transfers/s\n", single);
	vplat_val_vq_fini(&g.rq);
	vplat_loopback_fini(&g.lb);
	vplat_i2c_sim_free(g.sim);
	return 0;
}
