/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An idle busy-polling daemon burns no core, and wakes up for the next frame.
 *
 *   busy_idle VPLAT_DEVICE DIR
 *
 * Starts `VPLAT_DEVICE net --sink --busy-poll --socket DIR/s`, connects vplat's front-end,
 * starts the receive and transmit rings and sends 2000 frames (the daemon polls: the
 * driver's kicks are suppressed). Then the driver goes quiet for 3 s, after 0.5 s to settle,
 * and the daemon's scheduler time over those 3 s is read from /proc/PID/schedstat: time on
 * a CPU plus time waiting for one. A process that spins is runnable all the time, so the sum
 * is about the wall time however loaded the machine is; a sleeping one adds next to nothing.
 * Fails when the sum is above 20% of the wall time. Then 100 more frames are made available
 * with the driver's ordinary (suppressible) kick: the first kick must go out (the daemon
 * re-enabled kicks before it slept: EVENT_IDX avail_event) and all must complete within 5 s.
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

#define MEM (4u << 20)
#define FRAME 60u

/* Send @p count frames through the transmit ring and wait for all of them. *kicked: whether
 * the first kick was sent (the device's event suppression asked for it). */
static int send_frames(struct vplat_val_vq *tx, uint8_t *buf, unsigned count, bool force_kick,
		       bool *kicked)
{
	unsigned done = 0, sent = 0;
	bool first = true;
	double deadline = now() + 5.0;
	while (done < count && now() < deadline) {
		while (sent < count && vplat_val_vq_add(tx, &(struct vplat_val_buf){.ptr = buf,
							     .len = 12 + FRAME},
							1, 0, (void *)1) == 0) {
			sent++;
		}
		if (force_kick)
			vplat_val_vq_notify(tx);
		else if (vplat_val_vq_kick(tx) && first && kicked)
			*kicked = true;
		first = false;
		void *tok;
		while (vplat_val_vq_get_used(tx, &tok, NULL) == 0)
			done++;
		if (done < count)
			usleep(1000);
	}
	return done == count ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: busy_idle VPLAT_DEVICE DIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char sock[512];
	snprintf(sock, sizeof(sock), "%s/s", argv[2]);
	unlink(sock);
	pid_t pid = fork();
	if (pid == 0) {
		execl(argv[1], argv[1], "net", "--sink", "--busy-poll", "--socket", sock, "--log-level",
		      "warn", (char *)NULL);
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
	struct vplat_val_vq rx, tx;
	memset(&rx, 0, sizeof(rx));
	memset(&tx, 0, sizeof(tx));
	struct vplat_vhu_frontend_params p = {.path = sock,
					      .fd = -1,
					      .device_id = VPLAT_VIRTIO_ID_NET,
					      .mem_size = MEM,
					      .queue_size_max = 256,
					      .timeout_ms = 3000};
	if (vplat_vhu_frontend_init(&fe, &p) || vplat_vhu_frontend_val_init(&fe, &d) ||
	    vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX)) ||
	    vplat_val_vq_setup(&d, &rx, 0, 256) || vplat_val_vq_setup(&d, &tx, 1, 256) ||
	    vplat_val_driver_ok(&d)) {
		printf("FAIL: front-end set-up\n");
		goto out;
	}
	uint8_t *buf = vplat_val_alloc(vplat_vhu_frontend_dma(&fe), 12 + FRAME, 8, NULL);
	if (!buf)
		goto out;
	memset(buf, 0, 12 + FRAME);
	memset(buf + 12, 0xff, 6);
	buf[12 + 12] = 0x88, buf[12 + 13] = 0xb5;
	if (send_frames(&tx, buf, 2000, false, NULL)) {
		printf("FAIL: the busy-polling daemon did not complete 2000 frames\n");
		goto out;
	}
	usleep(500000);
	long long s0 = sched_ns(pid);
	double t0 = now();
	usleep(3000000);
	long long s1 = sched_ns(pid);
	double wall = now() - t0;
	double frac = (double)(s1 - s0) / 1e9 / wall;
	printf("idle busy-poll daemon: %.1f ms on or waiting for a CPU in %.2f s (%.1f%%)\n",
	       (double)(s1 - s0) / 1e6, wall, 100.0 * frac);
	if (s0 < 0 || s1 < 0 || frac > 0.20) {
		printf("FAIL: an idle busy-polling daemon must sleep (limit 20%%)\n");
		goto out;
	}
	bool kicked = false;
	if (send_frames(&tx, buf, 100, false, &kicked)) {
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
	vplat_val_vq_fini(&rx);
	vplat_val_vq_fini(&tx);
	vplat_vhu_frontend_fini(&fe);
out:
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(sock);
	return rc;
}
