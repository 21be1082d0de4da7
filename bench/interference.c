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
#include "vplat/host/blk_file.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define QD_NOISY 128u
#define BS 4096u
#define MAXS (1u << 20)

struct slot {
	struct vplat_virtio_blk_req_hdr *hdr;
	uint8_t *data;
	uint8_t *status;
	uint64_t t_post;
};

struct rig {
	struct vplat_loopback lb;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[QD_NOISY];
	struct vplat_blk_file file;
	struct vplat_blk_aio aio;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	struct slot slot[QD_NOISY];
	uint64_t blocks, rng, done;
	uint64_t wait_until; /* throttled until (ns), 0 = not */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clk(void *o)
{
	(void)o;
	return now_ns();
}

static int make_image(const char *path, uint64_t bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	int rc = ftruncate(fd, (off_t)bytes);
	static uint8_t buf[1 << 16];
	memset(buf, 0x5a, sizeof(buf));
	for (uint64_t off = 0; rc == 0 && off < bytes; off += sizeof(buf))
		if (pwrite(fd, buf, sizeof(buf), (off_t)off) != (ssize_t)sizeof(buf))
			rc = -1;
	close(fd);
	return rc;
}

static int rig_up(struct rig *r, const char *image)
{
	memset(r, 0, sizeof(*r));
	r->rng = 0x9e3779b97f4a7c15u ^ (uintptr_t)r;
	if (vplat_blk_file_open(&r->file, image, 0) != 0)
		return -1;
	r->blocks = r->file.size / BS;
	if (vplat_blk_aio_init(&r->aio, &r->file, QD_NOISY, 0))
		return -1;
	struct vplat_blk_config c = {.writeback = true, .queue_size = 256};
	vplat_blk_file_config(&r->file, &c);
	if (vplat_loopback_init(&r->lb, VPLAT_LOOPBACK_PCI, 16u << 20) ||
	    vplat_blk_init(&r->blk, vplat_loopback_mem(&r->lb), &c, &vplat_blk_host_aio, &r->aio,
			   r->reqs, QD_NOISY) ||
	    vplat_loopback_attach(&r->lb, vplat_blk_device(&r->blk)) ||
	    vplat_loopback_val_init(&r->lb, &r->d) ||
	    vplat_val_negotiate(&r->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					       VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH)) ||
	    vplat_val_vq_setup(&r->d, &r->vq, 0, 256) || vplat_val_driver_ok(&r->d))
		return -1;
	struct vplat_val_mem *dma = vplat_loopback_dma(&r->lb);
	for (unsigned i = 0; i < QD_NOISY; i++) {
		r->slot[i].hdr = vplat_val_alloc(dma, sizeof(*r->slot[i].hdr), 16, NULL);
		r->slot[i].data = vplat_val_alloc(dma, BS, 4096, NULL);
		r->slot[i].status = vplat_val_alloc(dma, 1, 1, NULL);
		if (!r->slot[i].hdr || !r->slot[i].data || !r->slot[i].status)
			return -1;
	}
	return 0;
}

static void rig_down(struct rig *r)
{
	vplat_val_vq_fini(&r->vq);
	vplat_blk_aio_fini(&r->aio);
	vplat_blk_file_close(&r->file);
	vplat_loopback_fini(&r->lb);
}

static void post(struct rig *r, unsigned i, bool write)
{
	struct slot *s = &r->slot[i];
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	s->hdr->type = vplat_cpu_to_le32(write ? VPLAT_VIRTIO_BLK_T_OUT : VPLAT_VIRTIO_BLK_T_IN);
	s->hdr->sector = vplat_cpu_to_le64((r->rng % r->blocks) * (BS / 512));
	struct vplat_val_buf b[3] = {{.ptr = s->hdr, .len = 16}, {.ptr = s->data, .len = BS},
				     {.ptr = s->status, .len = 1}};
	s->t_post = now_ns();
	vplat_val_vq_add(&r->vq, b, write ? 2 : 1, write ? 1 : 2, (void *)(uintptr_t)(i + 1));
}

/* Drain used entries; repost (noisy) or record the latency (critical). */
static bool drain(struct rig *r, bool noisy, uint64_t *lat, uint64_t *nlat, bool repost)
{
	void *tok;
	bool any = false;
	while (vplat_val_vq_get_used(&r->vq, &tok, NULL) == 0) {
		unsigned i = (unsigned)(uintptr_t)tok - 1;
		r->done++;
		any = true;
		if (!noisy && *nlat < MAXS)
			lat[(*nlat)++] = now_ns() - r->slot[i].t_post;
		if (noisy && repost)
			post(r, i, true);
	}
	if (any && (noisy ? repost : false))
		vplat_val_vq_kick(&r->vq);
	return any;
}

static void unthrottle(struct rig *r, uint64_t t)
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

static int run(struct rig *crit, struct rig *noisy, uint64_t noisy_iops_limit, double seconds,
	       struct result *res)
{
	struct vplat_ratelimit_config rl = {.ops_rate = noisy_iops_limit, .ops_burst = 32};
	if (noisy && vplat_blk_set_ratelimit(&noisy->blk, &rl, clk, NULL) != 0)
		return -1;
	uint64_t nlat = 0, t0 = now_ns(), end = t0 + (uint64_t)(seconds * 1e9);
	crit->done = 0;
	if (noisy) {
		noisy->done = 0;
		for (unsigned i = 0; i < QD_NOISY; i++)
			post(noisy, i, true);
		vplat_val_vq_kick(&noisy->vq);
	}
	post(crit, 0, false);
	vplat_val_vq_kick(&crit->vq);
	bool crit_busy = true;
	for (;;) {
		uint64_t t = now_ns();
		bool stop = t >= end;
		bool any = false;
		if (drain(crit, false, lat, &nlat, false)) {
			any = true;
			crit_busy = false;
			if (!stop) {
				post(crit, 0, false);
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
	double el = (double)(now_ns() - t0) / 1e9;
	if (noisy) { /* let the noisy queue empty before the next run */
		rl.ops_rate = 0;
		vplat_blk_set_ratelimit(&noisy->blk, &rl, clk, NULL);
		vplat_blk_resume(&noisy->blk, 0);
		noisy->wait_until = 0;
		uint64_t until = now_ns() + 2000000000u;
		uint64_t want = 0;
		while (now_ns() < until) {
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
	static struct rig crit, noisy;
	int rc = 1;
	if (make_image(ic, 32u << 20) || make_image(in, 32u << 20) || rig_up(&crit, ic) ||
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
	rig_down(&crit);
	rig_down(&noisy);
	unlink(ic);
	unlink(in);
	return rc;
}
