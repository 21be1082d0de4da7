/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-interference: two VMs' block devices on one platform, in-process (vplat's validation
 * driver on the loopback backend, virtio-pci, split ring, io_uring host ends on images in the
 * same tmpfs), both served by ONE dispatch thread, as a daemon serving several VMs does:
 *
 *   critical VM: 4 KiB random reads, one at a time (queue depth 1); each request's latency
 *                from posting to its used-ring entry is one sample;
 *   noisy VM:    4 KiB random writes at queue depth 128, reposted as soon as they complete.
 *
 * Shared: the dispatch thread (bounded dispatch: a kick serves at most a queue size of
 * chains) and the backing store. Measured: alone, together unlimited, together with the noisy
 * device's rate limit (vplat_blk_set_ratelimit()). Numbers printed and written as JSON, never
 * judged (the machine is shared).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "blk_rig.h"

#define QD_NOISY BLK_RIG_QD
#define BS BLK_RIG_BS
#define MAXS (1u << 20)

static uint64_t clk(void *o)
{
	(void)o;
	return blk_rig_now_ns();
}

static int rig_up(struct blk_rig *r, const char *image)
{
	struct blk_rig_opts o = {.seed = 0x9e3779b97f4a7c15u ^ (uintptr_t)r};
	return blk_rig_up(r, image, &o);
}

/* Drain used entries; repost (noisy) or record the latency (critical). */
static bool drain(struct blk_rig *r, bool noisy, uint64_t *lat, uint64_t *nlat, bool repost)
{
	void *tok;
	bool any = false;
	while (vplat_val_vq_get_used(&r->vq, &tok, NULL) == 0) {
		unsigned i = (unsigned)(uintptr_t)tok - 1;
		r->done++;
		any = true;
		if (!noisy && *nlat < MAXS)
			lat[(*nlat)++] = blk_rig_now_ns() - r->slot[i].t_post;
		if (noisy && repost)
			blk_rig_post(r, i, true);
	}
	if (any && (noisy ? repost : false))
		vplat_val_vq_kick(&r->vq);
	return any;
}

