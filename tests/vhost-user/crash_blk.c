/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash safety of `vplat-device blk` over vhost-user: a write stream from the vplat front-end
 * (queue depth 16, 4 KiB writes to a small set of blocks so blocks are overwritten often)
 * while the daemon is killed with SIGKILL and restarted N times; the front-end reconnects and
 * hands the inflight region to each new daemon. Checked against a model of the image:
 *  - every write completed to the driver is in the image unless a later write to the same
 *    block was issued (nothing completed is lost);
 *  - no block holds an older write than the last completed one (nothing applied twice, or
 *    replayed out of order after a restart);
 *  - every request is completed exactly once (the driver refuses a second completion).
 *
 * Usage: crash_blk VPLAT_DEVICE WORKDIR [KILLS [SEED]]; exit 0 = pass, 1 = fail.
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

#define NBLK  64u
#define BS    4096u
#define QD    16u

static const char *daemon_path;
static char sock[512], img[512];

static pid_t spawn(void)
{
	pid_t p = fork();
	if (p == 0) {
		execl(daemon_path, daemon_path, "blk", "--socket", sock, "--file", img, "--writeback",
		      "--log-level", getenv("CRASH_LOG") ? getenv("CRASH_LOG") : "warn", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) { /* wait for the socket */
		struct stat st;
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return p;
		usleep(10000);
	}
	return p;
}

struct model {
	uint64_t done[NBLK];    /* seq of the last completed write per block (0 = none) */
	uint64_t issued[NBLK];  /* seq of the last issued write per block */
};

static void fill(uint8_t *d, uint64_t seq, uint32_t blk)
{
	for (uint32_t i = 0; i < BS; i += 16) {
		memcpy(d + i, &seq, 8);
		uint64_t b = blk;
		memcpy(d + i + 8, &b, 8);
	}
}

static int check_image(const struct model *m, uint64_t *bad)
{
	FILE *f = fopen(img, "rb");
	if (!f)
		return -1;
	uint8_t d[BS];
	*bad = 0;
	for (uint32_t b = 0; b < NBLK; b++) {
		if (fread(d, 1, BS, f) != BS) {
			fclose(f);
			return -1;
		}
		uint64_t seq, blk;
		memcpy(&seq, d, 8);
		memcpy(&blk, d + 8, 8);
		/* The block must hold the last completed write or a newer issued one. */
		if (m->done[b] && (blk != b || seq < m->done[b] || seq > m->issued[b])) {
			fprintf(stderr, "block %u: holds seq %llu (blk %llu), last completed %llu, "
					"last issued %llu\n",
				b, (unsigned long long)seq, (unsigned long long)blk,
				(unsigned long long)m->done[b], (unsigned long long)m->issued[b]);
			(*bad)++;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	daemon_path = argv[1];
	unsigned kills = argc > 3 ? (unsigned)atoi(argv[3]) : 20;
	snprintf(sock, sizeof(sock), "%s/crash.sock", argv[2]);
	snprintf(img, sizeof(img), "%s/crash.img", argv[2]);
	FILE *f = fopen(img, "wb");
	if (!f || ftruncate(fileno(f), 4u << 20))
		return 1;
	fclose(f);
	srand(argc > 4 ? (unsigned)atoi(argv[4]) : 12345);
	pid_t pid = spawn();
	struct vplat_vhu_frontend fe;
	struct vplat_vhu_frontend_params p = {.path = sock, .device_id = VPLAT_VIRTIO_ID_BLOCK,
					      .mem_size = 4u << 20, .queue_size_max = 64};
	int rc = vplat_vhu_frontend_init(&fe, &p);
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	memset(&vq, 0, sizeof(vq));
	if (!rc)
		rc = vplat_vhu_frontend_val_init(&fe, &d);
	if (!rc)
		rc = vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
						 VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH));
	if (!rc)
		rc = vplat_val_vq_setup(&d, &vq, 0, 64);
	if (!rc)
		rc = vplat_val_driver_ok(&d);
	if (rc) {
		fprintf(stderr, "setup failed: %s\n", vplat_strerror(rc));
		kill(pid, SIGKILL);
		return 1;
	}
	static struct blkdrv_req reqs[QD];
	for (unsigned i = 0; i < QD; i++)
		if (blkdrv_alloc(vplat_vhu_frontend_dma(&fe), &reqs[i], BS))
			return 1;
	static struct model m;
	uint64_t seq = 0, completed = 0, next_kill = 100 + (uint64_t)(rand() % 200);
	unsigned killed = 0;
	int fail = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!fail) {
		bool draining = killed >= kills;
		for (unsigned i = 0; i < QD && !draining; i++) {
			if (reqs[i].busy)
				continue;
			uint32_t b = (uint32_t)(rand() % NBLK);
			fill(reqs[i].data, ++seq, b);
			reqs[i].tag = seq;
			m.issued[b] = seq;
			if (blkdrv_post(&vq, &reqs[i], VPLAT_VIRTIO_BLK_T_OUT, (uint64_t)b * (BS / 512)))
				fail = 1;
		}
		vplat_val_vq_kick(&vq);
		void *tok;
		uint32_t len;
		int w = vplat_val_wait_used(&vq, &tok, &len, 5000);
		if (w == VPLAT_ETIMEDOUT && draining && vq.inflight == 0)
			break;
		if (w) {
			fprintf(stderr, "wait_used: %s (%s), inflight %u\n", vplat_strerror(w),
				vq.error_msg ? vq.error_msg : "-", vq.inflight);
			fail = 1;
			break;
		}
		struct blkdrv_req *r = tok;
		if (*r->status != VPLAT_VIRTIO_BLK_S_OK) {
			fprintf(stderr, "write seq %llu: status %u\n", (unsigned long long)r->tag,
				*r->status);
			fail = 1;
		}
		uint32_t b = (uint32_t)(r->sector / (BS / 512));
		if (r->tag > m.done[b])
			m.done[b] = r->tag;
		r->busy = false;
		completed++;
		if (draining && vq.inflight == 0)
			break;
		if (!draining && completed >= next_kill) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			killed++;
			pid = spawn();
			rc = vplat_vhu_frontend_reconnect(&fe);
			if (rc) {
				fprintf(stderr, "reconnect %u failed: %s\n", killed, vplat_strerror(rc));
				fail = 1;
			}
			next_kill = completed + 100 + (uint64_t)(rand() % 200);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (vq.error) {
		fprintf(stderr, "driver saw a protocol violation: %s\n", vq.error_msg);
		fail = 1;
	}
	kill(pid, SIGTERM);
	int ws = 0;
	waitpid(pid, &ws, 0);
	uint64_t bad = 0;
	if (!fail && (check_image(&m, &bad) || bad))
		fail = 1;
	printf("crash_blk: %u SIGKILLs, %llu writes issued, %llu completed once each, %llu bad "
	       "blocks, %.1f s, daemon exit %d: %s\n",
	       killed, (unsigned long long)seq, (unsigned long long)completed,
	       (unsigned long long)bad,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, fail ? "FAIL" : "PASS");
	vplat_val_vq_fini(&vq);
	vplat_vhu_frontend_fini(&fe);
	return fail;
}
