/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/vhost_blk: 4 KiB random read and write IOPS at queue depth 1 and 32 over vhost-user,
 * `vplat-device blk` against `qemu-storage-daemon --export type=vhost-user-blk` on the same
 * tmpfs image, both driven by vplat's front-end (vplat/vhost_user_frontend.h) in the same run.
 * Prints IOPS per back-end and the ratio vplat / peer.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../tests/vhost-user/blkdrv.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/val.h"

#define BS    4096u
#define MAXQD 32u

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "NAME\n    bench-vhost-blk - vhost-user block IOPS: vplat-device blk vs "
		   "qemu-storage-daemon\n\n"
		   "SYNOPSIS\n    bench-vhost-blk --vplat-device PATH [--qsd PATH] [--seconds S] "
		   "[--dir DIR] [--size MIB]\n\n"
		   "DESCRIPTION\n    Runs 4 KiB random reads and writes at queue depth 1 and 32 "
		   "against each back-end\n    (same image, same front-end, same run) and prints "
		   "IOPS and the ratio vplat/peer.\n    The peer is skipped if qemu-storage-daemon "
		   "is not found.\n\n"
		   "OPTIONS\n    --vplat-device PATH  the vplat-device binary (required)\n"
		   "    --qsd PATH           qemu-storage-daemon (default: from PATH)\n"
		   "    --seconds S          seconds per measurement (default 3)\n"
		   "    --dir DIR            where the image and sockets go (default /dev/shm)\n"
		   "    --size MIB           image size (default 256)\n\n"
		   "EXIT STATUS\n    0 measured; 1 a back-end failed; 2 bad arguments\n");
}

struct cfg {
	const char *vdev, *qsd, *dir;
	double seconds;
	unsigned size_mib;
	char img[512], sock[512];
};

