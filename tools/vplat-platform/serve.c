/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-platform run, serving mode: every device with a `vhost-user-socket` gets a vhost-user
 * back end listening on that socket; one poll loop serves all of them, their host ends, the
 * switches and the CAN buses until SIGINT or SIGTERM. A front end that disconnects can
 * reconnect. With --busy-poll the loop polls the rings of every served device and runs the
 * switches and buses between passes (vplat_vhu_busy_spin()), and sleeps on the fds again
 * after 2 ms without work.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "vplat/vplat.h"
#include "vplat/platform/platform.h"
#include "vplat/backend/vhost_user.h"
#include "drive.h"

#define MAX_PFDS 512

struct srv {
	const struct vplat_platform_device *info;
	bool served;
	bool be_init;
	bool had_peer; /* a front end has connected */
	struct vplat_vhu_backend be;
	int lfd;
	char path[108];
};

struct ctx {
	struct srv *s;
	unsigned n, next;
	int vm;
	struct vplat_mem idle;            /* memory of devices that are not served */
	struct vplat_mem_region idle_region[1];
};

static struct vplat_mem *serve_mem(void *opaque, const struct vplat_platform_device *d)
{
	struct ctx *c = opaque;
	if (c->next >= c->n)
		return NULL;
	struct srv *s = &c->s[c->next++];
	s->info = d;
	s->lfd = -1;
	if (!d->vhost_user_socket || (c->vm >= 0 && d->vm != (unsigned)c->vm))
		return &c->idle;
	struct vplat_vhu_backend_params bp = {.log_level = VPLAT_VHU_LOG_ERROR};
	if (vplat_vhu_backend_init(&s->be, &bp))
		return NULL;
	s->be_init = s->served = true;
	return vplat_vhu_backend_mem(&s->be);
}

static void accept_peer(struct srv *s)
{
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (vplat_vhu_backend_connected(&s->be)) { /* one front end at a time */
		close(fd);
		return;
	}
	if (!vplat_vhu_backend_set_conn(&s->be, fd) && (s->had_peer = true))
		printf("  %-34s front end connected\n", s->info->path);
	fflush(stdout);
}

static int dispatch_platform(void *arg)
{
	return vplat_platform_dispatch(arg);
}

/* Host-end work (switch forwarding, CAN buses, asynchronous completions) writes guest memory
 * of any served device: it runs under the SIGBUS guard of every back end, so a front end that
 * truncates its memory file loses its session (that back end is reset) instead of killing the
 * platform; the other devices lose at most the event in progress. */
static size_t served_backends(const struct ctx *c, struct vplat_vhu_backend **bs)
{
	size_t n = 0;
	for (unsigned i = 0; i < c->n && n < MAX_PFDS; i++)
		if (c->s[i].served)
			bs[n++] = &c->s[i].be;
	return n;
}

static void dispatch_guarded(struct vplat_platform *p, struct ctx *c)
{
	static struct vplat_vhu_backend *bs[MAX_PFDS];
	size_t n = served_backends(c, bs);
	if (vplat_vhu_backends_guard(bs, n, dispatch_platform, p) == VPLAT_EFAULT)
		printf("  front end dropped: SIGBUS in its guest memory\n");
}

/* Busy polling, between two passes over the rings: the switches forward what the passes took
 * (and the buses and host ends run), so a frame crosses the platform within one pass. */
static int pass_platform(void *arg)
{
	(void)vplat_platform_dispatch(arg);
	return 0;
}

/* Busy polling: one turn of passes; true when the caller may sleep (idle, kicks re-armed). */
static bool busy_turn(struct vplat_platform *p, struct ctx *c, struct vplat_vhu_busy *st)
{
	static struct vplat_vhu_backend *bs[MAX_PFDS];
	size_t n = served_backends(c, bs);
	return vplat_vhu_busy_spin(st, (struct vplat_vhu_backend *const *)bs, n, pass_platform, p,
				   &run_stop) &&
	       vplat_vhu_backends_rearm((struct vplat_vhu_backend *const *)bs, n) == 0;
}

/* --once: every served device has had a front end and none is connected now. */
static bool all_done(const struct ctx *c)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->s[i].served &&
		    (!c->s[i].had_peer || vplat_vhu_backend_connected(&c->s[i].be)))
			return false;
	return true;
}

