/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile front-ends that change memory under live rings, against a running daemon.
 *
 *   hostile_mem DEVICE_ID SOCKET PID [LOG]
 *
 * The daemon (any `vplat-device` subcommand, or `vplat-platform run`) already listens on
 * SOCKET as process PID and serves virtio device DEVICE_ID. For each scenario a front-end
 * (vplat's, include/vplat/val/vhost_user_frontend.h) negotiates VERSION_1, starts ring 0 and
 * then:
 *
 *   truncate     ftruncate()s its memory file to 0 and kicks: the back-end's next access
 *                to the ring raises SIGBUS. The daemon must catch it and drop this
 *                front-end (its socket reaches EOF), and LOG, if given, must name the SIGBUS.
 *   shrink       (rng only) shrinks the file to half and offers a buffer in the lost half:
 *                the device's write into the buffer raises SIGBUS; same expectations.
 *   remove       REM_MEM_REG of the only region while the ring points into it, then kicks.
 *   replace      SET_MEM_TABLE with a fresh zeroed memfd at the same addresses, then kicks;
 *                then SET_MEM_TABLE with a file smaller than the region it claims.
 *   dispatch     (console, with HOSTILE_CONSOLE_INPUT naming its --listen socket) a
 *                receive buffer is offered, the file cut to 0, then host input arrives:
 *                the SIGBUS happens in the daemon's host-end dispatch; same expectations.
 *   second       a second front-end connects in the middle of the session (and the first
 *                goes on working); after the first leaves, the second is served (or, if the
 *                daemon refused it, a third one is).
 *
 *   hostile_mem --foreign-sigbus
 *
 * checks the other side of the guard: a SIGBUS outside every guarded back-end's mappings
 * (here: a truncated file of the process's own, touched inside a guard) still kills the
 * process: the previous action runs (SIGBUS's default, or a sanitizer's handler, which
 * aborts). Exits 0 when the child died of SIGBUS or SIGABRT.
 *
 * After every scenario the daemon must still be running (kill(PID, 0)) and a new front-end
 * must be served: handshake, ring 0 started, and for rng (ID 4) 64 random bytes read. Prints
 * one line per scenario; exits 0 when all passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "vplat/backend/vhost_user.h"
#include <time.h>
#include <unistd.h>
#include "vplat/vplat.h"
#include "vplat/val/vhost_user_frontend.h"

#define MEM (4u << 20)

static uint32_t dev_id;
static const char *sock_path, *log_path;
static pid_t daemon_pid;
static int failures;

struct session {
	struct vplat_vhu_frontend fe;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	bool up;
};

static uint64_t want_features = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
				UINT64_C(0xffffff); /* + device-specific bits */

static int up(struct session *s, int fd)
{
	memset(s, 0, sizeof(*s));
	struct vplat_vhu_frontend_params p = {.path = fd < 0 ? sock_path : NULL,
					      .fd = fd,
					      .device_id = dev_id,
					      .mem_size = MEM,
					      .queue_size_max = 64,
					      .timeout_ms = 3000};
	int rc = vplat_vhu_frontend_init(&s->fe, &p);
	if (rc)
		return rc;
	s->up = true;
	rc = vplat_vhu_frontend_val_init(&s->fe, &s->d);
	if (!rc)
		rc = vplat_val_negotiate(&s->d, want_features);
	if (!rc)
		rc = vplat_val_vq_setup(&s->d, &s->vq, 0, 64);
	if (!rc)
		rc = vplat_val_driver_ok(&s->d);
	return rc;
}

static void down(struct session *s)
{
	if (s->up) {
		vplat_val_vq_fini(&s->vq);
		vplat_vhu_frontend_fini(&s->fe);
	}
	s->up = false;
}

/* rng: 64 bytes through ring 0. Other devices: the ring is up, which is all we ask. */
static int works(struct session *s)
{
	if (dev_id != VPLAT_VIRTIO_ID_RNG)
		return 0;
	uint64_t gpa;
	uint8_t *buf = vplat_val_alloc(vplat_vhu_frontend_dma(&s->fe), 64, 8, &gpa);
	if (!buf)
		return VPLAT_ENOMEM;
	memset(buf, 0, 64);
	struct vplat_val_buf b = {.ptr = buf, .len = 64};
	int rc = vplat_val_vq_add(&s->vq, &b, 0, 1, (void *)1);
	if (rc)
		return rc;
	vplat_val_vq_notify(&s->vq);
	void *tok;
	uint32_t len;
	rc = vplat_val_wait_used(&s->vq, &tok, &len, 3000);
	if (!rc && len != 64)
		rc = VPLAT_EIO;
	return rc;
}

/* The daemon closed this session's socket within @ms. */
static bool dropped(struct session *s, int ms)
{
	for (int t = 0; t < ms; t += 10) {
		struct pollfd p = {.fd = s->fe.sock, .events = POLLIN};
		if (poll(&p, 1, 10) > 0) {
			char c;
			ssize_t n = recv(s->fe.sock, &c, 1, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN))
				return true;
		}
	}
	return false;
}

static bool log_has(const char *what)
{
	if (!log_path)
		return true;
	FILE *f = fopen(log_path, "r");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

static unsigned log_count(const char *what)
{
	unsigned n = 0;
	FILE *f = log_path ? fopen(log_path, "r") : NULL;
	if (!f)
		return 0;
	char line[512];
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

static void verdict(const char *name, const char *why)
{
	bool alive = kill(daemon_pid, 0) == 0;
	struct session n;
	int rc = alive ? up(&n, -1) : VPLAT_ENODEV;
	if (!rc)
		rc = works(&n);
	if (alive)
		down(&n);
	if (!alive || rc || why) {
		printf("FAIL %s: %s%s%s\n", name, !alive ? "daemon died" : why ? why : "",
		       alive && rc ? "; next front-end not served: " : "", alive && rc ? vplat_strerror(rc) : "");
		failures++;
	} else {
		printf("ok   %s: daemon up, next front-end served\n", name);
	}
	fflush(stdout);
}

static void sc_truncate(void)
{
	struct session s;
	int rc = up(&s, -1);
	const char *why = NULL;
	unsigned before = log_count("SIGBUS");
	if (rc) {
		why = "setup failed";
	} else if (ftruncate(s.fe.memfd, 0)) {
		why = "ftruncate failed";
	} else {
		vplat_val_vq_notify(&s.vq);
		if (!dropped(&s, 3000))
			why = "front-end not dropped after the SIGBUS";
		else if (log_path && log_count("SIGBUS") <= before)
			why = "log does not name the SIGBUS";
	}
	down(&s);
	verdict("truncate (memory file cut to 0 under live ring 0, then a kick)", why);
}

static void sc_shrink(void)
{
	if (dev_id != VPLAT_VIRTIO_ID_RNG)
		return;
	struct session s;
	int rc = up(&s, -1);
	const char *why = NULL;
	unsigned before = log_count("SIGBUS");
	uint64_t gpa;
	struct vplat_val_mem *dma = vplat_vhu_frontend_dma(&s.fe);
	if (rc || !vplat_val_alloc(dma, MEM / 2, 4096, &gpa)) {
		why = "setup failed";
	} else {
		uint8_t *buf = vplat_val_alloc(dma, 4096, 4096, &gpa);
		struct vplat_val_buf b = {.ptr = buf, .len = 4096};
		if (!buf || (uint64_t)(buf - s.fe.mem) < MEM / 2 ||
		    vplat_val_vq_add(&s.vq, &b, 0, 1, (void *)1)) {
			why = "buffer setup failed";
		} else if (ftruncate(s.fe.memfd, MEM / 2)) {
			why = "ftruncate failed";
		} else {
			/* The host end fills the buffer with getrandom(2), which returns EFAULT
			 * rather than raising SIGBUS: either way the daemon must survive. */
			vplat_val_vq_notify(&s.vq);
			bool d = dropped(&s, 500);
			printf("info shrink: %s\n", d && log_count("SIGBUS") > before
							? "SIGBUS caught, front-end dropped"
							: "no SIGBUS (the host end wrote with a system call)");
		}
	}
	down(&s);
	verdict("shrink (file cut to half, device writes a buffer in the lost half)", why);
}

static void sc_remove(void)
{
	struct session s;
	int rc = up(&s, -1);
	const char *why = NULL;
	if (rc) {
		why = "setup failed";
	} else {
		uint64_t reg[5] = {s.fe.p.mem_gpa ? s.fe.p.mem_gpa : VPLAT_VHU_FRONTEND_GPA, MEM,
				   (uint64_t)(uintptr_t)s.fe.mem, 0, 0};
		/* struct vhu_memreg: u64 padding, then gpa, size, uaddr, mmap_offset */
		uint64_t msg[5] = {0, reg[0], reg[1], reg[2], 0};
		uint64_t ack = 0;
		unsigned before = log_count("no longer in guest memory");
		vplat_vhu_frontend_call(&s.fe, VPLAT_VHU_REM_MEM_REG, VPLAT_VHU_FLAG_NEED_REPLY, msg,
					sizeof(msg), NULL, 0, &ack, 8);
		vplat_val_vq_notify(&s.vq);
		usleep(100 * 1000);
		vplat_val_vq_notify(&s.vq);
		usleep(100 * 1000);
		if (log_path && log_count("no longer in guest memory") <= before)
			why = "the back-end did not notice that ring 0 left guest memory";
	}
	down(&s);
	verdict("remove (REM_MEM_REG of the region holding ring 0, then kicks)", why);
}

static void sc_replace(void)
{
	struct session s;
	int rc = up(&s, -1);
	const char *why = NULL;
	if (rc) {
		why = "setup failed";
	} else {
		int fd = memfd_create("hostile-replace", MFD_CLOEXEC);
		uint64_t t[2 + 4] = {1, VPLAT_VHU_FRONTEND_GPA, MEM, (uint64_t)(uintptr_t)s.fe.mem, 0};
		t[0] = 1; /* nregions, padding */
		uint64_t ack = 0;
		if (fd < 0 || ftruncate(fd, MEM)) {
			why = "memfd";
		} else {
			vplat_vhu_frontend_call(&s.fe, VPLAT_VHU_SET_MEM_TABLE, VPLAT_VHU_FLAG_NEED_REPLY,
						t, 8 + 32, &fd, 1, &ack, 8);
			vplat_val_vq_notify(&s.vq);
			usleep(100 * 1000);
			/* Now a file smaller than the region it claims: refused at map time. */
			if (ftruncate(fd, 4096) == 0)
				vplat_vhu_frontend_call(&s.fe, VPLAT_VHU_SET_MEM_TABLE,
							VPLAT_VHU_FLAG_NEED_REPLY, t, 8 + 32, &fd, 1,
							&ack, 8);
			vplat_val_vq_notify(&s.vq);
			if (!dropped(&s, 2000))
				why = "a table with a file smaller than its region was not refused";
		}
		if (fd >= 0)
			close(fd);
	}
	down(&s);
	verdict("replace (SET_MEM_TABLE with new zeroed memory, then with a too-small file)", why);
}

static int raw_connect_to(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int raw_connect(void)
{
	return raw_connect_to(sock_path);
}

/* Console with a --listen host end (HOSTILE_CONSOLE_INPUT=PATH): a receive buffer is made
 * available, the memory file truncated, then host input arrives. The device writes guest
 * memory from the daemon's host-end dispatch, not from a kick: the daemon's guard around
 * vplat_instance_dispatch() must catch it. */
static void sc_dispatch(void)
{
	const char *in = getenv("HOSTILE_CONSOLE_INPUT");
	if (dev_id != VPLAT_VIRTIO_ID_CONSOLE || !in)
		return;
	uint64_t saved = want_features;
	want_features = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1); /* no MULTIPORT: port 0 is open */
	struct session s;
	int rc = up(&s, -1);
	want_features = saved;
	const char *why = NULL;
	unsigned before = log_count("SIGBUS");
	uint64_t gpa;
	uint8_t *buf = rc ? NULL : vplat_val_alloc(vplat_vhu_frontend_dma(&s.fe), 64, 8, &gpa);
	struct vplat_val_buf b = {.ptr = buf, .len = 64};
	int hfd = -1;
	if (!buf || vplat_val_vq_add(&s.vq, &b, 0, 1, (void *)1)) {
		why = "setup failed";
	} else {
		vplat_val_vq_notify(&s.vq);
		usleep(50 * 1000);
		for (int i = 0; i < 100 && (hfd = raw_connect_to(in)) < 0; i++)
			usleep(20 * 1000);
		usleep(50 * 1000);
		if (hfd < 0 || ftruncate(s.fe.memfd, 0)) {
			why = "host socket or ftruncate failed";
		} else if (write(hfd, "hostile input\n", 14) != 14) {
			why = "host write failed";
		} else if (!dropped(&s, 3000)) {
			why = "front-end not dropped after the SIGBUS in host-end dispatch";
		} else if (log_path && log_count("SIGBUS") <= before) {
			why = "log does not name the SIGBUS";
		}
	}
	if (hfd >= 0)
		close(hfd);
	down(&s);
	verdict("dispatch (console input arrives after the memory file was cut to 0)", why);
}

static void sc_second(void)
{
	struct session s, t;
	const char *why = NULL;
	int rc = up(&s, -1);
	int fd = rc ? -1 : raw_connect();
	if (rc || fd < 0) {
		why = "setup failed";
	} else {
		usleep(100 * 1000);
		if (works(&s) || vplat_vhu_frontend_call(&s.fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0,
							 NULL, 0, &(uint64_t){0}, 8))
			why = "the first front-end stopped working when a second one connected";
		down(&s);
		/* The second is either served now, or was refused (closed) by the daemon. */
		rc = up(&t, fd);
		fd = -1;
		if (!rc)
			rc = works(&t);
		down(&t);
		/* vplat-device serves the waiting one; vplat-platform run refuses it
		 * (HOSTILE_SECOND=refused). */
		const char *e = getenv("HOSTILE_SECOND");
		bool refuse = e && !strcmp(e, "refused");
		if (!why && !refuse && rc)
			why = "the waiting front-end was not served after the first left";
		if (!why && refuse && !rc)
			why = "the second front-end was served although the daemon refuses it";
	}
	if (fd >= 0)
		close(fd);
	verdict("second (a second front-end connects mid-session)", why);
}

static int touch_own_truncated(void *arg)
{
	(void)arg;
	int fd = memfd_create("own", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 8192))
		return 1;
	volatile uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ftruncate(fd, 0))
		return 1;
	p[4096] = 1; /* SIGBUS, not in any back-end's memory */
	return 2;
}

/* A SIGBUS that is not a guarded back-end's must still kill the process. */
static int foreign_sigbus(void)
{
	pid_t c = fork();
	if (c == 0) {
		static struct vplat_vhu_backend b;
		vplat_vhu_backend_init(&b, NULL);
		struct vplat_vhu_backend *bs[1] = {&b};
		int rc = vplat_vhu_backends_guard(bs, 1, touch_own_truncated, NULL);
		_exit(rc == VPLAT_EFAULT ? 3 : 4);
	}
	int st = 0;
	if (c < 0 || waitpid(c, &st, 0) != c)
		return 1;
	/* SIGBUS by default; under ASan its own SIGBUS handler (the previous action, which
	 * ours chains to) reports and aborts (abort_on_error=1, as tools/test runs it) or exits
	 * with its exitcode, 1 by default (the child's own paths exit with 3 or 4). */
	bool ok = (WIFSIGNALED(st) && (WTERMSIG(st) == SIGBUS || WTERMSIG(st) == SIGABRT)) ||
		  (WIFEXITED(st) && WEXITSTATUS(st) == 1);
	printf("%s foreign SIGBUS inside a guard: child %s %d\n", ok ? "ok  " : "FAIL",
	       WIFSIGNALED(st) ? "killed by signal" : "exited with", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return ok ? 0 : 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double t0 = now();
	if (argc == 2 && !strcmp(argv[1], "--foreign-sigbus"))
		return foreign_sigbus();
	if (argc < 4) {
		fprintf(stderr, "usage: hostile_mem DEVICE_ID SOCKET PID [LOG]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	dev_id = (uint32_t)strtoul(argv[1], NULL, 0);
	sock_path = argv[2];
	daemon_pid = (pid_t)atoi(argv[3]);
	log_path = argc > 4 ? argv[4] : NULL;
	(void)log_has;
	sc_truncate();
	sc_shrink();
	sc_remove();
	sc_replace();
	sc_second();
	sc_dispatch();
	sc_truncate(); /* once more, after all the others */
	printf("info: %.1f s\n", now() - t0);
	return failures ? 1 : 0;
}