static void unthrottle(struct blk_rig *r, uint64_t t)
{
	uint64_t ns = vplat_blk_throttle_ns(&r->blk);
	if (ns && !r->wait_until)
		r->wait_until = t + ns;
	if (r->wait_until && t >= r->wait_until) {
		r->wait_until = 0;
		vplat_blk_resume(&r->blk, 0);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct result {
	const char *name;
	double crit_iops, p50, p99, p999, noisy_iops;
};

static uint64_t lat[MAXS];

static int run(struct blk_rig *crit, struct blk_rig *noisy, uint64_t noisy_iops_limit, double seconds,
	       struct result *res)
{
	struct vplat_ratelimit_config rl = {.ops_rate = noisy_iops_limit, .ops_burst = 32};
	if (noisy && vplat_blk_set_ratelimit(&noisy->blk, &rl, clk, NULL) != 0)
		return -1;
	uint64_t nlat = 0, t0 = blk_rig_now_ns(), end = t0 + (uint64_t)(seconds * 1e9);
	crit->done = 0;
	if (noisy) {
		noisy->done = 0;
		for (unsigned i = 0; i < QD_NOISY; i++)
			blk_rig_post(noisy, i, true);
		vplat_val_vq_kick(&noisy->vq);
	}
	blk_rig_post(crit, 0, false);
	vplat_val_vq_kick(&crit->vq);
	bool crit_busy = true;
	for (;;) {
		uint64_t t = blk_rig_now_ns();
		bool stop = t >= end;
		bool any = false;
		if (drain(crit, false, lat, &nlat, false)) {
			any = true;
			crit_busy = false;
			if (!stop) {
				blk_rig_post(crit, 0, false);
				vplat_val_vq_kick(&crit->vq);
				crit_busy = true;
			}
		}
		if (noisy) {
			any |= drain(noisy, true, NULL, NULL, !stop);
			unthrottle(noisy, t);
			any |= vplat_blk_aio_poll(&noisy->aio) > 0;
		}
		any |= vplat_blk_aio_poll(&crit->aio) > 0;
		if (stop && !crit_busy)
			break;
		if (!any) {
			struct pollfd p[2] = {{.fd = vplat_blk_aio_fd(&crit->aio), .events = POLLIN},
					      {.fd = noisy ? vplat_blk_aio_fd(&noisy->aio) : -1,
					       .events = POLLIN}};
			struct timespec ts = {0, 20000};
			ppoll(p, 2, &ts, NULL);
		}
	}
	double el = (double)(blk_rig_now_ns() - t0) / 1e9;
	if (noisy) { /* let the noisy queue empty before the next run */
		rl.ops_rate = 0;
		vplat_blk_set_ratelimit(&noisy->blk, &rl, clk, NULL);
		vplat_blk_resume(&noisy->blk, 0);
		noisy->wait_until = 0;
		uint64_t until = blk_rig_now_ns() + 2000000000u;
		uint64_t want = 0;
		while (blk_rig_now_ns() < until) {
			drain(noisy, true, NULL, NULL, false);
			vplat_blk_aio_poll(&noisy->aio);
			struct vplat_val_vq *q = &noisy->vq;
			(void)q;
			if (++want > 100000)
				break;
		}
	}
	qsort(lat, nlat, sizeof(uint64_t), cmp_u64);
	res->crit_iops = (double)crit->done / el;
	res->noisy_iops = noisy ? (double)noisy->done / el : 0;
	res->p50 = nlat ? (double)lat[nlat / 2] / 1e3 : 0;
	res->p99 = nlat ? (double)lat[nlat * 99 / 100] / 1e3 : 0;
	res->p999 = nlat ? (double)lat[nlat * 999 / 1000] / 1e3 : 0;
	printf("%-26s critical %8.0f IOPS p50 %7.1f p99 %7.1f p99.9 %8.1f us | noisy %8.0f IOPS\n",
	       res->name, res->crit_iops, res->p50, res->p99, res->p999, res->noisy_iops);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = 2;
	const char *json = NULL;
	uint64_t limit = 2000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			printf("usage: bench-interference [--seconds S] [--limit IOPS] [--json FILE]\n");
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("bench-interference %s\n", vplat_version());
			return 0;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--seconds"))
			seconds = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--json"))
			json = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--limit"))
			limit = strtoull(argv[++i], NULL, 0);
	}
	char ic[64], in[64];
	snprintf(ic, sizeof(ic), "/dev/shm/vplat-intf-crit-%d.img", (int)getpid());
	snprintf(in, sizeof(in), "/dev/shm/vplat-intf-noisy-%d.img", (int)getpid());
	static struct blk_rig crit, noisy;
	int rc = 1;
	if (blk_rig_make_image(ic, 32u << 20) || blk_rig_make_image(in, 32u << 20) || rig_up(&crit, ic) ||
	    rig_up(&noisy, in)) {
		fprintf(stderr, "bench-interference: setup failed\n");
		goto out;
	}
	struct result r[3] = {{.name = "alone"},
			      {.name = "together, unlimited"},
			      {.name = "together, noisy limited"}};
	printf("block: critical QD1 4 KiB reads, noisy QD%u 4 KiB writes, one dispatch thread, "
	       "%.1f s per run, noisy limit %llu IOPS\n", QD_NOISY, seconds,
	       (unsigned long long)limit);
	if (run(&crit, NULL, 0, seconds, &r[0]) || run(&crit, &noisy, 0, seconds, &r[1]) ||
	    run(&crit, &noisy, limit, seconds, &r[2]))
		goto out;
	if (json) {
		FILE *f = fopen(json, "w");
		if (!f)
			goto out;
		fprintf(f, "{\n  \"tool\": \"bench-interference %s\",\n  \"scenario\": \"block\",\n"
			   "  \"seconds_per_run\": %.1f,\n  \"noisy_limit_iops\": %llu,\n  \"runs\": [\n",
			vplat_version(), seconds, (unsigned long long)limit);
		for (int i = 0; i < 3; i++)
			fprintf(f, "    {\"name\": \"%s\", \"critical_iops\": %.0f, \"p50_us\": %.1f, "
				   "\"p99_us\": %.1f, \"p999_us\": %.1f, \"noisy_iops\": %.0f}%s\n",
				r[i].name, r[i].crit_iops, r[i].p50, r[i].p99, r[i].p999,
				r[i].noisy_iops, i == 2 ? "" : ",");
		fprintf(f, "  ],\n  \"isolation_p99\": %.3f,\n  \"interference_p99\": %.3f\n}\n",
			r[2].p99 / r[0].p99, r[1].p99 / r[0].p99);
		fclose(f);
	}
	printf("critical p99: alone %.1f us, together unlimited %.1f us (x%.2f), limited %.1f us "
	       "(x%.2f)\n", r[0].p99, r[1].p99, r[1].p99 / r[0].p99, r[2].p99, r[2].p99 / r[0].p99);
	rc = 0;
out:
	blk_rig_down(&crit);
	blk_rig_down(&noisy);
	unlink(ic);
	unlink(in);
	return rc;
}
