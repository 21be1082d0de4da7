/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash safety of `vplat-device blk` over vhost-user: a continuous write stream from the
 * vplat front-end (queue depth 32, 3 descriptors each, on a 128-entry split or packed ring;
 * 4 KiB writes and FLUSHes, never two writes in flight to one block) while the daemon is
 * killed with SIGKILL and restarted; the front-end reconnects and hands the inflight region
 * to each new daemon. Every daemon life ends in a kill, chosen in turn from three kinds:
 *  - pop:    VPLAT_TEST_KILL_AFTER_POP=N, the daemon kills itself right after taking its N-th
 *            request (inside a batch, the request taken and not completed);
 *  - push:   VPLAT_TEST_KILL_AFTER_PUSH=N, right after publishing its N-th completion and
 *            before recording it in the inflight region;
 *  - stream: this process SIGKILLs the daemon 0..400 us after a kick, while the batch runs.
 * Checked against a model of the image and the driver's view:
 *  - every request is completed exactly once (the validation driver refuses a second
 *    completion of a head; a request never completed stalls the stream: after 5 s without a
 *    completion while the daemon lives, the test fails);
 *  - every write completed to the driver is in the image (nothing completed is lost) and no
 *    block holds an older write than its last completed one.
 * After each kill the inflight region is read (before the next daemon starts) and the number
 * of requests it marks in flight is reported: the kills do land inside batches.
 *
 * Usage: crash_blk VPLAT_DEVICE WORKDIR [KILLS [SEED [sync|async|threads [split|packed]]]];
 * exit 0 = pass, 1 = fail. CRASH_NO_INFLIGHT=1 makes the front-end refuse the inflight
 * region (the test must then fail for the asynchronous ends and for packed rings);
 * CRASH_LOG=LEVEL sets the daemon's log level.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "blkdrv.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/val.h"

#define NBLK  256u
#define BS    4096u
#define QD    32u
#define RING  128u

static const char *daemon_path, *mode = "sync";
static bool packed;
static char sock[512], img[512];

enum kind { K_POP, K_PUSH, K_STREAM, K_N };

static pid_t spawn(enum kind k)
{
	unlink(sock);
	char n[32];
	snprintf(n, sizeof(n), "%d", 1 + rand() % 120);
	pid_t p = fork();
	if (p == 0) {
		if (k == K_POP)
			setenv("VPLAT_TEST_KILL_AFTER_POP", n, 1);
		if (k == K_PUSH)
			setenv("VPLAT_TEST_KILL_AFTER_PUSH", n, 1);
		const char *lvl = getenv("CRASH_LOG") ? getenv("CRASH_LOG") : "error";
		if (!strcmp(mode, "sync"))
			execl(daemon_path, daemon_path, "blk", "--socket", sock, "--file", img,
			      "--writeback", "--sync", "--log-level", lvl, (char *)NULL);
		else
			execl(daemon_path, daemon_path, "blk", "--socket", sock, "--file", img,
			      "--writeback", !strcmp(mode, "async") ? "--async" : "--async-threads",
			      "--log-level", lvl, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) { /* wait for the socket */
		struct stat st;
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return p;
		usleep(2000);
	}
	return p;
}

struct model {
	uint64_t done[NBLK];   /* seq of the last completed write per block (0 = none) */
	uint64_t issued[NBLK]; /* seq of the last issued write per block */
	bool busy[NBLK];       /* a write to the block is in flight */
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
		bool torn = false;
		for (uint32_t i = 16; i < BS; i += 16)
			torn |= memcmp(d, d + i, 16) != 0;
		/* The block must hold the last completed write or a newer issued one. */
		if (m->done[b] && (torn || blk != b || seq < m->done[b] || seq > m->issued[b])) {
			fprintf(stderr, "block %u: holds seq %llu (blk %llu%s), last completed %llu, "
					"last issued %llu\n",
				b, (unsigned long long)seq, (unsigned long long)blk, torn ? ", torn" : "",
				(unsigned long long)m->done[b], (unsigned long long)m->issued[b]);
			(*bad)++;
		}
	}
	fclose(f);
	return 0;
}

