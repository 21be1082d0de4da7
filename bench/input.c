/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/input: input event latency and rate through the virtio input device on the in-process
 * loopback (virtio-mmio, split rings), driven by the validation driver.
 *
 * One update is what a keyboard sends for a key press: EV_KEY and EV_SYN/SYN_REPORT, two
 * eventq buffers of 8 bytes (as Linux's virtio_input posts them). The latency of an update is
 * timed from the host end's vplat_input_send() of the first event to the driver holding both
 * used buffers (device, ring, driver; no interrupt path, no scheduler: the in-process floor of
 * the device's own cost). The driver then gives the buffers back. A second figure times a
 * touch update (6 events) and the rate at which updates go through. Numbers are printed, not
 * judged.
 *
 * With --socket PATH the driver is vplat's vhost-user front end (another process's view of
 * the device, as QEMU's) on a `vplat-device input` that runs the script
 * "wait-status / key 31 1 / syn / wait-status / key 31 0 / syn / repeat 0": each round trip is
 * an LED event written to the statusq, the daemon's script answering with an update, and the
 * update's SYN_REPORT read from the eventq (two crossings between the processes, the daemon's
 * poll loop and its host end included). The driver spins on the used rings (no interrupts).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/input.h"
#include "vplat/vplat.h"
#include "vplat/host/input_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "vplat/val/vhost_user_frontend.h"

#define NBUF 64

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const struct vplat_input_host_ops no_host;

struct rig {
	struct vplat_loopback lb;
	struct vplat_input d;
	struct vplat_input_caps caps;
	struct vplat_val_dev v;
	struct vplat_val_vq evq, stq;
	struct vplat_val_buf b[NBUF];
};

static void rig_up(struct rig *g)
{
	vplat_input_preset_keyboard(&g->caps);
	vplat_input_preset_touch(&g->caps, 1920, 1080, 2);
	g->caps.name = "bench";
	if (vplat_loopback_init(&g->lb, VPLAT_LOOPBACK_MMIO, 1u << 20) ||
	    vplat_input_init(&g->d, vplat_loopback_mem(&g->lb), &g->caps, &no_host, NULL) ||
	    vplat_loopback_attach(&g->lb, vplat_input_device(&g->d)) ||
	    vplat_loopback_val_init(&g->lb, &g->v) ||
	    vplat_val_negotiate(&g->v, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)) ||
	    vplat_val_vq_setup(&g->v, &g->evq, 0, NBUF) || vplat_val_vq_setup(&g->v, &g->stq, 1, 8) ||
	    vplat_val_driver_ok(&g->v)) {
		fprintf(stderr, "bench-input: set-up failed\n");
		exit(1);
	}
	vplat_val_vq_set_interrupts(&g->evq, false);
	for (unsigned i = 0; i < NBUF; i++) {
		uint64_t gpa;
		g->b[i].ptr = vplat_val_alloc(vplat_loopback_dma(&g->lb), 8, 8, &gpa);
		g->b[i].len = 8;
		if (!g->b[i].ptr || vplat_val_vq_add(&g->evq, &g->b[i], 0, 1, &g->b[i]))
			abort();
	}
	vplat_val_vq_kick(&g->evq);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* @p n updates of @p k events (the last one SYN_REPORT); per-update latencies into @p lat. */
static void run(struct rig *g, unsigned long n, unsigned k, uint64_t *lat)
{
	for (unsigned long i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		for (unsigned e = 0; e + 1 < k; e++)
			(void)vplat_input_send(&g->d, VPLAT_EV_ABS, (uint16_t)e, (int32_t)(i & 1023));
		(void)vplat_input_send(&g->d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0);
		void *tok[8];
		uint32_t len;
		for (unsigned e = 0; e < k; e++)
			if (vplat_val_vq_get_used(&g->evq, &tok[e], &len) || len != 8)
				abort(); /* synchronous device: the update is there */
		if (lat)
			lat[i] = now_ns() - t0;
		for (unsigned e = 0; e < k; e++)
			if (vplat_val_vq_add(&g->evq, tok[e], 0, 1, tok[e]))
				abort();
		vplat_val_vq_kick(&g->evq);
	}
}

static void report(const char *what, uint64_t *lat, unsigned long n, unsigned k)
{
	uint64_t sum = 0;
	for (unsigned long i = 0; i < n; i++)
		sum += lat[i];
	qsort(lat, n, sizeof(lat[0]), cmp);
	printf("  %s (%u events): median %llu ns, p99 %llu ns, mean %llu ns; %.0f events/s\n", what,
	       k, (unsigned long long)lat[n / 2], (unsigned long long)lat[n * 99 / 100],
	       (unsigned long long)(sum / n), (double)n * k * 1e9 / (double)sum);
}

/* Round trips against a vplat-device input daemon at @p path. */
static int run_socket(const char *path, unsigned long n)
{
	static struct vplat_vhu_frontend fe;
	static struct vplat_val_dev d;
	static struct vplat_val_vq evq, stq;
	struct vplat_vhu_frontend_params prm = {.path = path, .device_id = VPLAT_VIRTIO_ID_INPUT,
						.num_queues = 2, .timeout_ms = 3000};
	if (vplat_vhu_frontend_init(&fe, &prm) || vplat_vhu_frontend_val_init(&fe, &d) ||
	    vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)) ||
	    vplat_val_vq_setup(&d, &evq, 0, NBUF) || vplat_val_vq_setup(&d, &stq, 1, 8) ||
	    vplat_val_driver_ok(&d)) {
		fprintf(stderr, "bench-input: cannot drive the device at %s\n", path);
		return 1;
	}
	struct vplat_val_mem *mem = vplat_vhu_frontend_dma(&fe);
	uint64_t gpa;
	for (unsigned i = 0; i < NBUF; i++) {
		void *p = vplat_val_alloc(mem, 8, 8, &gpa);
		struct vplat_val_buf b = {.ptr = p, .len = 8};
		if (!p || vplat_val_vq_add(&evq, &b, 0, 1, p))
			return 1;
	}
	vplat_val_vq_kick(&evq);
	struct vplat_virtio_input_event *led = vplat_val_alloc(mem, 8, 8, &gpa);
	uint64_t *lat = calloc(n, sizeof(*lat));
	if (!led || !lat)
		return 1;
	for (unsigned long i = 0; i < n; i++) {
		led->type = vplat_cpu_to_le16(VPLAT_EV_LED);
		led->code = 0;
		led->value = vplat_cpu_to_le32((uint32_t)(i & 1));
		struct vplat_val_buf b = {.ptr = led, .len = 8};
		uint64_t t0 = now_ns();
		if (vplat_val_vq_add(&stq, &b, 1, 0, led))
			return 1;
		vplat_val_vq_kick(&stq);
		bool syn = false;
		while (!syn) {
			void *tok;
			uint32_t len;
			if (vplat_val_vq_get_used(&evq, &tok, &len) != 0) {
				if (now_ns() - t0 > 5000000000u) {
					fprintf(stderr, "bench-input: no update within 5 s of a status "
							"event (is the daemon running the ping script?)\n");
					return 1;
				}
				continue;
			}
			const struct vplat_virtio_input_event *e = tok;
			syn = vplat_le16_to_cpu(e->type) == VPLAT_EV_SYN;
			if (syn)
				lat[i] = now_ns() - t0;
			if (vplat_val_vq_add(&evq, &(struct vplat_val_buf){.ptr = tok, .len = 8}, 0, 1,
					     tok))
				return 1;
			vplat_val_vq_kick(&evq);
		}
		void *tok;
		uint32_t len;
		while (vplat_val_vq_get_used(&stq, &tok, &len) != 0) {
		}
	}
	printf("bench-input: %lu round trips against %s (vhost-user, split ring)\n", n, path);
	report("LED status -> key update (2 events) round trip", lat, n, 2);
	free(lat);
	vplat_val_vq_fini(&evq);
	vplat_val_vq_fini(&stq);
	vplat_vhu_frontend_fini(&fe);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n = 200000;
	const char *sock = NULL;
	static const struct option opts[] = {{"updates", required_argument, NULL, 'u'},
					     {"socket", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "u:s:h", opts, NULL)) != -1) {
		if (c == 'u')
			n = strtoul(optarg, NULL, 0);
		else if (c == 's')
			sock = optarg;
		else {
			printf("usage: bench-input [--updates N] [--socket PATH]\n"
			       "  input event latency (host end send to driver) through the virtio\n"
			       "  input device on the loopback; with --socket, round trips (LED\n"
			       "  status -> update) against `vplat-device input --script` running\n"
			       "  wait-status/key 31 1/syn/wait-status/key 31 0/syn/repeat 0\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (n < 100)
		n = 100;
	if (sock)
		return run_socket(sock, n);
	static struct rig g;
	rig_up(&g);
	uint64_t *lat = calloc(n, sizeof(*lat));
	if (!lat)
		return 1;
	run(&g, n / 10, 2, NULL); /* warm-up */
	printf("bench-input: %lu updates, virtio-mmio split ring, loopback (in process)\n", n);
	run(&g, n, 2, lat);
	report("key update", lat, n, 2);
	run(&g, n, 6, lat);
	report("touch update", lat, n, 6);
	if (g.d.stats.dropped || g.d.stats.malformed) {
		fprintf(stderr, "bench-input: %llu dropped, %llu malformed\n",
			(unsigned long long)g.d.stats.dropped, (unsigned long long)g.d.stats.malformed);
		return 1;
	}
	free(lat);
	vplat_val_vq_fini(&g.evq);
	vplat_val_vq_fini(&g.stq);
	vplat_loopback_fini(&g.lb);
	return 0;
}
