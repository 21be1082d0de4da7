/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vplat-device blk --iops/--bps`: the daemon's rate limits hold, seen from vplat's front end.
 * Three runs of NREQ 4 KiB reads at queue depth 1, each against a fresh daemon:
 *  - no limit: the reads take less than the limited runs' floor;
 *  - --iops 40 --iops-burst 1: NREQ reads need at least (NREQ - 1) / 40 s;
 *  - --bps 81920 --bps-burst 4096: NREQ 4 KiB reads need at least (NREQ - 1) * 4096 / 81920 s.
 *
 * Usage: ratelimit_blk VPLAT_DEVICE WORKDIR; exit 0 = pass, 1 = fail.
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
#include "blkdrv.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/val.h"

#define BS   4096u
#define NREQ 17u /* 16 intervals: 0.4 s at 40 IOPS, 0.8 s at 20 blocks/s */

static char sock[512], img[512];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t spawn(const char *dev, const char *const *limits)
{
	unlink(sock);
	pid_t p = fork();
	if (p == 0) {
		const char *av[16] = {dev, "blk", "--socket", sock, "--file", img, "--log-level", "warn"};
		unsigned n = 8;
		for (unsigned i = 0; limits[i] && n < 15; i++)
			av[n++] = limits[i];
		av[n] = NULL;
		execv(dev, (char *const *)av);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		struct stat st;
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			break;
		usleep(10000);
	}
	return p;
}

/* Seconds NREQ reads at queue depth 1 took; < 0 on failure. */
static double run(const char *dev, const char *const *limits)
{
	pid_t pid = spawn(dev, limits);
	struct vplat_vhu_frontend fe;
	struct vplat_vhu_frontend_params p = {.path = sock, .device_id = VPLAT_VIRTIO_ID_BLOCK,
					      .mem_size = 1u << 20, .queue_size_max = 16};
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	struct blkdrv_req r;
	memset(&vq, 0, sizeof(vq));
	double t = -1;
	int rc = vplat_vhu_frontend_init(&fe, &p);
	bool fe_up = !rc;
	if (!rc)
		rc = vplat_vhu_frontend_val_init(&fe, &d);
	if (!rc)
		rc = vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1));
	if (!rc)
		rc = vplat_val_vq_setup(&d, &vq, 0, 16);
	if (!rc)
		rc = vplat_val_driver_ok(&d);
	if (!rc)
		rc = blkdrv_alloc(vplat_vhu_frontend_dma(&fe), &r, BS);
	double t0 = now_s();
	for (unsigned i = 0; !rc && i < NREQ; i++) {
		void *tok;
		uint32_t len;
		rc = blkdrv_post(&vq, &r, VPLAT_VIRTIO_BLK_T_IN, (uint64_t)i * (BS / 512));
		vplat_val_vq_kick(&vq);
		if (!rc)
			rc = vplat_val_wait_used(&vq, &tok, &len, 10000);
		if (!rc && *r.status != VPLAT_VIRTIO_BLK_S_OK)
			rc = VPLAT_EIO;
	}
	if (!rc)
		t = now_s() - t0;
	else
		fprintf(stderr, "ratelimit_blk: %s\n", vplat_strerror(rc));
	if (fe_up)
		vplat_vhu_frontend_fini(&fe);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return t;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	snprintf(sock, sizeof(sock), "%s/rl.sock", argv[2]);
	snprintf(img, sizeof(img), "%s/rl.img", argv[2]);
	FILE *f = fopen(img, "wb");
	if (!f || ftruncate(fileno(f), 1u << 20))
		return 1;
	fclose(f);
	static const char *const none[] = {NULL};
	static const char *const iops[] = {"--iops", "40", "--iops-burst", "1", NULL};
	static const char *const bps[] = {"--bps", "81920", "--bps-burst", "4096", NULL};
	double t_none = run(argv[1], none), t_iops = run(argv[1], iops), t_bps = run(argv[1], bps);
	double f_iops = (NREQ - 1) / 40.0, f_bps = (NREQ - 1) * 4096.0 / 81920.0;
	printf("ratelimit_blk: %u reads of 4 KiB at QD1: unlimited %.3f s; --iops 40: %.3f s "
	       "(floor %.2f); --bps 81920: %.3f s (floor %.2f)\n",
	       NREQ, t_none, t_iops, f_iops, t_bps, f_bps);
	int fail = t_none < 0 || t_iops < 0 || t_bps < 0;
	if (!fail && t_iops < f_iops * 0.95)
		fail = printf("FAIL: --iops 40 did not hold\n") > 0;
	if (!fail && t_bps < f_bps * 0.95)
		fail = printf("FAIL: --bps 81920 did not hold\n") > 0;
	if (!fail && t_none >= f_iops)
		fail = printf("FAIL: the unlimited run was as slow as a limited one\n") > 0;
	return fail;
}
