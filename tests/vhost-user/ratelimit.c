/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `vplat-device blk --iops/--bps`, `can --virtual --frame-rate` and `net --frame-rate/--bps`:
 * the daemon's rate limits hold, seen from vplat's front end, each run against a fresh
 * daemon. Runs of NREQ requests at queue depth 1:
 *  - blk, no limit: NREQ 4 KiB reads take less than the limited runs' floor;
 *  - blk --iops 10 --iops-burst 1: NREQ reads need at least (NREQ - 1) / 10 s;
 *  - blk --bps 81920 --bps-burst 4096: NREQ 4 KiB reads need at least (NREQ - 1) * 4096 / 81920 s;
 *  - can --virtual --frame-rate 10 --frame-burst 1: NREQ classic frames need at least
 *    (NREQ - 1) / 10 s, and without the limit less than that (a floor of 1.6 s,
 *    so that an unlimited run on a loaded machine stays clearly below it).
 * And `vplat-device net --sink`, the transmitq kept full (NET_QS frames in flight) for
 * NET_T s, counting the frames the daemon completed between the first kick (t0) and the last
 * look at the used ring (t1). A frame is completed only after the limit admitted it, so:
 *  - --frame-rate 200 --frame-burst 4: count <= 200 x (t1 - t0) + 4 + 2;
 *  - --bps 100000 --bps-burst 5000, 1000-byte frames: count x 1000 <= 100000 x (t1 - t0)
 *    + 5000 + 2 frames;
 *  - unlimited: more than twice the frame-rate run's bound (clearly more, not a speed);
 *  - each run, once the driver stops adding: every frame in flight completes (a frame held
 *    by the limit goes later; it is never dropped or left behind), within a generous 10 s.
 * Counts and bounds only: no assertion on how fast anything went.
 *
 * Usage: ratelimit VPLAT_DEVICE WORKDIR; exit 0 = pass, 1 = fail.
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
#include "vplat/spec/virtio_can.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/val.h"

#define BS   4096u
#define NREQ 17u /* 16 intervals: 1.6 s at 10 IOPS, 0.8 s at 20 blocks/s */
#define NET_QS 64u   /* transmitq size */
#define NET_T  1.0   /* seconds the transmitq is kept full */
#define NET_HDR 12u  /* virtio-net header with num_buffers (VERSION_1) */

static char sock[512], img[512];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum kind { BLK, CAN, NET };

static pid_t spawn(const char *dev, const char *const *limits, enum kind k)
{
	unlink(sock);
	pid_t p = fork();
	if (p == 0) {
		const char *av[16] = {dev, "blk", "--socket", sock, "--file", img, "--log-level", "warn"};
		unsigned n = 8;
		if (k == CAN)
			av[1] = "can", av[4] = "--virtual", av[5] = "--log-level", av[6] = "warn", n = 7;
		if (k == NET)
			av[1] = "net", av[4] = "--sink", av[5] = "--log-level", av[6] = "warn", n = 7;
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

/* A daemon and vplat's front end on it, its queues set up and DRIVER_OK given. */
struct conn {
	pid_t pid;
	bool fe_up;
	struct vplat_vhu_frontend fe;
	struct vplat_val_dev d;
	struct vplat_val_vq vq[3];
};

/* Start the daemon for @k with @limits, connect, negotiate @features and set up @nvq queues of
 * @qs entries. Returns 0 or the first error; conn_close() in either case. */
static int conn_open(struct conn *c, const char *dev, const char *const *limits, enum kind k,
		     uint64_t features, unsigned nvq, uint16_t qs)
{
	static const uint32_t ids[] = {[BLK] = VPLAT_VIRTIO_ID_BLOCK, [CAN] = VPLAT_VIRTIO_ID_CAN,
				       [NET] = VPLAT_VIRTIO_ID_NET};
	struct vplat_vhu_frontend_params p = {.path = sock, .fd = -1, .device_id = ids[k],
					      .mem_size = 1u << 20, .queue_size_max = qs,
					      .timeout_ms = 20000}; /* a loaded machine */
	memset(c, 0, sizeof(*c));
	c->pid = spawn(dev, limits, k);
	int rc = vplat_vhu_frontend_init(&c->fe, &p);
	c->fe_up = !rc;
	if (!rc)
		rc = vplat_vhu_frontend_val_init(&c->fe, &c->d);
	if (!rc)
		rc = vplat_val_negotiate(&c->d, features);
	for (uint16_t q = 0; !rc && q < nvq; q++)
		rc = vplat_val_vq_setup(&c->d, &c->vq[q], q, qs);
	if (!rc)
		rc = vplat_val_driver_ok(&c->d);
	return rc;
}

static void conn_close(struct conn *c)
{
	for (unsigned q = 0; q < 3; q++)
		vplat_val_vq_fini(&c->vq[q]);
	if (c->fe_up)
		vplat_vhu_frontend_fini(&c->fe);
	kill(c->pid, SIGTERM);
	waitpid(c->pid, NULL, 0);
}

/* One CAN request on queue @q: @olen bytes out, one status byte in. */
static int can_req(struct vplat_val_vq *vq, uint8_t *out, uint32_t olen, uint8_t *st)
{
	struct vplat_val_buf b[2] = {{.ptr = out, .len = olen}, {.ptr = st, .len = 1}};
	void *tok;
	uint32_t len;
	*st = 0xff;
	int rc = vplat_val_vq_add(vq, b, 1, 1, out);
	vplat_val_vq_kick(vq);
	if (!rc)
		rc = vplat_val_wait_used(vq, &tok, &len, 10000);
	return rc ? rc : *st == VPLAT_VIRTIO_CAN_RESULT_OK ? 0 : VPLAT_EIO;
}

/* Seconds NREQ CAN frames at queue depth 1 took; < 0 on failure. */
static double run_can(const char *dev, const char *const *limits)
{
	struct conn c;
	struct vplat_val_vq *vq = c.vq;
	double t = -1;
	int rc = conn_open(&c, dev, limits, CAN,
			   VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) |
				   VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK),
			   3, 16);
	uint8_t *out = rc ? NULL : vplat_val_alloc(vplat_vhu_frontend_dma(&c.fe), 24, 16, NULL);
	uint8_t *st = rc ? NULL : vplat_val_alloc(vplat_vhu_frontend_dma(&c.fe), 1, 1, NULL);
	if (!rc && (!out || !st))
		rc = VPLAT_ENOMEM;
	if (!rc) {
		memset(out, 0, 24);
		out[0] = VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START & 0xff;
		out[1] = VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START >> 8;
		rc = can_req(&vq[VPLAT_VIRTIO_CAN_CONTROLQ], out, 2, st);
	}
	double t0 = now_s();
	for (unsigned i = 0; !rc && i < NREQ; i++) {
		memset(out, 0, 24);
		out[0] = VPLAT_VIRTIO_CAN_TX;
		out[2] = 8;     /* length */
		out[12] = 0x23; /* can_id 0x123, little-endian */
		out[13] = 0x01;
		rc = can_req(&vq[VPLAT_VIRTIO_CAN_TXQ], out, 24, st);
	}
	if (!rc)
		t = now_s() - t0;
	else
		fprintf(stderr, "ratelimit: can: %s\n", vplat_strerror(rc));
	conn_close(&c);
	return t;
}

