/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-platform run --busy-poll: the busy-polling platform forwards frames between two
 * vhost-user virtio-net devices on one switch without the drivers' kicks, sleeps when idle,
 * and wakes up for the next frame.
 *
 *   platform_busy VPLAT_PLATFORM DIR [IDLE_MS]
 *
 * Writes DIR/p.dts (two VMs, one virtio-net each on switch "sw", vhost-user sockets DIR/a.sock
 * and DIR/b.sock), starts `VPLAT_PLATFORM run DIR/p.dts --busy-poll` and connects two of
 * vplat's front ends (EVENT_IDX). Then:
 *
 * 1. 300 exchanges A -> B -> A, one frame in flight, each frame made available with the
 *    driver's ordinary (suppressible) kick. Every frame must arrive, and at least one must
 *    have gone through without a kick: only a platform that polls the rings serves a frame
 *    whose kick it suppressed (the event-driven platform asks for every kick).
 * 2. With IDLE_MS (the platform runs with --busy-idle IDLE_MS, at least 1500): over the first
 *    second of quiet the platform must still poll (scheduler time at least 50% of the wall
 *    time: it spins until IDLE_MS have passed without work); then the test waits IDLE_MS.
 *    The drivers go quiet for 3 s, after 0.5 s to settle, and the platform's scheduler time
 *    (/proc/PID/schedstat: on a CPU plus waiting for one) over those 3 s must stay below 20%
 *    of the wall time (a spinning process is runnable all the time, however loaded the
 *    machine is).
 * 3. 20 more exchanges: the first frame's kick must go out (the platform re-armed the kicks
 *    before it slept) and every frame must arrive within 5 s.
 *
 * Exit status: 0 pass, 1 fail, 77 skip (no /proc/PID/schedstat).
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
#include "vplat/vplat.h"
#include "vplat/val/vhost_user_frontend.h"
#include "schedstat.h"
#include "two_vm_dts.h"

#define MEM   (4u << 20)
#define HDR   12u
#define FLEN  64u
#define NRX   32u
#define QSIZE 128u

struct drv {
	struct vplat_vhu_frontend fe;
	struct vplat_val_dev d;
	struct vplat_val_vq rxq, txq;
	uint8_t *rx[NRX], *tx;
	bool up;
};

static int drv_up(struct drv *n, const char *sock, uint8_t me, uint8_t peer)
{
	memset(n, 0, sizeof(*n));
	struct vplat_vhu_frontend_params p = {.path = sock, .fd = -1,
					      .device_id = VPLAT_VIRTIO_ID_NET, .mem_size = MEM,
					      .queue_size_max = QSIZE, .timeout_ms = 3000};
	if (vplat_vhu_frontend_init(&n->fe, &p))
		return -1;
	n->up = true;
	if (vplat_vhu_frontend_val_init(&n->fe, &n->d) ||
	    vplat_val_negotiate(&n->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					   VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX)) ||
	    vplat_val_vq_setup(&n->d, &n->rxq, 0, QSIZE) ||
	    vplat_val_vq_setup(&n->d, &n->txq, 1, QSIZE))
		return -1;
	struct vplat_val_mem *dma = vplat_vhu_frontend_dma(&n->fe);
	for (unsigned i = 0; i < NRX; i++)
		if (!(n->rx[i] = vplat_val_alloc(dma, 2048, 8, NULL)))
			return -1;
	if (!(n->tx = vplat_val_alloc(dma, HDR + FLEN, 8, NULL)))
		return -1;
	memset(n->tx, 0, HDR + FLEN);
	memcpy(n->tx + HDR, (uint8_t[]){2, 0, 0, 0, 0, peer, 2, 0, 0, 0, 0, me, 0x88, 0xb5}, 14);
	if (vplat_val_driver_ok(&n->d))
		return -1;
	for (unsigned i = 0; i < NRX; i++) {
		struct vplat_val_buf b = {.ptr = n->rx[i], .len = 2048};
		if (vplat_val_vq_add(&n->rxq, &b, 0, 1, (void *)(uintptr_t)(i + 1)))
			return -1;
	}
	vplat_val_vq_notify(&n->rxq);
	return 0;
}

static void drv_down(struct drv *n)
{
	if (!n->up)
		return;
	vplat_val_vq_fini(&n->rxq);
	vplat_val_vq_fini(&n->txq);
	vplat_vhu_frontend_fini(&n->fe);
	n->up = false;
}

/* Send frame @p seq with the suppressible kick; *kicked: whether the kick went out. */
static int drv_send(struct drv *n, uint32_t seq, bool *kicked)
{
	void *tok;
	while (vplat_val_vq_get_used(&n->txq, &tok, NULL) == 0)
		;
	memcpy(n->tx + HDR + 14, &seq, sizeof(seq));
	struct vplat_val_buf b = {.ptr = n->tx, .len = HDR + FLEN};
	if (vplat_val_vq_add(&n->txq, &b, 1, 0, (void *)1))
		return -1;
	*kicked = vplat_val_vq_kick(&n->txq);
	return 0;
}

