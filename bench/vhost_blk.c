/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/vhost_blk: 4 KiB random read and write IOPS at queue depth 1 and 32 over vhost-user,
 * and per-request latency at queue depth 1 under a fixed-rate (open-loop) load, for
 * `vplat-device blk` (its default host end: io_uring where available) against
 * `qemu-storage-daemon --export type=vhost-user-blk` with `aio=io_uring` (and, labelled,
 * `aio=threads`, QEMU's default), all driven by vplat's front-end (vplat/vhost_user_frontend.h)
 * on the same image in the same run. Two images: a page-cache file on tmpfs, and a file
 * opened with O_DIRECT on a real file system (skipped, with the reason, where O_DIRECT is
 * refused). With --rounds N every back end is measured N times, interleaved, and each cell
 * prints its range; ratios are per round (same minutes) and printed as a range too.
 * Every peer command line is printed exactly as run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../tests/vhost-user/blkdrv.h"
#include "hist.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/val.h"

#define BS     4096u
#define MAXQD  32u
#define NB     3  /* back ends */
#define NIMG   2  /* images */
#define NCELL  4  /* randread QD1, QD32, randwrite QD1, QD32 */
#define MAXRND 16

static double now_s(void)
{
	return (double)bh_now_ns() / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"NAME\n    bench-vhost-blk - vhost-user block IOPS and latency: vplat-device blk vs "
		"qemu-storage-daemon\n\n"
		"SYNOPSIS\n    bench-vhost-blk --vplat-device PATH [--qsd PATH] [--seconds S] "
		"[--rounds N]\n                    [--dir DIR] [--direct-dir DIR|none] [--size MIB]\n"
		"                    [--lat-rate R] [--lat-seconds S] [--cpus D,F] [--machine]\n"
		"                    [--poll] [--driver-poll]\n"
		"    bench-vhost-blk --mq --vplat-device PATH [--qsd PATH] [--seconds S] [--rounds N]\n\n"
		"DESCRIPTION\n    Runs 4 KiB random reads and writes at queue depth 1 and 32 "
		"against each back end\n    (same image, same front-end, same run) and prints "
		"IOPS and the ratio vplat/peer;\n    then QD1 random reads at a fixed rate (open "
		"loop: latency counts from each\n    request's scheduled time) and prints "
		"p50/p99/p99.9. Back ends: vplat-device blk\n    (default host end), "
		"qemu-storage-daemon aio=io_uring (the peer the ratio is taken\n    against) and "
		"aio=threads (QEMU's default, labelled). Images: DIR (page cache)\n    and an "
		"O_DIRECT file in --direct-dir (vplat --direct, QEMU cache.direct=on).\n"
		"    The peers are skipped if qemu-storage-daemon is not found.\n\n"
		"OPTIONS\n    --vplat-device PATH  the vplat-device binary (required)\n"
		"    --qsd PATH           qemu-storage-daemon (default: from PATH)\n"
		"    --seconds S          seconds per IOPS cell (default 3)\n"
		"    --rounds N           measure every back end N times, interleaved (default 1)\n"
		"    --dir DIR            page-cache image and sockets (default /dev/shm)\n"
		"    --direct-dir DIR     O_DIRECT image on a real file system (default /var/tmp;\n"
		"                         none = skip)\n"
		"    --size MIB           image size (default 256)\n"
		"    --lat-rate R         open-loop request rate for the latency run (default: half\n"
		"                         the slowest back end's lowest QD1 randread IOPS)\n"
		"    --lat-seconds S      seconds of latency run per round (default 2; 0 = none)\n"
		"    --cpus D,F           pin the back end to CPU D and this driver to CPU F\n"
		"                         (default 1,0 on machines with 2 or more CPUs; -1 = none)\n"
		"    --machine            also print IOPS/LAT/LATCURVE/CMD lines for tools/bench\n"
		"    --poll               polling back ends: vplat-device blk --busy-poll (rings and\n"
		"                         io_uring completions polled on its core, sleeping after\n"
		"                         2 ms idle) against qemu-storage-daemon with the export in\n"
		"                         an iothread with adaptive polling (--object iothread,\n"
		"                         id=io0,poll-max-ns=32768, export iothread=io0)\n"
		"    --driver-poll        this driver polls too: used-ring interrupts off, the\n"
		"                         driver spins on the used ring instead of sleeping on\n"
		"                         the call eventfd (a guest's polled queue: Linux\n"
		"                         virtio_blk poll_queues + io_uring IOPOLL); with --poll\n"
		"                         no wake-up is left on either side, so a request costs\n"
		"                         what the back end does for it\n"
		"    --mq                 instead: randread QD32 (in all) on the tmpfs image with 1\n"
		"                         queue and with 2 queues (QD16 each): vplat-device\n"
		"                         --num-queues N --threads N against qemu-storage-daemon\n"
		"                         num-queues=N aio=io_uring, and vplat's one-thread daemon\n"
		"                         (no --threads) for reference; one driver thread serves\n"
		"                         every queue, the back end on the other CPU\n\n"
		"EXIT STATUS\n    0 measured; 1 a back end failed; 2 bad arguments\n");
}