/* One net run: frames of @p flen bytes (without the header), the transmitq kept full for
 * NET_T s. *@p count: frames completed in *@p secs (t1 - t0); *@p drained: every frame in
 * flight completed afterwards. Returns 0 or the first error. */
static int run_net(const char *dev, const char *const *limits, uint32_t flen, unsigned *count,
		   double *secs, bool *drained)
{
	struct conn c;
	struct vplat_val_vq *tx = &c.vq[1];
	unsigned inflight = 0;
	const char *what = "set-up";
	void *tok;
	*count = 0;
	*secs = 0;
	*drained = false;
	int rc = conn_open(&c, dev, limits, NET, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1), 2, NET_QS);
	/* One buffer for every frame: the device only reads it. A broadcast frame, EtherType
	 * 0x88b5 (local experimental). */
	uint8_t *buf = rc ? NULL : vplat_val_alloc(vplat_vhu_frontend_dma(&c.fe), NET_HDR + flen, 8,
						     NULL);
	if (!rc && !buf)
		rc = VPLAT_ENOMEM;
	if (!rc) {
		memset(buf, 0, NET_HDR + flen);
		memset(buf + NET_HDR, 0xff, 6);
		buf[NET_HDR + 6] = 0x02;
		buf[NET_HDR + 12] = 0x88, buf[NET_HDR + 13] = 0xb5;
	}
	struct vplat_val_buf b = {.ptr = buf, .len = NET_HDR + flen};
	double t0 = now_s(), t1 = t0;
	if (!rc)
		what = "transmit";
	while (!rc && t1 - t0 < NET_T) {
		while (vplat_val_vq_add(tx, &b, 1, 0, buf) == 0)
			inflight++;
		vplat_val_vq_notify(tx);
		usleep(200);
		while ((rc = vplat_val_vq_get_used(tx, &tok, NULL)) == 0)
			(*count)++, inflight--;
		rc = rc == VPLAT_EAGAIN ? 0 : rc;
		t1 = now_s(); /* every frame counted was completed before this */
	}
	*secs = t1 - t0;
	/* Stop adding: the frames in flight, held by the limit or not, all complete. */
	if (!rc)
		what = "drain";
	for (double end = now_s() + 10.0; !rc && inflight && now_s() < end;) {
		usleep(1000);
		while ((rc = vplat_val_vq_get_used(tx, &tok, NULL)) == 0)
			inflight--;
		rc = rc == VPLAT_EAGAIN ? 0 : rc;
	}
	*drained = !rc && !inflight;
	if (rc)
		fprintf(stderr, "ratelimit: net %s, %s: %s\n", limits[0] ? limits[0] : "unlimited",
			what, vplat_strerror(rc));
	conn_close(&c);
	return rc;
}

