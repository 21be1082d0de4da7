/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console host ends (vplat/console_fd.h) behind a console device on the loopback: UNIX
 * socket server and client, pty, pipes, log file; lossless back-pressure in both directions
 * with a peer that reads and writes slowly.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "testutil.h"
#include "vplat/host/console_fd.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

struct rig {
	struct vplat_loopback lb;
	struct vplat_console con;
	struct vplat_console_fd end;
	struct vplat_val_dev d;
	struct vplat_val_vq rx, tx;
	uint64_t mark;
};

static void rig_up(struct rig *r, int variant)
{
	struct vplat_console_config c = {.max_ports = 1};
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 8u << 20), 0);
	ck_assert_int_eq(vplat_console_init(&r->con, vplat_loopback_mem(&r->lb), &c,
					    &vplat_console_host_fd, &r->end),
			 0);
	vplat_console_fd_bind(&r->end, &r->con, 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_console_device(&r->con)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->rx, 0, 32), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->tx, 1, 32), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
	r->mark = vplat_val_mem_mark(vplat_loopback_dma(&r->lb));
}

static void rig_down(struct rig *r)
{
	ck_assert_int_eq(r->rx.error, 0);
	ck_assert_int_eq(r->tx.error, 0);
	vplat_val_vq_fini(&r->rx);
	vplat_val_vq_fini(&r->tx);
	vplat_console_fd_close(&r->end);
	vplat_loopback_fini(&r->lb);
}

static void gwrite(struct rig *r, const void *data, uint32_t len)
{
	void *b = vplat_val_alloc(vplat_loopback_dma(&r->lb), len, 8, NULL);
	ck_assert_ptr_nonnull(b);
	memcpy(b, data, len);
	struct vplat_val_buf v = {.ptr = b, .len = len};
	ck_assert_int_eq(vplat_val_vq_add(&r->tx, &v, 1, 0, (void *)1), 0);
	vplat_val_vq_kick(&r->tx);
}

static uint8_t *grx(struct rig *r, uint32_t len)
{
	uint8_t *b = vplat_val_alloc(vplat_loopback_dma(&r->lb), len, 8, NULL);
	struct vplat_val_buf v = {.ptr = b, .len = len};
	ck_assert_int_eq(vplat_val_vq_add(&r->rx, &v, 0, 1, b), 0);
	vplat_val_vq_kick(&r->rx);
	return b;
}

static void dispatch(struct rig *r)
{
	struct pollfd p[3];
	unsigned n = vplat_console_fd_pollfds(&r->end, p, 3);
	poll(p, n, 0);
	vplat_console_fd_dispatch(&r->end);
}

static uint8_t pat(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

/*
 * Guest sends @p total bytes in 8 KiB buffers while the peer on @p peer reads slowly (small
 * reads with pauses); every byte must arrive, in order.
 */
static void bulk_out(struct rig *r, int peer, uint64_t total)
{
	uint64_t sent = 0, got = 0;
	unsigned inflight = 0;
	uint8_t chunk[8192], rb[3000];
	for (int spin = 0; got < total && spin < 200000; spin++) {
		while (sent < total && inflight < 8) {
			uint32_t n = total - sent < sizeof(chunk) ? (uint32_t)(total - sent) : sizeof(chunk);
			for (uint32_t k = 0; k < n; k++)
				chunk[k] = pat(sent + k);
			gwrite(r, chunk, n);
			sent += n;
			inflight++;
		}
		void *tok;
		while (vplat_val_vq_get_used(&r->tx, &tok, NULL) == 0)
			inflight--;
		if (!inflight)
			vplat_val_mem_release(vplat_loopback_dma(&r->lb), r->mark);
		if (spin % 3 == 0) { /* a slow reader */
			ssize_t n = read(peer, rb, sizeof(rb));
			bool same = true;
			for (ssize_t k = 0; k < n; k++)
				same &= rb[k] == pat(got + (uint64_t)k);
			ck_assert_msg(same, "output corrupted near byte %llu", (unsigned long long)got);
			if (n > 0)
				got += (uint64_t)n;
		}
		dispatch(r);
	}
	ck_assert_uint_eq(got, total);
	ck_assert_uint_eq(vplat_console_stats(&r->con)->dropped, 0);
}

/* Peer writes @p total bytes; the guest posts small receive buffers now and then. */
static void bulk_in(struct rig *r, int peer, uint64_t total)
{
	uint64_t put = 0, got = 0;
	uint8_t wb[3000];
	uint8_t *posted[16];
	unsigned np = 0;
	for (int spin = 0; got < total && spin < 200000; spin++) {
		if (put < total) {
			uint32_t n = total - put < sizeof(wb) ? (uint32_t)(total - put) : sizeof(wb);
			for (uint32_t k = 0; k < n; k++)
				wb[k] = pat(put + k);
			ssize_t w = write(peer, wb, n);
			if (w > 0)
				put += (uint64_t)w;
		}
		if (np == 0 && spin % 2 == 0) {
			vplat_val_mem_release(vplat_loopback_dma(&r->lb), r->mark);
			for (np = 0; np < 4; np++)
				posted[np] = grx(r, 700);
		}
		dispatch(r);
		void *tok;
		uint32_t len;
		while (vplat_val_vq_get_used(&r->rx, &tok, &len) == 0) {
			bool same = true;
			for (uint32_t k = 0; k < len; k++)
				same &= ((uint8_t *)tok)[k] == pat(got + k);
			ck_assert_msg(same, "input corrupted near byte %llu", (unsigned long long)got);
			got += len;
			np--;
		}
	}
	ck_assert_uint_eq(got, total);
	(void)posted;
}

static void sock_path(char *p, size_t n)
{
	snprintf(p, n, "/tmp/vplat-con-%d-%u.sock", (int)getpid(), (unsigned)rand());
}

START_TEST(socket_server)
{
	struct rig r;
	memset(&r, 0, sizeof(r));
	char path[108];
	sock_path(path, sizeof(path));
	ck_assert_int_eq(vplat_console_fd_listen(&r.end, path), 0);
	rig_up(&r, _i);
	/* Output before any client: held, not lost. */
	gwrite(&r, "early", 5);
	void *tok;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.tx, &tok, NULL), VPLAT_EAGAIN);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, path);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	dispatch(&r);
	char buf[16] = {0};
	ck_assert_int_eq(read(c, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "early");
	ck_assert_int_eq(vplat_val_vq_get_used(&r.tx, &tok, NULL), 0);
	int fl = fcntl(c, F_GETFL);
	fcntl(c, F_SETFL, fl | O_NONBLOCK);
	bulk_out(&r, c, 1u << 20); /* much more than the socket buffer */
	bulk_in(&r, c, 100000);
	/* Client leaves, another connects: output continues. */
	close(c);
	dispatch(&r);
	gwrite(&r, "again", 5);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	dispatch(&r);
	dispatch(&r);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(read(c, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "again");
	close(c);
	rig_down(&r);
	ck_assert_int_ne(access(path, F_OK), 0); /* socket file removed */
}
END_TEST

START_TEST(socket_client)
{
	struct rig r;
	memset(&r, 0, sizeof(r));
	char path[108];
	sock_path(path, sizeof(path));
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, path);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_int_eq(vplat_console_fd_connect(&r.end, path), 0);
	int c = accept(s, NULL, NULL);
	ck_assert_int_ge(c, 0);
	rig_up(&r, _i);
	fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
	bulk_out(&r, c, 300000);
	bulk_in(&r, c, 20000);
	/* The server goes away: dispatch reports the lost peer. */
	close(c);
	int rc = 0;
	for (int i = 0; i < 10 && rc == 0; i++)
		rc = vplat_console_fd_dispatch(&r.end);
	ck_assert_int_eq(rc, VPLAT_EIO);
	close(s);
	unlink(path);
	rig_down(&r);
}
END_TEST