struct cfg {
	const char *vdev, *qsd, *dir, *ddir;
	double seconds, lat_seconds, lat_rate;
	unsigned size_mib, rounds;
	int cpu_dev, cpu_drv;
	bool machine;
	bool mq;
	bool poll; /* --poll: vplat --busy-poll, qsd in an iothread with adaptive polling */
	bool drv_poll; /* --driver-poll: this driver spins on the used ring */
	char sock[512];
};

static const char *const bnames[NB] = {"vplat", "qsd-io_uring", "qsd-threads"};
static const char *const inames[NIMG] = {"tmpfs", "odirect"};
static const char *const cnames[NCELL] = {"randread  QD1 ", "randread  QD32", "randwrite QD1 ",
					  "randwrite QD32"};
static const char *const cmach[NCELL] = {"randread-qd1", "randread-qd32", "randwrite-qd1",
					 "randwrite-qd32"};

/* argv of back end @p b on image @p img (@p direct: O_DIRECT), into @p av (static strings). */
static void argv_of(const struct cfg *c, int b, const char *img, bool direct, const char **av)
{
	static char bdev[NB][900], exp[NB][700];
	int n = 0;
	if (b == 0) {
		av[n++] = c->vdev, av[n++] = "blk", av[n++] = "--socket", av[n++] = c->sock;
		av[n++] = "--file", av[n++] = img, av[n++] = "--writeback";
		if (direct)
			av[n++] = "--direct";
		if (c->poll)
			av[n++] = "--busy-poll";
		av[n++] = "--log-level", av[n++] = "error";
	} else {
		snprintf(bdev[b], sizeof(bdev[b]),
			 "driver=file,node-name=f,filename=%s,aio=%s,cache.direct=%s", img,
			 b == 1 ? "io_uring" : "threads", direct ? "on" : "off");
		snprintf(exp[b], sizeof(exp[b]),
			 "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=%s,"
			 "writable=on%s",
			 c->sock, c->poll ? ",iothread=io0" : "");
		av[n++] = c->qsd;
		if (c->poll) /* QEMU's iothread default, written out: adaptive polling up to 32 us */
			av[n++] = "--object", av[n++] = "iothread,id=io0,poll-max-ns=32768";
		av[n++] = "--blockdev", av[n++] = bdev[b];
		av[n++] = "--export", av[n++] = exp[b];
	}
	av[n] = NULL;
}