static void loop(struct vplat_platform *p, struct ctx *c, bool once, unsigned busy_idle_ms)
{
	bool busy_poll = busy_idle_ms != 0;
	struct vplat_vhu_busy busy = {.idle_ns = busy_idle_ms * 1000000u};
	bool sleeping = false; /* busy polling: idle, kicks re-armed, until an fd fires */
	static struct pollfd pfd[MAX_PFDS];
	static struct { struct srv *s; struct vplat_vhu_pollfd vp; int listen; } who[MAX_PFDS];
	while (!run_stop && !(once && all_done(c))) {
		unsigned n = 0;
		for (unsigned i = 0; i < c->n && n < MAX_PFDS; i++) {
			struct srv *s = &c->s[i];
			if (!s->served)
				continue;
			pfd[n] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
			who[n++] = (__typeof__(who[0])){.s = s, .listen = 1};
			struct vplat_vhu_pollfd vp[VPLAT_VHU_MAX_QUEUES + 1];
			size_t k = vplat_vhu_backend_pollfds(&s->be, vp, VPLAT_VHU_MAX_QUEUES + 1);
			for (size_t j = 0; j < k && n < MAX_PFDS; j++) {
				pfd[n] = (struct pollfd){.fd = vp[j].fd, .events = POLLIN};
				who[n++] = (__typeof__(who[0])){.s = s, .vp = vp[j]};
			}
		}
		int hfd[64];
		unsigned nh = vplat_platform_fds(p, hfd, 64);
		for (unsigned i = 0; i < nh && n < MAX_PFDS; i++) {
			pfd[n] = (struct pollfd){.fd = hfd[i], .events = POLLIN};
			who[n++] = (__typeof__(who[0])){.s = NULL};
		}
		/* 10 ms: timed CAN buses and switch shapers make progress without an fd event.
		 * Busy polling: 0 (look at the sockets and fds, then spin again) until idle. */
		if (busy_poll && !sleeping)
			sleeping = busy_turn(p, c, &busy);
		int r = poll(pfd, n, busy_poll && !sleeping ? 0 : 10);
		if (r > 0)
			sleeping = false; /* a kick, a message or a host end: spin again */
		if (r < 0 && errno != EINTR)
			break;
		for (unsigned i = n; r > 0 && i-- > 0;) { /* kicks before their sockets */
			if (!who[i].s || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (who[i].listen)
				accept_peer(who[i].s);
			else if (vplat_vhu_backend_handle(&who[i].s->be, &who[i].vp) == VPLAT_ENODEV)
				printf("  %-34s front end gone\n", who[i].s->info->path);
		}
		dispatch_guarded(p, c);
		fflush(stdout);
	}
}

int serve_platform(const void *dtb, size_t len, const char *base_dir, int vm, bool once,
		   unsigned busy_idle_ms)
{
	char err[512];
	struct vplat_platform *p;
	if (vplat_platform_load(&p, dtb, len, NULL, err, sizeof(err)))
		return 1;
	struct ctx c = {.n = vplat_platform_device_count(p), .vm = vm};
	vplat_platform_free(p);
	c.s = calloc(c.n ? c.n : 1, sizeof(*c.s));
	if (!c.s || vplat_mem_init(&c.idle, c.idle_region, 1)) {
		free(c.s);
		return 3;
	}
	struct vplat_platform_options o = {.mem = serve_mem, .opaque = &c, .no_transport = true,
					   .base_dir = base_dir};
	int ret = 0;
	if (vplat_platform_load(&p, dtb, len, &o, err, sizeof(err))) {
		fprintf(stderr, "vplat-platform: %s\n", err);
		p = NULL;
		ret = 3;
	}
	for (unsigned i = 0; p && !ret && i < c.n; i++) {
		struct srv *s = &c.s[i];
		if (!s->served)
			continue;
		const char *sock = s->info->vhost_user_socket;
		int w = base_dir && sock[0] != '/'
			    ? snprintf(s->path, sizeof(s->path), "%s/%s", base_dir, sock)
			    : snprintf(s->path, sizeof(s->path), "%s", sock);
		if (w < 0 || (size_t)w >= sizeof(s->path) ||
		    vplat_vhu_backend_attach(&s->be, vplat_platform_dev(p, i)) ||
		    (s->lfd = vplat_vhu_listen(s->path)) < 0) {
			fprintf(stderr, "vplat-platform: %s: cannot serve on %s\n", s->info->path,
				sock);
			ret = 3;
			break;
		}
		printf("  %-8s %-34s vhost-user back end on %s\n",
		       vplat_platform_type_name(s->info->type), s->info->path, s->path);
	}
	if (p && !ret) {
		run_install_signals();
		printf(once ? "serving until every device's front end has come and gone%s\n"
			    : "serving until SIGINT or SIGTERM%s\n",
		       busy_idle_ms ? " (busy polling)" : "");
		fflush(stdout);
		loop(p, &c, once, busy_idle_ms);
		if (run_stop)
			printf("signal %d: shutting down\n", (int)run_stop);
		else
			printf("every front end has disconnected: shutting down\n");
	}
	for (unsigned i = 0; i < c.n; i++) {
		if (c.s[i].be_init)
			vplat_vhu_backend_fini(&c.s[i].be);
		if (c.s[i].lfd >= 0) {
			close(c.s[i].lfd);
			unlink(c.s[i].path);
		}
	}
	vplat_platform_free(p);
	free(c.s);
	return ret;
}
