/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vplat-device blk --num-queues 2 --threads 2`: two request queues served by two threads of
 * the daemon, driven concurrently by two threads of vplat's front end (one per queue), while
 * the test's main thread sends control messages (GET_CONFIG, GET_STATUS) to the socket, which
 * park and resume the queue threads under load. Each queue writes its own sectors with a
 * pattern naming queue and sequence number, then reads everything back and compares. Then a
 * second session on the same daemon (new rings, new kick fds: the threads rebuild their fd
 * sets). Event-driven and --busy-poll; the default host end (io_uring, one ring per queue)
 * and --sync.
 *
 * Checks that the daemon really runs two queue threads (threads named vhu-q0, vhu-q1 in
 * /proc/PID/task/N/comm) and that each queue's requests all completed, with the right data.
 *
 * Usage: mq_threads VPLAT_DEVICE WORKDIR [ITERATIONS]; exit 0 = pass, 1 = fail.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "blkdrv.h"
#include "thread_names.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/val.h"

#define BS    4096u
#define QD    8u
#define NQ    2u
#define QSECT 4096u /* sectors per queue's area (2 MiB) */

static char sock[512], img[512];
static unsigned iters = 400;

static pid_t spawn(const char *dev, const char *const *extra)
{
	unlink(sock);
	pid_t p = fork();
	if (p == 0) {
		const char *av[24] = {dev,	    "blk",	   "--socket", sock,      "--file",
				      img,	    "--num-queues", "2",	"--threads", "2",
				      "--log-level", "warn"};
		unsigned n = 12;
		for (unsigned i = 0; extra[i] && n < 23; i++)
			av[n++] = extra[i];
		av[n] = NULL;
		execv(dev, (char *const *)av);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct stat st;
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			break;
		usleep(10000);
	}
	return p;
}

static void note_queue_thread(const char *name, void *arg)
{
	if (!strncmp(name, "vhu-q", 5)) {
		unsigned long q = strtoul(name + 5, NULL, 10);
		if (q < 64)
			*(uint64_t *)arg |= (uint64_t)1 << q;
	}
}

/* Distinct queue-thread names vhu-qN among the threads of @pid. Distinct names, not tasks:
 * a thread created by a queue thread (a host end's helper) inherits its name. */
static unsigned queue_threads(pid_t pid)
{
	uint64_t seen = 0;
	for_each_thread_name(pid, note_queue_thread, &seen);
	return (unsigned)__builtin_popcountll(seen);
}

struct qrun {
	struct vplat_val_vq *vq;
	struct blkdrv_req r[QD];
	unsigned q;
	unsigned done;
	int rc;
	bool finished; /* __atomic: qmain returned (the main thread looks) */
};

static void fill(uint8_t *p, unsigned q, unsigned slot, uint32_t seq)
{
	for (unsigned i = 0; i < BS; i += 8) {
		uint32_t v[2] = {(q << 24) | slot, seq ^ i};
		memcpy(p + i, v, 8);
	}
}

/* Wait for one used buffer of @vq, without the driver's shared idle hook (which reads every
 * queue's call fd: the two threads stay apart). */
static int wait_one(struct vplat_val_vq *vq, void **tok)
{
	uint32_t len;
	for (unsigned spins = 0; spins < 200000; spins++) {
		int rc = vplat_val_vq_get_used(vq, tok, &len);
		if (rc != VPLAT_EAGAIN)
			return rc;
		struct timespec ts = {0, 50000};
		nanosleep(&ts, NULL);
	}
	return VPLAT_ETIMEDOUT;
}

static void qrun_one(struct qrun *x);

static void *qmain(void *arg)
{
	struct qrun *x = arg;
	qrun_one(x);
	__atomic_store_n(&x->finished, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Writes then reads: sector of request k of queue q: q's area, slot (k % QD) * 8. The final
 * content of each slot is the write with the highest sequence number at that slot. */
static void qrun_one(struct qrun *x)
{
	uint64_t base = (uint64_t)x->q * QSECT;
	uint32_t last[QD] = {0};
	for (unsigned pass = 0; pass < 2 && !x->rc; pass++) {
		uint32_t type = pass == 0 ? VPLAT_VIRTIO_BLK_T_OUT : VPLAT_VIRTIO_BLK_T_IN;
		unsigned total = pass == 0 ? iters : QD, posted = 0, got = 0;
		for (unsigned s = 0; s < QD && posted < total; s++, posted++) {
			if (type == VPLAT_VIRTIO_BLK_T_OUT)
				fill(x->r[s].data, x->q, s, last[s] = posted);
			else
				memset(x->r[s].data, 0, BS);
			x->r[s].tag = s;
			if ((x->rc = blkdrv_post(x->vq, &x->r[s], type, base + s * 8u)))
				return;
		}
		vplat_val_vq_kick(x->vq);
		while (got < total && !x->rc) {
			void *tok;
			if ((x->rc = wait_one(x->vq, &tok)))
				break;
			struct blkdrv_req *r = tok;
			got++;
			x->done++;
			if (*r->status != VPLAT_VIRTIO_BLK_S_OK) {
				x->rc = VPLAT_EIO;
				break;
			}
			r->busy = false;
			unsigned s = (unsigned)r->tag;
			if (type == VPLAT_VIRTIO_BLK_T_IN) {
				uint8_t want[BS];
				fill(want, x->q, s, last[s]);
				if (memcmp(want, r->data, BS)) {
					fprintf(stderr, "mq_threads: queue %u slot %u: data differs\n", x->q, s);
					x->rc = VPLAT_EIO;
				}
				continue;
			}
			if (posted < total) {
				fill(r->data, x->q, s, last[s] = posted++);
				if ((x->rc = blkdrv_post(x->vq, r, type, base + s * 8u)))
					break;
				vplat_val_vq_kick(x->vq);
			}
		}
	}
}

/* One session: two queues at once, control messages meanwhile. */
static int session(pid_t pid, unsigned *nthreads)
{
	struct vplat_vhu_frontend fe;
	struct vplat_vhu_frontend_params p = {.path = sock, .device_id = VPLAT_VIRTIO_ID_BLOCK,
					      .mem_size = 4u << 20, .queue_size_max = 64};
	struct vplat_val_dev d;
	static struct vplat_val_vq vq[NQ];
	static struct qrun x[NQ];
	memset(vq, 0, sizeof(vq));
	memset(x, 0, sizeof(x));
	int rc = vplat_vhu_frontend_init(&fe, &p);
	bool up = !rc;
	if (!rc)
		rc = vplat_vhu_frontend_val_init(&fe, &d);
	if (!rc)
		rc = vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
						 VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX) |
						 VPLAT_BIT(VPLAT_VIRTIO_BLK_F_MQ) |
						 VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH));
	for (unsigned q = 0; !rc && q < NQ; q++)
		rc = vplat_val_vq_setup(&d, &vq[q], (uint16_t)q, 64);
	if (!rc)
		rc = vplat_val_driver_ok(&d);
	for (unsigned q = 0; !rc && q < NQ; q++) {
		x[q].vq = &vq[q];
		x[q].q = q;
		for (unsigned s = 0; !rc && s < QD; s++)
			rc = blkdrv_alloc(vplat_vhu_frontend_dma(&fe), &x[q].r[s], BS);
	}
	pthread_t th[NQ];
	unsigned started = 0;
	for (; !rc && started < NQ; started++)
		if (pthread_create(&th[started], NULL, qmain, &x[started]))
			rc = VPLAT_EIO;
	/* Control messages while both queues run: each parks and resumes the queue threads. */
	unsigned msgs = 0;
	while (!rc && started == NQ) {
		bool busy = false;
		for (unsigned q = 0; q < NQ; q++)
			busy |= !__atomic_load_n(&x[q].finished, __ATOMIC_ACQUIRE);
		if (!busy)
			break;
		uint64_t st = 0;
		rc = vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0, &st,
					     sizeof(st));
		msgs++;
		if (*nthreads == 0)
			*nthreads = queue_threads(pid);
		usleep(2000);
	}
	for (unsigned q = 0; q < started; q++)
		pthread_join(th[q], NULL);
	for (unsigned q = 0; q < NQ; q++) {
		if (!rc && x[q].rc)
			rc = x[q].rc;
		printf("mq_threads: queue %u: %u requests completed%s\n", q, x[q].done,
		       x[q].rc ? " (failed)" : "");
	}
	printf("mq_threads: %u control messages meanwhile\n", msgs);
	for (unsigned q = 0; q < NQ; q++)
		vplat_val_vq_fini(&vq[q]);
	if (up)
		vplat_vhu_frontend_fini(&fe);
	if (rc)
		fprintf(stderr, "mq_threads: %s\n", vplat_strerror(rc));
	return rc;
}

static int run(const char *dev, const char *const *extra, const char *label)
{
	pid_t pid = spawn(dev, extra);
	unsigned nthreads = 0;
	int rc = 0;
	for (unsigned s = 0; s < 2 && !rc; s++)
		rc = session(pid, &nthreads);
	kill(pid, SIGTERM);
	int st = 0;
	waitpid(pid, &st, 0);
	bool clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("mq_threads: %s: %s, %u queue threads seen, daemon exit %s\n", label,
	       rc ? "FAIL" : "ok", nthreads, clean ? "clean" : "NOT clean");
	return rc || nthreads != NQ || !clean ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (argc > 3)
		iters = (unsigned)strtoul(argv[3], NULL, 10);
	snprintf(sock, sizeof(sock), "%s/mq.sock", argv[2]);
	snprintf(img, sizeof(img), "%s/mq.img", argv[2]);
	FILE *f = fopen(img, "wb");
	if (!f || ftruncate(fileno(f), (off_t)NQ * QSECT * 512u))
		return 1;
	fclose(f);
	static const char *const ev[] = {NULL};
	static const char *const busy[] = {"--busy-poll", NULL};
	static const char *const sync[] = {"--sync", NULL};
	int fail = run(argv[1], ev, "event-driven");
	fail |= run(argv[1], busy, "busy-poll");
	fail |= run(argv[1], sync, "sync host end");
	printf("mq_threads: %s\n", fail ? "FAIL" : "PASS");
	return fail;
}