/* Seconds NREQ 4 KiB reads at queue depth 1 took; < 0 on failure. */
static double run(const char *dev, const char *const *limits)
{
	struct conn c;
	struct vplat_val_vq *vq = &c.vq[0];
	struct blkdrv_req r;
	double t = -1;
	int rc = conn_open(&c, dev, limits, BLK, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1), 1, 16);
	if (!rc)
		rc = blkdrv_alloc(vplat_vhu_frontend_dma(&c.fe), &r, BS);
	double t0 = now_s();
	for (unsigned i = 0; !rc && i < NREQ; i++) {
		void *tok;
		uint32_t len;
		rc = blkdrv_post(vq, &r, VPLAT_VIRTIO_BLK_T_IN, (uint64_t)i * (BS / 512));
		vplat_val_vq_kick(vq);
		if (!rc)
			rc = vplat_val_wait_used(vq, &tok, &len, 10000);
		if (!rc && *r.status != VPLAT_VIRTIO_BLK_S_OK)
			rc = VPLAT_EIO;
	}
	if (!rc)
		t = now_s() - t0;
	else
		fprintf(stderr, "ratelimit: %s\n", vplat_strerror(rc));
	conn_close(&c);
	return t;
}

/* The net runs and their bounds; 0 pass, 1 fail. */
static int check_net(const char *dev)
{
	static const char *const none[] = {NULL};
	static const char *const frames[] = {"--frame-rate", "200", "--frame-burst", "4", NULL};
	static const char *const bytes[] = {"--bps", "100000", "--bps-burst", "5000", NULL};
	unsigned n_none, n_rate, n_bps;
	double s_none, s_rate, s_bps;
	bool d_none, d_rate, d_bps;
	int rc = run_net(dev, none, 60, &n_none, &s_none, &d_none);
	if (!rc)
		rc = run_net(dev, frames, 60, &n_rate, &s_rate, &d_rate);
	if (!rc)
		rc = run_net(dev, bytes, 1000, &n_bps, &s_bps, &d_bps);
	if (rc)
		return printf("FAIL: net: %s\n", vplat_strerror(rc)) > 0;
	double b_rate = 200.0 * s_rate + 4 + 2, b_bps = (100000.0 * s_bps + 5000) / 1000 + 2;
	printf("ratelimit: net --sink, transmitq of %u kept full: unlimited %u frames in %.3f s; "
	       "--frame-rate 200 --frame-burst 4: %u in %.3f s (bound %.1f); --bps 100000 "
	       "--bps-burst 5000, 1000-byte frames: %u in %.3f s (bound %.1f)\n",
	       NET_QS, n_none, s_none, n_rate, s_rate, b_rate, n_bps, s_bps, b_bps);
	if (n_rate > b_rate)
		return printf("FAIL: net --frame-rate 200 did not hold\n") > 0;
	if (n_bps > b_bps)
		return printf("FAIL: net --bps 100000 did not hold\n") > 0;
	if (n_none <= 2 * b_rate)
		return printf("FAIL: the unlimited net run moved no more than twice the limited "
			      "bound\n") > 0;
	if (!d_none || !d_rate || !d_bps)
		return printf("FAIL: net: frames in flight did not all complete (%s)\n",
			      !d_rate ? "--frame-rate" : !d_bps ? "--bps" : "unlimited") > 0;
	return 0;
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
	static const char *const iops[] = {"--iops", "10", "--iops-burst", "1", NULL};
	static const char *const bps[] = {"--bps", "81920", "--bps-burst", "4096", NULL};
	double t_none = run(argv[1], none), t_iops = run(argv[1], iops), t_bps = run(argv[1], bps);
	static const char *const frames[] = {"--frame-rate", "10", "--frame-burst", "1", NULL};
	double c_none = run_can(argv[1], none), c_rate = run_can(argv[1], frames);
	double f_iops = (NREQ - 1) / 10.0, f_bps = (NREQ - 1) * 4096.0 / 81920.0;
	printf("ratelimit: %u reads of 4 KiB at QD1: unlimited %.3f s; --iops 10: %.3f s "
	       "(floor %.2f); --bps 81920: %.3f s (floor %.2f)\n",
	       NREQ, t_none, t_iops, f_iops, t_bps, f_bps);
	printf("ratelimit: %u CAN frames at QD1: unlimited %.3f s; --frame-rate 10: %.3f s "
	       "(floor %.2f)\n", NREQ, c_none, c_rate, f_iops);
	int fail = t_none < 0 || t_iops < 0 || t_bps < 0 || c_none < 0 || c_rate < 0;
	if (!fail && c_rate < f_iops * 0.95)
		fail = printf("FAIL: can --frame-rate 10 did not hold\n") > 0;
	if (!fail && c_none >= f_iops)
		fail = printf("FAIL: the unlimited CAN run was as slow as a limited one\n") > 0;
	if (!fail && t_iops < f_iops * 0.95)
		fail = printf("FAIL: --iops 10 did not hold\n") > 0;
	if (!fail && t_bps < f_bps * 0.95)
		fail = printf("FAIL: --bps 81920 did not hold\n") > 0;
	if (!fail && t_none >= f_iops)
		fail = printf("FAIL: the unlimited run was as slow as a limited one\n") > 0;
	return fail | check_net(argv[1]);
}