/* Wait up to 5 s for frame @p seq (skipping others); re-post every buffer. */
static int drv_recv(struct drv *n, uint32_t seq)
{
	double end = now() + 5.0;
	while (now() < end) {
		void *tok;
		uint32_t len;
		if (vplat_val_wait_used(&n->rxq, &tok, &len, 1000))
			continue;
		unsigned i = (unsigned)(uintptr_t)tok - 1u;
		if (i >= NRX)
			return -1;
		uint32_t got = ~seq;
		if (len >= HDR + 18)
			memcpy(&got, n->rx[i] + HDR + 14, sizeof(got));
		struct vplat_val_buf b = {.ptr = n->rx[i], .len = 2048};
		vplat_val_vq_add(&n->rxq, &b, 0, 1, tok);
		vplat_val_vq_kick(&n->rxq);
		if (got == seq)
			return 0;
	}
	return -1;
}

/* @p count exchanges from @p seq on; counts the frames whose kick went out. */
static int exchanges(struct drv *a, struct drv *b, uint32_t seq, unsigned count,
		     unsigned *kicks, bool *first_kicked)
{
	for (unsigned k = 0; k < count; k++, seq++) {
		bool ka = false, kb = false;
		if (drv_send(a, seq, &ka) || drv_recv(b, seq) ||
		    drv_send(b, seq | 0x80000000u, &kb) || drv_recv(a, seq | 0x80000000u)) {
			printf("FAIL: exchange %u did not complete within 5 s\n", k);
			return -1;
		}
		if (k == 0 && first_kicked)
			*first_kicked = ka;
		*kicks += (unsigned)ka + (unsigned)kb;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: platform_busy VPLAT_PLATFORM DIR [IDLE_MS]\n");
		return 2;
	}
	const char *idle_arg = argc == 4 ? argv[3] : NULL;
	long idle_ms = idle_arg ? atol(idle_arg) : 0;
	if (idle_arg && idle_ms < 1500) {
		fprintf(stderr, "platform_busy: IDLE_MS must be at least 1500\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char dts[512], sa[512], sb[512];
	snprintf(dts, sizeof(dts), "%s/p.dts", argv[2]);
	snprintf(sa, sizeof(sa), "%s/a.sock", argv[2]);
	snprintf(sb, sizeof(sb), "%s/b.sock", argv[2]);
	if (write_two_vm_dts(dts))
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		if (idle_arg)
			execl(argv[1], argv[1], "run", dts, "--busy-poll", "--busy-idle", idle_arg,
			      (char *)NULL);
		else
			execl(argv[1], argv[1], "run", dts, "--busy-poll", (char *)NULL);
		_exit(127);
	}
	int rc = 1;
	struct stat st;
	for (int i = 0; i < 400 && stat(sb, &st) != 0; i++)
		usleep(25000);
	if (sched_ns(pid) < 0) {
		printf("SKIP: no /proc/%d/schedstat\n", (int)pid);
		rc = 77;
		goto out;
	}
	static struct drv a, b;
	if (drv_up(&a, sa, 1, 2) || drv_up(&b, sb, 2, 1)) {
		printf("FAIL: front-end set-up\n");
		goto out;
	}
	unsigned kicks = 0;
	if (exchanges(&a, &b, 0, 300, &kicks, NULL))
		goto out;
	printf("busy-poll platform: 600 frames forwarded, %u of them kicked\n", kicks);
	if (kicks >= 600) {
		printf("FAIL: every frame needed its kick: the platform did not poll the rings\n");
		goto out;
	}
	if (idle_ms) {
		long long q0 = sched_ns(pid);
		double w0 = now();
		usleep(1000000);
		long long q1 = sched_ns(pid);
		double qf = (double)(q1 - q0) / 1e9 / (now() - w0);
		printf("busy-poll platform, first second of quiet with --busy-idle %ld: %.1f%% of "
		       "a CPU\n", idle_ms, 100.0 * qf);
		if (q0 < 0 || q1 < 0 || qf < 0.50) {
			printf("FAIL: the platform slept before --busy-idle %ld ms had passed\n",
			       idle_ms);
			goto out;
		}
		usleep((useconds_t)idle_ms * 1000u);
	}
	usleep(500000);
	long long s0 = sched_ns(pid);
	double t0 = now();
	usleep(3000000);
	long long s1 = sched_ns(pid);
	double wall = now() - t0;
	double frac = (double)(s1 - s0) / 1e9 / wall;
	printf("idle busy-poll platform: %.1f ms on or waiting for a CPU in %.2f s (%.1f%%)\n",
	       (double)(s1 - s0) / 1e6, wall, 100.0 * frac);
	if (s0 < 0 || s1 < 0 || frac > 0.20) {
		printf("FAIL: an idle busy-polling platform must sleep (limit 20%%)\n");
		goto out;
	}
	bool kicked = false;
	kicks = 0;
	if (exchanges(&a, &b, 1000, 20, &kicks, &kicked)) {
		printf("FAIL: after sleeping, the platform did not serve the rings\n");
		goto out;
	}
	if (!kicked) {
		printf("FAIL: the sleeping platform had not asked for kicks (the driver's kick was "
		       "suppressed)\n");
		goto out;
	}
	printf("PASS\n");
	rc = 0;
out:
	drv_down(&a);
	drv_down(&b);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(sa);
	unlink(sb);
	unlink(dts);
	return rc;
}