static void print_cmd(FILE *f, const char *prefix, const char *const *av)
{
	fputs(prefix, f);
	for (int i = 0; av[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", av[i]);
	fputc('\n', f);
}

static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static pid_t start(const struct cfg *c, const char *const *av)
{
	unlink(c->sock);
	pid_t p = fork();
	if (p == 0) {
		pin(c->cpu_dev);
		execvp(av[0], (char *const *)av);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct stat st;
		if (stat(c->sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return p;
		int wst;
		if (waitpid(p, &wst, WNOHANG) == p)
			return -1;
		usleep(10000);
	}
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	return -1;
}

static uint64_t rnd_sector(unsigned *seed, uint64_t sectors)
{
	return (uint64_t)(rand_r(seed) % (sectors / 8)) * 8;
}

/* --driver-poll: spin on the used ring (interrupts off) instead of sleeping on the call
 * eventfd. Same timeout as vplat_val_wait_used(), the clock read once per 4096 looks. */
static bool g_drv_poll;

static int wait_used(struct vplat_val_vq *vq, void **tok, uint32_t *len)
{
	if (!g_drv_poll)
		return vplat_val_wait_used(vq, tok, len, 5000);
	uint64_t end = bh_now_ns() + 5000000000ull;
	for (unsigned i = 1;; i++) {
		int r = vplat_val_vq_get_used(vq, tok, len);
		if (r != VPLAT_EAGAIN)
			return r;
		if (!(i & 4095) && bh_now_ns() > end)
			return VPLAT_ETIMEDOUT;
	}
}

/* One measurement: @qd requests of @type in flight for @secs. Returns IOPS or -1. */
static double run(struct vplat_val_vq *vq, struct blkdrv_req *r, unsigned qd, uint32_t type,
		  uint64_t sectors, double secs)
{
	uint64_t done = 0;
	unsigned seed = 1;
	for (unsigned i = 0; i < qd; i++)
		if (blkdrv_post(vq, &r[i], type, rnd_sector(&seed, sectors)))
			return -1;
	vplat_val_vq_kick(vq);
	double t0 = now_s();
	bool stop = false;
	while (vq->inflight) {
		void *tok;
		uint32_t len;
		if (wait_used(vq, &tok, &len))
			return -1;
		unsigned n = 0;
		do {
			struct blkdrv_req *q = tok;
			if (*q->status != VPLAT_VIRTIO_BLK_S_OK)
				return -1;
			done++;
			q->busy = false;
			if (!stop && blkdrv_post(vq, q, type, rnd_sector(&seed, sectors)))
				return -1;
			n++;
		} while (vplat_val_vq_get_used(vq, &tok, &len) == 0);
		if (!stop)
			vplat_val_vq_kick(vq);
		if (!stop && (done & 63) < n + 1 && now_s() - t0 >= secs)
			stop = true;
	}
	return (double)done / (now_s() - t0);
}

/*
 * Open-loop QD1: request i is due at t0 + i/rate. It is sent at its due time, or at once
 * when the previous one (QD1: at most one in flight) completed after that; its latency is
 * completion - due time, so a stall is charged to every request it delayed.
 */
static int run_lat(struct vplat_val_vq *vq, struct blkdrv_req *r, uint64_t sectors, double secs,
		   double rate, struct bh *h)
{
	struct bh_pace pace;
	unsigned seed = 7;
	uint64_t n = (uint64_t)(secs * rate);
	bh_pace_init(&pace, (uint64_t)(1e9 / rate));
	if (n < 1)
		n = 1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t due = pace.start + pace.i * pace.period_ns;
		uint64_t t = bh_now_ns();
		if (due > t + 100000) { /* sleep most of a long gap, spin the rest */
			struct timespec ts = {.tv_sec = (time_t)((due - 50000) / 1000000000ull),
					      .tv_nsec = (long)((due - 50000) % 1000000000ull)};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		due = bh_pace_next(&pace);
		if (blkdrv_post(vq, r, VPLAT_VIRTIO_BLK_T_IN, rnd_sector(&seed, sectors)))
			return -1;
		vplat_val_vq_kick(vq);
		void *tok;
		uint32_t len;
		if (wait_used(vq, &tok, &len))
			return -1;
		uint64_t end = bh_now_ns();
		if (*r->status != VPLAT_VIRTIO_BLK_S_OK)
			return -1;
		r->busy = false;
		bh_add(h, end - due);
	}
	return 0;
}

/* A daemon under test and vplat's front end driving it: @p nq queues of 128 entries, features
 * VERSION_1, EVENT_IDX, FLUSH and @p extra, MAXQD requests of BS bytes allocated. */
struct session {
	pid_t pid;
	bool up; /* the front end is initialised */
	unsigned nq;
	struct vplat_vhu_frontend fe;
	struct vplat_val_dev d;
	struct vplat_val_vq vq[2];
	struct blkdrv_req r[MAXQD];
};

/* Start the daemon (@p av) and bring the device up: 0 or a negative VPLAT_E* code. When the
 * daemon did not start, s->pid is negative and there is nothing to close; otherwise
 * session_close() is due, whatever the result. */
static int session_open(struct session *s, const struct cfg *c, const char *const *av,
			unsigned nq, uint64_t extra)
{
	memset(s, 0, sizeof(*s));
	s->nq = nq;
	s->pid = start(c, av);
	if (s->pid < 0) {
		fprintf(stderr, "bench-vhost-blk: %s did not start\n", av[0]);
		return VPLAT_EIO;
	}
	struct vplat_vhu_frontend_params p = {.path = c->sock, .device_id = VPLAT_VIRTIO_ID_BLOCK,
					      .mem_size = 8u << 20, .queue_size_max = 128};
	int rc = vplat_vhu_frontend_init(&s->fe, &p);
	s->up = !rc;
	if (!rc)
		rc = vplat_vhu_frontend_val_init(&s->fe, &s->d);
	if (!rc)
		/* FLUSH: without it a device must write through (virtio 1.2, 5.2.6.2), which
		 * vplat does (RWF_DSYNC) and qemu-storage-daemon does not; with it both keep
		 * the write-back cache their command lines ask for. */
		rc = vplat_val_negotiate(&s->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
							VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX) |
							VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) | extra);
	for (unsigned q = 0; !rc && q < nq; q++)
		rc = vplat_val_vq_setup(&s->d, &s->vq[q], (uint16_t)q, 128);
	if (!rc)
		rc = vplat_val_driver_ok(&s->d);
	for (unsigned i = 0; !rc && i < MAXQD; i++)
		rc = blkdrv_alloc(vplat_vhu_frontend_dma(&s->fe), &s->r[i], BS);
	return rc;
}

/* Stop daemon @p pid: SIGTERM, and SIGKILL if it is still there after 10 s (a
 * qemu-storage-daemon with an iothread once ignored SIGTERM here and hung the benchmark). */
static void reap(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	fprintf(stderr, "bench-vhost-blk: pid %d ignored SIGTERM for 10 s: SIGKILL\n", (int)pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Tear down what session_open() brought up and stop the daemon. */
static void session_close(struct session *s)
{
	for (unsigned q = 0; q < s->nq; q++)
		vplat_val_vq_fini(&s->vq[q]);
	if (s->up)
		vplat_vhu_frontend_fini(&s->fe);
	reap(s->pid);
}

/* One daemon session: the four IOPS cells into @p out, or (@p out NULL) the latency run at
 * @p rate into @p lat. */
static int bench_backend(const struct cfg *c, const char *const *av, double out[NCELL],
			 struct bh *lat, double rate, uint64_t sectors)
{
	static struct session s;
	int rc = session_open(&s, c, av, 1, 0);
	if (s.pid < 0)
		return -1;
	const unsigned qds[2] = {1, MAXQD};
	const uint32_t types[2] = {VPLAT_VIRTIO_BLK_T_IN, VPLAT_VIRTIO_BLK_T_OUT};
	g_drv_poll = c->drv_poll;
	if (!rc && c->drv_poll)
		vplat_val_vq_set_interrupts(&s.vq[0], false);
	for (unsigned t = 0; out && !rc && t < 2; t++)
		for (unsigned q = 0; !rc && q < 2; q++) {
			out[t * 2 + q] = run(&s.vq[0], s.r, qds[q], types[t], sectors, c->seconds);
			if (out[t * 2 + q] < 0)
				rc = -1;
		}
	if (!rc && !out)
		rc = run_lat(&s.vq[0], s.r, sectors, c->lat_seconds, rate, lat);
	if (rc)
		fprintf(stderr, "bench-vhost-blk: %s failed: %s\n", av[0],
			rc < 0 ? vplat_strerror(rc) : "?");
	session_close(&s);
	return rc ? -1 : 0;
}

static void range(const double *v, unsigned n, double *lo, double *hi);

/* --- --mq: one queue against two, one thread per queue ---------------------------------- */

#define MQ_NB 5
static const char *const mq_names[MQ_NB] = {"vplat 1q main thread", "vplat 1q 1 thread",
					    "vplat 2q 2 threads", "qsd 1q io_uring",
					    "qsd 2q io_uring"};
static const char *const mq_mnames[MQ_NB] = {"vplat-1q-main-thread", "vplat-1q-1-thread",
					     "vplat-2q-2-threads", "qsd-1q-io_uring",
					     "qsd-2q-io_uring"};

static void mq_argv(const struct cfg *c, int b, const char *img, const char **av)
{
	static char bdev[700], exp[MQ_NB][700];
	int n = 0;
	unsigned nq = b == 2 || b == 4 ? 2 : 1;
	if (b < 3) {
		av[n++] = c->vdev, av[n++] = "blk", av[n++] = "--socket", av[n++] = c->sock;
		av[n++] = "--file", av[n++] = img, av[n++] = "--writeback";
		av[n++] = "--num-queues", av[n++] = nq == 2 ? "2" : "1";
		if (b > 0)
			av[n++] = "--threads", av[n++] = nq == 2 ? "2" : "1";
		av[n++] = "--log-level", av[n++] = "error";
	} else {
		snprintf(bdev, sizeof(bdev),
			 "driver=file,node-name=f,filename=%s,aio=io_uring,cache.direct=off", img);
		snprintf(exp[b], sizeof(exp[b]),
			 "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=%s,"
			 "writable=on,num-queues=%u",
			 c->sock, nq);
		av[n++] = c->qsd, av[n++] = "--blockdev", av[n++] = bdev;
		av[n++] = "--export", av[n++] = exp[b];
	}
	av[n] = NULL;
}

/* Random reads, MAXQD in flight spread over @nq queues, one driver thread polling them all.
 * Returns IOPS or -1. */
static double mq_run(struct vplat_val_vq *vq, unsigned nq, struct blkdrv_req *r,
		     uint64_t sectors, double secs)
{
	unsigned seed = 3, per = MAXQD / nq;
	uint64_t done = 0;
	for (unsigned q = 0; q < nq; q++) {
		for (unsigned i = 0; i < per; i++)
			if (blkdrv_post(&vq[q], &r[q * per + i], VPLAT_VIRTIO_BLK_T_IN,
					rnd_sector(&seed, sectors)))
				return -1;
		vplat_val_vq_kick(&vq[q]);
	}
	double t0 = now_s(), last = t0;
	bool stop = false;
	unsigned inflight = MAXQD;
	while (inflight) {
		bool any = false;
		for (unsigned q = 0; q < nq; q++) {
			void *tok;
			uint32_t len;
			unsigned n = 0;
			while (vplat_val_vq_get_used(&vq[q], &tok, &len) == 0) {
				struct blkdrv_req *x = tok;
				if (*x->status != VPLAT_VIRTIO_BLK_S_OK)
					return -1;
				x->busy = false;
				done++;
				n++;
				if (stop) {
					inflight--;
				} else if (blkdrv_post(&vq[q], x, VPLAT_VIRTIO_BLK_T_IN,
						       rnd_sector(&seed, sectors))) {
					return -1;
				}
			}
			if (n && !stop)
				vplat_val_vq_kick(&vq[q]);
			any |= n != 0;
		}
		double t = now_s();
		if (any)
			last = t;
		else if (t - last > 5)
			return -1; /* stalled */
		if (!stop && (done & 255) < 32 && t - t0 >= secs)
			stop = true;
	}
	return (double)done / (now_s() - t0);
}

static double mq_backend(const struct cfg *c, const char *const *av, unsigned nq, uint64_t sectors)
{
	static struct session s;
	int rc = session_open(&s, c, av, nq, nq > 1 ? VPLAT_BIT(VPLAT_VIRTIO_BLK_F_MQ) : 0);
	if (s.pid < 0)
		return -1;
	double iops = -1;
	if (!rc)
		iops = mq_run(s.vq, nq, s.r, sectors, c->seconds);
	if (rc || iops < 0)
		fprintf(stderr, "bench-vhost-blk: %s failed: %s\n", av[0],
			rc ? vplat_strerror(rc) : "stalled or I/O error");
	session_close(&s);
	return iops;
}

static int main_mq(const struct cfg *c, const char *img, bool have_qsd)
{
	static double v[MQ_NB][MAXRND];
	bool ok[MQ_NB];
	uint64_t sectors = (uint64_t)c->size_mib << 11;
	printf("bench-vhost-blk --mq: 4 KiB randread, %u in flight in all, %u MiB image on %s, "
	       "%.1f s per cell, %u round(s), back end on CPU %d, driver (one thread) on CPU %d\n",
	       MAXQD, c->size_mib, c->dir, c->seconds, c->rounds, c->cpu_dev, c->cpu_drv);
	for (int b = 0; b < MQ_NB; b++) {
		const char *av[24];
		mq_argv(c, b, img, av);
		ok[b] = b < 3 || have_qsd;
		if (!ok[b])
			continue;
		char pre[64];
		snprintf(pre, sizeof(pre), "command %s: ", mq_names[b]);
		print_cmd(stdout, pre, av);
		if (c->machine) {
			snprintf(pre, sizeof(pre), "CMD blk-mq %s ", mq_mnames[b]);
			print_cmd(stdout, pre, av);
		}
	}
	fflush(stdout);
	for (unsigned r = 0; r < c->rounds; r++)
		for (int b = 0; b < MQ_NB; b++) {
			if (!ok[b])
				continue;
			const char *av[24];
			mq_argv(c, b, img, av);
			v[b][r] = mq_backend(c, av, b == 2 || b == 4 ? 2 : 1, sectors);
			if (v[b][r] < 0)
				ok[b] = false;
		}
	printf("\n%-22s %-15s\n", "back end", "min-max IOPS");
	for (int b = 0; b < MQ_NB; b++) {
		double lo, hi;
		if (!ok[b]) {
			printf("%-22s n/a\n", mq_names[b]);
			continue;
		}
		range(v[b], c->rounds, &lo, &hi);
		printf("%-22s %.0f-%.0f\n", mq_names[b], lo, hi);
	}
	/* Ratios per round (same minutes): 2 queues / 1 queue, and vplat / qsd at equal queues. */
	static const int pairs[][2] = {{2, 1}, {4, 3}, {1, 3}, {2, 4}, {0, 3}};
	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		int a = pairs[k][0], b = pairs[k][1];
		if (!ok[a] || !ok[b])
			continue;
		double x[MAXRND], lo, hi;
		for (unsigned r = 0; r < c->rounds; r++)
			x[r] = v[a][r] / v[b][r];
		range(x, c->rounds, &lo, &hi);
		printf("ratio %-22s / %-22s %.2f-%.2f\n", mq_names[a], mq_names[b], lo, hi);
	}
	if (c->machine)
		for (int b = 0; b < MQ_NB; b++) {
			if (!ok[b])
				continue;
			printf("IOPS blk-mq-randread-qd32 %s", mq_mnames[b]);
			for (unsigned r = 0; r < c->rounds; r++)
				printf(" %.0f", v[b][r]);
			printf("\n");
		}
	return ok[1] && ok[2] ? 0 : 1;
}

static int make_image(const char *path, unsigned mib)
{
	FILE *f = fopen(path, "wb");
	static uint8_t chunk[1 << 20];
	memset(chunk, 0xa5, sizeof(chunk));
	for (unsigned i = 0; f && i < mib; i++)
		fwrite(chunk, 1, sizeof(chunk), f);
	/* Written back and out of the page cache before any back end starts: otherwise the
	 * first back end to read the O_DIRECT image meets the dirty pages of this fwrite
	 * (each such read is punted by io_uring to a kernel worker that writes them back
	 * first) and the back ends after it do not. */
	if (f && (fflush(f) || fsync(fileno(f))))
		return fclose(f), -1;
	if (f)
		(void)posix_fadvise(fileno(f), 0, 0, POSIX_FADV_DONTNEED);
	if (!f || fclose(f))
		return -1;
	return 0;
}

/* Can @p path be opened with O_DIRECT and read 4 KiB at offset 0? 0, or errno. */
static int direct_ok(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		return errno;
	void *buf = NULL;
	int e = posix_memalign(&buf, 4096, BS) ? ENOMEM : 0;
	if (!e && pread(fd, buf, BS, 0) != (ssize_t)BS)
		e = errno ? errno : EIO;
	free(buf);
	close(fd);
	return e;
}

static void range(const double *v, unsigned n, double *lo, double *hi)
{
	*lo = *hi = v[0];
	for (unsigned i = 1; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

int main(int argc, char **argv)
{
	struct cfg c = {.qsd = "qemu-storage-daemon", .dir = "/dev/shm", .ddir = "/var/tmp",
			.seconds = 3, .size_mib = 256, .rounds = 1, .lat_seconds = 2,
			.lat_rate = 0, .cpu_dev = -2, .cpu_drv = -2};
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
		} else if (!strcmp(a, "--direct-dir") && v) {
			c.ddir = strcmp(v, "none") ? v : NULL, i++;
		} else if (!strcmp(a, "--seconds") && v && atof(v) > 0) {
			c.seconds = atof(v), i++;
		} else if (!strcmp(a, "--lat-seconds") && v && atof(v) >= 0) {
			c.lat_seconds = atof(v), i++;
		} else if (!strcmp(a, "--lat-rate") && v && atof(v) >= 0) {
			c.lat_rate = atof(v), i++;
		} else if (!strcmp(a, "--rounds") && v && atoi(v) >= 1 && atoi(v) <= MAXRND) {
			c.rounds = (unsigned)atoi(v), i++;
		} else if (!strcmp(a, "--size") && v && atoi(v) >= 1) {
			c.size_mib = (unsigned)atoi(v), i++;
		} else if (!strcmp(a, "--cpus") && v && sscanf(v, "%d,%d", &c.cpu_dev, &c.cpu_drv) == 2) {
			i++;
		} else if (!strcmp(a, "--poll")) {
			c.poll = true;
		} else if (!strcmp(a, "--driver-poll")) {
			c.drv_poll = true;
		} else if (!strcmp(a, "--machine")) {
			c.machine = true;
		} else if (!strcmp(a, "--mq")) {
			c.mq = true;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!c.vdev) {
		usage(stderr);
		return 2;
	}
	if (c.cpu_dev == -2) {
		bool two = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
		c.cpu_dev = two ? 1 : -1, c.cpu_drv = two ? 0 : -1;
	}
	signal(SIGPIPE, SIG_IGN);
	pin(c.cpu_drv);
	snprintf(c.sock, sizeof(c.sock), "%s/vplat-bench-%d.sock", c.dir, (int)getpid());
	char img[NIMG][512];
	bool use_img[NIMG] = {true, c.ddir != NULL};
	for (int m = 0; m < NIMG; m++) {
		snprintf(img[m], sizeof(img[m]), "%s/vplat-bench-%d.img", m ? c.ddir ? c.ddir : "" : c.dir,
			 (int)getpid());
		if (!use_img[m])
			continue;
		if (make_image(img[m], c.size_mib)) {
			fprintf(stderr, "bench-vhost-blk: cannot create %s\n", img[m]);
			if (!m)
				return 1;
			use_img[m] = false;
			continue;
		}
		int e;
		if (m && (e = direct_ok(img[m]))) {
			printf("bench-vhost-blk: SKIP O_DIRECT image %s: %s\n", img[m], strerror(e));
			unlink(img[m]);
			use_img[m] = false;
		}
	}
	bool have_qsd = strchr(c.qsd, '/') ? access(c.qsd, X_OK) == 0
					   : system("command -v qemu-storage-daemon >/dev/null 2>&1") == 0;
	if (c.mq) {
		for (int m = 1; m < NIMG; m++)
			if (use_img[m])
				unlink(img[m]);
		if (!have_qsd)
			printf("bench-vhost-blk: qemu-storage-daemon not found: peers skipped\n");
		int mrc = main_mq(&c, img[0], have_qsd);
		unlink(img[0]);
		unlink(c.sock);
		return mrc;
	}
	printf("bench-vhost-blk: 4 KiB, %u MiB images, %.1f s per cell, %u round(s), vplat "
	       "front-end, back end on CPU %d, driver on CPU %d%s%s\n",
	       c.size_mib, c.seconds, c.rounds, c.cpu_dev, c.cpu_drv,
	       c.poll ? ", polling back ends (--poll)" : "",
	       c.drv_poll ? ", polling driver (--driver-poll)" : "");
	if (!have_qsd)
		printf("bench-vhost-blk: qemu-storage-daemon not found: peers skipped\n");
	static double iops[NIMG][NB][MAXRND][NCELL];
	static struct bh lat[NIMG][NB];
	bool ok[NIMG][NB] = {{false}};
	int rc = 0;
	for (int m = 0; m < NIMG; m++) {
		if (!use_img[m])
			continue;
		for (int b = 0; b < NB; b++) {
			const char *av[16];
			argv_of(&c, b, img[m], m == 1, av);
			char pre[64];
			snprintf(pre, sizeof(pre), "command %s %s: ", inames[m], bnames[b]);
			if (b == 0 || have_qsd)
				print_cmd(stdout, pre, av);
			if (c.machine && (b == 0 || have_qsd)) {
				snprintf(pre, sizeof(pre), "CMD %s %s ", inames[m], bnames[b]);
				print_cmd(stdout, pre, av);
			}
			bh_init(&lat[m][b]);
			ok[m][b] = b == 0 || have_qsd;
		}
	}
	fflush(stdout);
	uint64_t sectors = (uint64_t)c.size_mib << 11;
	for (unsigned r = 0; r < c.rounds; r++)
		for (int m = 0; m < NIMG; m++)
			for (int b = 0; use_img[m] && b < NB; b++) {
				if (!ok[m][b])
					continue;
				const char *av[16];
				argv_of(&c, b, img[m], m == 1, av);
				if (bench_backend(&c, av, iops[m][b][r], NULL, 0, sectors)) {
					ok[m][b] = false;
					if (b == 0)
						rc = 1;
				}
			}
	/* Latency: a rate every back end sustains (half the slowest QD1 read median), so the
	 * queue stays short and the tail is the back end's, not a backlog's. */
	double rate[NIMG] = {0};
	for (int m = 0; c.lat_seconds > 0 && m < NIMG; m++) {
		if (!use_img[m])
			continue;
		rate[m] = c.lat_rate;
		for (int b = 0; !rate[m] && b < NB; b++) {
			double v[MAXRND], lo, hi;
			if (!ok[m][b])
				continue;
			for (unsigned r = 0; r < c.rounds; r++)
				v[r] = iops[m][b][r][0];
			range(v, c.rounds, &lo, &hi);
			if (rate[m] == 0 || lo / 2 < rate[m])
				rate[m] = lo / 2;
		}
		for (int b = 0; b < NB; b++) {
			if (!ok[m][b] || rate[m] < 1)
				continue;
			const char *av[16];
			argv_of(&c, b, img[m], m == 1, av);
			for (unsigned r = 0; r < c.rounds; r++)
				if (bench_backend(&c, av, NULL, &lat[m][b], rate[m], sectors)) {
					ok[m][b] = false;
					if (b == 0)
						rc = 1;
					break;
				}
		}
	}
	for (int m = 0; m < NIMG; m++)
		if (use_img[m])
			unlink(img[m]);
	unlink(c.sock);
	for (int m = 0; m < NIMG; m++) {
		if (!use_img[m])
			continue;
		printf("\nimage %s (%s)\n", inames[m], img[m]);
		printf("%-16s %-21s %-21s %-21s %-13s\n", "min-max IOPS", "vplat", "qsd aio=io_uring",
		       "qsd aio=threads", "vplat/io_uring");
		for (int k = 0; k < NCELL; k++) {
			printf("%-16s", cnames[k]);
			for (int b = 0; b < NB; b++) {
				double v[MAXRND], lo, hi;
				char cell[40] = "n/a";
				for (unsigned r = 0; r < c.rounds; r++)
					v[r] = iops[m][b][r][k];
				if (ok[m][b]) {
					range(v, c.rounds, &lo, &hi);
					snprintf(cell, sizeof(cell), "%.0f-%.0f", lo, hi);
				}
				printf(" %-21s", cell);
			}
			if (ok[m][0] && ok[m][1]) {
				double v[MAXRND], lo, hi;
				for (unsigned r = 0; r < c.rounds; r++)
					v[r] = iops[m][0][r][k] / iops[m][1][r][k];
				range(v, c.rounds, &lo, &hi);
				printf(" %.2f-%.2f", lo, hi);
			}
			printf("\n");
		}
		if (rate[m] >= 1) {
			printf("QD1 randread at %.0f requests/s, open loop, all rounds:\n", rate[m]);
			bh_print_head(stdout);
			for (int b = 0; b < NB; b++)
				if (ok[m][b])
					bh_print(stdout, bnames[b], &lat[m][b]);
		}
	}
	if (c.machine) {
		for (int m = 0; m < NIMG; m++)
			for (int b = 0; use_img[m] && b < NB; b++) {
				if (!ok[m][b])
					continue;
				for (int k = 0; k < NCELL; k++) {
					printf("IOPS blk-%s-%s %s", inames[m], cmach[k], bnames[b]);
					for (unsigned r = 0; r < c.rounds; r++)
						printf(" %.0f", iops[m][b][r][k]);
					printf("\n");
				}
				if (rate[m] >= 1) {
					char l[96];
					snprintf(l, sizeof(l), "blk-%s-qd1-randread %s", inames[m], bnames[b]);
					bh_print_machine(stdout, l, &lat[m][b]);
				}
			}
	}
	return rc;
}