static pid_t start(const struct cfg *c, bool peer)
{
	unlink(c->sock);
	pid_t p = fork();
	if (p == 0) {
		char bdev[700], exp[700];
		if (!peer)
			execl(c->vdev, c->vdev, "blk", "--socket", c->sock, "--file", c->img,
			      "--writeback", "--log-level", "error", (char *)NULL);
		snprintf(bdev, sizeof(bdev), "driver=file,node-name=f,filename=%s", c->img);
		snprintf(exp, sizeof(exp),
			 "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=%s,writable=on",
			 c->sock);
		execlp(c->qsd, c->qsd, "--blockdev", bdev, "--export", exp, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct stat st;
		if (stat(c->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return p;
		usleep(10000);
	}
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	return -1;
}

/* One measurement: @qd requests of @type in flight for @secs. Returns IOPS or -1. */
static double run(struct vplat_val_vq *vq, struct blkdrv_req *r, unsigned qd, uint32_t type,
		  uint64_t sectors, double secs)
{
	uint64_t done = 0;
	unsigned seed = 1;
	for (unsigned i = 0; i < qd; i++)
		if (blkdrv_post(vq, &r[i], type, (uint64_t)(rand_r(&seed) % (sectors / 8)) * 8))
			return -1;
	vplat_val_vq_kick(vq);
	double t0 = now_s(), t1 = t0;
	bool stop = false;
	while (vq->inflight) {
		void *tok;
		uint32_t len;
		if (vplat_val_wait_used(vq, &tok, &len, 5000))
			return -1;
		unsigned n = 0;
		do {
			struct blkdrv_req *q = tok;
			if (*q->status != VPLAT_VIRTIO_BLK_S_OK)
				return -1;
			done++;
			q->busy = false;
			if (!stop && blkdrv_post(vq, q, type,
						 (uint64_t)(rand_r(&seed) % (sectors / 8)) * 8))
				return -1;
			n++;
		} while (vplat_val_vq_get_used(vq, &tok, &len) == 0);
		if (!stop)
			vplat_val_vq_kick(vq);
		if (!stop && (done & 63) < n + 1 && (t1 = now_s()) - t0 >= secs)
			stop = true;
	}
	return (double)done / (now_s() - t0);
}

static int bench_backend(const struct cfg *c, bool peer, double out[4])
{
	pid_t pid = start(c, peer);
	if (pid < 0)
		return -1;
	struct vplat_vhu_frontend fe;
	struct vplat_vhu_frontend_params p = {.path = c->sock, .device_id = VPLAT_VIRTIO_ID_BLOCK,
					      .mem_size = 8u << 20, .queue_size_max = 128};
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	memset(&vq, 0, sizeof(vq));
	int rc = vplat_vhu_frontend_init(&fe, &p);
	if (!rc)
		rc = vplat_vhu_frontend_val_init(&fe, &d);
	if (!rc)
		rc = vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
						 VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX));
	if (!rc)
		rc = vplat_val_vq_setup(&d, &vq, 0, 128);
	if (!rc)
		rc = vplat_val_driver_ok(&d);
	static struct blkdrv_req r[MAXQD];
	for (unsigned i = 0; !rc && i < MAXQD; i++)
		rc = blkdrv_alloc(vplat_vhu_frontend_dma(&fe), &r[i], BS);
	uint64_t sectors = (uint64_t)c->size_mib << 11;
	const unsigned qds[2] = {1, MAXQD};
	const uint32_t types[2] = {VPLAT_VIRTIO_BLK_T_IN, VPLAT_VIRTIO_BLK_T_OUT};
	for (unsigned t = 0; !rc && t < 2; t++)
		for (unsigned q = 0; !rc && q < 2; q++) {
			out[t * 2 + q] = run(&vq, r, qds[q], types[t], sectors, c->seconds);
			if (out[t * 2 + q] < 0)
				rc = -1;
		}
	if (rc)
		fprintf(stderr, "bench-vhost-blk: %s failed: %s\n", peer ? "qemu-storage-daemon" : "vplat",
			rc < 0 ? vplat_strerror(rc) : "?");
	vplat_val_vq_fini(&vq);
	vplat_vhu_frontend_fini(&fe);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return rc ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct cfg c = {.qsd = "qemu-storage-daemon", .dir = "/dev/shm", .seconds = 3, .size_mib = 256};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--vplat-device") && v) {
			c.vdev = v, i++;
		} else if (!strcmp(a, "--qsd") && v) {
			c.qsd = v, i++;
		} else if (!strcmp(a, "--dir") && v) {
			c.dir = v, i++;
		} else if (!strcmp(a, "--seconds") && v && atof(v) > 0) {
			c.seconds = atof(v), i++;
		} else if (!strcmp(a, "--size") && v && atoi(v) >= 1) {
			c.size_mib = (unsigned)atoi(v), i++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!c.vdev) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(c.img, sizeof(c.img), "%s/vplat-bench-%d.img", c.dir, (int)getpid());
	snprintf(c.sock, sizeof(c.sock), "%s/vplat-bench-%d.sock", c.dir, (int)getpid());
	FILE *f = fopen(c.img, "wb");
	static uint8_t chunk[1 << 20];
	memset(chunk, 0xa5, sizeof(chunk));
	for (unsigned i = 0; f && i < c.size_mib; i++)
		fwrite(chunk, 1, sizeof(chunk), f);
	if (!f || fclose(f)) {
		fprintf(stderr, "bench-vhost-blk: cannot create %s\n", c.img);
		return 1;
	}
	double v[4] = {0}, q[4] = {0};
	int rc = bench_backend(&c, false, v);
	bool have_qsd = !rc && (strchr(c.qsd, '/') ? access(c.qsd, X_OK) == 0
				: system("command -v qemu-storage-daemon >/dev/null 2>&1") == 0);
	int qrc = have_qsd ? bench_backend(&c, true, q) : -1;
	unlink(c.img);
	unlink(c.sock);
	const char *names[4] = {"randread  QD1 ", "randread  QD32", "randwrite QD1 ", "randwrite QD32"};
	printf("bench-vhost-blk: 4 KiB, %s image of %u MiB, %.1f s per cell, vplat front-end\n",
	       c.dir, c.size_mib, c.seconds);
	printf("%-16s %14s %20s %8s\n", "workload", "vplat IOPS", "qemu-storage-daemon", "ratio");
	for (int i = 0; i < 4; i++) {
		if (qrc == 0)
			printf("%-16s %14.0f %20.0f %8.2f\n", names[i], v[i], q[i], v[i] / q[i]);
		else
			printf("%-16s %14.0f %20s %8s\n", names[i], v[i], "n/a", "-");
	}
	return rc ? 1 : 0;
}