START_TEST(pty_end)
{
	struct rig r;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(vplat_console_fd_pty(&r.end), 0);
	ck_assert_int_eq(strncmp(r.end.pty_name, "/dev/pts/", 9), 0);
	rig_up(&r, _i);
	int s = open(r.end.pty_name, O_RDWR | O_NOCTTY | O_NONBLOCK);
	ck_assert_int_ge(s, 0);
	gwrite(&r, "pty\r\n", 5);
	char buf[16] = {0};
	ssize_t n = 0;
	for (int i = 0; i < 100 && n <= 0; i++) {
		dispatch(&r);
		n = read(s, buf, sizeof(buf));
	}
	ck_assert_int_eq(n, 5);
	ck_assert_mem_eq(buf, "pty\r\n", 5); /* raw mode: no translation */
	bulk_out(&r, s, 200000);
	bulk_in(&r, s, 3000);
	close(s);
	rig_down(&r);
}
END_TEST

START_TEST(pipe_and_log_ends)
{
	struct rig r;
	memset(&r, 0, sizeof(r));
	int in[2], out[2];
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(vplat_console_fd_pipe(&r.end, in[0], out[1]), 0);
	rig_up(&r, _i);
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	bulk_out(&r, out[0], 500000); /* pipe buffer is 64 KiB */
	bulk_in(&r, in[1], 50000);
	/* End of input: dispatch reports it. */
	close(in[1]);
	ck_assert_int_eq(vplat_console_fd_dispatch(&r.end), VPLAT_EIO);
	rig_down(&r);
	close(in[0]);
	close(out[0]);
	close(out[1]);

	/* Log file: output appended. */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/vplat-con-log-%d.txt", (int)getpid());
	unlink(path);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(vplat_console_fd_log(&r.end, path), 0);
	rig_up(&r, _i);
	gwrite(&r, "line one\n", 9);
	gwrite(&r, "line two\n", 9);
	rig_down(&r);
	FILE *f = fopen(path, "r");
	char text[64] = {0};
	ck_assert_uint_eq(fread(text, 1, sizeof(text), f), 18);
	fclose(f);
	ck_assert_str_eq(text, "line one\nline two\n");
	unlink(path);
}
END_TEST

START_TEST(bad_arguments)
{
	struct vplat_console_fd e;
	char longpath[200];
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[199] = 0;
	ck_assert_int_eq(vplat_console_fd_listen(&e, longpath), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_console_fd_connect(&e, "/nonexistent/sock"), VPLAT_EIO);
	ck_assert_int_eq(vplat_console_fd_pipe(&e, -1, -1), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_console_fd_log(&e, "/nonexistent/dir/log"), VPLAT_EIO);
	vplat_console_fd_close(&e);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("console_fd");
	TCase *tc = tcase_create("console_fd");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, socket_server, 0, 4);
	tcase_add_loop_test(tc, socket_client, 0, 2);
	tcase_add_loop_test(tc, pty_end, 0, 2);
	tcase_add_loop_test(tc, pipe_and_log_ends, 0, 2);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
