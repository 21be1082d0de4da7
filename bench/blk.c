/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/blk: 4 KiB random read and write IOPS through vplat's block device in-process (the
 * validation driver on the loopback backend, virtio-pci, split ring, the io_uring host end),
 * next to fio on the same image with the same pattern, queue depth and engine in the same
 * run. Prints the ratio vplat / fio. The image lives on tmpfs (/dev/shm) by default, so the
 * numbers measure the software path, not a disk.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "blk_rig.h"

#define MAX_QD BLK_RIG_QD

struct opts {
	const char *image;
	uint64_t size_mib;
	double seconds;
	unsigned qds[4];
	unsigned nqd;
	bool fio;
	bool threads;
	bool keep;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int rig_up(struct blk_rig *r, const struct opts *o)
{
	struct blk_rig_opts ro = {.seed = 0x9e3779b97f4a7c15u,
				  .features = VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX),
				  .aio_flags = o->threads ? VPLAT_BLK_AIO_THREADS : 0};
	return blk_rig_up(r, o->image, &ro);
}

/* Keep @p qd requests in flight for @p seconds; returns IOPS (negative on an error). */
static double run_vplat(struct blk_rig *r, unsigned qd, bool write, double seconds)
{
	uint64_t done = 0;
	for (unsigned i = 0; i < qd; i++)
		blk_rig_post(r, i, write);
	vplat_val_vq_kick(&r->vq);
	double t0 = now(), t1 = t0;
	unsigned inflight = qd;
	bool stop = false;
	while (inflight) {
		void *tok;
		bool any = false;
		while (vplat_val_vq_get_used(&r->vq, &tok, NULL) == 0) {
			unsigned i = (unsigned)(uintptr_t)tok - 1;
			if (*r->slot[i].status != VPLAT_VIRTIO_BLK_S_OK)
				return -1;
			done++;
			inflight--;
			any = true;
			if (!stop) {
				blk_rig_post(r, i, write);
				inflight++;
			}
		}
		if (any)
			vplat_val_vq_kick(&r->vq);
		if (vplat_blk_aio_poll(&r->aio) == 0 && !any) {
			struct pollfd p = {.fd = vplat_blk_aio_fd(&r->aio), .events = POLLIN};
			poll(&p, 1, 1);
		}
		t1 = now();
		if (!stop && t1 - t0 >= seconds)
			stop = true;
	}
	return (double)done / (t1 - t0);
}

