/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Both ends of guest.vhost_user_vsock (static, runs in the guest and on the host):
 *   vsock_guest client CID PORT BYTES      guest: connect to CID:PORT, send BYTES of the
 *                                          pattern while reading the echo, check it
 *   vsock_guest server PORT BYTES SECS     guest: accept one connection on PORT, echo it to
 *                                          EOF, check BYTES of pattern came (SECS: give up)
 *   vsock_guest uds-echo PATH              host: listen on PATH, echo one connection
 *   vsock_guest uds-connect PATH PORT BYTES host: hybrid handshake ("CONNECT PORT\n",
 *                                          "OK N\n") on PATH, then as client
 *   vsock_guest uds-pair BYTES             host: the same echo over a socketpair (reference)
 * Prints one "VSOCK-OK ..." or "VSOCK-FAIL ..." line; exit status 0 on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static uint8_t pat(size_t i)
{
	return (uint8_t)((i * 131u + 7u) ^ (i >> 9));
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	printf("VSOCK-FAIL %s: %s\n", what, strerror(errno));
	fflush(stdout);
	return 1;
}

/* Send @n pattern bytes on @fd while reading the echo; check it. */
static int echo_client(int fd, size_t n, const char *who)
{
	static uint8_t buf[65536];
	size_t sent = 0, got = 0;
	double t0 = now();
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	while (got < n) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < n ? POLLOUT : 0)};
		if (poll(&p, 1, 20000) <= 0) {
			printf("VSOCK-FAIL %s: stalled at %zu sent, %zu echoed\n", who, sent, got);
			return 1;
		}
		if (sent < n && (p.revents & POLLOUT)) {
			uint8_t out[16384];
			size_t k = n - sent < sizeof(out) ? n - sent : sizeof(out);
			for (size_t i = 0; i < k; i++)
				out[i] = pat(sent + i);
			ssize_t w = write(fd, out, k);
			if (w < 0 && errno != EAGAIN)
				return fail("write");
			if (w > 0)
				sent += (size_t)w;
			if (sent == n)
				(void)shutdown(fd, SHUT_WR);
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r < 0 && errno != EAGAIN)
				return fail("read");
			if (r == 0) {
				printf("VSOCK-FAIL %s: EOF after %zu of %zu echoed bytes\n", who, got, n);
				return 1;
			}
			for (ssize_t i = 0; i < r; i++)
				if (buf[i] != pat(got + (size_t)i)) {
					printf("VSOCK-FAIL %s: byte %zu is %02x, not %02x\n", who,
					       got + (size_t)i, buf[i], pat(got + (size_t)i));
					return 1;
				}
			if (r > 0)
				got += (size_t)r;
		}
	}
	double dt = now() - t0;
	printf("VSOCK-OK %s: %zu bytes sent and echoed back intact in %.3f s (%.2f MB/s each way)\n",
	       who, n, dt, (double)n / dt / 1e6);
	fflush(stdout);
	return 0;
}

/* Echo @fd to EOF; returns bytes echoed or -1; checks the pattern if @check. */
static long echo_server(int fd, int check)
{
	static uint8_t buf[65536];
	size_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		for (ssize_t i = 0; check && i < r; i++)
			if (buf[i] != pat(total + (size_t)i))
				return -2;
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(fd, buf + off, (size_t)(r - off));
			if (w <= 0)
				return -1;
			off += w;
		}
		total += (size_t)r;
	}
	(void)shutdown(fd, SHUT_WR);
	return (long)total;
}

static int uds_listen(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path, path, strlen(path) + 1);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4))
		return -1;
	return fd;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "client")) {
		struct sockaddr_vm a = {.svm_family = AF_VSOCK,
					.svm_cid = (unsigned)strtoul(argv[2], NULL, 0),
					.svm_port = (unsigned)strtoul(argv[3], NULL, 0)};
		int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
		if (fd < 0)
			return fail("socket(AF_VSOCK)");
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fail("connect");
		return echo_client(fd, strtoul(argv[4], NULL, 0), "guest->host");
	}
	if (argc == 5 && !strcmp(argv[1], "server")) {
		struct sockaddr_vm a = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
					.svm_port = (unsigned)strtoul(argv[2], NULL, 0)};
		int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
			return fail("listen");
		alarm((unsigned)strtoul(argv[4], NULL, 0));
		printf("VSOCK-LISTEN %s\n", argv[2]);
		struct sockaddr_vm peer;
		socklen_t pl = sizeof(peer);
		int c = accept(fd, (struct sockaddr *)&peer, &pl);
		if (c < 0)
			return fail("accept");
		long n = echo_server(c, 1);
		long want = (long)strtoul(argv[3], NULL, 0);
		if (n != want) {
			printf("VSOCK-FAIL host->guest: echoed %ld bytes (want %ld; -2: bad data)\n", n,
			       want);
			return 1;
		}
		printf("VSOCK-OK host->guest: accepted CID %u port %u, echoed %ld pattern bytes\n",
		       peer.svm_cid, peer.svm_port, n);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "uds-echo")) {
		int l = uds_listen(argv[2]);
		if (l < 0)
			return fail("uds listen");
		for (;;) { /* one connection at a time, until killed */
			int c = accept(l, NULL, NULL);
			if (c < 0)
				return fail("accept");
			(void)echo_server(c, 0);
			close(c);
		}
	}
	if (argc == 5 && !strcmp(argv[1], "uds-connect")) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		if (strlen(argv[2]) >= sizeof(a.sun_path))
			return 1;
		memcpy(a.sun_path, argv[2], strlen(argv[2]) + 1);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fail("uds connect");
		char line[64];
		int k = snprintf(line, sizeof(line), "CONNECT %s\n", argv[3]);
		if (write(fd, line, (size_t)k) != k)
			return fail("write CONNECT");
		size_t n = 0;
		while (n < sizeof(line) - 1) { /* "OK <port>\n", byte by byte: no data lost */
			ssize_t r = read(fd, line + n, 1);
			if (r <= 0) {
				printf("VSOCK-FAIL host: no OK line (got %zu bytes)\n", n);
				return 1;
			}
			if (line[n++] == '\n')
				break;
		}
		line[n] = 0;
		if (strncmp(line, "OK ", 3)) {
			printf("VSOCK-FAIL host: handshake answer '%s'\n", line);
			return 1;
		}
		printf("VSOCK-INFO handshake answer: %s", line);
		return echo_client(fd, strtoul(argv[4], NULL, 0), "host->guest");
	}
	if (argc == 3 && !strcmp(argv[1], "uds-pair")) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return fail("socketpair");
		pid_t p = fork();
		if (p == 0) {
			close(sv[0]);
			_exit(echo_server(sv[1], 0) < 0);
		}
		close(sv[1]);
		return echo_client(sv[0], strtoul(argv[2], NULL, 0), "unix socketpair reference");
	}
	fprintf(stderr, "usage: see the comment at the top of vsock_guest.c\n");
	return 2;
}