/* Requests the inflight region marks in flight on ring 0 (split layout), or -1. */
static int region_inflight(const struct vplat_vhu_frontend *fe)
{
	if (fe->inflight_fd < 0 || !fe->inflight_size)
		return -1;
	void *p = mmap(NULL, (size_t)fe->inflight_size, PROT_READ, MAP_SHARED, fe->inflight_fd, 0);
	if (p == MAP_FAILED)
		return -1;
	const uint8_t *q = p;
	uint16_t num;
	memcpy(&num, q + 10, 2); /* QueueRegionSplit.desc_num */
	int n = 0;
	for (uint32_t i = 0; i < num && 16 + 16 * (i + 1) <= fe->inflight_size; i++)
		n += q[16 + 16 * i] != 0; /* DescStateSplit.inflight */
	munmap(p, (size_t)fe->inflight_size);
	return n;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
#ifndef VPLAT_TEST_HOOKS
	/* The daemon's pop/push kill points are compiled out (-DVPLAT_TEST_HOOKS=OFF). */
	printf("SKIP: vplat built without VPLAT_TEST_HOOKS (no kill points in the daemon)\n");
	return 77;
#endif
	daemon_path = argv[1];
	unsigned kills = argc > 3 ? (unsigned)atoi(argv[3]) : 20;
	unsigned seed = argc > 4 ? (unsigned)atoi(argv[4]) : 12345;
	if (argc > 5)
		mode = argv[5];
	packed = argc > 6 && !strcmp(argv[6], "packed");
	snprintf(sock, sizeof(sock), "%s/crash.sock", argv[2]);
	snprintf(img, sizeof(img), "%s/crash.img", argv[2]);
	FILE *f = fopen(img, "wb");
	if (!f || ftruncate(fileno(f), (off_t)NBLK * BS))
		return 1;
	fclose(f);
	srand(seed);
	signal(SIGPIPE, SIG_IGN);
	unsigned life = 0;
	pid_t pid = spawn((enum kind)(life % K_N));
	struct vplat_vhu_frontend fe;
	struct vplat_vhu_frontend_params p = {.path = sock, .device_id = VPLAT_VIRTIO_ID_BLOCK,
					      .mem_size = 4u << 20, .queue_size_max = RING,
					      .no_inflight = getenv("CRASH_NO_INFLIGHT") != NULL};
	int rc = vplat_vhu_frontend_init(&fe, &p);
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	memset(&vq, 0, sizeof(vq));
	if (!rc)
		rc = vplat_vhu_frontend_val_init(&fe, &d);
	if (!rc)
		rc = vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
						 VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) |
						 (packed ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0));
	if (!rc)
		rc = vplat_val_vq_setup(&d, &vq, 0, RING);
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
	uint64_t seq = 0, flushes = 0, completed = 0, next_kill = 50 + (uint64_t)(rand() % 150);
	unsigned killed = 0, by_kind[K_N] = {0}, with_inflight = 0, marked_total = 0;
	int fail = 0;
	double t0 = now(), last_progress = t0;
	while (!fail) {
		bool draining = killed >= kills;
		for (unsigned i = 0; i < QD && !draining; i++) {
			if (reqs[i].busy)
				continue;
			if (rand() % 8 == 0) { /* a FLUSH now and then: slow, so completions reorder */
				struct vplat_val_buf fb[2] = {{.ptr = reqs[i].hdr, .len = sizeof(*reqs[i].hdr)},
							      {.ptr = reqs[i].status, .len = 1}};
				reqs[i].hdr->type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_FLUSH);
				reqs[i].hdr->reserved = 0;
				reqs[i].hdr->sector = 0;
				*reqs[i].status = 0xff;
				reqs[i].type = VPLAT_VIRTIO_BLK_T_FLUSH;
				reqs[i].tag = 0;
				if (vplat_val_vq_add(&vq, fb, 1, 1, &reqs[i])) {
					fprintf(stderr, "cannot post a flush\n");
					fail = 1;
					break;
				}
				reqs[i].busy = true;
				flushes++;
				continue;
			}
			uint32_t b;
			do
				b = (uint32_t)(rand() % NBLK);
			while (m.busy[b]);
			fill(reqs[i].data, ++seq, b);
			reqs[i].tag = seq;
			m.issued[b] = seq;
			m.busy[b] = true;
			if (blkdrv_post(&vq, &reqs[i], VPLAT_VIRTIO_BLK_T_OUT, (uint64_t)b * (BS / 512))) {
				fprintf(stderr, "cannot post write seq %llu\n", (unsigned long long)seq);
				fail = 1;
				break;
			}
		}
		vplat_val_vq_kick(&vq);
		bool dead = false;
		if (!draining && life % K_N == K_STREAM && completed >= next_kill) {
			usleep((useconds_t)(rand() % 400)); /* land inside the batch just kicked */
			kill(pid, SIGKILL);
			dead = true;
		}
		void *tok;
		uint32_t len;
		int w = dead ? VPLAT_ETIMEDOUT : vplat_val_wait_used(&vq, &tok, &len, 20);
		if (w == VPLAT_ETIMEDOUT) {
			int ws;
			if (!dead && waitpid(pid, &ws, WNOHANG) == 0) {
				if (draining && vq.inflight == 0)
					break;
				if (now() - last_progress > 5.0) {
					fprintf(stderr, "no completion for 5 s with %u requests in "
							"flight: requests lost\n",
						vq.inflight);
					fail = 1;
				}
				continue;
			}
			if (dead)
				waitpid(pid, &ws, 0);
			/* The daemon is gone (its own kill point or ours): restart it. */
			int marked = region_inflight(&fe);
			if (marked > 0) {
				with_inflight++;
				marked_total += (unsigned)marked;
			}
			for (;;) {
				by_kind[life % K_N]++;
				killed++;
				life++;
				pid = spawn(killed >= kills ? K_N : (enum kind)(life % K_N));
				rc = vplat_vhu_frontend_reconnect(&fe);
				if (!rc)
					break;
				/* A small kill point can fire during the reconnection itself (the
				 * daemon serves the ring as soon as it starts): count it, go on. */
				usleep(20000);
				if (waitpid(pid, &ws, WNOHANG) == pid)
					continue;
				fprintf(stderr, "reconnect %u failed: %s\n", killed, vplat_strerror(rc));
				fail = 1;
				break;
			}
			next_kill = completed + 50 + (uint64_t)(rand() % 150);
			last_progress = now();
			continue;
		}
		if (w) {
			fprintf(stderr, "wait_used: %s (%s), inflight %u\n", vplat_strerror(w),
				vq.error_msg ? vq.error_msg : "-", vq.inflight);
			fail = 1;
			break;
		}
		last_progress = now();
		struct blkdrv_req *r = tok;
		if (*r->status != VPLAT_VIRTIO_BLK_S_OK) {
			fprintf(stderr, "%s seq %llu: status %u\n",
				r->type == VPLAT_VIRTIO_BLK_T_FLUSH ? "flush" : "write",
				(unsigned long long)r->tag, *r->status);
			fail = 1;
		}
		r->busy = false;
		if (r->type == VPLAT_VIRTIO_BLK_T_FLUSH) {
			completed++;
			if (draining && vq.inflight == 0)
				break;
			continue;
		}
		uint32_t b = (uint32_t)(r->sector / (BS / 512));
		if (r->tag > m.done[b])
			m.done[b] = r->tag;
		m.busy[b] = false;
		completed++;
		if (draining && vq.inflight == 0)
			break;
	}
	double t1 = now();
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
	printf("crash_blk %s %s%s: %u SIGKILLs (%u pop, %u push, %u stream), %u with requests in "
	       "flight (%u in all), %llu writes and %llu flushes issued, %llu completed once each, "
	       "%llu bad blocks, "
	       "%.1f s, daemon exit %d: %s\n",
	       mode, packed ? "packed" : "split", p.no_inflight ? " (no inflight region)" : "", killed,
	       by_kind[K_POP],
	       by_kind[K_PUSH], by_kind[K_STREAM], with_inflight, marked_total,
	       (unsigned long long)seq, (unsigned long long)flushes, (unsigned long long)completed,
	       (unsigned long long)bad,
	       t1 - t0, WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, fail ? "FAIL" : "PASS");
	vplat_val_vq_fini(&vq);
	vplat_vhu_frontend_fini(&fe);
	return fail;
}