/* fio on the same image: JSON output, the job's read or write IOPS. */
static double run_fio(const struct opts *o, unsigned qd, bool write)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "fio --name=vplat --filename=%s --rw=%s --bs=4k --iodepth=%u --ioengine=%s "
		 "--runtime=%.3f --time_based --randrepeat=0 --norandommap --size=%llum "
		 "--output-format=json 2>/dev/null",
		 o->image, write ? "randwrite" : "randread", qd, o->threads ? "psync" : "io_uring",
		 o->seconds, (unsigned long long)o->size_mib);
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	static char out[1 << 16];
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	if (pclose(f) != 0)
		return -1;
	const char *sec = strstr(out, write ? "\"write\" :" : "\"read\" :");
	const char *iops = sec ? strstr(sec, "\"iops\" :") : NULL;
	return iops ? strtod(iops + 8, NULL) : -1;
}

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    bench-blk - 4 KiB random IOPS through vplat's block device, next to fio\n\n"
	      "SYNOPSIS\n"
	      "    bench-blk [--image PATH] [--size MiB] [--seconds S] [--qd N[,N...]]\n"
	      "              [--threads] [--no-fio] [--keep] [--help]\n\n"
	      "DESCRIPTION\n"
	      "    Creates a raw image (default /dev/shm/vplat-bench-blk.img, tmpfs), then for\n"
	      "    each queue depth measures 4 KiB random reads and writes: first in-process\n"
	      "    through vplat (validation driver -> loopback virtio-pci split ring -> block\n"
	      "    device -> io_uring host end -> image), then with fio on the same image, same\n"
	      "    block size, pattern, queue depth and engine (io_uring). Prints IOPS of both and\n"
	      "    the ratio vplat/fio. Writes are in writeback mode (FLUSH negotiated, no sync\n"
	      "    per write), as fio without --fsync.\n\n"
	      "OPTIONS\n"
	      "    --image PATH   image file (created, overwritten; removed unless --keep)\n"
	      "    --size MiB     image size (default 64)\n"
	      "    --seconds S    time per measurement (default 2)\n"
	      "    --qd LIST      queue depths, comma-separated, at most 4, each 1..128\n"
	      "                   (default 1,32)\n"
	      "    --threads      vplat: thread-pool host end instead of io_uring; fio: psync\n"
	      "    --no-fio       skip fio (ratio not printed)\n"
	      "    --keep         keep the image afterwards\n"
	      "    --help         this text\n\n"
	      "EXIT STATUS\n"
	      "    0 on success (the numbers are reported, not judged), 1 on errors.\n",
	      out);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"image", 1, 0, 'i'}, {"size", 1, 0, 's'},    {"seconds", 1, 0, 't'},
		{"qd", 1, 0, 'q'},    {"threads", 0, 0, 'T'}, {"no-fio", 0, 0, 'n'},
		{"keep", 0, 0, 'k'},  {"help", 0, 0, 'h'},    {0, 0, 0, 0}};
	*o = (struct opts){.image = "/dev/shm/vplat-bench-blk.img", .size_mib = 64, .seconds = 2,
			   .qds = {1, 32}, .nqd = 2, .fio = true};
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->image = optarg; break;
		case 's': o->size_mib = strtoull(optarg, NULL, 0); break;
		case 't': o->seconds = strtod(optarg, NULL); break;
		case 'T': o->threads = true; break;
		case 'n': o->fio = false; break;
		case 'k': o->keep = true; break;
		case 'h': usage(stdout); exit(0);
		case 'q': {
			o->nqd = 0;
			for (char *p = optarg; *p && o->nqd < 4;) {
				o->qds[o->nqd++] = (unsigned)strtoul(p, &p, 10);
				if (*p == ',')
					p++;
			}
			break;
		}
		default: usage(stderr); return -1;
		}
	}
	for (unsigned i = 0; i < o->nqd; i++)
		if (o->qds[i] < 1 || o->qds[i] > MAX_QD)
			return -1;
	return o->size_mib >= 1 && o->seconds > 0 && o->nqd ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o;
	if (parse(argc, argv, &o) != 0) {
		usage(stderr);
		return 1;
	}
	if (blk_rig_make_image(o.image, o.size_mib << 20) != 0) {
		perror(o.image);
		return 1;
	}
	struct blk_rig *r = calloc(1, sizeof(*r));
	if (!r || rig_up(r, &o) != 0) {
		fprintf(stderr, "bench-blk: device setup failed\n");
		return 1;
	}
	printf("bench-blk: image %s (%llu MiB), 4 KiB random, %.2f s each, host end %s\n",
	       o.image, (unsigned long long)o.size_mib, o.seconds,
	       r->aio.uring ? "io_uring" : "thread pool");
	printf("%-10s %4s %14s %14s %8s\n", "pattern", "qd", "vplat IOPS", "fio IOPS", "ratio");
	int rc = 0;
	for (unsigned k = 0; k < o.nqd; k++) {
		for (int w = 0; w <= 1; w++) {
			double v = run_vplat(r, o.qds[k], w, o.seconds);
			double f = o.fio ? run_fio(&o, o.qds[k], w) : -1;
			if (v < 0)
				rc = 1;
			printf("%-10s %4u %14.0f ", w ? "randwrite" : "randread", o.qds[k], v);
			if (f > 0)
				printf("%14.0f %8.2f\n", f, v / f);
			else
				printf("%14s %8s\n", o.fio ? "(fio failed)" : "-", "-");
		}
	}
	blk_rig_down(r);
	free(r);
	if (!o.keep)
		unlink(o.image);
	return rc;
}
