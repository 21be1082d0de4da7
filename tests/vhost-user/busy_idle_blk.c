/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The busy-polling block daemon serves requests, completes them through its asynchronous
 * end, and burns no core when idle.
 *
 *   busy_idle_blk VPLAT_DEVICE DIR
 *
 * Starts `VPLAT_DEVICE blk --busy-poll --file DIR/img --writeback --socket DIR/s` (its
 * default host end: io_uring where the kernel allows it, else synchronous I/O; the line it
 * logs at start says which), connects vplat's front-end (VERSION_1, EVENT_IDX, FLUSH), writes
 * 1024 4 KiB blocks with a per-block pattern at up to 16 in flight, reads them all back and
 * compares. The daemon busy-polls the ring and reaps completions on every pass (the driver's
 * kicks are suppressed while it spins). Then the driver goes quiet for 3 s, after 0.5 s to
 * settle, and the daemon's scheduler time over those 3 s is read from /proc/PID/schedstat
 * (time on a CPU plus time waiting for one: about the wall time for a process that spins,
 * however loaded the machine is). Fails above 20% of the wall time. Then 64 more reads are
 * made available with the driver's ordinary (suppressible) kick: the first kick must go out
 * (the daemon re-enabled kicks before it slept) and every read must return the right data.
 * No figure of this test is a time: the 5 s waits only bound a hang.
 *
 * With DIR on a memory file system (the CTest test uses /dev/shm) the daemon must also have
 * done its requests itself (VPLAT_BLK_AIO_INLINE, set by --busy-poll): tmpfs has no
 * non-blocking read, so io_uring would hand every request to a kernel worker, a thread
 * named iou-wrk-N in the daemon's /proc/PID/task; none may exist after the 2048 requests.
 *
 * Exit status: 0 pass, 1 fail, 77 skip (no /proc/PID/schedstat).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "blkdrv.h"
#include "vplat/vplat.h"
#include "vplat/val/vhost_user_frontend.h"
#include "schedstat.h"
#include "thread_names.h"

#define MEM    (4u << 20)
#define BS     4096u
#define BLOCKS 1024u
#define QD     16u

static uint8_t pattern(uint64_t block, unsigned i)
{
	return (uint8_t)(block * 7u + i * 13u + 1u);
}

/*
 * @p count requests of @p type on blocks first, first + step, ... (mod BLOCKS), up to QD in
 * flight; reads are checked against pattern(). *kicked: whether the first kick went out.
 */
static int io(struct vplat_val_vq *vq, struct blkdrv_req *r, uint32_t type, unsigned count,
	      unsigned step, bool *kicked)
{
	unsigned posted = 0, done = 0;
	bool first = true;
	while (done < count) {
		for (unsigned s = 0; s < QD && posted < count; s++) {
			if (r[s].busy)
				continue;
			uint64_t blk = (uint64_t)(posted * step) % BLOCKS;
			if (type == VPLAT_VIRTIO_BLK_T_OUT)
				for (unsigned i = 0; i < BS; i++)
					r[s].data[i] = pattern(blk, i);
			if (blkdrv_post(vq, &r[s], type, blk * (BS / 512u)))
				return -1;
			r[s].tag = blk;
			posted++;
		}
		if (vplat_val_vq_kick(vq) && first && kicked)
			*kicked = true;
		first = false;
		void *tok;
		if (vplat_val_wait_used(vq, &tok, NULL, 5000)) {
			printf("FAIL: no completion within 5 s (%u of %u done)\n", done, count);
			return -1;
		}
		do {
			struct blkdrv_req *q = tok;
			q->busy = false;
			done++;
			if (*q->status != VPLAT_VIRTIO_BLK_S_OK) {
				printf("FAIL: status %u\n", *q->status);
				return -1;
			}
			for (unsigned i = 0; type == VPLAT_VIRTIO_BLK_T_IN && i < BS; i++)
				if (q->data[i] != pattern(q->tag, i)) {
					printf("FAIL: block %llu byte %u reads %#x, wrote %#x\n",
					       (unsigned long long)q->tag, i, q->data[i],
					       pattern(q->tag, i));
					return -1;
				}
		} while (vplat_val_vq_get_used(vq, &tok, NULL) == 0);
	}
	return 0;
}

static void count_uring_worker(const char *name, void *arg)
{
	if (!strncmp(name, "iou-wrk", 7))
		(*(int *)arg)++;
}

/* Threads of @p pid whose name starts with "iou-wrk" (io_uring's kernel workers); -1 if
 * /proc/PID/task cannot be read. */
static int uring_workers(pid_t pid)
{
	int n = 0;
	return for_each_thread_name(pid, count_uring_worker, &n) ? -1 : n;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: busy_idle_blk VPLAT_DEVICE DIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char sock[512], img[512];
	snprintf(sock, sizeof(sock), "%s/s", argv[2]);
	snprintf(img, sizeof(img), "%s/img", argv[2]);
	unlink(sock);
	FILE *f = fopen(img, "wb");
	if (!f || ftruncate(fileno(f), (off_t)BLOCKS * BS) != 0 || fclose(f) != 0) {
		printf("FAIL: cannot create %s\n", img);
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execl(argv[1], argv[1], "blk", "--busy-poll", "--file", img, "--writeback", "--socket",
		      sock, "--log-level", "info", (char *)NULL);
		_exit(127);
	}
	int rc = 1;
	struct stat st;
	for (int i = 0; i < 200 && stat(sock, &st) != 0; i++)
		usleep(25000);
	if (sched_ns(pid) < 0) {
		printf("SKIP: no /proc/%d/schedstat\n", (int)pid);
		rc = 77;
		goto out;
	}
	struct vplat_vhu_frontend fe;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	static struct blkdrv_req r[QD];
	memset(&vq, 0, sizeof(vq));
	struct vplat_vhu_frontend_params p = {.path = sock,
					      .fd = -1,
					      .device_id = VPLAT_VIRTIO_ID_BLOCK,
					      .mem_size = MEM,
					      .queue_size_max = 128,
					      .timeout_ms = 3000};
	if (vplat_vhu_frontend_init(&fe, &p) || vplat_vhu_frontend_val_init(&fe, &d) ||
	    vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX) |
					VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH)) ||
	    vplat_val_vq_setup(&d, &vq, 0, 128) || vplat_val_driver_ok(&d)) {
		printf("FAIL: front-end set-up\n");
		goto out;
	}
	for (unsigned i = 0; i < QD; i++)
		if (blkdrv_alloc(vplat_vhu_frontend_dma(&fe), &r[i], BS)) {
			printf("FAIL: driver memory\n");
			goto out;
		}
	/* every block written, then read back in another order (step 3: coprime to 1024) */
	if (io(&vq, r, VPLAT_VIRTIO_BLK_T_OUT, BLOCKS, 1, NULL) ||
	    io(&vq, r, VPLAT_VIRTIO_BLK_T_IN, BLOCKS, 3, NULL)) {
		printf("FAIL: the busy-polling daemon did not serve %u writes and reads\n", BLOCKS);
		goto out;
	}
	struct statfs sf;
	if (statfs(argv[2], &sf) == 0 && (long)sf.f_type == 0x01021994L) { /* tmpfs */
		int w = uring_workers(pid);
		printf("image on tmpfs: %d io_uring worker thread(s) in the daemon\n", w);
		if (w != 0) {
			printf("FAIL: a busy-polling daemon must do tmpfs requests itself, not hand "
			       "them to io_uring's workers\n");
			goto out;
		}
	} else {
		printf("note: %s is not tmpfs: the inline check is not made\n", argv[2]);
	}
	usleep(500000);
	long long s0 = sched_ns(pid);
	double t0 = now();
	usleep(3000000);
	long long s1 = sched_ns(pid);
	double wall = now() - t0;
	double frac = (double)(s1 - s0) / 1e9 / wall;
	printf("idle busy-poll blk daemon: %.1f ms on or waiting for a CPU in %.2f s (%.1f%%)\n",
	       (double)(s1 - s0) / 1e6, wall, 100.0 * frac);
	if (s0 < 0 || s1 < 0 || frac > 0.20) {
		printf("FAIL: an idle busy-polling daemon must sleep (limit 20%%)\n");
		goto out;
	}
	bool kicked = false;
	if (io(&vq, r, VPLAT_VIRTIO_BLK_T_IN, 64, 5, &kicked)) {
		printf("FAIL: after sleeping, the daemon did not serve the ring\n");
		goto out;
	}
	if (!kicked) {
		printf("FAIL: the sleeping daemon had not asked for kicks (the driver's kick was "
		       "suppressed)\n");
		goto out;
	}
	printf("PASS\n");
	rc = 0;
	vplat_val_vq_fini(&vq);
	vplat_vhu_frontend_fini(&fe);
out:
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(sock);
	unlink(img);
	return rc;
}
